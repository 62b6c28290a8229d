/* src/report/results_read.c -- reading a results file back (Jansson) into the plain
 * structs of winit/results.h: what reports, resume and merge start from. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <winit/report.h>
#include <winit/results.h>

/* The reader's context: the file, the error and the JSON path of the member being read
 * ("runs[2].history[0]"), so every message says where. */
struct rd {
	const char *file;
	struct winit_error *err;
	char path[512];
	size_t len;
};

static size_t push(struct rd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t push(struct rd *c, const char *fmt, ...)
{
	size_t mark = c->len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->len = strlen(c->path);
	return mark;
}

static void pop(struct rd *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/* "FILE: PATH.KEY: expected WHAT, found TYPE" (or "... is missing"). */
static int bad(struct rd *c, const char *key, const char *what, const json_t *found)
{
	const char *dot = c->len && key ? "." : "";
	if (!found)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s%s%s is missing (expected %s)",
		                       c->file, c->path, dot, key ? key : "", what);
	return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s%s%s: expected %s, found %s", c->file,
	                       c->path, dot, key ? key : "", what, type_name(found));
}

static int nomem(struct rd *c)
{
	return winit_error_set(c->err, WINIT_ERR_NOMEM, "%s: out of memory while reading results",
	                       c->file);
}

static int get_str(struct rd *c, const json_t *o, const char *key, int required, char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? bad(c, key, "a string", v) : WINIT_OK;
	if (!json_is_string(v))
		return bad(c, key, "a string", v);
	*out = strdup(json_string_value(v));
	return *out ? WINIT_OK : nomem(c);
}

/* A number; null (the writer's NaN) and, when not required, absence read as NaN. */
static int num_value(struct rd *c, const char *key, const json_t *v, int required, double *out)
{
	*out = NAN;
	if (!v)
		return required ? bad(c, key, "a number", v) : WINIT_OK;
	if (json_is_null(v))
		return WINIT_OK;
	if (!json_is_number(v))
		return bad(c, key, "a number or null", v);
	*out = json_number_value(v);
	return WINIT_OK;
}

static int get_num(struct rd *c, const json_t *o, const char *key, int required, double *out)
{
	return num_value(c, key, json_object_get(o, key), required, out);
}

static int get_int(struct rd *c, const json_t *o, const char *key, int required, int64_t dflt,
                   int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = dflt;
	if (!v)
		return required ? bad(c, key, "an integer", v) : WINIT_OK;
	if (json_is_null(v) && !required)
		return WINIT_OK;
	if (!json_is_integer(v))
		return bad(c, key, "an integer", v);
	*out = (int64_t)json_integer_value(v);
	return WINIT_OK;
}

static int get_i32(struct rd *c, const json_t *o, const char *key, int required, int32_t dflt,
                   int32_t *out)
{
	int64_t x;
	int rc = get_int(c, o, key, required, dflt, &x);
	if (rc)
		return rc;
	if (x < INT32_MIN || x > INT32_MAX)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s.%s: %lld is out of range",
		                       c->file, c->path, key, (long long)x);
	*out = (int32_t)x;
	return WINIT_OK;
}

/* An unsigned 64-bit integer: a JSON integer, or (above INT64_MAX, which Jansson cannot
 * hold) the decimal string load_text() makes of it. */
static int get_u64(struct rd *c, const json_t *o, const char *key, int required, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v)
		return required ? bad(c, key, "an unsigned integer", v) : WINIT_OK;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return WINIT_OK;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		unsigned long long x = strtoull(s, &end, 10);
		if (s[0] >= '0' && s[0] <= '9' && !*end && errno == 0) {
			*out = (uint64_t)x;
			return WINIT_OK;
		}
	}
	return bad(c, key, "an unsigned 64-bit integer", v);
}

static int get_bool(struct rd *c, const json_t *o, const char *key, int required, int32_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v)
		return required ? bad(c, key, "true or false", v) : WINIT_OK;
	if (!json_is_boolean(v))
		return bad(c, key, "true or false", v);
	*out = json_is_true(v);
	return WINIT_OK;
}

