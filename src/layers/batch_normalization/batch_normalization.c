/* src/layers/batch_normalization/batch_normalization.c -- Keras's BatchNormalization
 * (axis -1): in training each channel is normalized with the batch's mean and biased
 * variance (over the examples, and every position after a convolution), y = gamma x^ +
 * beta with x^ = (x - mean) / sqrt(var + epsilon), and the moving statistics follow,
 * moving = momentum moving + (1 - momentum) batch; in inference the moving statistics
 * normalize.  Tensors in Keras's order: gamma, beta, moving_mean (0), moving_variance (1),
 * the last two not trained.  The diagnostics' probe (WINIT_PASS_PROBE) sees what training
 * sees, the batch's statistics, and updates nothing.
 *
 * The batch's statistics and, backward, the sums of dy and dy x^ per channel are a phase
 * of their own (forward_prepare, backward_prepare) split by channels, each summed over the
 * batch in one order; the normalization and the input's gradient split the examples:
 * the same bits for any team. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/team.h>

#include "layers/kind.h"

static int bn_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                    struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	if (!(l->momentum >= 0 && l->momentum <= 1) || !(l->epsilon > 0)) {
		snprintf(why, n_why, "momentum must be in [0, 1] and epsilon positive, got %g and %g",
		         l->momentum, l->epsilon);
		return -1;
	}
	*out = *in;
	return 0;
}

static int32_t bn_declare(const struct winit_layer_spec *l, const struct winit_shape *in,
                          struct winit_tensor_decl *out)
{
	int64_t c = in->dim[in->rank - 1];
	winit_layer_norm_declare(l, in, out);
	out[2] = (struct winit_tensor_decl){ .name = "moving_mean", .rank = 1, .dims = { c }, .constant = 0, .frozen = 1 };
	out[3] = (struct winit_tensor_decl){ .name = "moving_variance", .rank = 1, .dims = { c }, .constant = 1, .frozen = 1 };
	return 4;
}

/* x^ per example (work); per channel the pass's mean, variance, 1/sqrt(var + eps), and
 * backward the sums of dy and dy x^ (scratch). */
static int64_t bn_work(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	return d->n_out;
}

static int64_t bn_scratch(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	return 5 * d->units;
}

enum { MEAN,
       VAR,
       INV,
       SUM_DY,
       SUM_DYX };

static float *stat(const struct winit_model *m, int i, int which)
{
	const struct winit_layer *d = &m->layer[i];
	return m->work[i] + m->cap_batch * d->n_out + which * d->units;
}

/* The batch's rows of channels [c0, c1): the examples times the positions. */
static int64_t rows_of(const struct winit_pass *p, const struct winit_layer *d)
{
	return p->n_batch * (d->n_out / d->units);
}

static void bn_forward_prepare(const struct winit_pass *p, int i, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const struct winit_layer_spec *l = &m->spec.layers[i];
	int64_t c0, c1, u = d->units, rows = rows_of(p, d);
	winit_team_share(u, 1, c, n, &c0, &c1);
	float *mean = stat(m, i, MEAN), *var = stat(m, i, VAR), *inv = stat(m, i, INV);
	const float *x = winit_pass_input(p, d, 0);
	for (int64_t k = c0; k < c1; k++) {
		if (m->training == WINIT_PASS_INFERENCE) {
			mean[k] = d->t[2][k];
			var[k] = d->t[3][k];
		} else {
			double s = 0, ss = 0;
			for (int64_t r = 0; r < rows; r++)
				s += x[r * u + k];
			double mu = s / (double)rows;
			for (int64_t r = 0; r < rows; r++) {
				double e = x[r * u + k] - mu;
				ss += e * e;
			}
			mean[k] = (float)mu;
			var[k] = (float)(ss / (double)rows);
			const float mom = (float)l->momentum;
			if (m->training == WINIT_PASS_TRAIN) {
				d->t[2][k] = mom * d->t[2][k] + (1 - mom) * mean[k];
				d->t[3][k] = mom * d->t[3][k] + (1 - mom) * var[k];
			}
		}
		inv[k] = (float)(1.0 / sqrt((double)var[k] + l->epsilon));
	}
}

