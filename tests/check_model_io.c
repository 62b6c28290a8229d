/* tests/check_model_io.c -- saved models (winit/model_io.h, docs/model-format.md): the
 * round trip is exact (weights, optimizer state, architecture with plugin parameters,
 * outputs, further training), and every damaged file is refused with its byte offset
 * while the model it was loaded into keeps its weights. */
#include "config.h"

#include "testutil.h"

/* A trained-looking trainer: 12 inputs -> Dense(8, relu, variance_scaling{scale 1.5,
 * mode fan_avg}) -> Dense(3, softmax); Adam after three steps of made-up gradients. */
static void make_trainer(struct winit_trainer *t, int64_t hidden, uint64_t seed)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 2;
	s.input_shape[0] = 3;
	s.input_shape[1] = 4;
	s.n_inputs = 12;
	tu_layers(&s, 2);
	s.layers[0] = tu_dense(hidden, "relu", "he_normal");
	static const char *const names[] = { "scale", "mode" };
	static const double values[] = { 1.5, 2 }; /* mode index 2: fan_avg */
	s.layers[0].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "variance_scaling", 2, names, values);
	s.layers[1] = tu_dense(3, "softmax", "glorot_uniform");
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_ADAM);
	o.learning_rate = 0.01;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(t, &s, &o, seed, &err) == 0, "%s", err.msg);
	for (int step = 0; step < 3; step++) {
		for (int64_t i = 0; i < t->model.n_params; i++)
			t->model.grads[i] = (float)((i * 7 + step * 3) % 11 - 5) * 0.01f;
		winit_optimizer_step(&t->opt, t->model.params, t->model.grads);
	}
	t->steps = 3;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	unsigned char *buf = malloc(1 << 20);
	*n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, n, f), n);
	fclose(f);
}

/* Recompute the trailing crc32 after an edit, so the edit itself is what is refused. */
static void reseal(unsigned char *buf, size_t n)
{
	uint32_t c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(n - 4));
	for (int i = 0; i < 4; i++)
		buf[n - 4 + (size_t)i] = (unsigned char)(c >> (8 * i));
}

static const float x12[2 * 12] = { 0.1f, 0.5f, -0.3f, 0.9f, 0.0f, 1.0f, 0.2f, -0.7f, 0.4f, 0.3f, 0.8f, -0.1f,
	                           0.6f, -0.2f, 0.1f, 0.0f, 0.5f, 0.5f, -0.9f, 0.3f, 0.2f, 0.7f, -0.4f, 0.1f };

START_TEST(round_trip_is_exact)
{
	struct winit_trainer a, b;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 11);
	const char *path = tu_path(tu_tmpdir(), "m.winit");
	ck_assert_msg(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_OPTIMIZER, &err) == 0,
	              "%s", err.msg);
	uint32_t what = 0;
	ck_assert_msg(winit_model_load(path, tu_registry(), &b, &what, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(what, WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_WEIGHTS | WINIT_MODEL_OPTIMIZER);
	ck_assert_int_eq(b.model.n_params, a.model.n_params);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	ck_assert(memcmp(a.opt.m, b.opt.m, (size_t)a.model.n_params * 4) == 0);
	ck_assert(memcmp(a.opt.v, b.opt.v, (size_t)a.model.n_params * 4) == 0);
	ck_assert_int_eq(b.opt.t, 3);
	ck_assert_int_eq(b.steps, 3);
	ck_assert_uint_eq(b.seed, 11);
	ck_assert(b.opt.spec.learning_rate == 0.01);
	ck_assert_int_eq(b.model.spec.n_input_dims, 2);
	ck_assert_int_eq(b.model.spec.input_shape[1], 4);
	const struct winit_plugin_use *k = &b.model.spec.layers[0].kernel_initializer;
	ck_assert_str_eq(k->info->name, "variance_scaling");
	ck_assert(k->params[0] == 1.5 && k->params[1] == 2);
	ck_assert_str_eq(b.model.spec.layers[0].activation.info->name, "relu");
	ck_assert_str_eq(b.model.spec.layers[1].activation.info->name, "softmax");
	/* Same outputs, and one more identical step keeps them identical. */
	ck_assert_int_eq(winit_model_reserve(&a.model, 2, &err), 0);
	ck_assert_int_eq(winit_model_reserve(&b.model, 2, &err), 0);
	const float *ya = winit_model_forward(&a.model, x12, 2);
	float y1[6];
	memcpy(y1, ya, sizeof y1);
	ck_assert(memcmp(y1, winit_model_forward(&b.model, x12, 2), sizeof y1) == 0);
	for (int64_t i = 0; i < a.model.n_params; i++)
		a.model.grads[i] = b.model.grads[i] = (float)(i % 5) * 0.02f;
	winit_optimizer_step(&a.opt, a.model.params, a.model.grads);
	winit_optimizer_step(&b.opt, b.model.params, b.model.grads);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
}
END_TEST

START_TEST(weights_only)
{
	struct winit_trainer a, b;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 1);
	make_trainer(&b, 8, 2);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) != 0);
	const char *path = tu_path(tu_tmpdir(), "w.winit");
	ck_assert_msg(winit_model_save(path, &a, 0, &err) == 0, "%s", err.msg);
	ck_assert_msg(winit_model_load_weights(path, &b, &err) == 0, "%s", err.msg);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	struct winit_trainer c;
	ck_assert_int_eq(winit_model_load(path, tu_registry(), &c, NULL, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "byte 12: the file holds weights only"), "%s", err.msg);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
}
END_TEST

