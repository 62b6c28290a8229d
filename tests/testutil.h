/* tests/testutil.h -- helpers shared by the Check suites. */
#ifndef WINIT_TESTUTIL_H
#define WINIT_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <winit/winit.h>

#include "results/fields.h"

static char tu_dir[256];

static inline void tu_rmdir(void)
{
	if (tu_dir[0]) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tu_dir);
		tu_dir[0] = '\0';
	}
}

/* A fresh temporary directory for one test (removed when the test's process exits or
 * the next one is made); returns a static buffer. */
static inline const char *tu_tmpdir(void)
{
	static int registered;
	const char *base = getenv("TMPDIR");
	tu_rmdir();
	snprintf(tu_dir, sizeof tu_dir, "%s/winit-test-XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tu_dir));
	if (!registered)
		registered = atexit(tu_rmdir) == 0;
	return tu_dir;
}

/* dir/name in a rotating static buffer (four live at once). */
static inline const char *tu_path(const char *dir, const char *name)
{
	static char buf[4][512];
	static int k;
	char *p = buf[k++ & 3];
	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

/* The fixture of suites whose every test works in a fresh temporary directory:
 * tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown); tu_tmp names the
 * directory, tu_tmp_path(name) a file in it. */
static char tu_tmp[256];

static inline void tu_tmp_setup(void)
{
	snprintf(tu_tmp, sizeof tu_tmp, "%s", tu_tmpdir());
}

static inline void tu_tmp_teardown(void)
{
	tu_rmdir();
}

static inline const char *tu_tmp_path(const char *name)
{
	return tu_path(tu_tmp, name);
}

/* Write an unsigned-byte IDX file (gzipped when gz) with the given dims and payload. */
static inline void tu_write_idx(const char *path, int gz, uint8_t n_dims, const uint32_t *dims,
                                const uint8_t *payload, size_t len)
{
	uint8_t hdr[4 + 4 * WINIT_IDX_MAX_DIMS] = { 0, 0, 0x08, n_dims };
	for (int i = 0; i < n_dims; i++) {
		hdr[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
		hdr[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
		hdr[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
		hdr[7 + 4 * i] = (uint8_t)dims[i];
	}
	size_t hlen = 4 + 4 * (size_t)n_dims;
	if (gz) {
		gzFile f = gzopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(gzwrite(f, hdr, (unsigned)hlen), (int)hlen);
		ck_assert_int_eq(gzwrite(f, payload, (unsigned)len), (int)len);
		ck_assert_int_eq(gzclose(f), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite(hdr, 1, hlen, f), hlen);
		ck_assert_uint_eq(fwrite(payload, 1, len, f), len);
		ck_assert_int_eq(fclose(f), 0);
	}
}

/* Run a suite and return the process exit status. */
static inline int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The registry of the shipped plugins, loaded from the build tree. */
static inline struct winit_registry *tu_registry(void)
{
	static struct winit_registry *reg;
	if (!reg) {
		struct winit_error err = { 0 };
		reg = winit_registry_new();
		ck_assert_ptr_nonnull(reg);
		ck_assert_msg(winit_registry_load_default(reg, NULL, &err) == 0, "%s", err.msg);
	}
	return reg;
}

/* A plugin with its default parameters, or with n named values. */
static inline struct winit_plugin_use tu_use(uint32_t kind, const char *name, size_t n,
                                             const char *const names[], const double values[])
{
	struct winit_plugin_use u = { 0 };
	struct winit_error err = { 0 };
	const struct winit_plugin_entry *e = winit_registry_find(tu_registry(), kind, name);
	ck_assert_msg(e != NULL, "plugin '%s' not found (search path %s)", name,
	              winit_registry_search_path(tu_registry()));
	ck_assert_msg(winit_params_resolve(u.params, e->info, n, names, values, NULL, &err) == 0, "%s",
	              err.msg);
	u.info = e->info;
	u.entry = e;
	return u;
}

/* Give s room for n layers (zeroed; s->n_layers = n), to be set by index.  The blocks stay
 * reachable for the test process's life, so a test need not free the specs it builds. */
static void *tu_kept[1024] __attribute__((used));
static int tu_n_kept;

static inline void tu_keep(void *block)
{
	if (tu_n_kept < 1024)
		tu_kept[tu_n_kept++] = block;
}

static inline void tu_layers(struct winit_model_spec *s, int n)
{
	s->layers = calloc((size_t)n, sizeof *s->layers);
	ck_assert_ptr_nonnull(s->layers);
	tu_keep(s->layers);
	s->n_layers = s->cap_layers = n;
}

/* An independent copy of a spec (kept likewise). */
static inline struct winit_model_spec tu_spec_copy(const struct winit_model_spec *s)
{
	struct winit_model_spec c;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_copy(&c, s, &err) == 0, "%s", err.msg);
	tu_keep(c.layers);
	return c;
}

/* A dense layer spec: units, activation, kernel initializer (defaults), zero bias. */
static inline struct winit_layer_spec tu_dense(int64_t units, const char *act, const char *init)
{
	struct winit_layer_spec l = { 0 };
	l.units = units;
	l.use_bias = 1;
	l.activation = tu_use(WINIT_KIND_ACTIVATION, act, 0, NULL, NULL);
	l.kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, init, 0, NULL, NULL);
	l.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "zeros", 0, NULL, NULL);
	return l;
}

/* A layer of another kind than Dense, without configuration (Flatten, Add; Concatenate
 * joins the last axis). */
static inline struct winit_layer_spec tu_layer(int32_t kind)
{
	struct winit_layer_spec l = { 0 };
	l.kind = kind;
	l.axis = -1;
	return l;
}

/* Append l to s fed by the n_in layers in[] (WINIT_MODEL_INPUT: the model's input; n_in
 * 0: the layer before); returns its index. */
static inline int32_t tu_node(struct winit_model_spec *s, struct winit_layer_spec l, int32_t n_in,
                              const int32_t *in)
{
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_add_node(s, &l, in, n_in, &err) == 0, "%s", err.msg);
	return s->n_layers - 1;
}

/* The graphs the saved model, results and wire suites describe:
 *   Input(28x28) -> Flatten -> Dense(32, relu) -> Dense(32) 'proj' (multipliers) -> Add(the
 *   two Dense) -> Dense(10, softmax) (fed by the layer before: a chain edge);
 * TU_GRAPH_RESHAPE puts Reshape((4, 8)) and Flatten after the Add; TU_GRAPH_CONCAT has a
 * Concatenate of the two Dense instead of the Add.  The caller frees it
 * (winit_model_spec_free). */
enum { TU_GRAPH_ADD, TU_GRAPH_RESHAPE, TU_GRAPH_CONCAT, TU_GRAPHS };

static inline void tu_graph(struct winit_model_spec *s, int variant)
{
	memset(s, 0, sizeof *s);
	s->n_input_dims = 2;
	s->input_shape[0] = s->input_shape[1] = 28;
	s->n_inputs = 784;
	int32_t in = WINIT_MODEL_INPUT;
	int32_t flat = tu_node(s, tu_layer(WINIT_LAYER_FLATTEN), 1, &in);
	int32_t h1 = tu_node(s, tu_dense(32, "relu", "he_normal"), 1, &flat);
	struct winit_layer_spec proj = tu_dense(32, "linear", "glorot_uniform");
	snprintf(proj.name, sizeof proj.name, "proj");
	proj.mult_set = 1;
	proj.mult[0] = (struct winit_param_mult){ 0.5, 2.0 };
	proj.mult[1] = (struct winit_param_mult){ 1.0, 0.25 };
	proj.out_mult = 0.75;
	int32_t h2 = tu_node(s, proj, 1, &h1);
	int32_t both[2] = { h2, h1 };
	if (variant == TU_GRAPH_CONCAT) {
		tu_node(s, tu_layer(WINIT_LAYER_CONCATENATE), 2, both);
	} else {
		tu_node(s, tu_layer(WINIT_LAYER_ADD), 2, both);
		if (variant == TU_GRAPH_RESHAPE) {
			struct winit_layer_spec r = tu_layer(WINIT_LAYER_RESHAPE);
			const int64_t dims[2] = { 4, 8 };
			ck_assert_int_eq(winit_shape_set(&r.target_shape, 2, dims), 0);
			tu_node(s, r, 0, NULL);
			tu_node(s, tu_layer(WINIT_LAYER_FLATTEN), 0, NULL);
		}
	}
	tu_node(s, tu_dense(10, "softmax", "glorot_uniform"), 0, NULL);
}

/* A convolutional graph: Input(8x8x1) -> Conv2D(4, 3x3, same, relu) -> Conv2D(2, 3x3,
 * strides 2, valid, tanh) 'down' (dilation 1) -> Flatten -> Dense(3, softmax).  The caller
 * frees it. */
static inline void tu_conv_graph(struct winit_model_spec *s)
{
	memset(s, 0, sizeof *s);
	s->n_input_dims = 3;
	s->input_shape[0] = s->input_shape[1] = 8;
	s->input_shape[2] = 1;
	s->n_inputs = 64;
	int32_t in = WINIT_MODEL_INPUT;
	struct winit_layer_spec c = tu_dense(4, "relu", "he_normal");
	c.kind = WINIT_LAYER_CONV2D;
	c.kernel_size[0] = c.kernel_size[1] = 3;
	c.strides[0] = c.strides[1] = 1;
	c.dilation[0] = c.dilation[1] = 1;
	c.padding = WINIT_PADDING_SAME;
	tu_node(s, c, 1, &in);
	c.units = 2;
	c.activation = tu_use(WINIT_KIND_ACTIVATION, "tanh", 0, NULL, NULL);
	c.strides[0] = c.strides[1] = 2;
	c.padding = WINIT_PADDING_VALID;
	snprintf(c.name, sizeof c.name, "down");
	tu_node(s, c, 0, NULL);
	tu_node(s, tu_layer(WINIT_LAYER_FLATTEN), 0, NULL);
	tu_node(s, tu_dense(3, "softmax", "glorot_uniform"), 0, NULL);
}

/* A graph of the pooling kinds and Dropout: Input(8x8x2) -> Conv2D(4, 3x3, same, relu) ->
 * MaxPooling2D((2, 2), strides 2, valid) -> AveragePooling2D((2, 1), strides 1, same) ->
 * Dropout(0.25) -> GlobalAveragePooling2D -> Dense(3, softmax).  The caller frees it. */
static inline void tu_pool_graph(struct winit_model_spec *s)
{
	memset(s, 0, sizeof *s);
	s->n_input_dims = 3;
	s->input_shape[0] = s->input_shape[1] = 8;
	s->input_shape[2] = 2;
	s->n_inputs = 128;
	int32_t in = WINIT_MODEL_INPUT;
	struct winit_layer_spec c = tu_dense(4, "relu", "he_normal");
	c.kind = WINIT_LAYER_CONV2D;
	c.kernel_size[0] = c.kernel_size[1] = 3;
	c.strides[0] = c.strides[1] = 1;
	c.dilation[0] = c.dilation[1] = 1;
	c.padding = WINIT_PADDING_SAME;
	tu_node(s, c, 1, &in);
	struct winit_layer_spec p = tu_layer(WINIT_LAYER_MAX_POOLING2D);
	p.kernel_size[0] = p.kernel_size[1] = 2;
	p.strides[0] = p.strides[1] = 2;
	tu_node(s, p, 0, NULL);
	p = tu_layer(WINIT_LAYER_AVERAGE_POOLING2D);
	p.kernel_size[0] = 2;
	p.kernel_size[1] = 1;
	p.strides[0] = p.strides[1] = 1;
	p.padding = WINIT_PADDING_SAME;
	tu_node(s, p, 0, NULL);
	struct winit_layer_spec d = tu_layer(WINIT_LAYER_DROPOUT);
	d.rate = 0.25;
	tu_node(s, d, 0, NULL);
	tu_node(s, tu_layer(WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D), 0, NULL);
	tu_node(s, tu_dense(3, "softmax", "glorot_uniform"), 0, NULL);
}

/* A graph of the normalization kinds: Input(4x4x2) -> Conv2D(4, 3x3, same, relu) ->
 * BatchNormalization(momentum 0.9, epsilon 1e-3; gamma ones, beta zeros) ->
 * LayerNormalization(epsilon 1e-5; gamma ones, beta random_normal) -> Scale(per channel,
 * ones) -> Flatten -> Dense(3, softmax).  The caller frees it. */
static inline void tu_norm_graph(struct winit_model_spec *s)
{
	memset(s, 0, sizeof *s);
	s->n_input_dims = 3;
	s->input_shape[0] = s->input_shape[1] = 4;
	s->input_shape[2] = 2;
	s->n_inputs = 32;
	int32_t in = WINIT_MODEL_INPUT;
	struct winit_layer_spec c = tu_dense(4, "relu", "he_normal");
	c.kind = WINIT_LAYER_CONV2D;
	c.kernel_size[0] = c.kernel_size[1] = 3;
	c.strides[0] = c.strides[1] = 1;
	c.dilation[0] = c.dilation[1] = 1;
	c.padding = WINIT_PADDING_SAME;
	tu_node(s, c, 1, &in);
	struct winit_layer_spec n = tu_layer(WINIT_LAYER_BATCH_NORMALIZATION);
	n.momentum = 0.9;
	n.epsilon = 1e-3;
	n.kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "ones", 0, NULL, NULL);
	n.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "zeros", 0, NULL, NULL);
	tu_node(s, n, 0, NULL);
	n.kind = WINIT_LAYER_LAYER_NORMALIZATION;
	n.momentum = 0;
	n.epsilon = 1e-5;
	n.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 0, NULL, NULL);
	tu_node(s, n, 0, NULL);
	struct winit_layer_spec sc = tu_layer(WINIT_LAYER_SCALE);
	sc.per_channel = 1;
	sc.kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "ones", 0, NULL, NULL);
	tu_node(s, sc, 0, NULL);
	tu_node(s, tu_layer(WINIT_LAYER_FLATTEN), 0, NULL);
	tu_node(s, tu_dense(3, "softmax", "glorot_uniform"), 0, NULL);
}

