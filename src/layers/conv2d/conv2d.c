/* src/layers/conv2d/conv2d.c -- Keras's Conv2D on channels-last images: kernel (kh, kw,
 * cin, filters), strides, dilation_rate, padding "valid" or "same" (and "circular", the
 * image wrapped around: Xiao et al. 2018's), z = patches(x) W + b, a = activation(z) over
 * the channels.
 *
 * Through the kernel matrix (src/layers/kernel_ops.c): each example's patches are the rows
 * of a (positions, kh*kw*cin) matrix (im2col), made in m->work[i] a chunk at a time; the
 * forward product is Dense's on those rows, the kernel's gradient Dense's over all the
 * batch's positions (the patches made again block by block as it runs, or with a team
 * kept from the forward pass: keeps_patches), the input's gradient Dense's input product
 * followed by col2im, each example's patches added back in one fixed order.  The team splits the batch's examples:
 * the same bits for any team. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <winit/kernels.h>
#include <winit/plugin_util.h> /* WINIT_HOT */
#include <winit/shape.h>
#include <winit/team.h>

#include "layers/kind.h"
#include "layers/window.h"

/* Where a layer's kernel meets its input. */
struct geom {
	int64_t h, w, c; /* input */
	int64_t kh, kw, sh, sw, dh, dw;
	int64_t oh, ow, f; /* output */
	int64_t top, left; /* padding before */
	int circular;
};

static int geometry(const struct winit_layer_spec *l, const struct winit_shape *in, struct geom *g,
                    char *why, size_t n_why)
{
	char s[96];
	if (in->rank != 3) {
		snprintf(why, n_why,
		         "Conv2D needs an input of (height, width, channels), got %s (for images "
		         "without a channel axis, add Reshape{target_shape = {h, w, 1}})",
		         winit_shape_format(in, s, sizeof s));
		return -1;
	}
	if (l->units < 1 || l->kernel_size[0] < 1 || l->kernel_size[1] < 1 || l->strides[0] < 1 ||
	    l->strides[1] < 1 || l->dilation[0] < 1 || l->dilation[1] < 1 ||
	    l->padding < WINIT_PADDING_VALID || l->padding > WINIT_PADDING_CIRCULAR) {
		snprintf(why, n_why,
		         "filters, kernel_size, strides and dilation_rate must be positive and padding "
		         "valid, same or circular");
		return -1;
	}
	if ((l->strides[0] > 1 || l->strides[1] > 1) && (l->dilation[0] > 1 || l->dilation[1] > 1)) {
		snprintf(why, n_why, "strides > 1 and dilation_rate > 1 cannot be combined (as in Keras)");
		return -1;
	}
	*g = (struct geom){ .h = in->dim[0], .w = in->dim[1], .c = in->dim[2], .kh = l->kernel_size[0], .kw = l->kernel_size[1], .sh = l->strides[0], .sw = l->strides[1], .dh = l->dilation[0], .dw = l->dilation[1], .f = l->units, .circular = l->padding == WINIT_PADDING_CIRCULAR };
	g->oh = winit_window_out(g->h, g->kh, g->sh, g->dh, l->padding, &g->top);
	g->ow = winit_window_out(g->w, g->kw, g->sw, g->dw, l->padding, &g->left);
	if (g->oh < 1 || g->ow < 1) {
		snprintf(why, n_why, "a %lldx%lld kernel (dilation %lldx%lld) does not fit in %s with padding valid",
		         (long long)g->kh, (long long)g->kw, (long long)g->dh, (long long)g->dw,
		         winit_shape_format(in, s, sizeof s));
		return -1;
	}
	return 0;
}

static int conv_infer(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
                      struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	struct geom g;
	if (geometry(l, in, &g, why, n_why))
		return -1;
	int64_t dims[3] = { g.oh, g.ow, g.f };
	if (winit_shape_set(out, 3, dims)) {
		snprintf(why, n_why, "the output is too large");
		return -1;
	}
	return 0;
}

