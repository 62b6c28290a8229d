/* src/nn/model.c -- model instances: one parameter allocation with per-layer views,
 * initialisation through initializer plugins (each tensor from its own stream of the
 * stream plan), work buffers, data-aware adaptation.  The passes themselves are
 * passes.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/kernels.h>
#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/rng.h>
#include <winit/stream.h>

#include "core/guard.h"
#include "layers/kind.h"
#include "nn/graph.h"

static int32_t declare(const struct winit_model_spec *spec, int i, const struct winit_shape *in,
                       struct winit_tensor_decl *decl);
static struct winit_shape first_input(const struct winit_model_spec *spec, int i,
                                      const struct winit_shape *shapes);

int winit_model_spec_check(const struct winit_model_spec *spec, struct winit_error *err)
{
	if (spec->n_inputs <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "model: input size must be positive (got %lld)",
		                       (long long)spec->n_inputs);
	if (spec->n_layers <= 0 || !spec->layers)
		return winit_error_set(err, WINIT_ERR_ARG, "model: needs at least one layer (got %d)",
		                       (int)spec->n_layers);
	if (spec->loss != WINIT_LOSS_CATEGORICAL_CROSSENTROPY)
		return winit_error_set(err, WINIT_ERR_ARG, "model: unknown loss %d", (int)spec->loss);
	for (int i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		if (l->kind != WINIT_LAYER_DENSE)
			continue;
		if (l->units <= 0)
			return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: units must be positive (got %lld)",
			                       i + 1, (long long)l->units);
		if (!l->activation.info || l->activation.info->kind != WINIT_KIND_ACTIVATION)
			return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: no activation plugin", i + 1);
		if (!l->kernel_initializer.info || l->kernel_initializer.info->kind != WINIT_KIND_INITIALIZER)
			return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: no kernel initializer plugin", i + 1);
		if (l->use_bias && (!l->bias_initializer.info ||
		                    l->bias_initializer.info->kind != WINIT_KIND_INITIALIZER))
			return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: no bias initializer plugin", i + 1);
	}
	struct winit_shape *shapes = malloc((size_t)spec->n_layers * sizeof *shapes);
	if (!shapes)
		return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers",
		                       (int)spec->n_layers);
	int rc = winit_model_spec_shapes(spec, shapes, err);
	/* Every tensor a kind fills from a plugin names an initializer. */
	for (int i = 0; i < spec->n_layers && !rc; i++) {
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		struct winit_shape in = first_input(spec, i, shapes);
		int32_t n = declare(spec, i, &in, decl);
		for (int32_t t = 0; t < n && !rc; t++)
			if (decl[t].init && (!decl[t].init->info || decl[t].init->info->kind != WINIT_KIND_INITIALIZER))
				rc = winit_error_set(err, WINIT_ERR_ARG, "model: layer %d (%s): no %s initializer plugin",
				                     i + 1, winit_layer_kind_name(spec->layers[i].kind), decl[t].name);
	}
	free(shapes);
	return rc ? rc : winit_model_spec_check_graph(spec, err);
}

/* Fans come from the shape (Keras's compute_fans): (n_in, units) for a kernel, (units,
 * units) for a bias.  The tensor's initialization multiplier scales what was drawn. */
static int fill(float *w, const struct winit_tensor_decl *t, double gain, double mult,
                uint64_t seed, int layer, struct winit_error *err)
{
	struct winit_rng rng;
	winit_stream_open(&rng, seed, t->purpose, (uint32_t)(layer - 1));
	char where[64];
	snprintf(where, sizeof where, "layer %d %s", layer, t->name);
	int64_t n = 1;
	for (int32_t k = 0; k < t->rank; k++)
		n *= t->dims[k];
	int rc = WINIT_OK;
	if (!t->init)
		for (int64_t k = 0; k < n; k++)
			w[k] = (float)t->constant;
	else
		rc = winit_initializer_fill((const struct winit_initializer *)t->init->info, w, t->dims,
		                            (uint32_t)t->rank, gain, t->init->params, &rng, where, err);
	if (!rc && mult != 1.0)
		for (int64_t k = 0; k < n; k++)
			w[k] = (float)(mult * (double)w[k]);
	return rc;
}

