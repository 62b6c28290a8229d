/* tests/check_registry.c -- the plugin loader: loading objects and directories,
 * refusing broken plugins (and unloading them), descriptor validation, search-path
 * order, shadowing and read-only use from several threads. */
#include "config.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>

#include <winit/registry.h>

#include <sys/stat.h>
#include <zlib.h>

#include "testutil.h"

static const char *test_dir(void)
{
	const char *d = getenv("WINIT_TEST_PLUGIN_DIR");
	ck_assert_msg(d && *d, "WINIT_TEST_PLUGIN_DIR is not set (run through make check)");
	return d;
}

/* The first directory of $WINIT_BUILD_PLUGIN_DIRS is the initializers'. */
static const char *build_dir(int which)
{
	static char dirs[2][1024];
	const char *env = getenv("WINIT_BUILD_PLUGIN_DIRS");
	ck_assert_msg(env && *env, "WINIT_BUILD_PLUGIN_DIRS is not set");
	const char *colon = strchr(env, ':');
	ck_assert_ptr_nonnull(colon);
	if (which == 0)
		snprintf(dirs[0], sizeof dirs[0], "%.*s", (int)(colon - env), env);
	else
		snprintf(dirs[1], sizeof dirs[1], "%s", colon + 1);
	return dirs[which];
}

static const char *test_plugin(const char *name)
{
	static char path[1024];
	snprintf(path, sizeof path, "%s/%s.so", test_dir(), name);
	return path;
}

static int still_loaded(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- core ---- */

START_TEST(test_load_dir_and_find)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_dir(reg, build_dir(0), &err), WINIT_OK);
	ck_assert_int_eq(winit_registry_load_dir(reg, build_dir(1), &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
	static const char *inits[] = { "zeros", "random_normal", "glorot_normal",
		                       "glorot_uniform", "he_normal" };
	static const char *acts[] = { "relu", "linear", "softmax" };
	for (size_t i = 0; i < sizeof inits / sizeof inits[0]; i++) {
		const struct winit_plugin_entry *e =
			winit_registry_find(reg, WINIT_KIND_INITIALIZER, inits[i]);
		ck_assert_msg(e != NULL, "initializer %s not found", inits[i]);
		ck_assert_str_eq(e->info->name, inits[i]);
		ck_assert_int_eq(e->builtin, 0);
		ck_assert_ptr_nonnull(strstr(e->file, build_dir(0)));
		/* An initializer is not an activation. */
		ck_assert_ptr_null(winit_registry_find(reg, WINIT_KIND_ACTIVATION, inits[i]));
	}
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		const struct winit_plugin_entry *e =
			winit_registry_find(reg, WINIT_KIND_ACTIVATION, acts[i]);
		ck_assert_msg(e != NULL, "activation %s not found", acts[i]);
		ck_assert_uint_eq(e->info->kind, WINIT_KIND_ACTIVATION);
	}
	ck_assert(ends_with(winit_registry_find(reg, WINIT_KIND_INITIALIZER,
	                                        "he_normal")
	                            ->file,
	                    "/he_normal.so"));
	ck_assert_ptr_null(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "no_such"));
	ck_assert_ptr_null(winit_registry_find(reg, WINIT_KIND_INITIALIZER, NULL));
	/* Every entry is reachable by index and findable by its name. */
	size_t n = winit_registry_count(reg);
	ck_assert_uint_ge(n, 8);
	for (size_t i = 0; i < n; i++) {
		const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
		ck_assert_ptr_eq(winit_registry_find(reg, e->info->kind, e->info->name), e);
	}
	ck_assert_ptr_null(winit_registry_entry(reg, n));
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_multi_descriptor_object)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	const char *path = test_plugin("good_two");
	ck_assert_int_eq(winit_registry_load_file(reg, path, &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_count(reg), 2);
	const struct winit_plugin_entry *a =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, "test_const");
	const struct winit_plugin_entry *b =
		winit_registry_find(reg, WINIT_KIND_ACTIVATION, "test_double");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a->file, path);
	ck_assert_ptr_eq(a->file, b->file);
	ck_assert(still_loaded(path));
	/* The same object again adds nothing and is no problem. */
	ck_assert_int_eq(winit_registry_load_file(reg, path, &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_count(reg), 2);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
	/* Its callbacks run. */
	const struct winit_activation *act = (const struct winit_activation *)b->info;
	float x[3] = { 1, -2, 3 }, y[3];
	act->forward(y, x, 1, 3, NULL);
	ck_assert(y[1] == -4.0f);
	winit_registry_free(reg);
	ck_assert(!still_loaded(path));
}
END_TEST

