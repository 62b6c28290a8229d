/* tests/check_theory.c -- the signal-propagation prediction (src/theory/propagation.c):
 * Gauss-Hermite against known moments, and deep stacks at width 256 on Gaussian inputs
 * whose measured per-layer variances match the recursion within sample-size tolerance; the
 * mean-field fixed point and the edge of chaos (src/theory/fixed_point.c). */
#include <math.h>

#include "testutil.h"

static const struct winit_activation *act(const char *name)
{
	return (const struct winit_activation *)tu_use(WINIT_KIND_ACTIVATION, name, 0, NULL, NULL).info;
}

START_TEST(gauss_hermite_nodes)
{
	double x[WINIT_GH_POINTS], w[WINIT_GH_POINTS];
	ck_assert_int_eq(winit_gauss_hermite(WINIT_GH_POINTS, x, w), 0);
	double s0 = 0, s2 = 0, s4 = 0, s6 = 0;
	for (int i = 0; i < WINIT_GH_POINTS; i++) {
		double z = sqrt(2.0) * x[i]; /* z ~ N(0, 1) */
		s0 += w[i];
		s2 += w[i] * z * z;
		s4 += w[i] * z * z * z * z;
		s6 += w[i] * pow(z, 6);
	}
	/* Exact for polynomials up to degree 127: the normal's moments 1, 1, 3, 15. */
	ck_assert_double_eq_tol(s0 / sqrt(M_PI), 1.0, 1e-12);
	ck_assert_double_eq_tol(s2 / sqrt(M_PI), 1.0, 1e-12);
	ck_assert_double_eq_tol(s4 / sqrt(M_PI), 3.0, 1e-11);
	ck_assert_double_eq_tol(s6 / sqrt(M_PI), 15.0, 1e-10);
	/* Small n against the closed form: n = 2 has nodes +-1/sqrt(2), weights sqrt(pi)/2. */
	ck_assert_int_eq(winit_gauss_hermite(2, x, w), 0);
	ck_assert_double_eq_tol(fabs(x[0]), 1 / sqrt(2.0), 1e-14);
	ck_assert_double_eq_tol(w[0], sqrt(M_PI) / 2, 1e-14);
	ck_assert_int_eq(winit_gauss_hermite(0, x, w), -1);
}
END_TEST

/* Every n up to WINIT_GH_MAX integrates the normal's second and fourth moments exactly;
 * one more node is refused (from n = 199 the Newton iteration returned garbage with 0). */
START_TEST(gauss_hermite_every_n)
{
	static double x[WINIT_GH_MAX + 1], w[WINIT_GH_MAX + 1];
	for (int n = 1; n <= WINIT_GH_MAX; n++) {
		ck_assert_msg(winit_gauss_hermite(n, x, w) == 0, "n = %d refused", n);
		double s2 = 0, s4 = 0;
		for (int i = 0; i < n; i++) {
			double z2 = 2 * x[i] * x[i];
			s2 += w[i] * z2;
			s4 += w[i] * z2 * z2;
		}
		ck_assert_msg(fabs(s2 / sqrt(M_PI) - (n > 1 ? 1 : 0)) < 1e-9, "n = %d: E[z^2] %.12g", n,
		              s2 / sqrt(M_PI));
		if (n > 2)
			ck_assert_msg(fabs(s4 / sqrt(M_PI) - 3) < 1e-8, "n = %d: E[z^4] %.12g", n,
			              s4 / sqrt(M_PI));
	}
	ck_assert_int_eq(winit_gauss_hermite(WINIT_GH_MAX + 1, x, w), -1);
}
END_TEST

START_TEST(known_moments_through_plugins)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	/* The plugins run in float: ~1e-7 relative. */
	ck_assert_double_eq_tol(winit_gauss_expect(act("linear"), none, 1.0, 0), 1.0, 1e-6);
	ck_assert_double_eq_tol(winit_gauss_expect(act("linear"), none, 2.5, 0), 2.5, 1e-6);
	ck_assert_double_eq_tol(winit_gauss_expect(act("linear"), none, 1.0, 1), 1.0, 1e-6);
	ck_assert_double_eq_tol(winit_gauss_expect(act("relu"), none, 1.0, 0), 0.5, 1e-6);
	ck_assert_double_eq_tol(winit_gauss_expect(act("relu"), none, 4.0, 0), 2.0, 1e-6);
	ck_assert_double_eq_tol(winit_gauss_expect(act("relu"), none, 1.0, 1), 0.5, 1e-6);
	/* E[tanh'(z)^2] = E[sech^4 z] and E[tanh(z)^2] for z ~ N(0, 1), by Simpson's rule on
	 * [-20, 20] with 400,000 intervals (double precision). */
	ck_assert_double_eq_tol(winit_gauss_expect(act("tanh"), none, 1.0, 1), 0.46440290244822674,
	                        1e-5);
	ck_assert_double_eq_tol(winit_gauss_expect(act("tanh"), none, 1.0, 0), 0.39429449039782066,
	                        1e-5);
	/* q = 0: every node at 0. */
	ck_assert_double_eq_tol(winit_gauss_expect(act("tanh"), none, 0.0, 1), 1.0, 1e-6);
}
END_TEST