static int64_t tensor_size(const struct winit_tensor_decl *t)
{
	int64_t n = 1;
	for (int32_t k = 0; k < t->rank; k++)
		n *= t->dims[k];
	return n;
}

/* Layer i's parameter tensors given its input's shape. */
static int32_t declare(const struct winit_model_spec *spec, int i, const struct winit_shape *in,
                       struct winit_tensor_decl *decl)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(spec->layers[i].kind);
	return k && k->declare ? k->declare(&spec->layers[i], in, decl) : 0;
}

/* The shape of layer i's first input, from the layers' shapes. */
static struct winit_shape first_input(const struct winit_model_spec *spec, int i,
                                      const struct winit_shape *shapes)
{
	int32_t s;
	winit_model_spec_layer_inputs(spec, i, &s, 1);
	return s == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : shapes[s];
}

static int64_t layer_params(const struct winit_model_spec *spec, int i,
                            const struct winit_shape *shapes)
{
	struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
	struct winit_shape in = first_input(spec, i, shapes);
	int32_t n = declare(spec, i, &in, decl);
	int64_t total = 0;
	for (int32_t t = 0; t < n; t++)
		total += tensor_size(&decl[t]);
	return total;
}

/* The layers' output shapes, or NULL (spec not valid, or no memory). */
static struct winit_shape *spec_shapes(const struct winit_model_spec *spec)
{
	struct winit_shape *shapes = malloc((size_t)(spec->n_layers > 0 ? spec->n_layers : 1) *
	                                    sizeof *shapes);
	struct winit_error err;
	if (shapes && winit_model_spec_shapes(spec, shapes, &err)) {
		free(shapes);
		return NULL;
	}
	return shapes;
}

int64_t winit_model_spec_layer_params(const struct winit_model_spec *spec, int i)
{
	struct winit_shape *shapes = spec_shapes(spec);
	int64_t n = shapes ? layer_params(spec, i, shapes) : 0;
	free(shapes);
	return n;
}

int64_t winit_model_spec_params(const struct winit_model_spec *spec)
{
	struct winit_shape *shapes = spec_shapes(spec);
	int64_t total = 0;
	for (int i = 0; shapes && i < spec->n_layers; i++)
		total += layer_params(spec, i, shapes);
	free(shapes);
	return total;
}

/* Each layer's inputs into m->src, and its view of them. */
static int link_inputs(struct winit_model *m)
{
	const struct winit_model_spec *spec = &m->spec;
	int64_t n_edges = 0;
	for (int i = 0; i < spec->n_layers; i++)
		n_edges += winit_model_spec_layer_inputs(spec, i, NULL, 0);
	m->src = malloc((size_t)n_edges * sizeof *m->src);
	m->edge_acc = calloc((size_t)n_edges, sizeof *m->edge_acc);
	if (!m->src || !m->edge_acc)
		return -1;
	int32_t *e = m->src;
	for (int i = 0; i < spec->n_layers; i++) {
		int32_t n = winit_model_spec_layer_inputs(spec, i, e, INT32_MAX);
		m->layer[i].src = e;
		m->layer[i].n_src = n;
		for (int32_t k = 0; k < n; k++)
			if (e[k] != WINIT_MODEL_INPUT)
				m->layer[e[k]].n_consumers++;
		e += n;
	}
	return 0;
}

/* The backward pass's plan: layers are visited from the last; the first of a layer's
 * consumers visited writes its output's gradient into a free work buffer, the others add
 * to it; a layer's buffer is free again once it has been visited.  A chain uses two in
 * turn, as before graphs; a layer whose output feeds several gets one more, a product's
 * scratch (the last). */
