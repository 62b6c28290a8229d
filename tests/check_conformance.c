/* tests/check_conformance.c -- `winit check-plugin`'s library part: every shipped plugin
 * object passes, each deliberately wrong (but loadable) test plugin fails with the FAIL
 * line naming its bug, and objects the loader refuses fail with the loader's message. */
#include "config.h"

#include <dirent.h>
#include <math.h>

#include <winit/conformance.h>

#include "testutil.h"

/* ---- Helpers ---- */

struct run {
	int rc;
	size_t n_failed;
	struct winit_error err;
	char *out; /* everything printed (malloc'd) */
};

static struct run check(const char *path, int verbose)
{
	struct run r = { 0 };
	size_t len = 0;
	FILE *f = open_memstream(&r.out, &len);
	ck_assert_ptr_nonnull(f);
	r.n_failed = 12345;
	r.rc = winit_plugin_check(path, f, verbose, &r.n_failed, &r.err);
	ck_assert_int_eq(fclose(f), 0);
	return r;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#define assert_has(r, s) \
	ck_assert_msg(strstr((r).out, (s)) != NULL, "expected '%s' in:\n%s", (s), (r).out)
#define assert_lacks(r, s) \
	ck_assert_msg(strstr((r).out, (s)) == NULL, "did not expect '%s' in:\n%s", (s), (r).out)

/* The counts printed, the FAIL lines and *n_failed agree; the last line is the total. */
static void assert_consistent(const struct run *r)
{
	char want[64];
	ck_assert_uint_eq(count(r->out, "\n  FAIL "), r->n_failed);
	snprintf(want, sizeof want, " %zu failed\n", r->n_failed);
	size_t len = strlen(r->out), wl = strlen(want);
	ck_assert_msg(len >= wl && strcmp(r->out + len - wl, want) == 0,
	              "expected the output to end with '%s':\n%s", want, r->out);
	ck_assert_int_eq(r->rc == 0, r->n_failed == 0);
}

/* The loader's test plugins ($WINIT_TEST_PLUGIN_DIR). */
static const char *test_plugin(const char *name)
{
	static char path[1024];
	const char *d = getenv("WINIT_TEST_PLUGIN_DIR");
	ck_assert_msg(d && *d, "WINIT_TEST_PLUGIN_DIR is not set (run through make check)");
	snprintf(path, sizeof path, "%s/%s.so", d, name);
	return path;
}

/* The wrong-but-loadable ones (tests/plugins/conformance in the build tree). */
static const char *bad_plugin(const char *name)
{
	static char path[1024];
	const char *d = getenv("top_builddir");
	ck_assert_msg(d && *d, "top_builddir is not set (run through make check)");
	snprintf(path, sizeof path, "%s/tests/plugins/conformance/.libs/%s.so", d, name);
	return path;
}

/* The shipped objects: every *.so in $WINIT_BUILD_PLUGIN_DIRS, listed once in main. */
#define MAX_SHIPPED 128
static char *shipped[MAX_SHIPPED];
static int n_shipped;

static void list_shipped(void)
{
	const char *env = getenv("WINIT_BUILD_PLUGIN_DIRS");
	if (!env)
		return;
	while (*env) {
		const char *end = strchr(env, ':');
		size_t len = end ? (size_t)(end - env) : strlen(env);
		char dir[1024];
		snprintf(dir, sizeof dir, "%.*s", (int)len, env);
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL && n_shipped < MAX_SHIPPED) {
			size_t n = strlen(de->d_name);
			if (n <= 3 || strcmp(de->d_name + n - 3, ".so") != 0)
				continue;
			char *p = malloc(len + n + 2);
			if (!p)
				break;
			snprintf(p, len + n + 2, "%s/%s", dir, de->d_name);
			shipped[n_shipped++] = p;
		}
		if (d)
			closedir(d);
		env += len;
		if (*env == ':')
			env++;
	}
}

/* ---- core: conforming objects pass ---- */

