/* src/layers/kernel_ops.c -- what the kinds with a kernel matrix share (Dense, Conv2D):
 * the team's split of their products and the weight gradient with the optimizer's step in
 * its epilogue.  A kernel is a (k_rows, units) matrix: Dense's (n_in, units), Conv2D's
 * (kh*kw*cin, filters) as Keras lays out (kh, kw, cin, cout). */
#include "config.h"

#include <winit/kernels.h>
#include <winit/plugin_call.h>
#include <winit/team.h>

#include "layers/kind.h"

int winit_layer_split_columns(const struct winit_layer *d, int n)
{
	return n > 1 && d->units >= WINIT_COL_QUANTUM * n && !(d->act->flags & WINIT_ACT_ROWWISE);
}

void winit_layer_activate(const struct winit_layer *d, float *a, const float *z, int64_t rows,
                          int64_t cols, int64_t stride)
{
	if (cols == stride) {
		winit_activation_forward(d->act, a, z, rows, cols, d->act_params);
		return;
	}
	for (int64_t r = 0; r < rows; r++)
		winit_activation_forward(d->act, a + r * stride, z + r * stride, 1, cols, d->act_params);
}

void winit_layer_out_epilogue(void *ctx, float *z, int64_t row0, int64_t rows)
{
	const struct winit_out_epilogue *e = ctx;
	const struct winit_layer *d = e->d;
	const int64_t u = d->units;
	float *a = e->a + row0 * u;
	if (d->out_mult != 1.0f)
		for (int64_t r = 0; r < rows; r++)
			for (int64_t j = 0; j < e->cols; j++)
				z[r * u + j] = d->out_mult * z[r * u + j] + (e->b ? e->b[j] : 0.0f);
	if (e->activate)
		winit_layer_activate(d, a, z, rows, e->cols, u);
}

/* The update of a block of a weight gradient's rows, as the GEMM finishes it. */
struct update_epilogue {
	const struct winit_param_update *u;
	int64_t off;   /* the block's first parameter */
	int64_t cols;  /* parameters per row of the block */
	int64_t units; /* parameters per row of the matrix */
	float mult;    /* the output multiplier (1: none) */
	float lr;      /* the kernel's learning-rate multiplier */
};

static void apply_update(void *ctx, float *g, int64_t row0, int64_t rows)
{
	const struct update_epilogue *e = ctx;
	if (e->mult != 1.0f)
		for (int64_t r = 0; r < rows; r++)
			for (int64_t j = 0; j < e->cols; j++)
				g[r * e->units + j] *= e->mult;
	if (e->u)
		e->u->fn(e->u->ctx, e->off + row0 * e->units, rows, e->cols, e->units, e->lr);
}

void winit_layer_kernel_grad(const struct winit_pass *p, int i, const float *in,
                             const struct winit_rows_source *src, int64_t rows, const float *dz,
                             int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const struct winit_param_update *u = p->update;
	int64_t i0 = 0, i1 = d->k_rows, j0 = 0, j1 = d->units, c0, c1;
	if (winit_layer_split_columns(d, n)) {
		winit_team_share(d->units, WINIT_COL_QUANTUM, c, n, &j0, &j1);
		c0 = j0;
		c1 = j1;
	} else {
		winit_team_share(d->k_rows, WINIT_ROW_QUANTUM, c, n, &i0, &i1);
		winit_team_share(d->units, 1, c, n, &c0, &c1);
	}
	struct update_epilogue ue = { u, (d->w - m->params) + i0 * d->units + j0, j1 - j0, d->units,
		                      d->out_mult, d->lr_mult[0] };
	struct winit_epilogue ep = { apply_update, &ue };
	const struct winit_epilogue *epp = u || d->out_mult != 1.0f ? &ep : NULL;
	if (src)
		winit_dense_backward_weights_src(d->dw, dz, src, rows, d->k_rows, d->units, i0, i1, j0,
		                                 j1, epp);
	else
		winit_dense_backward_weights(d->dw, dz, in, rows, d->k_rows, d->units, i0, i1, j0, j1,
		                             epp);
	if (d->db && c1 > c0) {
		winit_dense_backward_bias(d->db, dz, rows, d->units, c0, c1);
		if (u)
			u->fn(u->ctx, (d->b - m->params) + c0, 1, c1 - c0, c1 - c0, d->lr_mult[1]);
	}
}
