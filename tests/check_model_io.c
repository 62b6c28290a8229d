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
	buf[8] = 3;
	refused(buf, n, "byte 8: format version 3, this winit reads versions 1 to 2");
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


/* ---- graphs (version 2) */

/* A trainer of graph `variant` (tu_graph), Adam after two steps of made-up gradients. */
static void make_graph_trainer(struct winit_trainer *t, int variant, uint64_t seed)
{
	struct winit_model_spec s;
	tu_graph(&s, variant);
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_ADAM);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(t, &s, &o, seed, &err) == 0, "%s", err.msg);
	winit_model_spec_free(&s);
	for (int step = 0; step < 2; step++) {
		for (int64_t i = 0; i < t->model.n_params; i++)
			t->model.grads[i] = (float)((i * 5 + step) % 13 - 6) * 0.01f;
		winit_optimizer_step(&t->opt, t->model.params, t->model.grads);
	}
	t->steps = 2;
}

static void same_use(const struct winit_plugin_use *a, const struct winit_plugin_use *b)
{
	ck_assert((a->info == NULL) == (b->info == NULL));
	if (a->info) {
		ck_assert_str_eq(a->info->name, b->info->name);
		ck_assert(memcmp(a->params, b->params, sizeof a->params) == 0);
	}
}

/* Every member of two specs that describes the model. */
static void same_spec(const struct winit_model_spec *a, const struct winit_model_spec *b)
{
	ck_assert_int_eq(a->n_input_dims, b->n_input_dims);
	ck_assert(memcmp(a->input_shape, b->input_shape, sizeof a->input_shape) == 0);
	ck_assert_int_eq(a->n_inputs, b->n_inputs);
	ck_assert_int_eq(a->loss, b->loss);
	ck_assert_int_eq(a->n_layers, b->n_layers);
	for (int32_t i = 0; i < a->n_layers; i++) {
		const struct winit_layer_spec *x = &a->layers[i], *y = &b->layers[i];
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_int_eq(x->n_in, y->n_in);
		int32_t ia[8], ib[8];
		int32_t na = winit_model_spec_layer_inputs(a, i, ia, 8), nb = winit_model_spec_layer_inputs(b, i, ib, 8);
		ck_assert_int_eq(na, nb);
		ck_assert(memcmp(ia, ib, (size_t)na * sizeof *ia) == 0);
		ck_assert_int_eq(x->units, y->units);
		ck_assert_int_eq(x->use_bias, y->use_bias);
		same_use(&x->activation, &y->activation);
		same_use(&x->kernel_initializer, &y->kernel_initializer);
		same_use(&x->bias_initializer, &y->bias_initializer);
		if (x->kind == WINIT_LAYER_RESHAPE)
			ck_assert(winit_shape_equal(&x->target_shape, &y->target_shape));
		if (x->kind == WINIT_LAYER_CONCATENATE)
			ck_assert_int_eq(x->axis, y->axis);
		ck_assert_int_eq(x->mult_set, y->mult_set);
		for (int t = 0; t < WINIT_MAX_LAYER_TENSORS; t++) {
			struct winit_param_mult m = winit_layer_mult(x, t), n = winit_layer_mult(y, t);
			ck_assert(m.init == n.init && m.lr == n.lr);
		}
		if (x->mult_set)
			ck_assert(x->out_mult == y->out_mult);
	}
}

/* Two rows of 784 made-up pixels. */
static const float *x784(void)
{
	static float x[2 * 784];
	for (int i = 0; i < 2 * 784; i++)
		x[i] = (float)((i * 37) % 101) / 101.0f - 0.3f;
	return x;
}

static void same_outputs(struct winit_model *a, struct winit_model *b)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_model_reserve(a, 2, &err), 0);
	ck_assert_int_eq(winit_model_reserve(b, 2, &err), 0);
	float ya[20];
	memcpy(ya, winit_model_forward(a, x784(), 2), sizeof ya);
	ck_assert(memcmp(ya, winit_model_forward(b, x784(), 2), sizeof ya) == 0);
}