static int32_t conv_declare(const struct winit_layer_spec *l, const struct winit_shape *in,
                            struct winit_tensor_decl *out)
{
	out[0] = (struct winit_tensor_decl){ .name = "kernel",
		                             .rank = 4,
		                             .dims = { l->kernel_size[0], l->kernel_size[1], in->dim[2],
		                                       l->units },
		                             .init = &l->kernel_initializer,
		                             .purpose = WINIT_STREAM_KERNEL };
	if (!l->use_bias)
		return 1;
	out[1] = (struct winit_tensor_decl){ .name = "bias",
		                             .rank = 1,
		                             .dims = { l->units },
		                             .init = &l->bias_initializer,
		                             .purpose = WINIT_STREAM_BIAS };
	return 2;
}

/* The shape of layer i's input, and its geometry. */
static void layer_geometry(const struct winit_model *m, int i, struct geom *g)
{
	const struct winit_layer *d = &m->layer[i];
	struct winit_shape in = d->src[0] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(&m->spec, i) :
	                                                         m->layer[d->src[0]].shape;
	char why[8];
	geometry(&m->spec.layers[i], &in, g, why, sizeof why); /* checked when the model was made */
}

static int64_t conv_work(const struct winit_layer_spec *l, const struct winit_layer *d)
{
	(void)l;
	/* The patches (a team keeps the batch's; one thread uses the start) and, for the
	 * backward pass, their gradients. */
	return 2 * (d->n_out / d->units) * d->k_rows;
}

/* Whether every tap of every output position lies in the image (valid padding, dilation 1,
 * or a 1x1 kernel): im2col_inside's case. */
static int all_inside(const struct geom *g)
{
	return !g->circular && g->top == 0 && g->left == 0 && g->dh == 1 && g->dw == 1 &&
	       (g->oh - 1) * g->sh + g->kh <= g->h && (g->ow - 1) * g->sw + g->kw <= g->w;
}

/* `count` runs of n <= 8 values, the i-th from src + i * step to dst + i * dst_step.  GCC
 * turns a copy loop into a call to memcpy, which for the 3 values of a 3x3 kernel row over
 * one channel costs more than the copy; a memcpy of a constant size it inlines.  The switch
 * on n is taken once per call, each case a loop of constant-size copies (a row of positions:
 * three moves a position, no jump per position). */
static inline void copy_short_runs(float *restrict dst, int64_t dst_step, const float *restrict src,
                                   int64_t step, int64_t count, int64_t n)
{
	switch (n) {
#define RUNS_N(k)                                                                      \
	case k:                                                                        \
		for (int64_t i = 0; i < count; i++)                                    \
			memcpy(dst + i * dst_step, src + i * step, (k) * sizeof *dst); \
		break;
		RUNS_N(1)
		RUNS_N(2)
		RUNS_N(3)
		RUNS_N(4)
		RUNS_N(5)
		RUNS_N(6)
		RUNS_N(7)
		RUNS_N(8)
#undef RUNS_N
	default:
		for (int64_t i = 0; i < count; i++)
			memcpy(dst + i * dst_step, src + i * step, (size_t)n * sizeof *dst);
	}
}

/* im2col when every tap is inside: per output row and kernel row, the kw * c consecutive
 * input values of each position, with no per-tap bounds.  Runs of up to 8 values are
 * copied inline (copy_short_runs); longer ones by a loop the compiler keeps inline and
 * vectorises (not a memcpy call per 96-float run of the tutorial CNN's second layer). */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) WINIT_HOT static void
im2col_inside(float *restrict col, const float *restrict x, const struct geom *g, int64_t q0,
              int64_t q1)
{
	const int64_t c = g->c, run = g->kw * c, k = g->kh * run, step = g->sw * c;
	for (int64_t oy = q0 / g->ow; oy * g->ow < q1; oy++) {
		/* this output row's positions within [q0, q1) */
		const int64_t ox0 = q0 > oy * g->ow ? q0 - oy * g->ow : 0;
		const int64_t ox1 = q1 < (oy + 1) * g->ow ? q1 - oy * g->ow : g->ow;
		for (int64_t ky = 0; ky < g->kh; ky++) {
			const float *src = x + (oy * g->sh + ky) * g->w * c + ox0 * step;
			float *dst = col + (oy * g->ow + ox0 - q0) * k + ky * run;
			if (run <= 8)
				copy_short_runs(dst, k, src, step, ox1 - ox0, run);
			else
				for (int64_t ox = 0; ox < ox1 - ox0; ox++)
					for (int64_t j = 0; j < run; j++)
						dst[ox * k + j] = src[ox * step + j];
		}
	}
}

