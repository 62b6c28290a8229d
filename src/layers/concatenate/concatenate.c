/* src/layers/concatenate/concatenate.c -- Keras's Concatenate(axis = -1): its inputs
 * joined along the last axis (the other axes equal), in the order given; each input's
 * gradient is its slice of the output's. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <winit/shape.h>

#include "layers/kind.h"

static int concat_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                        int32_t n_in, struct winit_shape *out, char *why, size_t n_why)
{
	int32_t r = in[0].rank;
	if (l->axis != -1 && l->axis != r) {
		snprintf(why, n_why, "only the last axis can be joined (axis -1 or %d), got axis %d", (int)r,
		         (int)l->axis);
		return -1;
	}
	struct winit_shape o = in[0];
	for (int32_t k = 1; k < n_in; k++) {
		int same = in[k].rank == r;
		for (int32_t a = 0; same && a + 1 < r; a++)
			same = in[k].dim[a] == in[0].dim[a];
		if (!same) {
			char s0[96], s1[96];
			snprintf(why, n_why,
			         "inputs must match except on the last axis, got %s (input 1) and %s (input %d)",
			         winit_shape_format(&in[0], s0, sizeof s0), winit_shape_format(&in[k], s1, sizeof s1),
			         (int)k + 1);
			return -1;
		}
		o.dim[r - 1] += in[k].dim[r - 1];
	}
	if (winit_shape_set(out, o.rank, o.dim)) {
		snprintf(why, n_why, "the joined shape is too large");
		return -1;
	}
	return 0;
}

/* The last axis's length of input k (its values per position of the other axes). */
static int64_t last_dim(const struct winit_model *m, const struct winit_layer *d, int k)
{
	int64_t outer = d->n_out / d->shape.dim[d->shape.rank - 1];
	return winit_layer_in_size(m, d, k) / outer;
}

static void concat_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	(void)activate;
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, cols = d->shape.dim[d->shape.rank - 1], outer = d->n_out / cols;
	winit_pass_rows(p, c, n, &r0, &r1);
	int64_t j0 = 0;
	for (int32_t k = 0; k < d->n_src; k++) {
		int64_t ck = last_dim(m, d, k);
		const float *x = winit_pass_input(p, d, k);
		for (int64_t r = r0 * outer; r < r1 * outer; r++)
			memcpy(m->a[i] + r * cols + j0, x + r * ck, (size_t)ck * sizeof(float));
		j0 += ck;
	}
}

static void concat_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	const struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1, cols = d->shape.dim[d->shape.rank - 1], outer = d->n_out / cols;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	int64_t j0 = 0;
	for (int32_t k = 0; k < d->n_src; k++) {
		int64_t ck = last_dim(m, d, k);
		float *dr = winit_pass_grad_dst(p, i, k, r0);
		if (dr) {
			for (int64_t r = 0; r < (r1 - r0) * outer; r++)
				memcpy(dr + r * ck, dz + (r0 * outer + r) * cols + j0, (size_t)ck * sizeof(float));
			winit_pass_grad_done(p, i, k, r0, r1);
		}
		j0 += ck;
	}
}

/* The second moment and mean over the joined values: the inputs' weighted by their
 * sizes. */
static double concat_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                              const struct winit_theory_in *in, int32_t n_in, const double *var,
                              struct winit_theory_out *out)
{
	(void)l;
	(void)var;
	(void)d;
	double q = 0, mu = 0, n = 0;
	for (int32_t k = 0; k < n_in; k++) {
		q += in[k].m2 * (double)in[k].size;
		mu += in[k].mu * (double)in[k].size;
		n += (double)in[k].size;
	}
	out->mu = mu / n;
	return q / n;
}

/* The axis joined: -1 (the last) or its 1-based number, the batch axis being 0 as in
 * Keras (infer accepts only the last). */
static const struct winit_layer_field concat_fields[] = {
	{ "axis", WINIT_LAYER_FIELD_INT, offsetof(struct winit_layer_spec, axis), -1, WINIT_MAX_RANK, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_concatenate = {
	.id = WINIT_LAYER_CONCATENATE,
	.name = "Concatenate",
	.prefix = "concatenate",
	.min_in = 2,
	.max_in = 0,
	.fields = concat_fields,
	.infer = concat_infer,
	.forward = concat_forward,
	.input_grad = concat_input_grad,
	.theory_q = concat_theory_q,
	.theory_grad = winit_layer_theory_grad_same,
};