/* The member `key` of o as an object (NULL and no error when optional and absent). */
static int get_obj(struct rd *c, const json_t *o, const char *key, int required,
                   const json_t **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v && !required)
		return WINIT_OK;
	if (!v || !json_is_object(v))
		return bad(c, key, "an object", v);
	*out = v;
	return WINIT_OK;
}

static int get_arr(struct rd *c, const json_t *o, const char *key, int required,
                   const json_t **out, size_t *n)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	*n = 0;
	if (!v && !required)
		return WINIT_OK;
	if (!v || !json_is_array(v))
		return bad(c, key, "an array", v);
	*out = v;
	*n = json_array_size(v);
	return WINIT_OK;
}

static void *alloc_n(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

#define TRY(x)                      \
	do {                        \
		int rc_ = (x);      \
		if (rc_)            \
			return rc_; \
	} while (0)

static int read_plugin(struct rd *c, const json_t *o, const char *key, int required,
                       struct winit_results_plugin *p)
{
	const json_t *po, *params;
	TRY(get_obj(c, o, key, required, &po));
	if (!po)
		return WINIT_OK;
	size_t mark = push(c, "%s%s", c->len ? "." : "", key);
	TRY(get_str(c, po, "name", 1, &p->name));
	TRY(get_obj(c, po, "params", 0, &params));
	if (params) {
		p->params = alloc_n(json_object_size(params), sizeof *p->params);
		if (!p->params)
			return nomem(c);
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)params, k, v)
		{
			struct winit_results_param *q = &p->params[p->n_params++];
			q->name = strdup(k);
			q->value = NAN;
			if (!q->name)
				return nomem(c);
			if (json_is_string(v)) {
				if (!(q->text = strdup(json_string_value(v))))
					return nomem(c);
			} else {
				size_t m2 = push(c, ".params");
				TRY(num_value(c, k, v, 1, &q->value));
				pop(c, m2);
			}
		}
	}
	pop(c, mark);
	return WINIT_OK;
}

static int read_model(struct rd *c, const json_t *run, struct winit_results_run *r)
{
	const json_t *m, *shape, *layers;
	size_t n;
	TRY(get_obj(c, run, "model", 1, &m));
	size_t mark = push(c, ".model");
	TRY(get_arr(c, m, "input_shape", 1, &shape, &n));
	if (n > sizeof r->input_shape / sizeof r->input_shape[0])
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s.input_shape: %zu dimensions (at most %zu)",
		                       c->file, c->path, n, sizeof r->input_shape / sizeof r->input_shape[0]);
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(shape, i);
		if (!json_is_integer(d))
			return bad(c, "input_shape[]", "an integer", d);
		r->input_shape[i] = (int64_t)json_integer_value(d);
	}
	r->n_input_dims = n;
	TRY(get_arr(c, m, "layers", 1, &layers, &n));
	r->layers = alloc_n(n, sizeof *r->layers);
	if (!r->layers)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *l = json_array_get(layers, i);
		size_t m2 = push(c, ".layers[%zu]", i);
		if (!json_is_object(l))
			return bad(c, NULL, "an object", l);
		struct winit_results_layer *y = &r->layers[r->n_layers++];
		TRY(get_str(c, l, "type", 1, &y->type));
		TRY(get_int(c, l, "units", 1, 0, &y->units));
		TRY(read_plugin(c, l, "activation", 1, &y->activation));
		TRY(read_plugin(c, l, "kernel_initializer", 1, &y->kernel_initializer));
		TRY(get_bool(c, l, "use_bias", 0, &y->use_bias));
		TRY(read_plugin(c, l, "bias_initializer", 0, &y->bias_initializer));
		pop(c, m2);
	}
	pop(c, mark);
	return WINIT_OK;
}

