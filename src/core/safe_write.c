/* src/core/safe_write.c -- the one way winit writes a file (winit/safe_write.h): regular
 * files only, links followed to the file they name, an existing file replaced only when
 * it is of the kind being written (or with WINIT_WRITE_FORCE), through a temporary file
 * fsync'ed and renamed beside the target. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/model_io.h>
#include <winit/results.h>
#include <winit/safe_write.h>

#include "core/fileio.h"

#define HEAD_MAX 65536 /* what is read of an existing file to tell its kind */

static const char *kind_name(enum winit_file_kind kind)
{
	switch (kind) {
	case WINIT_FILE_RESULTS: return "results";
	case WINIT_FILE_MODEL: return "the model";
	case WINIT_FILE_HTML: return "the page";
	case WINIT_FILE_CSV: return "the CSV file";
	}
	return "the file";
}

static const char *kind_expected(enum winit_file_kind kind)
{
	switch (kind) {
	case WINIT_FILE_RESULTS:
		return "a winit results file (JSON with \"format\": \"" WINIT_RESULTS_FORMAT "\")";
	case WINIT_FILE_MODEL: return "a model saved by winit (starting with " WINIT_MODEL_MAGIC ")";
	case WINIT_FILE_HTML: return "a page written by winit (with \"" WINIT_HTML_MARKER "\" at its top)";
	case WINIT_FILE_CSV:
		return "a CSV table written by winit (header \"run,label,...,steps_to_target\" or "
		       "\"label,...,no_test\")";
	}
	return "a file of this kind";
}

/* A file name of the kind, for the hint when a directory is named. */
static const char *example_name(enum winit_file_kind kind)
{
	switch (kind) {
	case WINIT_FILE_RESULTS: return "results.json";
	case WINIT_FILE_MODEL: return "model.winit";
	case WINIT_FILE_HTML: return "report.html";
	case WINIT_FILE_CSV: return "runs.csv";
	}
	return "out";
}

/* "path", or "path (a link to target)" when links were followed. */
static const char *where(char *buf, size_t size, const char *path, const char *target, int linked)
{
	if (!linked)
		return path;
	snprintf(buf, size, "%s (a link to %s)", path, target);
	return buf;
}

/* The file path names: symbolic links followed, the last one possibly not existing yet.
 * What exists there must be a regular file.  *linked tells whether a link was followed. */
static int resolve_target(const char *path, enum winit_file_kind kind, const char *what, char *out,
                          size_t size, int *linked, struct winit_error *err)
{
	char cur[PATH_MAX], link[PATH_MAX], at[2 * PATH_MAX + 32];
	*linked = 0;
	if (!*path)
		return winit_error_set(err, WINIT_ERR_ARG, "the path to write %s to is empty", what);
	if (snprintf(cur, sizeof cur, "%s", path) >= (int)sizeof cur)
		return winit_error_set(err, WINIT_ERR_ARG, "%.64s...: path too long", path);
	for (int hops = 0;; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0) {
			if (errno == ENOENT)
				break; /* a new file */
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write %s: %s",
			                       where(at, sizeof at, path, cur, *linked), what,
			                       strerror(errno));
		}
		if (S_ISREG(st.st_mode))
			break;
		if (S_ISDIR(st.st_mode))
			return winit_error_set(err, WINIT_ERR_IO,
			                       "%s: cannot write %s: it is a directory, not a regular "
			                       "file (give a file name in it, e.g. %s/%s)",
			                       where(at, sizeof at, path, cur, *linked), what, path,
			                       example_name(kind));
		if (!S_ISLNK(st.st_mode))
			return winit_error_set(err, WINIT_ERR_IO,
			                       "%s: cannot write %s: it is a %s, not a regular file "
			                       "(winit replaces a file as a whole, through a new file "
			                       "renamed over it, which a device, a FIFO or a socket "
			                       "cannot be)",
			                       where(at, sizeof at, path, cur, *linked), what,
			                       S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "device" :
			                       S_ISFIFO(st.st_mode)                       ? "FIFO" :
			                                                                    "socket");
		if (hops == 40)
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write %s: %s", path, what,
			                       strerror(ELOOP));
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot read the link: %s", cur,
			                       strerror(errno));
		link[n] = '\0';
		*linked = 1;
		char *slash = strrchr(cur, '/');
		if (link[0] == '/' || !slash) {
			memcpy(cur, link, (size_t)n + 1);
		} else {
			slash[1] = '\0';
			size_t len = strlen(cur);
			if (len + (size_t)n + 1 > sizeof cur)
				return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write %s: %s", path,
				                       what, strerror(ENAMETOOLONG));
			memcpy(cur + len, link, (size_t)n + 1);
		}
	}
	if (strlen(cur) + 32 > size)
		return winit_error_set(err, WINIT_ERR_ARG, "%.64s...: path too long", path);
	snprintf(out, size, "%s", cur);
	return WINIT_OK;
}

