/* src/layers/dense/dense.c -- Keras's Dense: z = x W + b (times the output multiplier
 * when one is set), a = activation(z), on a flat input.  The worked example of a layer
 * kind (HACKING.md).
 *
 * Its team split: a layer wide enough splits its output columns among the members (the
 * forward product, the weight gradient and the bias: each member owns the same columns of
 * W and b in every pass), a narrow one the batch's rows (and its weight gradient's rows);
 * a row-wise activation (softmax) needs whole rows.  Its input gradient splits the batch's
 * rows and runs, on the same rows, the activation backward of the layer it reads when it
 * is that layer's only consumer (winit_pass_grad_done). */
#include "config.h"

#include <stdio.h>

#include <winit/kernels.h>
#include <winit/plugin_call.h>
#include <winit/team.h>

#include "layers/kind.h"

static int dense_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                       struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	if (in->rank != 1) {
		char s[96];
		snprintf(why, n_why,
		         "Dense needs a flat input, got %s (put a Flatten before it; winit's Dense does "
		         "not apply to the last axis of an image as Keras's does)",
		         winit_shape_format(in, s, sizeof s));
		return -1;
	}
	if (l->units <= 0) {
		snprintf(why, n_why, "units must be positive (got %lld)", (long long)l->units);
		return -1;
	}
	int64_t d = l->units;
	return winit_shape_set(out, 1, &d);
}

static int32_t dense_declare(const struct winit_layer_spec *l, const struct winit_shape *in,
                             struct winit_tensor_decl *out)
{
	out[0] = (struct winit_tensor_decl){ .name = "kernel",
		                             .rank = 2,
		                             .dims = { winit_shape_elements(in), l->units },
		                             .init = &l->kernel_initializer,
		                             .purpose = WINIT_STREAM_KERNEL };
	if (!l->use_bias)
		return 1;
	out[1] = (struct winit_tensor_decl){ .name = "bias",
		                             .rank = 1,
		                             .dims = { l->units },
		                             .init = &l->bias_initializer,
		                             .purpose = WINIT_STREAM_BIAS };
	return 2;
}

/* Chunk c of n: its share of the output columns (every row) of a column-split layer, else
 * its share of the batch's rows. */
static void dense_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t b0 = 0, b1 = p->n_batch, j0 = 0, j1 = d->n_out;
	if (winit_layer_split_columns(d, n))
		winit_team_share(d->n_out, WINIT_COL_QUANTUM, c, n, &j0, &j1);
	else
		winit_team_share(p->n_batch, WINIT_ROW_QUANTUM, c, n, &b0, &b1);
	int mult = d->out_mult != 1.0f;
	struct winit_out_epilogue ctx = { d, m->a[i] + b0 * d->n_out + j0, j1 - j0, activate,
		                          mult && d->b ? d->b + j0 : NULL };
	struct winit_epilogue ep = { winit_layer_out_epilogue, &ctx };
	winit_dense_forward_block(winit_layer_pre(m, i), winit_pass_input(p, d, 0), d->w, mult ? NULL : d->b,
	                          d->n_in, d->n_out, b0, b1, j0, j1, activate || mult ? &ep : NULL);
}

/* Its rows of din = dz W^T (times the output multiplier). */
static void dense_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	winit_dense_backward_input(dr, dz + r0 * d->n_out, d->w, r1 - r0, d->n_in, d->n_out);
	if (d->out_mult != 1.0f)
		for (int64_t k = 0; k < (r1 - r0) * d->n_in; k++)
			dr[k] *= d->out_mult;
	winit_pass_grad_done(p, i, 0, r0, r1);
}

/* Its block of dW = in^T dz and its entries of db (kernel_ops.c). */
static void dense_param_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_layer *d = &p->m->layer[i];
	winit_layer_kernel_grad(p, i, winit_pass_input(p, d, 0), NULL, p->n_batch, dz, c, n);
}

/* q = fan_in * var_w * E[x^2] (times out_mult^2) + var_b, in the order of float
 * operations the recursion always had. */
static double dense_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                             const struct winit_theory_in *in, int32_t n_in, const double *var,
                             struct winit_theory_out *out)
{
	out->mu = 0;
	(void)n_in;
	double f = (double)d->n_in * var[0];
	if (d->out_mult != 1.0f)
		f *= (double)d->out_mult * d->out_mult;
	return f * in[0].m2 + (l->use_bias ? var[1] : 0.0);
}

/* The gradient reaching the input: fan_out * var_w (times out_mult^2) times dz's. */
static double dense_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                                const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)l;
	(void)k;
	double f = (double)d->n_out * var[0];
	if (d->out_mult != 1.0f)
		f *= (double)d->out_mult * d->out_mult;
	return f;
}

const struct winit_layer_ops winit_layer_dense = {
	.id = WINIT_LAYER_DENSE,
	.name = "Dense",
	.prefix = "dense",
	.min_in = 1,
	.max_in = 1,
	.has_activation = 1,
	.has_kernel = 1,
	.infer = dense_infer,
	.declare = dense_declare,
	.forward = dense_forward,
	.input_grad = dense_input_grad,
	.param_grad = dense_param_grad,
	.theory_q = dense_theory_q,
	.theory_grad = dense_theory_grad,
};
