/* tests/check_activations.c -- the shipped activation plugins, loaded through the
 * registry from the build tree: forward against double-precision reference formulas,
 * backward against central finite differences away from kinks, the stated derivative at
 * kinks, softmax's row sums, stability and Jacobian-vector product, in-place use, and
 * the gains of Keras / PyTorch calculate_gain. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <winit/registry.h>
#include <winit/plugin_util.h>
#include <winit/rng.h>

#include "testutil.h"

static struct winit_registry *reg;

static void setup(void)
{
	const char *dirs = getenv("WINIT_BUILD_PLUGIN_DIRS");
	ck_assert_msg(dirs && *dirs, "WINIT_BUILD_PLUGIN_DIRS is not set");
	const char *colon = strchr(dirs, ':');
	ck_assert_ptr_nonnull(colon);
	reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_dir(reg, colon + 1, &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
}

static void teardown(void)
{
	winit_registry_free(reg);
	reg = NULL;
}

static const struct winit_activation *act(const char *name)
{
	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_ACTIVATION, name);
	ck_assert_msg(e != NULL, "activation '%s' not loaded", name);
	return (const struct winit_activation *)e->info;
}

/* Parameter values: defaults, then the named overrides. */
static void params_of(double out[WINIT_MAX_PARAMS], const struct winit_activation *a,
                      const char *pname, double pvalue, const char *pchoice)
{
	struct winit_error err = { 0 };
	const char *names[1] = { pname };
	const double values[1] = { pvalue };
	const char *choices[1] = { pchoice };
	ck_assert_msg(winit_params_resolve(out, &a->info, pname ? 1 : 0, names, values,
	                                   choices, &err) == 0,
	              "%s", err.msg);
}

/* ---- reference formulas in double ---- */

static const double SELU_ALPHA = 1.6732632423543772848170429916717;
static const double SELU_SCALE = 1.0507009873554804934193349852946;

static double sigmoid_ref(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static double softplus_ref(double x)
{
	return x > 30 ? x : log1p(exp(x));
}

static double ref(const char *name, double x, const double *p)
{
	if (!strcmp(name, "relu"))
		return x > 0 ? x : 0;
	if (!strcmp(name, "linear"))
		return x;
	if (!strcmp(name, "leaky_relu"))
		return x > 0 ? x : p[0] * x;
	if (!strcmp(name, "elu"))
		return x > 0 ? x : p[0] * expm1(x);
	if (!strcmp(name, "selu"))
		return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * expm1(x));
	if (!strcmp(name, "gelu"))
		return p[0] == 0 ? 0.5 * x * (1 + erf(x / sqrt(2.0))) : 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
	if (!strcmp(name, "sigmoid"))
		return sigmoid_ref(x);
	if (!strcmp(name, "hard_sigmoid"))
		return fmin(1.0, fmax(0.0, 0.2 * x + 0.5));
	if (!strcmp(name, "tanh"))
		return tanh(x);
	if (!strcmp(name, "softplus"))
		return softplus_ref(x);
	if (!strcmp(name, "softsign"))
		return x / (1 + fabs(x));
	if (!strcmp(name, "swish") || !strcmp(name, "silu"))
		return x * sigmoid_ref(x);
	if (!strcmp(name, "mish"))
		return x * tanh(softplus_ref(x));
	ck_abort_msg("no reference for %s", name);
	return NAN;
}

/* Points where the derivative jumps (finite differences avoid them). */
static int near_kink(const char *name, double x, double h)
{
	if (!strcmp(name, "relu") || !strcmp(name, "leaky_relu") || !strcmp(name, "elu") ||
	    !strcmp(name, "selu"))
		return fabs(x) < 2 * h;
	if (!strcmp(name, "hard_sigmoid"))
		return fabs(fabs(x) - 2.5) < 2 * h;
	return 0;
}

struct act_case {
	const char *name;
	const char *pname; /* one parameter to set, or NULL for defaults */
	double pvalue;
	const char *pchoice;
	double gain; /* expected gain */
};

