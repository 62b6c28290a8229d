/* BatchNormalization, LayerNormalization and Scale (src/layers/): gradients in a training
 * pass against central differences of a loss computed in double; Keras's moving
 * statistics after a step (momentum 0.99, the biased batch variance) and inference with
 * them; the same bits on any team; the recursion's step for a normalization against
 * measurement. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/team.h>
#include <winit/theory.h>
#include <winit/train.h>

#include "testutil.h"

enum { N = 6,
       IN = 5,
       C = 4,
       CLASSES = 3 };

static struct winit_layer_spec norm(int32_t kind)
{
	struct winit_layer_spec l = { 0 };
	l.kind = kind;
	l.momentum = 0.99;
	l.epsilon = 1e-3;
	l.kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "ones", 0, NULL, NULL);
	l.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "zeros", 0, NULL, NULL);
	return l;
}

static void add(struct winit_model_spec *s, struct winit_layer_spec l, int n, const int32_t *in)
{
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_add_node(s, &l, in, n, &err) == 0, "%s", err.msg);
}

/* x -> Dense(4) -> BatchNormalization [1] -> Dense(4, tanh) -> LayerNormalization ->
 * Scale(per channel, 0.7) -> Add(with [1]) -> Dense(3, softmax) */
static struct winit_model_spec norm_spec(void)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = IN;
	struct winit_plugin_use rb = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2,
	                                    (const char *const[]){ "mean", "stddev" },
	                                    (const double[]){ 0.1, 0.3 });
	struct winit_layer_spec d0 = tu_dense(C, "linear", "glorot_normal"), d2 = tu_dense(C, "tanh", "glorot_normal"),
				out = tu_dense(CLASSES, "softmax", "glorot_normal");
	d0.bias_initializer = d2.bias_initializer = out.bias_initializer = rb;
	struct winit_layer_spec bn = norm(WINIT_LAYER_BATCH_NORMALIZATION), ln = norm(WINIT_LAYER_LAYER_NORMALIZATION);
	/* gamma and beta away from 1 and 0, so their gradients are not special */
	bn.kernel_initializer = ln.kernel_initializer = rb;
	bn.bias_initializer = ln.bias_initializer = rb;
	struct winit_layer_spec sc = norm(WINIT_LAYER_SCALE);
	sc.per_channel = 1;
	sc.kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "constant", 1, (const char *const[]){ "value" },
	                               (const double[]){ 0.7 });
	add(&s, d0, 1, (const int32_t[]){ WINIT_MODEL_INPUT }); /* 0 */
	add(&s, bn, 1, (const int32_t[]){ 0 });                 /* 1 */
	add(&s, d2, 1, (const int32_t[]){ 1 });                 /* 2 */
	add(&s, ln, 1, (const int32_t[]){ 2 });                 /* 3 */
	add(&s, sc, 1, (const int32_t[]){ 3 });                 /* 4 */
	struct winit_layer_spec sum = { 0 };
	sum.kind = WINIT_LAYER_ADD;
	add(&s, sum, 2, (const int32_t[]){ 4, 1 }); /* 5 */
	add(&s, out, 1, (const int32_t[]){ 5 });    /* 6 */
	return s;
}

/* The loss in double, written out (batch statistics over the N rows). */
static double norm_loss(const struct winit_model *m, const float *x, const uint8_t *y)
{
	const struct winit_layer *L = m->layer;
	double z0[N][C], y1[N][C], a2[N][C], y5[N][C], total = 0;
	for (int r = 0; r < N; r++)
		for (int j = 0; j < C; j++) {
			double s = L[0].b[j];
			for (int k = 0; k < IN; k++)
				s += x[r * IN + k] * L[0].w[k * C + j];
			z0[r][j] = s;
		}
	for (int j = 0; j < C; j++) {
		double mu = 0, v = 0;
		for (int r = 0; r < N; r++)
			mu += z0[r][j] / N;
		for (int r = 0; r < N; r++)
			v += (z0[r][j] - mu) * (z0[r][j] - mu) / N;
		for (int r = 0; r < N; r++)
			y1[r][j] = L[1].t[0][j] * (z0[r][j] - mu) / sqrt(v + 1e-3) + L[1].t[1][j];
	}
	for (int r = 0; r < N; r++) {
		for (int j = 0; j < C; j++) {
			double s = L[2].b[j];
			for (int k = 0; k < C; k++)
				s += y1[r][k] * L[2].w[k * C + j];
			a2[r][j] = tanh(s);
		}
		double mu = 0, v = 0;
		for (int j = 0; j < C; j++)
			mu += a2[r][j] / C;
		for (int j = 0; j < C; j++)
			v += (a2[r][j] - mu) * (a2[r][j] - mu) / C;
		for (int j = 0; j < C; j++) {
			double y3 = L[3].t[0][j] * (a2[r][j] - mu) / sqrt(v + 1e-3) + L[3].t[1][j];
			y5[r][j] = L[4].t[0][j] * y3 + y1[r][j];
		}
		double z[CLASSES], mx = -INFINITY, sum = 0;
		for (int j = 0; j < CLASSES; j++) {
			double s = L[6].b[j];
			for (int k = 0; k < C; k++)
				s += y5[r][k] * L[6].w[k * CLASSES + j];
			z[j] = s;
			mx = fmax(mx, s);
		}
		for (int j = 0; j < CLASSES; j++)
			sum += exp(z[j] - mx);
		total += log(sum) + mx - z[y[r]];
	}
	return total / N;
}

