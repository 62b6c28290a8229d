/* tests/check_initializers.c -- the shipped initializer plugins, loaded through the
 * registry from the build tree: moments on large tensors (tolerances from the sample
 * size), truncation bounds, bounds of uniforms, exact zeros, determinism per stream,
 * fans for biases and convolution kernels, and PyTorch / Keras relations. */
#include "config.h"

#include <math.h>

#include <winit/registry.h>
#include <winit/plugin_call.h>
#include <winit/rng.h>

#include "testutil.h"

/* Standard deviation of N(0, 1) truncated to [-2, 2]. */
#define TRUNCATED_SD 0.87962566103423978

static struct winit_registry *reg;

static void setup(void)
{
	const char *dirs = getenv("WINIT_BUILD_PLUGIN_DIRS");
	ck_assert_msg(dirs && *dirs, "WINIT_BUILD_PLUGIN_DIRS is not set");
	reg = winit_registry_new();
	struct winit_error err = { 0 };
	char dir[1024];
	snprintf(dir, sizeof dir, "%.*s", (int)strcspn(dirs, ":"), dirs);
	ck_assert_int_eq(winit_registry_load_dir(reg, dir, &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
}

static void teardown(void)
{
	winit_registry_free(reg);
	reg = NULL;
}

static const struct winit_initializer *init(const char *name)
{
	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, name);
	ck_assert_msg(e != NULL, "initializer '%s' not loaded", name);
	return (const struct winit_initializer *)e->info;
}

/* A fill with named parameters (choices by name), from stream (seed, stream). */
struct fill_spec {
	const char *name;
	int64_t dims[4];
	uint32_t n_dims;
	double gain;
	size_t n_params;
	const char *pnames[4];
	double pvalues[4];
	const char *pchoices[4];
};

struct filled {
	float *w; /* (n) */
	int64_t n;
	double stddev; /* the plugin's claim */
	struct winit_fill_args args;
	double params[WINIT_MAX_PARAMS];
	int64_t dims[4];
};

static int do_fill(struct filled *f, const struct fill_spec *s, uint64_t seed,
                   uint64_t stream, char *msg, size_t msglen)
{
	const struct winit_initializer *in = init(s->name);
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_params_resolve(f->params, &in->info, s->n_params, s->pnames,
	                                      s->pvalues, s->pchoices, &err),
	                 WINIT_OK);
	f->n = 1;
	for (uint32_t i = 0; i < s->n_dims; i++) {
		f->dims[i] = s->dims[i];
		f->n *= s->dims[i];
	}
	struct winit_rng *rng = malloc(sizeof *rng);
	winit_rng_seed(rng, seed, stream);
	f->args = (struct winit_fill_args){
		.struct_size = sizeof(struct winit_fill_args),
		.n_dims = s->n_dims,
		.dims = f->dims,
		.n = f->n,
		.gain = s->gain != 0.0 ? s->gain : 1.0,
		.params = f->params,
		.host = winit_host_services(),
		.rng = rng,
	};
	winit_compute_fans(f->dims, s->n_dims, &f->args.fan_in, &f->args.fan_out);
	f->w = malloc((size_t)f->n * sizeof *f->w);
	for (int64_t i = 0; i < f->n; i++)
		f->w[i] = NAN; /* every element must be overwritten */
	int rc = in->fill(f->w, &f->args, msg, msglen);
	f->stddev = in->stddev ? in->stddev(&f->args) : NAN;
	free(rng);
	f->args.rng = NULL;
	return rc;
}

static void fill_ok(struct filled *f, const struct fill_spec *s, uint64_t seed,
                    uint64_t stream)
{
	char msg[256] = "";
	ck_assert_msg(do_fill(f, s, seed, stream, msg, sizeof msg) == 0, "%s: %s", s->name,
	              msg);
}

struct moments {
	double mean, sd, max_abs, min, max;
};

