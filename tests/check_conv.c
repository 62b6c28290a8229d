/* Conv2D (src/layers/conv2d/): Keras's output sizes for valid, same and circular padding,
 * strides and dilation; gradients against central differences of a loss computed in
 * double by a direct convolution (not im2col); the same bits on any team; the theory at
 * initialization against a wide network's measurements. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/team.h>
#include <winit/theory.h>
#include <winit/train.h>

#include "testutil.h"

static struct winit_layer_spec conv(int64_t filters, int k, int s, int d, int32_t padding,
                                    const char *act, const char *init)
{
	struct winit_layer_spec l = tu_dense(filters, act, init);
	l.kind = WINIT_LAYER_CONV2D;
	l.kernel_size[0] = l.kernel_size[1] = k;
	l.strides[0] = l.strides[1] = s;
	l.dilation[0] = l.dilation[1] = d;
	l.padding = padding;
	return l;
}

static struct winit_model_spec image_spec(int64_t h, int64_t w, int64_t c)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 3;
	s.input_shape[0] = h;
	s.input_shape[1] = w;
	s.input_shape[2] = c;
	s.n_inputs = h * w * c;
	return s;
}

static void add(struct winit_model_spec *s, struct winit_layer_spec l, int32_t in)
{
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_add_node(s, &l, &in, 1, &err) == 0, "%s", err.msg);
}

static struct winit_shape out_shape(struct winit_layer_spec l, int64_t h, int64_t w, int64_t c)
{
	struct winit_shape in = { 3, { h, w, c } }, out;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_layer_spec_infer(&l, &in, 1, &out, &err) == 0, "%s", err.msg);
	return out;
}

/* Keras's sizes (BRIEF): valid floor((in - k_eff) / s) + 1, k_eff = d (k - 1) + 1; same
 * ceil(in / s). */
START_TEST(conv_output_sizes_are_keras)
{
	struct winit_shape s = out_shape(conv(32, 3, 1, 1, WINIT_PADDING_VALID, "relu", "he_normal"), 28, 28, 1);
	ck_assert(s.rank == 3 && s.dim[0] == 26 && s.dim[1] == 26 && s.dim[2] == 32);
	s = out_shape(conv(8, 3, 2, 1, WINIT_PADDING_SAME, "relu", "he_normal"), 28, 27, 3);
	ck_assert(s.dim[0] == 14 && s.dim[1] == 14 && s.dim[2] == 8);
	s = out_shape(conv(8, 3, 2, 1, WINIT_PADDING_VALID, "relu", "he_normal"), 28, 27, 3);
	ck_assert(s.dim[0] == 13 && s.dim[1] == 13);
	s = out_shape(conv(4, 3, 1, 2, WINIT_PADDING_VALID, "relu", "he_normal"), 7, 9, 1);
	ck_assert(s.dim[0] == 3 && s.dim[1] == 5);
	s = out_shape(conv(4, 3, 1, 1, WINIT_PADDING_CIRCULAR, "tanh", "he_normal"), 7, 9, 2);
	ck_assert(s.dim[0] == 7 && s.dim[1] == 9 && s.dim[2] == 4);
	struct winit_layer_spec l = conv(4, 5, 1, 1, WINIT_PADDING_VALID, "relu", "he_normal");
	struct winit_shape in = { 3, { 4, 4, 1 } }, out, flat = { 1, { 16 } };
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_layer_spec_infer(&l, &in, 1, &out, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "a 5x5 kernel (dilation 1x1) does not fit in (None, 4, 4, 1)"), "%s", err.msg);
	ck_assert_int_eq(winit_layer_spec_infer(&l, &flat, 1, &out, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "Conv2D needs an input of (height, width, channels), got (None, 16)"),
	              "%s", err.msg);
	/* 3x3x1x32 + 32 parameters, Keras's count. */
	struct winit_model_spec ms = image_spec(28, 28, 1);
	add(&ms, conv(32, 3, 1, 1, WINIT_PADDING_VALID, "relu", "he_normal"), WINIT_MODEL_INPUT);
	ck_assert_int_eq(winit_model_spec_params(&ms), 320);
	winit_model_spec_free(&ms);
}
END_TEST

/* The direct convolution in double, nested loops over the output, the kernel's taps and
 * the input channels: pre-activations out (oh, ow, f) of x (h, w, c), and when mag is
 * given, each output's |b| + sum |w x| (the scale of its rounding error). */
