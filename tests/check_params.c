/* tests/check_params.c -- winit_params_resolve (every validation rule and its message)
 * and winit_compute_fans. */
#include "config.h"

#include <math.h>

#include <winit/registry.h>

#include "testutil.h"

static const char *const modes[] = { "fan_in", "fan_out", "fan_avg", NULL };

static const struct winit_param_decl decls[] = {
	{ "scale", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "scale", NULL },
	{ "count", WINIT_PARAM_INT, 3, 1, 10, "count", NULL },
	{ "mode", WINIT_PARAM_CHOICE, 2, 0, 0, "mode", modes },
	{ "shift", WINIT_PARAM_REAL, 0.0, -HUGE_VAL, 5.0, "shift", NULL },
};

static const struct winit_initializer demo = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 4, "demo", "demo", decls, NULL },
};

static const struct winit_initializer bare_init = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "bare", "no params", NULL, NULL },
};

/* Resolve one named value (choice by name if cname) and return the status. */
static int resolve1(double out[WINIT_MAX_PARAMS], const char *name, double v,
                    const char *cname, struct winit_error *err)
{
	const char *names[1] = { name };
	double values[1] = { v };
	const char *cnames[1] = { cname };
	return winit_params_resolve(out, &demo.info, 1, names, values, cnames, err);
}

static void expect_error(const char *name, double v, const char *cname, const char *needle)
{
	double out[WINIT_MAX_PARAMS];
	for (int i = 0; i < WINIT_MAX_PARAMS; i++)
		out[i] = 42.0;
	struct winit_error err = { 0 };
	ck_assert_int_eq(resolve1(out, name, v, cname, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "expected '%s' in: %s", needle, err.msg);
	ck_assert_msg(strncmp(err.msg, "plugin 'demo': ", 15) == 0, "%s", err.msg);
	/* On failure the output is untouched. */
	for (int i = 0; i < WINIT_MAX_PARAMS; i++)
		ck_assert(out[i] == 42.0);
}

START_TEST(test_defaults)
{
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_params_resolve(out, &demo.info, 0, NULL, NULL, NULL, &err), 0);
	for (int i = 0; i < 4; i++)
		ck_assert(out[i] == decls[i].default_value);
	ck_assert_int_eq(winit_params_resolve(out, &bare_init.info, 0, NULL, NULL, NULL, &err), 0);
}
END_TEST

START_TEST(test_named_values)
{
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	const char *names[] = { "shift", "mode", "scale", "count" };
	const double values[] = { -7.5, 0, 2.5, 10 };
	const char *cnames[] = { NULL, "fan_out", NULL, NULL };
	ck_assert_int_eq(winit_params_resolve(out, &demo.info, 4, names, values, cnames, &err), 0);
	ck_assert(out[0] == 2.5);
	ck_assert(out[1] == 10.0);
	ck_assert(out[2] == 1.0);
	ck_assert(out[3] == -7.5);
	/* Choice by index when no name is given; choice_names may be NULL altogether. */
	const char *n1[] = { "mode" };
	const double v1[] = { 0 };
	ck_assert_int_eq(winit_params_resolve(out, &demo.info, 1, n1, v1, NULL, &err), 0);
	ck_assert(out[2] == 0.0);
	ck_assert(out[0] == 1.0);
}
END_TEST

START_TEST(test_bounds_inclusive)
{
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(resolve1(out, "scale", 0.0, NULL, &err), 0);
	ck_assert_int_eq(resolve1(out, "count", 1, NULL, &err), 0);
	ck_assert_int_eq(resolve1(out, "count", 10, NULL, &err), 0);
	ck_assert_int_eq(resolve1(out, "shift", 5.0, NULL, &err), 0);
	ck_assert_int_eq(resolve1(out, "shift", -1e300, NULL, &err), 0);
	ck_assert(out[3] == -1e300);
}
END_TEST

START_TEST(test_unknown_name)
{
	expect_error("sacle", 1, NULL, "unknown parameter 'sacle'");
	expect_error("sacle", 1, NULL, "declared: scale, count, mode, shift");
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	const char *names[] = { "x" };
	const double v[] = { 1 };
	ck_assert_int_eq(winit_params_resolve(out, &bare_init.info, 1, names, v, NULL, &err),
	                 WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "plugin 'bare': unknown parameter 'x'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "no parameters"));
}
END_TEST

START_TEST(test_twice)
{
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	const char *names[] = { "scale", "scale" };
	const double v[] = { 1, 2 };
	ck_assert_int_eq(winit_params_resolve(out, &demo.info, 2, names, v, NULL, &err),
	                 WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "'scale' given twice"));
}
END_TEST

