/* tests/check_abi.c -- ABI version 1 is frozen: a host built from a later release of
 * <winit/plugin.h> (tests/abi-next: one field appended to each descriptor) still loads a
 * plugin of the first release, and refuses a descriptor smaller than that release.
 *
 * This program is that later host: it compiles the loader and the descriptor validation
 * (src/plugin/registry.c, validate.c, src/core/error.c) itself, against the test-only
 * header, instead of linking libwinit, which was built against the real one. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/registry.h>

/* Compiles only against tests/abi-next/winit/plugin.h. */
#define NEXT_FIELD_SIZE sizeof(((struct winit_initializer *)0)->winit_next_field)

static const char *abi_plugin(const char *name)
{
	static char path[1024];
	const char *top = getenv("top_builddir");
	ck_assert_msg(top && *top, "top_builddir is not set (run through make check)");
	snprintf(path, sizeof path, "%s/tests/plugins/abi/.libs/%s.so", top, name);
	return path;
}

static int fill_zero(float *w, const struct winit_fill_args *a, char *e, size_t n)
{
	(void)e;
	(void)n;
	for (int64_t i = 0; i < a->n; i++)
		w[i] = 0.0f;
	return 0;
}

START_TEST(test_host_is_later)
{
	/* The premise: this host's descriptors are larger than the first release's. */
	ck_assert_uint_gt(sizeof(struct winit_initializer), WINIT_INITIALIZER_V1_SIZE);
	ck_assert_uint_gt(sizeof(struct winit_activation), WINIT_ACTIVATION_V1_SIZE);
	ck_assert_uint_eq(NEXT_FIELD_SIZE, sizeof(double));
	/* The appended field lies past the first-release size. */
	ck_assert_uint_ge(offsetof(struct winit_initializer, winit_next_field),
	                  WINIT_INITIALIZER_V1_SIZE);
}
END_TEST

START_TEST(test_first_release_plugin_loads)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	const char *path = abi_plugin("v1");
	ck_assert_msg(winit_registry_load_file(reg, path, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_uint_eq(winit_registry_count(reg), 2);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);

	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, "v1_init");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->info->struct_size, WINIT_INITIALIZER_V1_SIZE);
	/* The host sees the first-release fields and knows the appended one is absent. */
	ck_assert(WINIT_HAS_FIELD(e->info->struct_size, struct winit_initializer, check_params));
	ck_assert(!WINIT_HAS_FIELD(e->info->struct_size, struct winit_initializer,
	                           winit_next_field));
	const struct winit_initializer *init = (const struct winit_initializer *)e->info;
	float w[3] = { 0 };
	int64_t dims[1] = { 3 };
	struct winit_fill_args args = { .struct_size = sizeof args, .n_dims = 1, .dims = dims, .n = 3 };
	char msg[64] = "";
	ck_assert_int_eq(init->fill(w, &args, msg, sizeof msg), 0);
	ck_assert(w[2] == 0.25f);

	e = winit_registry_find(reg, WINIT_KIND_ACTIVATION, "v1_act");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->info->struct_size, WINIT_ACTIVATION_V1_SIZE);
	ck_assert(!WINIT_HAS_FIELD(e->info->struct_size, struct winit_activation,
	                           winit_next_field));
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_smaller_than_first_release_refused)
{
	struct winit_error err = { 0 };
	struct winit_initializer d = {
		.info = { WINIT_PLUGIN_ABI_VERSION, WINIT_INITIALIZER_V1_SIZE,
		          WINIT_KIND_INITIALIZER, 0, "mem", "summary", NULL, NULL },
		.fill = fill_zero,
	};
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);
	d.info.struct_size = WINIT_INITIALIZER_V1_SIZE - 1;
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_ERR_PLUGIN);
	char found[64], need[64];
	snprintf(found, sizeof found, "struct_size %zu", WINIT_INITIALIZER_V1_SIZE - 1);
	snprintf(need, sizeof need, "expected at least %zu", WINIT_INITIALIZER_V1_SIZE);
	ck_assert_msg(strstr(err.msg, found) && strstr(err.msg, need) &&
	                      strstr(err.msg, "first release"),
	              "%s", err.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("abi");
	TCase *tc = tcase_create("frozen_v1");
	tcase_add_test(tc, test_host_is_later);
	tcase_add_test(tc, test_first_release_plugin_loads);
	tcase_add_test(tc, test_smaller_than_first_release_refused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