static void conv_direct(double *out, double *mag, const double *x, const struct winit_layer *d,
                        const struct winit_layer_spec *l, int64_t h, int64_t w, int64_t c)
{
	int64_t kh = l->kernel_size[0], kw = l->kernel_size[1], oh = d->shape.dim[0], ow = d->shape.dim[1],
		f = d->shape.dim[2], sh = l->strides[0], sw = l->strides[1], dh = l->dilation[0],
		dw = l->dilation[1];
	int64_t top = 0, left = 0;
	if (l->padding != WINIT_PADDING_VALID) {
		int64_t th = (oh - 1) * sh + dh * (kh - 1) + 1 - h, tw = (ow - 1) * sw + dw * (kw - 1) + 1 - w;
		top = th > 0 ? th / 2 : 0;
		left = tw > 0 ? tw / 2 : 0;
	}
	for (int64_t oy = 0; oy < oh; oy++)
		for (int64_t ox = 0; ox < ow; ox++)
			for (int64_t q = 0; q < f; q++) {
				double s = d->b ? d->b[q] : 0, a = fabs(s);
				for (int64_t ky = 0; ky < kh; ky++)
					for (int64_t kx = 0; kx < kw; kx++) {
						int64_t y = oy * sh + ky * dh - top, xx = ox * sw + kx * dw - left;
						if (l->padding == WINIT_PADDING_CIRCULAR) {
							y = ((y % h) + h) % h;
							xx = ((xx % w) + w) % w;
						} else if (y < 0 || y >= h || xx < 0 || xx >= w) {
							continue;
						}
						for (int64_t ci = 0; ci < c; ci++) {
							double t = x[(y * w + xx) * c + ci] *
							           d->w[((ky * kw + kx) * c + ci) * f + q];
							s += t;
							a += fabs(t);
						}
					}
				out[(oy * ow + ox) * f + q] = s;
				if (mag)
					mag[(oy * ow + ox) * f + q] = a;
			}
}

/* The same with tanh applied. */
static void conv_ref(double *out, const double *x, const struct winit_layer *d,
                     const struct winit_layer_spec *l, int64_t h, int64_t w, int64_t c)
{
	conv_direct(out, NULL, x, d, l, h, w, c);
	for (int64_t i = 0; i < d->shape.dim[0] * d->shape.dim[1] * d->shape.dim[2]; i++)
		out[i] = tanh(out[i]);
}

enum { N = 3,
       H = 6,
       W = 5,
       C = 2,
       CLASSES = 3 };

enum { N_VARIANTS = 9 };
static const char *const padding_name[] = { "valid", "same", "circular" };

/* Conv2D(3, 3x3, same, tanh) -> Conv2D(4, tanh) -> Flatten -> Dense(3, softmax), the
 * second convolution in one of the nine combinations of padding (valid, same, circular:
 * variant / 3) with stride 2 and a 2x2 kernel, dilation 2 and a 3x3 kernel, or neither
 * and a 3x3 kernel (variant % 3) -- Keras refuses strides and dilation together. */
static struct winit_model_spec conv_spec(int variant)
{
	static const int32_t paddings[] = { WINIT_PADDING_VALID, WINIT_PADDING_SAME,
		                            WINIT_PADDING_CIRCULAR };
	struct winit_model_spec s = image_spec(H, W, C);
	struct winit_layer_spec c1 = conv(3, 3, 1, 1, WINIT_PADDING_SAME, "tanh", "glorot_normal");
	const int how = variant % 3;
	struct winit_layer_spec c2 = conv(4, how == 1 ? 2 : 3, how == 1 ? 2 : 1, how == 2 ? 2 : 1,
	                                  paddings[variant / 3], "tanh", "glorot_normal");
	c1.bias_initializer = c2.bias_initializer =
		tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2, (const char *const[]){ "mean", "stddev" },
	               (const double[]){ 0.05, 0.2 });
	add(&s, c1, WINIT_MODEL_INPUT);
	add(&s, c2, 0);
	struct winit_layer_spec fl = { 0 };
	fl.kind = WINIT_LAYER_FLATTEN;
	add(&s, fl, 1);
	struct winit_layer_spec out = tu_dense(CLASSES, "softmax", "glorot_normal");
	out.bias_initializer = c1.bias_initializer;
	add(&s, out, 2);
	return s;
}

static double conv_loss(const struct winit_model *m, const float *x, const uint8_t *y)
{
	const struct winit_layer *L = m->layer;
	double total = 0;
	for (int r = 0; r < N; r++) {
		double in[H * W * C], a1[H * W * 3], a2[H * W * 4], z[CLASSES];
		for (int k = 0; k < H * W * C; k++)
			in[k] = x[r * H * W * C + k];
		conv_ref(a1, in, &L[0], &m->spec.layers[0], H, W, C);
		conv_ref(a2, a1, &L[1], &m->spec.layers[1], L[0].shape.dim[0], L[0].shape.dim[1], 3);
		double mx = -INFINITY, sum = 0;
		for (int j = 0; j < CLASSES; j++) {
			double s = L[3].b[j];
			for (int64_t k = 0; k < L[3].n_in; k++)
				s += a2[k] * L[3].w[k * CLASSES + j];
			z[j] = s;
			mx = fmax(mx, s);
		}
		for (int j = 0; j < CLASSES; j++)
			sum += exp(z[j] - mx);
		total += log(sum) + mx - z[y[r]];
	}
	return total / N;
}

/* Backpropagation through two convolutions (same padding; then every combination of
 * padding with strides, dilation or neither) agrees with central differences of the loss
 * computed in double by a direct convolution, for every parameter. */
