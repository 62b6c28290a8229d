/* src/results/saver.c -- saving a study's results as its runs finish (winit/results.h):
 * one writer at a time (a lock file), what the file held before kept aside unless it is
 * continued, every finished run appended to the journal in constant time, the file
 * written whole at a bounded interval and at the end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <winit/results.h>

#include "core/fileio.h"
#include "results/results.h"
#include "results/journal.h"
#include "results/spectrum.h"

/* When the file is written whole after a run: always while it is small (as every run's
 * end did before the journal), else once the time since the last whole write is this many
 * times what that write took, so writing costs at most about 1/20 of the study's time
 * however many runs it has, and the file lags the journal by at most 20 writes' time. */
#define ALWAYS_BELOW ((size_t)256 << 10)
#define WRITE_SHARE 20.0

struct winit_results_saver {
	char path[PATH_MAX];   /* as the caller named it, for messages */
	char target[PATH_MAX]; /* the file written (links followed) */
	char journal[PATH_MAX + 16];
	char lock[PATH_MAX + 16];
	int lock_fd, journal_fd;
	char *header;
	size_t header_len;
	size_t n_runs;
	const struct winit_run_spec *runs;
	char **texts; /* run i's entry once done, else NULL */
	size_t *lens;
	char **kept; /* entries kept from the earlier file */
	size_t *kept_len;
	size_t n_kept;
	double last_write, write_cost; /* when the file was last written whole, and how long
	                                * that took (seconds) */
	size_t file_len;               /* its length then */
	size_t count, in_file;         /* runs saved; of them in the file as last written */
	unsigned write_flags;
	int journal_only; /* WINIT_JOURNAL=always: whole writes at open and close
	                   * only, every run through the journal */
};

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Take PATH.lock (flock, non-blocking) with our pid in it; refused with the holder's. */
static int take_lock(struct winit_results_saver *s, struct winit_error *err)
{
	for (int tries = 0; tries < 8; tries++) {
		int fd = open(s->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create the lock file: %s",
			                       s->lock, strerror(errno));
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;
			char pid[32] = "";
			ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
			close(fd);
			if (e != EWOULDBLOCK)
				return winit_error_set(err, WINIT_ERR_IO, "%s: cannot lock: %s", s->lock,
				                       strerror(e));
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "%s: another winit (pid %s) is writing this results file; "
			                       "wait for it to finish, or save to another file (one writer "
			                       "at a time: %s)",
			                       s->path, *pid ? pid : "unknown", s->lock);
		}
		/* The holder before us may have removed the file between our open and flock:
		 * then this lock guards nothing, and we try again on the new file. */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(s->lock, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			char pid[32];
			int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
			if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
				/* The pid is for messages only; the lock holds without it. */
			}
			s->lock_fd = fd;
			return WINIT_OK;
		}
		close(fd);
	}
	return winit_error_set(err, WINIT_ERR_IO, "%s: cannot lock: it keeps being replaced",
	                       s->lock);
}

static void drop_lock(struct winit_results_saver *s)
{
	if (s->lock_fd < 0)
		return;
	unlink(s->lock);
	close(s->lock_fd);
	s->lock_fd = -1;
}

/* The first PATH.N (N = 1, 2, ...) with neither a file nor a journal. */
static int aside_name(const struct winit_results_saver *s, char *out, size_t size)
{
	for (int k = 1; k < 100000; k++) {
		char j[PATH_MAX + 32];
		struct stat st;
		if (snprintf(out, size, "%s.%d", s->target, k) >= (int)size)
			return -1;
		snprintf(j, sizeof j, "%s%s", out, WINIT_JOURNAL_SUFFIX);
		if (lstat(out, &st) != 0 && errno == ENOENT && lstat(j, &st) != 0 && errno == ENOENT)
			return 0;
	}
	return -1;
}

static size_t runs_in(const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	size_t n = json_array_size(json_object_get(root, "runs"));
	json_decref(root);
	return n;
}

/* What the file (or its journal) holds with runs in it goes to PATH.N: written whole
 * when it can be read, else the file and the journal are renamed as they are. */
