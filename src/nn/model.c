/* src/nn/model.c -- model instances: one parameter allocation with per-layer views,
 * initialisation through initializer plugins (each tensor from its own stream of the
 * stream plan), data-aware adaptation, forward and backward passes.  Every activation's
 * forward and backward runs here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/kernels.h>
#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/rng.h>
#include <winit/stream.h>

int winit_model_spec_check(const struct winit_model_spec *spec, struct winit_error *err)
{
	if (spec->n_inputs <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "model: input size must be positive (got %lld)",
		                       (long long)spec->n_inputs);
	if (spec->n_layers <= 0 || spec->n_layers > WINIT_MAX_LAYERS)
		return winit_error_set(err, WINIT_ERR_ARG, "model: needs 1 to %d Dense layers (got %d)",
		                       WINIT_MAX_LAYERS, (int)spec->n_layers);
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
	m->spec = *spec;
	int64_t total = winit_model_spec_params(spec), n_in;
	m->n_params = total;
	m->params = calloc((size_t)total, sizeof(float));
	m->grads = calloc((size_t)total, sizeof(float));
	if (!m->params || !m->grads) {
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
	for (int i = 0; i < WINIT_MAX_LAYERS; i++) {
		free(m->z[i]);
		free(m->a[i]);
	}
	for (int k = 0; k < 2; k++)
		free(m->delta[k]);
	memset(m, 0, sizeof *m);
}

int winit_model_reserve(struct winit_model *m, int64_t n_batch, struct winit_error *err)
{
	if (n_batch <= m->cap_batch)
		return WINIT_OK;
	int64_t widest = m->spec.n_inputs;
	for (int i = 0; i < m->spec.n_layers; i++) {
		int64_t n = n_batch * m->layer[i].n_out;
		free(m->z[i]);
		free(m->a[i]);
		m->z[i] = aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
		m->a[i] = aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
		if (!m->z[i] || !m->a[i])
			goto nomem;
		if (m->layer[i].n_out > widest)
			widest = m->layer[i].n_out;
	}
	for (int k = 0; k < 2; k++) {
		free(m->delta[k]);
		m->delta[k] = aligned_alloc(64, (size_t)((n_batch * widest * 4 + 63) / 64 * 64));
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

/* Rows of a batch (or of a weight gradient) each team member takes: whole micro-kernel
 * row tiles; columns of a wide layer: whole 64-byte lines, so no two members write one. */
#define ROW_QUANTUM 8
#define COL_QUANTUM 16

/* The team a pass runs on: none when hooks watch (they see whole layers in order). */
static struct winit_team *pass_team(const struct winit_model *m)
{
	return m->hooks.forward || m->hooks.backward ? NULL : m->team;
}

/* Whether a layer splits its output columns among n members (forward, weight gradient,
 * bias: each member owns the same columns of W and b in every pass), rather than the
 * batch's rows.  A row-wise activation needs whole rows. */
static int split_columns(const struct winit_dense *d, int n)
{
	return n > 1 && d->n_out >= COL_QUANTUM * n && !(d->act->flags & WINIT_ACT_ROWWISE);
}

/* The activation as a fused epilogue of the layer's product: a = f(z) for each block of
 * rows as soon as the GEMM has finished it, on columns [j0, j0 + cols) of each row. */
struct act_epilogue {
	const struct winit_dense *d;
	float *a; /* the activation of the product's first row and column */
	int64_t cols;
};

static void apply_activation(void *ctx, float *z, int64_t row0, int64_t rows)
{
	const struct act_epilogue *e = ctx;
	const struct winit_dense *d = e->d;
	float *a = e->a + row0 * d->n_out;
	if (e->cols == d->n_out) {
		winit_activation_forward(d->act, a, z, rows, d->n_out, d->act_params);
		return;
	}
	for (int64_t r = 0; r < rows; r++)
		winit_activation_forward(d->act, a + r * d->n_out, z + r * d->n_out, 1, e->cols,
		                         d->act_params);
}

struct forward_job {
	struct winit_model *m;
	struct winit_team *team; /* the pass's (NULL with hooks) */
	const float *x;
	int64_t n_batch;
	int n_layers;
	int logits_last;
};

/* Chunk c of n of a layer's forward product: its share of the output columns (every row)
 * of a column-split layer, else its share of the batch's rows. */
