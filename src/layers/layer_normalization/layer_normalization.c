/* src/layers/layer_normalization/layer_normalization.c -- Keras's LayerNormalization
 * (axis -1, epsilon 1e-3 by default): each example's values along the last axis (at each
 * position) normalized with their own mean and biased variance, y = gamma x^ + beta, gamma
 * and beta per feature.  Rows are independent, so the forward pass and the input's
 * gradient split the examples; gamma's and beta's gradients sum every row in one order,
 * split by features. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/team.h>

#include "layers/kind.h"

static int ln_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                    struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	if (!(l->epsilon > 0)) {
		snprintf(why, n_why, "epsilon must be positive, got %g", l->epsilon);
		return -1;
	}
	*out = *in;
	return 0;
}

/* x^ per value and 1/sqrt(var + eps) per position. */
static int64_t ln_work(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	return d->n_out + d->n_out / d->units;
}

static float *inv_of(const struct winit_model *m, int i, int64_t r)
{
	const struct winit_layer *d = &m->layer[i];
	return m->work[i] + m->cap_batch * d->n_out + r * (d->n_out / d->units);
}

static void ln_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const double eps = m->spec.layers[i].epsilon;
	int64_t r0, r1, u = d->units, pos = d->n_out / u;
	winit_pass_rows(p, c, n, &r0, &r1);
	const float *x = winit_pass_input(p, d, 0), *gamma = d->t[0], *beta = d->t[1];
	float *xh = m->work[i], *y = m->a[i], *inv = inv_of(m, i, 0);
	for (int64_t r = r0 * pos; r < r1 * pos; r++) {
		const float *xr = x + r * u;
		double s = 0, ss = 0;
		for (int64_t k = 0; k < u; k++)
			s += xr[k];
		double mu = s / (double)u;
		for (int64_t k = 0; k < u; k++)
			ss += (xr[k] - mu) * (xr[k] - mu);
		inv[r] = (float)(1.0 / sqrt(ss / (double)u + eps));
		for (int64_t k = 0; k < u; k++) {
			float h = (float)(xr[k] - mu) * inv[r];
			xh[r * u + k] = h;
			y[r * u + k] = gamma[k] * h + beta[k];
		}
	}
}

/* dx = inv (g - mean g - x^ mean(g x^)), g = gamma dy, per row. */
static void ln_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, u = d->units, pos = d->n_out / u;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	const float *xh = m->work[i], *inv = inv_of(m, i, 0), *gamma = d->t[0];
	for (int64_t r = r0 * pos; r < r1 * pos; r++) {
		double sg = 0, sgx = 0;
		for (int64_t k = 0; k < u; k++) {
			double g = (double)gamma[k] * dz[r * u + k];
			sg += g;
			sgx += g * xh[r * u + k];
		}
		float mg = (float)(sg / (double)u), mgx = (float)(sgx / (double)u);
		float *o = dr + (r - r0 * pos) * u;
		for (int64_t k = 0; k < u; k++)
			o[k] = inv[r] * (gamma[k] * dz[r * u + k] - mg - xh[r * u + k] * mgx);
	}
	winit_pass_grad_done(p, i, 0, r0, r1);
}

/* dgamma = sum dy x^, dbeta = sum dy over every row, features split; then the updates. */
static void ln_param_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const struct winit_param_update *u = p->update;
	int64_t c0, c1, w = d->units, rows = p->n_batch * (d->n_out / w);
	winit_team_share(w, 1, c, n, &c0, &c1);
	const float *xh = m->work[i];
	for (int64_t k = c0; k < c1; k++) {
		double sg = 0, sb = 0;
		for (int64_t r = 0; r < rows; r++) {
			sg += (double)dz[r * w + k] * xh[r * w + k];
			sb += dz[r * w + k];
		}
		d->dt[0][k] = (float)sg;
		d->dt[1][k] = (float)sb;
	}
	if (u && c1 > c0)
		for (int t = 0; t < 2; t++)
			u->fn(u->ctx, (d->t[t] - m->params) + c0, 1, c1 - c0, c1 - c0, d->lr_mult[t]);
}

static const struct winit_layer_field ln_fields[] = {
	{ "epsilon", WINIT_LAYER_FIELD_REAL, offsetof(struct winit_layer_spec, epsilon), 0, INT32_MAX, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_layer_normalization = {
	.id = WINIT_LAYER_LAYER_NORMALIZATION,
	.name = "LayerNormalization",
	.prefix = "layer_normalization",
	.min_in = 1,
	.max_in = 1,
	.init_names = { "gamma_initializer", "beta_initializer" },
	.fields = ln_fields,
	.infer = ln_infer,
	.declare = winit_layer_norm_declare,
	.work = ln_work,
	.forward = ln_forward,
	.input_grad = ln_input_grad,
	.param_grad = ln_param_grad,
	.theory_q = winit_layer_norm_theory_q,
	.theory_grad = winit_layer_norm_theory_grad,
};