static int keep_aside(struct winit_results_saver *s, FILE *log, struct winit_error *err)
{
	struct stat st;
	int has_file = lstat(s->target, &st) == 0, has_journal = lstat(s->journal, &st) == 0;
	if (!has_file && !has_journal)
		return WINIT_OK;
	char *text = NULL;
	size_t len = 0;
	struct winit_error lerr = { 0 };
	int readable = winit_results_load_text(s->target, &text, &len, &lerr) == WINIT_OK;
	size_t n = readable ? runs_in(text, len) : 0;
	if (readable && n == 0) {
		free(text);
		return WINIT_OK; /* nothing to lose */
	}
	char aside[PATH_MAX + 16];
	if (aside_name(s, aside, sizeof aside) != 0) {
		free(text);
		return winit_error_set(err, WINIT_ERR_IO, "%s: no free name to keep the earlier "
		                                          "results aside",
		                       s->path);
	}
	int rc = WINIT_OK;
	if (readable) {
		rc = winit_results_replace(aside, text, len, 0, err);
	} else {
		char ja[PATH_MAX + 32];
		snprintf(ja, sizeof ja, "%s%s", aside, WINIT_JOURNAL_SUFFIX);
		if ((has_file && rename(s->target, aside) != 0) ||
		    (has_journal && rename(s->journal, ja) != 0))
			rc = winit_error_set(err, WINIT_ERR_IO, "%s: cannot keep it aside as %s: %s",
			                     s->path, aside, strerror(errno));
	}
	free(text);
	if (rc)
		return rc;
	if (log) {
		if (readable)
			fprintf(log, "%s held %zu %s of an earlier study: kept as %s (continue it "
			             "instead with --resume)\n",
			        s->path, n, n == 1 ? "run" : "runs", aside);
		else
			fprintf(log, "%s could not be read (%s): kept as %s\n", s->path, lerr.msg, aside);
		fflush(log);
	}
	return WINIT_OK;
}

/* The file's text now: the header, the done runs in the study's order, the kept ones. */
static char *compose(const struct winit_results_saver *s, size_t *len)
{
	size_t n = s->n_runs + s->n_kept;
	const char **texts = malloc((n ? n : 1) * sizeof *texts);
	size_t *lens = malloc((n ? n : 1) * sizeof *lens);
	char *out = NULL;
	if (texts && lens) {
		size_t k = 0;
		for (size_t i = 0; i < s->n_runs; i++)
			if (s->texts[i]) {
				texts[k] = s->texts[i];
				lens[k++] = s->lens[i];
			}
		for (size_t i = 0; i < s->n_kept; i++) {
			texts[k] = s->kept[i];
			lens[k++] = s->kept_len[i];
		}
		out = winit_results_join(s->header, s->header_len, texts, lens, k, len);
	}
	free(texts);
	free(lens);
	return out;
}

static int write_file(struct winit_results_saver *s, struct winit_error *err)
{
	size_t len;
	char *text = compose(s, &len);
	if (!text)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the results",
		                       s->path);
	double t0 = now_seconds();
	int rc = winit_results_replace(s->path, text, len, s->write_flags, err);
	free(text);
	s->last_write = now_seconds();
	s->write_cost = s->last_write - t0;
	s->file_len = len;
	if (!rc)
		s->in_file = s->count;
	return rc;
}

static int append_record(int fd, char kind, uint64_t index, const char *text, size_t len)
{
	size_t n;
	char *rec = winit_journal_record(kind, index, text, len, &n);
	if (!rec) {
		errno = ENOMEM;
		return -1;
	}
	int bad = winit_write_all(fd, rec, n);
	free(rec);
	return bad;
}

/* A new journal with the header, the done runs and the kept ones, put in place by a
 * rename so that the old one (if any) stands until the new one is complete. */
static int start_journal(struct winit_results_saver *s, struct winit_error *err)
{
	char tmp[PATH_MAX + 64];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", s->journal, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write the journal: %s", tmp,
		                       strerror(errno));
	int bad = winit_write_all(fd, WINIT_JOURNAL_MAGIC, strlen(WINIT_JOURNAL_MAGIC)) ||
	          append_record(fd, 'H', 0, s->header, s->header_len);
	for (size_t i = 0; !bad && i < s->n_runs; i++)
		if (s->texts[i])
			bad = append_record(fd, 'R', i, s->texts[i], s->lens[i]);
	for (size_t i = 0; !bad && i < s->n_kept; i++)
		bad = append_record(fd, 'K', i, s->kept[i], s->kept_len[i]);
	if (!bad)
		bad = fsync(fd);
	int e = errno;
	if (bad || rename(tmp, s->journal) != 0) {
		e = bad ? e : errno;
		close(fd);
		unlink(tmp);
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write results (write failed): %s",
		                       s->path, strerror(e));
	}
	(void)winit_sync_dir_of(s->journal);
	s->journal_fd = fd;
	return WINIT_OK;
}

static void saver_free(struct winit_results_saver *s)
{
	if (!s)
		return;
	if (s->journal_fd >= 0)
		close(s->journal_fd);
	drop_lock(s);
	for (size_t i = 0; s->texts && i < s->n_runs; i++)
		free(s->texts[i]);
	for (size_t i = 0; s->kept && i < s->n_kept; i++)
		free(s->kept[i]);
	free(s->texts);
	free(s->lens);
	free(s->kept);
	free(s->kept_len);
	free(s->header);
	free(s);
}