static int plan_backward(struct winit_model *m)
{
	const int n = m->spec.n_layers;
	int32_t *busy = calloc((size_t)n + 1, sizeof *busy), n_buf = 0, acc = 0;
	if (!busy)
		return -1;
	for (int i = 0; i < n; i++)
		m->layer[i].gbuf = -2; /* none yet */
	m->layer[n - 1].gbuf = -1;     /* the caller's dout */
	for (int i = n - 1; i >= 0; i--) {
		struct winit_layer *d = &m->layer[i];
		for (int32_t k = 0; k < d->n_src; k++) {
			int32_t s = d->src[k];
			if (s == WINIT_MODEL_INPUT)
				continue;
			if (m->layer[s].gbuf != -2) {
				m->edge_acc[(d->src - m->src) + k] = 1;
				acc = 1;
				continue;
			}
			int32_t b = 0;
			while (busy[b])
				b++;
			busy[b] = 1;
			n_buf = b + 1 > n_buf ? b + 1 : n_buf;
			m->layer[s].gbuf = b;
		}
		if (d->gbuf >= 0)
			busy[d->gbuf] = 0;
	}
	free(busy);
	m->n_delta = n_buf + acc;
	m->delta = calloc((size_t)(m->n_delta > 0 ? m->n_delta : 1), sizeof *m->delta);
	return m->delta ? 0 : -1;
}

/* Views of layer i: its kind, shapes, activation, multipliers; its tensors at *p and *g
 * (advanced), filled by their initializers. */
static int init_layer(struct winit_model *m, int i, const struct winit_shape *shapes, float **p,
                      float **g, uint64_t seed, struct winit_error *err)
{
	const struct winit_layer_spec *l = &m->spec.layers[i];
	struct winit_layer *d = &m->layer[i];
	struct winit_shape in = first_input(&m->spec, i, shapes);
	d->kind = winit_layer_kind_get(l->kind);
	d->shape = shapes[i];
	d->n_in = winit_shape_elements(&in);
	d->in_shape = in;
	d->n_out = winit_shape_elements(&shapes[i]);
	d->units = shapes[i].dim[shapes[i].rank - 1];
	d->out_mult = l->mult_set ? (float)l->out_mult : 1.0f;
	if (d->kind->has_activation) {
		d->act = (const struct winit_activation *)l->activation.info;
		d->act_params = l->activation.params;
	}
	double gain = d->act ? winit_activation_gain(d->act, d->act_params) : 1.0;
	struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
	int32_t n = declare(&m->spec, i, &in, decl);
	for (int32_t t = 0; t < n; t++) {
		struct winit_param_mult mult = winit_layer_mult(l, t);
		d->lr_mult[t] = (float)mult.lr;
		d->t[t] = *p;
		d->dt[t] = *g;
		if (t == 0) {
			d->w = *p;
			d->dw = *g;
			d->k_rows = d->kind->has_kernel ? tensor_size(&decl[t]) / d->units : 0;
		} else if (t == 1) {
			d->b = *p;
			d->db = *g;
		}
		/* Each tensor draws from its own stream, so adding a layer never shifts
		 * another's numbers. */
		int rc = fill(*p, &decl[t], gain, mult.init, seed, i + 1, err);
		if (rc)
			return rc;
		*p += tensor_size(&decl[t]);
		*g += tensor_size(&decl[t]);
	}
	return WINIT_OK;
}

int winit_model_init(struct winit_model *m, const struct winit_model_spec *spec, uint64_t seed,
                     struct winit_error *err)
{
	memset(m, 0, sizeof *m);
	int rc = winit_model_spec_check(spec, err);
	if (rc)
		return rc;
	if ((rc = winit_model_spec_copy(&m->spec, spec, err)))
		return rc;
	struct winit_shape *shapes = spec_shapes(spec);
	int64_t total = winit_model_spec_params(spec);
	size_t nl = (size_t)spec->n_layers;
	m->n_params = total;
	m->params = calloc((size_t)(total > 0 ? total : 1), sizeof(float));
	m->grads = calloc((size_t)(total > 0 ? total : 1), sizeof(float));
	m->layer = calloc(nl, sizeof *m->layer);
	m->z = calloc(nl, sizeof *m->z);
	m->a = calloc(nl, sizeof *m->a);
	m->work = calloc(nl, sizeof *m->work);
	if (!shapes || !m->work || !m->params || !m->grads || !m->layer || !m->z || !m->a || link_inputs(m) ||
	    plan_backward(m)) {
		free(shapes);
		winit_model_free(m);
		return winit_error_set(err, WINIT_ERR_NOMEM, "model: cannot allocate %lld parameters",
		                       (long long)total);
	}
	float *p = m->params, *g = m->grads;
	for (int i = 0; i < spec->n_layers && !rc; i++)
		rc = init_layer(m, i, shapes, &p, &g, seed, err);
	free(shapes);
	if (rc) {
		winit_model_free(m);
		return rc;
	}
	m->seed = seed;
	/* Cross-entropy on a softmax output is computed from the logits: decided once here,
	 * not per batch. */
	const struct winit_layer *last = &m->layer[spec->n_layers - 1];
	m->output_fused = spec->loss == WINIT_LOSS_CATEGORICAL_CROSSENTROPY && last->act &&
	                  (last->act->flags & WINIT_ACT_ROWWISE) &&
	                  strcmp(last->act->info.name, "softmax") == 0;
	return WINIT_OK;
}