START_TEST(test_names)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	char buf[1024];
	ck_assert_str_eq(winit_registry_names(reg, WINIT_KIND_INITIALIZER, buf, sizeof buf),
	                 "");
	ck_assert_int_eq(winit_registry_load_file(reg, test_plugin("good_two"), &err), 0);
	ck_assert_str_eq(winit_registry_names(reg, WINIT_KIND_INITIALIZER, buf, sizeof buf),
	                 "test_const");
	ck_assert_str_eq(winit_registry_names(reg, WINIT_KIND_ACTIVATION, buf, sizeof buf),
	                 "test_double");
	ck_assert_int_eq(winit_registry_load_dir(reg, build_dir(0), &err), 0);
	winit_registry_names(reg, WINIT_KIND_INITIALIZER, buf, sizeof buf);
	/* Alphabetical, comma separated, every initializer once. */
	size_t count = 1;
	for (const char *p = buf; (p = strstr(p, ", ")) != NULL; p += 2)
		count++;
	size_t n_init = 0;
	for (size_t i = 0; i < winit_registry_count(reg); i++)
		n_init += winit_registry_entry(reg, i)->info->kind == WINIT_KIND_INITIALIZER;
	ck_assert_uint_eq(count, n_init);
	ck_assert_ptr_nonnull(strstr(buf, "glorot_normal, glorot_uniform, he_normal"));
	ck_assert(strncmp(buf, "constant", 8) == 0 || strncmp(buf, "glorot", 6) == 0);
	/* A small buffer truncates with an ellipsis, always terminated. */
	char small[12];
	memset(small, 'x', sizeof small);
	winit_registry_names(reg, WINIT_KIND_INITIALIZER, small, sizeof small);
	ck_assert_uint_eq(strlen(small), sizeof small - 1);
	ck_assert(ends_with(small, "..."));
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_kind_name)
{
	ck_assert_str_eq(winit_kind_name(WINIT_KIND_INITIALIZER), "initializer");
	ck_assert_str_eq(winit_kind_name(WINIT_KIND_ACTIVATION), "activation");
	ck_assert_ptr_nonnull(strstr(winit_kind_name(77), "unknown"));
}
END_TEST

/* ---- errors: every broken object is refused, named, and fully unloaded ---- */

struct refusal {
	const char *plugin;
	const char *expect[3];
};

static const struct refusal refusals[] = {
	{ "bad_abi", { "incompatible plugin ABI version (plugin: 99, winit: 1)", "rebuild the plugin against this winit's headers", NULL } },
	{ "no_entry", { "winit_plugin_describe", "nm -D", NULL } },
	{ "null_fill", { "'null_fill'", "fill callback", NULL } },
	{ "bad_name", { "'Bad-Name'", "[a-z0-9_]+", NULL } },
	{ "bad_default", { "'stddev'", "default -1", "[0, inf]" } },
	{ "bad_gain", { "plugin 'bad_gain'", "gain() at the default parameters is -1",
	                "expected a positive finite number" } },
	{ "small_struct", { "struct_size", "expected at least", NULL } },
	{ "undefined_sym", { "winit_test_no_such_function", "ldd", NULL } },
	{ "endless", { "NULL past the last", NULL, NULL } },
};
#define N_REFUSALS (sizeof refusals / sizeof refusals[0])