static struct moments moments_of(const float *w, int64_t n)
{
	struct moments m = { 0, 0, 0, INFINITY, -INFINITY };
	double sum = 0, sq = 0;
	int64_t bad = 0;
	for (int64_t i = 0; i < n; i++) {
		bad += !isfinite(w[i]);
		sum += w[i];
		m.max_abs = fmax(m.max_abs, fabs(w[i]));
		m.min = fmin(m.min, w[i]);
		m.max = fmax(m.max, w[i]);
	}
	/* One assertion per tensor: Check records every assertion it passes. */
	ck_assert_msg(bad == 0, "%lld elements are not finite", (long long)bad);
	m.mean = sum / (double)n;
	for (int64_t i = 0; i < n; i++)
		sq += (w[i] - m.mean) * (w[i] - m.mean);
	m.sd = sqrt(sq / (double)(n - 1));
	return m;
}

/* Mean within 6 standard errors; sd within 6 standard errors of a normal's sample sd
 * (conservative for the uniform and the truncated normal, whose kurtosis is lower). */
static void check_moments(const char *what, const float *w, int64_t n, double mean,
                          double sd)
{
	struct moments m = moments_of(w, n);
	double tol_mean = 6.0 * sd / sqrt((double)n);
	double tol_sd = 6.0 / sqrt(2.0 * (double)n);
	ck_assert_msg(fabs(m.mean - mean) < tol_mean, "%s: mean %g, expected %g +- %g", what,
	              m.mean, mean, tol_mean);
	ck_assert_msg(fabs(m.sd / sd - 1.0) < tol_sd, "%s: sd %g, expected %g (rel. tol %g)",
	              what, m.sd, sd, tol_sd);
}

static void filled_free(struct filled *f)
{
	free(f->w);
	f->w = NULL;
}

/* ---- the seed study's initializers (zeros, random_normal, glorot_normal, he_normal) and
 * Keras's default glorot_uniform: exact zeros, the moments and truncation bounds of each
 * distribution, Keras's fans, the same numbers from the same stream, the descriptors ---- */

START_TEST(test_zeros_exact)
{
	struct fill_spec s = { .name = "zeros", .dims = { 784, 128 }, .n_dims = 2 };
	struct filled f;
	fill_ok(&f, &s, 1, 2);
	int64_t nonzero = 0;
	for (int64_t i = 0; i < f.n; i++)
		nonzero += f.w[i] != 0.0f || signbit(f.w[i]);
	ck_assert_msg(nonzero == 0, "%lld weights are not +0", (long long)nonzero);
	ck_assert(f.stddev == 0.0);
	filled_free(&f);
}
END_TEST

START_TEST(test_random_normal)
{
	struct fill_spec s = { .name = "random_normal", .dims = { 784, 128 }, .n_dims = 2 };
	struct filled f;
	fill_ok(&f, &s, 7, 1);
	/* Keras default: mean 0, stddev 0.05, untruncated (values beyond 2 sd occur). */
	check_moments("random_normal", f.w, f.n, 0.0, 0.05);
	ck_assert(f.stddev == 0.05);
	ck_assert(moments_of(f.w, f.n).max_abs > 0.05 * 3.5);
	filled_free(&f);

	struct fill_spec s2 = { .name = "random_normal", .dims = { 1000, 1000 }, .n_dims = 2, .n_params = 2, .pnames = { "stddev", "mean" }, .pvalues = { 1.0, -0.5 } };
	fill_ok(&f, &s2, 7, 2);
	check_moments("random_normal(mean=-0.5, stddev=1)", f.w, f.n, -0.5, 1.0);
	ck_assert(f.stddev == 1.0);
	filled_free(&f);
}
END_TEST

/* Truncated normals: kept sd equals the target, nothing beyond 2s (s the pre-truncation
 * sd), and values do reach close to 2s. */
static void check_truncated(const char *name, int64_t fan_in, int64_t fan_out,
                            double target_sd, uint64_t stream)
{
	struct fill_spec s = { .name = name, .dims = { fan_in, fan_out }, .n_dims = 2 };
	struct filled f;
	fill_ok(&f, &s, 2024, stream);
	check_moments(name, f.w, f.n, 0.0, target_sd);
	ck_assert_msg(fabs(f.stddev - target_sd) < 1e-12 * target_sd, "%s: stddev() %g vs %g",
	              name, f.stddev, target_sd);
	const double s2 = 2.0 * target_sd / TRUNCATED_SD;
	struct moments m = moments_of(f.w, f.n);
	ck_assert_msg(m.max_abs <= (float)s2, "%s: |w| %.9g beyond 2s = %.9g", name,
	              m.max_abs, s2);
	ck_assert_msg(m.max_abs > 0.99 * s2, "%s: max |w| %g, expected close to 2s = %g", name,
	              m.max_abs, s2);
	/* Without the 0.8796 correction the sd would be 12% lower: far outside tolerance. */
	ck_assert(fabs(m.sd / (target_sd * TRUNCATED_SD) - 1.0) > 0.1);
	filled_free(&f);
}

