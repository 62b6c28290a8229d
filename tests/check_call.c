/* tests/check_call.c -- calling plugins from the host (src/plugin/call.c): the
 * arguments it builds (Keras fans, gain, parameters, host, stream) and the errors for a
 * failed, incomplete or non-finite fill, for stddev and for adapt. */
#include "config.h"

#include <math.h>

#include <winit/plugin_call.h>

#include "testutil.h"

/* What the last callback saw (the tests run one at a time). */
static struct winit_fill_args seen;
static int64_t seen_dims[4];
/* What the next fill does: -1 writes all, else the index it leaves alone or poisons. */
static int64_t skip_at = -1, nan_at = -1;
static int fail_with_reason = -1; /* -1 succeed, 0 fail silently, 1 fail with a reason */

static int rec_fill(float *w, const struct winit_fill_args *a, char *err, size_t errlen)
{
	seen = *a;
	for (uint32_t i = 0; i < a->n_dims && i < 4; i++)
		seen_dims[i] = a->dims[i];
	if (fail_with_reason >= 0) {
		if (fail_with_reason)
			snprintf(err, errlen, "cannot fill that");
		return 1;
	}
	for (int64_t i = 0; i < a->n; i++) {
		if (i == skip_at)
			continue;
		w[i] = i == nan_at ? NAN : (float)a->host->uniform(a->rng);
	}
	return 0;
}

static double rec_stddev(const struct winit_fill_args *a)
{
	seen = *a;
	return 0.5 * a->gain;
}

static int rec_adapt(float *w, const struct winit_fill_args *a, const struct winit_probe *p,
                     char *err, size_t errlen)
{
	(void)p;
	seen = *a;
	if (fail_with_reason >= 0) {
		if (fail_with_reason)
			snprintf(err, errlen, "no variance");
		return 1;
	}
	if (nan_at >= 0)
		w[nan_at] = INFINITY;
	return 0;
}

static const struct winit_param_decl decl[] = {
	{ "a", WINIT_PARAM_REAL, 0.25, 0.0, 1.0, "doc", NULL },
	{ "b", WINIT_PARAM_INT, 3, 1, 9, "doc", NULL },
};

static struct winit_initializer rec(void)
{
	skip_at = nan_at = -1;
	fail_with_reason = -1;
	memset(&seen, 0, sizeof seen);
	return (struct winit_initializer){
		.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
		          WINIT_KIND_INITIALIZER, 2, "rec", "records its args", decl, NULL },
		.fill = rec_fill,
		.stddev = rec_stddev,
		.adapt = rec_adapt,
	};
}

START_TEST(test_defaults)
{
	struct winit_initializer init = rec();
	double p[WINIT_MAX_PARAMS];
	memset(p, 0xff, sizeof p);
	winit_params_defaults(p, &init.info);
	ck_assert(p[0] == 0.25 && p[1] == 3.0);
	for (int k = 2; k < WINIT_MAX_PARAMS; k++)
		ck_assert(p[k] == 0.0);
}
END_TEST

struct fans_case {
	uint32_t n_dims;
	int64_t dims[4];
	int64_t n, fan_in, fan_out;
};

static const struct fans_case fans[] = {
	{ 1, { 10 }, 10, 10, 10 },                          /* a bias */
	{ 2, { 784, 128 }, 784 * 128, 784, 128 },           /* a dense kernel */
	{ 4, { 3, 3, 16, 32 }, 3 * 3 * 16 * 32, 144, 288 }, /* a conv kernel, Keras order */
};

START_TEST(test_fill_args)
{
	const struct fans_case *fc = &fans[_i];
	struct winit_initializer init = rec();
	double p[WINIT_MAX_PARAMS];
	winit_params_defaults(p, &init.info);
	struct winit_rng rng;
	winit_rng_seed(&rng, 1, 2);
	float *w = malloc((size_t)fc->n * sizeof *w);
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_initializer_fill(&init, w, fc->dims, fc->n_dims, 1.5, p, &rng,
	                                        "layer 1 kernel", &err),
	                 WINIT_OK);
	ck_assert_uint_eq(seen.struct_size, sizeof(struct winit_fill_args));
	ck_assert_uint_eq(seen.n_dims, fc->n_dims);
	ck_assert_int_eq(seen.n, fc->n);
	ck_assert_int_eq(seen.fan_in, fc->fan_in);
	ck_assert_int_eq(seen.fan_out, fc->fan_out);
	ck_assert_int_eq(seen_dims[fc->n_dims - 1], fc->dims[fc->n_dims - 1]);
	ck_assert(seen.gain == 1.5);
	ck_assert_ptr_eq(seen.params, p);
	ck_assert_ptr_eq(seen.host, winit_host_services());
	ck_assert_ptr_eq(seen.rng, &rng);
	ck_assert_ptr_eq(seen.self, &init.info);
	/* The values are the stream's, in order. */
	struct winit_rng again;
	winit_rng_seed(&again, 1, 2);
	for (int64_t i = 0; i < fc->n; i++)
		ck_assert(w[i] == (float)winit_rng_uniform(&again));
	free(w);
}
END_TEST

