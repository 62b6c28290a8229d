/* src/layers/add/add.c -- Keras's Add: the sum of its inputs (all of one shape), summed
 * in the order they were given, so the bits are the same whoever computes a row.  The
 * gradient of each input is the output's. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <winit/shape.h>

#include "layers/kind.h"

static int add_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                     struct winit_shape *out, char *why, size_t n_why)
{
	(void)l;
	for (int32_t k = 1; k < n_in; k++)
		if (!winit_shape_equal(&in[k], &in[0])) {
			char a[96], b[96];
			snprintf(why, n_why, "inputs must have the same shape, got %s (input 1) and %s (input %d)",
			         winit_shape_format(&in[0], a, sizeof a), winit_shape_format(&in[k], b, sizeof b),
			         (int)k + 1);
			return -1;
		}
	*out = in[0];
	return 0;
}

static void add_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	int64_t off = r0 * d->n_out, len = (r1 - r0) * d->n_out;
	float *out = p->m->a[i] + off;
	memcpy(out, winit_pass_input(p, d, 0) + off, (size_t)len * sizeof *out);
	for (int32_t k = 1; k < d->n_src; k++) {
		const float *x = winit_pass_input(p, d, k) + off;
		for (int64_t j = 0; j < len; j++)
			out[j] += x[j];
	}
}

static void add_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	for (int32_t k = 0; k < d->n_src; k++) {
		float *dr = winit_pass_grad_dst(p, i, k, r0);
		if (!dr)
			continue;
		memcpy(dr, dz + r0 * d->n_out, (size_t)((r1 - r0) * d->n_out) * sizeof(float));
		winit_pass_grad_done(p, i, k, r0, r1);
	}
}

/* Inputs independent at initialization: E[(sum x_k)^2] = sum E[x_k^2] + 2 sum_{j<k}
 * mu_j mu_k (a residual stream of ReLU outputs has a mean). */
static double add_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                           const struct winit_theory_in *in, int32_t n_in, const double *var,
                           struct winit_theory_out *out)
{
	(void)l;
	(void)d;
	(void)var;
	double q = 0, mu = 0;
	for (int32_t k = 0; k < n_in; k++) {
		q += in[k].m2 + 2 * mu * in[k].mu;
		mu += in[k].mu;
	}
	out->mu = mu;
	return q;
}

const struct winit_layer_ops winit_layer_add = {
	.id = WINIT_LAYER_ADD,
	.name = "Add",
	.prefix = "add",
	.min_in = 2,
	.max_in = 0,
	.infer = add_infer,
	.forward = add_forward,
	.input_grad = add_input_grad,
	.theory_q = add_theory_q,
	.theory_grad = winit_layer_theory_grad_same,
};