/* n images of side x side pixels (side even) in four classes: the quadrant that is the
 * class is bright (120-239), the rest noise (0-119); labels and pixels drawn in that
 * order from the stream (seed, 0). */
static inline struct winit_dataset tu_quadrant_dataset(int64_t n, int side, uint64_t seed)
{
	struct winit_dataset ds = { 0 };
	int64_t px = (int64_t)side * side;
	ds.n = n;
	ds.height = ds.width = side;
	ds.n_features = px;
	ds.n_classes = 4;
	ds.x = malloc((size_t)(n * px));
	ds.y = malloc((size_t)n);
	ck_assert_ptr_nonnull(ds.x);
	ck_assert_ptr_nonnull(ds.y);
	struct winit_rng rng;
	winit_rng_seed(&rng, seed, 0);
	for (int64_t i = 0; i < n; i++) {
		int c = (int)winit_rng_below(&rng, 4);
		ds.y[i] = (uint8_t)c;
		for (int r = 0; r < side; r++)
			for (int k = 0; k < side; k++) {
				int q = (r >= side / 2) * 2 + (k >= side / 2);
				int v = (int)winit_rng_below(&rng, 120) + (q == c ? 120 : 0);
				ds.x[i * px + r * side + k] = (uint8_t)v;
			}
	}
	return ds;
}