START_TEST(test_shipped_found)
{
	/* Both kinds' directories hold the catalogue (a dozen objects or more). */
	ck_assert_msg(n_shipped >= 10, "found %d plugin objects in $WINIT_BUILD_PLUGIN_DIRS "
	                               "(%s)",
	              n_shipped, getenv("WINIT_BUILD_PLUGIN_DIRS"));
}
END_TEST

START_TEST(test_shipped_passes)
{
	if (n_shipped == 0)
		return; /* test_shipped_found says why */
	struct run r = check(shipped[_i], 0);
	ck_assert_msg(r.rc == 0 && r.n_failed == 0, "%s: rc %d, %zu failed:\n%s",
	              shipped[_i], r.rc, r.n_failed, r.out);
	assert_consistent(&r);
	assert_has(r, "plugin ");
	free(r.out);
}
END_TEST

START_TEST(test_good_two_passes)
{
	struct run r = check(test_plugin("good_two"), 1);
	ck_assert_msg(r.rc == 0, "%s", r.out);
	ck_assert_uint_eq(r.n_failed, 0);
	assert_consistent(&r);
	/* The descriptors: kind, name, summary, parameters with defaults and ranges. */
	assert_has(r, "initializer test_const: test: a constant\n");
	assert_has(r, "  param value (real) = 0.5 in [-10, 10]: the constant\n");
	assert_has(r, "  param mode (choice: plain | negated) = plain: sign\n");
	assert_has(r, "activation test_double: test: 2x\n");
	/* A constant is deterministic; its settings include each bound and choice. */
	assert_has(r, "  info test_const: deterministic");
	assert_has(r, "  ok   test_const{value=-10}: fill 784x128 returns 0");
	assert_has(r, "  ok   test_const{value=10}: ");
	assert_has(r, "  ok   test_const{mode=negated}: ");
	assert_has(r, "  ok   test_double: backward matches central differences");
	assert_has(r, "  ok   test_double: gain 0.5 finite and > 0");
	free(r.out);
}
END_TEST

START_TEST(test_quiet_and_silent)
{
	const char *path = shipped[0] ? shipped[0] : test_plugin("good_two");
	struct run loud = check(path, 1), quiet = check(path, 0);
	ck_assert_int_eq(loud.rc, 0);
	ck_assert_int_eq(quiet.rc, 0);
	ck_assert_uint_gt(count(loud.out, "\n  ok   "), 0);
	ck_assert_uint_eq(count(quiet.out, "\n  ok   "), 0);
	/* The same number of checks either way, and none needs an output stream. */
	size_t n_loud = 0, n_quiet = 0;
	const char *ll = loud.out + strlen(loud.out) - 1;
	const char *lq = quiet.out + strlen(quiet.out) - 1;
	while (ll > loud.out && ll[-1] != '\n')
		ll--;
	while (lq > quiet.out && lq[-1] != '\n')
		lq--;
	ck_assert_int_eq(sscanf(ll, "%zu checks", &n_loud), 1);
	ck_assert_int_eq(sscanf(lq, "%zu checks", &n_quiet), 1);
	ck_assert_uint_gt(n_loud, 0);
	ck_assert_uint_eq(n_loud, n_quiet);
	ck_assert_uint_eq(count(loud.out, "\n  ok   "), n_loud);
	size_t nf = 99;
	ck_assert_int_eq(winit_plugin_check(path, NULL, 1, &nf, NULL), 0);
	ck_assert_uint_eq(nf, 0);
	free(loud.out);
	free(quiet.out);
}
END_TEST

/* ---- bad: loadable plugins that break the contract ---- */

