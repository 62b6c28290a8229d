/* src/results/json_read.c -- loading a results file with Jansson (a regular file of
 * bounded size, no duplicate key; 64-bit unsigned integers of version 1 files read
 * exactly), and the errors naming the file and the member's path. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <winit/results.h>

#include "results/json_read.h"

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

/* The file's text (*raw, *n_raw): the file, or what its journal says it holds now
 * (winit_results_load_text, winit/results.h).  A path that is not a regular file, or a
 * file of more than JR_MAX_BYTES, is refused before anything is read (a FIFO would block,
 * a device such as /dev/zero never end). */
static int read_file(const char *path, char **raw, size_t *n_raw, struct winit_error *err)
{
	*raw = NULL;
	*n_raw = 0;
	struct stat st;
	if (stat(path, &st) == 0) { /* else there may be a journal alone */
		if (!S_ISREG(st.st_mode))
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot read results: it is %s, not a regular file",
			                       path, S_ISDIR(st.st_mode)  ? "a directory" :
			                             S_ISFIFO(st.st_mode) ? "a FIFO" :
			                             S_ISSOCK(st.st_mode) ? "a socket" :
			                                                    "a device");
		if (st.st_size > JR_MAX_BYTES)
			return winit_error_set(err, WINIT_ERR_FORMAT,
			                       "%s: not read: %lld bytes, more than a results file may hold (%lld)",
			                       path, (long long)st.st_size, (long long)JR_MAX_BYTES);
	}
	if (winit_results_load_text(path, raw, n_raw, err))
		return err ? err->status : WINIT_ERR_IO;
	if (*n_raw > (size_t)JR_MAX_BYTES) {
		free(*raw);
		*raw = NULL;
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: not read: %zu bytes, more than a results file may hold (%lld)",
		                       path, *n_raw, (long long)JR_MAX_BYTES);
	}
	return WINIT_OK;
}

/* The text buf (n bytes) with every integer above INT64_MAX quoted: such a run_seed then
 * reads as a decimal string, which the validation's seed rows (results_schema.c) accept.
 * Quotes add no line, so the line of a syntax error stays exact, and file_offset maps
 * its byte back. */
static int quote_big(const char *path, const char *buf, size_t n, struct text *t, struct winit_error *err)
{
	memset(t, 0, sizeof *t);
	/* Two passes over the text, outside strings: count the integers to quote, then copy
	 * with quotes around them. */
	size_t big = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			t->s = malloc(n + 2 * big + 1);
			t->quoted = calloc(big ? big : 1, sizeof *t->quoted);
			if (!t->s || !t->quoted) {
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
	return WINIT_OK;
}


int jr_load_doc(const char *path, struct winit_json_doc *doc, struct winit_error *err)
{
	memset(doc, 0, sizeof *doc);
	char *raw;
	size_t n_raw;
	int rc = read_file(path, &raw, &n_raw, err);
	if (rc)
		return rc;
	struct text t;
	if ((rc = quote_big(path, raw, n_raw, &t, err))) {
		free(raw);
		return rc;
	}
	json_error_t je;
	json_t *root = json_loadb(t.s, t.len, JSON_REJECT_DUPLICATES, &je);
	size_t at = root ? 0 : file_offset(&t, (size_t)je.position);
	free(t.s);
	free(t.quoted);
	if (!root) {
		/* The column in the file's bytes (the quotes added shift Jansson's). */
		size_t col = at > n_raw ? n_raw : at;
		while (col > 0 && raw[col - 1] != '\n')
			col--;
		col = at - col;
		free(raw);
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s:%d:%zu: byte %zu: not a results file: invalid JSON: %s", path,
		                       je.line, col, at, je.text);
	}
	doc->root = root;
	doc->text = raw;
	doc->len = n_raw;
	doc->n_big = t.n_quoted;
	return WINIT_OK;
}

void jr_doc_free(struct winit_json_doc *doc)
{
	json_decref(doc->root);
	free(doc->text);
	memset(doc, 0, sizeof *doc);
}