static void bn_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, u = d->units, pos = d->n_out / u;
	winit_pass_rows(p, c, n, &r0, &r1);
	const float *x = winit_pass_input(p, d, 0), *mean = stat(m, i, MEAN), *inv = stat(m, i, INV);
	const float *gamma = d->t[0], *beta = d->t[1];
	float *xh = m->work[i], *y = m->a[i];
	for (int64_t r = r0 * pos; r < r1 * pos; r++)
		for (int64_t k = 0; k < u; k++) {
			float h = (x[r * u + k] - mean[k]) * inv[k];
			xh[r * u + k] = h;
			y[r * u + k] = gamma[k] * h + beta[k];
		}
}

static void bn_backward_prepare(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t c0, c1, u = d->units, rows = rows_of(p, d);
	winit_team_share(u, 1, c, n, &c0, &c1);
	const float *xh = m->work[i];
	float *sdy = stat(m, i, SUM_DY), *sdyx = stat(m, i, SUM_DYX);
	for (int64_t k = c0; k < c1; k++) {
		double s = 0, sx = 0;
		for (int64_t r = 0; r < rows; r++) {
			s += dz[r * u + k];
			sx += (double)dz[r * u + k] * xh[r * u + k];
		}
		sdy[k] = (float)s;
		sdyx[k] = (float)sx;
		d->dt[0][k] = sdyx[k]; /* dL/dgamma */
		d->dt[1][k] = sdy[k];  /* dL/dbeta */
	}
}

/* Training: dx = gamma inv (dy - sum dy / N - x^ sum dy x^ / N); inference: the moving
 * statistics are constants, dx = gamma inv dy. */
static void bn_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, u = d->units, pos = d->n_out / u;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	const float *xh = m->work[i], *inv = stat(m, i, INV), *sdy = stat(m, i, SUM_DY),
		    *sdyx = stat(m, i, SUM_DYX), *gamma = d->t[0];
	const float rn = 1.0f / (float)rows_of(p, d);
	for (int64_t r = r0 * pos, o = 0; r < r1 * pos; r++)
		for (int64_t k = 0; k < u; k++, o++) {
			float g = dz[r * u + k];
			if (m->training != WINIT_PASS_INFERENCE)
				g = g - sdy[k] * rn - xh[r * u + k] * sdyx[k] * rn;
			dr[o] = gamma[k] * inv[k] * g;
		}
	winit_pass_grad_done(p, i, 0, r0, r1);
}

/* gamma's and beta's updates, channels split as in the preparation. */
static void bn_param_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	(void)dz;
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const struct winit_param_update *u = p->update;
	int64_t c0, c1;
	winit_team_share(d->units, 1, c, n, &c0, &c1);
	if (!u || c1 <= c0)
		return;
	for (int t = 0; t < 2; t++)
		u->fn(u->ctx, (d->t[t] - m->params) + c0, 1, c1 - c0, c1 - c0, d->lr_mult[t]);
}

/* Keras's momentum and epsilon (bn_infer refuses what Keras refuses). */
static const struct winit_layer_field bn_fields[] = {
	{ "momentum", WINIT_LAYER_FIELD_REAL, offsetof(struct winit_layer_spec, momentum), 0, 1, 0, NULL },
	{ "epsilon", WINIT_LAYER_FIELD_REAL, offsetof(struct winit_layer_spec, epsilon), 0, INT32_MAX, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_batch_normalization = {
	.id = WINIT_LAYER_BATCH_NORMALIZATION,
	.name = "BatchNormalization",
	.prefix = "batch_normalization",
	.min_in = 1,
	.max_in = 1,
	.init_names = { "gamma_initializer", "beta_initializer" },
	.fields = bn_fields,
	.infer = bn_infer,
	.declare = bn_declare,
	.work = bn_work,
	.scratch = bn_scratch,
	.forward_prepare = bn_forward_prepare,
	.forward = bn_forward,
	.backward_prepare = bn_backward_prepare,
	.input_grad = bn_input_grad,
	.param_grad = bn_param_grad,
	.theory_q = winit_layer_norm_theory_q,
	.theory_grad = winit_layer_norm_theory_grad,
};