static int read_settings(struct rd *c, const json_t *run, struct winit_results_run *r)
{
	const json_t *o;
	TRY(get_obj(c, run, "optimizer", 1, &o));
	size_t mark = push(c, ".optimizer");
	TRY(get_str(c, o, "name", 1, &r->optimizer));
	TRY(get_num(c, o, "learning_rate", 1, &r->learning_rate));
	TRY(get_num(c, o, "beta_1", 0, &r->beta_1));
	TRY(get_num(c, o, "beta_2", 0, &r->beta_2));
	TRY(get_num(c, o, "epsilon", 0, &r->epsilon));
	TRY(get_num(c, o, "momentum", 0, &r->momentum));
	TRY(get_bool(c, o, "nesterov", 0, &r->nesterov));
	pop(c, mark);
	TRY(get_str(c, run, "loss", 0, &r->loss));

	TRY(get_obj(c, run, "fit", 1, &o));
	mark = push(c, ".fit");
	TRY(get_i32(c, o, "epochs", 1, 0, &r->epochs));
	TRY(get_i32(c, o, "batch_size", 1, 0, &r->batch_size));
	TRY(get_num(c, o, "validation_split", 0, &r->validation_split));
	TRY(get_bool(c, o, "shuffle", 0, &r->shuffle));
	pop(c, mark);

	TRY(get_obj(c, run, "data", 0, &o));
	r->n_train = r->n_val = r->n_test = -1;
	if (o) {
		mark = push(c, ".data");
		TRY(get_str(c, o, "train", 0, &r->train_source));
		TRY(get_str(c, o, "test", 0, &r->test_source));
		TRY(get_int(c, o, "n_train", 0, -1, &r->n_train));
		TRY(get_int(c, o, "n_val", 0, -1, &r->n_val));
		TRY(get_int(c, o, "n_test", 0, -1, &r->n_test));
		pop(c, mark);
	}
	return WINIT_OK;
}

static int read_history(struct rd *c, const json_t *run, struct winit_results_run *r)
{
	const json_t *h;
	size_t n;
	TRY(get_arr(c, run, "history", 1, &h, &n));
	r->history = alloc_n(n, sizeof *r->history);
	if (!r->history)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(h, i);
		size_t mark = push(c, ".history[%zu]", i);
		if (!json_is_object(e))
			return bad(c, NULL, "an object", e);
		struct winit_results_epoch *y = &r->history[r->n_epochs++];
		TRY(get_i32(c, e, "epoch", 0, (int32_t)(i + 1), &y->epoch));
		TRY(get_num(c, e, "loss", 1, &y->loss));
		TRY(get_num(c, e, "accuracy", 1, &y->accuracy));
		y->has_val = json_object_get(e, "val_loss") != NULL;
		TRY(get_num(c, e, "val_loss", 0, &y->val_loss));
		TRY(get_num(c, e, "val_accuracy", 0, &y->val_accuracy));
		TRY(get_num(c, e, "seconds", 0, &y->seconds));
		pop(c, mark);
	}
	return WINIT_OK;
}

/* A count that may be absent or null (-1). */
static int get_count(struct rd *c, const json_t *o, const char *key, int64_t *out)
{
	double x;
	TRY(get_num(c, o, key, 0, &x));
	*out = isfinite(x) ? (int64_t)x : -1;
	return WINIT_OK;
}

static int read_layer_diag(struct rd *c, const json_t *l, struct winit_results_layer_diag *d)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
		{ "pre_mean", offsetof(struct winit_results_layer_diag, pre_mean) },
		{ "pre_var", offsetof(struct winit_results_layer_diag, pre_var) },
		{ "act_mean", offsetof(struct winit_results_layer_diag, act_mean) },
		{ "act_var", offsetof(struct winit_results_layer_diag, act_var) },
		{ "grad_var", offsetof(struct winit_results_layer_diag, grad_var) },
		{ "wgrad_var", offsetof(struct winit_results_layer_diag, wgrad_var) },
		{ "w_mean", offsetof(struct winit_results_layer_diag, w_mean) },
		{ "w_sd", offsetof(struct winit_results_layer_diag, w_sd) },
		{ "update_ratio", offsetof(struct winit_results_layer_diag, update_ratio) },
		{ "dead_fraction", offsetof(struct winit_results_layer_diag, dead_fraction) },
		{ "saturated_fraction", offsetof(struct winit_results_layer_diag, saturated_fraction) },
	};
	if (!json_is_object(l))
		return bad(c, NULL, "an object", l);
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
		TRY(get_num(c, l, nums[k].key, 0, (double *)((char *)d + nums[k].off)));
	TRY(get_count(c, l, "dead", &d->dead));
	TRY(get_count(c, l, "distinct_units", &d->distinct_units));
	return WINIT_OK;
}

