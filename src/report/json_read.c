/* src/report/json_read.c -- reading JSON with Jansson, every error naming the file and
 * the member's path; 64-bit unsigned integers (run seeds) read exactly. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/results.h>

#include "report/json_read.h"

size_t jr_push(struct jr *c, const char *fmt, ...)
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

void jr_pop(struct jr *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

const char *jr_type_name(const json_t *v)
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
int jr_bad(struct jr *c, const char *key, const char *what, const json_t *found)
{
	const char *dot = c->len && key ? "." : "";
	if (!found)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s%s%s is missing (expected %s)",
		                       c->file, c->path, dot, key ? key : "", what);
	return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s%s%s: expected %s, found %s", c->file,
	                       c->path, dot, key ? key : "", what, jr_type_name(found));
}

int jr_nomem(struct jr *c)
{
	return winit_error_set(c->err, WINIT_ERR_NOMEM, "%s: out of memory while reading results",
	                       c->file);
}

int jr_str(struct jr *c, const json_t *o, const char *key, int required, char **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? jr_bad(c, key, "a string", v) : WINIT_OK;
	if (!json_is_string(v))
		return jr_bad(c, key, "a string", v);
	*out = strdup(json_string_value(v));
	return *out ? WINIT_OK : jr_nomem(c);
}

/* A number; null (the writer's NaN) and, when not required, absence read as NaN. */
int jr_num_value(struct jr *c, const char *key, const json_t *v, int required, double *out)
{
	*out = NAN;
	if (!v)
		return required ? jr_bad(c, key, "a number", v) : WINIT_OK;
	if (json_is_null(v))
		return WINIT_OK;
	if (!json_is_number(v))
		return jr_bad(c, key, "a number or null", v);
	*out = json_number_value(v);
	return WINIT_OK;
}

int jr_num(struct jr *c, const json_t *o, const char *key, int required, double *out)
{
	return jr_num_value(c, key, json_object_get(o, key), required, out);
}

int jr_int(struct jr *c, const json_t *o, const char *key, int required, int64_t dflt,
           int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = dflt;
	if (!v)
		return required ? jr_bad(c, key, "an integer", v) : WINIT_OK;
	if (json_is_null(v) && !required)
		return WINIT_OK;
	if (!json_is_integer(v))
		return jr_bad(c, key, "an integer", v);
	*out = (int64_t)json_integer_value(v);
	return WINIT_OK;
}

int jr_i32(struct jr *c, const json_t *o, const char *key, int required, int32_t dflt,
           int32_t *out)
{
	int64_t x;
	int rc = jr_int(c, o, key, required, dflt, &x);
	if (rc)
		return rc;
	if (x < INT32_MIN || x > INT32_MAX)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s.%s: %lld is out of range",
		                       c->file, c->path, key, (long long)x);
	*out = (int32_t)x;
	return WINIT_OK;
}

/* An unsigned 64-bit integer: a JSON integer, or (above INT64_MAX, which Jansson cannot
 * hold) the decimal string jr_load_text() makes of it. */
int jr_u64(struct jr *c, const json_t *o, const char *key, int required, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v)
		return required ? jr_bad(c, key, "an unsigned integer", v) : WINIT_OK;
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
	return jr_bad(c, key, "an unsigned 64-bit integer", v);
}

int jr_bool(struct jr *c, const json_t *o, const char *key, int required, int32_t *out)
{
	const json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v)
		return required ? jr_bad(c, key, "true or false", v) : WINIT_OK;
	if (!json_is_boolean(v))
		return jr_bad(c, key, "true or false", v);
	*out = json_is_true(v);
	return WINIT_OK;
}

/* The member `key` of o as an object (NULL and no error when optional and absent). */
int jr_obj(struct jr *c, const json_t *o, const char *key, int required,
           const json_t **out)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v && !required)
		return WINIT_OK;
	if (!v || !json_is_object(v))
		return jr_bad(c, key, "an object", v);
	*out = v;
	return WINIT_OK;
}

int jr_arr(struct jr *c, const json_t *o, const char *key, int required,
           const json_t **out, size_t *n)
{
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	*n = 0;
	if (!v && !required)
		return WINIT_OK;
	if (!v || !json_is_array(v))
		return jr_bad(c, key, "an array", v);
	*out = v;
	*n = json_array_size(v);
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
	char *buf = NULL;
	size_t n = 0;
	/* The file, or what its journal says it holds now (winit/results.h). */
	if (winit_results_load_text(path, &buf, &n, err))
		return err ? err->status : WINIT_ERR_IO;
	/* Two passes over the text, outside strings: count the integers to quote, then copy
	 * with quotes around them. */
	size_t big = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			t->s = malloc(n + 2 * big + 1);
			t->quoted = calloc(big ? big : 1, sizeof *t->quoted);
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

json_t *jr_load(const char *path, struct winit_error *err)
{
	struct text t;
	if (load_text(path, &t, err))
		return NULL;
	json_error_t je;
	json_t *root = json_loadb(t.s, t.len, 0, &je);
	size_t at = root ? 0 : file_offset(&t, (size_t)je.position);
	free(t.s);
	free(t.quoted);
	if (!root)
		winit_error_set(err, WINIT_ERR_FORMAT, "%s:%d: byte %zu: not a results file: invalid JSON: %s",
		                path, je.line, at, je.text);
	return root;
}