START_TEST(test_out_of_range)
{
	expect_error("scale", -1, NULL, "parameter 'scale' = -1 out of range [0, inf)");
	expect_error("count", 11, NULL, "parameter 'count' = 11 out of range [1, 10]");
	expect_error("count", 0, NULL, "out of range [1, 10]");
	expect_error("shift", 5.5, NULL, "parameter 'shift' = 5.5 out of range (-inf, 5]");
	expect_error("scale", HUGE_VAL, NULL, "= inf is not a finite number");
	expect_error("scale", NAN, NULL, "= nan is not a finite number");
}
END_TEST

START_TEST(test_int_whole)
{
	expect_error("count", 2.5, NULL, "'count' = 2.5 is not a whole number");
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(resolve1(out, "count", 4.0, NULL, &err), 0);
	ck_assert(out[1] == 4.0);
}
END_TEST

START_TEST(test_choices)
{
	expect_error("mode", 0, "fan_sum", "'mode' = 'fan_sum' is not one of its choices "
	                                   "(fan_in, fan_out, fan_avg)");
	expect_error("mode", 3, NULL, "not a choice index in [0, 2]");
	expect_error("mode", -1, NULL, "fan_in, fan_out, fan_avg");
	expect_error("mode", 0.5, NULL, "not a choice index");
	/* A name given for a number is a type error. */
	expect_error("scale", 0, "big", "'scale' = 'big' is a name, expected a number");
	double out[WINIT_MAX_PARAMS];
	struct winit_error err = { 0 };
	ck_assert_int_eq(resolve1(out, "mode", 0, "fan_in", &err), 0);
	ck_assert(out[2] == 0.0);
	ck_assert_int_eq(resolve1(out, "mode", 1, NULL, &err), 0);
	ck_assert(out[2] == 1.0);
}
END_TEST

/* The shipped random_normal plugin gives the documented message. */
START_TEST(test_real_plugin_message)
{
	const char *dirs = getenv("WINIT_BUILD_PLUGIN_DIRS");
	ck_assert_ptr_nonnull(dirs);
	char dir[1024];
	snprintf(dir, sizeof dir, "%.*s", (int)strcspn(dirs, ":"), dirs);
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_dir(reg, dir, &err), 0);
	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, "random_normal");
	ck_assert_ptr_nonnull(e);
	double out[WINIT_MAX_PARAMS];
	const char *names[] = { "stddev" };
	const double v[] = { -1 };
	ck_assert_int_eq(winit_params_resolve(out, e->info, 1, names, v, NULL, &err),
	                 WINIT_ERR_ARG);
	ck_assert_str_eq(err.msg,
	                 "plugin 'random_normal': parameter 'stddev' = -1 out of range [0, inf)");
	ck_assert_int_eq(winit_params_resolve(out, e->info, 0, NULL, NULL, NULL, &err), 0);
	ck_assert(out[0] == 0.0 && out[1] == 0.05);
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_fans)
{
	int64_t fi, fo;
	winit_compute_fans(NULL, 0, &fi, &fo);
	ck_assert(fi == 1 && fo == 1);
	const int64_t bias[] = { 128 };
	winit_compute_fans(bias, 1, &fi, &fo);
	ck_assert(fi == 128 && fo == 128);
	const int64_t dense[] = { 784, 128 };
	winit_compute_fans(dense, 2, &fi, &fo);
	ck_assert(fi == 784 && fo == 128);
	/* Conv kernel (kh, kw, in, out): receptive field kh * kw. */
	const int64_t conv[] = { 3, 5, 16, 32 };
	winit_compute_fans(conv, 4, &fi, &fo);
	ck_assert_int_eq(fi, 3 * 5 * 16);
	ck_assert_int_eq(fo, 3 * 5 * 32);
	const int64_t conv1d[] = { 7, 4, 8 };
	winit_compute_fans(conv1d, 3, &fi, &fo);
	ck_assert(fi == 28 && fo == 56);
}
END_TEST

static Suite *params_suite(void)
{
	Suite *s = suite_create("params");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_named_values);
	tcase_add_test(tc, test_bounds_inclusive);
	tcase_add_test(tc, test_fans);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_name);
	tcase_add_test(tc, test_twice);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_int_whole);
	tcase_add_test(tc, test_choices);
	tcase_add_test(tc, test_real_plugin_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(params_suite());
}