void winit_model_free(struct winit_model *m)
{
	free(m->params);
	free(m->grads);
	for (int i = 0; i < m->spec.n_layers && m->z && m->a; i++) {
		winit_guarded_free(m->z[i]);
		winit_guarded_free(m->a[i]);
	}
	for (int i = 0; i < m->spec.n_layers && m->work; i++)
		winit_guarded_free(m->work[i]);
	free(m->work);
	free(m->z);
	free(m->a);
	free(m->layer);
	for (int k = 0; k < m->n_delta && m->delta; k++)
		winit_guarded_free(m->delta[k]);
	free(m->delta);
	free(m->src);
	free(m->edge_acc);
	winit_model_spec_free(&m->spec);
	memset(m, 0, sizeof *m);
}

/* The kinds' own buffers for cap_batch rows, where missing (work buffers taken from a
 * pool come without them). */
static int reserve_work(struct winit_model *m)
{
	for (int i = 0; i < m->spec.n_layers; i++) {
		const struct winit_layer_ops *k = m->layer[i].kind;
		if (!k->work || m->work[i])
			continue;
		const struct winit_layer_spec *l = &m->spec.layers[i];
		m->work[i] = winit_guarded_alloc(m->cap_batch * k->work(l, &m->layer[i]) +
		                                 (k->scratch ? k->scratch(l, &m->layer[i]) : 0));
		if (!m->work[i])
			return -1;
	}
	return 0;
}

int winit_model_reserve(struct winit_model *m, int64_t n_batch, struct winit_error *err)
{
	if (n_batch <= m->cap_batch) {
		if (!reserve_work(m))
			return WINIT_OK;
		goto nomem;
	}
	int64_t widest = m->spec.n_inputs;
	for (int i = 0; i < m->spec.n_layers; i++) {
		int64_t n = n_batch * m->layer[i].n_out;
		winit_guarded_free(m->z[i]);
		winit_guarded_free(m->a[i]);
		m->z[i] = winit_guarded_alloc(n);
		m->a[i] = winit_guarded_alloc(n);
		if (!m->z[i] || !m->a[i])
			goto nomem;
		if (m->layer[i].n_out > widest)
			widest = m->layer[i].n_out;
		winit_guarded_free(m->work[i]);
		m->work[i] = NULL;
	}
	for (int k = 0; k < m->n_delta; k++) {
		winit_guarded_free(m->delta[k]);
		m->delta[k] = winit_guarded_alloc(n_batch * widest);
		if (!m->delta[k])
			goto nomem;
	}
	m->cap_batch = n_batch;
	if (!reserve_work(m))
		return WINIT_OK;
nomem:
	m->cap_batch = 0;
	return winit_error_set(err, WINIT_ERR_NOMEM, "model: cannot allocate buffers for batch %lld",
	                       (long long)n_batch);
}

int winit_model_fault(const struct winit_model *m, struct winit_error *err)
{
	if (!__atomic_load_n(&m->faulted, __ATOMIC_ACQUIRE))
		return WINIT_OK;
	return winit_error_set(err, WINIT_ERR_PLUGIN, "%s", m->fault);
}