static const struct act_case cases[] = {
	{ "relu", NULL, 0, NULL, 1.4142135623730951 },
	{ "linear", NULL, 0, NULL, 1.0 },
	/* Default alpha 0.01 (PyTorch); gain sqrt(2 / (1 + a^2)). */
	{ "leaky_relu", NULL, 0, NULL, 1.4141428569978354 },
	{ "leaky_relu", "alpha", 0.3, NULL, 1.3545709229571927 },
	{ "elu", NULL, 0, NULL, 1.0 },
	{ "elu", "alpha", 0.5, NULL, 1.0 },
	{ "selu", NULL, 0, NULL, 0.75 },
	{ "gelu", NULL, 0, NULL, 1.0 },
	{ "gelu", "approximate", 0, "tanh", 1.0 },
	{ "sigmoid", NULL, 0, NULL, 1.0 },
	{ "hard_sigmoid", NULL, 0, NULL, 1.0 },
	{ "tanh", NULL, 0, NULL, 5.0 / 3.0 },
	{ "softplus", NULL, 0, NULL, 1.0 },
	{ "softsign", NULL, 0, NULL, 1.0 },
	{ "swish", NULL, 0, NULL, 1.0 },
	{ "silu", NULL, 0, NULL, 1.0 },
	{ "mish", NULL, 0, NULL, 1.0 },
};
#define N_CASES (sizeof cases / sizeof cases[0])

static const double *case_params(const struct act_case *c, double p[WINIT_MAX_PARAMS])
{
	params_of(p, act(c->name), c->pname, c->pvalue, c->pchoice);
	return p;
}

/* Random points in [-6, 6] plus a few fixed ones. */
#define N_PTS 512
static void points(float *x)
{
	struct winit_rng rng;
	winit_rng_seed(&rng, 3, 4);
	for (int i = 0; i < N_PTS; i++)
		x[i] = (float)(12.0 * winit_rng_uniform(&rng) - 6.0);
	x[0] = 0.0f;
	x[1] = -1.0f;
	x[2] = 1.0f;
	x[3] = 30.0f;
	x[4] = -30.0f;
}

START_TEST(test_forward_reference)
{
	const struct act_case *c = &cases[_i];
	const struct winit_activation *a = act(c->name);
	double p[WINIT_MAX_PARAMS];
	case_params(c, p);
	ck_assert_uint_eq(a->flags & WINIT_ACT_ROWWISE, 0);
	float x[N_PTS], y[N_PTS];
	points(x);
	a->forward(y, x, 16, N_PTS / 16, p);
	for (int i = 0; i < N_PTS; i++) {
		double r = ref(c->name, x[i], p);
		ck_assert_msg(fabs(y[i] - r) <= 1e-5 * (1 + fabs(r)), "%s(%g) = %.9g, expected %.9g",
		              c->name, x[i], y[i], r);
	}
	/* In place (y aliases x) gives the same numbers. */
	float z[N_PTS];
	memcpy(z, x, sizeof z);
	a->forward(z, z, 1, N_PTS, p);
	ck_assert(memcmp(z, y, sizeof z) == 0);
}
END_TEST

START_TEST(test_backward_finite_difference)
{
	const struct act_case *c = &cases[_i];
	const struct winit_activation *a = act(c->name);
	double p[WINIT_MAX_PARAMS];
	case_params(c, p);
	float x[N_PTS], y[N_PTS], dy[N_PTS], dx[N_PTS];
	points(x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 5, 6);
	for (int i = 0; i < N_PTS; i++)
		dy[i] = (float)(winit_rng_uniform(&rng) + 0.5);
	a->forward(y, x, 1, N_PTS, p);
	a->backward(dx, dy, x, y, 1, N_PTS, p);
	const float h = 0x1p-9f;
	int checked = 0;
	for (int i = 0; i < N_PTS; i++) {
		if (near_kink(c->name, x[i], h))
			continue;
		float xp[1] = { x[i] + h }, xm[1] = { x[i] - h }, yp[1], ym[1];
		a->forward(yp, xp, 1, 1, p);
		a->forward(ym, xm, 1, 1, p);
		double fd = ((double)yp[0] - ym[0]) / ((double)xp[0] - xm[0]) * dy[i];
		double tol = 2e-3 * (1.0 + fabs(fd)) + 1e-6 * fabs(y[i]) / h;
		ck_assert_msg(fabs(dx[i] - fd) <= tol, "%s'(%g): backward %.9g, difference %.9g",
		              c->name, x[i], dx[i], fd);
		checked++;
	}
	ck_assert_int_gt(checked, N_PTS - 10);
	/* In place (dx aliases dy). */
	float d2[N_PTS];
	memcpy(d2, dy, sizeof d2);
	a->backward(d2, d2, x, y, 1, N_PTS, p);
	ck_assert(memcmp(d2, dx, sizeof d2) == 0);
}
END_TEST

