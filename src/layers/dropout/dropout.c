/* src/layers/dropout/dropout.c -- Keras's Dropout(rate): in a training pass each value is
 * kept with probability 1 - rate and scaled by 1 / (1 - rate) (inverted dropout), else
 * 0; in inference the identity.  The mask of example r of step t is drawn from its own
 * stream (WINIT_STREAM_DROPOUT of the layer, t and r: winit/stream.h), so it is the same
 * whatever thread draws it; the backward pass multiplies by the mask it kept. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <winit/stream.h>

#include "layers/kind.h"

static int dropout_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                         int32_t n_in, struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	if (!(l->rate >= 0 && l->rate < 1)) {
		snprintf(why, n_why, "rate must be in [0, 1), got %g", l->rate);
		return -1;
	}
	*out = *in;
	return 0;
}

static int64_t dropout_work(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	return d->n_out; /* the mask */
}

static void dropout_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const double rate = m->spec.layers[i].rate;
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	const float *x = winit_pass_input(p, d, 0);
	if (m->training != WINIT_PASS_TRAIN || rate == 0) {
		memcpy(m->a[i] + r0 * d->n_out, x + r0 * d->n_out, (size_t)((r1 - r0) * d->n_out) * sizeof(float));
		return;
	}
	const float scale = (float)(1.0 / (1.0 - rate));
	enum { GROUP = 8 }; /* rows whose streams draw side by side */
	for (int64_t g0 = r0; g0 < r1; g0 += GROUP) {
		const int64_t g1 = g0 + GROUP < r1 ? g0 + GROUP : r1;
		struct winit_rng rng[GROUP];
		for (int64_t r = g0; r < g1; r++)
			winit_stream_open_at(&rng[r - g0], m->seed, WINIT_STREAM_DROPOUT, (uint32_t)i,
			                     (uint64_t)m->step, (uint64_t)r);
		winit_rng_keep_mask_rows(rng, g1 - g0, m->work[i] + g0 * d->n_out, d->n_out, d->n_out,
		                         rate, scale);
	}
	const float *mask = m->work[i] + r0 * d->n_out;
	const float *xs = x + r0 * d->n_out;
	float *y = m->a[i] + r0 * d->n_out;
	for (int64_t k = 0; k < (r1 - r0) * d->n_out; k++)
		y[k] = xs[k] * mask[k];
}

static void dropout_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	int64_t len = (r1 - r0) * d->n_out;
	const float *g = dz + r0 * d->n_out;
	if (m->training != WINIT_PASS_TRAIN || m->spec.layers[i].rate == 0) {
		memcpy(dr, g, (size_t)len * sizeof *dr);
	} else {
		const float *mask = m->work[i] + r0 * d->n_out;
		for (int64_t k = 0; k < len; k++)
			dr[k] = g[k] * mask[k];
	}
	winit_pass_grad_done(p, i, 0, r0, r1);
}

static const struct winit_layer_field dropout_fields[] = {
	{ "rate", WINIT_LAYER_FIELD_REAL, offsetof(struct winit_layer_spec, rate), 0, 1, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_dropout = {
	.id = WINIT_LAYER_DROPOUT,
	.name = "Dropout",
	.prefix = "dropout",
	.min_in = 1,
	.max_in = 1,
	.fields = dropout_fields,
	.infer = dropout_infer,
	.work = dropout_work,
	.forward = dropout_forward,
	.input_grad = dropout_input_grad,
	.theory_q = winit_layer_theory_same,
	.theory_grad = winit_layer_theory_grad_same,
};