/* Backpropagation through a training pass's batch normalization (its batch statistics
 * depend on every row), a layer normalization and a per-channel scale in a residual
 * block agrees with central differences of the loss in double for every trained
 * parameter; the moving statistics get no gradient. */
START_TEST(norm_gradients_match_finite_differences)
{
	struct winit_model_spec s = norm_spec();
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 4, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, N, &err), 0);
	/* 5*4+4 + 4*4 (gamma, beta, moving mean, variance) + 4*4+4 + 2*4 + 4 + 4*3+3 */
	ck_assert_int_eq(m.n_params, 24 + 16 + 20 + 8 + 4 + 15);
	float x[N * IN], dz[N * CLASSES];
	uint8_t y[N] = { 0, 2, 1, 1, 0, 2 };
	struct winit_rng rng;
	winit_rng_seed(&rng, 12, 0);
	for (int i = 0; i < N * IN; i++)
		x[i] = (float)winit_rng_normal(&rng);
	m.training = 1;
	const float *logits = winit_model_forward_train(&m, x, N);
	double engine = winit_softmax_xent(dz, NULL, logits, y, N, CLASSES, 1.0f / N, NULL) / N;
	ck_assert_double_eq_tol(engine, norm_loss(&m, x, y), 1e-5);
	winit_model_backward(&m, x, dz, N);
	int checked = 0;
	for (int64_t k = 0; k < m.n_params; k++) {
		float keep = m.params[k], hi = keep + 1e-3f, lo = keep - 1e-3f;
		m.params[k] = hi;
		double lp = norm_loss(&m, x, y);
		m.params[k] = lo;
		double lm = norm_loss(&m, x, y);
		m.params[k] = keep;
		double fd = (lp - lm) / ((double)hi - lo);
		ck_assert_msg(fabs(m.grads[k] - fd) <= 2e-6 + 2e-4 * fabs(fd),
		              "parameter %lld: backprop %.9g vs finite difference %.9g", (long long)k, m.grads[k], fd);
		checked += fabs(fd) > 1e-4;
	}
	ck_assert_int_ge(checked, (int)(m.n_params * 3 / 5));
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Keras's moving statistics: after a training pass moving_mean = 0.01 mean and
 * moving_variance = 0.99 + 0.01 var (the biased variance); an inference pass normalizes
 * with them and leaves them alone. */