#define WIDTH 256
#define DEPTH 12
#define ROWS 1024

struct measured {
	double pre_var[DEPTH];
	double grad_var[DEPTH];
	double rho_out[DEPTH];  /* of each layer's activation (the next one's input) */
	double rho_grad[DEPTH]; /* of each layer's dL/dz */
	double rho_x;
};

/* How many independent directions the rows of v (rows, cols) span, inverted:
 * rho = tr(C^2) / tr(C)^2 for C = V^T V / rows (between 1/cols and 1; 1 when every row
 * is the same vector), from the rows' Gram matrix of the first RHO_ROWS rows (which can
 * only overstate it).  A random kernel W applied to these rows gives a mean square
 * (1/n) sum_j W_j^T C W_j over n units whose relative variance is 2 rho / n (Gaussian W:
 * Var(w^T C w) = 2 s^4 tr(C^2)): the effective sample size of a layer's variance. */
#define RHO_ROWS 256
static double rho(const float *v, int64_t rows, int64_t cols)
{
	if (rows > RHO_ROWS)
		rows = RHO_ROWS;
	double tr = 0, tr2 = 0;
	for (int64_t x = 0; x < rows; x++)
		for (int64_t y = x; y < rows; y++) {
			double d = 0;
			for (int64_t k = 0; k < cols; k++)
				d += (double)v[x * cols + k] * v[y * cols + k];
			tr2 += (x == y ? 1 : 2) * d * d;
			if (x == y)
				tr += d;
		}
	return tr > 0 ? tr2 / (tr * tr) : 1;
}

static double var0(const float *v, int64_t n)
{
	double s = 0, ss = 0;
	for (int64_t i = 0; i < n; i++)
		s += v[i];
	double mu = s / (double)n;
	for (int64_t i = 0; i < n; i++)
		ss += (v[i] - mu) * (v[i] - mu);
	return ss / (double)n;
}

static void fwd_hook(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                     int64_t cols)
{
	struct measured *m = ctx;
	m->pre_var[layer] = var0(z, rows * cols);
	m->rho_out[layer] = rho(a, rows, cols);
}

static void bwd_hook(void *ctx, int layer, const float *dz, const float *dw, int64_t rows,
                     int64_t n_in, int64_t cols)
{
	(void)dw;
	(void)n_in;
	struct measured *m = ctx;
	m->grad_var[layer] = var0(dz, rows * cols);
	m->rho_grad[layer] = rho(dz, rows, cols);
}

static struct winit_model_spec stack(const char *activation, const char *init, int depth)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = WIDTH;
	s.n_inputs = WIDTH;
	tu_layers(&s, depth);
	for (int i = 0; i < depth; i++)
		s.layers[i] = tu_dense(WIDTH, activation, init);
	return s;
}

/* Forward Gaussian inputs (ROWS, WIDTH), then backward a Gaussian dout; measure each
 * layer's Var(z) and Var(dL/dz), and the prediction for the same inputs. */
static void measure(const struct winit_model_spec *s, uint64_t seed, struct measured *m,
                    struct winit_theory *th)
{
	struct winit_model model;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&model, s, seed, &err) == 0, "%s", err.msg);
	ck_assert_msg(winit_model_reserve(&model, ROWS, &err) == 0, "%s", err.msg);
	float *x = malloc(ROWS * WIDTH * sizeof *x), *dout = malloc(ROWS * WIDTH * sizeof *dout);
	ck_assert(x && dout);
	struct winit_rng rng;
	winit_rng_seed(&rng, seed, 77);
	double m2 = 0;
	for (int i = 0; i < ROWS * WIDTH; i++) {
		x[i] = (float)winit_rng_normal(&rng);
		dout[i] = (float)winit_rng_normal(&rng);
		m2 += (double)x[i] * x[i];
	}
	m2 /= ROWS * WIDTH;
	memset(m, 0, sizeof *m);
	m->rho_x = rho(x, ROWS, WIDTH);
	struct winit_layer_hooks h = { m, fwd_hook, bwd_hook };
	model.hooks = h;
	winit_model_forward_train(&model, x, ROWS);
	winit_model_backward(&model, x, dout, ROWS);
	winit_theory_predict(th, s, m2, m->grad_var[s->n_layers - 1]);
	ck_assert_msg(th->applies, "%s", th->reason);
	free(x);
	free(dout);
	winit_model_free(&model);
}

