/* src/layers/scale/scale.c -- winit's Scale{initializer, per_channel}: y = alpha x with a
 * learnable alpha, one for all values or one per channel (the last axis): enough to write
 * ReZero (x + alpha f(x), alpha = 0 at init), SkipInit, and Fixup's scalar multipliers.
 * Its gradient sums dy x over the batch, per channel (or over everything for one alpha)
 * in one order. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/team.h>

#include "layers/kind.h"

static int scale_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                       int32_t n_in, struct winit_shape *out, char *why, size_t n_why)
{
	(void)l;
	(void)n_in;
	(void)why;
	(void)n_why;
	*out = *in;
	return 0;
}

static int32_t scale_declare(const struct winit_layer_spec *l, const struct winit_shape *in,
                             struct winit_tensor_decl *out)
{
	out[0] = (struct winit_tensor_decl){ .name = "alpha",
		                             .rank = 1,
		                             .dims = { l->per_channel ? in->dim[in->rank - 1] : 1 },
		                             .init = &l->kernel_initializer,
		                             .purpose = WINIT_STREAM_KERNEL };
	return 1;
}

static void scale_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, u = d->units;
	winit_pass_rows(p, c, n, &r0, &r1);
	const float *x = winit_pass_input(p, d, 0), *alpha = d->t[0];
	const int per = m->spec.layers[i].per_channel;
	for (int64_t v = r0 * d->n_out; v < r1 * d->n_out; v++)
		m->a[i][v] = alpha[per ? v % u : 0] * x[v];
}

static void scale_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, u = d->units;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	const float *alpha = d->t[0];
	const int per = m->spec.layers[i].per_channel;
	for (int64_t v = r0 * d->n_out; v < r1 * d->n_out; v++)
		dr[v - r0 * d->n_out] = alpha[per ? v % u : 0] * dz[v];
	winit_pass_grad_done(p, i, 0, r0, r1);
}

static void scale_param_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const struct winit_param_update *up = p->update;
	const int per = m->spec.layers[i].per_channel;
	int64_t u = d->units, rows = p->n_batch * (d->n_out / u), c0, c1;
	winit_team_share(per ? u : 1, 1, c, n, &c0, &c1);
	const float *x = winit_pass_input(p, d, 0);
	for (int64_t k = c0; k < c1; k++) {
		double s = 0;
		if (per)
			for (int64_t r = 0; r < rows; r++)
				s += (double)dz[r * u + k] * x[r * u + k];
		else
			for (int64_t v = 0; v < rows * u; v++)
				s += (double)dz[v] * x[v];
		d->dt[0][k] = (float)s;
	}
	if (up && c1 > c0)
		up->fn(up->ctx, (d->t[0] - m->params) + c0, 1, c1 - c0, c1 - c0, d->lr_mult[0]);
}

/* alpha's mean at initialization: zeros, ones and constant(value) say it; any other
 * initializer is taken as of mean 0 (its spread is var[0]). */
static double alpha_mean(const struct winit_layer_spec *l)
{
	const char *name = l->kernel_initializer.info->name;
	if (strcmp(name, "ones") == 0)
		return 1;
	if (strcmp(name, "constant") == 0)
		return l->kernel_initializer.params[0];
	return 0;
}

static double scale_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                             const struct winit_theory_in *in, int32_t n_in, const double *var,
                             struct winit_theory_out *out)
{
	(void)d;
	(void)n_in;
	double a = alpha_mean(l);
	out->mu = a * in[0].mu;
	return (a * a + var[0]) * in[0].m2;
}

static double scale_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d,
                                int k, const double *var, const struct winit_theory_in *in)
{
	(void)d;
	(void)k;
	(void)in;
	double a = alpha_mean(l);
	return a * a + var[0];
}

static const struct winit_layer_field scale_fields[] = {
	{ "per_channel", WINIT_LAYER_FIELD_INT, offsetof(struct winit_layer_spec, per_channel), 0, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_scale = {
	.id = WINIT_LAYER_SCALE,
	.name = "Scale",
	.prefix = "scale",
	.min_in = 1,
	.max_in = 1,
	.init_names = { "initializer", NULL },
	.fields = scale_fields,
	.infer = scale_infer,
	.declare = scale_declare,
	.forward = scale_forward,
	.input_grad = scale_input_grad,
	.param_grad = scale_param_grad,
	.theory_q = scale_theory_q,
	.theory_grad = scale_theory_grad,
};