START_TEST(test_glorot_normal)
{
	check_truncated("glorot_normal", 784, 128, sqrt(2.0 / (784 + 128)), 1);
	check_truncated("glorot_normal", 1000, 1000, sqrt(2.0 / 2000), 2);
}
END_TEST

START_TEST(test_he_normal)
{
	check_truncated("he_normal", 784, 128, sqrt(2.0 / 784), 3);
	check_truncated("he_normal", 1000, 1000, sqrt(2.0 / 1000), 4);
}
END_TEST

START_TEST(test_glorot_uniform)
{
	const int64_t shapes[2][2] = { { 784, 128 }, { 1000, 1000 } };
	for (int k = 0; k < 2; k++) {
		struct fill_spec s = { .name = "glorot_uniform",
			               .dims = { shapes[k][0], shapes[k][1] },
			               .n_dims = 2 };
		struct filled f;
		fill_ok(&f, &s, 5, (uint64_t)k);
		double l = sqrt(6.0 / (double)(shapes[k][0] + shapes[k][1]));
		check_moments("glorot_uniform", f.w, f.n, 0.0, l / sqrt(3.0));
		ck_assert(fabs(f.stddev - l / sqrt(3.0)) < 1e-12);
		struct moments m = moments_of(f.w, f.n);
		ck_assert(m.min >= -(float)l && m.max <= (float)l);
		/* Both ends are reached: the support is the whole interval. */
		ck_assert(m.min < -0.999 * l && m.max > 0.999 * l);
		filled_free(&f);
	}
}
END_TEST

START_TEST(test_bias_and_conv_fans)
{
	/* 1-D (a bias): fan_in = fan_out = units. */
	struct fill_spec s = { .name = "he_normal", .dims = { 100000 }, .n_dims = 1 };
	struct filled f;
	fill_ok(&f, &s, 9, 1);
	ck_assert(f.args.fan_in == 100000 && f.args.fan_out == 100000);
	check_moments("he_normal bias", f.w, f.n, 0.0, sqrt(2.0 / 100000));
	filled_free(&f);
	/* A conv kernel (3, 3, 64, 128): fan_in = 9 * 64. */
	struct fill_spec c = { .name = "he_normal", .dims = { 3, 3, 64, 128 }, .n_dims = 4 };
	fill_ok(&f, &c, 9, 2);
	ck_assert(f.args.fan_in == 576 && f.args.fan_out == 1152);
	check_moments("he_normal conv", f.w, f.n, 0.0, sqrt(2.0 / 576));
	filled_free(&f);
	struct fill_spec g = { .name = "glorot_normal", .dims = { 3, 3, 64, 128 }, .n_dims = 4 };
	fill_ok(&f, &g, 9, 3);
	check_moments("glorot_normal conv", f.w, f.n, 0.0, sqrt(2.0 / (576 + 1152)));
	filled_free(&f);
}
END_TEST

/* Same stream, same numbers; another stream or seed, other numbers. */
static void check_determinism(const char *name)
{
	struct fill_spec s = { .name = name, .dims = { 64, 32 }, .n_dims = 2 };
	struct filled a, b, c, d;
	fill_ok(&a, &s, 11, 1);
	fill_ok(&b, &s, 11, 1);
	fill_ok(&c, &s, 11, 2);
	fill_ok(&d, &s, 12, 1);
	ck_assert_msg(memcmp(a.w, b.w, (size_t)a.n * sizeof *a.w) == 0,
	              "%s: same stream, different output", name);
	if (a.stddev > 0 && moments_of(a.w, a.n).sd > 0) {
		ck_assert_msg(memcmp(a.w, c.w, (size_t)a.n * sizeof *a.w) != 0,
		              "%s: different streams, same output", name);
		ck_assert_msg(memcmp(a.w, d.w, (size_t)a.n * sizeof *a.w) != 0,
		              "%s: different seeds, same output", name);
	}
	filled_free(&a);
	filled_free(&b);
	filled_free(&c);
	filled_free(&d);
}