START_TEST(conv_gradients_match_finite_differences)
{
	for (int variant = 0; variant < N_VARIANTS; variant++) {
		struct winit_model_spec s = conv_spec(variant);
		struct winit_model m;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_model_init(&m, &s, 5, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(winit_model_reserve(&m, N, &err), 0);
		float x[N * H * W * C], dz[N * CLASSES];
		uint8_t y[N] = { 0, 2, 1 };
		struct winit_rng rng;
		winit_rng_seed(&rng, 8, 0);
		for (int i = 0; i < N * H * W * C; i++)
			x[i] = (float)winit_rng_normal(&rng);
		const float *logits = winit_model_forward_train(&m, x, N);
		double engine = winit_softmax_xent(dz, NULL, logits, y, N, CLASSES, 1.0f / N, NULL) / N;
		ck_assert_double_eq_tol(engine, conv_loss(&m, x, y), 1e-5);
		winit_model_backward(&m, x, dz, N);
		int checked = 0;
		for (int64_t k = 0; k < m.n_params; k++) {
			float keep = m.params[k], hi = keep + 1e-3f, lo = keep - 1e-3f;
			m.params[k] = hi;
			double lp = conv_loss(&m, x, y);
			m.params[k] = lo;
			double lm = conv_loss(&m, x, y);
			m.params[k] = keep;
			double fd = (lp - lm) / ((double)hi - lo);
			/* As in check_graph: a double loss, a float32 backprop. */
			ck_assert_msg(fabs(m.grads[k] - fd) <= 2e-6 + 1e-4 * fabs(fd),
			              "%s padding, stride %d, dilation %d, parameter %lld: backprop %.9g vs "
			              "finite difference %.9g",
			              padding_name[variant / 3], variant % 3 == 1 ? 2 : 1, variant % 3 == 2 ? 2 : 1,
			              (long long)k, m.grads[k], fd);
			checked += fabs(fd) > 1e-4;
		}
		ck_assert_int_ge(checked, (int)(m.n_params * 2 / 3));
		winit_model_free(&m);
		winit_model_spec_free(&s);
	}
}
END_TEST


enum { BN = 3,
       BH = 10,
       BW = 9,
       BC = 16 };

/* The engine's convolution (im2col and the blocked GEMM of the kernel set) against the
 * direct nested-loop convolution in double, on every kernel set the CPU has: each output
 * within the classical bound of a float sum of K + 1 terms, gamma(K + 1) (|b| + sum |w x|)
 * with gamma(n) = n u / (1 - n u), u = 2^-24 (K = kh kw cin = 144 here; in units of the
 * last place of |b| + sum |w x|, at most (K + 1) / 2 ulps, whatever order the set sums in);
 * on each set the same bits again and on a team of 3. */
START_TEST(conv_forward_is_within_the_rounding_bound_on_every_kernel_set)
{
	static const int32_t paddings[] = { WINIT_PADDING_SAME, WINIT_PADDING_VALID, WINIT_PADDING_CIRCULAR };
	for (int v = 0; v < 3; v++) {
		struct winit_model_spec s = image_spec(BH, BW, BC);
		struct winit_layer_spec l = conv(24, 3, v == 1 ? 2 : 1, v == 2 ? 2 : 1, paddings[v], "linear",
		                                 "glorot_normal");
		l.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2,
		                            (const char *const[]){ "mean", "stddev" }, (const double[]){ 0.5, 1 });
		add(&s, l, WINIT_MODEL_INPUT);
		struct winit_model m;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_model_init(&m, &s, 3, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(winit_model_reserve(&m, BN, &err), 0);
		const int64_t n_out = m.layer[0].n_out, k = 3 * 3 * BC;
		float x[BN * BH * BW * BC];
		struct winit_rng rng;
		winit_rng_seed(&rng, 17, 0);
		for (int i = 0; i < BN * BH * BW * BC; i++)
			x[i] = (float)winit_rng_normal(&rng);
		double *want = malloc((size_t)(BN * n_out) * sizeof *want), *mag = malloc((size_t)(BN * n_out) * sizeof *mag);
		float *first = malloc((size_t)(BN * n_out) * sizeof *first);
		ck_assert(want && mag && first);
		for (int r = 0; r < BN; r++) {
			double in[BH * BW * BC];
			for (int i = 0; i < BH * BW * BC; i++)
				in[i] = x[r * BH * BW * BC + i];
			conv_direct(want + r * n_out, mag + r * n_out, in, &m.layer[0], &m.spec.layers[0], BH, BW, BC);
		}
		const char *pad = padding_name[(int[]){ 1, 0, 2 }[v]]; /* paddings[v] by name */
		const double u = 0x1p-24, gamma = (double)(k + 1) * u / (1 - (double)(k + 1) * u);
		TU_FOR_EACH_KERNEL_SET({
			const float *y = winit_model_forward(&m, x, BN);
			double worst = 0;
			for (int64_t i = 0; i < BN * n_out; i++) {
				double e = fabs((double)y[i] - want[i]);
				ck_assert_msg(e <= gamma * mag[i], "%s, %s padding: output %lld is %.9g, direct %.12g (bound %g)",
				              winit_kernels_name(), pad, (long long)i,
				              (double)y[i], want[i], gamma * mag[i]);
				worst = fmax(worst, e / (u * mag[i]));
			}
			/* rounding errors were made: the comparison is not between exact sums */
			ck_assert_msg(worst > 0, "%s: every output exact", winit_kernels_name());
			memcpy(first, y, (size_t)(BN * n_out) * sizeof *first);
			y = winit_model_forward(&m, x, BN);
			ck_assert(memcmp(first, y, (size_t)(BN * n_out) * sizeof *first) == 0);
			struct winit_team *team = winit_team_new(3);
			m.team = team;
			y = winit_model_forward(&m, x, BN);
			ck_assert_msg(memcmp(first, y, (size_t)(BN * n_out) * sizeof *first) == 0,
			              "%s: a team of 3 gives other bits", winit_kernels_name());
			m.team = NULL;
			winit_team_free(team);
		});
		free(want);
		free(mag);
		free(first);
		winit_model_free(&m);
		winit_model_spec_free(&s);
	}
}
END_TEST

static struct winit_layer_spec pool(int32_t kind, int k, int s, int32_t padding)
{
	struct winit_layer_spec l = { 0 };
	l.kind = kind;
	l.kernel_size[0] = l.kernel_size[1] = k;
	l.strides[0] = l.strides[1] = s;
	l.padding = padding;
	return l;
}

static struct winit_layer_spec plain(int32_t kind)
{
	struct winit_layer_spec l = { 0 };
	l.kind = kind;
	return l;
}

/* The tutorial CNN (BRIEF): Keras's shapes and its 34,826 parameters. */
START_TEST(tutorial_cnn_has_keras_shapes)
{
	struct winit_model_spec s = image_spec(28, 28, 1);
	add(&s, conv(32, 3, 1, 1, WINIT_PADDING_VALID, "relu", "glorot_uniform"), WINIT_MODEL_INPUT);
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), 0);
	add(&s, conv(64, 3, 1, 1, WINIT_PADDING_VALID, "relu", "glorot_uniform"), 1);
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), 2);
	add(&s, plain(WINIT_LAYER_FLATTEN), 3);
	struct winit_layer_spec drop = plain(WINIT_LAYER_DROPOUT);
	drop.rate = 0.5;
	add(&s, drop, 4);
	add(&s, tu_dense(10, "softmax", "glorot_uniform"), 5);
	ck_assert_int_eq(winit_model_spec_params(&s), 34826);
	struct winit_shape shapes[7];
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_shapes(&s, shapes, &err) == 0, "%s", err.msg);
	static const char *const want[] = { "(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)",
		                            "(None, 5, 5, 64)", "(None, 1600)", "(None, 1600)",
		                            "(None, 10)" };
	for (int i = 0; i < 7; i++) {
		char buf[64];
		ck_assert_str_eq(winit_shape_format(&shapes[i], buf, sizeof buf), want[i]);
	}
	winit_model_spec_free(&s);
}
END_TEST