/* Load a damaged copy as a model and (unless the damage is in the architecture, which
 * load_weights does not use) into a model, whose weights must stay; each refused with
 * `want`, the path and a byte offset in the message. */
static void refused_as(const unsigned char *buf, size_t n, const char *want, int arch_only)
{
	const char *path = tu_path(tu_tmpdir(), "bad.winit");
	spit(path, buf, n);
	struct winit_trainer t, u;
	struct winit_error err = { 0 };
	make_trainer(&t, 8, 5);
	float *before = malloc((size_t)t.model.n_params * 4);
	memcpy(before, t.model.params, (size_t)t.model.n_params * 4);
	if (!arch_only) {
		ck_assert_int_ne(winit_model_load_weights(path, &t, &err), 0);
		ck_assert_msg(strstr(err.msg, want) != NULL, "wanted '%s' in: %s", want, err.msg);
		ck_assert_msg(memcmp(before, t.model.params, (size_t)t.model.n_params * 4) == 0,
		              "weights changed by a refused file (%s)", want);
	}
	memset(&u, 0x5a, sizeof u);
	ck_assert_int_ne(winit_model_load(path, tu_registry(), &u, NULL, &err), 0);
	ck_assert_msg(strstr(err.msg, want) != NULL, "load_model: wanted '%s' in: %s", want, err.msg);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, "byte "), "no path/byte in: %s", err.msg);
	free(before);
	winit_trainer_free(&t);
}

static void refused(const unsigned char *buf, size_t n, const char *want)
{
	refused_as(buf, n, want, 0);
}

static unsigned char *saved(size_t *n)
{
	struct winit_trainer a;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 9);
	const char *path = tu_path(tu_tmpdir(), "good.winit");
	ck_assert_msg(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_OPTIMIZER, &err) == 0,
	              "%s", err.msg);
	winit_trainer_free(&a);
	return slurp(path, n);
}

START_TEST(truncated)
{
	size_t n;
	unsigned char *buf = saved(&n);
	const size_t cuts[] = { 0, 7, 20, 27, 100, n / 2, n - 5, n - 1 };
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		char want[64];
		if (cuts[i] < 28)
			snprintf(want, sizeof want, "byte %zu: truncated", cuts[i]);
		else
			snprintf(want, sizeof want, "byte %zu: truncated: the header", cuts[i]);
		refused(buf, cuts[i], want);
	}
	free(buf);
}
END_TEST

START_TEST(corrupted)
{
	size_t n;
	unsigned char *buf = saved(&n);
	const size_t at[] = { 30, n / 2, n - 10, n - 2 };
	char want[64];
	snprintf(want, sizeof want, "byte %zu: checksum mismatch", n - 4);
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		buf[at[i]] ^= 0x10;
		refused(buf, n, want);
		buf[at[i]] ^= 0x10;
	}
	free(buf);
}
END_TEST

