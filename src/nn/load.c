/* src/nn/load.c -- reading model files (winit/model_io.h; the format is
 * docs/model-format.md, the writer src/nn/save.c): the whole file is read and checked
 * (size, magic, version, flags, crc32) before a byte of its body is parsed, and parsed
 * completely into temporaries before anything the caller owns changes. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <winit/model_io.h>
#include <winit/plugin_call.h>

#include "nn/model_file.h"

struct rd {
	const unsigned char *p;
	size_t n, off;
	const char *path;
	struct winit_error *err;
	int failed;
};

/* Fail at the current offset: "PATH: byte OFF: message". */
__attribute__((format(printf, 2, 3))) static int rd_fail(struct rd *r, const char *fmt, ...)
{
	if (r->failed)
		return -1;
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	winit_error_set(r->err, WINIT_ERR_FORMAT, "%s: byte %zu: %s", r->path, r->off, msg);
	r->failed = 1;
	return -1;
}

static const unsigned char *take(struct rd *r, size_t n, const char *what)
{
	if (r->failed)
		return NULL;
	if (n > r->n - r->off) {
		rd_fail(r, "%s needs %zu bytes, the body has %zu left", what, n, r->n - r->off);
		return NULL;
	}
	const unsigned char *c = r->p + r->off;
	r->off += n;
	return c;
}

static uint64_t get_u64(struct rd *r, const char *what)
{
	const unsigned char *c = take(r, 8, what);
	uint64_t v = 0;
	for (int i = 0; c && i < 8; i++)
		v |= (uint64_t)c[i] << (8 * i);
	return v;
}

static uint32_t get_u32(struct rd *r, const char *what)
{
	const unsigned char *c = take(r, 4, what);
	uint32_t v = 0;
	for (int i = 0; c && i < 4; i++)
		v |= (uint32_t)c[i] << (8 * i);
	return v;
}

static unsigned get_u8(struct rd *r, const char *what)
{
	const unsigned char *c = take(r, 1, what);
	return c ? *c : 0;
}

static double get_f64(struct rd *r, const char *what)
{
	uint64_t u = get_u64(r, what);
	double v;
	memcpy(&v, &u, 8);
	return v;
}

/* A length-prefixed name into buf (NUL-terminated). */
static void get_str(struct rd *r, char buf[NAME_MAX_BYTES + 1], const char *what)
{
	unsigned n = get_u8(r, what);
	const unsigned char *c = take(r, n, what);
	buf[0] = '\0';
	if (c) {
		memcpy(buf, c, n);
		buf[n] = '\0';
	}
}

/* n floats into a new array (NULL and r failed on error). */
static float *get_floats(struct rd *r, uint64_t n, const char *what)
{
	if (n > (r->n - r->off) / 4) {
		rd_fail(r, "%s: %llu values need %llu bytes, the body has %zu left", what,
		        (unsigned long long)n, (unsigned long long)n * 4, r->n - r->off);
		return NULL;
	}
	float *x = malloc(n ? (size_t)n * sizeof(float) : 1);
	if (!x) {
		rd_fail(r, "%s: out of memory for %llu values", what, (unsigned long long)n);
		return NULL;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint32_t u = get_u32(r, what);
		memcpy(&x[i], &u, 4);
	}
	return x;
}

