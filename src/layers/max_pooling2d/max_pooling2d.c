/* src/layers/max_pooling2d/max_pooling2d.c -- Keras's MaxPooling2D: each window's largest
 * value per channel (the padding of "same" never wins).  The forward pass keeps, per
 * output, which input won (the first in the window's row-major order on a tie); the
 * backward pass adds each output's gradient there, outputs in order. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/plugin_util.h> /* WINIT_HOT */

#include "layers/kind.h"
#include "layers/pool.h"
#include "layers/window.h"
#include "theory/theory_internal.h"

static int max_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                     struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	return winit_pool_infer(l, in, "MaxPooling2D", out, why, n_why);
}

/* The winners: one index per output value, stored in the layer's work buffer. */
static int64_t max_work(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	return d->n_out;
}

static void pool_of(const struct winit_model *m, int i, struct winit_pool *g)
{
	const struct winit_layer *d = &m->layer[i];
	char why[8];
	winit_pool_geometry(&m->spec.layers[i], &d->in_shape, "", g, why, sizeof why);
}

/* One tap of a window over all channels: the first sets each channel's best, a later one
 * replaces it where strictly larger (a select, not a branch: vectorized). */
static inline void max_tap(float *restrict best, int32_t *restrict arg, const float *restrict xt, int32_t at,
                    int64_t c, int first)
{
	if (first) {
		for (int64_t ch = 0; ch < c; ch++) {
			best[ch] = xt[ch];
			arg[ch] = at + (int32_t)ch;
		}
		return;
	}
	for (int64_t ch = 0; ch < c; ch++) {
		const int32_t better = -(int32_t)(xt[ch] > best[ch]); /* all ones or zero */
		best[ch] = better ? xt[ch] : best[ch];
		arg[ch] = (better & (at + (int32_t)ch)) | (~better & arg[ch]);
	}
}

/* One example: per output position, the window's taps in row-major order, each over all
 * channels at once: a tap replaces a channel's best only when strictly larger (the first
 * wins a tie, NaN never replaces), without a branch per value.  Compiled for each vector
 * width (WINIT_HOT): a select is exact, so every clone keeps the same winners. */
WINIT_HOT static void max_example(float *restrict y, int32_t *restrict arg, const float *restrict x,
                                  const struct winit_pool *g)
{
	for (int64_t oy = 0; oy < g->oh; oy++)
		for (int64_t ox = 0; ox < g->ow; ox++) {
			float *yo = y + (oy * g->ow + ox) * g->c;
			int32_t *ao = arg + (oy * g->ow + ox) * g->c;
			int first = 1;
			for (int64_t ky = 0; ky < g->ph; ky++) {
				int64_t yy = winit_window_tap(oy, ky, g->sh, 1, g->top, g->h, 0);
				for (int64_t kx = 0; kx < g->pw && yy >= 0; kx++) {
					int64_t xx = winit_window_tap(ox, kx, g->sw, 1, g->left, g->w, 0);
					if (xx < 0)
						continue;
					const int32_t at = (int32_t)((yy * g->w + xx) * g->c);
					max_tap(yo, ao, x + at, at, g->c, first);
					first = 0;
				}
			}
		}
}

static void max_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	struct winit_pool g;
	pool_of(m, i, &g);
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	for (int64_t r = r0; r < r1; r++)
		max_example(m->a[i] + r * d->n_out, (int32_t *)m->work[i] + r * d->n_out,
		            winit_pass_input(p, d, 0) + r * d->n_in, &g);
}

/* Whether the windows tile the input exactly (strides equal to the pool size, no padding,
 * nothing left over): every input value is then in one window, the case max_grad_tiled
 * writes without clearing first. */
static int tiles(const struct winit_pool *g)
{
	return g->sh == g->ph && g->sw == g->pw && g->top == 0 && g->left == 0 &&
	       g->oh * g->ph == g->h && g->ow * g->pw == g->w;
}

/* One example's input gradient when the windows tile the input: each input value is its
 * window's output gradient where it won, else 0, written once (0 + g, as the clear and
 * the add of the general case give, a -0 gradient included).  Compiled for each vector
 * width (WINIT_HOT): selects, the same bits on every clone. */