/* The patches of output positions [q0, q1) of one example (row-major positions), one
 * after another from col: per position, the kernel's taps in (ky, kx) order, each the c
 * values of one input position (zeros in the padding).  A kernel row lying wholly inside
 * the image with dilation 1 is kw * c consecutive input values, copied as one run (forcing
 * the long runs' copy inline was measured no faster: the patches' traffic is what costs). */
static void im2col(float *restrict col, const float *restrict x, const struct geom *g, int64_t q0,
                   int64_t q1)
{
	if (all_inside(g)) {
		im2col_inside(col, x, g, q0, q1);
		return;
	}
	const int64_t c = g->c, run = g->kw * c;
	for (int64_t q = q0; q < q1; q++) {
		const int64_t oy = q / g->ow, ox = q % g->ow;
		const int64_t x0 = ox * g->sw - g->left;
		const int whole = !g->circular && g->dw == 1 && x0 >= 0 && x0 + g->kw <= g->w;
		for (int64_t ky = 0; ky < g->kh; ky++) {
			int64_t y = winit_window_tap(oy, ky, g->sh, g->dh, g->top, g->h, g->circular);
			if (whole && y >= 0) {
				const float *src = x + (y * g->w + x0) * c;
				if (run <= 8) /* few channels (an image's first layer): no call */
					copy_short_runs(col, 0, src, 0, 1, run);
				else
					for (int64_t j = 0; j < run; j++)
						col[j] = src[j];
				col += run;
				continue;
			}
			for (int64_t kx = 0; kx < g->kw; kx++, col += c) {
				int64_t xx = winit_window_tap(ox, kx, g->sw, g->dw, g->left, g->w, g->circular);
				if (y < 0 || xx < 0) {
					for (int64_t j = 0; j < c; j++)
						col[j] = 0.0f;
				} else {
					const float *src = x + (y * g->w + xx) * c;
					for (int64_t j = 0; j < c; j++)
						col[j] = src[j];
				}
			}
		}
	}
}

/* dx = the patches' gradients added back where they were taken, in order (element-wise
 * adds: every vector width of WINIT_HOT gives the same sums). */
WINIT_HOT static void col2im(float *restrict dx, const float *restrict dcol, const struct geom *g)
{
	memset(dx, 0, (size_t)(g->h * g->w * g->c) * sizeof *dx);
	for (int64_t oy = 0; oy < g->oh; oy++)
		for (int64_t ox = 0; ox < g->ow; ox++)
			for (int64_t ky = 0; ky < g->kh; ky++) {
				int64_t y = winit_window_tap(oy, ky, g->sh, g->dh, g->top, g->h, g->circular);
				for (int64_t kx = 0; kx < g->kw; kx++, dcol += g->c) {
					int64_t xx = winit_window_tap(ox, kx, g->sw, g->dw, g->left, g->w, g->circular);
					if (y < 0 || xx < 0)
						continue;
					float *t = dx + (y * g->w + xx) * g->c;
					for (int64_t c = 0; c < g->c; c++)
						t[c] += dcol[c];
				}
			}
}

/* Examples per chunk of a pass: their patches (`floats` per example) fit in about half a
 * megabyte, so the product reads them from L2 right after im2col writes them (forward),
 * and col2im reads the product's output likewise (backward).  The products are split by
 * rows only (output positions), never along their sums: every chunk size gives the same
 * bits. */
static int64_t chunk_rows(int64_t floats)
{
	const int64_t rows = ((int64_t)1 << 17) / (floats > 0 ? floats : 1);
	return rows > 1 ? rows : 1;
}

