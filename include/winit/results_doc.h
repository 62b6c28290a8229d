/* winit/results_doc.h -- a results file read and validated as every reader of winit's
 * does (src/results/results_schema.c), with its Jansson tree and its own bytes, and where
 * a value lies in those bytes: for programs that copy runs as the text read
 * (`winit merge`, src/cli/merge.c).  Format: docs/results-format.md.
 */
#ifndef WINIT_RESULTS_DOC_H
#define WINIT_RESULTS_DOC_H

#include <stddef.h>
#include <stdint.h>

#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_t; /* Jansson's json_t (<jansson.h>) */

/* A JSON document read: the tree, the file's own bytes, and how many integers above
 * INT64_MAX the tree holds as decimal strings (Jansson cannot hold them). */
struct winit_json_doc {
	struct json_t *root;
	char *text; /* the file's bytes, len of them (not NUL-terminated) */
	size_t len;
	size_t n_big;
};

/* A results file read and validated: the tree, the file's bytes, its version. */
struct winit_results_doc {
	struct winit_json_doc doc;
	int32_t version;
};

/* Read path (a regular file of bounded size, JSON without duplicate keys) and validate
 * all of it: "format", a version in [min_version, WINIT_RESULTS_VERSION], and every
 * member of every run.  Refusals name the file and the member's path ("r.json:
 * runs[3].test_accuracy: expected a number in [0, 1], found -5").  On failure *d is
 * empty.  0 or a winit_status. */
int winit_results_doc_load(const char *path, int32_t min_version, struct winit_results_doc *d,
                           struct winit_error *err);
void winit_results_doc_free(struct winit_results_doc *d);

/* Where a value lies in JSON text already parsed (so what is copied is the very text
 * read). */
struct winit_span {
	const char *p; /* NULL: not found */
	size_t n;
};

/* The value of the top-level object's member `key` in text (len bytes). */
struct winit_span winit_span_member(const char *text, size_t len, const char *key);
/* The elements of the array spanned by a (a.p at '['): up to max spans into out; returns
 * how many there are. */
size_t winit_span_elements(struct winit_span a, struct winit_span *out, size_t max);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_RESULTS_DOC_H */