static void forward_chunk(struct winit_model *m, int i, const float *in, int64_t n_batch,
                          int activate, int c, int n)
{
	struct winit_dense *d = &m->layer[i];
	int64_t b0 = 0, b1 = n_batch, j0 = 0, j1 = d->n_out;
	if (split_columns(d, n))
		winit_team_share(d->n_out, COL_QUANTUM, c, n, &j0, &j1);
	else
		winit_team_share(n_batch, ROW_QUANTUM, c, n, &b0, &b1);
	struct act_epilogue ctx = { d, m->a[i] + b0 * d->n_out + j0, j1 - j0 };
	struct winit_epilogue ep = { apply_activation, &ctx };
	winit_dense_forward_block(m->z[i], in, d->w, d->b, d->n_in, d->n_out, b0, b1, j0, j1,
	                          activate ? &ep : NULL);
}

/* Layers [0, n_layers), one phase each.  With `logits_last`, the last layer stops at its
 * pre-activation (its activation runs only when a hook wants to see it). */
static void forward_part(void *arg, int id, int n)
{
	const struct forward_job *j = arg;
	struct winit_model *m = j->m;
	const float *in = j->x;
	for (int i = 0; i < j->n_layers; i++) {
		struct winit_dense *d = &m->layer[i];
		int activate = !(j->logits_last && i == j->n_layers - 1);
		for (int c = winit_team_claim(j->team, i, id, -1); c >= 0;
		     c = winit_team_claim(j->team, i, id, c)) {
			forward_chunk(m, i, in, j->n_batch, activate, c, n);
			winit_team_done(j->team, i);
		}
		winit_team_wait(j->team, i);
		if (m->hooks.forward) { /* only on a pass without a team */
			if (!activate)
				winit_activation_forward(d->act, m->a[i], m->z[i], j->n_batch, d->n_out, d->act_params);
			m->hooks.forward(m->hooks.ctx, i, m->z[i], m->a[i], j->n_batch, d->n_out);
		}
		in = activate ? m->a[i] : m->z[i];
	}
}

static const float *forward(struct winit_model *m, const float *x, int64_t n_batch, int n_layers,
                            int logits_last)
{
	if (n_layers == 0)
		return x;
	struct forward_job job = { m, pass_team(m), x, n_batch, n_layers, logits_last };
	winit_team_run(job.team, forward_part, &job);
	return logits_last ? m->z[n_layers - 1] : m->a[n_layers - 1];
}

const float *winit_model_forward(struct winit_model *m, const float *x, int64_t n_batch)
{
	return forward(m, x, n_batch, m->spec.n_layers, 0);
}

const float *winit_model_forward_train(struct winit_model *m, const float *x, int64_t n_batch)
{
	return forward(m, x, n_batch, m->spec.n_layers, m->output_fused);
}

const float *winit_model_forward_layers(struct winit_model *m, const float *x, int64_t n_batch,
                                        int n_layers)
{
	return forward(m, x, n_batch, n_layers, 0);
}

/* The update of a block of a weight gradient's rows, as the GEMM finishes it. */
struct update_epilogue {
	const struct winit_param_update *u;
	int64_t off;   /* the block's first parameter */
	int64_t cols;  /* parameters per row of the block */
	int64_t n_out; /* parameters per row of the matrix */
};

static void apply_update(void *ctx, float *c, int64_t row0, int64_t rows)
{
	const struct update_epilogue *e = ctx;
	(void)c;
	e->u->fn(e->u->ctx, e->off + row0 * e->n_out, rows, e->cols, e->n_out);
}

struct backward_job {
	struct winit_model *m;
	struct winit_team *team; /* the pass's (NULL with hooks) */
	const float *x;
	float *dout;
	int64_t n_batch;
	const struct winit_param_update *update;
};

/* Chunk c of n of the output layer's activation backward (when it is not fused into the
 * loss): its rows of dout, in place. */
static void output_chunk(const struct backward_job *j, int c, int n)
{
	struct winit_model *m = j->m;
	const int last = m->spec.n_layers - 1;
	const struct winit_dense *d = &m->layer[last];
	int64_t r0, r1;
	winit_team_share(j->n_batch, ROW_QUANTUM, c, n, &r0, &r1);
	if (r1 > r0)
		winit_activation_backward(d->act, j->dout + r0 * d->n_out, j->dout + r0 * d->n_out,
		                          m->z[last] + r0 * d->n_out, m->a[last] + r0 * d->n_out, r1 - r0,
		                          d->n_out, d->act_params);
}

/* Chunk c of n of layer i's input gradient: its rows of din = dz W^T, through the previous
 * layer's activation backward. */