/* A plugin use of `kind`: resolved in reg when reg is given (else only skipped). */
static void get_use(struct rd *r, const struct winit_registry *reg, uint32_t kind,
                    struct winit_plugin_use *u, const char *what)
{
	char name[NAME_MAX_BYTES + 1];
	size_t at = r->off;
	memset(u, 0, sizeof *u);
	get_str(r, name, what);
	if (r->failed || !name[0])
		return;
	const struct winit_plugin_entry *e = reg ? winit_registry_find(reg, kind, name) : NULL;
	if (reg && !e) {
		char known[1024];
		winit_registry_names(reg, kind, known, sizeof known);
		r->off = at;
		rd_fail(r, "%s: no %s named '%s' is loaded (known: %s)", what, winit_kind_name(kind),
		        name, known);
		return;
	}
	uint32_t n = get_u32(r, what);
	if (!r->failed && n > WINIT_MAX_PARAMS) {
		rd_fail(r, "%s: %u parameters, at most %d", what, n, WINIT_MAX_PARAMS);
		return;
	}
	char pname[WINIT_MAX_PARAMS][NAME_MAX_BYTES + 1], cname[WINIT_MAX_PARAMS][NAME_MAX_BYTES + 1];
	const char *names[WINIT_MAX_PARAMS], *choices[WINIT_MAX_PARAMS];
	double values[WINIT_MAX_PARAMS];
	size_t params_at = r->off;
	for (uint32_t k = 0; k < n && !r->failed; k++) {
		get_str(r, pname[k], what);
		names[k] = pname[k];
		unsigned type = get_u8(r, what);
		choices[k] = NULL;
		values[k] = 0;
		if (type == WINIT_PARAM_CHOICE) {
			get_str(r, cname[k], what);
			choices[k] = cname[k];
		} else if (type == WINIT_PARAM_REAL || type == WINIT_PARAM_INT) {
			values[k] = get_f64(r, what);
		} else if (!r->failed) {
			r->off--;
			rd_fail(r, "%s: parameter '%s' has unknown type %u", what, pname[k], type);
		}
	}
	if (r->failed || !e)
		return;
	struct winit_error perr = { 0 };
	if (winit_params_resolve(u->params, e->info, n, names, values, choices, &perr)) {
		r->off = params_at;
		rd_fail(r, "%s: %s", what, perr.msg);
		return;
	}
	u->info = e->info;
}

struct parsed {
	uint32_t what;
	struct winit_model_spec spec;
	struct winit_optimizer_spec opt;
	uint64_t seed;
	int32_t n_layers;
	int64_t *n_in, *n_out; /* (n_layers) the weights section's shapes, owned */
	int *has_bias;         /* (n_layers) */
	size_t weights_at;     /* offset of the weight shapes, for mismatch messages */
	int64_t n_params;
	float *params;
	int64_t opt_t, steps, opt_n;
	uint64_t shuffle[4];
	float *m, *v;
};

static void parsed_free(struct parsed *p)
{
	winit_model_spec_free(&p->spec);
	free(p->n_in);
	free(p->n_out);
	free(p->has_bias);
	free(p->params);
	free(p->m);
	free(p->v);
}

/* The optimizer's settings, read at byte `at`, checked by the optimizer's own rules; a
 * refusal names the byte of the field it is about. */
static void check_optimizer(struct rd *r, const struct winit_optimizer_spec *spec, size_t at)
{
	/* Each setting's offset after the u32 kind, by the name the optimizer's messages use. */
	static const struct {
		const char *name;
		size_t off;
	} fields[] = { { "learning_rate", 4 }, { "beta_1", 12 }, { "beta_2", 20 }, { "epsilon", 28 }, { "momentum", 36 } };
	struct winit_optimizer opt;
	struct winit_error oerr = { 0 };
	if (!winit_optimizer_init(&opt, spec, 1, &oerr)) {
		winit_optimizer_free(&opt);
		return;
	}
	size_t end = r->off;
	r->off = at;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strstr(oerr.msg, fields[i].name)) {
			r->off = at + fields[i].off;
			break;
		}
	if (oerr.status == WINIT_ERR_NOMEM)
		r->off = end;
	rd_fail(r, "%s", oerr.msg);
}

/* The input's rank and shape; n_inputs their product. */
static void get_input_shape(struct rd *r, struct winit_model_spec *s)
{
	/* Every count is unsigned in the file, and shown so ("4294967295 layers", not -1). */
	uint32_t rank = get_u32(r, "input rank");
	if (!r->failed && (rank < 1 || rank > 3)) {
		r->off -= 4;
		rd_fail(r, "input rank %u, expected 1 to 3", rank);
		return;
	}
	s->n_input_dims = (int32_t)rank;
	s->n_inputs = 1;
	for (int i = 0; i < 3; i++) {
		uint64_t dim = get_u64(r, "input shape");
		if (i < s->n_input_dims && !r->failed && (dim < 1 || dim > (UINT64_C(1) << 31))) {
			r->off -= 8;
			rd_fail(r, "input dimension %d is %llu, expected 1 to 2^31", i + 1, (unsigned long long)dim);
			return;
		}
		s->input_shape[i] = (int64_t)dim;
		if (i < s->n_input_dims && !r->failed) {
			/* Each dimension is at most 2^31, and so is their product (checked before
			 * multiplying, which could otherwise overflow). */
			if (s->n_inputs > (INT64_C(1) << 31) / s->input_shape[i]) {
				r->off -= 8;
				rd_fail(r, "input shape: %d dimensions of more than 2^31 inputs in all",
				        (int)s->n_input_dims);
				return;
			}
			s->n_inputs *= s->input_shape[i];
		}
	}
}