/* Networks each stack is measured on: the mean of measured / predicted over them. */
#define NETS 4

/* The tolerance: 4 standard deviations of the relative sampling error of that mean.  In
 * one network each layer's kernel realization adds a relative variance of 2 rho / n (see
 * rho) to the variance it passes on, compounding over the layers between the input
 * (forward) or the output (backward) and the layer measured; NETS networks divide it by
 * NETS. */
static void check_stack(const char *activation, const char *init)
{
	struct winit_model_spec s = stack(activation, init, DEPTH);
	double fwd[DEPTH] = { 0 }, bwd[DEPTH] = { 0 }, fvar[DEPTH] = { 0 }, bvar[DEPTH] = { 0 };
	for (int k = 0; k < NETS; k++) {
		struct measured m;
		struct winit_theory th = { 0 };
		measure(&s, 5 + (uint64_t)k, &m, &th);
		double acc = 0;
		for (int l = 0; l < DEPTH; l++) {
			acc += 2 * (l ? m.rho_out[l - 1] : m.rho_x) / WIDTH;
			fvar[l] += acc / NETS;
			fwd[l] += m.pre_var[l] / th.pre_var[l] / NETS;
		}
		acc = 0;
		for (int l = DEPTH - 2; l >= 0; l--) {
			/* W_{l+1} on dL/dz_{l+1}, and the forward pass's fluctuation of layer l's
			 * own derivative mask f'(z_l) (as many effective samples as its input). */
			acc += 2 * m.rho_grad[l + 1] / WIDTH + 2 * (l ? m.rho_out[l - 1] : m.rho_x) / WIDTH;
			bvar[l] += acc / NETS;
			bwd[l] += m.grad_var[l] / th.grad_var[l] / NETS;
		}
		winit_theory_free(&th);
	}
	double worst = 0, worst_tol = 0, gworst = 0, gworst_tol = 0;
	for (int l = 0; l < DEPTH; l++) {
		double tol = 4 * sqrt(fvar[l] / NETS), rel = fabs(fwd[l] - 1);
		if (rel > worst)
			worst = rel, worst_tol = tol;
		ck_assert_msg(rel <= tol,
		              "%s/%s layer %d: measured Var(z) / predicted %g over %d networks (tolerance %.1f%%)",
		              activation, init, l + 1, fwd[l], NETS, 100 * tol);
		if (l == DEPTH - 1)
			continue; /* the anchor */
		tol = 4 * sqrt(bvar[l] / NETS);
		rel = fabs(bwd[l] - 1);
		if (rel > gworst)
			gworst = rel, gworst_tol = tol;
		ck_assert_msg(rel <= tol,
		              "%s/%s layer %d: measured Var(dL/dz) / predicted %g over %d networks (tolerance %.1f%%)",
		              activation, init, l + 1, bwd[l], NETS, 100 * tol);
	}
	printf("%s/%s, %d layers of %d, %d networks: Var(z) within %.1f%% of the prediction "
	       "(tolerance there %.1f%%), Var(dL/dz) within %.1f%% (%.1f%%)\n",
	       activation, init, DEPTH, WIDTH, NETS, 100 * worst, 100 * worst_tol, 100 * gworst,
	       100 * gworst_tol);
}

START_TEST(linear_stack)
{
	check_stack("linear", "glorot_normal");
	check_stack("linear", "random_normal"); /* sd 0.05: shrinks 0.64x a layer */
}
END_TEST

START_TEST(tanh_stack)
{
	check_stack("tanh", "glorot_normal");
}
END_TEST

START_TEST(relu_stack)
{
	check_stack("relu", "he_normal");
	check_stack("relu", "glorot_normal");
}
END_TEST

/* ReLU at fan_in = fan_out: Glorot halves the variance every layer, He keeps it.  The
 * per-layer ratio is the geometric mean over the stack, (Var_L / Var_1)^(1 / (L - 1)):
 * one layer's ratio moves by up to sqrt(2 rho / width) (~9% once the rows are correlated,
 * see rho), the mean over 11 layers by a third of that. */