enum { PN = 4,
       PH = 6,
       PC = 2 };

/* Conv2D(3, 3x3, same, tanh) -> MaxPooling2D(3, strides 2, same) -> AveragePooling2D(2,
 * strides 1, same) -> Dropout(0.3) -> GlobalAveragePooling2D -> Dense(3, softmax) */
static struct winit_model_spec pool_spec(void)
{
	struct winit_model_spec s = image_spec(PH, PH, PC);
	struct winit_layer_spec c1 = conv(3, 3, 1, 1, WINIT_PADDING_SAME, "tanh", "glorot_normal");
	c1.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2,
	                             (const char *const[]){ "mean", "stddev" }, (const double[]){ 0.05, 0.2 });
	add(&s, c1, WINIT_MODEL_INPUT);
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 3, 2, WINIT_PADDING_SAME), 0);
	add(&s, pool(WINIT_LAYER_AVERAGE_POOLING2D, 2, 1, WINIT_PADDING_SAME), 1);
	struct winit_layer_spec drop = plain(WINIT_LAYER_DROPOUT);
	drop.rate = 0.3;
	add(&s, drop, 2);
	add(&s, plain(WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D), 3);
	add(&s, tu_dense(CLASSES, "softmax", "glorot_normal"), 4);
	return s;
}

/* The loss in double, each layer written out: max over the window's real values, the
 * mean over its real values (same padding), the kept mask, the channels' means. */