START_TEST(test_determinism)
{
	for (size_t i = 0; i < winit_registry_count(reg); i++) {
		const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
		if (e->info->kind == WINIT_KIND_INITIALIZER &&
		    strcmp(e->info->name, "identity") != 0)
			check_determinism(e->info->name);
	}
}
END_TEST

START_TEST(test_descriptors)
{
	/* The seed study's four and Keras's default are shipped. */
	static const char *seed_study[] = { "zeros", "random_normal", "glorot_normal", "he_normal",
		                            "glorot_uniform" };
	for (size_t i = 0; i < sizeof seed_study / sizeof seed_study[0]; i++)
		ck_assert_ptr_nonnull(init(seed_study[i]));
	/* Every shipped initializer documents its formula and its sd. */
	for (size_t i = 0; i < winit_registry_count(reg); i++) {
		const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
		if (e->info->kind != WINIT_KIND_INITIALIZER)
			continue;
		ck_assert_msg(e->info->formula && *e->info->formula, "%s has no formula",
		              e->info->name);
		ck_assert_msg(((const struct winit_initializer *)e->info)->stddev != NULL,
		              "%s has no stddev", e->info->name);
	}
}
END_TEST

/* ---- the rest of the catalogue ---- */

struct stat_case {
	struct fill_spec spec;
	double mean, sd;   /* expected moments (sd also the plugin's stddev()) */
	double bound;      /* max |w - mean| allowed (0: unbounded) */
	int reaches_bound; /* values come close to the bound */
};

static const struct stat_case stat_cases[] = {
	{ { .name = "random_uniform", .dims = { 784, 128 }, .n_dims = 2 }, 0.0, 0.05 / 1.7320508075688772, 0.05, 1 },
	{ { .name = "random_uniform", .dims = { 1000, 1000 }, .n_dims = 2, .gain = 1.0, .n_params = 2, .pnames = { "minval", "maxval" }, .pvalues = { 1, 3 } },
	  2.0,
	  1.0 / 1.7320508075688772,
	  1.0,
	  1 },
	{ { .name = "truncated_normal", .dims = { 784, 128 }, .n_dims = 2 }, 0.0, 0.05 * TRUNCATED_SD, 0.1, 1 },
	{ { .name = "truncated_normal", .dims = { 1000, 1000 }, .n_dims = 2, .gain = 1.0, .n_params = 2, .pnames = { "mean", "stddev" }, .pvalues = { 1, 2 } },
	  1.0,
	  2.0 * TRUNCATED_SD,
	  4.0,
	  1 },
	{ { .name = "he_uniform", .dims = { 784, 128 }, .n_dims = 2 }, 0.0, sqrt(2.0 / 784), sqrt(6.0 / 784), 1 },
	{ { .name = "lecun_normal", .dims = { 784, 128 }, .n_dims = 2 }, 0.0, sqrt(1.0 / 784), 2 * sqrt(1.0 / 784) / TRUNCATED_SD, 1 },
	{ { .name = "lecun_uniform", .dims = { 1000, 1000 }, .n_dims = 2 }, 0.0, sqrt(1.0 / 1000), sqrt(3.0 / 1000), 1 },
	{ { .name = "xavier_normal", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "gain" }, .pvalues = { 2.0 } }, 0.0, 2.0 * sqrt(2.0 / 912), 0, 0 },
	{ { .name = "xavier_uniform", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "gain" }, .pvalues = { 0.5 } }, 0.0, 0.5 * sqrt(2.0 / 912), 0.5 * sqrt(6.0 / 912), 1 },
	/* PyTorch: nonlinearity auto takes the layer's gain (here relu's sqrt(2)). */
	{ { .name = "kaiming_normal", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.4142135623730951 }, 0.0, 0.050507627227610534, 0, 0 },
	{ { .name = "kaiming_normal", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 2, .pnames = { "nonlinearity", "mode" }, .pvalues = { 0, 0 }, .pchoices = { "tanh", "fan_out" } }, 0.0, 5.0 / 3.0 / sqrt(128.0), 0, 0 },
	{ { .name = "kaiming_normal", .dims = { 1000, 1000 }, .n_dims = 2, .gain = 1.0, .n_params = 2, .pnames = { "nonlinearity", "a" }, .pvalues = { 0, 0.1 }, .pchoices = { "leaky_relu", NULL } }, 0.0, sqrt(2.0 / 1.01) / sqrt(1000.0), 0, 0 },
	{ { .name = "kaiming_uniform", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "nonlinearity" }, .pvalues = { 0 }, .pchoices = { "relu" } },
	  0.0,
	  sqrt(2.0 / 784),
	  sqrt(6.0 / 784),
	  1 },
	{ { .name = "kaiming_uniform", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "nonlinearity" }, .pvalues = { 0 }, .pchoices = { "selu" } }, 0.0, 0.75 / 28.0, 0.75 * 1.7320508075688772 / 28.0, 1 },
	{ { .name = "torch_linear_default", .dims = { 784, 128 }, .n_dims = 2 }, 0.0, 1.0 / (28.0 * 1.7320508075688772), 1.0 / 28.0, 1 },
};
#define N_STAT_CASES (sizeof stat_cases / sizeof stat_cases[0])

