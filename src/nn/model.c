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

int winit_model_spec_check(const struct winit_model_spec *spec, struct winit_error *err)
{
	if (spec->n_inputs <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "model: input size must be positive (got %lld)",
		                       (long long)spec->n_inputs);
	if (spec->n_layers <= 0 || !spec->layers)
		return winit_error_set(err, WINIT_ERR_ARG, "model: needs at least one Dense layer (got %d)",
		                       (int)spec->n_layers);
	if (spec->loss != WINIT_LOSS_CATEGORICAL_CROSSENTROPY)
		return winit_error_set(err, WINIT_ERR_ARG, "model: unknown loss %d", (int)spec->loss);
	for (int i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
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
	return WINIT_OK;
}

/* Fans come from the shape (Keras's compute_fans): (n_in, units) for a kernel, (units,
 * units) for a bias. */
static int fill(float *w, const struct winit_plugin_use *use, const int64_t *dims, uint32_t n_dims,
                double gain, uint64_t seed, enum winit_stream_purpose purpose, const char *what,
                int layer,
                struct winit_error *err)
{
	struct winit_rng rng;
	winit_stream_open(&rng, seed, purpose, (uint32_t)(layer - 1));
	char where[64];
	snprintf(where, sizeof where, "layer %d %s", layer, what);
	return winit_initializer_fill((const struct winit_initializer *)use->info, w, dims, n_dims,
	                              gain, use->params, &rng, where, err);
}

int64_t winit_model_spec_layer_params(const struct winit_model_spec *spec, int i)
{
	const struct winit_layer_spec *l = &spec->layers[i];
	int64_t n_in = i > 0 ? spec->layers[i - 1].units : spec->n_inputs;
	return n_in * l->units + (l->use_bias ? l->units : 0);
}

int64_t winit_model_spec_params(const struct winit_model_spec *spec)
{
	int64_t total = 0;
	for (int i = 0; i < spec->n_layers; i++)
		total += winit_model_spec_layer_params(spec, i);
	return total;
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
	int64_t total = winit_model_spec_params(spec), n_in;
	size_t nl = (size_t)spec->n_layers;
	m->n_params = total;
	m->params = calloc((size_t)total, sizeof(float));
	m->grads = calloc((size_t)total, sizeof(float));
	m->layer = calloc(nl, sizeof *m->layer);
	m->z = calloc(nl, sizeof *m->z);
	m->a = calloc(nl, sizeof *m->a);
	if (!m->params || !m->grads || !m->layer || !m->z || !m->a) {
		winit_model_free(m);
		return winit_error_set(err, WINIT_ERR_NOMEM, "model: cannot allocate %lld parameters",
		                       (long long)total);
	}
	float *p = m->params, *g = m->grads;
	n_in = spec->n_inputs;
	for (int i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		struct winit_dense *d = &m->layer[i];
		d->n_in = n_in;
		d->n_out = l->units;
		d->w = p;
		d->dw = g;
		p += n_in * l->units;
		g += n_in * l->units;
		if (l->use_bias) {
			d->b = p;
			d->db = g;
			p += l->units;
			g += l->units;
		}
		d->act = (const struct winit_activation *)l->activation.info;
		d->act_params = m->spec.layers[i].activation.params;
		double gain = winit_activation_gain(d->act, d->act_params);
		int64_t kdims[2] = { n_in, l->units };
		/* Each tensor draws from its own stream, so adding a layer never shifts
		 * another's numbers. */
		rc = fill(d->w, &l->kernel_initializer, kdims, 2, gain, seed, WINIT_STREAM_KERNEL,
		          "kernel", i + 1, err);
		if (!rc && l->use_bias) {
			int64_t bdims[1] = { l->units };
			rc = fill(d->b, &l->bias_initializer, bdims, 1, gain, seed, WINIT_STREAM_BIAS,
			          "bias", i + 1, err);
		}
		if (rc) {
			winit_model_free(m);
			return rc;
		}
		n_in = l->units;
	}
	/* Cross-entropy on a softmax output is computed from the logits: decided once here,
	 * not per batch. */
	const struct winit_dense *last = &m->layer[spec->n_layers - 1];
	m->output_fused = spec->loss == WINIT_LOSS_CATEGORICAL_CROSSENTROPY &&
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
	free(m->z);
	free(m->a);
	free(m->layer);
	for (int k = 0; k < 2; k++)
		winit_guarded_free(m->delta[k]);
	winit_model_spec_free(&m->spec);
	memset(m, 0, sizeof *m);
}

int winit_model_reserve(struct winit_model *m, int64_t n_batch, struct winit_error *err)
{
	if (n_batch <= m->cap_batch)
		return WINIT_OK;
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
	}
	for (int k = 0; k < 2; k++) {
		winit_guarded_free(m->delta[k]);
		m->delta[k] = winit_guarded_alloc(n_batch * widest);
		if (!m->delta[k])
			goto nomem;
	}
	m->cap_batch = n_batch;
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
		if (adapter(&spec->layers[i].kernel_initializer))
			return 1;
	return 0;
}

struct probe_ctx {
	const struct winit_dense *d;
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
		const struct winit_initializer *init = adapter(&l->kernel_initializer);
		if (!init)
			continue;
		/* The batch as it reaches layer i: through the (already adapted) layers before. */
		const float *in = winit_model_forward_layers(m, x, rows, i);
		struct winit_dense *d = &m->layer[i];
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