/* Each graph (an Add skip, a Reshape, a Concatenate; one layer named and with
 * multipliers) is written as version 2 and read back as the same spec, the same weights
 * and optimizer state, the same predictions bit for bit; its weights alone load into a
 * model built alike. */
START_TEST(graph_round_trip_is_exact)
{
	for (int v = 0; v < TU_GRAPHS; v++) {
		struct winit_trainer a, b, c;
		struct winit_error err = { 0 };
		make_graph_trainer(&a, v, 21);
		const char *path = tu_path(tu_tmpdir(), "g.winit");
		ck_assert_msg(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_OPTIMIZER, &err) == 0,
		              "%s", err.msg);
		size_t n;
		unsigned char *buf = slurp(path, &n);
		ck_assert_int_eq(buf[8], 2);
		free(buf);
		ck_assert_msg(winit_model_load(path, tu_registry(), &b, NULL, &err) == 0, "graph %d: %s", v, err.msg);
		same_spec(&a.model.spec, &b.model.spec);
		ck_assert_int_eq(b.model.n_params, a.model.n_params);
		ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
		ck_assert(memcmp(a.opt.m, b.opt.m, (size_t)a.model.n_params * 4) == 0);
		ck_assert(memcmp(a.opt.v, b.opt.v, (size_t)a.model.n_params * 4) == 0);
		ck_assert_int_eq(b.steps, 2);
		same_outputs(&a.model, &b.model);
		/* The weights alone, into a model of the same graph drawn from another seed. */
		ck_assert_int_eq(winit_model_save(path, &a, 0, &err), 0);
		make_graph_trainer(&c, v, 22);
		ck_assert(memcmp(a.model.params, c.model.params, (size_t)a.model.n_params * 4) != 0);
		ck_assert_msg(winit_model_load_weights(path, &c, &err) == 0, "%s", err.msg);
		ck_assert(memcmp(a.model.params, c.model.params, (size_t)a.model.n_params * 4) == 0);
		same_outputs(&a.model, &c.model);
		winit_trainer_free(&a);
		winit_trainer_free(&b);
		winit_trainer_free(&c);
	}
}
END_TEST

/* The oldest version that describes the model: a chain of Dense layers is still version
 * 1, byte for byte what the previous winit wrote.  tests/data/model_v1_chain.winit was
 * written by the src/nn/save.c of commit 65cab4b (before version 2), compiled with that
 * commit's headers into a program that ran this file's make_trainer(8, 11) and
 * winit_model_save(architecture | optimizer) in a Check test (the rest of libwinit as
 * built here: a model's numbers did not change).  A name or multipliers on one layer
 * make it version 2. */