START_TEST(test_gain)
{
	const struct act_case *c = &cases[_i];
	double p[WINIT_MAX_PARAMS];
	case_params(c, p);
	double g = act(c->name)->gain(p);
	ck_assert_msg(fabs(g - c->gain) < 1e-12, "%s gain %.17g, expected %.17g", c->name, g,
	              c->gain);
}
END_TEST

/* The derivative at a kink is the stated side's: relu'(0) = 0 (Keras and PyTorch). */
START_TEST(test_kinks)
{
	float x[3] = { 0.0f, -0.0f, 1e-30f }, y[3], dy[3] = { 1, 1, 1 }, dx[3];
	const struct winit_activation *r = act("relu");
	r->forward(y, x, 1, 3, NULL);
	r->backward(dx, dy, x, y, 1, 3, NULL);
	ck_assert(y[0] == 0.0f && y[1] == 0.0f);
	ck_assert(dx[0] == 0.0f && dx[1] == 0.0f);
	ck_assert(dx[2] == 1.0f);

	/* leaky_relu'(0) = alpha (the x <= 0 side) but elu'(0) = 1 and selu'(0) = scale (the
	 * x >= 0 side): Keras's (TensorFlow's) conventions. */
	double p[WINIT_MAX_PARAMS];
	const struct winit_activation *l = act("leaky_relu");
	params_of(p, l, "alpha", 0.25, NULL);
	l->forward(y, x, 1, 3, p);
	l->backward(dx, dy, x, y, 1, 3, p);
	ck_assert(dx[0] == 0.25f && dx[2] == 1.0f);
	const struct winit_activation *e = act("elu");
	params_of(p, e, "alpha", 0.5, NULL);
	e->forward(y, x, 1, 3, p);
	e->backward(dx, dy, x, y, 1, 3, p);
	ck_assert(y[0] == 0.0f && dx[0] == 1.0f);
	const struct winit_activation *se = act("selu");
	se->forward(y, x, 1, 3, NULL);
	se->backward(dx, dy, x, y, 1, 3, NULL);
	ck_assert(y[0] == 0.0f);
	ck_assert_float_eq_tol(dx[0], 1.0507009873554805f, 1e-6);
	/* hard_sigmoid is flat at and beyond +-2.5, slope 0.2 inside. */
	const struct winit_activation *h = act("hard_sigmoid");
	float hx[4] = { -2.5f, 2.5f, 0.0f, 3.0f }, hy[4], hd[4] = { 1, 1, 1, 1 }, hdx[4];
	h->forward(hy, hx, 1, 4, NULL);
	h->backward(hdx, hd, hx, hy, 1, 4, NULL);
	ck_assert(hy[0] == 0.0f && hy[1] == 1.0f && hy[2] == 0.5f && hy[3] == 1.0f);
	ck_assert(hdx[0] == 0.0f && hdx[1] == 0.0f && hdx[2] == 0.2f && hdx[3] == 0.0f);
}
END_TEST

/* Saturating and unbounded ends stay finite. */
START_TEST(test_extremes)
{
	float x[4] = { 88.0f, -88.0f, 1e30f, -1e30f }, y[4], dy[4] = { 1, 1, 1, 1 }, dx[4];
	for (size_t i = 0; i < N_CASES; i++) {
		double p[WINIT_MAX_PARAMS];
		const struct winit_activation *a = act(cases[i].name);
		case_params(&cases[i], p);
		a->forward(y, x, 1, 4, p);
		a->backward(dx, dy, x, y, 1, 4, p);
		for (int j = 0; j < 2; j++)
			ck_assert_msg(isfinite(y[j]) && isfinite(dx[j]), "%s at %g: %g, %g",
			              cases[i].name, x[j], y[j], dx[j]);
		for (int j = 2; j < 4; j++)
			ck_assert_msg(!isnan(y[j]) && !isnan(dx[j]), "%s at %g: %g, %g",
			              cases[i].name, x[j], y[j], dx[j]);
	}
}
END_TEST

/* ---- softmax ---- */