static double pool_loss(const struct winit_model *m, const float *x, const uint8_t *y)
{
	const struct winit_layer *L = m->layer;
	double total = 0;
	for (int r = 0; r < PN; r++) {
		double in[PH * PH * PC], a0[PH * PH * 3], a1[3 * 3 * 3], a2[3 * 3 * 3], g[3], z[CLASSES];
		for (int k = 0; k < PH * PH * PC; k++)
			in[k] = x[r * PH * PH * PC + k];
		conv_ref(a0, in, &L[0], &m->spec.layers[0], PH, PH, PC);
		/* 3x3 windows, strides 2 on 6: outputs 3, padding 1 after (none before) */
		for (int oy = 0; oy < 3; oy++)
			for (int ox = 0; ox < 3; ox++)
				for (int c = 0; c < 3; c++) {
					double best = -INFINITY;
					for (int yy = 2 * oy; yy < 2 * oy + 3 && yy < PH; yy++)
						for (int xx = 2 * ox; xx < 2 * ox + 3 && xx < PH; xx++)
							best = fmax(best, a0[(yy * PH + xx) * 3 + c]);
					a1[(oy * 3 + ox) * 3 + c] = best;
				}
		/* 2x2 windows, strides 1 on 3: outputs 3, padding 1 after: the last row and
		 * column average fewer values */
		for (int oy = 0; oy < 3; oy++)
			for (int ox = 0; ox < 3; ox++)
				for (int c = 0; c < 3; c++) {
					double sum = 0;
					int count = 0;
					for (int yy = oy; yy < oy + 2 && yy < 3; yy++)
						for (int xx = ox; xx < ox + 2 && xx < 3; xx++, count++)
							sum += a1[(yy * 3 + xx) * 3 + c];
					a2[(oy * 3 + ox) * 3 + c] = sum / count;
				}
		const float *mask = m->work[3] + r * 27;
		for (int c = 0; c < 3; c++) {
			g[c] = 0;
			for (int q = 0; q < 9; q++)
				g[c] += a2[q * 3 + c] * (m->training ? mask[q * 3 + c] : 1.0);
			g[c] /= 9;
		}
		double mx = -INFINITY, sum = 0;
		for (int j = 0; j < CLASSES; j++) {
			double v = L[5].b[j];
			for (int k = 0; k < 3; k++)
				v += g[k] * L[5].w[k * CLASSES + j];
			z[j] = v;
			mx = fmax(mx, v);
		}
		for (int j = 0; j < CLASSES; j++)
			sum += exp(z[j] - mx);
		total += log(sum) + mx - z[y[r]];
	}
	return total / PN;
}

/* Gradients through max and average pooling with same padding (overlapping windows, a
 * border of fewer values), a training pass's Dropout mask and global average pooling
 * agree with central differences of the loss computed in double; an inference pass drops
 * nothing; a training pass drops about `rate` of the values and scales the others by
 * exactly 1 / (1 - rate). */
START_TEST(pooling_and_dropout_gradients_match_finite_differences)
{
	struct winit_model_spec s = pool_spec();
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 6, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, PN, &err), 0);
	float x[PN * PH * PH * PC], dz[PN * CLASSES];
	uint8_t y[PN] = { 0, 2, 1, 1 };
	struct winit_rng rng;
	winit_rng_seed(&rng, 9, 0);
	for (int i = 0; i < PN * PH * PH * PC; i++)
		x[i] = (float)winit_rng_normal(&rng);
	/* Inference: Dropout is the identity. */
	winit_model_forward(&m, x, PN);
	ck_assert(memcmp(m.a[3], m.a[2], PN * 27 * sizeof(float)) == 0);
	m.training = 1;
	m.step = 41;
	const float *logits = winit_model_forward_train(&m, x, PN);
	int dropped = 0;
	for (int k = 0; k < PN * 27; k++) {
		if (m.a[3][k] == 0.0f && m.a[2][k] != 0.0f)
			dropped++;
		else
			ck_assert(m.a[3][k] == m.a[2][k] * (float)(1.0 / 0.7));
	}
	ck_assert_int_ge(dropped, 18); /* 108 values at 0.3: 32 expected, sd 4.8 */
	ck_assert_int_le(dropped, 46);
	double engine = winit_softmax_xent(dz, NULL, logits, y, PN, CLASSES, 1.0f / PN, NULL) / PN;
	ck_assert_double_eq_tol(engine, pool_loss(&m, x, y), 1e-5);
	winit_model_backward(&m, x, dz, PN);
	int checked = 0;
	for (int64_t k = 0; k < m.n_params; k++) {
		float keep = m.params[k], hi = keep + 1e-4f, lo = keep - 1e-4f;
		m.params[k] = hi;
		double lp = pool_loss(&m, x, y);
		m.params[k] = lo;
		double lm = pool_loss(&m, x, y);
		m.params[k] = keep;
		double fd = (lp - lm) / ((double)hi - lo);
		ck_assert_msg(fabs(m.grads[k] - fd) <= 2e-6 + 1e-3 * fabs(fd),
		              "parameter %lld: backprop %.9g vs finite difference %.9g", (long long)k, m.grads[k], fd);
		checked += fabs(fd) > 1e-4;
	}
	ck_assert_int_ge(checked, (int)(m.n_params / 2));
	/* Another step, another mask; the same step, the same mask. */
	float keep_mask[PN * 27];
	memcpy(keep_mask, m.work[3], sizeof keep_mask);
	m.step = 42;
	winit_model_forward_train(&m, x, PN);
	ck_assert(memcmp(keep_mask, m.work[3], sizeof keep_mask) != 0);
	m.step = 41;
	winit_model_forward_train(&m, x, PN);
	ck_assert(memcmp(keep_mask, m.work[3], sizeof keep_mask) == 0);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* MaxPooling2D(2) over a 4x4 image tiles it: its input gradient is each window's output
 * gradient at the window's winner (the first in row-major order on a tie) and exactly +0
 * at the three others, per channel; the output gradients come from a linear Dense head,
 * computed here in double. */