START_TEST(wrong_magic_version_flags)
{
	size_t n;
	unsigned char *buf = saved(&n);
	buf[3] = 'X';
	refused(buf, n, "byte 0: not a winit model file");
	buf[3] = 'I';
	buf[8] = 2;
	refused(buf, n, "byte 8: format version 2, this winit reads version 1");
	buf[8] = 1;
	buf[12] |= 0x40;
	refused(buf, n, "byte 12: unknown content flags");
	free(buf);
}
END_TEST

START_TEST(trailing_bytes)
{
	size_t n;
	unsigned char *buf = saved(&n);
	unsigned char *more = calloc(n + 3, 1);
	memcpy(more, buf, n);
	refused(more, n + 3, "trailing bytes");
	free(more);
	free(buf);
}
END_TEST

START_TEST(shape_mismatch)
{
	struct winit_trainer a, b;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 1);
	make_trainer(&b, 7, 1);
	const char *path = tu_path(tu_tmpdir(), "s.winit");
	ck_assert_int_eq(winit_model_save(path, &a, 0, &err), 0);
	float before = b.model.params[0];
	ck_assert_int_eq(winit_model_load_weights(path, &b, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "byte 28: shape mismatch: layer 1 is 12x8 with bias in the file, "
	                              "12x7 with bias in the model"),
	              "%s", err.msg);
	ck_assert(b.model.params[0] == before);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
}
END_TEST

/* An edit that keeps the checksum valid but names a plugin that is not loaded, or a
 * parameter value out of range: refused at the architecture's byte. */
START_TEST(unknown_plugin_or_bad_parameter)
{
	size_t n;
	unsigned char *buf = saved(&n);
	unsigned char *p = memmem(buf, n, "variance_scaling", 16);
	ck_assert_ptr_nonnull(p);
	p[0] = 'w';
	reseal(buf, n);
	char want[96];
	snprintf(want, sizeof want, "byte %zu: layer 1 kernel_initializer: no initializer named 'wariance_scaling'",
	         (size_t)(p - buf) - 1);
	refused_as(buf, n, want, 1);
	p[0] = 'v';
	/* scale = -1 (the f64 after "scale" and its type byte) */
	unsigned char *s = memmem(buf, n, "\x05scale\x01", 7);
	ck_assert_ptr_nonnull(s);
	double neg = -1;
	memcpy(s + 7, &neg, 8); /* the test host is little-endian, as the format */
	reseal(buf, n);
	refused_as(buf, n, "variance_scaling", 1);
	free(buf);
}
END_TEST

static void put32(unsigned char *at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		at[i] = (unsigned char)(v >> (8 * i));
}

/* Where the architecture's optimizer settings (u32 kind, f64 learning_rate, ...) and the
 * optimizer state's shuffle stream are in saved()'s file: from its end, by the format. */
static void offsets(size_t n, size_t *settings, size_t *shuffle)
{
	const size_t params = 12 * 8 + 8 + 8 * 3 + 3;
	size_t opt = n - 4 - (4 + 8 + 8 + 32 + 8 + 1 + 1 + 2 * 4 * params); /* Adam: m and v */
	size_t weights = opt - (4 + 2 * 17 + 8 + 4 * params);
	*settings = weights - (4 + 5 * 8 + 4 + 8); /* kind, 5 f64, nesterov, seed */
	*shuffle = opt + 4 + 8 + 8;
}

/* Edits that keep the checksum valid: a loss, an optimizer kind or a learning rate this
 * winit does not know, refused at the field's byte; counts read as unsigned. */