static void check_ratio(const char *init, double want, double tol)
{
	struct winit_model_spec s = stack("relu", init, DEPTH);
	struct measured m;
	struct winit_theory th = { 0 };
	measure(&s, 9, &m, &th);
	double r = pow(m.pre_var[DEPTH - 1] / m.pre_var[0], 1.0 / (DEPTH - 1));
	printf("relu/%s: per-layer Var(z) ratio %.3f (prediction %.3f)\n", init, r,
	       th.pre_var[1] / th.pre_var[0]);
	ck_assert_msg(fabs(r - want) <= tol, "%s: per-layer Var ratio %g, want %g +- %g", init, r,
	              want, tol);
	for (int l = 1; l < DEPTH; l++)
		ck_assert_double_eq_tol(th.pre_var[l] / th.pre_var[l - 1], want, 1e-6);
	winit_theory_free(&th);
}

START_TEST(glorot_halves_he_keeps)
{
	check_ratio("glorot_normal", 0.5, 0.05);
	check_ratio("he_normal", 1.0, 0.1);
}
END_TEST

START_TEST(where_it_does_not_apply)
{
	struct winit_theory th = { 0 };
	struct winit_model_spec s = stack("tanh", "glorot_normal", 3);
	s.layers[1].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "lsuv", 0, NULL, NULL);
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert(th.computed && !th.applies);
	ck_assert_msg(strstr(th.reason, "layer 2 kernel") && strstr(th.reason, "data-aware"), "%s",
	              th.reason);
	s = stack("tanh", "glorot_normal", 3);
	s.layers[0].activation = tu_use(WINIT_KIND_ACTIVATION, "softmax", 0, NULL, NULL);
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert(!th.applies);
	ck_assert_msg(strstr(th.reason, "row-wise"), "%s", th.reason);
	/* A softmax output layer is fine: it never enters the recursion. */
	s = stack("tanh", "glorot_normal", 3);
	s.layers[2].activation = tu_use(WINIT_KIND_ACTIVATION, "softmax", 0, NULL, NULL);
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert_msg(th.applies, "%s", th.reason);
	winit_theory_free(&th);
}
END_TEST

/* The fixed point against closed forms and an independent integration. */
static struct winit_fixed_point fixed(const char *name, double sw, double sb)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	struct winit_fixed_point fp;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_theory_fixed_point(&fp, act(name), none, sw, sb, &err) == 0, "%s",
	              err.msg);
	return fp;
}

START_TEST(fixed_point_closed_forms)
{
	/* linear: q* = sb^2 / (1 - sw^2), chi_1 = sw^2; relu: E[relu(z)^2] = q / 2, so
	 * q* = sb^2 / (1 - sw^2 / 2), chi_1 = sw^2 / 2 (critical at sqrt 2 for any sb). */
	struct winit_fixed_point fp = fixed("linear", 0.5, 0.3);
	ck_assert_double_eq_tol(fp.q_star, 0.09 / 0.75, 1e-6);
	ck_assert_double_eq_tol(fp.chi_1, 0.25, 1e-6);
	ck_assert_double_eq_tol(fp.depth_scale, 1 / log(4.0), 1e-5);
	fp = fixed("relu", 1.2, 0.2);
	ck_assert_double_eq_tol(fp.q_star, 0.04 / (1 - 0.72), 1e-6);
	ck_assert_double_eq_tol(fp.chi_1, 0.72, 1e-6);
	/* relu beyond sqrt 2: the variance grows without bound, chi_1 stays sw^2 / 2. */
	fp = fixed("relu", 2.0, 0.1);
	ck_assert(isinf(fp.q_star));
	ck_assert_double_eq_tol(fp.chi_1, 2.0, 1e-6);
	/* tanh without bias below sigma_w = 1: the signal dies (q* = 0), chi_1 = sw^2 f'(0)^2. */
	fp = fixed("tanh", 0.8, 0);
	ck_assert_double_eq_tol(fp.q_star, 0, 1e-12);
	ck_assert_double_eq_tol(fp.chi_1, 0.64, 1e-6);
}
END_TEST