static int read_diagnostics(struct rd *c, const json_t *run, struct winit_results_run *r)
{
	const json_t *snaps;
	size_t n;
	TRY(get_arr(c, run, "diagnostics", 0, &snaps, &n));
	if (!snaps)
		return WINIT_OK;
	r->diagnostics = alloc_n(n, sizeof *r->diagnostics);
	if (!r->diagnostics)
		return nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(snaps, i), *layers;
		size_t mark = push(c, ".diagnostics[%zu]", i), nl;
		if (!json_is_object(s))
			return bad(c, NULL, "an object", s);
		struct winit_results_snapshot *y = &r->diagnostics[r->n_snapshots++];
		TRY(get_int(c, s, "step", 1, 0, &y->step));
		TRY(get_i32(c, s, "epoch", 0, 0, &y->epoch));
		TRY(get_arr(c, s, "layers", 1, &layers, &nl));
		y->layers = alloc_n(nl, sizeof *y->layers);
		if (!y->layers)
			return nomem(c);
		for (size_t k = 0; k < nl; k++) {
			size_t m2 = push(c, ".layers[%zu]", k);
			TRY(read_layer_diag(c, json_array_get(layers, k), &y->layers[y->n_layers++]));
			pop(c, m2);
		}
		pop(c, mark);
	}
	return WINIT_OK;
}

static int read_per_layer(struct rd *c, const json_t *t, const char *key, size_t *n, double **out)
{
	const json_t *a;
	size_t m;
	TRY(get_arr(c, t, key, 0, &a, &m));
	*out = alloc_n(m, sizeof **out);
	if (!*out)
		return nomem(c);
	for (size_t i = 0; i < m; i++) {
		size_t mark = push(c, ".%s", key);
		char idx[32];
		snprintf(idx, sizeof idx, "[%zu]", i);
		TRY(num_value(c, idx, json_array_get(a, i), 1, &(*out)[i]));
		pop(c, mark);
	}
	if (m > *n)
		*n = m;
	return WINIT_OK;
}

static int read_theory(struct rd *c, const json_t *run, struct winit_results_theory *t)
{
	const json_t *o;
	TRY(get_obj(c, run, "theory", 0, &o));
	if (!o)
		return WINIT_OK;
	size_t mark = push(c, ".theory");
	t->present = 1;
	TRY(get_bool(c, o, "applies", 1, &t->applies));
	TRY(get_str(c, o, "reason", 0, &t->reason));
	size_t n_pre = 0, n_grad = 0;
	TRY(read_per_layer(c, o, "pre_var", &n_pre, &t->pre_var));
	TRY(read_per_layer(c, o, "grad_var", &n_grad, &t->grad_var));
	if (n_pre != n_grad && n_pre && n_grad)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s: pre_var has %zu layers, grad_var %zu",
		                       c->file, c->path, n_pre, n_grad);
	t->n_layers = n_pre ? n_pre : n_grad;
	if (n_pre < t->n_layers || n_grad < t->n_layers) {
		/* One list absent: pad the other with NaN. */
		double **shorter = n_pre < t->n_layers ? &t->pre_var : &t->grad_var;
		double *p = realloc(*shorter, t->n_layers * sizeof *p);
		if (!p)
			return nomem(c);
		for (size_t i = 0; i < t->n_layers; i++)
			p[i] = NAN;
		*shorter = p;
	}
	pop(c, mark);
	return WINIT_OK;
}

