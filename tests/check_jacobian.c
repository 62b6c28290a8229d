/* winit_model_jacobian_spectrum (src/nn/jacobian.c): a deep linear orthogonal network is
 * an isometry (every singular value 1, to 1e-5); a deep linear Gaussian one's squared
 * singular values have mean 1 and a spread that grows as the depth, as free probability
 * predicts; the squared singular values sum to the
 * Jacobian's Frobenius norm, computed from the weights' product (linear) or by central
 * differences (tanh); a slice between two hidden layers; bad ranges refused; Lanczos
 * against the exact route, and on an orthogonal stack too wide for it. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>

#include "testutil.h"

static struct winit_model_spec stack(int depth, int64_t width, const char *act, const char *init)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = width;
	struct winit_error err = { 0 };
	for (int i = 0; i < depth; i++) {
		struct winit_layer_spec l = tu_dense(width, act, init);
		l.use_bias = 0;
		ck_assert(winit_model_spec_add_layer(&s, &l, &err) == 0);
	}
	return s;
}

static float *inputs(int64_t n, int64_t width)
{
	float *x = malloc((size_t)(n * width) * sizeof *x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 4, 0);
	for (int64_t i = 0; i < n * width; i++)
		x[i] = (float)winit_rng_normal(&rng);
	return x;
}

/* 32 linear layers of width 48 with orthogonal kernels: J is a product of orthogonal
 * matrices, every singular value 1 (float32 products through 32 layers: to 1e-5; the
 * largest deviation measured is 1.04e-6). */