START_TEST(batch_norm_moving_statistics_are_keras)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = 3;
	add(&s, norm(WINIT_LAYER_BATCH_NORMALIZATION), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, tu_dense(2, "softmax", "glorot_uniform"), 1, (const int32_t[]){ 0 });
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 1, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, 4, &err), 0);
	const float x[4 * 3] = { 1, 2, -1, 3, 2, 0, -1, 6, 1, 5, 2, 4 };
	m.training = 1;
	winit_model_forward(&m, x, 4);
	const double mean[3] = { 2, 3, 1 }, var[3] = { 5, 3, 3.5 }; /* by hand */
	for (int k = 0; k < 3; k++) {
		ck_assert_double_eq_tol(m.layer[0].t[2][k], 0.01 * mean[k], 1e-6);
		ck_assert_double_eq_tol(m.layer[0].t[3][k], 0.99 + 0.01 * var[k], 1e-6);
		/* the batch's own normalization */
		ck_assert_double_eq_tol(m.a[0][k], (x[k] - mean[k]) / sqrt(var[k] + 1e-3), 1e-5);
	}
	float mm[3], mv[3];
	memcpy(mm, m.layer[0].t[2], sizeof mm);
	memcpy(mv, m.layer[0].t[3], sizeof mv);
	m.training = 0;
	winit_model_forward(&m, x, 4);
	for (int k = 0; k < 3; k++) {
		ck_assert(m.layer[0].t[2][k] == mm[k] && m.layer[0].t[3][k] == mv[k]);
		ck_assert_double_eq_tol(m.a[0][k], (x[k] - mm[k]) / sqrt(mv[k] + 1e-3), 1e-5);
	}
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* A CNN with batch normalization after each convolution, layer normalization and a
 * scalar scale trains to the same bits on teams of 1, 2 and 3 (the batch statistics and
 * their gradients' sums split by channels, each summed in one order), and its moving
 * statistics too. */
START_TEST(norm_trains_bit_identically_on_teams)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 3;
	s.input_shape[0] = s.input_shape[1] = 8;
	s.input_shape[2] = 1;
	s.n_inputs = 64;
	struct winit_layer_spec c1 = tu_dense(16, "linear", "he_normal");
	c1.kind = WINIT_LAYER_CONV2D;
	c1.kernel_size[0] = c1.kernel_size[1] = 3;
	c1.strides[0] = c1.strides[1] = c1.dilation[0] = c1.dilation[1] = 1;
	c1.padding = WINIT_PADDING_SAME;
	add(&s, c1, 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, norm(WINIT_LAYER_BATCH_NORMALIZATION), 1, (const int32_t[]){ 0 });
	struct winit_layer_spec fl = { 0 };
	fl.kind = WINIT_LAYER_FLATTEN;
	add(&s, fl, 1, (const int32_t[]){ 1 });
	add(&s, tu_dense(40, "relu", "he_normal"), 1, (const int32_t[]){ 2 });
	add(&s, norm(WINIT_LAYER_LAYER_NORMALIZATION), 1, (const int32_t[]){ 3 });
	struct winit_layer_spec sc = norm(WINIT_LAYER_SCALE);
	add(&s, sc, 1, (const int32_t[]){ 4 });
	add(&s, tu_dense(4, "softmax", "glorot_uniform"), 1, (const int32_t[]){ 5 });
	struct winit_dataset ds = tu_quadrant_dataset(300, 8, 23);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	float *ref = NULL;
	for (int threads = 1; threads <= 3; threads++) {
		struct winit_trainer t;
		struct winit_history h;
		tu_team_fit(&t, &h, &s, &opt, &ds, threads);
		if (!ref) {
			ref = malloc((size_t)t.model.n_params * sizeof *ref);
			memcpy(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref);
			ck_assert(h.epochs[1].loss < h.epochs[0].loss);
			/* the moving mean moved */
			ck_assert(t.model.layer[1].t[2][0] != 0.0f);
		} else {
			ck_assert_msg(memcmp(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref) == 0,
			              "%d threads: the parameters differ", threads);
		}
		tu_team_fit_free(&t, &h);
	}
	free(ref);
	winit_dataset_free(&ds);
	winit_model_spec_free(&s);
}
END_TEST


/* The recursion through BatchNormalization against a probe pass (the batch's statistics,
 * as training sees them): its output's second moment is 1 whatever came in (here the
 * input's scale is 9), so the next layer's pre-activation is fan_in var_w, 2 for He. */
START_TEST(norm_theory_matches_probe_measurement)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = 256;
	add(&s, tu_dense(256, "relu", "he_normal"), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, norm(WINIT_LAYER_BATCH_NORMALIZATION), 1, (const int32_t[]){ 0 });
	add(&s, tu_dense(256, "relu", "he_normal"), 1, (const int32_t[]){ 1 });
	add(&s, norm(WINIT_LAYER_LAYER_NORMALIZATION), 1, (const int32_t[]){ 2 });
	add(&s, tu_dense(256, "tanh", "glorot_normal"), 1, (const int32_t[]){ 3 });
	add(&s, tu_dense(10, "softmax", "glorot_uniform"), 1, (const int32_t[]){ 4 });
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 8, &err) == 0, "%s", err.msg);
	enum { ROWS = 512 };
	ck_assert_int_eq(winit_model_reserve(&m, ROWS, &err), 0);
	float *x = malloc((size_t)ROWS * 256 * sizeof *x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 6, 0);
	for (int i = 0; i < ROWS * 256; i++)
		x[i] = (float)(3 * winit_rng_normal(&rng));
	struct tu_measured got = { { 0 } };
	m.hooks.ctx = &got;
	m.hooks.forward = tu_measure_hook;
	m.training = WINIT_PASS_PROBE;
	winit_model_forward(&m, x, ROWS);
	for (int k = 0; k < 256; k++) /* the probe updates nothing */
		ck_assert(m.layer[1].t[2][k] == 0.0f && m.layer[1].t[3][k] == 1.0f);
	struct winit_theory th = { 0 };
	winit_theory_predict(&th, &s, 9.0, 1.0);
	ck_assert_msg(th.applies, "%s", th.reason);
	ck_assert_double_eq_tol(th.pre_var[1], 1.0, 1e-12);
	ck_assert_double_eq_tol(th.pre_var[2], 2.0, 1e-2);
	for (int i = 0; i < 5; i++)
		ck_assert_msg(fabs(got.m2[i] / th.pre_var[i] - 1) < 0.05, "layer %d: measured %g, predicted %g",
		              i + 1, got.m2[i], th.pre_var[i]);
	winit_theory_free(&th);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

static Suite *norm_suite(void)
{
	Suite *s = suite_create("norm");
	TCase *tc = tcase_create("norm");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, norm_gradients_match_finite_differences);
	tcase_add_test(tc, batch_norm_moving_statistics_are_keras);
	tcase_add_test(tc, norm_trains_bit_identically_on_teams);
	tcase_add_test(tc, norm_theory_matches_probe_measurement);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(norm_suite());
}