START_TEST(max_pool_tiled_gradient_goes_to_the_winner)
{
	enum { R = 2, PHW = 4, PCH = 3, POUT = 2 * 2 * PCH, K = 2 };
	struct winit_model_spec s = image_spec(PHW, PHW, PCH);
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), WINIT_MODEL_INPUT);
	add(&s, plain(WINIT_LAYER_FLATTEN), 0);
	add(&s, tu_dense(K, "linear", "glorot_uniform"), 1);
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 4, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, R, &err), 0);
	float x[R * PHW * PHW * PCH], dx[R * PHW * PHW * PCH], dz[R * K] = { 0.5f, -1.25f, 2.0f, 0.75f };
	struct winit_rng rng;
	winit_rng_seed(&rng, 12, 0);
	for (int i = 0; i < R * PHW * PHW * PCH; i++)
		x[i] = (float)winit_rng_normal(&rng);
	for (int y = 0; y < 2; y++) /* row 0, window (0, 0), channel 1: a four-way tie */
		for (int xx = 0; xx < 2; xx++)
			x[(y * PHW + xx) * PCH + 1] = 1.5f;
	m.dx = dx;
	winit_model_forward(&m, x, R);
	winit_model_backward(&m, x, dz, R);
	const struct winit_layer *head = &m.layer[2];
	for (int r = 0; r < R; r++)
		for (int oy = 0; oy < 2; oy++)
			for (int ox = 0; ox < 2; ox++)
				for (int ch = 0; ch < PCH; ch++) {
					const int o = (oy * 2 + ox) * PCH + ch;
					double g = 0;
					for (int j = 0; j < K; j++)
						g += (double)head->w[o * K + j] * dz[r * K + j];
					int win = -1;
					float best = -INFINITY;
					for (int t = 0; t < 4; t++) {
						const int at = ((oy * 2 + t / 2) * PHW + ox * 2 + t % 2) * PCH + ch;
						if (x[r * PHW * PHW * PCH + at] > best) {
							best = x[r * PHW * PHW * PCH + at];
							win = at;
						}
					}
					for (int t = 0; t < 4; t++) {
						const int at = ((oy * 2 + t / 2) * PHW + ox * 2 + t % 2) * PCH + ch;
						const float got = dx[r * PHW * PHW * PCH + at];
						if (at == win)
							ck_assert_msg(fabs(got - g) <= 1e-6 * (1 + fabs(g)),
							              "row %d output %d: %.9g at the winner, want %.9g", r, o,
							              (double)got, g);
						else
							ck_assert_msg(got == 0.0f && !signbit(got),
							              "row %d output %d: %g away from the winner", r, o,
							              (double)got);
					}
				}
	/* The tie went to the window's first position. */
	ck_assert_float_ne(dx[1], 0.0f);
	ck_assert_float_eq(dx[PCH + 1], 0.0f);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* A CNN (convolutions, max and average pooling, Dropout) trained on a team of 2 or 3
 * gives the bits of one thread, on every kernel set: Dropout's masks are the same whoever
 * draws them. */
START_TEST(conv_trains_bit_identically_on_teams)
{
	struct winit_model_spec s = image_spec(8, 8, 1);
	add(&s, conv(8, 3, 1, 1, WINIT_PADDING_SAME, "relu", "he_normal"), WINIT_MODEL_INPUT);
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), 0);
	add(&s, conv(16, 3, 1, 1, WINIT_PADDING_VALID, "relu", "he_normal"), 1);
	add(&s, pool(WINIT_LAYER_AVERAGE_POOLING2D, 2, 1, WINIT_PADDING_SAME), 2);
	add(&s, plain(WINIT_LAYER_FLATTEN), 3);
	struct winit_layer_spec drop = plain(WINIT_LAYER_DROPOUT);
	drop.rate = 0.25;
	add(&s, drop, 4);
	add(&s, tu_dense(4, "softmax", "glorot_uniform"), 5);
	struct winit_dataset ds = tu_quadrant_dataset(400, 8, 19);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	TU_FOR_EACH_KERNEL_SET({
		float *ref = NULL;
		double ref_loss = 0;
		for (int threads = 1; threads <= 3; threads++) {
			struct winit_trainer t;
			struct winit_history h;
			tu_team_fit(&t, &h, &s, &opt, &ds, threads);
			if (!ref) {
				ref = malloc((size_t)t.model.n_params * sizeof *ref);
				memcpy(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref);
				ref_loss = h.epochs[1].loss;
				ck_assert(h.epochs[1].loss < h.epochs[0].loss);
				/* Evidence per channel: 8 filters, each a distinct unit. */
				ck_assert_int_eq(t.diag.snaps[0].layers[0].distinct_units, 8);
			} else {
				ck_assert_msg(memcmp(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref) == 0,
				              "%s, %d threads: the parameters differ", winit_kernels_name(), threads);
				ck_assert(memcmp(&ref_loss, &h.epochs[1].loss, sizeof ref_loss) == 0);
			}
			tu_team_fit_free(&t, &h);
		}
		free(ref);
	});
	winit_dataset_free(&ds);
	winit_model_spec_free(&s);
}
END_TEST