START_TEST(orthogonal_linear_stack_is_an_isometry)
{
	struct winit_model_spec s = stack(32, 48, "linear", "orthogonal");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 3, &err) == 0, "%s", err.msg);
	float *x = inputs(2, 48);
	double sv[2 * 48];
	int64_t k = 0;
	ck_assert_msg(winit_model_jacobian_spectrum(&m, x, 2, -1, 31, sv, &k, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(k, 48);
	for (int i = 0; i < 2 * 48; i++)
		ck_assert_msg(fabs(sv[i] - 1) < 1e-5, "singular value %d: %.9g", i, sv[i]);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Gaussian linear layers: the spread is wide (the largest several times the smallest),
 * and sum sv^2 = ||W_1 ... W_L||_F^2 from the weights in double; between layers 2 and 5
 * (a slice) likewise from their product. */
START_TEST(singular_values_match_the_weights_product)
{
	enum { W = 24,
	       D = 6 };
	struct winit_model_spec s = stack(D, W, "linear", "glorot_normal");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 5, &err) == 0, "%s", err.msg);
	float *x = inputs(1, W);
	for (int from = -1; from <= 1; from += 2) {
		int to = from == -1 ? D - 1 : 4;
		double sv[W], p[W * W], q[W * W];
		int64_t k = 0;
		ck_assert_msg(winit_model_jacobian_spectrum(&m, x, 1, from, to, sv, &k, &err) == 0, "%s", err.msg);
		/* P = W_{from+1} ... W_to (x W convention: out = in P) */
		for (int a = 0; a < W; a++)
			for (int b = 0; b < W; b++)
				p[a * W + b] = a == b;
		for (int l = from + 1; l <= to; l++) {
			const float *w = m.layer[l].w;
			for (int a = 0; a < W; a++)
				for (int b = 0; b < W; b++) {
					double sum = 0;
					for (int c = 0; c < W; c++)
						sum += p[a * W + c] * w[c * W + b];
					q[a * W + b] = sum;
				}
			memcpy(p, q, sizeof p);
		}
		double fro = 0, s2 = 0;
		for (int a = 0; a < W * W; a++)
			fro += p[a] * p[a];
		for (int j = 0; j < W; j++)
			s2 += sv[j] * sv[j];
		ck_assert_msg(fabs(s2 / fro - 1) < 1e-5, "from %d: sum sv^2 %g, ||P||^2 %g", from, s2, fro);
		ck_assert(sv[0] > 3 * sv[W - 1]);
		for (int j = 1; j < W; j++)
			ck_assert(sv[j] <= sv[j - 1]);
	}
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Linear layers with N(0, 1 / fan_in) kernels
 * (random_normal, sd 1 / sqrt(256)): free probability says the squared singular values lambda of the product of L of them
 * have mean chi_1^L = 1 and normalized variance Var(lambda) / mean^2 = L (each Gaussian
 * factor adds Marchenko-Pastur's 1), plus finite-width corrections of order L / N.
 * Width 256, depths 1, 2, 4, 8 (prefixes of one network), 6 networks: the pooled mean
 * within 0.08 of 1 (the networks' own mean_sq scatter by 0.02-0.05 at these depths) and
 * the normalized variance within 10% of L, growing with depth.  Orthogonal kernels would
 * give 0, a variance off by a factor sigma^2 per layer a mean of sigma^(2L). */
START_TEST(gaussian_linear_spread_grows_as_depth)
{
	enum { W = 256,
	       D = 8,
	       NETS = 6 };
	static const int depths[] = { 1, 2, 4, 8 };
	static double lam[4][NETS * W];
	struct winit_model_spec s = stack(D, W, "linear", "glorot_normal");
	for (int i = 0; i < D; i++) /* variance 1 / fan_in, untruncated */
		s.layers[i].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1,
		                                        (const char *const[]){ "stddev" }, (const double[]){ 1.0 / 16 });
	float *x = inputs(1, W);
	for (int net = 0; net < NETS; net++) {
		struct winit_model m;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_model_init(&m, &s, 100 + (uint64_t)net, &err) == 0, "%s", err.msg);
		for (int d = 0; d < 4; d++) {
			double sv[W];
			int64_t k = 0;
			ck_assert_msg(winit_model_jacobian_spectrum(&m, x, 1, -1, depths[d] - 1, sv, &k, &err) == 0, "%s",
			              err.msg);
			ck_assert_int_eq(k, W);
			for (int j = 0; j < W; j++)
				lam[d][net * W + j] = sv[j] * sv[j];
		}
		winit_model_free(&m);
	}
	double prev = 0;
	for (int d = 0; d < 4; d++) {
		double mean = 0, var = 0;
		for (int j = 0; j < NETS * W; j++)
			mean += lam[d][j];
		mean /= NETS * W;
		for (int j = 0; j < NETS * W; j++)
			var += (lam[d][j] - mean) * (lam[d][j] - mean);
		var /= NETS * W;
		double nv = var / (mean * mean), L = depths[d];
		ck_assert_msg(fabs(mean - 1) < 0.08, "depth %d: mean squared singular value %.4f, theory 1", depths[d],
		              mean);
		ck_assert_msg(fabs(nv / L - 1) < 0.1, "depth %d: Var(lambda) / mean^2 %.4f, theory %g", depths[d], nv, L);
		ck_assert_msg(nv > prev, "depth %d: the spread %.4f does not grow (%.4f before)", depths[d], nv, prev);
		prev = nv;
	}
	free(x);
	winit_model_spec_free(&s);
}
END_TEST

/* A tanh network's Jacobian (activations included) against central differences of its
 * forward pass: sum sv^2 equals the squared Frobenius norm of the differences. */
START_TEST(tanh_jacobian_matches_finite_differences)
{
	enum { W = 16,
	       D = 4 };
	struct winit_model_spec s = stack(D, W, "tanh", "glorot_normal");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 9, &err) == 0, "%s", err.msg);
	float *x = inputs(1, W);
	double sv[W];
	int64_t k = 0;
	ck_assert_msg(winit_model_jacobian_spectrum(&m, x, 1, -1, D - 1, sv, &k, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, 1, &err), 0);
	double fro = 0;
	for (int c = 0; c < W; c++) {
		float keep = x[c], yp[W], ym[W];
		x[c] = keep + 1e-2f;
		memcpy(yp, winit_model_forward(&m, x, 1), sizeof yp);
		x[c] = keep - 1e-2f;
		memcpy(ym, winit_model_forward(&m, x, 1), sizeof ym);
		double h = (double)(keep + 1e-2f) - (keep - 1e-2f);
		x[c] = keep;
		for (int j = 0; j < W; j++)
			fro += ((yp[j] - ym[j]) / h) * ((yp[j] - ym[j]) / h);
	}
	double s2 = 0;
	for (int j = 0; j < W; j++)
		s2 += sv[j] * sv[j];
	/* float32 differences over 2e-2: about 1e-5 relative, and h^2 curvature terms 1e-4 */
	ck_assert_msg(fabs(s2 / fro - 1) < 2e-3, "sum sv^2 %g, finite differences %g", s2, fro);
	double none[1];
	ck_assert_int_eq(winit_model_jacobian_spectrum(&m, x, 1, 2, 2, none, &k, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "from 3, to 3"), "%s", err.msg);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Lanczos on a 300-unit tanh network (rows past one backward block of 256): with as many
 * steps as singular values it gives the exact route's values (to 1e-6 of the largest);
 * with 40 steps the largest and smallest Ritz values already agree with them (to 1e-6 and
 * 1e-3 of the largest), and mean_sq is the exact mean of the squares whatever the steps. */