START_TEST(test_refused)
{
	const struct refusal *r = &refusals[_i];
	const char *path = test_plugin(r->plugin);
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_file(reg, path, &err), WINIT_ERR_PLUGIN);
	ck_assert_int_eq(err.status, WINIT_ERR_PLUGIN);
	ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0,
	              "message does not start with the file: %s", err.msg);
	for (int k = 0; k < 3 && r->expect[k]; k++)
		ck_assert_msg(strstr(err.msg, r->expect[k]) != NULL,
		              "%s: expected '%s' in: %s", r->plugin, r->expect[k], err.msg);
	ck_assert_uint_eq(winit_registry_count(reg), 0);
	ck_assert_msg(!still_loaded(path), "%s stayed loaded after refusal", path);
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_small_struct_sizes)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	char found[64], need[64];
	winit_registry_load_file(reg, test_plugin("small_struct"), &err);
	/* One byte short of the first release; the message gives both sizes. */
	snprintf(found, sizeof found, "struct_size %zu", WINIT_INITIALIZER_V1_SIZE - 1);
	snprintf(need, sizeof need, "at least %zu", WINIT_INITIALIZER_V1_SIZE);
	ck_assert_msg(strstr(err.msg, found) && strstr(err.msg, need), "%s", err.msg);
	winit_registry_free(reg);
}
END_TEST

/* A plugin built against a later ABI 1 header (tests/abi-next: one more field) loads;
 * the host reads only the fields it knows. */
START_TEST(test_later_release_plugin_loads)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	char path[1024];
	const char *top = getenv("top_builddir");
	ck_assert_msg(top && *top, "top_builddir is not set (run through make check)");
	snprintf(path, sizeof path, "%s/tests/plugins/abi/.libs/future.so", top);
	ck_assert_msg(winit_registry_load_file(reg, path, &err) == WINIT_OK, "%s", err.msg);
	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, "future_init");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_gt(e->info->struct_size, sizeof(struct winit_initializer));
	const struct winit_initializer *init = (const struct winit_initializer *)e->info;
	ck_assert(WINIT_HAS_FIELD(e->info->struct_size, struct winit_initializer, adapt));
	ck_assert_ptr_null(init->adapt);
	float w[2] = { 0 };
	int64_t dims[1] = { 2 };
	struct winit_fill_args args = { .struct_size = sizeof args, .n_dims = 1, .dims = dims, .n = 2 };
	char msg[64] = "";
	ck_assert_int_eq(init->fill(w, &args, msg, sizeof msg), 0);
	ck_assert(w[1] == 0.5f);
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_missing_file)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_file(reg, "/nonexistent/x.so", &err),
	                 WINIT_ERR_PLUGIN);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.so"));
	/* Not found is a path problem, not a dependency problem. */
	ck_assert_msg(strstr(err.msg, "No such file") && strstr(err.msg, "check the path") &&
	                      !strstr(err.msg, "ldd"),
	              "%s", err.msg);
	/* A missing directory is skipped, not an error. */
	ck_assert_int_eq(winit_registry_load_dir(reg, "/nonexistent/dir", &err), WINIT_OK);
	ck_assert_uint_eq(winit_registry_count(reg), 0);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
	winit_registry_free(reg);
}
END_TEST

START_TEST(test_dir_with_broken_objects)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_dir(reg, test_dir(), &err), WINIT_OK);
	/* good_two's two descriptors and dup_zeros load; every broken one is a problem. */
	ck_assert_uint_eq(winit_registry_count(reg), 3);
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "test_const"));
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros"));
	ck_assert_uint_eq(winit_registry_problem_count(reg), N_REFUSALS);
	/* Problems come in sorted file order, each naming its file. */
	static const char *sorted[] = { "bad_abi", "bad_default", "bad_gain", "bad_name", "endless",
		                        "no_entry", "null_fill", "small_struct",
		                        "undefined_sym" };
	for (size_t i = 0; i < N_REFUSALS; i++) {
		const char *p = winit_registry_problem(reg, i);
		ck_assert_msg(strncmp(p, test_plugin(sorted[i]),
		                      strlen(test_plugin(sorted[i]))) == 0,
		              "problem %zu: %s", i, p);
		ck_assert(!still_loaded(test_plugin(sorted[i])));
	}
	ck_assert_ptr_null(winit_registry_problem(reg, N_REFUSALS));
	winit_registry_free(reg);
}
END_TEST

