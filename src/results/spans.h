/* src/results/spans.h -- where a value lies in a results file's text (internal).
 *
 * For text Jansson has already parsed: these only find extents, so that what is copied
 * (winit merge's runs, the runs resume keeps) is the very text that was read. */
#ifndef WINIT_RESULTS_SPANS_H
#define WINIT_RESULTS_SPANS_H

#include <stddef.h>

#include "core/internal.h"

struct winit_span {
	const char *p; /* NULL: not found */
	size_t n;
};

/* The value of the top-level object's member `key`. */
WINIT_INTERNAL struct winit_span winit_span_member(const char *text, size_t len,
                                                   const char *key);
/* The elements of the array spanned by a (a.p at '['): up to max spans into out; returns
 * how many there are. */
WINIT_INTERNAL size_t winit_span_elements(struct winit_span a, struct winit_span *out,
                                          size_t max);

#endif