/* The layer count, the loss and each layer: units, bias, activation, initializers. */
static void get_layers(struct rd *r, const struct winit_registry *reg, struct winit_model_spec *s)
{
	uint32_t n_layers = get_u32(r, "layer count");
	/* A layer takes at least 9 bytes here (units, use_bias), so the file bounds the count. */
	if (!r->failed && (n_layers < 1 || n_layers > (r->n - r->off) / 9)) {
		r->off -= 4;
		rd_fail(r, "%u layers, expected 1 to %zu (what the rest of the file can hold)", n_layers,
		        (r->n - r->off - 4) / 9);
		return;
	}
	if (!r->failed && !(s->layers = calloc(n_layers, sizeof *s->layers))) {
		r->off -= 4;
		rd_fail(r, "no memory for %u layers", n_layers);
		return;
	}
	s->n_layers = s->cap_layers = (int32_t)n_layers;
	uint32_t loss = get_u32(r, "loss");
	if (!r->failed && loss != WINIT_LOSS_CATEGORICAL_CROSSENTROPY) {
		r->off -= 4;
		rd_fail(r, "unknown loss %u, expected %d (categorical cross-entropy)", loss,
		        WINIT_LOSS_CATEGORICAL_CROSSENTROPY);
		return;
	}
	s->loss = (int32_t)loss;
	for (int i = 0; i < s->n_layers && !r->failed; i++) {
		struct winit_layer_spec *l = &s->layers[i];
		char what[64];
		uint64_t units = get_u64(r, "units");
		if (!r->failed && (units < 1 || units > (UINT64_C(1) << 31))) {
			r->off -= 8;
			rd_fail(r, "layer %d has %llu units, expected 1 to 2^31", i + 1, (unsigned long long)units);
			return;
		}
		l->units = (int64_t)units;
		l->use_bias = (int)get_u8(r, "use_bias");
		snprintf(what, sizeof what, "layer %d activation", i + 1);
		get_use(r, reg, WINIT_KIND_ACTIVATION, &l->activation, what);
		snprintf(what, sizeof what, "layer %d kernel_initializer", i + 1);
		get_use(r, reg, WINIT_KIND_INITIALIZER, &l->kernel_initializer, what);
		snprintf(what, sizeof what, "layer %d bias_initializer", i + 1);
		get_use(r, reg, WINIT_KIND_INITIALIZER, &l->bias_initializer, what);
	}
}

/* The optimizer's settings and the run seed. */
static void get_optimizer_spec(struct rd *r, struct parsed *p)
{
	size_t opt_at = r->off;
	uint32_t kind = get_u32(r, "optimizer kind");
	if (!r->failed && kind != WINIT_OPT_ADAM && kind != WINIT_OPT_SGD) {
		r->off = opt_at;
		rd_fail(r, "unknown optimizer kind %u, expected %d (Adam) or %d (SGD)", kind, WINIT_OPT_ADAM,
		        WINIT_OPT_SGD);
		return;
	}
	p->opt.kind = (int32_t)kind;
	p->opt.learning_rate = get_f64(r, "learning_rate");
	p->opt.beta_1 = get_f64(r, "beta_1");
	p->opt.beta_2 = get_f64(r, "beta_2");
	p->opt.epsilon = get_f64(r, "epsilon");
	p->opt.momentum = get_f64(r, "momentum");
	p->opt.nesterov = (int32_t)get_u32(r, "nesterov");
	p->seed = get_u64(r, "seed");
	if (!r->failed)
		check_optimizer(r, &p->opt, opt_at);
}

/* The architecture section: the input, the layers, the optimizer; each part read only
 * when the one before it was well formed. */