/* ---- search path and shadowing ---- */

START_TEST(test_shadowing)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_registry_load_file(reg, test_plugin("dup_zeros"), &err), 0);
	ck_assert_int_eq(winit_registry_load_dir(reg, build_dir(0), &err), 0);
	const struct winit_plugin_entry *e =
		winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros");
	ck_assert_str_eq(e->file, test_plugin("dup_zeros"));
	ck_assert_uint_eq(winit_registry_problem_count(reg), 1);
	const char *p = winit_registry_problem(reg, 0);
	ck_assert_ptr_nonnull(strstr(p, "shadowed"));
	ck_assert_ptr_nonnull(strstr(p, "'zeros'"));
	ck_assert_ptr_nonnull(strstr(p, "dup_zeros.so"));
	ck_assert_ptr_nonnull(strstr(p, "/zeros.so"));
	/* The build tree's zeros.so offered nothing new, so it was not kept open. */
	char path[1024];
	snprintf(path, sizeof path, "%s/zeros.so", build_dir(0));
	ck_assert(!still_loaded(path));
	/* The other initializers of the build tree are there. */
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "he_normal"));
	winit_registry_free(reg);
}
END_TEST

/* Loads the default path with the given environment and returns the zeros file. */
static struct winit_registry *load_default_with(const char *plugin_path, const char *extra)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	if (plugin_path)
		setenv(WINIT_PLUGIN_PATH_ENV, plugin_path, 1);
	else
		unsetenv(WINIT_PLUGIN_PATH_ENV);
	ck_assert_int_eq(winit_registry_load_default(reg, extra, &err), WINIT_OK);
	return reg;
}

START_TEST(test_search_order)
{
	char both[2048];
	snprintf(both, sizeof both, "%s:%s", build_dir(0), build_dir(1));

	/* $WINIT_PLUGIN_PATH first: its zeros impostor wins over the build tree's. */
	struct winit_registry *reg = load_default_with(test_dir(), NULL);
	ck_assert_str_eq(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros")->file,
	                 test_plugin("dup_zeros"));
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_ACTIVATION, "relu"));
	const char *sp = winit_registry_search_path(reg);
	ck_assert_msg(strncmp(sp, test_dir(), strlen(test_dir())) == 0, "%s", sp);
	/* Uninstalled (tests are): the build tree, and never an installed copy's plugins,
	 * so `make check` after `make install` sees no shadowing. */
	ck_assert_msg(strstr(sp, build_dir(0)) != NULL, "build tree searched: %s", sp);
	ck_assert_msg(strstr(sp, WINIT_PLUGIN_INSTALL_DIR) == NULL, "install dir searched: %s", sp);
	int shadowed = 0;
	for (size_t i = 0; i < winit_registry_problem_count(reg); i++) {
		int is = strstr(winit_registry_problem(reg, i), "shadowed") != NULL;
		ck_assert_int_eq(winit_registry_problem_is_shadowing(reg, i), is);
		shadowed += is;
	}
	ck_assert_int_eq(shadowed, 1);
	/* The winner knows what it hides, and every loaded file its size and crc32. */
	const struct winit_plugin_entry *z = winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros");
	ck_assert_msg(z->shadows && ends_with(z->shadows, "/zeros.so"), "%s", z->shadows);
	ck_assert_ptr_null(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "he_normal")->shadows);
	struct stat st;
	ck_assert_int_eq(stat(z->file, &st), 0);
	ck_assert_int_eq(z->size, (int64_t)st.st_size);
	FILE *f = fopen(z->file, "rb");
	unsigned char *buf = malloc((size_t)st.st_size);
	ck_assert(f && buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size);
	fclose(f);
	ck_assert_uint_eq(z->crc32, (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)st.st_size));
	free(buf);
	winit_registry_free(reg);

	/* `extra` comes after $WINIT_PLUGIN_PATH but before the build tree. */
	reg = load_default_with(both, test_dir());
	ck_assert(ends_with(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros")->file,
	                    "/zeros.so"));
	ck_assert(!ends_with(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros")->file,
	                     "dup_zeros.so"));
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "test_const"));
	sp = winit_registry_search_path(reg);
	ck_assert_msg(strncmp(sp, both, strlen(both)) == 0, "%s", sp);
	ck_assert_ptr_nonnull(strstr(sp, test_dir()));
	winit_registry_free(reg);

	reg = load_default_with(NULL, test_dir());
	ck_assert_str_eq(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "zeros")->file,
	                 test_plugin("dup_zeros"));
	winit_registry_free(reg);
	unsetenv(WINIT_PLUGIN_PATH_ENV);
}
END_TEST

