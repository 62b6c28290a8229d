/* tests/check_theory.c -- the signal-propagation prediction (src/theory/propagation.c):
 * Gauss-Hermite against known moments, and deep stacks at width 256 on Gaussian inputs
 * whose measured per-layer variances match the recursion within sample-size tolerance; the
 * mean-field fixed point and the edge of chaos (src/theory/fixed_point.c); the correlation
 * map, c*, chi_c and the depth scales (src/theory/correlation.c) against closed forms. */
#include <math.h>

#include "testutil.h"
#include "theory/theory_internal.h"

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

/* ---- correlations (src/theory/correlation.c) ---- */

/* The closed forms, for (u1, u2) of variances q1, q2 and correlation c: ReLU's arc-cosine
 * kernel (Cho & Saul 2009), its derivative's (a step's), erf(a u)'s arcsine kernel
 * (Williams 1997). */
static double relu_kernel(double q1, double q2, double c)
{
	double t = acos(c);
	return sqrt(q1 * q2) / (2 * M_PI) * (sin(t) + (M_PI - t) * c);
}

static double step_kernel(double c)
{
	return (M_PI - acos(c)) / (2 * M_PI);
}

static double erf_kernel(double a, double q1, double q2, double c)
{
	double a2 = a * a;
	return 2 / M_PI * asin(2 * a2 * c * sqrt(q1 * q2) / sqrt((1 + 2 * a2 * q1) * (1 + 2 * a2 * q2)));
}

static double relu_d(double x)
{
	return x > 0 ? x : 0;
}

/* The test-only activation erf(a x) (tests/plugins/theory/erf.c), loaded once. */
static struct winit_plugin_use erf_use(double a)
{
	static int loaded;
	if (!loaded) {
		char path[1024];
		struct winit_error err = { 0 };
		const char *d = getenv("top_builddir");
		ck_assert_msg(d && *d, "top_builddir is not set (run through make check)");
		snprintf(path, sizeof path, "%s/tests/plugins/theory/.libs/erf.so", d);
		ck_assert_msg(winit_registry_load_file(tu_registry(), path, &err) == 0, "%s", err.msg);
		loaded = 1;
	}
	const char *const names[] = { "a" };
	return tu_use(WINIT_KIND_ACTIVATION, "erf", 1, names, &a);
}

static const double rule_cs[] = { -1, -0.7, 0, 0.5, 0.9, 0.999, 1 };

START_TEST(correlation_rule_closed_forms)
{
	/* In double precision the rule meets the closed forms to rounding (measured: 5e-15;
	 * a 192 x 192 Gauss-Hermite product is off by 7e-4 for ReLU and 1e-2 for the step). */
	static double x1[WINIT_CORR_NODES], x2[WINIT_CORR_NODES], w[WINIT_CORR_NODES];
	const double q1 = 1.3, q2 = 0.7, tol = 1e-12;
	for (size_t k = 0; k < sizeof rule_cs / sizeof rule_cs[0]; k++) {
		double c = rule_cs[k];
		winit_corr_rule(c, x1, x2, w);
		double sw = 0, lin = 0, relu = 0, step = 0, erf1 = 0, erf2 = 0;
		for (int i = 0; i < WINIT_CORR_NODES; i++) {
			double u1 = sqrt(q1) * x1[i], u2 = sqrt(q2) * x2[i];
			sw += w[i];
			lin += w[i] * u1 * u2;
			relu += w[i] * relu_d(u1) * relu_d(u2);
			step += w[i] * (u1 > 0) * (u2 > 0);
			erf1 += w[i] * erf(u1) * erf(u2);
			erf2 += w[i] * erf(0.3 * u1) * erf(0.3 * u2);
		}
		ck_assert_double_eq_tol(sw, 1, tol);
		ck_assert_double_eq_tol(lin, c * sqrt(q1 * q2), tol);
		ck_assert_msg(fabs(relu - relu_kernel(q1, q2, c)) < tol, "relu at c %g: %.17g, want %.17g",
		              c, relu, relu_kernel(q1, q2, c));
		ck_assert_msg(fabs(step - step_kernel(c)) < tol, "step at c %g: %.17g, want %.17g", c,
		              step, step_kernel(c));
		ck_assert_msg(fabs(erf1 - erf_kernel(1, q1, q2, c)) < tol, "erf at c %g: %.17g, want %.17g",
		              c, erf1, erf_kernel(1, q1, q2, c));
		ck_assert_msg(fabs(erf2 - erf_kernel(0.3, q1, q2, c)) < tol,
		              "erf(0.3 u) at c %g: %.17g, want %.17g", c, erf2, erf_kernel(0.3, q1, q2, c));
	}
}
END_TEST

