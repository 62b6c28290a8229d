/* src/results/json_read.c's helpers (internal): loading a results file with Jansson
 * (safely: regular files of bounded size, no duplicate key), and the errors that name the
 * file and the member's path ("FILE: runs[2].history[0].loss: expected a number or null,
 * found a string") for the validation (results_schema.c). */
#ifndef WINIT_REPORT_JSON_READ_H
#define WINIT_REPORT_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <winit/error.h>
#include <winit/results_doc.h>

#include "core/internal.h"

/* The reader's context: the file, the error, and the path of the member being read. */
struct jr {
	const char *file;
	struct winit_error *err;
	char path[512];
	size_t len;
};

/* The most bytes a results file may hold: larger files are refused before reading. */
#define JR_MAX_BYTES ((long long)1 << 30)

/* struct winit_json_doc, a document read: winit/results_doc.h. */

/* Read the document at path: a regular file (a directory, FIFO, socket or device is
 * refused before any read, naming what it is) of at most JR_MAX_BYTES, valid JSON with
 * no duplicate key in any object (a syntax error: its line and byte).  Integers above
 * INT64_MAX come back as decimal strings.  On failure *doc is empty. */
WINIT_INTERNAL int jr_load_doc(const char *path, struct winit_json_doc *doc, struct winit_error *err);
WINIT_INTERNAL void jr_doc_free(struct winit_json_doc *doc);

/* Append a path segment (".history[2]"); returns the mark jr_pop goes back to. */
WINIT_INTERNAL size_t jr_push(struct jr *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
WINIT_INTERNAL void jr_pop(struct jr *c, size_t mark);

/* "a string", "an array", ... for messages. */
WINIT_INTERNAL const char *jr_type_name(const json_t *v);
/* Set "FILE: PATH.KEY: expected WHAT, found TYPE" (or "is missing" when found is NULL);
 * returns WINIT_ERR_FORMAT. */
WINIT_INTERNAL int jr_bad(struct jr *c, const char *key, const char *what, const json_t *found);
WINIT_INTERNAL int jr_nomem(struct jr *c);

#endif