START_TEST(test_statistics)
{
	const struct stat_case *c = &stat_cases[_i];
	struct filled f;
	fill_ok(&f, &c->spec, 99, (uint64_t)_i);
	char what[128];
	snprintf(what, sizeof what, "%s case %d", c->spec.name, _i);
	ck_assert_msg(fabs(f.stddev - c->sd) < 1e-6 * c->sd, "%s: stddev() %.9g, expected %.9g",
	              what, f.stddev, c->sd);
	check_moments(what, f.w, f.n, c->mean, c->sd);
	double dev = 0;
	for (int64_t i = 0; i < f.n; i++)
		dev = fmax(dev, fabs(f.w[i] - c->mean));
	if (c->bound > 0) {
		ck_assert_msg(dev <= c->bound * (1 + 1e-5), "%s: max |w - mean| %.9g > %.9g",
		              what, dev, c->bound);
		if (c->reaches_bound)
			ck_assert_msg(dev > 0.99 * c->bound, "%s: max |w - mean| %g, bound %g",
			              what, dev, c->bound);
	} else {
		/* Untruncated normals do go beyond 3 sd in 1e5 draws. */
		ck_assert_msg(dev > 3.5 * c->sd, "%s: max %g looks truncated", what, dev);
	}
	filled_free(&f);
}
END_TEST

/* variance_scaling: every mode x distribution gives sd sqrt(scale / n). */
START_TEST(test_variance_scaling)
{
	static const char *modes[] = { "fan_in", "fan_out", "fan_avg" };
	static const char *dists[] = { "truncated_normal", "untruncated_normal", "uniform" };
	const double n_of[] = { 784, 128, 456 };
	for (int m = 0; m < 3; m++) {
		for (int d = 0; d < 3; d++) {
			struct fill_spec s = { .name = "variance_scaling", .dims = { 784, 128 }, .n_dims = 2, .gain = 1.0, .n_params = 3, .pnames = { "scale", "mode", "distribution" }, .pvalues = { 3.0, 0, 0 }, .pchoices = { NULL, modes[m], dists[d] } };
			struct filled f;
			fill_ok(&f, &s, 17, (uint64_t)(3 * m + d));
			double sd = sqrt(3.0 / n_of[m]);
			char what[96];
			snprintf(what, sizeof what, "variance_scaling(%s, %s)", modes[m], dists[d]);
			ck_assert_msg(fabs(f.stddev - sd) < 1e-12, "%s stddev()", what);
			check_moments(what, f.w, f.n, 0.0, sd);
			double mx = moments_of(f.w, f.n).max_abs;
			if (d == 0)
				ck_assert_msg(mx <= (float)(2 * sd / TRUNCATED_SD), "%s", what);
			else if (d == 2)
				ck_assert_msg(mx <= (float)(sqrt(3.0) * sd), "%s", what);
			else
				ck_assert_msg(mx > 2.5 * sd / TRUNCATED_SD, "%s", what);
			filled_free(&f);
		}
	}
	/* The defaults (1, fan_in, truncated_normal) are lecun_normal, draw for draw. */
	struct fill_spec vs = { .name = "variance_scaling", .dims = { 50, 40 }, .n_dims = 2 };
	struct fill_spec ln = { .name = "lecun_normal", .dims = { 50, 40 }, .n_dims = 2 };
	struct filled a, b;
	fill_ok(&a, &vs, 1, 1);
	fill_ok(&b, &ln, 1, 1);
	ck_assert(memcmp(a.w, b.w, (size_t)a.n * sizeof *a.w) == 0);
	filled_free(&a);
	filled_free(&b);
	/* scale must be positive: refused when the values are resolved, before any fill. */
	const char *const zn[] = { "scale" };
	const double zv[] = { 0 };
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_params_resolve(out, &init("variance_scaling")->info, 1, zn, zv, NULL,
	                                      &err),
	                 WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "plugin 'variance_scaling': scale must be positive"));
}
END_TEST