static void get_architecture(struct rd *r, const struct winit_registry *reg, struct parsed *p)
{
	get_input_shape(r, &p->spec);
	if (r->failed)
		return;
	get_layers(r, reg, &p->spec);
	if (r->failed)
		return;
	get_optimizer_spec(r, p);
}

static void get_weights(struct rd *r, struct parsed *p)
{
	p->weights_at = r->off;
	uint32_t n_layers = get_u32(r, "layer count");
	/* A layer's shape takes 17 bytes (n_in, n_out, bias flag). */
	if (!r->failed && (n_layers < 1 || n_layers > (r->n - r->off) / 17)) {
		r->off -= 4;
		rd_fail(r, "%u layers, expected 1 to %zu (what the rest of the file can hold)", n_layers,
		        (r->n - r->off - 4) / 17);
		return;
	}
	if (!r->failed) {
		p->n_in = calloc(n_layers, sizeof *p->n_in);
		p->n_out = calloc(n_layers, sizeof *p->n_out);
		p->has_bias = calloc(n_layers, sizeof *p->has_bias);
		if (!p->n_in || !p->n_out || !p->has_bias) {
			r->off -= 4;
			rd_fail(r, "no memory for %u layers", n_layers);
			return;
		}
	}
	p->n_layers = (int32_t)n_layers;
	int64_t total = 0;
	for (int i = 0; i < p->n_layers && !r->failed; i++) {
		uint64_t n_in = get_u64(r, "layer shape"), n_out = get_u64(r, "layer shape");
		p->has_bias[i] = (int)get_u8(r, "layer bias flag");
		if (!r->failed && (n_in < 1 || n_out < 1 || n_in > (UINT64_C(1) << 31) || n_out > (UINT64_C(1) << 31))) {
			r->off -= 17;
			rd_fail(r, "layer %d is %llux%llu, expected 1 to 2^31 each", i + 1, (unsigned long long)n_in,
			        (unsigned long long)n_out);
			return;
		}
		p->n_in[i] = (int64_t)n_in;
		p->n_out[i] = (int64_t)n_out;
		total += p->n_in[i] * p->n_out[i] + (p->has_bias[i] ? p->n_out[i] : 0);
		if (!r->failed && total > (int64_t)((r->n - r->off) / 4)) {
			r->off -= 17;
			rd_fail(r, "layer %d (%lldx%lld): the layers need more weights than the file holds",
			        i + 1, (long long)p->n_in[i], (long long)p->n_out[i]);
			return;
		}
	}
	uint64_t n_params = get_u64(r, "parameter count");
	if (!r->failed && n_params != (uint64_t)total) {
		r->off -= 8;
		rd_fail(r, "%llu parameters, but the layer shapes make %lld", (unsigned long long)n_params,
		        (long long)total);
		return;
	}
	p->n_params = (int64_t)n_params;
	if (!r->failed)
		p->params = get_floats(r, (uint64_t)p->n_params, "weights");
}

static void get_optimizer(struct rd *r, struct parsed *p)
{
	(void)get_u32(r, "optimizer kind");
	p->opt_t = (int64_t)get_u64(r, "optimizer step");
	p->steps = (int64_t)get_u64(r, "steps");
	for (int i = 0; i < 4; i++)
		p->shuffle[i] = get_u64(r, "shuffle stream");
	/* All zero is xoshiro's one forbidden state: it would draw zeros forever (and a
	 * draw below n would never end). */
	if (!r->failed && !(p->shuffle[0] | p->shuffle[1] | p->shuffle[2] | p->shuffle[3])) {
		r->off -= 32;
		rd_fail(r, "the shuffle stream state is all zero, which no stream can be in");
		return;
	}
	uint64_t opt_n = get_u64(r, "optimizer size");
	if (!r->failed && opt_n != (uint64_t)p->n_params) {
		r->off -= 8;
		rd_fail(r, "optimizer state for %llu parameters, the weights have %lld",
		        (unsigned long long)opt_n, (long long)p->n_params);
		return;
	}
	p->opt_n = (int64_t)opt_n;
	unsigned has_m = get_u8(r, "optimizer flags"), has_v = get_u8(r, "optimizer flags");
	if (has_m && !r->failed)
		p->m = get_floats(r, (uint64_t)p->opt_n, "optimizer first moment");
	if (has_v && !r->failed)
		p->v = get_floats(r, (uint64_t)p->opt_n, "optimizer second moment");
}