/* Give every member of s that a table of src/results/fields.h declares a value of its own
 * (*k counts them), each in its range and none its default, and set each presence flag:
 * a string its row's last listed value, or one naming *k. */
static inline void tu_fields_fill(const struct winit_field *table, void *s, int *k)
{
	for (const struct winit_field *f = table; f->key; f++) {
		int64_t n = 0;
		winit_field_mark(f, s, 0, 1);
		++*k;
		if (f->type == WINIT_FIELD_TEXT) {
			char text[32];
			snprintf(text, sizeof text, "text %d", *k);
			while (f->choices && f->choices[n])
				n++;
			ck_assert_int_eq(winit_field_put_text(f, s, 0, n ? f->choices[n - 1] : text), WINIT_OK);
		} else if (f->type == WINIT_FIELD_F64)
			winit_field_put_f64(f, s, 0, *k / 1024.0); /* in [0, 1] */
		else if (f->type == WINIT_FIELD_CHOICE) {
			while (f->choices[n])
				n++;
			winit_field_put_int(f, s, 0, n - 1);
		} else
			winit_field_put_int(f, s, 0, f->type == WINIT_FIELD_I64 ? 5 * *k : 1 + *k);
	}
}

/* Each member of `table` that `got` has (page: got is the page model's struct) equals
 * want's, and is present where want's is. */