/* Whether a pass keeps the batch's patches in m->work[i] for the kernel's gradient: with a
 * team, whose members each need every position's patches for their share of the kernel.
 * One thread makes them again instead, a block of positions at a time as the gradient's
 * product reaches them (patch_rows): they never leave the cache, where a batch's patches
 * (8.9 MB for the tutorial CNN's second layer) went to memory and back.  A step's
 * forward and backward passes run with the same team (src/nn/passes.c: pass_team). */
static int keeps_patches(int n)
{
	return n > 1;
}

static void conv_forward(const struct winit_pass *p, int i, int activate, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	struct geom g;
	layer_geometry(m, i, &g);
	int64_t r0, r1, pos = g.oh * g.ow, k = d->k_rows;
	winit_pass_rows(p, c, n, &r0, &r1);
	if (r1 <= r0)
		return;
	const float *x = winit_pass_input(p, d, 0);
	float *col = m->work[i];
	const int64_t chunk = chunk_rows(pos * k);
	int mult = d->out_mult != 1.0f;
	for (int64_t q0 = r0; q0 < r1; q0 += chunk) {
		const int64_t q1 = q0 + chunk < r1 ? q0 + chunk : r1;
		float *cc = keeps_patches(n) ? col + q0 * pos * k : col; /* the chunk's patches */
		for (int64_t r = q0; r < q1; r++)
			im2col(cc + (r - q0) * pos * k, x + r * d->n_in, &g, 0, pos);
		struct winit_out_epilogue ctx = { d, m->a[i] + q0 * d->n_out, d->units, activate,
			                          mult ? d->b : NULL };
		struct winit_epilogue ep = { winit_layer_out_epilogue, &ctx };
		winit_dense_forward_block(winit_layer_pre(m, i) + q0 * d->n_out, cc, d->w,
		                          mult ? NULL : d->b, k, d->units, 0, (q1 - q0) * pos, 0,
		                          d->units, activate || mult ? &ep : NULL);
	}
}

static void conv_input_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	struct geom g;
	layer_geometry(m, i, &g);
	int64_t r0, r1, pos = g.oh * g.ow, k = d->k_rows;
	winit_pass_rows(p, c, n, &r0, &r1);
	float *dr = winit_pass_grad_dst(p, i, 0, r0);
	if (r1 <= r0 || !dr)
		return;
	/* the chunks' patch gradients, one after another in this member's own rows */
	float *dcol = m->work[i] + m->cap_batch * pos * k + r0 * pos * k;
	const int64_t chunk = chunk_rows(pos * k);
	for (int64_t q0 = r0; q0 < r1; q0 += chunk) {
		const int64_t q1 = q0 + chunk < r1 ? q0 + chunk : r1;
		winit_dense_backward_input(dcol, dz + q0 * d->n_out, d->w, (q1 - q0) * pos, k, d->units);
		if (d->out_mult != 1.0f)
			for (int64_t j = 0; j < (q1 - q0) * pos * k; j++)
				dcol[j] *= d->out_mult;
		for (int64_t r = q0; r < q1; r++)
			col2im(dr + (r - r0) * d->n_in, dcol + (r - q0) * pos * k, &g);
		winit_pass_grad_done(p, i, 0, q0, q1);
	}
}

/* The batch's patches made a block of positions at a time (rows of the kernel gradient's
 * product, in order), into the start of m->work[i]. */
struct patch_source {
	const float *x; /* the layer's input, the whole batch */
	const struct geom *g;
	int64_t pos, k, n_in;
	float *buf;
};

static const float *patch_rows(void *ctx, int64_t r0, int64_t n)
{
	const struct patch_source *s = ctx;
	for (int64_t r = r0; r < r0 + n;) {
		const int64_t e = r / s->pos, q0 = r % s->pos, left = r0 + n - r;
		const int64_t q1 = q0 + left < s->pos ? q0 + left : s->pos; /* within example e */
		im2col(s->buf + (r - r0) * s->k, s->x + e * s->n_in, s->g, q0, q1);
		r += q1 - q0;
	}
	return s->buf;
}