/* A Keras initializer and its PyTorch twin at gain 1 draw the same numbers. */
START_TEST(test_aliases)
{
	struct fill_spec g = { .name = "glorot_uniform", .dims = { 30, 20 }, .n_dims = 2 };
	struct fill_spec x = { .name = "xavier_uniform", .dims = { 30, 20 }, .n_dims = 2 };
	struct filled a, b;
	fill_ok(&a, &g, 3, 3);
	fill_ok(&b, &x, 3, 3);
	ck_assert(memcmp(a.w, b.w, (size_t)a.n * sizeof *a.w) == 0);
	filled_free(&a);
	filled_free(&b);
	/* torch_linear_default is kaiming_uniform with a = sqrt(5). */
	struct fill_spec t = { .name = "torch_linear_default", .dims = { 30, 20 }, .n_dims = 2 };
	struct fill_spec k = { .name = "kaiming_uniform", .dims = { 30, 20 }, .n_dims = 2, .gain = 1.0, .n_params = 2, .pnames = { "nonlinearity", "a" }, .pvalues = { 0, sqrt(5.0) }, .pchoices = { "leaky_relu", NULL } };
	fill_ok(&a, &t, 4, 4);
	fill_ok(&b, &k, 4, 4);
	int64_t differ = 0;
	for (int64_t i = 0; i < a.n; i++)
		differ += !(fabs(a.w[i] - b.w[i]) <= 1e-6 * fabs(a.w[i]) + 1e-9);
	ck_assert_int_eq(differ, 0);
	filled_free(&a);
	filled_free(&b);
	/* The aliases live in the same object as their Keras twins. */
	ck_assert_str_eq(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "xavier_normal")->file,
	                 winit_registry_find(reg, WINIT_KIND_INITIALIZER, "glorot_normal")->file);
}
END_TEST

START_TEST(test_constants)
{
	struct fill_spec o = { .name = "ones", .dims = { 7, 9 }, .n_dims = 2 };
	struct fill_spec c = { .name = "constant", .dims = { 7, 9 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "value" }, .pvalues = { -2.5 } };
	struct filled f;
	fill_ok(&f, &o, 1, 1);
	int64_t differ = 0;
	for (int64_t i = 0; i < f.n; i++)
		differ += f.w[i] != 1.0f;
	ck_assert_int_eq(differ, 0);
	ck_assert(f.stddev == 0.0);
	filled_free(&f);
	fill_ok(&f, &c, 1, 1);
	for (int64_t i = 0; i < f.n; i++)
		differ += f.w[i] != -2.5f;
	ck_assert_int_eq(differ, 0);
	filled_free(&f);
}
END_TEST

START_TEST(test_uniform_bad_range)
{
	/* Each bound is in range alone; together they are refused when resolved. */
	const char *const names[] = { "minval", "maxval" };
	const double values[] = { 1, -1 };
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_params_resolve(out, &init("random_uniform")->info, 2, names, values,
	                                      NULL, &err),
	                 WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "plugin 'random_uniform': minval 1 is above maxval -1"));
}
END_TEST