START_TEST(chain_keeps_version_1_bytes)
{
	struct winit_trainer a;
	struct winit_error err = { 0 };
	make_trainer(&a, 8, 11);
	const char *path = tu_path(tu_tmpdir(), "c.winit");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_OPTIMIZER, &err), 0);
	size_t n, m;
	unsigned char *got = slurp(path, &n);
	const char *src = getenv("top_srcdir");
	ck_assert_ptr_nonnull(src);
	char old[4096];
	snprintf(old, sizeof old, "%s/tests/data/model_v1_chain.winit", src);
	unsigned char *want = slurp(old, &m);
	ck_assert_uint_eq(n, m);
	ck_assert(memcmp(got, want, n) == 0);
	ck_assert_int_eq(got[8], 1);
	free(got);
	/* ... and it loads. */
	struct winit_trainer b;
	ck_assert_msg(winit_model_load(old, tu_registry(), &b, NULL, &err) == 0, "%s", err.msg);
	same_spec(&a.model.spec, &b.model.spec);
	winit_trainer_free(&b);
	free(want);
	/* A name, or multipliers, need version 2. */
	snprintf(a.model.spec.layers[1].name, sizeof a.model.spec.layers[1].name, "out");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err), 0);
	got = slurp(path, &n);
	ck_assert_int_eq(got[8], 2);
	free(got);
	ck_assert_msg(winit_model_load(path, tu_registry(), &b, NULL, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(b.model.spec.layers[1].name, "out");
	winit_trainer_free(&b);
	a.model.spec.layers[1].name[0] = '\0';
	a.model.spec.layers[0].mult_set = 1;
	a.model.spec.layers[0].mult[0] = (struct winit_param_mult){ 1, 1 };
	a.model.spec.layers[0].mult[1] = (struct winit_param_mult){ 1, 1 };
	a.model.spec.layers[0].out_mult = 1;
	ck_assert_int_eq(winit_model_save(path, &a, 0, &err), 0);
	got = slurp(path, &n);
	ck_assert_int_eq(got[8], 2);
	free(got);
	winit_trainer_free(&a);
}
END_TEST

static unsigned char *saved_graph(int variant, size_t *n)
{
	struct winit_trainer a;
	struct winit_error err = { 0 };
	make_graph_trainer(&a, variant, 9);
	const char *path = tu_path(tu_tmpdir(), "graph.winit");
	ck_assert_msg(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err) == 0, "%s", err.msg);
	winit_trainer_free(&a);
	return slurp(path, n);
}

/* Load an edited graph file (resealed, so the edit is what is refused) as a model:
 * refused with `want` (which names the byte). */
static void graph_refused(unsigned char *buf, size_t n, const char *want)
{
	reseal(buf, n);
	const char *path = tu_path(tu_tmpdir(), "badgraph.winit");
	spit(path, buf, n);
	struct winit_trainer t;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_model_load(path, tu_registry(), &t, NULL, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, path) && strstr(err.msg, want), "want '%s', got: %s", want, err.msg);
}