static int read_run(struct rd *c, const json_t *run, struct winit_results_run *r)
{
	char *status = NULL;
	if (!json_is_object(run))
		return bad(c, NULL, "an object", run);
	r->test_loss = r->test_accuracy = r->seconds = NAN;
	TRY(get_str(c, run, "name", 1, &r->name));
	TRY(get_str(c, run, "label", 0, &r->label));
	if (!r->label && !(r->label = strdup(r->name)))
		return nomem(c);
	TRY(get_i32(c, run, "replicate", 0, 0, &r->replicate));
	TRY(get_u64(c, run, "seed", 0, &r->seed));
	TRY(get_u64(c, run, "run_seed", 0, &r->run_seed));
	TRY(read_model(c, run, r));
	TRY(read_settings(c, run, r));
	TRY(get_str(c, run, "status", 1, &status));
	r->ok = strcmp(status, "ok") == 0;
	free(status);
	TRY(get_str(c, run, "error", 0, &r->error));
	TRY(read_history(c, run, r));
	r->has_test = json_object_get(run, "test_accuracy") != NULL;
	TRY(get_num(c, run, "test_loss", 0, &r->test_loss));
	TRY(get_num(c, run, "test_accuracy", 0, &r->test_accuracy));
	TRY(get_num(c, run, "seconds", 0, &r->seconds));
	TRY(get_str(c, run, "kernels", 0, &r->kernels));
	TRY(read_diagnostics(c, run, r));
	TRY(read_theory(c, run, &r->theory));
	return WINIT_OK;
}

/* Where buf[i] starts an unsigned integer token above INT64_MAX (Jansson refuses those:
 * run seeds are 64-bit), its end; else 0. */
static size_t big_int_end(const char *buf, size_t i, size_t n)
{
	if (buf[i] < '0' || buf[i] > '9')
		return 0;
	if (i > 0 && strchr("-+.eE0123456789", buf[i - 1]))
		return 0;
	size_t j = i;
	while (j < n && buf[j] >= '0' && buf[j] <= '9')
		j++;
	if (j < n && strchr(".eE", buf[j]))
		return 0;
	if (j - i > 19 || (j - i == 19 && memcmp(buf + i, "9223372036854775807", 19) > 0))
		return j;
	return 0;
}

struct text {
	char *s;
	size_t len;
	size_t n_quoted;
	size_t *quoted; /* offsets in s of the quotes opened before each big integer */
};

/* A byte offset in the quoted text, as an offset in the file. */
static size_t file_offset(const struct text *t, size_t pos)
{
	size_t shift = 0;
	for (size_t k = 0; k < t->n_quoted && t->quoted[k] < pos; k++)
		shift += pos > t->quoted[k] + 1 ? 2 : 1;
	return pos - (shift > pos ? pos : shift);
}

/* The file's text with every integer above INT64_MAX quoted: such a run_seed then reads
 * as a decimal string, which get_u64 accepts.  Quotes add no line, so the line of a
 * syntax error stays exact, and file_offset maps its byte back. */
static int load_text(const char *path, struct text *t, struct winit_error *err)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "rb");
	if (!f)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot read results: %s", path,
		                       strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *p = realloc(buf, cap * 2);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	int bad_read = ferror(f);
	fclose(f);
	if (!buf)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory while reading results", path);
	if (bad_read) {
		free(buf);
		return winit_error_set(err, WINIT_ERR_IO, "%s: read error", path);
	}
	/* Two passes over the text, outside strings: count the integers to quote, then copy
	 * with quotes around them. */
	size_t big = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			t->s = malloc(n + 2 * big + 1);
			t->quoted = alloc_n(big, sizeof *t->quoted);
			if (!t->s || !t->quoted) {
				free(buf);
				free(t->s);
				free(t->quoted);
				memset(t, 0, sizeof *t);
				return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory while reading results", path);
			}
		}
		size_t o = 0;
		int in_str = 0;
		for (size_t i = 0; i < n; i++) {
			size_t end = in_str ? 0 : big_int_end(buf, i, n);
			if (end) {
				if (pass == 1) {
					t->quoted[t->n_quoted++] = o;
					t->s[o] = '"';
					memcpy(t->s + o + 1, buf + i, end - i);
					t->s[o + 1 + end - i] = '"';
				} else {
					big++;
				}
				o += end - i + 2;
				i = end - 1;
				continue;
			}
			if (pass == 1)
				t->s[o] = buf[i];
			o++;
			if (in_str && buf[i] == '\\' && i + 1 < n) {
				if (pass == 1)
					t->s[o] = buf[i + 1];
				o++;
				i++;
			} else if (buf[i] == '"') {
				in_str = !in_str;
			}
		}
		if (pass == 1) {
			t->s[o] = '\0';
			t->len = o;
		}
	}
	free(buf);
	return WINIT_OK;
}

