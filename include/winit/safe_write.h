/* winit/safe_write.h -- how winit writes a file: results files, saved models, HTML reports
 * and pages, CSV tables all go through here.
 *
 * The rules, the same for every writer (README, docs/results-format.md "Writing files"):
 * - Only a regular file is ever replaced.  A directory, a device (/dev/null, /dev/full),
 *   a FIFO or a socket at the path is refused with the reason, and left as it was.
 * - The new contents go to a temporary file beside the target (TARGET.tmp.PID, created
 *   exclusively), which is fsync'ed, renamed over the target, and the directory is
 *   fsync'ed: at every moment the path holds the previous complete file or the new one.
 *   The replaced file's permission bits (and, when allowed, its owner) are kept.
 * - An existing file is replaced only when it is a file of the kind being written (a
 *   results file by its "format" field, a saved model by its magic, a page by the comment
 *   winit writes at its top, a CSV table by its header line) or empty.  Anything else
 *   (a script, a document, /etc/passwd) is refused, naming what was expected and what
 *   was found, unless the caller passes WINIT_WRITE_FORCE (the CLI's --force, Lua's
 *   overwrite = true).
 * - A symbolic link is followed to the file it finally names, and every rule above
 *   applies to that file: the link stays a link and keeps pointing at the updated file.
 *   A link to a device or to a file of another kind is refused like that file itself,
 *   and the message names both the link and the file.  (So a link works as shells and
 *   editors treat one, and can never be used to replace a file winit would refuse.)
 */
#ifndef WINIT_SAFE_WRITE_H
#define WINIT_SAFE_WRITE_H

#include <stdio.h>

#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a file is, as far as replacing it goes. */
enum winit_file_kind {
	WINIT_FILE_RESULTS = 1, /* JSON whose "format" is "winit-results" (winit/results.h) */
	WINIT_FILE_MODEL = 2,   /* a saved model: WINIT_MODEL_MAGIC at byte 0 (winit/model_io.h) */
	WINIT_FILE_HTML = 3,    /* a report or page: WINIT_HTML_MARKER in its first KiB */
	WINIT_FILE_CSV = 4      /* runs.csv or summary.csv: winit's header line */
};

/* The comment every HTML file winit writes carries on its second line. */
#define WINIT_HTML_MARKER "<!-- written by winit"

/* Flags of winit_safe_write_check and winit_safe_write_open. */
#define WINIT_WRITE_FORCE 1u   /* replace an existing regular file of another kind too */
#define WINIT_WRITE_PARENTS 2u /* create missing parent directories (mkdir -p) */

#define WINIT_SAFE_WRITE_PATH_MAX 4096

/* One file being written: open, write through f, then commit (or abort). */
struct winit_safe_write {
	const char *path; /* as the caller named it (not copied) */
	const char *what; /* "results", "the model", "the report", ... (for messages) */
	char target[WINIT_SAFE_WRITE_PATH_MAX];     /* the file replaced: links followed */
	char tmp[WINIT_SAFE_WRITE_PATH_MAX + 32];   /* target.tmp.PID */
	FILE *f;                                    /* open on tmp until commit/abort */
	int write_errno;                            /* first failed winit_safe_write_bytes */
};

/* The file a write to path replaces (symbolic links followed, the last possibly not
 * existing yet) into out; what exists there must be a regular file.  For files a writer
 * keeps beside it (a results file's journal and lock, winit/results.h). */
int winit_safe_write_target(const char *path, enum winit_file_kind kind, const char *what,
                            char *out, size_t size, struct winit_error *err);
/* Check, without writing anything at path, that a file of this kind may be written
 * there (the rules above), creating parent directories with WINIT_WRITE_PARENTS and
 * trying a temporary file beside the target.  Temporary files of killed writers
 * (TARGET.tmp.PID whose process is gone) are removed.  what names the file in messages
 * ("results", "the model", ...; NULL: the kind's name). */
int winit_safe_write_check(const char *path, enum winit_file_kind kind, const char *what,
                           unsigned flags, struct winit_error *err);

/* The checks of winit_safe_write_check, then the temporary file, open as w->f.  On
 * failure nothing is left behind and w needs no abort. */
int winit_safe_write_open(struct winit_safe_write *w, const char *path,
                          enum winit_file_kind kind, const char *what, unsigned flags,
                          struct winit_error *err);

/* Write len bytes to w (a failure is remembered with its errno and reported by commit). */
void winit_safe_write_bytes(struct winit_safe_write *w, const void *buf, size_t len);

/* Flush, fsync and close the temporary file, rename it over the target and fsync the
 * directory.  Any failure (with strerror's text, e.g. "write failed: No space left on
 * device") removes the temporary file and leaves the target as it was. */
int winit_safe_write_commit(struct winit_safe_write *w, struct winit_error *err);

/* Give up: close and remove the temporary file (a no-op after commit). */
void winit_safe_write_abort(struct winit_safe_write *w);

/* write(2) all of buf to fd, retrying short writes and EINTR: 0, or -1 with errno set (a
 * write that returns 0 counts as EIO).  Async-signal-safe (signal handlers' reports). */
int winit_write_all(int fd, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* WINIT_SAFE_WRITE_H */