static unsigned char *find(unsigned char *buf, size_t n, const void *what, size_t len)
{
	unsigned char *p = memmem(buf, n, what, len);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Every malformed graph record is refused at its byte, saying what was expected.  The
 * records of tu_graph's layers, by docs/model-format.md: the architecture's layers begin
 * at byte 60 (header 24, input rank 4 and shape 24, layer count 4, loss 4); layer 1
 * (Flatten, fed by the model's input) is kind 60, name length 64, input count 65, input
 * 69, field count 73, multipliers flag 77; layer 2 (Dense) is kind 78, name 82, input
 * count 83, input 87. */
START_TEST(malformed_graph_records_name_their_byte)
{
	size_t n;
	unsigned char *buf = saved_graph(TU_GRAPH_RESHAPE, &n), *orig = malloc(n);
	memcpy(orig, buf, n);
	ck_assert_int_eq(buf[8], 2);
	ck_assert_int_eq(buf[60], WINIT_LAYER_FLATTEN); /* the offsets are right */
	ck_assert_int_eq(buf[69] & buf[70] & buf[71] & buf[72], 0xff);
	ck_assert_int_eq(buf[87], 0);
#define RESET() memcpy(buf, orig, n)
	put32(buf + 60, 99);
	graph_refused(buf, n, "byte 60: layer 1: unknown layer kind 99, expected one of 0 Dense, 1 Flatten");
	RESET();
	put32(buf + 65, 2);
	graph_refused(buf, n, "byte 65: layer 1 (Flatten): 2 inputs (0: the layer before), Flatten takes 1");
	RESET();
	put32(buf + 65, 4000000000u);
	graph_refused(buf, n, "byte 65: layer 1 (Flatten): 4000000000 inputs, more than the rest of the file");
	RESET();
	put32(buf + 87, 1); /* layer 2 reads itself */
	graph_refused(buf, n, "byte 87: layer 2 (Dense): input 1 is layer 1 (0-based), expected an earlier "
	                      "layer (0 to 0) or 0xffffffff");
	RESET();
	put32(buf + 73, 1);
	graph_refused(buf, n, "byte 73: layer 1 (Flatten): 1 configuration fields, expected 0");
	RESET();
	buf[64] = 60; /* a name longer than a layer's */
	graph_refused(buf, n, "byte 64: layer 1 (Flatten): a name of 60 bytes");
	RESET();
	buf[77] = 2;
	graph_refused(buf, n, "byte 77: layer 1 (Flatten): multipliers flag 2, expected 0 or 1");
	RESET();
	/* Reshape's target_shape (4, 8): a shape of other size, an impossible rank, a field of
	 * another name.  Its record begins 13 bytes before the field's name (kind, empty name,
	 * input count 0, field count). */
	unsigned char *ts = find(buf, n, "\x0ctarget_shape\x02", 14);
	size_t rec = (size_t)(ts - buf) - 13, rank = (size_t)(ts - buf) + 14;
	ck_assert_int_eq(buf[rec], WINIT_LAYER_RESHAPE);
	buf[rank + 4 + 8] = 9;
	char want[160];
	snprintf(want, sizeof want, "byte %zu: layer 5 (Reshape 'reshape_1'): cannot reshape (None, 32) "
	                            "(32 values) to (None, 4, 9) (36 values)", rec);
	graph_refused(buf, n, want);
	RESET();
	put32(buf + rank, 0);
	snprintf(want, sizeof want, "byte %zu: layer 5 (Reshape): target_shape has rank 0, expected 1 to 3", rank);
	graph_refused(buf, n, want);
	RESET();
	buf[rank - 3] = 'X';
	snprintf(want, sizeof want, "byte %zu: layer 5 (Reshape): configuration field 'target_shaXe', "
	                            "expected 'target_shape'", rank - 14);
	graph_refused(buf, n, want);
	RESET();
	buf[rank - 1] = 1;
	snprintf(want, sizeof want, "byte %zu: layer 5 (Reshape): field target_shape has type 1, expected 2", rank - 1);
	graph_refused(buf, n, want);
	RESET();
	/* proj's multipliers: an output multiplier that is not a number, a negative lr. */
	double v = 0.75, nan_ = NAN, neg = -0.25;
	unsigned char *om = find(buf, n, &v, 8);
	memcpy(om, &nan_, 8);
	snprintf(want, sizeof want, "byte %zu: layer 3 (Dense): the output multiplier must be a finite number",
	         (size_t)(om - buf));
	graph_refused(buf, n, want);
	RESET();
	v = 0.25;
	om = find(buf, n, &v, 8);
	memcpy(om, &neg, 8);
	snprintf(want, sizeof want, "byte %zu: layer 3 (Dense): tensor 2's lr multiplier must be a finite number >= 0",
	         (size_t)(om - buf));
	graph_refused(buf, n, want);
	RESET();
	/* Layer 2's output unused: proj reads the Flatten, the Add proj twice. */
	unsigned char *pj = find(buf, n, "\x04proj", 5);
	put32(pj + 9, 0);
	static const unsigned char add_rec[] = { 3, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	unsigned char *ad = find(buf, n, add_rec, sizeof add_rec);
	put32(ad + 13, 2);
	graph_refused(buf, n, "byte 78: layer 2 (Dense 'dense_1'): its output is not used by any later layer");
	RESET();
	/* An Add of shapes that differ: proj's input is the model's input (784 values
	 * unflattened: Dense refuses the image). */
	put32(pj + 9, 0xffffffffu);
	snprintf(want, sizeof want, "byte %zu: layer 3 (Dense 'proj'): Dense needs a flat input, got (None, 28, 28)",
	         (size_t)(pj - buf) - 4);
	graph_refused(buf, n, want);
	free(orig);
	free(buf);
	/* Concatenate's axis out of range. */
	buf = saved_graph(TU_GRAPH_CONCAT, &n);
	unsigned char *ax = find(buf, n, "\x04" "axis\x01", 6);
	put32(ax + 6, 7);
	put32(ax + 10, 0); /* an i64 */
	snprintf(want, sizeof want, "byte %zu: layer 4 (Concatenate): axis is 7, expected -1 to 3", (size_t)(ax - buf) + 6);
	graph_refused(buf, n, want);
	free(buf);
#undef RESET
}
END_TEST

/* A convolutional graph (Conv2D's kernel_size, strides, padding and dilation_rate are
 * its kind's fields) round-trips to the same spec and the same predictions; a padding
 * that is no choice, or a kernel_size of three values, is refused at its byte. */
START_TEST(conv_graph_round_trip_and_refusals)
{
	struct winit_model_spec s;
	tu_conv_graph(&s);
	s.layers[1].padding = WINIT_PADDING_CIRCULAR; /* a choice other than the default */
	struct winit_trainer a, b;
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_SGD);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(&a, &s, &o, 3, &err) == 0, "%s", err.msg);
	winit_model_spec_free(&s);
	const char *path = tu_path(tu_tmpdir(), "conv.winit");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err), 0);
	ck_assert_msg(winit_model_load(path, tu_registry(), &b, NULL, &err) == 0, "%s", err.msg);
	same_spec(&a.model.spec, &b.model.spec);
	for (int i = 0; i < 2; i++) {
		const struct winit_layer_spec *x = &a.model.spec.layers[i], *y = &b.model.spec.layers[i];
		ck_assert(memcmp(x->kernel_size, y->kernel_size, sizeof x->kernel_size) == 0);
		ck_assert(memcmp(x->strides, y->strides, sizeof x->strides) == 0);
		ck_assert(memcmp(x->dilation, y->dilation, sizeof x->dilation) == 0);
		ck_assert_int_eq(x->padding, y->padding);
	}
	ck_assert_int_eq(b.model.spec.layers[1].padding, WINIT_PADDING_CIRCULAR);
	ck_assert_int_eq(b.model.n_params, a.model.n_params);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	ck_assert_int_eq(winit_model_reserve(&a.model, 2, &err), 0);
	ck_assert_int_eq(winit_model_reserve(&b.model, 2, &err), 0);
	float ya[6];
	memcpy(ya, winit_model_forward(&a.model, x784(), 2), sizeof ya);
	ck_assert(memcmp(ya, winit_model_forward(&b.model, x784(), 2), sizeof ya) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	size_t n;
	unsigned char *buf = slurp(path, &n);
	unsigned char *pad = find(buf, n, "\x07padding\x04\x08" "circular", 18);
	memcpy(pad + 10, "circulaR", 8);
	char want[160];
	snprintf(want, sizeof want, "byte %zu: layer 2 (Conv2D): padding is 'circulaR', expected one of 'valid', "
	                            "'same', 'circular'", (size_t)(pad - buf) + 9);
	graph_refused(buf, n, want);
	memcpy(pad + 10, "circular", 8);
	unsigned char *ks = find(buf, n, "\x0bkernel_size\x03", 13);
	put32(ks + 13, 3);
	snprintf(want, sizeof want, "byte %zu: layer 1 (Conv2D): kernel_size has 3 values, expected 2", (size_t)(ks - buf) + 13);
	graph_refused(buf, n, want);
	put32(ks + 13, 2);
	ks[17] = 0; /* kernel_size[0] = 0 */
	snprintf(want, sizeof want, "byte %zu: layer 1 (Conv2D): kernel_size[0] is 0, expected 1 to 2147483647",
	         (size_t)(ks - buf) + 17);
	graph_refused(buf, n, want);
	free(buf);
}
END_TEST