START_TEST(fixed_point_tanh_reference)
{
	/* q* and chi_1 of tanh by bisection on q with Simpson's rule (24,000 intervals on
	 * [-12, 12] sd, double precision, in Python): independent of the quadrature and of the
	 * float plugin (1e-7 relative). */
	static const double ref[][4] = {
		{ 2.0, 0.0, 2.1214735682, 1.3626733375 },
		{ 1.5, 0.3, 0.9608442797, 1.0609812641 },
		{ 3.0, 0.5, 6.6118986237, 1.8182601114 },
		{ 1.0, 0.05, 0.0371220351, 0.9340590695 },
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		struct winit_fixed_point fp = fixed("tanh", ref[i][0], ref[i][1]);
		ck_assert_msg(fabs(fp.q_star - ref[i][2]) <= 1e-5 * ref[i][2] + 1e-9,
		              "tanh sw %g sb %g: q* %.10f, want %.10f", ref[i][0], ref[i][1], fp.q_star,
		              ref[i][2]);
		ck_assert_msg(fabs(fp.chi_1 - ref[i][3]) <= 1e-5 * ref[i][3],
		              "tanh sw %g sb %g: chi_1 %.10f, want %.10f", ref[i][0], ref[i][1], fp.chi_1,
		              ref[i][3]);
	}
}
END_TEST

START_TEST(edge_of_chaos)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	struct winit_error err = { 0 };
	double sw = 0;
	/* tanh, no bias: the edge at sigma_w = 1 (chi_1 = sw^2 tanh'(0)^2 while q* = 0). */
	ck_assert_msg(winit_theory_critical_sigma_w(&sw, act("tanh"), none, 0, 0.5, 4, &err) == 0,
	              "%s", err.msg);
	ck_assert_double_eq_tol(sw, 1.0, 1e-4);
	/* With a bias the edge moves to larger sigma_w (Poole et al. 2016, fig. 2). */
	ck_assert(winit_theory_critical_sigma_w(&sw, act("tanh"), none, 0.3, 0.5, 4, &err) == 0);
	ck_assert_msg(sw > 1.1 && sw < 1.5, "tanh sb 0.3: critical sigma_w %g", sw);
	struct winit_fixed_point fp = fixed("tanh", sw, 0.3);
	ck_assert_double_eq_tol(fp.chi_1, 1.0, 1e-6);
	ck_assert_msg(fp.depth_scale > 1e4, "depth scale %g at the edge", fp.depth_scale);
	ck_assert(winit_theory_critical_sigma_w(&sw, act("relu"), none, 0.2, 0.5, 4, &err) == 0);
	ck_assert_double_eq_tol(sw, sqrt(2.0), 1e-5);
}
END_TEST

START_TEST(fixed_point_errors)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	struct winit_error err = { 0 };
	struct winit_fixed_point fp;
	double sw;
	ck_assert_int_eq(winit_theory_fixed_point(&fp, act("tanh"), none, 0, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "sigma_w must be"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_fixed_point(&fp, act("tanh"), none, 1, -0.1, &err),
	                 WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "sigma_b must be"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_fixed_point(&fp, act("tanh"), none, NAN, 0, &err),
	                 WINIT_ERR_ARG);
	ck_assert_int_eq(winit_theory_fixed_point(&fp, act("softmax"), none, 1, 0, &err),
	                 WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "row-wise"), "%s", err.msg);
	/* A range that does not bracket the edge is refused, naming both chi_1. */
	ck_assert_int_eq(winit_theory_critical_sigma_w(&sw, act("tanh"), none, 0, 1.5, 4, &err),
	                 WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "bracket"), "%s", err.msg);
}
END_TEST

static Suite *theory_suite(void)
{
	Suite *s = suite_create("theory");
	TCase *q = tcase_create("quadrature");
	tcase_add_test(q, gauss_hermite_nodes);
	tcase_add_test(q, gauss_hermite_every_n);
	tcase_add_test(q, known_moments_through_plugins);
	suite_add_tcase(s, q);
	TCase *p = tcase_create("propagation");
	tcase_add_test(p, linear_stack);
	tcase_add_test(p, tanh_stack);
	tcase_add_test(p, relu_stack);
	tcase_add_test(p, glorot_halves_he_keeps);
	tcase_add_test(p, where_it_does_not_apply);
	suite_add_tcase(s, p);
	TCase *f = tcase_create("fixed_point");
	tcase_add_test(f, fixed_point_closed_forms);
	tcase_add_test(f, fixed_point_tanh_reference);
	tcase_add_test(f, edge_of_chaos);
	tcase_add_test(f, fixed_point_errors);
	suite_add_tcase(s, f);
	return s;
}

int main(void)
{
	return tu_run(theory_suite());
}