/* The whole file at path into *buf (n bytes, malloc'ed). */
static int read_whole(const char *path, unsigned char **buf, size_t *len, struct winit_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot open the model: %s", path,
		                       strerror(errno));
	unsigned char *b = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = realloc(b, cap);
			if (!nb) {
				free(b);
				fclose(f);
				return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory reading the model",
				                       path);
			}
			b = nb;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(b);
		return winit_error_set(err, WINIT_ERR_IO, "%s: error while reading the model", path);
	}
	*buf = b;
	*len = n;
	return WINIT_OK;
}

/* The header (magic, version, content flags into p->what, body length) and the checksum
 * trailer; on success r->n is the body's end and r->off its start. */
static void check_envelope(struct rd *r, struct parsed *p)
{
	size_t n = r->n;
	if (n < HEADER_BYTES + TRAILER_BYTES) {
		r->off = n;
		rd_fail(r, "truncated: a model file has at least %d bytes, this one %zu",
		        HEADER_BYTES + TRAILER_BYTES, n);
		return;
	}
	if (memcmp(r->p, WINIT_MODEL_MAGIC, 8) != 0) {
		rd_fail(r, "not a winit model file (it does not begin with \"%s\")", WINIT_MODEL_MAGIC);
		return;
	}
	r->off = 8;
	uint32_t version = get_u32(r, "version");
	if (version != WINIT_MODEL_FORMAT_VERSION) {
		r->off = 8;
		rd_fail(r, "format version %u, this winit reads version %d", version,
		        WINIT_MODEL_FORMAT_VERSION);
		return;
	}
	p->what = get_u32(r, "content flags");
	if (!(p->what & WINIT_MODEL_WEIGHTS) ||
	    (p->what & ~(uint32_t)(WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_WEIGHTS | WINIT_MODEL_OPTIMIZER))) {
		r->off = 12;
		rd_fail(r, "unknown content flags 0x%x", p->what);
		return;
	}
	uint64_t body = get_u64(r, "body length");
	if (body != n - HEADER_BYTES - TRAILER_BYTES) {
		r->off = n;
		rd_fail(r, "%s: the header (byte 16) says the file has %llu bytes, it has %zu",
		        body > n - HEADER_BYTES - TRAILER_BYTES ? "truncated" : "trailing bytes",
		        (unsigned long long)body + HEADER_BYTES + TRAILER_BYTES, n);
		return;
	}
	size_t crc_at = n - TRAILER_BYTES;
	uint32_t stored = 0;
	for (int i = 0; i < 4; i++)
		stored |= (uint32_t)r->p[crc_at + (size_t)i] << (8 * i);
	uint32_t computed = (uint32_t)crc32(crc32(0L, Z_NULL, 0), r->p, (uInt)crc_at);
	if (stored != computed) {
		r->off = crc_at;
		rd_fail(r, "checksum mismatch (crc32 stored 0x%08x, computed 0x%08x): the file is "
		           "corrupted",
		        stored, computed);
		return;
	}
	r->n = crc_at; /* the body's end */
}

/* Read and check the whole file, then parse it into p (reg NULL: plugins not resolved). */
static int parse_file(const char *path, const struct winit_registry *reg, struct parsed *p,
                      struct winit_error *err)
{
	memset(p, 0, sizeof *p);
	unsigned char *buf = NULL;
	size_t n = 0;
	int rc = read_whole(path, &buf, &n, err);
	if (rc)
		return rc;
	struct rd r = { buf, n, 0, path, err, 0 };
	check_envelope(&r, p);
	if (!r.failed && (p->what & WINIT_MODEL_ARCHITECTURE))
		get_architecture(&r, reg, p);
	if (!r.failed)
		get_weights(&r, p);
	if (!r.failed && (p->what & WINIT_MODEL_OPTIMIZER))
		get_optimizer(&r, p);
	if (!r.failed && r.off != r.n)
		rd_fail(&r, "%zu unread bytes before the checksum", r.n - r.off);
	rc = r.failed ? WINIT_ERR_FORMAT : WINIT_OK;
	free(buf);
	if (rc)
		parsed_free(p);
	return rc;
}