/* The pooling kinds (pool_size, strides, padding) and Dropout (rate, a number) round-trip
 * through their kinds' fields; a rate out of [0, 1] is refused at its byte. */
START_TEST(pool_graph_round_trip_and_refusals)
{
	struct winit_model_spec s;
	tu_pool_graph(&s);
	struct winit_trainer a, b;
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_SGD);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(&a, &s, &o, 3, &err) == 0, "%s", err.msg);
	winit_model_spec_free(&s);
	const char *path = tu_path(tu_tmpdir(), "pool.winit");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err), 0);
	ck_assert_msg(winit_model_load(path, tu_registry(), &b, NULL, &err) == 0, "%s", err.msg);
	same_spec(&a.model.spec, &b.model.spec);
	for (int i = 1; i <= 2; i++) {
		const struct winit_layer_spec *x = &a.model.spec.layers[i], *y = &b.model.spec.layers[i];
		ck_assert(memcmp(x->kernel_size, y->kernel_size, sizeof x->kernel_size) == 0);
		ck_assert(memcmp(x->strides, y->strides, sizeof x->strides) == 0);
		ck_assert_int_eq(x->padding, y->padding);
	}
	ck_assert_int_eq(b.model.spec.layers[2].kernel_size[1], 1);
	ck_assert_int_eq(b.model.spec.layers[2].padding, WINIT_PADDING_SAME);
	ck_assert(b.model.spec.layers[3].rate == 0.25);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	ck_assert_int_eq(winit_model_reserve(&a.model, 2, &err), 0);
	ck_assert_int_eq(winit_model_reserve(&b.model, 2, &err), 0);
	float ya[6];
	memcpy(ya, winit_model_forward(&a.model, x784(), 2), sizeof ya);
	ck_assert(memcmp(ya, winit_model_forward(&b.model, x784(), 2), sizeof ya) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	size_t n;
	unsigned char *buf = slurp(path, &n);
	unsigned char *rate = find(buf, n, "\x04rate\x05", 6);
	double bad = 1.5;
	memcpy(rate + 6, &bad, 8);
	char want[160];
	snprintf(want, sizeof want, "byte %zu: layer 4 (Dropout): rate is 1.5, expected a number in [0, 1]",
	         (size_t)(rate - buf) + 6);
	graph_refused(buf, n, want);
	bad = 1; /* in the field's range, refused by Dropout's own rule at the layer's record */
	memcpy(rate + 6, &bad, 8);
	graph_refused(buf, n, "layer 4 (Dropout 'dropout_1'): rate must be in [0, 1), got 1");
	free(buf);
}
END_TEST