/* W^T W = gain^2 I (tall) or W W^T = gain^2 I (wide), to 1e-5 relative. */
static void check_orthogonal(int64_t rows, int64_t cols, const int64_t *dims, uint32_t nd,
                             double gain)
{
	struct fill_spec s = { .name = "orthogonal", .dims = { 0 }, .n_dims = nd, .gain = 1.0, .n_params = 1, .pnames = { "gain" }, .pvalues = { gain } };
	for (uint32_t i = 0; i < nd; i++)
		s.dims[i] = dims[i];
	struct filled f;
	fill_ok(&f, &s, 21, (uint64_t)rows);
	const int tall = rows >= cols;
	const int64_t k = tall ? cols : rows, m = tall ? rows : cols;
	double worst = 0;
	for (int64_t a = 0; a < k; a++) {
		for (int64_t b = 0; b <= a; b++) {
			double dot = 0;
			for (int64_t i = 0; i < m; i++) {
				double u = tall ? f.w[i * cols + a] : f.w[a * cols + i];
				double v = tall ? f.w[i * cols + b] : f.w[b * cols + i];
				dot += u * v;
			}
			double want = a == b ? gain * gain : 0.0;
			worst = fmax(worst, fabs(dot - want) / (gain * gain));
		}
	}
	ck_assert_msg(worst < 1e-5, "orthogonal %lldx%lld: |W^T W - g^2 I| = %g",
	              (long long)rows, (long long)cols, worst);
	double rms = 0;
	for (int64_t i = 0; i < f.n; i++)
		rms += (double)f.w[i] * f.w[i];
	rms = sqrt(rms / (double)f.n);
	ck_assert(fabs(rms - f.stddev) < 1e-5 * f.stddev);
	filled_free(&f);
}

START_TEST(test_orthogonal)
{
	const int64_t tall[] = { 256, 128 }, wide[] = { 64, 200 }, square[] = { 100, 100 };
	const int64_t conv[] = { 3, 3, 8, 16 };
	check_orthogonal(256, 128, tall, 2, 1.0);
	check_orthogonal(64, 200, wide, 2, 2.0);
	check_orthogonal(100, 100, square, 2, 0.5);
	check_orthogonal(72, 16, conv, 4, 1.0);
	/* A bias is not a matrix. */
	struct fill_spec b = { .name = "orthogonal", .dims = { 10 }, .n_dims = 1 };
	struct filled f;
	char msg[128] = "";
	ck_assert_int_ne(do_fill(&f, &b, 1, 1, msg, sizeof msg), 0);
	ck_assert_ptr_nonnull(strstr(msg, "2 dims"));
	filled_free(&f);
}
END_TEST

/* Xiao et al.'s delta-orthogonal kernel: zero but at the spatial centre ((k - 1) / 2 on
 * each axis, as TensorFlow places it), where the (cin, cout) matrix has orthonormal rows
 * times the gain; a 1x1 (Dense) kernel is all centre; the sd it declares is the fill's
 * root mean square, exactly. */
static void check_delta(const int64_t *dims, uint32_t nd, double gain)
{
	struct fill_spec s = { .name = "delta_orthogonal", .n_dims = nd, .gain = 1.0, .n_params = 1, .pnames = { "gain" }, .pvalues = { gain } };
	for (uint32_t i = 0; i < nd; i++)
		s.dims[i] = dims[i];
	struct filled f;
	fill_ok(&f, &s, 5, 3);
	const int64_t cin = dims[nd - 2], cout = dims[nd - 1];
	int64_t centre = 0;
	for (uint32_t a = 0; a + 2 < nd; a++)
		centre = centre * dims[a] + (dims[a] - 1) / 2;
	for (int64_t i = 0; i < f.n; i++)
		if (i / (cin * cout) != centre)
			ck_assert_msg(f.w[i] == 0.0f, "entry %lld off the centre is %g", (long long)i, f.w[i]);
	const float *q = f.w + centre * cin * cout;
	const int rows = cin <= cout; /* orthonormal rows, else columns */
	const int64_t k = rows ? cin : cout, m = rows ? cout : cin;
	double worst = 0, rms = 0;
	for (int64_t a = 0; a < k; a++)
		for (int64_t b = 0; b <= a; b++) {
			double dot = 0;
			for (int64_t i = 0; i < m; i++)
				dot += rows ? (double)q[a * cout + i] * q[b * cout + i] :
				              (double)q[i * cout + a] * q[i * cout + b];
			worst = fmax(worst, fabs(dot - (a == b ? gain * gain : 0.0)) / (gain * gain));
		}
	ck_assert_msg(worst < 1e-6, "delta_orthogonal: |Q Q^T - g^2 I| = %g", worst);
	for (int64_t i = 0; i < f.n; i++)
		rms += (double)f.w[i] * f.w[i];
	ck_assert_double_eq_tol(sqrt(rms / (double)f.n), f.stddev, 1e-6 * f.stddev);
	filled_free(&f);
}