START_TEST(test_search_dedup_and_build_env)
{
	/* A directory listed twice (env and build tree) is scanned once: no shadowing. */
	struct winit_registry *reg = load_default_with(build_dir(0), NULL);
	ck_assert_uint_eq(winit_registry_problem_count(reg), 0);
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "he_normal"));
	const char *sp = winit_registry_search_path(reg);
	const char *first = strstr(sp, build_dir(0));
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, build_dir(0)));
	winit_registry_free(reg);

	/* Uninstalled (tests are), $WINIT_BUILD_PLUGIN_DIRS replaces the build tree. */
	char d0[1024], d1[1024];
	snprintf(d0, sizeof d0, "%s", build_dir(0));
	snprintf(d1, sizeof d1, "%s", build_dir(1));
	char *saved = strdup(getenv("WINIT_BUILD_PLUGIN_DIRS"));
	setenv("WINIT_BUILD_PLUGIN_DIRS", test_dir(), 1);
	reg = load_default_with(NULL, NULL);
	ck_assert_ptr_nonnull(winit_registry_find(reg, WINIT_KIND_INITIALIZER, "test_const"));
	ck_assert_ptr_null(strstr(winit_registry_search_path(reg), d0));
	ck_assert_ptr_null(strstr(winit_registry_search_path(reg), d1));
	winit_registry_free(reg);
	setenv("WINIT_BUILD_PLUGIN_DIRS", saved, 1);
	free(saved);
}
END_TEST

/* ---- threads: queries are read-only ---- */

struct thread_arg {
	const struct winit_registry *reg;
	int ok;
};

static void *query_thread(void *p)
{
	struct thread_arg *a = p;
	char buf[512];
	a->ok = 1;
	for (int i = 0; i < 2000; i++) {
		const struct winit_plugin_entry *e =
			winit_registry_find(a->reg, WINIT_KIND_INITIALIZER, "he_normal");
		winit_registry_names(a->reg, WINIT_KIND_ACTIVATION, buf, sizeof buf);
		if (!e || strcmp(e->info->name, "he_normal") || !strstr(buf, "relu"))
			a->ok = 0;
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	winit_registry_load_dir(reg, build_dir(0), &err);
	winit_registry_load_dir(reg, build_dir(1), &err);
	pthread_t t[4];
	struct thread_arg a[4];
	for (int i = 0; i < 4; i++) {
		a[i].reg = reg;
		ck_assert_int_eq(pthread_create(&t[i], NULL, query_thread, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert(a[i].ok);
	}
	winit_registry_free(reg);
}
END_TEST

/* ---- validate: every descriptor rule, in memory ---- */

static int fake_fill(float *w, const struct winit_fill_args *a, char *e, size_t n)
{
	(void)w;
	(void)a;
	(void)e;
	(void)n;
	return 0;
}

static double fake_gain(const double *p)
{
	(void)p;
	return 1.0;
}

static void fake_forward(float *y, const float *x, int64_t r, int64_t c, const double *p)
{
	(void)y;
	(void)x;
	(void)r;
	(void)c;
	(void)p;
}

static void fake_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t r, int64_t c, const double *p)
{
	(void)dx;
	(void)dy;
	(void)x;
	(void)y;
	(void)r;
	(void)c;
	(void)p;
}

static const char *const two_choices[] = { "a", "b", NULL };
static const char *const no_choices[] = { NULL };
static const char *const dup_choices[] = { "a", "a", NULL };
static const char *const bad_choices[] = { "ok", "Not ok", NULL };

static struct winit_param_decl good_param(void)
{
	return (struct winit_param_decl){ "p", WINIT_PARAM_REAL, 1.0, 0.0, 2.0, "doc", NULL };
}

static struct winit_initializer good_init(void)
{
	return (struct winit_initializer){
		.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
		          WINIT_KIND_INITIALIZER, 0, "good", "summary", NULL, NULL },
		.fill = fake_fill,
	};
}

static void expect_invalid(const struct winit_plugin_info *info, const char *needle)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_plugin_validate(info, "mem.so", &err), WINIT_ERR_PLUGIN);
	ck_assert_msg(strncmp(err.msg, "mem.so: ", 8) == 0, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "expected '%s' in: %s", needle,
	              err.msg);
}