static struct winit_correlation cmap(const struct winit_activation *a, const double *params,
                                     double sw, double sb, double q1, double q2, double c)
{
	struct winit_correlation m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_theory_correlation_map(&m, a, params, sw, sb, q1, q2, c, &err) == 0, "%s",
	              err.msg);
	return m;
}

START_TEST(correlation_map_closed_forms)
{
	/* Through the plugins, which compute in float: measured within 2e-7 relative; the
	 * tolerance 1e-6 is five times that, and a kernel off by 1% (or a factor of 2) fails. */
	double none[WINIT_MAX_PARAMS] = { 0 };
	const double q1 = 1.3, q2 = 0.7, sw = 1.3, sb = 0.2, sw2 = sw * sw, sb2 = sb * sb;
	struct winit_plugin_use e1 = erf_use(1.0), e2 = erf_use(0.7);
	for (size_t k = 0; k < sizeof rule_cs / sizeof rule_cs[0]; k++) {
		double c = rule_cs[k];
		/* relu: q' = sw^2 q / 2 + sb^2 */
		struct winit_correlation m = cmap(act("relu"), none, sw, sb, q1, q2, c);
		double r1 = sw2 * q1 / 2 + sb2, r2 = sw2 * q2 / 2 + sb2;
		double r12 = sw2 * relu_kernel(q1, q2, c) + sb2;
		ck_assert_double_eq_tol(m.q1, r1, 1e-6 * r1);
		ck_assert_double_eq_tol(m.q2, r2, 1e-6 * r2);
		ck_assert_msg(fabs(m.q12 - r12) < 1e-6 * r1, "relu c %g: q12' %.10g, want %.10g", c, m.q12,
		              r12);
		ck_assert_msg(fabs(m.c - r12 / sqrt(r1 * r2)) < 1e-6, "relu c %g: c' %.10g, want %.10g", c,
		              m.c, r12 / sqrt(r1 * r2));
		/* erf(a u), a = 1 and 0.7 */
		for (int j = 0; j < 2; j++) {
			double a = j ? 0.7 : 1.0;
			struct winit_plugin_use *e = j ? &e2 : &e1;
			m = cmap((const struct winit_activation *)e->info, e->params, sw, sb, q1, q2, c);
			double e12 = sw2 * erf_kernel(a, q1, q2, c) + sb2;
			double v1 = sw2 * erf_kernel(a, q1, q1, 1) + sb2, v2 = sw2 * erf_kernel(a, q2, q2, 1) + sb2;
			ck_assert_double_eq_tol(m.q1, v1, 1e-6 * v1);
			ck_assert_double_eq_tol(m.q2, v2, 1e-6 * v2);
			ck_assert_msg(fabs(m.q12 - e12) < 1e-6 * v1, "erf(%g u) c %g: q12' %.10g, want %.10g",
			              a, c, m.q12, e12);
			ck_assert_msg(fabs(m.c - e12 / sqrt(v1 * v2)) < 1e-6, "erf(%g u) c %g: c' %.10g, want %.10g",
			              a, c, m.c, e12 / sqrt(v1 * v2));
		}
		/* linear without bias: c' = c, whatever sigma_w, q1, q2 */
		m = cmap(act("linear"), none, 0.7, 0, q1, q2, c);
		ck_assert_msg(fabs(m.c - c) < 1e-6, "linear c %g: c' %.10g", c, m.c);
		ck_assert_double_eq_tol(m.q12, 0.49 * c * sqrt(q1 * q2), 1e-6);
	}
	/* c = 1 with q1 = q2: the same input twice, c' = 1 exactly. */
	ck_assert(cmap(act("tanh"), none, 1.7, 0.3, 0.8, 0.8, 1).c == 1);
}
END_TEST