/* mkdir -p for the directory part of path. */
static int make_parents(const char *path, struct winit_error *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return WINIT_OK;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create directory: %s", dir,
			                       strerror(errno));
		*p = '/';
	}
	if (dir[0] && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create directory: %s", dir,
		                       strerror(errno));
	return WINIT_OK;
}

/* Split target into its directory ("." when none) and its base name. */
static void split_path(const char *target, char *dir, size_t dsize, const char **base)
{
	const char *slash = strrchr(target, '/');
	if (!slash) {
		snprintf(dir, dsize, ".");
		*base = target;
	} else if (slash == target) {
		snprintf(dir, dsize, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, dsize, "%.*s", (int)(slash - target), target);
		*base = slash + 1;
	}
}

/* Remove BASE.tmp.PID files left in dir by writers that were killed (their PID is no
 * longer alive).  A live writer's file, or anything else, is left alone. */
static void remove_stale_temps(const char *dir, const char *base)
{
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".tmp.", 5) != 0)
			continue;
		const char *digits = name + blen + 5;
		char *end;
		errno = 0;
		long pid = strtol(digits, &end, 10);
		if (*digits < '0' || *digits > '9' || *end || errno || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to judge */
		char p[PATH_MAX];
		if (snprintf(p, sizeof p, "%s/%s", dir, name) < (int)sizeof p)
			unlink(p);
	}
	closedir(d);
}

/* The first line of a CSV file winit wrote: run,label,...,steps_to_target (runs.csv) or
 * label,...,no_test (summary.csv; label,...,effect_size before its no_test column). */
static int csv_header_is_winit(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);
	if (!nl)
		return 0;
	size_t len = (size_t)(nl - s);
	if (len && s[len - 1] == '\r')
		len--;
	static const struct {
		const char *start, *end;
	} heads[] = { { "run,label,", ",steps_to_target" },
		      { "label,", ",effect_size,no_test" },
		      { "label,", ",effect_size" } /* summary.csv before no_test */ };
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		size_t a = strlen(heads[i].start), b = strlen(heads[i].end);
		if (len >= a + b && memcmp(s, heads[i].start, a) == 0 &&
		    memcmp(s + len - b, heads[i].end, b) == 0)
			return 1;
	}
	return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* JSON opening with an object whose "format" member (at the top level, within the head)
 * is "winit-results". */
static int results_is_winit(const char *s, size_t n)
{
	const char *end = s + n, *p = skip_ws(s, end);
	if (p == end || *p != '{')
		return 0;
	static const char key[] = "\"format\"", val[] = "\"" WINIT_RESULTS_FORMAT "\"";
	for (const char *k = p; (k = memmem(k, (size_t)(end - k), key, sizeof key - 1)) != NULL; k++) {
		const char *q = skip_ws(k + sizeof key - 1, end);
		if (q == end || *q != ':')
			continue;
		q = skip_ws(q + 1, end);
		if ((size_t)(end - q) >= sizeof val - 1 && memcmp(q, val, sizeof val - 1) == 0)
			return 1;
	}
	return 0;
}

/* A page winit wrote: the marker near the top, or (pages written before the marker
 * existed) winit's exact head and the start of its style sheet. */