START_TEST(test_delta_orthogonal)
{
	const int64_t conv[] = { 3, 3, 16, 32 }, wide[] = { 4, 5, 8, 8 }, shrink[] = { 5, 3, 12, 4 },
		      dense[] = { 6, 9 }, conv1d[] = { 7, 3, 5 };
	check_delta(conv, 4, 1.0);
	check_delta(wide, 4, 1.5); /* even kernel: centre (1, 2) */
	check_delta(shrink, 4, 1.0);
	check_delta(dense, 2, 2.0);
	check_delta(conv1d, 3, 1.0);
	struct fill_spec b = { .name = "delta_orthogonal", .dims = { 10 }, .n_dims = 1 };
	struct filled f;
	char msg[128] = "";
	ck_assert_int_ne(do_fill(&f, &b, 1, 1, msg, sizeof msg), 0);
	ck_assert_ptr_nonnull(strstr(msg, "at least 2 dims"));
	filled_free(&f);
}
END_TEST

START_TEST(test_identity)
{
	struct fill_spec s = { .name = "identity", .dims = { 5, 7 }, .n_dims = 2, .gain = 1.0, .n_params = 1, .pnames = { "gain" }, .pvalues = { 3.0 } };
	struct filled f;
	fill_ok(&f, &s, 1, 1);
	int64_t differ = 0;
	for (int64_t i = 0; i < 5; i++)
		for (int64_t j = 0; j < 7; j++)
			differ += f.w[i * 7 + j] != (i == j ? 3.0f : 0.0f);
	ck_assert_int_eq(differ, 0);
	struct moments m = moments_of(f.w, f.n);
	/* stddev() is the population sd of the entries. */
	ck_assert(fabs(m.sd * sqrt((f.n - 1.0) / f.n) - f.stddev) < 1e-6);
	filled_free(&f);
	struct fill_spec c = { .name = "identity", .dims = { 2, 3, 4 }, .n_dims = 3 };
	char msg[128] = "";
	ck_assert_int_ne(do_fill(&f, &c, 1, 1, msg, sizeof msg), 0);
	ck_assert_ptr_nonnull(strstr(msg, "2-D"));
	filled_free(&f);
}
END_TEST

static Suite *initializers_suite(void)
{
	Suite *s = suite_create("initializers");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_descriptors);
	tcase_add_test(tc, test_zeros_exact);
	tcase_add_test(tc, test_random_normal);
	tcase_add_test(tc, test_glorot_normal);
	tcase_add_test(tc, test_he_normal);
	tcase_add_test(tc, test_glorot_uniform);
	tcase_add_test(tc, test_bias_and_conv_fans);
	tcase_add_test(tc, test_determinism);
	suite_add_tcase(s, tc);
	tc = tcase_create("catalogue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_statistics, 0, (int)N_STAT_CASES);
	tcase_add_test(tc, test_variance_scaling);
	tcase_add_test(tc, test_aliases);
	tcase_add_test(tc, test_constants);
	tcase_add_test(tc, test_uniform_bad_range);
	tcase_add_test(tc, test_orthogonal);
	tcase_add_test(tc, test_delta_orthogonal);
	tcase_add_test(tc, test_identity);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(initializers_suite());
}