static struct winit_correlation_fixed_point cfp(const struct winit_activation *a,
                                                const double *params, double sw, double sb)
{
	struct winit_correlation_fixed_point f;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_theory_correlation_fixed_point(&f, a, params, sw, sb, &err) == 0, "%s",
	              err.msg);
	return f;
}

START_TEST(correlation_fixed_point_closed_forms)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	/* relu, sb > 0, below sqrt 2: c* = 1 (the map's only fixed point), chi_c = chi_1 =
	 * sw^2 / 2, and the variance map q' = sw^2 q / 2 + sb^2 has the same slope. */
	struct winit_correlation_fixed_point f = cfp(act("relu"), none, 1.2, 0.2);
	ck_assert(f.c_star == 1);
	ck_assert_double_eq_tol(f.chi_c, 0.72, 1e-6);
	ck_assert_double_eq_tol(f.xi_c, -1 / log(0.72), 1e-5);
	ck_assert_double_eq_tol(f.xi_q, -1 / log(0.72), 1e-5);
	/* relu at sqrt 2 without bias: the edge, chi_c = 1. */
	f = cfp(act("relu"), none, sqrt(2.0), 0);
	ck_assert(f.c_star == 1);
	ck_assert_double_eq_tol(f.chi_c, 1, 1e-6);
	ck_assert_msg(f.xi_c > 1e5, "relu's xi_c at the edge: %g", f.xi_c);
	/* relu beyond sqrt 2, q* infinite: the map at q = 1e30 is the arc-cosine kernel's,
	 * normalised, with c' >= c for every c: c* = 1, chi_c = chi_1 = sw^2 / 2 > 1. */
	f = cfp(act("relu"), none, 2, 0.1);
	ck_assert(isinf(f.q_star) && f.c_star == 1);
	ck_assert_double_eq_tol(f.chi_c, 2, 1e-6);
	/* tanh at its critical point sw = 1, sb = 0: c* = 1, chi_c = 1. */
	f = cfp(act("tanh"), none, 1, 0);
	ck_assert(f.c_star == 1);
	ck_assert_double_eq_tol(f.chi_c, 1, 1e-6);
	/* erf(a u): q*, c*, chi_c, xi_q and xi_c from the closed forms (q* and c* by root finding
	 * on them at 30 digits with mpmath: tests/tools/correlation_reference.py erf); the
	 * chaotic cases have c* < 1, the odd one without bias c* = 0, the ordered ones c* = 1.
	 * Float plugin: 1e-6 relative. */
	static const double ref[][8] = {
		/* sw, sb, a, q*, c*, chi_c, xi_q, xi_c */
		{ 2.0, 0.3, 1.0, 2.631000654152, 0.186601897025, 0.823498312376, 0.6998600894, 5.1494955539 },
		{ 2.0, 0.0, 1.0, 2.511498021691, 0.0, 0.845585509646, 0.7305883720, 5.9621055457 },
		/* just past the edge (sigma_w = 1.2336725): c* near 1, c' - c there below 3e-4 */
		{ 1.25, 0.3, 1.0, 0.716458360983, 0.954222611605, 0.988618212702, 1.1398246809, 87.3587094028 },
		{ 1.5, 0.5, 0.7, 0.985756215247, 1.0, 0.819786283270, 1.1432052977, 5.0324187699 },
		{ 0.8, 0.3, 1.0, 0.214040131166, 1.0, 0.598111739306, 1.1490175104, 1.9456097500 },
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		const double *r = ref[i];
		struct winit_plugin_use e = erf_use(r[2]);
		f = cfp((const struct winit_activation *)e.info, e.params, r[0], r[1]);
		ck_assert_msg(fabs(f.q_star - r[3]) < 1e-6 * r[3], "erf case %zu: q* %.10g, want %.10g", i,
		              f.q_star, r[3]);
		ck_assert_msg(fabs(f.c_star - r[4]) < 1e-6, "erf case %zu: c* %.10g, want %.10g", i,
		              f.c_star, r[4]);
		ck_assert_msg(fabs(f.chi_c - r[5]) < 1e-6, "erf case %zu: chi_c %.10g, want %.10g", i,
		              f.chi_c, r[5]);
		ck_assert_msg(fabs(f.xi_q - r[6]) < 1e-5 * r[6], "erf case %zu: xi_q %.10g, want %.10g", i,
		              f.xi_q, r[6]);
		ck_assert_msg(fabs(f.xi_c - r[7]) < 1e-5 * r[7], "erf case %zu: xi_c %.10g, want %.10g", i,
		              f.xi_c, r[7]);
	}
}
END_TEST