WINIT_HOT static void max_grad_tiled(float *restrict dx, const float *restrict g,
                                     const int32_t *restrict arg, const struct winit_pool *p)
{
	const int64_t c = p->c;
	for (int64_t oy = 0; oy < p->oh; oy++)
		for (int64_t ox = 0; ox < p->ow; ox++) {
			const float *go = g + (oy * p->ow + ox) * c;
			const int32_t *ao = arg + (oy * p->ow + ox) * c;
			for (int64_t ky = 0; ky < p->ph; ky++)
				for (int64_t kx = 0; kx < p->pw; kx++) {
					const int32_t at = (int32_t)((((oy * p->ph + ky) * p->w) + ox * p->pw + kx) * c);
					float *t = dx + at;
					for (int64_t ch = 0; ch < c; ch++)
						t[ch] = ao[ch] == at + (int32_t)ch ? 0.0f + go[ch] : 0.0f;
				}
		}
}

static void max_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	struct winit_pool pool;
	pool_of(m, i, &pool);
	const int tiled = tiles(&pool);
	for (int64_t r = r0; r < r1; r++) {
		float *dx = dr + (r - r0) * d->n_in;
		const float *g = dz + r * d->n_out;
		const int32_t *arg = (const int32_t *)m->work[i] + r * d->n_out;
		if (tiled) {
			max_grad_tiled(dx, g, arg, &pool);
		} else {
			memset(dx, 0, (size_t)d->n_in * sizeof *dx);
			for (int64_t o = 0; o < d->n_out; o++)
				dx[arg[o]] += g[o];
		}
		/* Row by row: the input layer's activation backward reads the row while it is
		 * still in cache (a batch of a conv layer's outputs is not). */
		winit_pass_grad_done(p, i, 0, r, r + 1);
	}
}

/* Theory: its input f(z) per value with z ~ N(0, q) independent (an activation's output,
 * positions taken as independent), f non-decreasing so the max of f(z_i) is f(max z_i):
 * E[f(sqrt(q) M_k)^2] and E[f(sqrt(q) M_k)] for M_k the max of a window's k values,
 * averaged over the windows. */
static double max_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                           const struct winit_theory_in *in, int32_t n_in, const double *var,
                           struct winit_theory_out *out)
{
	(void)n_in;
	(void)var;
	struct winit_pool g;
	char why[8];
	if (winit_pool_geometry(l, &d->in_shape, "", &g, why, sizeof why))
		return NAN;
	if (!in[0].act) {
		snprintf(out->why, sizeof out->why,
		         "its input is not an activation's output, and the max of values of unknown "
		         "distribution has no prediction");
		return NAN;
	}
	double m2 = 0, mu = 0;
	for (int64_t oy = 0; oy < g.oh; oy++)
		for (int64_t ox = 0; ox < g.ow; ox++) {
			int64_t k = winit_pool_count(&g, oy, ox);
			m2 += winit_gauss_max_moment_checked(in[0].act, in[0].act_params, in[0].q, 2, k,
			                                     out->fault, sizeof out->fault);
			mu += winit_gauss_max_moment_checked(in[0].act, in[0].act_params, in[0].q, 1, k,
			                                     out->fault, sizeof out->fault);
		}
	double n = (double)(g.oh * g.ow);
	out->mu = mu / n;
	return m2 / n;
}

/* Each output's gradient reaches one input: an input value's variance is the output's
 * times outputs per input. */
static double max_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                              const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)l;
	(void)k;
	(void)var;
	return (double)d->n_out / (double)d->n_in;
}

const struct winit_layer_ops winit_layer_max_pooling2d = {
	.id = WINIT_LAYER_MAX_POOLING2D,
	.name = "MaxPooling2D",
	.prefix = "max_pooling2d",
	.min_in = 1,
	.max_in = 1,
	.fields = winit_pool_fields,
	.infer = max_infer,
	.work = max_work,
	.forward = max_forward,
	.input_grad = max_input_grad,
	.theory_q = max_theory_q,
	.theory_grad = max_theory_grad,
};