/* Row f's value in got (read through g: f's row with got's offsets) equals want's. */
static inline void tu_field_value_eq(const struct winit_field *f, const struct winit_field *g,
                                     const void *got, const void *want, const char *what)
{
	if (f->type == WINIT_FIELD_F64)
		ck_assert_msg(winit_field_f64(g, got) == winit_field_f64(f, want), "%s.%s: %.17g, expected %.17g",
		              what, f->key, winit_field_f64(g, got), winit_field_f64(f, want));
	else
		ck_assert_msg(winit_field_int(g, got) == winit_field_int(f, want), "%s.%s: %lld, expected %lld",
		              what, f->key, (long long)winit_field_int(g, got), (long long)winit_field_int(f, want));
}

static inline void tu_fields_same(const struct winit_field *table, const void *want, const void *got,
                                  int page, const char *what)
{
	for (const struct winit_field *f = table; f->key; f++) {
		struct winit_field g = *f;
		if (f->type == WINIT_FIELD_TEXT) {
			const char *a = winit_field_text(f, want, 0), *b = winit_field_text(f, got, page);
			ck_assert_msg(a ? b && strcmp(a, b) == 0 : !b, "%s.%s: \"%s\", expected \"%s\"", what, f->key,
			              b ? b : "(absent)", a ? a : "(absent)");
			continue;
		}
		if (page && f->at_page == WINIT_FIELD_NONE)
			continue;
		if (page) {
			g.at = f->at_page;
			g.when = f->when_page;
		}
		ck_assert_msg(winit_field_present(&g, got, 0) == winit_field_present(f, want, 0),
		              "%s.%s: presence differs", what, f->key);
		if (!winit_field_present(f, want, 0))
			continue;
		tu_field_value_eq(f, &g, got, want, what);
	}
}