static void input_grad_chunk(const struct backward_job *j, int i, const float *dz, float *din,
                             int c, int n)
{
	struct winit_model *m = j->m;
	const struct winit_dense *d = &m->layer[i], *p = &m->layer[i - 1];
	int64_t r0, r1;
	winit_team_share(j->n_batch, ROW_QUANTUM, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	float *dr = din + r0 * d->n_in;
	winit_dense_backward_input(dr, dz + r0 * d->n_out, d->w, r1 - r0, d->n_in, d->n_out);
	winit_activation_backward(p->act, dr, dr, m->z[i - 1] + r0 * p->n_out,
	                          m->a[i - 1] + r0 * p->n_out, r1 - r0, p->n_out, p->act_params);
}

/* Chunk c of n of layer i's parameter gradients: its block of dW = in^T dz (its columns of
 * a column-split layer, as in the forward pass, else its rows) and its entries of db, each
 * block updated as soon as it is final. */
static void param_grad_chunk(const struct backward_job *j, int i, const float *dz, int c, int n)
{
	struct winit_model *m = j->m;
	struct winit_dense *d = &m->layer[i];
	const struct winit_param_update *u = j->update;
	const float *in = i > 0 ? m->a[i - 1] : j->x;
	int64_t i0 = 0, i1 = d->n_in, j0 = 0, j1 = d->n_out, c0, c1;
	if (split_columns(d, n)) {
		winit_team_share(d->n_out, COL_QUANTUM, c, n, &j0, &j1);
		c0 = j0;
		c1 = j1;
	} else {
		winit_team_share(d->n_in, ROW_QUANTUM, c, n, &i0, &i1);
		winit_team_share(d->n_out, 1, c, n, &c0, &c1);
	}
	struct update_epilogue ue = { u, (d->w - m->params) + i0 * d->n_out + j0, j1 - j0, d->n_out };
	struct winit_epilogue ep = { apply_update, &ue };
	winit_dense_backward_weights(d->dw, dz, in, j->n_batch, d->n_in, d->n_out, i0, i1, j0, j1,
	                             u ? &ep : NULL);
	if (d->db && c1 > c0) {
		winit_dense_backward_bias(d->db, dz, j->n_batch, d->n_out, c0, c1);
		if (u)
			u->fn(u->ctx, (d->b - m->params) + c0, 1, c1 - c0, c1 - c0);
	}
}

#define CHUNKS(team, ph, id, c) \
	for (int c = winit_team_claim(team, ph, id, -1); c >= 0; c = winit_team_claim(team, ph, id, c))

/* The backward pass, layer by layer from the last, in phases: the output activation's
 * backward (unless fused); then per layer, the input gradient (every row of din is done
 * before anyone updates W, which it reads), then the parameter gradients and their
 * updates.  Every phase ends when all its chunks are done, so two delta buffers in turn
 * hold the input gradients. */
static void backward_part(void *arg, int id, int n)
{
	const struct backward_job *j = arg;
	struct winit_model *m = j->m;
	struct winit_team *t = j->team;
	const int last = m->spec.n_layers - 1;
	int ph = 0;
	if (!m->output_fused) {
		CHUNKS(t, ph, id, c)
		{
			output_chunk(j, c, n);
			winit_team_done(t, ph);
		}
		winit_team_wait(t, ph++);
	}
	const float *dz = j->dout;
	int buf = 0;
	for (int i = last; i >= 0; i--) {
		struct winit_dense *d = &m->layer[i];
		float *din = i > 0 ? m->delta[buf] : NULL; /* the first layer needs no input gradient */
		if (din) {
			CHUNKS(t, ph, id, c)
			{
				input_grad_chunk(j, i, dz, din, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		CHUNKS(t, ph, id, c)
		{
			param_grad_chunk(j, i, dz, c, n);
			winit_team_done(t, ph);
		}
		winit_team_wait(t, ph++);
		if (m->hooks.backward) /* only on a pass without a team */
			m->hooks.backward(m->hooks.ctx, i, dz, d->dw, j->n_batch, d->n_in, d->n_out);
		if (din) {
			dz = din;
			buf ^= 1;
		}
	}
}

void winit_model_backward_update(struct winit_model *m, const float *x, float *dout,
                                 int64_t n_batch, const struct winit_param_update *update)
{
	struct backward_job job = { m, pass_team(m), x, dout, n_batch, update };
	winit_team_run(job.team, backward_part, &job);
}

void winit_model_backward(struct winit_model *m, const float *x, float *dout, int64_t n_batch)
{
	winit_model_backward_update(m, x, dout, n_batch, NULL);
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
out:
	free(idx);
	free(x);
	return rc;
}