/* Whether the file's layer shapes are the model's; else an error naming the layer. */
/* The weights section's layer shapes against a model spec (its layer i takes n_in inputs:
 * the spec's inputs, then the previous layer's units). */
static int check_shapes(const char *path, const struct parsed *p,
                        const struct winit_model_spec *spec, const char *whose,
                        struct winit_error *err)
{
	if (p->n_layers != spec->n_layers)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: byte %zu: shape mismatch: %d layers in the file, %d in the %s",
		                       path, p->weights_at, (int)p->n_layers, (int)spec->n_layers, whose);
	int64_t n_in = spec->n_inputs;
	for (int i = 0; i < p->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		if (p->n_in[i] != n_in || p->n_out[i] != l->units || p->has_bias[i] != (l->use_bias != 0))
			return winit_error_set(err, WINIT_ERR_FORMAT,
			                       "%s: byte %zu: shape mismatch: layer %d is %lldx%lld%s in the "
			                       "file, %lldx%lld%s in the %s",
			                       path, p->weights_at + 4 + (size_t)i * 17, i + 1,
			                       (long long)p->n_in[i], (long long)p->n_out[i],
			                       p->has_bias[i] ? " with bias" : " without bias",
			                       (long long)n_in, (long long)l->units,
			                       l->use_bias ? " with bias" : " without bias", whose);
		n_in = l->units;
	}
	return WINIT_OK;
}

int winit_model_load(const char *path, const struct winit_registry *reg,
                     struct winit_trainer *t, uint32_t *what, struct winit_error *err)
{
	struct parsed p;
	int rc = parse_file(path, reg, &p, err);
	if (rc)
		return rc;
	if (!(p.what & WINIT_MODEL_ARCHITECTURE)) {
		parsed_free(&p);
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: byte 12: the file holds weights only (save_weights); load "
		                       "them into a model built alike with load_weights",
		                       path);
	}
	/* The architecture must agree with the weights before anything is allocated for it:
	 * the weights section's sizes are bounded by the file's, the architecture's are not. */
	if ((rc = check_shapes(path, &p, &p.spec, "file's architecture", err))) {
		parsed_free(&p);
		return rc;
	}
	/* In place: the model's layers point into its own spec, so it cannot be copied. */
	if ((rc = winit_trainer_init(t, &p.spec, &p.opt, p.seed, err))) {
		parsed_free(&p);
		return winit_error_prefix(err, "%s: ", path);
	}
	if (!rc && (p.what & WINIT_MODEL_OPTIMIZER) &&
	    ((p.m != NULL) != (t->opt.m != NULL) || (p.v != NULL) != (t->opt.v != NULL)))
		rc = winit_error_set(err, WINIT_ERR_FORMAT,
		                     "%s: the optimizer state does not fit the optimizer's settings", path);

	if (rc) {
		winit_trainer_free(t);
		parsed_free(&p);
		return rc;
	}
	memcpy(t->model.params, p.params, (size_t)p.n_params * sizeof(float));
	t->adapted = 1; /* the weights are final: no data-aware initializer runs again */
	if (p.what & WINIT_MODEL_OPTIMIZER) {
		if (p.m)
			memcpy(t->opt.m, p.m, (size_t)p.n_params * sizeof(float));
		if (p.v)
			memcpy(t->opt.v, p.v, (size_t)p.n_params * sizeof(float));
		t->opt.t = p.opt_t;
		t->steps = p.steps;
		memcpy(t->shuffle.s, p.shuffle, sizeof t->shuffle.s);
	}
	if (what)
		*what = p.what;
	parsed_free(&p);
	return WINIT_OK;
}

int winit_model_load_weights(const char *path, struct winit_trainer *t, struct winit_error *err)
{
	struct parsed p;
	int rc = parse_file(path, NULL, &p, err);
	if (rc)
		return rc;
	if (!(rc = check_shapes(path, &p, &t->model.spec, "model", err))) {
		memcpy(t->model.params, p.params, (size_t)p.n_params * sizeof(float));
		t->adapted = 1; /* a data-aware initializer must not overwrite them at fit */
	}
	parsed_free(&p);
	return rc;
}