START_TEST(test_validate_descriptor)
{
	struct winit_error err = { 0 };
	struct winit_initializer d = good_init();
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);
	expect_invalid(NULL, "NULL");

	d = good_init(), d.info.abi_version = 2;
	expect_invalid(&d.info, "(plugin: 2, winit: 1)");
	d = good_init(), d.info.kind = 3;
	expect_invalid(&d.info, "kind 3");
	/* ABI 1 frozen: the first-release size loads, one byte less does not, and a
	 * descriptor from a later release (fields appended) loads. */
	d = good_init(), d.info.struct_size = WINIT_INITIALIZER_V1_SIZE;
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);
	d = good_init(), d.info.struct_size = WINIT_INITIALIZER_V1_SIZE - 1;
	expect_invalid(&d.info, "first release");
	struct {
		struct winit_initializer d;
		double appended[8];
	} later = { .d = good_init() };
	later.d.info.struct_size = sizeof later;
	ck_assert_int_eq(winit_plugin_validate(&later.d.info, "mem.so", &err), WINIT_OK);
	d = good_init(), d.info.name = NULL;
	expect_invalid(&d.info, "(null)");
	d = good_init(), d.info.name = "";
	expect_invalid(&d.info, "name is ''");
	d = good_init(), d.info.name = "he normal";
	expect_invalid(&d.info, "'he normal'");
	d = good_init(), d.info.name = "abcdefghijabcdefghijabcdefghijabcdefghij"
				       "abcdefghijabcdefghij1234"; /* 64 characters */
	expect_invalid(&d.info, "at most");
	d = good_init(), d.info.summary = NULL;
	expect_invalid(&d.info, "summary");
	d = good_init(), d.info.n_params = WINIT_MAX_PARAMS + 1;
	expect_invalid(&d.info, "at most 8");
	d = good_init(), d.info.n_params = 1;
	expect_invalid(&d.info, "params is NULL");
	d = good_init(), d.fill = NULL;
	expect_invalid(&d.info, "fill");
}
END_TEST

START_TEST(test_validate_params)
{
	struct winit_error err = { 0 };
	struct winit_initializer d = good_init();
	struct winit_param_decl p[2];
	d.info.params = p;
	d.info.n_params = 1;

	p[0] = good_param();
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);
	p[0] = good_param(), p[0].name = "Bad";
	expect_invalid(&d.info, "'Bad'");
	p[0] = good_param(), p[0].name = NULL;
	expect_invalid(&d.info, "parameter 0");
	p[0] = good_param(), p[0].type = 9;
	expect_invalid(&d.info, "type 9");
	p[0] = good_param(), p[0].min_value = 3.0;
	expect_invalid(&d.info, "min <= max");
	p[0] = good_param(), p[0].max_value = NAN;
	expect_invalid(&d.info, "min <= max");
	p[0] = good_param(), p[0].default_value = 2.5;
	expect_invalid(&d.info, "default 2.5");
	p[0] = good_param(), p[0].default_value = NAN;
	expect_invalid(&d.info, "finite");
	p[0] = good_param(), p[0].type = WINIT_PARAM_INT, p[0].default_value = 1.5;
	expect_invalid(&d.info, "whole number");
	p[0] = good_param(), p[0].min_value = -HUGE_VAL, p[0].max_value = HUGE_VAL;
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);

	p[0] = good_param(), p[0].type = WINIT_PARAM_CHOICE, p[0].default_value = 1;
	p[0].choices = two_choices;
	ck_assert_int_eq(winit_plugin_validate(&d.info, "mem.so", &err), WINIT_OK);
	p[0].default_value = 2;
	expect_invalid(&d.info, "default 2");
	p[0].default_value = 0.5;
	expect_invalid(&d.info, "index");
	p[0].default_value = 0;
	p[0].choices = NULL;
	expect_invalid(&d.info, "no choices");
	p[0].choices = no_choices;
	expect_invalid(&d.info, "no choices");
	p[0].choices = dup_choices;
	expect_invalid(&d.info, "unique");
	p[0].choices = bad_choices;
	expect_invalid(&d.info, "'Not ok'");

	d.info.n_params = 2;
	p[0] = good_param();
	p[1] = good_param();
	expect_invalid(&d.info, "declared twice");
}
END_TEST

