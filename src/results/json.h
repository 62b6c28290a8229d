/* src/results/json.h -- a small streaming JSON writer (internal: not exported). */
#ifndef WINIT_REPORT_JSON_H
#define WINIT_REPORT_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "core/internal.h"

struct json {
	FILE *f;
	int depth;
	int first[32]; /* no member written yet at this depth */
	int after_key;
};

WINIT_INTERNAL void json_init(struct json *j, FILE *f);
WINIT_INTERNAL void json_begin_object(struct json *j);
WINIT_INTERNAL void json_end_object(struct json *j);
WINIT_INTERNAL void json_begin_array(struct json *j);
WINIT_INTERNAL void json_end_array(struct json *j);
WINIT_INTERNAL void json_key(struct json *j, const char *key);
WINIT_INTERNAL void json_string(struct json *j, const char *s);
/* Finite numbers with round-trip precision; NaN and infinities as null. */
WINIT_INTERNAL void json_number(struct json *j, double v);
WINIT_INTERNAL void json_int(struct json *j, int64_t v);
WINIT_INTERNAL void json_uint(struct json *j, uint64_t v);
WINIT_INTERNAL void json_bool(struct json *j, int v);
WINIT_INTERNAL void json_null(struct json *j);

/* An object member: the key, then the value. */
WINIT_INTERNAL void json_string_at(struct json *j, const char *key, const char *s);
WINIT_INTERNAL void json_number_at(struct json *j, const char *key, double v);
WINIT_INTERNAL void json_int_at(struct json *j, const char *key, int64_t v);
WINIT_INTERNAL void json_uint_at(struct json *j, const char *key, uint64_t v);
WINIT_INTERNAL void json_bool_at(struct json *j, const char *key, int v);

#endif