static int html_is_winit(const char *s, size_t n)
{
	if (memmem(s, n < 1024 ? n : 1024, WINIT_HTML_MARKER, strlen(WINIT_HTML_MARKER)))
		return 1;
	static const char head[] =
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>";
	static const char style[] =
		"<style>\nbody{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;";
	return n > sizeof head && memcmp(s, head, sizeof head - 1) == 0 &&
	       memmem(s, n, style, sizeof style - 1) != NULL;
}

static int is_kind(enum winit_file_kind kind, const char *s, size_t n)
{
	switch (kind) {
	case WINIT_FILE_RESULTS: return results_is_winit(s, n);
	case WINIT_FILE_MODEL: return n >= 8 && memcmp(s, WINIT_MODEL_MAGIC, 8) == 0;
	case WINIT_FILE_HTML: return html_is_winit(s, n);
	case WINIT_FILE_CSV: return csv_header_is_winit(s, n);
	}
	return 0;
}

/* The start of s, as a quoted C-style string of at most ~40 characters. */
static void describe_start(char *out, size_t size, const char *s, size_t n)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && i < 40 && o + 6 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			o += (size_t)snprintf(out + o, size - o, "\\n");
		} else if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	snprintf(out + o, size - o, "%s\"", n > 40 ? "..." : "");
}

/* An existing regular file at target: replaced only when it is of this kind, or empty,
 * or when forced. */