static double negative_gain(const double *p)
{
	(void)p;
	return -1.0;
}

static double zero_gain(const double *p)
{
	(void)p;
	return 0.0;
}

static double nan_gain(const double *p)
{
	(void)p;
	return NAN;
}

static double inf_gain(const double *p)
{
	(void)p;
	return HUGE_VAL;
}

START_TEST(test_validate_activation)
{
	struct winit_error err = { 0 };
	struct winit_activation a = {
		.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
		          WINIT_KIND_ACTIVATION, 0, "act", "summary", NULL, NULL },
		.flags = WINIT_ACT_ROWWISE,
		.gain = fake_gain,
		.forward = fake_forward,
		.backward = fake_backward,
	};
	ck_assert_int_eq(winit_plugin_validate(&a.info, "mem.so", &err), WINIT_OK);
	struct winit_activation b = a;
	b.gain = NULL;
	expect_invalid(&b.info, "no gain");
	b = a, b.forward = NULL;
	expect_invalid(&b.info, "no forward");
	b = a, b.backward = NULL;
	expect_invalid(&b.info, "no backward");
	b = a, b.flags = 0x10;
	expect_invalid(&b.info, "flags");
	/* The gain scales a standard deviation: positive and finite. */
	b = a, b.gain = negative_gain;
	expect_invalid(&b.info, "gain() at the default parameters is -1");
	b = a, b.gain = zero_gain;
	expect_invalid(&b.info, "gain() at the default parameters is 0");
	b = a, b.gain = nan_gain;
	expect_invalid(&b.info, "gain() at the default parameters is nan");
	b = a, b.gain = inf_gain;
	expect_invalid(&b.info, "gain() at the default parameters is inf");
	/* An activation descriptor is smaller than an initializer's: sizes are per kind. */
	b = a, b.info.struct_size = sizeof(struct winit_plugin_info);
	expect_invalid(&b.info, "struct_size");
	b = a, b.info.struct_size = WINIT_ACTIVATION_V1_SIZE - 1;
	expect_invalid(&b.info, "struct winit_activation in ABI version 1");
	b = a, b.info.struct_size = WINIT_ACTIVATION_V1_SIZE;
	ck_assert_int_eq(winit_plugin_validate(&b.info, "mem.so", &err), WINIT_OK);
	/* The loader names built-in descriptors without a file. */
	b = a, b.gain = NULL;
	winit_plugin_validate(&b.info, NULL, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "(builtin)"));
}
END_TEST

static Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_load_dir_and_find);
	tcase_add_test(tc, test_multi_descriptor_object);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_kind_name);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_later_release_plugin_loads);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_refused, 0, (int)N_REFUSALS);
	tcase_add_test(tc, test_small_struct_sizes);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_dir_with_broken_objects);
	suite_add_tcase(s, tc);
	tc = tcase_create("search_path");
	tcase_add_test(tc, test_shadowing);
	tcase_add_test(tc, test_search_order);
	tcase_add_test(tc, test_search_dedup_and_build_env);
	suite_add_tcase(s, tc);
	tc = tcase_create("validate");
	tcase_add_test(tc, test_validate_descriptor);
	tcase_add_test(tc, test_validate_params);
	tcase_add_test(tc, test_validate_activation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(registry_suite());
}