START_TEST(correlation_tanh_reference)
{
	/* tanh has no closed form: c*, chi_c and xi_c by Mehler's expansion E[f(u1) f(u2)] =
	 * sum_n a_n^2 c^n / n!, a_n = E[f(sqrt(q*) z) He_n(z)] (80 terms, 1-D quadrature in
	 * mpmath at 20 digits; c* by bisection on the series: tests/tools/correlation_reference.py
	 * tanh), so independent of the two-dimensional rule.  Measured: within 6e-9 of it; the tolerances are the float
	 * plugin's 1e-7.  The chaotic phase at small and large q*, and c* = 0 without bias. */
	double none[WINIT_MAX_PARAMS] = { 0 };
	static const double ref[][5] = {
		/* sw, sb, c*, chi_c, xi_c */
		{ 1.5, 0.3, 0.7667532973, 0.9510295576, 19.9162972273 },
		{ 3.0, 0.5, 0.1689988775, 0.7822909333, 4.0728457763 },
		{ 2.0, 0.0, 0.0, 0.8822153887, 7.9796329210 },
	};
	for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
		const double *r = ref[i];
		struct winit_correlation_fixed_point f = cfp(act("tanh"), none, r[0], r[1]);
		ck_assert_msg(fabs(f.c_star - r[2]) < 1e-7, "tanh sw %g sb %g: c* %.10f, want %.10f", r[0],
		              r[1], f.c_star, r[2]);
		ck_assert_msg(fabs(f.chi_c - r[3]) < 1e-7, "tanh sw %g sb %g: chi_c %.10f, want %.10f", r[0],
		              r[1], f.chi_c, r[3]);
		ck_assert_msg(fabs(f.xi_c - r[4]) < 1e-6 * r[4], "tanh sw %g sb %g: xi_c %.10f, want %.10f",
		              r[0], r[1], f.xi_c, r[4]);
	}
}
END_TEST