START_TEST(lanczos_agrees_with_the_exact_spectrum)
{
	enum { W = 300,
	       D = 3 };
	struct winit_model_spec s = stack(D, W, "tanh", "glorot_normal");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 12, &err) == 0, "%s", err.msg);
	float *x = inputs(2, W);
	double *exact = malloc(2 * W * sizeof *exact), *ritz = malloc(2 * W * sizeof *ritz), ms[2];
	int64_t k = 0, n = 0;
	ck_assert_msg(winit_model_jacobian_spectrum(&m, x, 2, -1, D - 1, exact, &k, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(k, W);
	ck_assert_msg(winit_model_jacobian_lanczos(&m, x, 2, -1, D - 1, W, ritz, &n, ms, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(n, W);
	for (int ex = 0; ex < 2; ex++) {
		double s2 = 0;
		for (int q = 0; q < W; q++) {
			s2 += exact[ex * W + q] * exact[ex * W + q];
			ck_assert_msg(fabs(ritz[ex * W + q] - exact[ex * W + q]) < 1e-6 * exact[ex * W],
			              "example %d, value %d: Lanczos %.9g, exact %.9g", ex, q, ritz[ex * W + q],
			              exact[ex * W + q]);
		}
		ck_assert_msg(fabs(ms[ex] / (s2 / W) - 1) < 1e-9, "mean_sq %.12g, exact %.12g", ms[ex], s2 / W);
	}
	double few[2 * 40], ms40[2];
	ck_assert_msg(winit_model_jacobian_lanczos(&m, x, 2, -1, D - 1, 40, few, &n, ms40, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(n, 40);
	for (int ex = 0; ex < 2; ex++) {
		ck_assert_msg(fabs(few[ex * 40] - exact[ex * W]) < 1e-6 * exact[ex * W], "largest %.9g vs %.9g",
		              few[ex * 40], exact[ex * W]);
		ck_assert(ms40[ex] == ms[ex]);
		/* the interior is a coarse sample: the 40 values are not the 40 largest */
		ck_assert(few[ex * 40 + 39] < exact[ex * W + 39]);
	}
	ck_assert_int_eq(winit_model_jacobian_lanczos(&m, x, 2, -1, D - 1, 0, few, &n, ms40, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "at least 1"), "%s", err.msg);
	free(exact);
	free(ritz);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* Beyond the exact route's reach, a linear stack of orthogonal kernels 1,100 wide: J is
 * orthogonal, so every Krylov space is invariant at once (Lanczos breaks down at every
 * step and restarts in the complement): each of 30 Ritz values is 1, to 1e-5. */
START_TEST(lanczos_finds_the_isometry_of_a_wide_orthogonal_stack)
{
	enum { W = 1100 };
	struct winit_model_spec s = stack(3, W, "linear", "orthogonal");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 2, &err) == 0, "%s", err.msg);
	float *x = inputs(1, W);
	double sv[30], ms = 0;
	int64_t n = 0;
	ck_assert_msg(winit_model_jacobian_lanczos(&m, x, 1, -1, 2, 30, sv, &n, &ms, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(n, 30);
	for (int q = 0; q < 30; q++)
		ck_assert_msg(fabs(sv[q] - 1) < 1e-5, "Ritz value %d: %.9g", q, sv[q]);
	ck_assert_msg(fabs(ms - 1) < 1e-5, "mean_sq %.9g", ms);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

static Suite *jacobian_suite(void)
{
	Suite *s = suite_create("jacobian");
	TCase *tc = tcase_create("jacobian");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, orthogonal_linear_stack_is_an_isometry);
	tcase_add_test(tc, singular_values_match_the_weights_product);
	tcase_add_test(tc, gaussian_linear_spread_grows_as_depth);
	tcase_add_test(tc, tanh_jacobian_matches_finite_differences);
	tcase_add_test(tc, lanczos_agrees_with_the_exact_spectrum);
	tcase_add_test(tc, lanczos_finds_the_isometry_of_a_wide_orthogonal_stack);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(jacobian_suite());
}
