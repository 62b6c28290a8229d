/* src/layers/average_pooling2d/average_pooling2d.c -- Keras's AveragePooling2D: each
 * window's mean per channel, over its real values only with "same" padding (BRIEF); the
 * backward pass spreads each output's gradient over them, outputs in order. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "layers/kind.h"
#include "layers/pool.h"
#include "layers/window.h"

static int avg_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                     struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	return winit_pool_infer(l, in, "AveragePooling2D", out, why, n_why);
}

/* Output (oy, ox)'s window: its rows [y0, y1) and columns [x0, x1) inside the image. */
static void window(const struct winit_pool *g, int64_t oy, int64_t ox, int64_t *y0, int64_t *y1,
                   int64_t *x0, int64_t *x1)
{
	*y0 = oy * g->sh - g->top;
	*y1 = *y0 + g->ph;
	*x0 = ox * g->sw - g->left;
	*x1 = *x0 + g->pw;
	*y0 = *y0 < 0 ? 0 : *y0;
	*x0 = *x0 < 0 ? 0 : *x0;
	*y1 = *y1 > g->h ? g->h : *y1;
	*x1 = *x1 > g->w ? g->w : *x1;
}

static void pool_of(const struct winit_model *m, int i, struct winit_pool *g)
{
	char why[8];
	winit_pool_geometry(&m->spec.layers[i], &m->layer[i].in_shape, "", g, why, sizeof why);
}

static void avg_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	struct winit_pool g;
	pool_of(m, i, &g);
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	for (int64_t r = r0; r < r1; r++) {
		const float *x = winit_pass_input(p, d, 0) + r * d->n_in;
		float *out = m->a[i] + r * d->n_out;
		for (int64_t oy = 0; oy < g.oh; oy++)
			for (int64_t ox = 0; ox < g.ow; ox++) {
				int64_t y0, y1, x0, x1;
				window(&g, oy, ox, &y0, &y1, &x0, &x1);
				float *o = out + (oy * g.ow + ox) * g.c;
				memset(o, 0, (size_t)g.c * sizeof *o);
				for (int64_t yy = y0; yy < y1; yy++)
					for (int64_t xx = x0; xx < x1; xx++)
						for (int64_t ch = 0; ch < g.c; ch++)
							o[ch] += x[(yy * g.w + xx) * g.c + ch];
				float count = (float)((y1 - y0) * (x1 - x0));
				for (int64_t ch = 0; ch < g.c; ch++)
					o[ch] /= count;
			}
	}
}

static void avg_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	struct winit_pool g;
	pool_of(m, i, &g);
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	for (int64_t r = r0; r < r1; r++) {
		float *dx = dr + (r - r0) * d->n_in;
		const float *gz = dz + r * d->n_out;
		memset(dx, 0, (size_t)d->n_in * sizeof *dx);
		for (int64_t oy = 0; oy < g.oh; oy++)
			for (int64_t ox = 0; ox < g.ow; ox++) {
				int64_t y0, y1, x0, x1;
				window(&g, oy, ox, &y0, &y1, &x0, &x1);
				float count = (float)((y1 - y0) * (x1 - x0));
				const float *o = gz + (oy * g.ow + ox) * g.c;
				for (int64_t yy = y0; yy < y1; yy++)
					for (int64_t xx = x0; xx < x1; xx++)
						for (int64_t ch = 0; ch < g.c; ch++)
							dx[(yy * g.w + xx) * g.c + ch] += o[ch] / count;
			}
	}
	winit_pass_grad_done(p, i, 0, r0, r1);
}

/* Theory, positions taken as independent (a convolution's neighbouring outputs share
 * inputs and are correlated: then the true second moment is larger): a mean of k values
 * of mean mu has E[x^2] = mu^2 + (m2 - mu^2) / k, averaged over the windows. */
static double avg_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                           const struct winit_theory_in *in, int32_t n_in, const double *var,
                           struct winit_theory_out *out)
{
	(void)n_in;
	(void)var;
	struct winit_pool g;
	char why[8];
	if (winit_pool_geometry(l, &d->in_shape, "", &g, why, sizeof why))
		return NAN;
	double m2 = 0, mu2 = in[0].mu * in[0].mu;
	for (int64_t oy = 0; oy < g.oh; oy++)
		for (int64_t ox = 0; ox < g.ow; ox++)
			m2 += mu2 + (in[0].m2 - mu2) / (double)winit_pool_count(&g, oy, ox);
	out->mu = in[0].mu;
	return m2 / (double)(g.oh * g.ow);
}

/* An input value gets 1/k of each of its windows' gradients. */
static double avg_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                              const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)k;
	(void)var;
	struct winit_pool g;
	char why[8];
	if (winit_pool_geometry(l, &d->in_shape, "", &g, why, sizeof why))
		return NAN;
	double s = 0;
	for (int64_t oy = 0; oy < g.oh; oy++)
		for (int64_t ox = 0; ox < g.ow; ox++) {
			double c = (double)winit_pool_count(&g, oy, ox);
			s += c / (c * c); /* c inputs, each (1/c)^2 */
		}
	return s / (double)(g.h * g.w);
}

const struct winit_layer_ops winit_layer_average_pooling2d = {
	.id = WINIT_LAYER_AVERAGE_POOLING2D,
	.name = "AveragePooling2D",
	.prefix = "average_pooling2d",
	.min_in = 1,
	.max_in = 1,
	.fields = winit_pool_fields,
	.infer = avg_infer,
	.forward = avg_forward,
	.input_grad = avg_input_grad,
	.theory_q = avg_theory_q,
	.theory_grad = avg_theory_grad,
};