START_TEST(correlation_edge_of_chaos)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	struct winit_error err = { 0 };
	double sw = 0;
	/* tanh, sigma_b^2 = 0.05: the edge at sigma_w^2 = 1.7609546 (mpmath, 30 digits:
	 * tests/tools/correlation_reference.py critical; about 1.76 in Schoenholz et al. 2017,
	 * fig. 1), where chi_c = 1 and c* = 1. */
	const double sb = sqrt(0.05);
	ck_assert_msg(winit_theory_critical_sigma_w(&sw, act("tanh"), none, sb, 0.5, 4, &err) == 0,
	              "%s", err.msg);
	ck_assert_msg(fabs(sw * sw - 1.7609546396) < 1e-5, "critical sigma_w^2 %.10f", sw * sw);
	struct winit_correlation_fixed_point f = cfp(act("tanh"), none, sw, sb);
	ck_assert_double_eq_tol(f.chi_c, 1, 1e-6);
	ck_assert_msg(f.c_star > 1 - 1e-4, "c* %.10f at the edge", f.c_star);
	ck_assert_msg(f.xi_c > 1e4, "xi_c %g at the edge", f.xi_c);
	/* Either side, chi_c < 1: ordered (c* = 1) below, chaotic (c* < 1) above, and xi_c
	 * falls away from the edge on both. */
	struct winit_correlation_fixed_point lo = cfp(act("tanh"), none, sqrt(1.5), sb),
					       hi = cfp(act("tanh"), none, sqrt(2.5), sb),
					       far = cfp(act("tanh"), none, sqrt(4.0), sb);
	ck_assert(lo.c_star == 1);
	ck_assert_double_eq_tol(lo.chi_c, lo.chi_1, 1e-6);
	ck_assert_msg(hi.c_star < 0.99 && hi.c_star > 0, "c* %g at sigma_w^2 = 2.5", hi.c_star);
	ck_assert_msg(hi.chi_c < 1 && hi.chi_1 > 1, "chi_c %g chi_1 %g", hi.chi_c, hi.chi_1);
	ck_assert_msg(lo.xi_c < f.xi_c && hi.xi_c < f.xi_c && far.xi_c < hi.xi_c,
	              "xi_c %g, %g (edge), %g, %g", lo.xi_c, f.xi_c, hi.xi_c, far.xi_c);
}
END_TEST

START_TEST(correlation_errors)
{
	double none[WINIT_MAX_PARAMS] = { 0 };
	struct winit_error err = { 0 };
	struct winit_correlation m;
	struct winit_correlation_fixed_point f;
	const struct winit_activation *t = act("tanh");
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 0, 0, 1, 1, 0.5, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "sigma_w must be"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, -1, 1, 1, 0.5, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "sigma_b must be"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, 0, 0, 1, 0.5, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "q1 and q2 must be finite numbers > 0 (got 0 and 1)"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, 0, 1, INFINITY, 0.5, &err), WINIT_ERR_ARG);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, 0, 1, 1, 1.5, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "c must be in [-1, 1] (got 1.5)"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, 0, 1, 1, -NAN, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "c must be in [-1, 1] (got NaN)"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, t, none, 1, 0, NAN, 1, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "(got NaN and 1)"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_map(&m, act("softmax"), none, 1, 0, 1, 1, 0, &err),
	                 WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "row-wise"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_fixed_point(&f, t, none, -NAN, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "sigma_w must be a finite number > 0 (got NaN)"), "%s", err.msg);
	ck_assert_int_eq(winit_theory_correlation_fixed_point(&f, act("softmax"), none, 1, 0, &err),
	                 WINIT_ERR_ARG);
	/* A variance too large for float: linear passes the infinities on, and it is said. */
	ck_assert_int_eq(winit_theory_correlation_map(&m, act("linear"), none, 1, 0, 1e300, 1, 0, &err),
	                 WINIT_ERR_NUMERIC);
	ck_assert_msg(strstr(err.msg, "non-finite"), "%s", err.msg);
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
	TCase *c = tcase_create("correlation");
	tcase_set_timeout(c, 60);
	tcase_add_test(c, correlation_rule_closed_forms);
	tcase_add_test(c, correlation_map_closed_forms);
	tcase_add_test(c, correlation_fixed_point_closed_forms);
	tcase_add_test(c, correlation_tanh_reference);
	tcase_add_test(c, correlation_edge_of_chaos);
	tcase_add_test(c, correlation_errors);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	return tu_run(theory_suite());
}
