/* src/nn/passes.c -- a model's forward and backward passes, split among the model's
 * thread team (winit/team.h) in phases of one chunk per member: a wide layer's share of
 * output columns, else of the batch's rows; every element computed in one fixed order
 * whoever computes it.  Every activation's forward and backward runs here, and the
 * optimizer's step is applied to each block of parameters from the weight-gradient
 * product's epilogue (winit_model_backward_update). */
#include "config.h"

#include <stdio.h>

#include <winit/kernels.h>
#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/team.h>

#include "core/guard.h"
#include "nn/model_guard.h"

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

/* An activation's writes outside the work buffers land in their guard zones
 * (core/guard.h): checked after each pass (the forward's z and a, the backward's z and
 * a) and after each chunk of an input gradient (its delta buffer, which layers share in
 * turn), the first found kept for winit_model_fault.  Two memcmp of 256 bytes per
 * buffer: no work per value. */
void winit_model_guard_note(struct winit_model *m, const void *buf, int layer,
                            const char *callback, const char *what)
{
	struct winit_guard_hit hit;
	if (!winit_guard_check(buf, &hit))
		return;
	int none = 0;
	if (!__atomic_compare_exchange_n(&m->faulted, &none, 1, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return; /* an earlier one is kept */
	char where[96];
	winit_guard_describe(&hit, where, sizeof where);
	const struct winit_dense *d = &m->layer[layer];
	snprintf(m->fault, sizeof m->fault,
	         "layer %d: activation '%s' wrote outside its buffers in its %s: %s of %s; "
	         "%s must write only its rows * cols values",
	         layer + 1, d->act->info.name, callback, where, what, callback);
}

static void guard_check_layers(struct winit_model *m, int n_layers, const char *callback)
{
	for (int i = 0; i < n_layers && !m->faulted; i++) {
		winit_model_guard_note(m, m->a[i], i, callback, "the layer's activations");
		winit_model_guard_note(m, m->z[i], i, callback, "the layer's pre-activations");
	}
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
		WINIT_TEAM_CHUNKS(j->team, i, id, c)
		{
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
	winit_team_run_phases(job.team, forward_part, &job, n_layers);
	guard_check_layers(m, n_layers, "forward");
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
	winit_model_guard_note(m, din, i - 1, "backward", "the layer's gradients");
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
		WINIT_TEAM_CHUNKS(t, ph, id, c)
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
			WINIT_TEAM_CHUNKS(t, ph, id, c)
			{
				input_grad_chunk(j, i, dz, din, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		WINIT_TEAM_CHUNKS(t, ph, id, c)
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
	/* The output activation, then per layer its input gradient and its parameters. */
	winit_team_run_phases(job.team, backward_part, &job, 1 + 2 * m->spec.n_layers);
	guard_check_layers(m, m->spec.n_layers, "backward");
}

void winit_model_backward(struct winit_model *m, const float *x, float *dout, int64_t n_batch)
{
	winit_model_backward_update(m, x, dout, n_batch, NULL);
}