/* The normalization kinds round-trip: their fields (momentum, epsilon, per_channel), the
 * initializers of their tensors (gamma's and beta's, Scale's), and their weights, the
 * moving statistics included, so inference after loading is the same to the bit; an
 * unknown initializer of theirs is refused at its byte. */
START_TEST(norm_graph_round_trip_and_refusals)
{
	struct winit_model_spec s;
	tu_norm_graph(&s);
	struct winit_trainer a, b;
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_SGD);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(&a, &s, &o, 3, &err) == 0, "%s", err.msg);
	winit_model_spec_free(&s);
	/* As training would: every parameter (the moving statistics among them) away from
	 * its initial 0 or 1. */
	for (int64_t i = 0; i < a.model.n_params; i++)
		if (a.model.params[i] == 0.0f || a.model.params[i] == 1.0f)
			a.model.params[i] += 0.125f * (float)(i % 7);
	const char *path = tu_path(tu_tmpdir(), "norm.winit");
	ck_assert_int_eq(winit_model_save(path, &a, WINIT_MODEL_ARCHITECTURE, &err), 0);
	ck_assert_msg(winit_model_load(path, tu_registry(), &b, NULL, &err) == 0, "%s", err.msg);
	same_spec(&a.model.spec, &b.model.spec);
	for (int i = 1; i <= 3; i++) {
		const struct winit_layer_spec *x = &a.model.spec.layers[i], *y = &b.model.spec.layers[i];
		ck_assert(x->momentum == y->momentum || i > 1);
		ck_assert(x->epsilon == y->epsilon || i == 3);
		ck_assert_int_eq(x->per_channel, y->per_channel);
	}
	ck_assert(b.model.spec.layers[1].momentum == 0.9);
	ck_assert(b.model.spec.layers[2].epsilon == 1e-5);
	ck_assert_str_eq(b.model.spec.layers[2].bias_initializer.info->name, "random_normal");
	ck_assert_int_eq(b.model.spec.layers[3].per_channel, 1);
	ck_assert_ptr_null(b.model.spec.layers[3].bias_initializer.info);
	ck_assert_int_eq(b.model.n_params, a.model.n_params);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * 4) == 0);
	ck_assert_int_eq(winit_model_reserve(&a.model, 2, &err), 0);
	ck_assert_int_eq(winit_model_reserve(&b.model, 2, &err), 0);
	float ya[6];
	memcpy(ya, winit_model_forward(&a.model, x784(), 2), sizeof ya);
	ck_assert(memcmp(ya, winit_model_forward(&b.model, x784(), 2), sizeof ya) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	size_t n;
	unsigned char *buf = slurp(path, &n);
	unsigned char *rn = find(buf, n, "\x0drandom_normal", 14);
	rn[1] = 'x';
	char want[160];
	snprintf(want, sizeof want, "byte %zu: layer 3 beta_initializer: no initializer named 'xandom_normal'",
	         (size_t)(rn - buf));
	graph_refused(buf, n, want);
	free(buf);
}
END_TEST

