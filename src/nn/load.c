/* src/nn/load.c -- reading model files (winit/model_io.h; the format is
 * docs/model-format.md, the writer src/nn/save.c): the whole file is read and checked
 * (size, magic, version, flags, crc32) before a byte of its body is parsed, and parsed
 * completely into temporaries before anything the caller owns changes. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include <winit/model_io.h>
#include <winit/plugin_call.h>

#include "layers/kind.h"
#include "nn/graph.h"
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

/* A layer's tensors in a version 2 weights section. */
struct wlayer {
	size_t at; /* offset of its record */
	int32_t n;
	int32_t rank[WINIT_MAX_LAYER_TENSORS];
	int64_t dims[WINIT_MAX_LAYER_TENSORS][4];
};

struct parsed {
	uint32_t version;
	uint32_t what;
	struct winit_model_spec spec;
	struct winit_optimizer_spec opt;
	uint64_t seed;
	int32_t n_layers;
	int64_t *n_in, *n_out; /* (n_layers) the weights section's shapes, owned */
	int *has_bias;         /* (n_layers) */
	struct wlayer *tensors; /* version 2: (n_layers), owned */
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
	free(p->tensors);
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

/* Dense's part of a layer (version 1's whole layer record): units, bias, activation,
 * initializers. */
static void get_dense(struct rd *r, const struct winit_registry *reg, struct winit_layer_spec *l,
                      int i)
{
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

/* "layer 3 (Add)" */
static const char *node_what(int i, const struct winit_layer_ops *k, char *buf, size_t n)
{
	snprintf(buf, n, "layer %d (%s)", i + 1, k->name);
	return buf;
}

/* A REAL field: a finite number in [lo, hi]. */
static void get_field_real(struct rd *r, const struct winit_layer_field *f, struct winit_layer_spec *l,
                           const char *what)
{
	double v = get_f64(r, f->name);
	if (!r->failed && !(isfinite(v) && v >= (double)f->lo && v <= (double)f->hi)) {
		r->off -= 8;
		rd_fail(r, "%s: %s is %g, expected a number in [%lld, %lld]", what, f->name, v,
		        (long long)f->lo, (long long)f->hi);
		return;
	}
	memcpy((char *)l + f->offset, &v, sizeof v);
}

/* An INT field (one value) or an INTS field (a count, then that many): each in [lo, hi]. */
static void get_field_ints(struct rd *r, const struct winit_layer_field *f, struct winit_layer_spec *l,
                           const char *what)
{
	int32_t count = 1;
	if (f->type == WINIT_LAYER_FIELD_INTS) {
		size_t at = r->off;
		uint32_t n = get_u32(r, f->name);
		if (!r->failed && n != (uint32_t)f->count) {
			r->off = at;
			rd_fail(r, "%s: %s has %u values, expected %d", what, f->name, n, (int)f->count);
			return;
		}
		count = f->count;
	}
	for (int32_t c = 0; c < count && !r->failed; c++) {
		int64_t v = (int64_t)get_u64(r, f->name);
		if (!r->failed && (v < f->lo || v > f->hi)) {
			r->off -= 8;
			if (f->type == WINIT_LAYER_FIELD_INTS)
				rd_fail(r, "%s: %s[%d] is %lld, expected %lld to %lld", what, f->name, (int)c,
				        (long long)v, (long long)f->lo, (long long)f->hi);
			else
				rd_fail(r, "%s: %s is %lld, expected %lld to %lld", what, f->name, (long long)v,
				        (long long)f->lo, (long long)f->hi);
			return;
		}
		winit_layer_field_i32(f, l)[c] = (int32_t)v;
	}
}

/* A CHOICE field: one of its names. */
static void get_field_choice(struct rd *r, const struct winit_layer_field *f, struct winit_layer_spec *l,
                             const char *what)
{
	size_t at = r->off;
	char choice[NAME_MAX_BYTES + 1];
	get_str(r, choice, f->name);
	int32_t n_choices = winit_layer_field_n_choices(f), v = 0;
	while (v < n_choices && strcmp(choice, f->choices[v]) != 0)
		v++;
	if (!r->failed && v == n_choices) {
		char known[160];
		size_t len = 0;
		known[0] = '\0';
		for (int32_t c = 0; c < n_choices && len < sizeof known; c++)
			len += (size_t)snprintf(known + len, sizeof known - len, "%s'%s'", c ? ", " : "",
			                        f->choices[c]);
		r->off = at;
		rd_fail(r, "%s: %s is '%s', expected one of %s", what, f->name, choice, known);
		return;
	}
	*winit_layer_field_i32(f, l) = v;
}

/* A SHAPE field: a rank, then its dims. */
static void get_field_shape(struct rd *r, const struct winit_layer_field *f, struct winit_layer_spec *l,
                            const char *what)
{
	size_t at = r->off;
	uint32_t rank = get_u32(r, f->name);
	if (!r->failed && (rank < 1 || rank > WINIT_MAX_RANK)) {
		r->off = at;
		rd_fail(r, "%s: %s has rank %u, expected 1 to %d", what, f->name, rank, WINIT_MAX_RANK);
		return;
	}
	int64_t dims[WINIT_MAX_RANK] = { 0 };
	for (uint32_t d = 0; d < rank && !r->failed; d++)
		dims[d] = (int64_t)get_u64(r, f->name);
	if (!r->failed && winit_shape_set(winit_layer_field_shape(f, l), (int32_t)rank, dims)) {
		r->off = at;
		rd_fail(r, "%s: %s is not a shape: each dim 1 to 2^31, at most 2^31 values in all", what,
		        f->name);
	}
}

/* A version 2 layer's configuration: its kind's fields, each by name and type in the
 * kind's order (src/layers/kind.h). */
static void get_fields(struct rd *r, const struct winit_layer_ops *k, struct winit_layer_spec *l,
                       const char *what)
{
	uint32_t want = 0;
	for (const struct winit_layer_field *f = k->fields; f && f->name; f++)
		want++;
	uint32_t n = get_u32(r, "configuration field count");
	if (!r->failed && n != want) {
		r->off -= 4;
		rd_fail(r, "%s: %u configuration fields, expected %u (what %s has)", what, n, want, k->name);
		return;
	}
	for (const struct winit_layer_field *f = k->fields; f && f->name && !r->failed; f++) {
		char name[NAME_MAX_BYTES + 1];
		size_t at = r->off;
		get_str(r, name, "configuration field name");
		if (!r->failed && strcmp(name, f->name) != 0) {
			r->off = at;
			rd_fail(r, "%s: configuration field '%s', expected '%s'", what, name, f->name);
			return;
		}
		unsigned type = get_u8(r, "configuration field type");
		if (!r->failed && type != (unsigned)f->type) {
			static const char *const types[] = { "?", "an integer", "a shape", "integers", "a choice",
				                             "a number" };
			r->off--;
			rd_fail(r, "%s: field %s has type %u, expected %d (%s)", what, f->name, type, (int)f->type,
			        types[f->type >= 1 && f->type <= 5 ? f->type : 0]);
			return;
		}
		if (r->failed)
			return;
		switch (f->type) {
		case WINIT_LAYER_FIELD_REAL:
			get_field_real(r, f, l, what);
			break;
		case WINIT_LAYER_FIELD_INT:
		case WINIT_LAYER_FIELD_INTS:
			get_field_ints(r, f, l, what);
			break;
		case WINIT_LAYER_FIELD_CHOICE:
			get_field_choice(r, f, l, what);
			break;
		default:
			get_field_shape(r, f, l, what);
			break;
		}
	}
}

/* A version 2 layer's multipliers (winit_param_mult): a flag, then the tensors' and the
 * output's. */
static void get_mults(struct rd *r, struct winit_layer_spec *l, const char *what)
{
	unsigned set = get_u8(r, "multipliers flag");
	if (!r->failed && set > 1) {
		r->off--;
		rd_fail(r, "%s: multipliers flag %u, expected 0 or 1", what, set);
		return;
	}
	l->mult_set = (int32_t)set;
	for (int t = 0; t < WINIT_MAX_LAYER_TENSORS; t++)
		l->mult[t] = (struct winit_param_mult){ 1.0, 1.0 };
	l->out_mult = 1.0;
	if (!set || r->failed)
		return;
	uint32_t n = get_u32(r, "multiplier count");
	if (!r->failed && n > WINIT_MAX_LAYER_TENSORS) {
		r->off -= 4;
		rd_fail(r, "%s: multipliers of %u tensors, expected at most %d", what, n,
		        WINIT_MAX_LAYER_TENSORS);
		return;
	}
	for (uint32_t t = 0; t < n && !r->failed; t++) {
		l->mult[t].init = get_f64(r, "init multiplier");
		if (!r->failed && !isfinite(l->mult[t].init)) {
			r->off -= 8;
			rd_fail(r, "%s: tensor %u's init multiplier must be a finite number (got %g)", what, t + 1,
			        l->mult[t].init);
			return;
		}
		l->mult[t].lr = get_f64(r, "lr multiplier");
		if (!r->failed && !(isfinite(l->mult[t].lr) && l->mult[t].lr >= 0)) {
			r->off -= 8;
			rd_fail(r, "%s: tensor %u's lr multiplier must be a finite number >= 0 (got %g)", what,
			        t + 1, l->mult[t].lr);
			return;
		}
	}
	l->out_mult = get_f64(r, "output multiplier");
	if (!r->failed && !isfinite(l->out_mult)) {
		r->off -= 8;
		rd_fail(r, "%s: the output multiplier must be a finite number (got %g)", what, l->out_mult);
	}
}

/* A version 2 layer's kind: one winit has, else NULL (failed). */
static const struct winit_layer_ops *get_kind(struct rd *r, int32_t i, struct winit_layer_spec *l)
{
	uint32_t kind = get_u32(r, "layer kind");
	const struct winit_layer_ops *k = winit_layer_kind_get((int32_t)(kind & INT32_MAX));
	if (!r->failed && (kind >= WINIT_LAYER_KINDS || !k)) {
		char known[160];
		size_t len = 0;
		known[0] = '\0';
		for (int32_t c = 0; c < WINIT_LAYER_KINDS && len < sizeof known; c++)
			len += (size_t)snprintf(known + len, sizeof known - len, "%s%d %s", c ? ", " : "",
			                        (int)c, winit_layer_kind_name(c));
		r->off -= 4;
		rd_fail(r, "layer %d: unknown layer kind %u, expected one of %s", (int)i + 1, kind, known);
		return NULL;
	}
	l->kind = (int32_t)kind;
	return r->failed ? NULL : k;
}

/* A version 2 layer's name: at most sizeof l->name - 1 bytes, no NUL inside. */
static void get_name(struct rd *r, struct winit_layer_spec *l, const char *what)
{
	size_t name_at = r->off;
	char name[NAME_MAX_BYTES + 1];
	get_str(r, name, "layer name");
	size_t name_len = r->failed ? 0 : r->off - name_at - 1;
	if (!r->failed && (name_len >= sizeof l->name || strlen(name) != name_len)) {
		r->off = name_at;
		rd_fail(r, "%s: a name of %zu bytes%s, expected at most %zu bytes without NUL", what,
		        name_len, strlen(name) != name_len ? " with a NUL byte" : "", sizeof l->name - 1);
		return;
	}
	memcpy(l->name, name, name_len + 1);
}

/* A version 2 layer's inputs: a count (0: the layer before) as many as kind k takes, then
 * each an earlier layer or MODEL_INPUT_REF; a malloc'ed array in *in (NULL for none). */
static uint32_t get_inputs(struct rd *r, const struct winit_layer_ops *k, int32_t i, int32_t **in,
                           const char *what)
{
	*in = NULL;
	uint32_t n_in = get_u32(r, "input count");
	uint32_t have = n_in ? n_in : 1; /* 0: the layer before */
	if (!r->failed && (n_in > (r->n - r->off) / 4 || have < (uint32_t)k->min_in ||
	                   (k->max_in && have > (uint32_t)k->max_in))) {
		r->off -= 4;
		if (n_in > (r->n - r->off - 4) / 4) {
			rd_fail(r, "%s: %u inputs, more than the rest of the file can hold", what, n_in);
		} else {
			char takes[48];
			if (k->max_in == k->min_in)
				snprintf(takes, sizeof takes, "%d", (int)k->min_in);
			else if (!k->max_in)
				snprintf(takes, sizeof takes, "at least %d", (int)k->min_in);
			else
				snprintf(takes, sizeof takes, "%d to %d", (int)k->min_in, (int)k->max_in);
			rd_fail(r, "%s: %u input%s (0: the layer before), %s takes %s", what, n_in,
			        n_in == 1 ? "" : "s", k->name, takes);
		}
		return 0;
	}
	if (!r->failed && n_in && !(*in = malloc((size_t)n_in * sizeof **in))) {
		rd_fail(r, "%s: no memory for %u inputs", what, n_in);
		return 0;
	}
	for (uint32_t e = 0; e < n_in && !r->failed; e++) {
		uint32_t src = get_u32(r, "input");
		if (!r->failed && src != MODEL_INPUT_REF && src >= (uint32_t)i) {
			r->off -= 4;
			rd_fail(r, "%s: input %u is layer %u (0-based), expected an earlier layer (0 to %d) "
			           "or 0xffffffff (the model's input)",
			        what, e + 1, src, (int)i - 1);
			break;
		}
		(*in)[e] = src == MODEL_INPUT_REF ? WINIT_MODEL_INPUT : (int32_t)src;
	}
	return n_in;
}

/* A version 2 layer's initializers: Dense's part (activation too) for a kind with an
 * activation, the kernel's and bias's initializers for another kind with tensors. */
static void get_inits(struct rd *r, const struct winit_registry *reg, const struct winit_layer_ops *k,
                      int32_t i, struct winit_layer_spec *l)
{
	if (k->has_activation) {
		get_dense(r, reg, l, (int)i);
	} else if (k->declare) {
		char init_what[96];
		snprintf(init_what, sizeof init_what, "layer %d %s", (int)i + 1,
		         k->init_names[0] ? k->init_names[0] : "kernel_initializer");
		get_use(r, reg, WINIT_KIND_INITIALIZER, &l->kernel_initializer, init_what);
		snprintf(init_what, sizeof init_what, "layer %d %s", (int)i + 1,
		         k->init_names[1] ? k->init_names[1] : "bias_initializer");
		get_use(r, reg, WINIT_KIND_INITIALIZER, &l->bias_initializer, init_what);
	}
}

/* Layer i's output shape into shapes[i], from its inputs' (the model's input as
 * winit_model_spec_input_of gives it: flattened for a chain's first layer); failed at
 * `at` when its kind's rules refuse them. */
static void infer_node(struct rd *r, struct winit_model_spec *s, int32_t i, struct winit_shape *shapes,
                       size_t at, const char *what)
{
	struct winit_error e2 = { 0 };
	int rc = 0;
	int32_t n = winit_model_spec_layer_inputs(s, i, NULL, 0);
	struct winit_shape *ins = malloc((size_t)n * sizeof *ins);
	if (!ins) {
		r->off = at;
		rd_fail(r, "%s: no memory for %d input shapes", what, (int)n);
		return;
	}
	int32_t *src = malloc((size_t)n * sizeof *src);
	if (src) {
		winit_model_spec_layer_inputs(s, i, src, n);
		for (int32_t e = 0; e < n; e++)
			ins[e] = src[e] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(s, i) : shapes[src[e]];
		rc = winit_layer_spec_infer(&s->layers[i], ins, n, &shapes[i], &e2);
	}
	free(ins);
	free(src);
	if (!src) {
		r->off = at;
		rd_fail(r, "%s: no memory for %d inputs", what, (int)n);
	} else if (rc) {
		char nm[64];
		r->off = at;
		rd_fail(r, "layer %d (%s '%s'): %s", (int)i + 1, winit_layer_kind_name(s->layers[i].kind),
		        winit_model_spec_layer_name(s, i, nm, sizeof nm), e2.msg);
	}
}

/* Version 2's layer i: kind, name, inputs (each an earlier layer or the model's input,
 * as many as the kind takes), Dense's part, configuration, multipliers; its output shape
 * (into shapes[i]) must follow from its inputs' by its kind's rules. */
static void get_node(struct rd *r, const struct winit_registry *reg, struct winit_model_spec *s,
                     int32_t i, struct winit_shape *shapes)
{
	size_t at = r->off;
	struct winit_layer_spec l;
	memset(&l, 0, sizeof l);
	char what[96];
	const struct winit_layer_ops *k = get_kind(r, i, &l);
	if (!k)
		return;
	node_what((int)i, k, what, sizeof what);
	get_name(r, &l, what);
	int32_t *in = NULL;
	uint32_t n_in = r->failed ? 0 : get_inputs(r, k, i, &in, what);
	if (!r->failed)
		get_inits(r, reg, k, i, &l);
	if (!r->failed)
		get_fields(r, k, &l, what);
	if (!r->failed)
		get_mults(r, &l, what);
	if (r->failed) {
		free(in);
		return;
	}
	struct winit_error e2 = { 0 };
	int rc = winit_model_spec_add_node(s, &l, in, (int32_t)n_in, &e2);
	free(in);
	if (rc) {
		r->off = at;
		rd_fail(r, "%s", e2.msg);
		return;
	}
	infer_node(r, s, i, shapes, at, what);
}

/* Version 2: every layer but the last feeds a later one (as winit_model_spec_check
 * requires), refused at the record of the first that does not. */
static void check_used(struct rd *r, const struct winit_model_spec *s, const size_t *layer_at)
{
	char *used = calloc((size_t)s->n_layers, 1);
	if (!used) {
		rd_fail(r, "no memory for %d layers", (int)s->n_layers);
		return;
	}
	for (int32_t i = 0; i < s->n_layers; i++) {
		const struct winit_layer_spec *l = &s->layers[i];
		if (!l->n_in && i > 0)
			used[i - 1] = 1;
		for (int32_t e = 0; e < l->n_in; e++)
			if (s->inputs[l->in_off + e] >= 0)
				used[s->inputs[l->in_off + e]] = 1;
	}
	for (int32_t i = 0; i + 1 < s->n_layers; i++)
		if (!used[i]) {
			char nm[64];
			r->off = layer_at[i];
			rd_fail(r, "layer %d (%s '%s'): its output is not used by any later layer (the "
			           "model's output is its last layer, %d)",
			        (int)i + 1, winit_layer_kind_name(s->layers[i].kind),
			        winit_model_spec_layer_name(s, i, nm, sizeof nm), (int)s->n_layers);
			break;
		}
	free(used);
}

/* The layer count, the loss and each layer: version 1's Dense layers (units, bias,
 * activation, initializers), or version 2's records. */
static void get_layers(struct rd *r, const struct winit_registry *reg, struct parsed *p)
{
	struct winit_model_spec *s = &p->spec;
	uint32_t n_layers = get_u32(r, "layer count");
	/* A layer takes at least 9 bytes here in version 1 (units, use_bias), 14 in version 2
	 * (kind, name, inputs, field count, multipliers flag), so the file bounds the count. */
	size_t least = p->version == MODEL_VERSION_CHAIN ? 9 : 14;
	if (!r->failed && (n_layers < 1 || n_layers > (r->n - r->off) / least)) {
		r->off -= 4;
		rd_fail(r, "%u layers, expected 1 to %zu (what the rest of the file can hold)", n_layers,
		        (r->n - r->off - 4) / least);
		return;
	}
	if (!r->failed && p->version == MODEL_VERSION_CHAIN &&
	    !(s->layers = calloc(n_layers, sizeof *s->layers))) {
		r->off -= 4;
		rd_fail(r, "no memory for %u layers", n_layers);
		return;
	}
	if (p->version == MODEL_VERSION_CHAIN)
		s->n_layers = s->cap_layers = (int32_t)n_layers;
	uint32_t loss = get_u32(r, "loss");
	if (!r->failed && loss != WINIT_LOSS_CATEGORICAL_CROSSENTROPY) {
		r->off -= 4;
		rd_fail(r, "unknown loss %u, expected %d (categorical cross-entropy)", loss,
		        WINIT_LOSS_CATEGORICAL_CROSSENTROPY);
		return;
	}
	s->loss = (int32_t)loss;
	if (p->version == MODEL_VERSION_CHAIN) {
		for (int i = 0; i < s->n_layers && !r->failed; i++)
			get_dense(r, reg, &s->layers[i], i);
		return;
	}
	struct winit_shape *shapes = malloc((size_t)n_layers * sizeof *shapes);
	size_t *layer_at = malloc((size_t)n_layers * sizeof *layer_at);
	if (!shapes || !layer_at) {
		rd_fail(r, "no memory for %u layers", n_layers);
	} else {
		for (uint32_t i = 0; i < n_layers && !r->failed; i++) {
			layer_at[i] = r->off;
			get_node(r, reg, s, (int32_t)i, shapes);
		}
		if (!r->failed)
			check_used(r, s, layer_at);
	}
	free(shapes);
	free(layer_at);
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
	get_layers(r, reg, p);
	if (r->failed)
		return;
	get_optimizer_spec(r, p);
}

/* Version 2's weights section: each layer's tensors (count, then rank and dims each). */
static void get_weights_v2(struct rd *r, struct parsed *p)
{
	p->weights_at = r->off;
	uint32_t n_layers = get_u32(r, "layer count");
	/* A layer's record takes at least 4 bytes (its tensor count). */
	if (!r->failed && (n_layers < 1 || n_layers > (r->n - r->off) / 4)) {
		r->off -= 4;
		rd_fail(r, "%u layers, expected 1 to %zu (what the rest of the file can hold)", n_layers,
		        (r->n - r->off - 4) / 4);
		return;
	}
	if (!r->failed && !(p->tensors = calloc(n_layers, sizeof *p->tensors))) {
		r->off -= 4;
		rd_fail(r, "no memory for %u layers", n_layers);
		return;
	}
	p->n_layers = (int32_t)n_layers;
	int64_t total = 0;
	for (int32_t i = 0; i < p->n_layers && !r->failed; i++) {
		struct wlayer *w = &p->tensors[i];
		w->at = r->off;
		uint32_t n = get_u32(r, "tensor count");
		if (!r->failed && n > WINIT_MAX_LAYER_TENSORS) {
			r->off -= 4;
			rd_fail(r, "layer %d has %u tensors, expected at most %d", (int)i + 1, n,
			        WINIT_MAX_LAYER_TENSORS);
			return;
		}
		w->n = (int32_t)n;
		for (int32_t t = 0; t < w->n && !r->failed; t++) {
			size_t at = r->off;
			uint32_t rank = get_u32(r, "tensor rank");
			if (!r->failed && (rank < 1 || rank > 4)) {
				r->off = at;
				rd_fail(r, "layer %d tensor %d has rank %u, expected 1 to 4", (int)i + 1, (int)t + 1, rank);
				return;
			}
			w->rank[t] = (int32_t)rank;
			int64_t size = 1;
			for (uint32_t d = 0; d < rank && !r->failed; d++) {
				uint64_t dim = get_u64(r, "tensor shape");
				if (!r->failed && (dim < 1 || dim > (UINT64_C(1) << 31))) {
					r->off -= 8;
					rd_fail(r, "layer %d tensor %d: dimension %u is %llu, expected 1 to 2^31", (int)i + 1,
					        (int)t + 1, d + 1, (unsigned long long)dim);
					return;
				}
				w->dims[t][d] = (int64_t)dim;
				/* At most what the file holds: checked before each product can overflow. */
				if (!r->failed && (int64_t)dim > (int64_t)((r->n - r->off) / 4 + 1) / size) {
					r->off = at;
					rd_fail(r, "layer %d tensor %d: more weights than the file holds", (int)i + 1,
					        (int)t + 1);
					return;
				}
				size *= (int64_t)dim;
			}
			total += size;
			if (!r->failed && total > (int64_t)((r->n - r->off) / 4)) {
				r->off = at;
				rd_fail(r, "layer %d tensor %d: the layers need more weights than the file holds",
				        (int)i + 1, (int)t + 1);
				return;
			}
		}
	}
	uint64_t n_params = get_u64(r, "parameter count");
	if (!r->failed && n_params != (uint64_t)total) {
		r->off -= 8;
		rd_fail(r, "%llu parameters, but the tensor shapes make %lld", (unsigned long long)n_params,
		        (long long)total);
		return;
	}
	p->n_params = (int64_t)n_params;
	if (!r->failed)
		p->params = get_floats(r, (uint64_t)p->n_params, "weights");
}

static void get_weights(struct rd *r, struct parsed *p)
{
	if (p->version != MODEL_VERSION_CHAIN) {
		get_weights_v2(r, p);
		return;
	}
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
	if (version < 1 || version > WINIT_MODEL_FORMAT_VERSION) {
		r->off = 8;
		rd_fail(r, "format version %u, this winit reads versions 1 to %d", version,
		        WINIT_MODEL_FORMAT_VERSION);
		return;
	}
	p->version = version;
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

/* "(784, 16), (16)", or "no weights". */
static const char *format_tensors(int32_t n, const int32_t *rank, int64_t (*dims)[4], char *buf,
                                  size_t size)
{
	size_t k = 0;
	buf[0] = '\0';
	if (!n)
		snprintf(buf, size, "no weights");
	for (int32_t t = 0; t < n && k < size; t++) {
		k += (size_t)snprintf(buf + k, size - k, "%s(", t ? ", " : "");
		for (int32_t d = 0; d < rank[t] && k < size; d++)
			k += (size_t)snprintf(buf + k, size - k, "%s%lld", d ? ", " : "", (long long)dims[t][d]);
		if (k < size)
			k += (size_t)snprintf(buf + k, size - k, ")");
	}
	return buf;
}

/* The weights section's layer shapes against a model spec's tensors (as each layer's kind
 * declares them); an error naming the layer and its byte otherwise.  Version 1 files
 * describe a chain of Dense layers: n_in x n_out and a bias flag per layer. */
static int check_shapes(const char *path, const struct parsed *p,
                        const struct winit_model_spec *spec, const char *whose,
                        struct winit_error *err)
{
	if (p->n_layers != spec->n_layers)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: byte %zu: shape mismatch: %d layers in the file, %d in the %s",
		                       path, p->weights_at, (int)p->n_layers, (int)spec->n_layers, whose);
	struct winit_shape *shapes = malloc((size_t)spec->n_layers * sizeof *shapes);
	if (!shapes)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: no memory for %d layers", path,
		                       (int)spec->n_layers);
	int rc = winit_model_spec_shapes(spec, shapes, err);
	if (rc) {
		free(shapes);
		return winit_error_prefix(err, "%s: ", path);
	}
	for (int i = 0; i < p->n_layers && !rc; i++) {
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		int32_t n = winit_model_spec_tensors(spec, i, shapes, decl);
		if (p->version == MODEL_VERSION_CHAIN) {
			int dense = n >= 1 && decl[0].rank == 2;
			int64_t m_in = dense ? decl[0].dims[0] : 0, m_out = dense ? decl[0].dims[1] : 0;
			if (dense && p->n_in[i] == m_in && p->n_out[i] == m_out && p->has_bias[i] == (n == 2))
				continue;
			char model[96];
			if (dense)
				snprintf(model, sizeof model, "%lldx%lld%s", (long long)m_in, (long long)m_out,
				         n == 2 ? " with bias" : " without bias");
			else
				snprintf(model, sizeof model, "a %s layer",
				         winit_layer_kind_name(spec->layers[i].kind));
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "%s: byte %zu: shape mismatch: layer %d is %lldx%lld%s in the "
			                     "file, %s in the %s",
			                     path, p->weights_at + 4 + (size_t)i * 17, i + 1,
			                     (long long)p->n_in[i], (long long)p->n_out[i],
			                     p->has_bias[i] ? " with bias" : " without bias", model, whose);
			continue;
		}
		const struct wlayer *w = &p->tensors[i];
		int same = w->n == n;
		int32_t rank[WINIT_MAX_LAYER_TENSORS];
		int64_t dims[WINIT_MAX_LAYER_TENSORS][4];
		for (int32_t t = 0; t < n; t++) {
			rank[t] = decl[t].rank;
			memcpy(dims[t], decl[t].dims, sizeof dims[t]);
			same = same && w->rank[t] == rank[t];
			for (int32_t d = 0; same && d < rank[t]; d++)
				same = w->dims[t][d] == dims[t][d];
		}
		if (!same) {
			char a[160], b[160];
			int64_t(*wd)[4] = (int64_t(*)[4])w->dims;
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "%s: byte %zu: shape mismatch: layer %d (%s) has %s in the file, "
			                     "%s in the %s",
			                     path, w->at, i + 1, winit_layer_kind_name(spec->layers[i].kind),
			                     format_tensors(w->n, w->rank, wd, a, sizeof a),
			                     format_tensors(n, rank, dims, b, sizeof b), whose);
		}
	}
	free(shapes);
	return rc;
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