int winit_results_read(const char *path, struct winit_results *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	struct text t;
	int rc = load_text(path, &t, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *root = json_loadb(t.s, t.len, 0, &je);
	size_t at = root ? 0 : file_offset(&t, (size_t)je.position);
	free(t.s);
	free(t.quoted);
	if (!root)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s:%d: byte %zu: not a results file: invalid JSON: %s",
		                       path, je.line, at, je.text);
	struct rd c = { .file = path, .err = err };
	const json_t *fmt = json_object_get(root, "format");
	const json_t *ver = json_object_get(root, "version");
	if (!json_is_object(root)) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: not a winit results file: expected a JSON object with \"format\": \"%s\", found %s",
		                     path, WINIT_RESULTS_FORMAT, type_name(root));
	} else if (!json_is_string(fmt) || strcmp(json_string_value(fmt), WINIT_RESULTS_FORMAT) != 0) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: not a winit results file: expected \"format\": \"%s\", found %s%s%s",
		                     path, WINIT_RESULTS_FORMAT, json_is_string(fmt) ? "\"" : "",
		                     json_is_string(fmt) ? json_string_value(fmt) : fmt ? type_name(fmt) :
		                                                                          "no \"format\" member",
		                     json_is_string(fmt) ? "\"" : "");
	} else if (!json_is_integer(ver) || json_integer_value(ver) < 1) {
		rc = bad(&c, "version", "a version number (an integer >= 1)", ver);
	} else if (json_integer_value(ver) > WINIT_RESULTS_VERSION) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: results format version %lld is newer than this winit reads (up to version %d): update winit (%s)",
		                     path, (long long)json_integer_value(ver), WINIT_RESULTS_VERSION, PACKAGE_STRING);
	}
	if (rc) {
		json_decref(root);
		return rc;
	}
	const json_t *runs;
	size_t n;
	out->version = (int32_t)json_integer_value(ver);
	if ((rc = get_str(&c, root, "format", 1, &out->format)) ||
	    (rc = get_str(&c, root, "generator", 0, &out->generator)) ||
	    (rc = get_str(&c, root, "study", 0, &out->study)) ||
	    (rc = get_u64(&c, root, "seed", 0, &out->seed)) ||
	    (rc = get_arr(&c, root, "runs", 1, &runs, &n)))
		goto fail;
	out->runs = alloc_n(n, sizeof *out->runs);
	if (!out->runs) {
		rc = nomem(&c);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		size_t mark = push(&c, "runs[%zu]", i);
		rc = read_run(&c, json_array_get(runs, i), &out->runs[out->n_runs++]);
		if (rc)
			goto fail;
		pop(&c, mark);
	}
	json_decref(root);
	return WINIT_OK;
fail:
	json_decref(root);
	winit_results_free(out);
	return rc;
}

static void free_plugin(struct winit_results_plugin *p)
{
	for (size_t i = 0; i < p->n_params; i++) {
		free(p->params[i].name);
		free(p->params[i].text);
	}
	free(p->params);
	free(p->name);
}

static void free_run(struct winit_results_run *r)
{
	free(r->name);
	free(r->label);
	for (size_t i = 0; i < r->n_layers; i++) {
		free(r->layers[i].type);
		free_plugin(&r->layers[i].activation);
		free_plugin(&r->layers[i].kernel_initializer);
		free_plugin(&r->layers[i].bias_initializer);
	}
	free(r->layers);
	free(r->optimizer);
	free(r->loss);
	free(r->train_source);
	free(r->test_source);
	free(r->error);
	free(r->history);
	free(r->kernels);
	for (size_t i = 0; i < r->n_snapshots; i++)
		free(r->diagnostics[i].layers);
	free(r->diagnostics);
	free(r->theory.reason);
	free(r->theory.pre_var);
	free(r->theory.grad_var);
}

void winit_results_free(struct winit_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_runs; i++)
		free_run(&r->runs[i]);
	free(r->runs);
	free(r->format);
	free(r->generator);
	free(r->study);
	memset(r, 0, sizeof *r);
}