START_TEST(unknown_settings_name_their_byte)
{
	size_t n, settings, shuffle;
	unsigned char *buf = saved(&n);
	offsets(n, &settings, &shuffle);
	ck_assert_int_eq(buf[settings], WINIT_OPT_ADAM); /* the offsets are right */
	char want[128];
	put32(buf + 56, 7); /* loss */
	reseal(buf, n);
	refused_as(buf, n, "byte 56: unknown loss 7, expected 0", 1);
	put32(buf + 56, 0);
	put32(buf + settings, 9);
	reseal(buf, n);
	snprintf(want, sizeof want, "byte %zu: unknown optimizer kind 9, expected 1 (Adam) or 2 (SGD)", settings);
	refused_as(buf, n, want, 1);
	put32(buf + settings, WINIT_OPT_ADAM);
	double lr = -1;
	memcpy(buf + settings + 4, &lr, 8); /* the test host is little-endian, as the format */
	reseal(buf, n);
	snprintf(want, sizeof want, "byte %zu: optimizer: learning_rate must be a finite number > 0 (got -1)",
	         settings + 4);
	refused_as(buf, n, want, 1);
	lr = 0.01;
	memcpy(buf + settings + 4, &lr, 8);
	put32(buf + 52, UINT32_MAX); /* the architecture's layer count */
	reseal(buf, n);
	refused_as(buf, n, "byte 52: 4294967295 layers, expected 1 to", 1);
	put32(buf + 52, 2);
	put32(buf + 24, UINT32_MAX); /* the input rank */
	reseal(buf, n);
	refused_as(buf, n, "byte 24: input rank 4294967295, expected 1 to 3", 1);
	free(buf);
}
END_TEST

/* A shuffle stream of all zero bytes (xoshiro's forbidden state: a later fit would spin
 * forever in winit_rng_below) with a valid checksum: refused at its byte. */
START_TEST(all_zero_shuffle_state)
{
	size_t n, settings, shuffle;
	unsigned char *buf = saved(&n);
	offsets(n, &settings, &shuffle);
	unsigned char *zero = calloc(32, 1);
	ck_assert_int_ne(memcmp(buf + shuffle, zero, 32), 0);
	memset(buf + shuffle, 0, 32);
	reseal(buf, n);
	char want[128];
	snprintf(want, sizeof want, "byte %zu: the shuffle stream state is all zero", shuffle);
	refused(buf, n, want);
	free(zero);
	free(buf);
}
END_TEST

START_TEST(save_failure_leaves_nothing)
{
	struct winit_trainer a;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 1);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "no/such/dir/m.winit");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "cannot write the model: No such file"), "%s", err.msg);
	ck_assert_int_eq(access(path, F_OK), -1);
	winit_trainer_free(&a);
}
END_TEST

/* Found by fuzzing (tests/fuzz/regressions/fuzz_model/): an architecture whose layers are
 * larger than the weights the file holds made the loader allocate the model the
 * architecture describes (40 GB) before comparing the two.  Now the comparison comes
 * first and the file is refused. */
START_TEST(architecture_larger_than_weights)
{
	const char *src = getenv("top_srcdir");
	ck_assert_ptr_nonnull(src);
	char in[4096];
	snprintf(in, sizeof in, "%s/tests/fuzz/regressions/fuzz_model/architecture_larger_than_weights",
	         src);
	size_t n;
	unsigned char *buf = slurp(in, &n);
	/* The harness's framing: byte 0 odd = the rest is the file without its crc32. */
	ck_assert(n > 1 && (buf[0] & 1));
	unsigned char *file = malloc(n + 4);
	memcpy(file, buf + 1, n - 1);
	reseal(file, n + 3);
	const char *path = tu_path(tu_tmpdir(), "big.winit");
	spit(path, file, n + 3);
	struct winit_trainer t;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_model_load(path, tu_registry(), &t, NULL, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "shape mismatch") && strstr(err.msg, "in the file's architecture"),
	              "%s", err.msg);
	free(file);
	free(buf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_io");
	TCase *c = tcase_create("core");
	tcase_add_test(c, round_trip_is_exact);
	tcase_add_test(c, weights_only);
	suite_add_tcase(s, c);
	TCase *e = tcase_create("errors");
	tcase_add_test(e, truncated);
	tcase_add_test(e, corrupted);
	tcase_add_test(e, wrong_magic_version_flags);
	tcase_add_test(e, trailing_bytes);
	tcase_add_test(e, shape_mismatch);
	tcase_add_test(e, unknown_plugin_or_bad_parameter);
	tcase_add_test(e, unknown_settings_name_their_byte);
	tcase_add_test(e, all_zero_shuffle_state);
	tcase_add_test(e, save_failure_leaves_nothing);
	tcase_add_test(e, architecture_larger_than_weights);
	suite_add_tcase(s, e);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
