/* src/layers/shape_ops.c -- what the kinds that only move values share (Flatten,
 * Reshape): channels-last data is laid out the same whatever its shape, so the forward
 * pass copies the input's rows and the backward pass copies the gradient's back; the
 * theory passes the second moment through unchanged. */
#include "config.h"

#include <string.h>

#include <winit/team.h>

#include "layers/kind.h"

void winit_layer_copy_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 > r0)
		memcpy(p->m->a[i] + r0 * d->n_out, winit_pass_input(p, d, 0) + r0 * d->n_out,
		       (size_t)((r1 - r0) * d->n_out) * sizeof(float));
}

void winit_layer_copy_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	memcpy(dr, dz + r0 * d->n_out, (size_t)((r1 - r0) * d->n_out) * sizeof(float));
	winit_pass_grad_done(p, i, 0, r0, r1);
}

double winit_layer_theory_same(const struct winit_layer_spec *l, const struct winit_layer *d,
                               const struct winit_theory_in *in, int32_t n_in, const double *var,
                               struct winit_theory_out *out)
{
	(void)l;
	(void)d;
	(void)n_in;
	(void)var;
	out->mu = in[0].mu;
	return in[0].m2;
}

double winit_layer_theory_grad_same(const struct winit_layer_spec *l, const struct winit_layer *d,
                                    int k, const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)l;
	(void)d;
	(void)k;
	(void)var;
	return 1.0;
}