int winit_results_saver_open(struct winit_results_saver **out, const char *path,
                             const char *study, uint64_t seed,
                             const struct winit_run_spec *runs,
                             const struct winit_run_result *results, size_t n_runs,
                             const struct winit_save_options *opts, struct winit_error *err)
{
	*out = NULL;
	static const struct winit_save_options none;
	if (!opts)
		opts = &none;
	struct winit_results_sections sec = { opts->coord_checks, opts->n_coord_checks, opts->spectra,
		                              opts->n_spectra };
	int rc = winit_results_sections_check(&sec, path, err);
	if (rc)
		return rc;
	rc = winit_results_check_writable_ext(path, opts->write_flags, err);
	if (rc)
		return rc;
	struct winit_results_saver *s = calloc(1, sizeof *s);
	if (!s)
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory");
	s->lock_fd = s->journal_fd = -1;
	snprintf(s->path, sizeof s->path, "%s", path);
	rc = winit_results_target(path, s->target, sizeof s->target, err);
	if (rc) {
		saver_free(s);
		return rc;
	}
	snprintf(s->journal, sizeof s->journal, "%s%s", s->target, WINIT_JOURNAL_SUFFIX);
	snprintf(s->lock, sizeof s->lock, "%s.lock", s->target);
	s->runs = runs;
	s->n_runs = n_runs;
	s->write_flags = opts->write_flags;
	const char *mode = getenv("WINIT_JOURNAL");
	s->journal_only = mode && strcmp(mode, "always") == 0;
	s->texts = calloc(n_runs ? n_runs : 1, sizeof *s->texts);
	s->lens = calloc(n_runs ? n_runs : 1, sizeof *s->lens);
	s->kept = calloc(opts->n_kept ? opts->n_kept : 1, sizeof *s->kept);
	s->kept_len = calloc(opts->n_kept ? opts->n_kept : 1, sizeof *s->kept_len);
	s->header = winit_results_header_text(study, seed, &sec, &s->header_len);
	int ok = s->texts && s->lens && s->kept && s->kept_len && s->header;
	for (size_t i = 0; ok && i < n_runs; i++)
		if (results[i].done) {
			ok = (s->texts[i] = winit_results_run_text(i, &runs[i], &results[i], &s->lens[i])) != NULL;
			s->count++;
		}
	for (size_t i = 0; ok && i < opts->n_kept; i++) {
		ok = (s->kept[i] = malloc(opts->kept_len[i] + 1)) != NULL;
		if (ok) {
			memcpy(s->kept[i], opts->kept[i], opts->kept_len[i]);
			s->kept[i][opts->kept_len[i]] = '\0';
			s->kept_len[i] = opts->kept_len[i];
			s->n_kept++;
			s->count++;
		}
	}
	if (!ok) {
		saver_free(s);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the results", path);
	}
	rc = take_lock(s, err);
	if (!rc && !opts->resumed)
		rc = keep_aside(s, opts->log, err);
	if (!rc)
		rc = write_file(s, err);
	if (!rc) {
		/* An earlier writer's journal: what it held was taken over (resume) or kept
		 * aside, and the file just written holds what this study keeps of it. */
		unlink(s->journal);
		(void)winit_sync_dir_of(s->journal);
	}
	if (rc) {
		saver_free(s);
		return rc;
	}
	*out = s;
	return WINIT_OK;
}

int winit_results_saver_add(struct winit_results_saver *s, size_t i,
                            const struct winit_run_result *r, struct winit_error *err)
{
	if (i >= s->n_runs)
		return winit_error_set(err, WINIT_ERR_ARG, "run %zu of %zu", i, s->n_runs);
	size_t len;
	char *text = winit_results_run_text(i, &s->runs[i], r, &len);
	if (!text)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the results",
		                       s->path);
	if (!s->texts[i])
		s->count++;
	free(s->texts[i]);
	s->texts[i] = text;
	s->lens[i] = len;
	int due = !s->journal_only &&
	          (s->file_len + len < ALWAYS_BELOW ||
	           now_seconds() - s->last_write >= WRITE_SHARE * s->write_cost);
	if (s->journal_fd < 0) {
		/* No journal yet: the file alone, written whole, as long as that stays cheap;
		 * the journal starts (with every run so far) the first time it would not be. */
		return due ? write_file(s, err) : start_journal(s, err);
	}
	if (append_record(s->journal_fd, 'R', i, text, len) != 0 || fsync(s->journal_fd) != 0)
		/* Named as the results: the journal is how they are written. */
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write results (write failed): %s",
		                       s->path, strerror(errno));
	return due ? write_file(s, err) : WINIT_OK;
}

size_t winit_results_saver_count(const struct winit_results_saver *s)
{
	return s ? s->count : 0;
}

int winit_results_saver_close(struct winit_results_saver *s, struct winit_error *err)
{
	if (!s)
		return WINIT_OK;
	int rc = write_file(s, err);
	/* A journal holding runs the file lacks stays for the readers (winit report, merge,
	 * --resume), and the caller says so; one the file has caught up with goes. */
	if (s->journal_fd < 0) {
		/* none was started */
	} else if (s->in_file == s->count) {
		unlink(s->journal);
		(void)winit_sync_dir_of(s->journal);
	} else if (rc && err) {
		char msg[WINIT_ERROR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		winit_error_set(err, rc, "%s (every finished run is in %s, which winit report, merge "
		                         "and --resume read)",
		                msg, s->journal);
	}
	saver_free(s);
	return rc;
}