/* The variance of each layer's pre-activation (its output for a kind without an
 * activation) over the batch's values in a forward pass, as the diagnostics measure it,
 * through the model's forward hook: set hooks.ctx to a struct tu_measured and
 * hooks.forward to tu_measure_hook. */
struct tu_measured {
	double m2[16]; /* the variances */
};

static inline void tu_measure_hook(void *ctx, int layer, const float *z, const float *a,
                                   int64_t rows, int64_t cols)
{
	(void)a;
	struct tu_measured *m = ctx;
	double s = 0, ss = 0, n = (double)(rows * cols);
	for (int64_t i = 0; i < rows * cols; i++)
		s += z[i];
	for (int64_t i = 0; i < rows * cols; i++)
		ss += (z[i] - s / n) * (z[i] - s / n);
	if (layer < 16)
		m->m2[layer] = ss / n;
}

/* The team-identity tests' fit: a trainer for s (optimizer opt, seed 5) trained 2 epochs
 * of ds at batch 37 with a 0.2 validation split on a team of `threads` (1: no team); the
 * team stays attached for the caller's checks (winit_team_jobs(t->model.team)) until
 * tu_team_fit_free. */
static inline void tu_team_fit(struct winit_trainer *t, struct winit_history *h,
                               const struct winit_model_spec *s, const struct winit_optimizer_spec *opt,
                               const struct winit_dataset *ds, int threads)
{
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(t, s, opt, 5, &err) == 0, "%s", err.msg);
	t->model.team = threads > 1 ? winit_team_new(threads) : NULL;
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	f.batch_size = 37;
	f.validation_split = 0.2;
	memset(h, 0, sizeof *h);
	ck_assert_msg(winit_trainer_fit(t, ds, &f, NULL, 0, h, &err) == 0, "%s", err.msg);
}

static inline void tu_team_fit_free(struct winit_trainer *t, struct winit_history *h)
{
	struct winit_team *team = t->model.team;
	t->model.team = NULL;
	winit_team_free(team);
	winit_history_free(h);
	winit_trainer_free(t);
}

/* Runs its body once for every kernel set the CPU has (generic, avx2, avx512: generic
 * must always be there), with that set selected; "auto" again afterwards. */
#define TU_FOR_EACH_KERNEL_SET(...)                                                  \
	do {                                                                         \
		const char *const tu_sets_[] = { "generic", "avx2", "avx512" };      \
		int tu_sets_run_ = 0;                                                \
		for (size_t tu_s_ = 0; tu_s_ < sizeof tu_sets_ / sizeof tu_sets_[0]; \
		     tu_s_++) {                                                      \
			if (winit_kernels_select(tu_sets_[tu_s_]) != 0) {            \
				ck_assert_str_ne(tu_sets_[tu_s_], "generic");        \
				continue;                                            \
			}                                                            \
			ck_assert_str_eq(winit_kernels_name(), tu_sets_[tu_s_]);     \
			tu_sets_run_++;                                              \
			__VA_ARGS__;                                                 \
		}                                                                    \
		ck_assert_int_ge(tu_sets_run_, 1);                                   \
		ck_assert_int_eq(winit_kernels_select("auto"), 0);                   \
	} while (0)

#endif /* WINIT_TESTUTIL_H */