START_TEST(test_softmax_rows)
{
	const struct winit_activation *s = act("softmax");
	ck_assert_uint_eq(s->flags & WINIT_ACT_ROWWISE, WINIT_ACT_ROWWISE);
	ck_assert(s->gain(NULL) == 1.0);
	enum { R = 64,
	       C = 10 };
	float x[R * C], y[R * C];
	struct winit_rng rng;
	winit_rng_seed(&rng, 8, 1);
	for (int i = 0; i < R * C; i++)
		x[i] = (float)(8.0 * winit_rng_normal(&rng));
	s->forward(y, x, R, C, NULL);
	for (int r = 0; r < R; r++) {
		double sum = 0, zmax = -INFINITY, zsum = 0;
		for (int j = 0; j < C; j++)
			zmax = fmax(zmax, x[r * C + j]);
		for (int j = 0; j < C; j++)
			zsum += exp(x[r * C + j] - zmax);
		for (int j = 0; j < C; j++) {
			float v = y[r * C + j];
			ck_assert(v >= 0.0f && v <= 1.0f);
			double want = exp(x[r * C + j] - zmax) / zsum;
			ck_assert_msg(fabs(v - want) < 1e-6, "row %d col %d: %g vs %g", r, j, v,
			              want);
			sum += v;
		}
		ck_assert_msg(fabs(sum - 1.0) < 1e-5, "row %d sums to %.9g", r, sum);
	}
}
END_TEST

START_TEST(test_softmax_stable)
{
	const struct winit_activation *s = act("softmax");
	/* Logits of 1000 overflow a naive exp; shifting by the max makes them (2, 1, 0). */
	float x[9] = { 1000, 999, 998, -1000, -1001, -1002, 2, 1, 0 }, y[9];
	s->forward(y, x, 3, 3, NULL);
	for (int j = 0; j < 3; j++) {
		ck_assert(isfinite(y[j]) && isfinite(y[3 + j]));
		ck_assert_msg(fabs(y[j] - y[6 + j]) < 1e-6, "%g vs %g", y[j], y[6 + j]);
		ck_assert(fabs(y[3 + j] - y[6 + j]) < 1e-6);
	}
	/* One row, in place. */
	float z[3] = { 88.0f, 89.0f, 90.0f };
	s->forward(z, z, 1, 3, NULL);
	ck_assert(fabs(z[0] + z[1] + z[2] - 1.0) < 1e-6 && fabs(z[2] - y[6]) < 1e-6);
}
END_TEST

/* Backward is J^T dy: compare with finite differences of L(x) = sum(dy * softmax(x)). */
START_TEST(test_softmax_backward)
{
	const struct winit_activation *s = act("softmax");
	enum { R = 4,
	       C = 7 };
	float x[R * C], y[R * C], dy[R * C], dx[R * C];
	struct winit_rng rng;
	winit_rng_seed(&rng, 9, 2);
	for (int i = 0; i < R * C; i++) {
		x[i] = (float)winit_rng_normal(&rng);
		dy[i] = (float)winit_rng_normal(&rng);
	}
	s->forward(y, x, R, C, NULL);
	s->backward(dx, dy, x, y, R, C, NULL);
	const double h = 1e-2;
	for (int r = 0; r < R; r++) {
		for (int j = 0; j < C; j++) {
			double lp = 0, lm = 0;
			float xr[C], yr[C];
			for (int sign = -1; sign <= 1; sign += 2) {
				memcpy(xr, x + r * C, sizeof xr);
				xr[j] += (float)(sign * h);
				s->forward(yr, xr, 1, C, NULL);
				double l = 0;
				for (int k = 0; k < C; k++)
					l += (double)dy[r * C + k] * yr[k];
				*(sign < 0 ? &lm : &lp) = l;
			}
			double fd = (lp - lm) / (2 * h);
			ck_assert_msg(fabs(dx[r * C + j] - fd) < 2e-3 * (1 + fabs(fd)),
			              "row %d col %d: backward %g, difference %g", r, j,
			              dx[r * C + j], fd);
		}
	}
	/* Each row's gradient sums to 0 (softmax is shift invariant); in place agrees. */
	for (int r = 0; r < R; r++) {
		double sum = 0;
		for (int j = 0; j < C; j++)
			sum += dx[r * C + j];
		ck_assert(fabs(sum) < 1e-5);
	}
	float d2[R * C];
	memcpy(d2, dy, sizeof d2);
	s->backward(d2, d2, x, y, R, C, NULL);
	ck_assert(memcmp(d2, dx, sizeof d2) == 0);
}
END_TEST

/* ---- the vectorisable exp and tanh of plugin_util.h, against glibc ---- */

