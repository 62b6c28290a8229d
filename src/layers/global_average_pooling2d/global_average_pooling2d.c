/* src/layers/global_average_pooling2d/global_average_pooling2d.c -- Keras's
 * GlobalAveragePooling2D: each channel's mean over the image, (h, w, c) -> (c); each
 * position's gradient is its channel's over h w. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "layers/kind.h"

static int gap_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                     struct winit_shape *out, char *why, size_t n_why)
{
	(void)l;
	(void)n_in;
	char s[96];
	if (in->rank != 3) {
		snprintf(why, n_why, "GlobalAveragePooling2D needs an input of (height, width, channels), got %s",
		         winit_shape_format(in, s, sizeof s));
		return -1;
	}
	return winit_shape_set(out, 1, &in->dim[2]);
}

static void gap_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, ch = d->n_out, pos = d->n_in / ch;
	winit_pass_rows(p, c, n, &r0, &r1);
	for (int64_t r = r0; r < r1; r++) {
		const float *x = winit_pass_input(p, d, 0) + r * d->n_in;
		float *o = m->a[i] + r * ch;
		memset(o, 0, (size_t)ch * sizeof *o);
		for (int64_t q = 0; q < pos; q++)
			for (int64_t k = 0; k < ch; k++)
				o[k] += x[q * ch + k];
		for (int64_t k = 0; k < ch; k++)
			o[k] /= (float)pos;
	}
}

static void gap_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_layer *d = &p->m->layer[i];
	int64_t r0, r1, ch = d->n_out, pos = d->n_in / ch;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	for (int64_t r = r0; r < r1; r++)
		for (int64_t q = 0; q < pos; q++)
			for (int64_t k = 0; k < ch; k++)
				dr[(r - r0) * d->n_in + q * ch + k] = dz[r * ch + k] / (float)pos;
	winit_pass_grad_done(p, i, 0, r0, r1);
}

/* Theory, positions taken as independent (see average_pooling2d.c): the mean of h w
 * values of mean mu. */
static double gap_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                           const struct winit_theory_in *in, int32_t n_in, const double *var,
                           struct winit_theory_out *out)
{
	(void)l;
	(void)n_in;
	(void)var;
	double mu2 = in[0].mu * in[0].mu, pos = (double)(d->n_in / d->n_out);
	out->mu = in[0].mu;
	return mu2 + (in[0].m2 - mu2) / pos;
}

/* Each value gets 1/(h w) of its channel's gradient. */
static double gap_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                              const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)l;
	(void)k;
	(void)var;
	double pos = (double)(d->n_in / d->n_out);
	return 1.0 / (pos * pos);
}

const struct winit_layer_ops winit_layer_global_average_pooling2d = {
	.id = WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D,
	.name = "GlobalAveragePooling2D",
	.prefix = "global_average_pooling2d",
	.min_in = 1,
	.max_in = 1,
	.infer = gap_infer,
	.forward = gap_forward,
	.input_grad = gap_input_grad,
	.theory_q = gap_theory_q,
	.theory_grad = gap_theory_grad,
};