/* The variance recursion with Keras's conv fans (and zero padding's missing taps) agrees
 * with a wide CNN's measured pre-activations at initialization. */
START_TEST(conv_theory_matches_measurement)
{
	struct winit_model_spec s = image_spec(12, 12, 3);
	add(&s, conv(64, 3, 1, 1, WINIT_PADDING_CIRCULAR, "tanh", "glorot_normal"), WINIT_MODEL_INPUT);
	add(&s, conv(64, 5, 2, 1, WINIT_PADDING_VALID, "tanh", "he_normal"), 0);
	add(&s, conv(64, 3, 1, 1, WINIT_PADDING_SAME, "relu", "he_normal"), 1);
	struct winit_layer_spec fl = { 0 };
	fl.kind = WINIT_LAYER_FLATTEN;
	add(&s, fl, 2);
	add(&s, tu_dense(10, "softmax", "glorot_uniform"), 3);
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 2, &err) == 0, "%s", err.msg);
	enum { ROWS = 64 };
	ck_assert_int_eq(winit_model_reserve(&m, ROWS, &err), 0);
	float *x = malloc((size_t)ROWS * 12 * 12 * 3 * sizeof *x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 5, 0);
	for (int i = 0; i < ROWS * 12 * 12 * 3; i++)
		x[i] = (float)winit_rng_normal(&rng);
	struct tu_measured got = { { 0 } };
	m.hooks.ctx = &got;
	m.hooks.forward = tu_measure_hook;
	winit_model_forward(&m, x, ROWS);
	struct winit_theory th = { 0 };
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert_msg(th.applies, "%s", th.reason);
	/* A same-padded 3x3 kernel on a 4x4 image has 31% of its taps outside (counted:
	 * ignoring them fails by 45%).  The recursion takes one second moment per layer:
	 * exact while every position's is the same (circular padding, a valid layer on a
	 * uniform input, a same layer's own output being the exception: below it a layer is
	 * approximate at the border, so it comes last here).  Inputs of zero mean (tanh):
	 * after a ReLU, the square of each filter's weight sum (a chi-square of one degree)
	 * multiplies the squared mean, and 64 filters average it only to 18%. */
	for (int i = 0; i < 3; i++)
		ck_assert_msg(fabs(got.m2[i] / th.pre_var[i] - 1) < 0.06, "layer %d: measured %g, predicted %g",
		              i + 1, got.m2[i], th.pre_var[i]);
	winit_theory_free(&th);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST


/* The pooling kinds' theory steps against measured variances where their assumption
 * holds (positions independent: a 1x1 convolution of independent pixels): a ReLU layer's
 * outputs through MaxPooling2D (the max of k Gaussians through ReLU), a same-padded
 * AveragePooling2D (windows of 9, 6 and 4 values) and GlobalAveragePooling2D. */
