/* src/results/spans.c -- extents of values in JSON text already parsed (spans.h). */
#include "config.h"

#include <string.h>

#include "results/spans.h"

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return skip_string(p, end);
	if (p < end && (*p == '{' || *p == '[')) {
		int depth = 0;
		while (p < end) {
			if (*p == '"') {
				p = skip_string(p, end);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return end;
	}
	while (p < end && *p && !strchr(",}] \n\r\t", *p))
		p++;
	return p;
}

/* The value of the top-level object's member `key`. */
struct winit_span winit_span_member(const char *text, size_t len, const char *key)
{
	const char *end = text + len, *p = skip_ws(text, end);
	struct winit_span none = { NULL, 0 };
	if (p >= end || *p != '{')
		return none;
	p = skip_ws(p + 1, end);
	size_t klen = strlen(key);
	while (p < end && *p == '"') {
		const char *k = p + 1, *kend = skip_value(p, end) - 1;
		p = skip_ws(kend + 1, end);
		if (p >= end || *p != ':')
			return none;
		const char *v = skip_ws(p + 1, end), *vend = skip_value(v, end);
		if ((size_t)(kend - k) == klen && memcmp(k, key, klen) == 0)
			return (struct winit_span){ v, (size_t)(vend - v) };
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return none;
}

/* The elements of the array spanned by a (a.p at '['): up to max spans into out. */
size_t winit_span_elements(struct winit_span a, struct winit_span *out, size_t max)
{
	const char *end = a.p + a.n, *p = skip_ws(a.p + 1, end);
	size_t n = 0;
	while (p < end && *p != ']') {
		const char *v = p, *vend = skip_value(v, end);
		if (n < max)
			out[n] = (struct winit_span){ v, (size_t)(vend - v) };
		n++;
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	return n;
}