static const struct winit_initializer *adapter(const struct winit_plugin_use *u)
{
	return winit_initializer_adapter((const struct winit_initializer *)u->info);
}

int winit_model_spec_needs_data(const struct winit_model_spec *spec)
{
	for (int i = 0; i < spec->n_layers; i++)
		if (spec->layers[i].kind == WINIT_LAYER_DENSE && adapter(&spec->layers[i].kernel_initializer))
			return 1;
	return 0;
}

struct probe_ctx {
	const struct winit_layer *d;
};

static void probe_forward(const struct winit_probe *p, float *out, const float *w, int activated)
{
	const struct probe_ctx *c = p->host_ctx;
	winit_dense_forward(out, p->input, w, p->bias, p->rows, p->n_in, p->n_out);
	if (activated)
		winit_activation_forward(c->d->act, out, out, p->rows, p->n_out, c->d->act_params);
}

int winit_model_adapt(struct winit_model *m, const struct winit_dataset *ds, int64_t n_rows,
                      uint64_t seed, struct winit_error *err)
{
	if (!winit_model_spec_needs_data(&m->spec))
		return WINIT_OK;
	if (n_rows <= 0 || n_rows > ds->n || ds->n_features != m->spec.n_inputs)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "data-aware initializer: no usable training rows (%lld of %lld, %lld features for %lld inputs)",
		                       (long long)n_rows, (long long)ds->n, (long long)ds->n_features,
		                       (long long)m->spec.n_inputs);
	int64_t rows = n_rows < WINIT_PROBE_ROWS ? n_rows : WINIT_PROBE_ROWS;
	uint32_t *idx = malloc((size_t)n_rows * sizeof *idx);
	float *x = malloc((size_t)(rows * m->spec.n_inputs) * sizeof *x);
	int rc = WINIT_OK;
	if (!idx || !x) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "data-aware initializer: no memory for the probe batch");
		goto out;
	}
	struct winit_rng rng;
	winit_stream_open(&rng, seed, WINIT_STREAM_ADAPT_ROWS, 0);
	for (int64_t i = 0; i < n_rows; i++)
		idx[i] = (uint32_t)i;
	winit_rng_shuffle_u32(&rng, idx, (uint32_t)n_rows);
	winit_dataset_gather(x, NULL, ds, idx, rows);
	if ((rc = winit_model_reserve(m, rows, err)))
		goto out;
	struct winit_layer_hooks hooks = m->hooks;
	m->hooks.forward = NULL;
	m->hooks.backward = NULL;
	for (int i = 0; i < m->spec.n_layers && !rc; i++) {
		const struct winit_layer_spec *l = &m->spec.layers[i];
		const struct winit_initializer *init =
			l->kind == WINIT_LAYER_DENSE ? adapter(&l->kernel_initializer) : NULL;
		if (!init)
			continue;
		/* The batch as it reaches layer i: through the (already adapted) layers before. */
		struct winit_layer *d = &m->layer[i];
		winit_model_forward_layers(m, x, rows, i);
		const float *in = d->src[0] == WINIT_MODEL_INPUT ? x : m->a[d->src[0]];
		struct probe_ctx pc = { d };
		struct winit_probe probe = {
			.struct_size = sizeof probe,
			.rows = rows,
			.n_in = d->n_in,
			.n_out = d->n_out,
			.input = in,
			.bias = d->b,
			.layer_forward = probe_forward,
			.host_ctx = &pc,
		};
		int64_t dims[2] = { d->n_in, d->n_out };
		struct winit_rng arng;
		winit_stream_open(&arng, seed, WINIT_STREAM_ADAPT, (uint32_t)i);
		char where[64];
		snprintf(where, sizeof where, "layer %d kernel", i + 1);
		rc = winit_initializer_adapt(init, d->w, dims, 2, winit_activation_gain(d->act, d->act_params),
		                             l->kernel_initializer.params, &arng, &probe, where, err);
	}
	m->hooks = hooks;
	if (!rc)
		rc = winit_model_fault(m, err);
out:
	free(idx);
	free(x);
	return rc;
}