START_TEST(test_fill_errors)
{
	struct winit_initializer init = rec();
	int64_t dims[1] = { 10 };
	float w[10];
	struct winit_rng rng;
	struct winit_error err = { 0 };
	winit_rng_seed(&rng, 1, 2);

	fail_with_reason = 1;
	ck_assert_int_eq(winit_initializer_fill(&init, w, dims, 1, 1.0, NULL, &rng,
	                                        "layer 2 bias", &err),
	                 WINIT_ERR_PLUGIN);
	ck_assert_str_eq(err.msg, "layer 2 bias: initializer 'rec' failed: cannot fill that");
	fail_with_reason = 0;
	winit_initializer_fill(&init, w, dims, 1, 1.0, NULL, &rng, "layer 2 bias", &err);
	ck_assert_str_eq(err.msg, "layer 2 bias: initializer 'rec' failed: (no reason given)");

	init = rec(), skip_at = 7;
	w[7] = 0.0f; /* whatever was there before: the host presets the buffer */
	ck_assert_int_eq(winit_initializer_fill(&init, w, dims, 1, 1.0, NULL, &rng,
	                                        "layer 3 kernel", &err),
	                 WINIT_ERR_PLUGIN);
	ck_assert_msg(strstr(err.msg, "layer 3 kernel: initializer 'rec' left 1 of 10 values "
	                              "unwritten (first at index 7)"),
	              "%s", err.msg);

	init = rec(), nan_at = 4;
	ck_assert_int_eq(winit_initializer_fill(&init, w, dims, 1, 1.0, NULL, &rng,
	                                        "layer 3 kernel", &err),
	                 WINIT_ERR_NUMERIC);
	ck_assert_str_eq(err.msg, "layer 3 kernel: initializer 'rec' produced a non-finite "
	                          "value at index 4");
}
END_TEST

START_TEST(test_stddev_without_stream)
{
	struct winit_initializer init = rec();
	int64_t dims[2] = { 6, 4 };
	seen.rng = &seen; /* anything non-NULL, to see it overwritten */
	ck_assert(winit_initializer_stddev(&init, dims, 2, 2.0, NULL) == 1.0);
	ck_assert_ptr_null(seen.rng);
	ck_assert_int_eq(seen.fan_in, 6);
	ck_assert_int_eq(seen.fan_out, 4);
	init.stddev = NULL;
	ck_assert(isnan(winit_initializer_stddev(&init, dims, 2, 2.0, NULL)));
}
END_TEST

START_TEST(test_adapt)
{
	struct winit_initializer init = rec();
	int64_t dims[2] = { 2, 3 };
	float w[6] = { 0 };
	struct winit_rng rng;
	struct winit_probe probe = { .struct_size = sizeof probe };
	struct winit_error err = { 0 };
	winit_rng_seed(&rng, 1, 2);

	ck_assert_ptr_eq(winit_initializer_adapter(&init), &init);
	ck_assert_int_eq(winit_initializer_adapt(&init, w, dims, 2, 1.0, NULL, &rng, &probe,
	                                         "layer 1 kernel", &err),
	                 WINIT_OK);
	ck_assert_ptr_eq(seen.rng, &rng);
	ck_assert_int_eq(seen.n, 6);

	nan_at = 5;
	ck_assert_int_eq(winit_initializer_adapt(&init, w, dims, 2, 1.0, NULL, &rng, &probe,
	                                         "layer 1 kernel", &err),
	                 WINIT_ERR_NUMERIC);
	ck_assert_str_eq(err.msg, "layer 1 kernel: initializer 'rec' produced a non-finite "
	                          "value at index 5 while adapting");
	init = rec(), fail_with_reason = 1;
	ck_assert_int_eq(winit_initializer_adapt(&init, w, dims, 2, 1.0, NULL, &rng, &probe,
	                                         "layer 1 kernel", &err),
	                 WINIT_ERR_PLUGIN);
	ck_assert_str_eq(err.msg, "layer 1 kernel: initializer 'rec' could not adapt to the "
	                          "data: no variance");

	/* Not data-aware: nothing is called. */
	init = rec(), init.adapt = NULL;
	ck_assert_ptr_null(winit_initializer_adapter(&init));
	ck_assert_int_eq(winit_initializer_adapt(&init, w, dims, 2, 1.0, NULL, &rng, &probe,
	                                         "layer 1 kernel", &err),
	                 WINIT_OK);
	ck_assert_uint_eq(seen.struct_size, 0);
}
END_TEST

static Suite *call_suite(void)
{
	Suite *s = suite_create("call");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_fill_args, 0, (int)(sizeof fans / sizeof fans[0]));
	tcase_add_test(tc, test_stddev_without_stream);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_fill_errors);
	tcase_add_test(tc, test_adapt);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(call_suite());
}