/* |got - want| in units in the last place of want (subnormal spacing below FLT_MIN). */
static double ulp_error(float got, float want)
{
	if (isnan(want))
		return isnan(got) ? 0 : INFINITY;
	if (isinf(want) || got == want)
		return got == want ? 0 : INFINITY;
	float aw = fabsf(want);
	double ulp = aw < FLT_MIN ? 0x1p-149 : (double)(nextafterf(aw, INFINITY) - aw);
	return fabs((double)got - (double)want) / ulp;
}

/* Every 257th float bit pattern (16.7 million of them, both signs, from the smallest
 * subnormal through the tails to inf and NaN payloads), then the neighbourhood of each
 * threshold the code switches at. */
START_TEST(test_fast_exp_tanh_sweep)
{
	double worst_exp = 0, worst_tanh = 0;
	float at_exp = 0, at_tanh = 0;
	for (uint64_t b = 0; b < (1ull << 32); b += 257) {
		uint32_t u = (uint32_t)b;
		float x;
		memcpy(&x, &u, sizeof x);
		float e = winit_fast_expf(x), want = expf(x);
		if (x >= -86.64f || isnan(x)) {
			double err = ulp_error(e, want);
			if (err > worst_exp) {
				worst_exp = err;
				at_exp = x;
			}
		} else {
			ck_assert_msg(e == 0.0f && want < 2.4e-38f, "exp(%g) = %g, glibc %g", x, e, want);
		}
		double err = ulp_error(winit_fast_tanhf(x), tanhf(x));
		if (err > worst_tanh) {
			worst_tanh = err;
			at_tanh = x;
		}
	}
	ck_assert_msg(worst_exp <= 1.0, "exp: %.1f ulp at %a", worst_exp, at_exp);
	ck_assert_msg(worst_tanh <= 2.0, "tanh: %.1f ulp at %a", worst_tanh, at_tanh);
	const float edges[] = { -86.64f, 88.72283f, 0.55f, 9.1f, 0.0f, 1e-30f };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		for (int sgn = -1; sgn <= 1; sgn += 2) {
			float x = (float)sgn * edges[i];
			for (int k = 0; k < 2000; k++, x = nextafterf(x, INFINITY)) {
				if (x >= -86.64f)
					ck_assert_msg(ulp_error(winit_fast_expf(x), expf(x)) <= 1.0, "exp(%a)", x);
				ck_assert_msg(ulp_error(winit_fast_tanhf(x), tanhf(x)) <= 2.0, "tanh(%a)", x);
			}
		}
	}
}
END_TEST

START_TEST(test_fast_exp_tanh_specials)
{
	ck_assert(winit_fast_expf(INFINITY) == INFINITY);
	ck_assert(winit_fast_expf(-INFINITY) == 0.0f);
	ck_assert(winit_fast_expf(89.0f) == INFINITY);
	ck_assert(isnan(winit_fast_expf(NAN)));
	ck_assert(winit_fast_expf(0.0f) == 1.0f && winit_fast_expf(-0.0f) == 1.0f);
	ck_assert(winit_fast_tanhf(INFINITY) == 1.0f && winit_fast_tanhf(-INFINITY) == -1.0f);
	ck_assert(isnan(winit_fast_tanhf(NAN)) && isnan(winit_fast_tanhf(-NAN)));
	ck_assert(winit_fast_tanhf(0.0f) == 0.0f && !signbit(winit_fast_tanhf(0.0f)));
	ck_assert(winit_fast_tanhf(-0.0f) == 0.0f && signbit(winit_fast_tanhf(-0.0f)));
	ck_assert(winit_fast_tanhf(1e-30f) == 1e-30f);
	ck_assert(winit_fast_tanhf(20.0f) == 1.0f && winit_fast_tanhf(-20.0f) == -1.0f);
}
END_TEST

static Suite *activations_suite(void)
{
	Suite *s = suite_create("activations");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_forward_reference, 0, (int)N_CASES);
	tcase_add_loop_test(tc, test_backward_finite_difference, 0, (int)N_CASES);
	tcase_add_loop_test(tc, test_gain, 0, (int)N_CASES);
	tcase_add_test(tc, test_kinks);
	tcase_add_test(tc, test_extremes);
	tcase_add_test(tc, test_fast_exp_tanh_sweep);
	tcase_add_test(tc, test_fast_exp_tanh_specials);
	suite_add_tcase(s, tc);
	tc = tcase_create("softmax");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_softmax_rows);
	tcase_add_test(tc, test_softmax_stable);
	tcase_add_test(tc, test_softmax_backward);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(activations_suite());
}
