/* winit/error.h -- status codes and the error record every fallible call fills.
 *
 * Library functions never exit or abort: they return a status (0 = success) and, on
 * failure, fill a struct winit_error with one line that names the file, the line or
 * byte, what was expected and what was found.  Only the CLI's main() exits.
 */
#ifndef WINIT_ERROR_H
#define WINIT_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum winit_status {
	WINIT_OK = 0,
	WINIT_ERR_IO = 1,     /* open/read/write failed */
	WINIT_ERR_FORMAT = 2, /* a file's contents are not what was expected */
	WINIT_ERR_NOMEM = 3,
	WINIT_ERR_ARG = 4,       /* a bad argument or configuration */
	WINIT_ERR_PLUGIN = 5,    /* a plugin failed to load, validate or run */
	WINIT_ERR_NUMERIC = 6,   /* NaN/Inf where finite numbers were required */
	WINIT_ERR_CANCELLED = 7, /* interrupted by the user */
	WINIT_ERR_DIVERGED = 8   /* training's loss or parameters stopped being finite */
};

#define WINIT_ERROR_MSG_MAX 1024

struct winit_error {
	int status;
	char msg[WINIT_ERROR_MSG_MAX];
};

/* Set err (may be NULL) and return `status`, so callers write
 * `return winit_error_set(err, WINIT_ERR_IO, "%s: %s", path, strerror(errno));`
 * A message longer than WINIT_ERROR_MSG_MAX - 1 bytes is cut at that length. */
int winit_error_set(struct winit_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend context ("while loading X: ") to an error already set; returns its status
 * (WINIT_ERR_ARG when err is NULL).  The prefix is kept whole and the message's end is
 * dropped to fit WINIT_ERROR_MSG_MAX - 1 bytes (a prefix longer than that is itself
 * cut); the result is always NUL-terminated, with no marker where it was cut. */
int winit_error_prefix(struct winit_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void winit_error_clear(struct winit_error *err);
const char *winit_status_name(int status);

/* Make text from outside (plugin names, labels, file names, a script's strings) safe for
 * a terminal: rewrite s (NUL-terminated, in a buffer of `size` bytes) with every control
 * character (below 0x20, and DEL) written as \xHH, but newlines and tabs when
 * `keep_layout`; truncated to the buffer, never inside an escape.  Returns s. */
char *winit_text_escape(char *s, size_t size, int keep_layout);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_ERROR_H */