START_TEST(pooling_theory_matches_measurement)
{
	/* 256 input channels: each filter's squared norm is a chi-square of 256 degrees, so
	 * the spread of the channels' means (which the infinite-width theory has not, and a
	 * variance over channels counts) stays below 1%. */
	struct winit_model_spec s = image_spec(16, 16, 256);
	add(&s, conv(128, 1, 1, 1, WINIT_PADDING_VALID, "relu", "he_normal"), WINIT_MODEL_INPUT); /* 0 */
	add(&s, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), 0);                   /* 1 */
	add(&s, pool(WINIT_LAYER_AVERAGE_POOLING2D, 3, 2, WINIT_PADDING_SAME), 0);                /* 2 */
	/* Global average pooling of zero-mean values (tanh): what is left of each channel's
	 * variance, 1/256 of it, would be swamped by the channels' spread of means after a
	 * ReLU. */
	add(&s, conv(128, 1, 1, 1, WINIT_PADDING_VALID, "tanh", "glorot_normal"), WINIT_MODEL_INPUT); /* 3 */
	add(&s, plain(WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D), 3);                                      /* 4 */
	add(&s, plain(WINIT_LAYER_FLATTEN), 1);                                                       /* 5 */
	add(&s, plain(WINIT_LAYER_FLATTEN), 2);                                                       /* 6 */
	struct winit_layer_spec cat = plain(WINIT_LAYER_CONCATENATE);
	cat.axis = -1;
	struct winit_error err = { 0 };
	ck_assert(winit_model_spec_add_node(&s, &cat, (const int32_t[]){ 5, 6, 4 }, 3, &err) == 0);
	add(&s, tu_dense(10, "softmax", "glorot_uniform"), 7);
	struct winit_model m;
	ck_assert_msg(winit_model_init(&m, &s, 2, &err) == 0, "%s", err.msg);
	enum { ROWS = 32 };
	ck_assert_int_eq(winit_model_reserve(&m, ROWS, &err), 0);
	float *x = malloc((size_t)ROWS * 16 * 16 * 256 * sizeof *x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 3, 0);
	for (int i = 0; i < ROWS * 16 * 16 * 256; i++)
		x[i] = (float)winit_rng_normal(&rng);
	struct tu_measured got = { { 0 } };
	m.hooks.ctx = &got;
	m.hooks.forward = tu_measure_hook;
	winit_model_forward(&m, x, ROWS);
	struct winit_theory th = { 0 };
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert_msg(th.applies, "%s", th.reason);
	/* Variances: ReLU of N(0, q) has (1/2 - 1/(2 pi)) q = 0.34 q, the max of 4 of them
	 * 0.49 q (taking k = 1 fails by 44%); a 3x3 mean keeps a ninth of it or more. */
	for (int i = 0; i < 5; i++)
		ck_assert_msg(fabs(got.m2[i] / th.pre_var[i] - 1) < 0.05, "layer %d: measured %g, predicted %g",
		              i + 1, got.m2[i], th.pre_var[i]);
	winit_theory_free(&th);
	/* A max over values the recursion cannot describe is said, not guessed. */
	struct winit_model_spec t = image_spec(4, 4, 2);
	add(&t, pool(WINIT_LAYER_MAX_POOLING2D, 2, 2, WINIT_PADDING_VALID), WINIT_MODEL_INPUT);
	add(&t, plain(WINIT_LAYER_FLATTEN), 0);
	add(&t, tu_dense(3, "softmax", "glorot_uniform"), 1);
	winit_theory_predict(&th, &t, 1.0, 1.0);
	ck_assert(!th.applies);
	ck_assert_msg(strstr(th.reason, "layer 1 (MaxPooling2D): its input is not an activation's output"), "%s",
	              th.reason);
	winit_theory_free(&th);
	winit_model_spec_free(&t);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Xiao et al.'s isometry: 64 linear Conv2D layers (16 -> 16 channels, 3x3, circular
 * padding, no bias) with delta-orthogonal kernels keep every input's norm, to 1e-4 (issue
 * 21's acceptance); with He's Gaussian kernels instead the norm drifts by far more. */
START_TEST(delta_orthogonal_cnn_preserves_the_norm)
{
	for (int gauss = 0; gauss < 2; gauss++) {
		struct winit_model_spec s = image_spec(8, 8, 16);
		for (int i = 0; i < 64; i++) {
			struct winit_layer_spec l = conv(16, 3, 1, 1, WINIT_PADDING_CIRCULAR, "linear",
			                                 gauss ? "he_normal" : "delta_orthogonal");
			l.use_bias = 0;
			add(&s, l, i == 0 ? WINIT_MODEL_INPUT : i - 1);
		}
		struct winit_model m;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_model_init(&m, &s, 7, &err) == 0, "%s", err.msg);
		enum { DROWS = 4,
		       DVALS = 8 * 8 * 16 };
		ck_assert_int_eq(winit_model_reserve(&m, DROWS, &err), 0);
		float x[DROWS * DVALS];
		struct winit_rng rng;
		winit_rng_seed(&rng, 13, 0);
		for (int i = 0; i < DROWS * DVALS; i++)
			x[i] = (float)winit_rng_normal(&rng);
		const float *y = winit_model_forward(&m, x, DROWS);
		double worst = 0;
		for (int r = 0; r < DROWS; r++) {
			double a = 0, b = 0;
			for (int k = 0; k < DVALS; k++) {
				a += (double)x[r * DVALS + k] * x[r * DVALS + k];
				b += (double)y[r * DVALS + k] * y[r * DVALS + k];
			}
			worst = fmax(worst, fabs(sqrt(b / a) - 1));
		}
		if (gauss)
			ck_assert_msg(worst > 0.05, "He's Gaussian kernels: |ratio - 1| only %g", worst);
		else
			ck_assert_msg(worst < 1e-4, "delta-orthogonal: |ratio - 1| = %g", worst);
		winit_model_free(&m);
		winit_model_spec_free(&s);
	}
}
END_TEST

static Suite *conv_suite(void)
{
	Suite *s = suite_create("conv");
	TCase *tc = tcase_create("conv");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, conv_output_sizes_are_keras);
	tcase_add_test(tc, conv_gradients_match_finite_differences);
	tcase_add_test(tc, conv_forward_is_within_the_rounding_bound_on_every_kernel_set);
	tcase_add_test(tc, tutorial_cnn_has_keras_shapes);
	tcase_add_test(tc, pooling_and_dropout_gradients_match_finite_differences);
	tcase_add_test(tc, max_pool_tiled_gradient_goes_to_the_winner);
	tcase_add_test(tc, conv_trains_bit_identically_on_teams);
	tcase_add_test(tc, conv_theory_matches_measurement);
	tcase_add_test(tc, pooling_theory_matches_measurement);
	tcase_add_test(tc, delta_orthogonal_cnn_preserves_the_norm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(conv_suite());
}
