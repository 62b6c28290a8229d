/* src/results/json.c -- a small streaming JSON writer with indentation. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "results/json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
}

static void indent(struct json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		indent(j);
	}
	j->first[j->depth] = 0;
}

static void open_(struct json *j, char c)
{
	prefix(j);
	fputc(c, j->f);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = 1;
}

static void close_(struct json *j, char c)
{
	int empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_begin_object(struct json *j) { open_(j, '{'); }
void json_end_object(struct json *j) { close_(j, '}'); }
void json_begin_array(struct json *j) { open_(j, '['); }
void json_end_array(struct json *j) { close_(j, ']'); }

static void raw_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	prefix(j);
	raw_string(j->f, key);
	fputs(": ", j->f);
	j->after_key = 1;
}

void json_string(struct json *j, const char *s)
{
	prefix(j);
	raw_string(j->f, s ? s : "");
}

void json_number(struct json *j, double v)
{
	prefix(j);
	if (!isfinite(v))
		fputs("null", j->f);
	else {
		/* The shortest of %.15g..%.17g that reads back exactly. */
		char buf[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
		fputs(buf, j->f);
	}
}

void json_int(struct json *j, int64_t v)
{
	prefix(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_uint(struct json *j, uint64_t v)
{
	prefix(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_bool(struct json *j, int v)
{
	prefix(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	prefix(j);
	fputs("null", j->f);
}

void json_string_at(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_number_at(struct json *j, const char *key, double v)
{
	json_key(j, key);
	json_number(j, v);
}

void json_int_at(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void json_uint_at(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

void json_bool_at(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}