static int check_kind(const char *path, const char *target, int linked, enum winit_file_kind kind,
                      const char *what, unsigned flags, struct winit_error *err)
{
	char at[2 * PATH_MAX + 32];
	if (flags & WINIT_WRITE_FORCE)
		return WINIT_OK;
	int fd = open(target, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return WINIT_OK; /* gone meanwhile: a new file */
		return winit_error_set(err, WINIT_ERR_IO,
		                       "%s: cannot write %s: the file exists and cannot be read to "
		                       "check that it is %s: %s (--force or overwrite = true "
		                       "replaces it unchecked)",
		                       where(at, sizeof at, path, target, linked), what,
		                       kind_expected(kind), strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return winit_error_set(err, WINIT_ERR_IO,
		                       "%s: cannot write %s: it changed while being checked and is "
		                       "no longer a regular file",
		                       where(at, sizeof at, path, target, linked), what);
	}
	char *head = malloc(HEAD_MAX);
	if (!head) {
		close(fd);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	}
	size_t n = 0;
	while (n < HEAD_MAX) {
		ssize_t r = read(fd, head + n, HEAD_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	int ok = n == 0 || is_kind(kind, head, n);
	char found[256];
	if (!ok)
		describe_start(found, sizeof found, head, n);
	free(head);
	if (ok)
		return WINIT_OK;
	return winit_error_set(err, WINIT_ERR_IO,
	                       "%s: cannot write %s: the file exists and is not %s; it starts "
	                       "with %s. winit replaces only a file of the kind it writes: "
	                       "choose another path, or give --force (winit run, report, merge) "
	                       "or overwrite = true (Lua) to replace it",
	                       where(at, sizeof at, path, target, linked), what,
	                       kind_expected(kind), found);
}

/* Every check; target and dir/base of the file to replace. */
static int prepare(const char *path, enum winit_file_kind kind, const char *what, unsigned flags,
                   char *target, size_t size, struct winit_error *err)
{
	int linked;
	int rc = resolve_target(path, kind, what, target, size, &linked, err);
	if (!rc && (flags & WINIT_WRITE_PARENTS))
		rc = make_parents(target, err);
	if (!rc)
		rc = check_kind(path, target, linked, kind, what, flags, err);
	return rc;
}

/* Create target.tmp.PID exclusively (never through a link someone put there); the
 * descriptor, or -1 with err set. */
static int open_temp(const char *path, const char *target, char *tmp, size_t size, const char *what,
                     struct winit_error *err)
{
	char dir[PATH_MAX];
	const char *base;
	split_path(target, dir, sizeof dir, &base);
	remove_stale_temps(dir, base);
	snprintf(tmp, size, "%s.tmp.%ld", target, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST) {
		/* Left by an earlier process that had this PID: removed, then made anew. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	}
	if (fd < 0)
		winit_error_set(err, WINIT_ERR_IO, "%s: cannot write %s: %s", path, what,
		                strerror(errno));
	return fd;
}

int winit_safe_write_target(const char *path, enum winit_file_kind kind, const char *what,
                            char *out, size_t size, struct winit_error *err)
{
	int linked;
	return resolve_target(path, kind, what ? what : kind_name(kind), out, size, &linked, err);
}

int winit_safe_write_check(const char *path, enum winit_file_kind kind, const char *what,
                           unsigned flags, struct winit_error *err)
{
	char target[PATH_MAX], tmp[PATH_MAX + 32];
	if (!what)
		what = kind_name(kind);
	int rc = prepare(path, kind, what, flags, target, sizeof target, err);
	if (rc)
		return rc;
	int fd = open_temp(path, target, tmp, sizeof tmp, what, err);
	if (fd < 0)
		return WINIT_ERR_IO;
	close(fd);
	unlink(tmp);
	return WINIT_OK;
}

int winit_safe_write_open(struct winit_safe_write *w, const char *path,
                          enum winit_file_kind kind, const char *what, unsigned flags,
                          struct winit_error *err)
{
	memset(w, 0, sizeof *w);
	w->path = path;
	w->what = what ? what : kind_name(kind);
	int rc = prepare(path, kind, w->what, flags, w->target, sizeof w->target, err);
	if (rc)
		return rc;
	int fd = open_temp(path, w->target, w->tmp, sizeof w->tmp, w->what, err);
	if (fd < 0)
		return WINIT_ERR_IO;
	struct stat st;
	if (stat(w->target, &st) == 0) {
		/* The replaced file's permissions, and its owner where we may give it. */
		(void)fchmod(fd, st.st_mode & 07777);
		if (st.st_uid != geteuid() || st.st_gid != getegid())
			if (fchown(fd, st.st_uid, st.st_gid) == 0)
				(void)fchmod(fd, st.st_mode & 07777); /* chown clears set-id bits */
	}
	w->f = fdopen(fd, "w");
	if (!w->f) {
		close(fd);
		unlink(w->tmp);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	}
	return WINIT_OK;
}

void winit_safe_write_bytes(struct winit_safe_write *w, const void *buf, size_t len)
{
	if (!w->f || w->write_errno)
		return;
	if (len && fwrite(buf, 1, len, w->f) != len)
		w->write_errno = errno ? errno : EIO;
}

void winit_safe_write_abort(struct winit_safe_write *w)
{
	if (!w->f)
		return;
	fclose(w->f);
	w->f = NULL;
	unlink(w->tmp);
}

int winit_safe_write_commit(struct winit_safe_write *w, struct winit_error *err)
{
	if (!w->f)
		return winit_error_set(err, WINIT_ERR_ARG, "%s: nothing open to commit", w->path);
	const char *step = "write";
	errno = 0;
	int e = w->write_errno;
	int bad = e != 0;
	if (!bad && (fflush(w->f) != 0 || ferror(w->f))) {
		bad = 1;
		e = errno ? errno : EIO;
	}
	if (!bad && fsync(fileno(w->f)) != 0) {
		step = "fsync";
		bad = 1;
		e = errno;
	}
	if (fclose(w->f) != 0 && !bad) {
		step = "close";
		bad = 1;
		e = errno;
	}
	w->f = NULL;
	if (bad) {
		unlink(w->tmp);
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write %s (%s failed): %s",
		                       w->path, w->what, step, strerror(e));
	}
	if (rename(w->tmp, w->target) != 0) {
		e = errno;
		unlink(w->tmp);
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot replace %s: %s", w->path,
		                       w->what, strerror(e));
	}
	if (winit_sync_dir_of(w->target) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot sync its directory: %s", w->path,
		                       strerror(errno));
	return WINIT_OK;
}