START_TEST(test_nan_fill)
{
	struct run r = check(bad_plugin("nan_fill"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL nan_fill: fill 10 wrote 10 non-finite values of 10 (first at [0]");
	/* Only the bias is wrong. */
	assert_lacks(r, "FAIL nan_fill: fill 784x128");
	assert_lacks(r, "FAIL nan_fill: fill 3x3x16x32");
	/* short_fill: one value left unwritten everywhere; 4-D refused without a reason. */
	assert_has(r, "  FAIL short_fill: fill 784x128 left 1 of 100352 values unwritten "
	              "(first at [100351])");
	assert_has(r, "  FAIL short_fill: fill 10 left 1 of 10 values unwritten");
	assert_has(r, "  FAIL short_fill: fill 3x3x16x32 returned 2 without a reason");
	ck_assert_uint_eq(count(r.out, "  FAIL nan_fill: "), 1);
	ck_assert_ptr_nonnull(strstr(r.err.msg, "conformance checks failed"));
	free(r.out);
}
END_TEST

START_TEST(test_nondeterministic)
{
	struct run r = check(bad_plugin("nondeterministic"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL nondeterministic: two fills 128x10 from identical streams "
	              "differ");
	/* Its values themselves are fine: finite, and the sd it claims. */
	assert_lacks(r, "FAIL nondeterministic: fill ");
	assert_lacks(r, "FAIL nondeterministic: stddev");
	free(r.out);
}
END_TEST

START_TEST(test_wrong_derivative)
{
	struct run r = check(bad_plugin("wrong_derivative"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	/* tanh with half its derivative: the reported ratio is about 1/2. */
	const char *p = strstr(r.out, "  FAIL wrong_derivative: backward gives f'(");
	ck_assert_msg(p != NULL, "%s", r.out);
	double x, got, fd;
	ck_assert_int_eq(sscanf(p, "  FAIL wrong_derivative: backward gives f'(%lf) = %lf but "
	                           "the central difference of forward is %lf",
	                        &x, &got, &fd),
	                 3);
	ck_assert_double_eq_tol(got / fd, 0.5, 0.02);
	ck_assert_double_eq_tol(fd, 1.0 - tanh(x) * tanh(x), 0.02);
	assert_lacks(r, "FAIL wrong_derivative: forward");
	assert_lacks(r, "FAIL wrong_derivative: gain");
	/* Softmax with only the Jacobian's diagonal. */
	assert_has(r, "  FAIL wrong_softmax: backward (rowwise) gives (J^T dy)[");
	assert_lacks(r, "FAIL wrong_softmax: forward");
	ck_assert_uint_eq(r.n_failed, 2);
	free(r.out);
}
END_TEST

START_TEST(test_bad_stddev)
{
	struct run r = check(bad_plugin("bad_stddev"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	/* stddev() says sqrt(1/784); the fill's sd is sqrt(2/784), to within 6 standard
	 * errors of a normal sample of 100352 (se = sd / sqrt(2 n)). */
	const char *head = "  FAIL bad_stddev: stddev() says ";
	const char *p = strstr(r.out, head);
	ck_assert_msg(p != NULL, "%s", r.out);
	double claim, sd;
	ck_assert_int_eq(sscanf(p + strlen(head), "%lf but the fill's sd is %lf", &claim, &sd),
	                 2);
	const double n = 784.0 * 128.0, want = sqrt(2.0 / 784.0);
	ck_assert_double_eq_tol(claim, sqrt(1.0 / 784.0), 1e-6);
	ck_assert_double_eq_tol(sd, want, 6.0 * want / sqrt(2.0 * n));
	/* Every setting (default, min 0.5, max 4) is caught on the big kernel. */
	assert_has(r, "  FAIL bad_stddev{scale=0.5}: stddev() says ");
	assert_has(r, "  FAIL bad_stddev{scale=4}: stddev() says ");
	assert_lacks(r, "FAIL bad_stddev: fill ");
	free(r.out);
}
END_TEST

START_TEST(test_bad_alias)
{
	struct run r = check(bad_plugin("bad_alias"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL bad_alias: forward in place (y aliasing x) gives ");
	/* Out of place it is right, backward included. */
	assert_lacks(r, "FAIL bad_alias: backward");
	ck_assert_uint_eq(r.n_failed, 1);
	free(r.out);
}
END_TEST

/* WINIT_ACT_FROM_OUTPUT on a backward that reads x: only that check fails, naming the
 * point; the shipped activations that carry the flag pass it (test_shipped_passes). */
START_TEST(test_false_from_output)
{
	struct run r = check(bad_plugin("false_from_output"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	const char *head = "  FAIL false_from_output: backward with x holding f(x) gives ";
	const char *p = strstr(r.out, head);
	ck_assert_msg(p != NULL, "%s", r.out);
	double got, x, want;
	ck_assert_int_eq(sscanf(p + strlen(head), "%lf at x = %lf, with x itself %lf", &got, &x, &want), 3);
	/* The grid's first point: tanhf(-20) is -1, so the true dx is dy (1 - 1) = 0, and the
	 * false one dy (1 - tanh(-1)^2) = 0.42 dy. */
	ck_assert_msg(x == -20.0 && want == 0.0 && got != 0.0, "%s", p);
	assert_lacks(r, "FAIL false_from_output: backward gives f'(");
	ck_assert_uint_eq(r.n_failed, 1);
	free(r.out);
}
END_TEST

/* A gain that is not positive at the defaults is refused when loading: the check says
 * so (it was a failed gain() check, after loading). */
START_TEST(test_bad_gain_fails_load)
{
	char path[1024];
	const char *d = getenv("WINIT_TEST_PLUGIN_DIR");
	ck_assert_msg(d && *d, "WINIT_TEST_PLUGIN_DIR is not set (run through make check)");
	snprintf(path, sizeof path, "%s/bad_gain.so", d);
	struct run r = check(path, 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL load: ");
	assert_has(r, "plugin 'bad_gain': gain() at the default parameters is -1, expected a "
	              "positive finite number");
	ck_assert_uint_eq(r.n_failed, 1);
	free(r.out);
}
END_TEST

/* A fill writing before its buffer (the 64 floats before it): the checker's buffers have
 * guards on both sides, so it is a failed check saying where, not a corrupted heap. */
START_TEST(test_underrun_is_caught)
{
	struct run r = check(bad_plugin("underrun_fill"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL underrun_fill: fill 784x128 wrote before the start of its buffer "
	              "(at [-64]); write only w[0] to w[args->n - 1]\n");
	assert_has(r, "  FAIL underrun_fill: fill 1x1 wrote before the start of its buffer");
	free(r.out);
	/* The same in an activation's forward: its output buffer is guarded too. */
	r = check(bad_plugin("underrun_act"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_consistent(&r);
	assert_has(r, "  FAIL underrun_act: forward wrote outside the 1400 values of "
	              "y (at [-8]); touch only [0, rows * cols)\n");
	ck_assert_uint_eq(r.n_failed, 1);
	free(r.out);
	/* Each callback named: the object holding a forward writing past y and a backward
	 * writing before dx. */
	r = check(bad_plugin("overrun_act"), 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_has(r, "  FAIL past_act: forward wrote outside the 1400 values of y (at [1400])");
	assert_has(r, "  FAIL back_act: backward wrote outside the 1400 values of dx (at [-8])");
	free(r.out);
}
END_TEST

/* ---- errors: what the loader refuses is one failed check with its message ---- */

START_TEST(test_not_a_plugin)
{
	char path[512];
	snprintf(path, sizeof path, "%s/text.so", tu_tmpdir());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not an ELF object\n", f);
	ck_assert_int_eq(fclose(f), 0);
	struct run r = check(path, 1);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	ck_assert_uint_eq(r.n_failed, 1);
	assert_consistent(&r);
	assert_has(r, "  FAIL load: ");
	assert_has(r, "cannot load plugin");
	assert_has(r, "1 check, 1 failed\n");
	ck_assert_ptr_nonnull(strstr(r.err.msg, "cannot load plugin"));
	ck_assert_ptr_nonnull(strstr(r.err.msg, path));
	free(r.out);
	unlink(path);
}
END_TEST

START_TEST(test_refused_objects)
{
	static const struct {
		const char *name, *msg;
	} cases[] = {
		{ "bad_abi", "incompatible plugin ABI version (plugin: 99, winit: 1)" },
		{ "no_entry", "not a winit plugin" },
		{ "null_fill", "no fill callback" },
		{ "does_not_exist", "cannot load plugin" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run r = check(test_plugin(cases[i].name), 0);
		ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
		ck_assert_uint_eq(r.n_failed, 1);
		assert_consistent(&r);
		assert_has(r, "  FAIL load: ");
		assert_has(r, cases[i].msg);
		ck_assert_msg(strstr(r.err.msg, cases[i].msg) != NULL, "%s", r.err.msg);
		free(r.out);
	}
}
END_TEST

/* The crashing test plugins (tests/plugins/crash*, in the build tree). */
static const char *crash_plugin(const char *dir, const char *name)
{
	static char path[1024];
	const char *d = getenv("top_builddir");
	ck_assert_msg(d && *d, "top_builddir is not set (run through make check)");
	snprintf(path, sizeof path, "%s/tests/plugins/%s/.libs/%s.so", d, dir, name);
	return path;
}

static struct run check_with(const char *path, double timeout, int in_process)
{
	struct run r = { 0 };
	size_t len = 0;
	FILE *f = open_memstream(&r.out, &len);
	ck_assert_ptr_nonnull(f);
	struct winit_check_options opt = { .timeout = timeout, .in_process = in_process };
	r.n_failed = 12345;
	r.rc = winit_plugin_check_with(path, f, &opt, &r.n_failed, &r.err);
	ck_assert_int_eq(fclose(f), 0);
	return r;
}

/* A crash or a hang in the plugin is one failed check naming the call; the checker lives. */
START_TEST(test_crash_and_hang_are_failed_checks)
{
	struct run r = check_with(crash_plugin("crash", "segv_fill"), 0, 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_has(r, "FAIL segv_fill: crashed with SIGSEGV (signal 11) during fill 128x10 from stream 1\n");
	assert_has(r, "  segv_fill: 2 checks, 1 failed\n");
	assert_consistent(&r);
	free(r.out);

	r = check_with(crash_plugin("crash", "hang_fill"), 0.3, 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_has(r, "FAIL hang_fill: no answer within 0.3 s (a hang?) during fill 128x10 from stream 1: killed\n");
	assert_consistent(&r);
	free(r.out);

	r = check_with(crash_plugin("crash_describe", "segv_describe"), 0, 0);
	ck_assert_int_eq(r.rc, WINIT_ERR_PLUGIN);
	assert_has(r, "FAIL load: crashed with SIGSEGV (signal 11) during loading");
	ck_assert_ptr_nonnull(strstr(r.err.msg, "crashed or hung while loading"));
	assert_consistent(&r);
	free(r.out);

	/* Checked in children or in process, a sound plugin gives the same report. */
	struct run a = check_with(bad_plugin("nan_fill"), 0, 0);
	struct run b = check_with(bad_plugin("nan_fill"), 0, 1);
	ck_assert_str_eq(a.out, b.out);
	ck_assert_uint_eq(a.n_failed, b.n_failed);
	free(a.out);
	free(b.out);
}
END_TEST

START_TEST(test_null_path)
{
	struct winit_error err = { 0 };
	size_t nf = 7;
	ck_assert_int_eq(winit_plugin_check(NULL, NULL, 0, &nf, &err), WINIT_ERR_ARG);
	ck_assert_uint_eq(nf, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "no file"));
}
END_TEST

static Suite *conformance_suite(void)
{
	Suite *s = suite_create("conformance");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_shipped_found);
	tcase_add_loop_test(tc, test_shipped_passes, 0, n_shipped > 0 ? n_shipped : 1);
	tcase_add_test(tc, test_good_two_passes);
	tcase_add_test(tc, test_quiet_and_silent);
	suite_add_tcase(s, tc);
	tc = tcase_create("bad");
	tcase_add_test(tc, test_nan_fill);
	tcase_add_test(tc, test_nondeterministic);
	tcase_add_test(tc, test_wrong_derivative);
	tcase_add_test(tc, test_bad_stddev);
	tcase_add_test(tc, test_bad_alias);
	tcase_add_test(tc, test_false_from_output);
	tcase_add_test(tc, test_bad_gain_fails_load);
	tcase_add_test(tc, test_underrun_is_caught);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_not_a_plugin);
	tcase_add_test(tc, test_refused_objects);
	tcase_add_test(tc, test_null_path);
	tcase_add_test(tc, test_crash_and_hang_are_failed_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	list_shipped();
	int rc = tu_run(conformance_suite());
	for (int i = 0; i < n_shipped; i++)
		free(shipped[i]);
	return rc;
}