static void conv_param_grad(const struct winit_pass *p, int i, const float *dz, int c, int n)
{
	struct winit_model *m = p->m;
	const struct winit_layer *d = &m->layer[i];
	const int64_t rows = p->n_batch * (d->n_out / d->units);
	if (keeps_patches(n)) {
		winit_layer_kernel_grad(p, i, m->work[i], NULL, rows, dz, c, n);
		return;
	}
	struct geom g;
	layer_geometry(m, i, &g);
	struct patch_source ps = { winit_pass_input(p, d, 0), &g, g.oh * g.ow, d->k_rows, d->n_in,
		                   m->work[i] };
	const struct winit_rows_source src = { patch_rows, &ps };
	winit_layer_kernel_grad(p, i, NULL, &src, rows, dz, c, n);
}

/* The share of a kernel's taps that land in the image, averaged over output positions
 * (1 for valid and circular padding). */
static double inside(const struct geom *g)
{
	if (g->circular)
		return 1.0;
	double in = 0;
	for (int64_t oy = 0; oy < g->oh; oy++)
		for (int64_t ox = 0; ox < g->ow; ox++)
			for (int64_t ky = 0; ky < g->kh; ky++)
				for (int64_t kx = 0; kx < g->kw; kx++)
					in += winit_window_tap(oy, ky, g->sh, g->dh, g->top, g->h, 0) >= 0 &&
					      winit_window_tap(ox, kx, g->sw, g->dw, g->left, g->w, 0) >= 0;
	return in / (double)(g->oh * g->ow * g->kh * g->kw);
}

/* q = (share of taps inside) fan_in var_w E[x^2] + var_b: zero padding contributes
 * nothing. */
static double conv_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                            const struct winit_theory_in *in, int32_t n_in, const double *var,
                            struct winit_theory_out *out)
{
	out->mu = 0;
	(void)n_in;
	struct geom g;
	char why[8];
	if (geometry(l, &d->in_shape, &g, why, sizeof why))
		return NAN;
	double f = (double)d->k_rows * var[0] * inside(&g);
	if (d->out_mult != 1.0f)
		f *= (double)d->out_mult * d->out_mult;
	return f * in[0].m2 + (l->use_bias ? var[1] : 0.0);
}

/* An input value reaches (taps inside x output positions / input positions) outputs of
 * each filter: that many times fan-out's filters' var_w. */
static double conv_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                               const double *var, const struct winit_theory_in *in)
{
	(void)in;
	(void)k;
	struct geom g;
	char why[8];
	if (geometry(l, &d->in_shape, &g, why, sizeof why))
		return NAN;
	double reach = inside(&g) * (double)(g.oh * g.ow * g.kh * g.kw) / (double)(g.h * g.w);
	double f = reach * (double)g.f * var[0];
	if (d->out_mult != 1.0f)
		f *= (double)d->out_mult * d->out_mult;
	return f;
}

static const char *const paddings[] = { "valid", "same", "circular", NULL };

/* Keras's arguments (filters are the layer's units). */
static const struct winit_layer_field conv_fields[] = {
	{ "kernel_size", WINIT_LAYER_FIELD_INTS, offsetof(struct winit_layer_spec, kernel_size), 1, INT32_MAX, 2, NULL },
	{ "strides", WINIT_LAYER_FIELD_INTS, offsetof(struct winit_layer_spec, strides), 1, INT32_MAX, 2, NULL },
	{ "padding", WINIT_LAYER_FIELD_CHOICE, offsetof(struct winit_layer_spec, padding), 0, 0, 0, paddings },
	{ "dilation_rate", WINIT_LAYER_FIELD_INTS, offsetof(struct winit_layer_spec, dilation), 1, INT32_MAX, 2, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_conv2d = {
	.id = WINIT_LAYER_CONV2D,
	.name = "Conv2D",
	.prefix = "conv2d",
	.min_in = 1,
	.max_in = 1,
	.has_activation = 1,
	.units_name = "filters",
	.fields = conv_fields,
	.has_kernel = 1,
	.infer = conv_infer,
	.declare = conv_declare,
	.work = conv_work,
	.forward = conv_forward,
	.input_grad = conv_input_grad,
	.param_grad = conv_param_grad,
	.theory_q = conv_theory_q,
	.theory_grad = conv_theory_grad,
};