/* The weights section of version 2 lists each layer's tensors: weights of another graph
 * are refused at the layer whose tensors differ, and a chain's (version 1) weights do not
 * fit a graph. */
START_TEST(graph_weights_shape_mismatch)
{
	struct winit_trainer a, b, c;
	struct winit_error err = { 0 };
	make_graph_trainer(&a, TU_GRAPH_ADD, 1);
	make_graph_trainer(&b, TU_GRAPH_CONCAT, 1);
	const char *path = tu_path(tu_tmpdir(), "w.winit");
	ck_assert_int_eq(winit_model_save(path, &a, 0, &err), 0);
	float before = b.model.params[0];
	ck_assert_int_eq(winit_model_load_weights(path, &b, &err), WINIT_ERR_FORMAT);
	/* Header 24, layer count 4, then per layer a count and each tensor's rank and dims:
	 * Flatten 4, Dense 4 + 20 + 12 (twice), Add 4: layer 5's record at byte 108. */
	ck_assert_msg(strstr(err.msg, "byte 108: shape mismatch: layer 5 (Dense) has (32, 10), (10) in the file, "
	                              "(64, 10), (10) in the model"),
	              "%s", err.msg);
	ck_assert(b.model.params[0] == before);
	make_trainer(&c, 8, 1);
	ck_assert_int_eq(winit_model_save(path, &c, 0, &err), 0);
	ck_assert_int_eq(winit_model_load_weights(path, &b, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "byte 24: shape mismatch: 2 layers in the file, 5 in the model"), "%s", err.msg);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	winit_trainer_free(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model_io");
	TCase *c = tcase_create("core");
	tcase_add_test(c, round_trip_is_exact);
	tcase_add_test(c, weights_only);
	tcase_add_test(c, graph_round_trip_is_exact);
	tcase_add_test(c, chain_keeps_version_1_bytes);
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
	tcase_add_test(e, malformed_graph_records_name_their_byte);
	tcase_add_test(e, graph_weights_shape_mismatch);
	tcase_add_test(e, conv_graph_round_trip_and_refusals);
	tcase_add_test(e, pool_graph_round_trip_and_refusals);
	tcase_add_test(e, norm_graph_round_trip_and_refusals);
	suite_add_tcase(s, e);
	return s;
}

int main(void)
{
	return tu_run(suite());
}
