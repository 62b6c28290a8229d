/* winit/results.h -- the results file on disk: saving a study's runs as they finish, and
 * reading the file back whole, whatever moment its writer stopped at; below, the file's
 * format and version, writing it whole (winit_results_write_json), reading it back
 * (winit_results_read) and the canonical run descriptions resume compares.
 *
 * A study saves through a struct winit_results_saver.  Each finished run is appended to a
 * journal beside the results file (PATH.journal: one record per run, each with its length
 * and a CRC-32, fsync'ed), which costs the same whatever the number of runs before it;
 * the results file itself is written whole (temporary file, fsync, rename) when the
 * saver opens, after a run while the file is small (256 KiB), else when the time since
 * the last whole write is 20 times what that write took (so saving costs a bounded share
 * of the study's time, however many runs it has), and when the saver closes, which also
 * removes the journal.  While a journal is there it holds every run the file
 * should, so winit_results_load_text puts together the text the file would hold now: a
 * study killed at any moment loses no finished run (a torn last record, the one being
 * written, is detected and dropped).  The journal's format is docs/results-format.md's
 * last section.
 *
 * One writer at a time: the saver holds a lock (PATH.lock, flock(2), with the holder's
 * pid in it) from open to close, and a second saver of the same file is refused naming
 * that pid.  A file that already holds runs, opened without taking them over (resume),
 * is kept aside as PATH.1 (or the next free number), never dropped.
 */
#ifndef WINIT_RESULTS_H
#define WINIT_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <winit/coord.h>
#include <winit/spectrum.h>
#include <winit/error.h>
#include <winit/study.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The results file's text at path: the file as it is, or, while a journal lies beside it
 * (its writer is running, or was stopped), the text the writer would have written now.
 * *text is malloc'd and NUL-terminated (the caller frees it).  A journal whose records
 * are damaged anywhere but at its end is refused, naming the byte.  WINIT_ERR_IO with
 * errno ENOENT when there is neither file nor journal. */
int winit_results_load_text(const char *path, char **text, size_t *len,
                            struct winit_error *err);

struct winit_results_saver; /* opaque */

struct winit_save_options {
	/* The runs of `results` marked done were taken over from the file (resume): they
	 * are kept, and the file is not kept aside. */
	int resumed;
	/* Entries of the existing file to keep as they are, after the study's own runs
	 * (resume keeps runs the script no longer lists): texts as winit_results_load_text
	 * returned them, each one run's object. */
	const char *const *kept;
	const size_t *kept_len;
	size_t n_kept;
	/* Where to say what was kept aside; NULL: nowhere. */
	FILE *log;
	/* winit/safe_write.h's flags for every write of the file (WINIT_WRITE_FORCE: replace
	 * a file of another kind at the path). */
	unsigned write_flags;
	/* Coordinate checks the file holds ("coord_checks", before its runs) and Jacobian
	 * spectra ("spectra", after them): the caller's, read only while the saver opens (the
	 * file's header is made then).  Refused as winit_results_sections_check refuses them,
	 * before the file is touched. */
	const struct winit_coord_check *coord_checks;
	size_t n_coord_checks;
	const struct winit_spectrum *spectra;
	size_t n_spectra;
};

/* Lock the results file at path, keep aside what it holds (unless resumed), and start
 * its journal with the header and the runs already done.  runs and results stay the
 * caller's and must outlive the saver. */
int winit_results_saver_open(struct winit_results_saver **out, const char *path,
                             const char *study, uint64_t seed,
                             const struct winit_run_spec *runs,
                             const struct winit_run_result *results, size_t n_runs,
                             const struct winit_save_options *opts, struct winit_error *err);
/* Run i finished with r: append it to the journal (and write the file whole when due).
 * Not thread-safe: callers serialise their calls. */
int winit_results_saver_add(struct winit_results_saver *s, size_t i,
                            const struct winit_run_result *r, struct winit_error *err);
/* How many runs the saved file holds now (taken over, kept and added). */
size_t winit_results_saver_count(const struct winit_results_saver *s);
/* Write the file whole, remove the journal and the lock, free the saver (also on
 * failure; NULL is a no-op). */
int winit_results_saver_close(struct winit_results_saver *s, struct winit_error *err);

/* What resuming took from a results file. */
struct winit_resume {
	size_t restored; /* runs taken over (marked done in results) */
	/* Runs of the file the study does not list, as their text: for the saver's kept. */
	char **kept;
	size_t *kept_len;
	size_t n_kept;
	/* The file's coordinate checks and spectra (owned; none with prune): the saver keeps
	 * those the study does not attach again (winit_study_run). */
	struct winit_coord_check *coord_checks;
	size_t n_coord_checks;
	struct winit_spectrum *spectra;
	size_t n_spectra;
};

/* Continue a study from the results file at path (none yet, or only its journal: read as
 * winit_results_load_text does; none at all: nothing to take, every run runs).  Every run
 * of the file that finished ("ok") and whose description (winit_results_describe) equals
 * runs[i]'s is moved into results[i], marked done; kernels (n entries) keeps its kernel
 * name.  Runs of the file that the study does not list are kept (out->kept), or dropped
 * with prune; so are its coordinate checks and spectra (out->coord_checks, out->spectra:
 * the study's own, attached again, replace those of the same key).  A file of another study or seed, format or version, or malformed, is
 * refused.  With log, one line says what was taken, and one what was kept or dropped. */
int winit_results_resume(const char *path, const char *study, uint64_t seed,
                         const struct winit_run_spec *runs, struct winit_run_result *results,
                         char (*kernels)[32], size_t n, int prune, FILE *log,
                         struct winit_resume *out, struct winit_error *err);
void winit_resume_free(struct winit_resume *r);

/* ---------------------------------------------------------------- format, writing */

#define WINIT_RESULTS_FORMAT "winit-results"
/* Version 2: seeds ("seed", "run_seed") are decimal strings, exact for 64 bits.
 * docs/results-format.md describes every field. */
#define WINIT_RESULTS_VERSION 2

/* Write the results file (JSON, docs/results-format.md): format, version, study name and
 * seed, and for every finished run its full description, derived seed, per-epoch
 * history and test metrics.  Written as winit/safe_write.h writes every file: only a
 * regular file is replaced, and only a results file (or an empty one) unless flags has
 * WINIT_WRITE_FORCE; a symbolic link is followed (the link stays, the file it names is
 * replaced, under the same checks); the text goes to TARGET.tmp.PID, is fsync'ed and
 * renamed over the target, and the directory is fsync'ed: a crash or a failed write
 * leaves the previous complete file.  Parent directories are created.  Errors carry
 * strerror's text.  winit_results_write_json is the _ext form with flags 0. */
int winit_results_write_json(const char *path, const char *study, uint64_t seed,
                             const struct winit_run_spec *runs,
                             const struct winit_run_result *results, size_t n_runs,
                             struct winit_error *err);
int winit_results_write_json_ext(const char *path, const char *study, uint64_t seed,
                                 const struct winit_run_spec *runs,
                                 const struct winit_run_result *results, size_t n_runs,
                                 unsigned flags, struct winit_error *err);
/* The sections a results file holds before its runs, each optional (NULL, 0: none). */
struct winit_results_sections {
	const struct winit_coord_check *coord_checks; /* "coord_checks" (winit/coord.h) */
	size_t n_coord_checks;
	const struct winit_spectrum *spectra; /* "spectra" (winit/spectrum.h) */
	size_t n_spectra;
};

/* The same with n_cc coordinate checks (winit/coord.h) in "coord_checks" (none: as _ext). */
int winit_results_write_json_coord(const char *path, const char *study, uint64_t seed,
                                   const struct winit_run_spec *runs,
                                   const struct winit_run_result *results, size_t n_runs,
                                   const struct winit_coord_check *cc, size_t n_cc,
                                   unsigned flags, struct winit_error *err);
/* The same with the sections sec (NULL: none) before the runs.  Sections the readers would
 * refuse (winit_results_sections_check) are refused before anything is written. */
/* Whether the sections sec (NULL: none) can be written to the file at path: every
 * coordinate check valid (winit_coord_check_validate) and no key (name, parametrization)
 * twice, every spectrum valid (winit_spectrum_validate) and no name twice.  WINIT_ERR_ARG
 * names path and the section: the writers never write a file their readers refuse. */
int winit_results_sections_check(const struct winit_results_sections *sec, const char *path,
                                 struct winit_error *err);
int winit_results_write_json_sections(const char *path, const char *study, uint64_t seed,
                                      const struct winit_run_spec *runs,
                                      const struct winit_run_result *results, size_t n_runs,
                                      const struct winit_results_sections *sec, unsigned flags,
                                      struct winit_error *err);

/* Check, before any training, that a results file can be written at path (the rules of
 * winit_results_write_json_ext, with the same flags): its parent directories are created
 * and a temporary file is made next to it and removed again.  Temporary files of killed
 * writers (PATH.tmp.PID whose process is gone) are removed.  An existing results file is
 * left untouched. */
int winit_results_check_writable(const char *path, struct winit_error *err);
int winit_results_check_writable_ext(const char *path, unsigned flags, struct winit_error *err);

/* ---------------------------------------------------------------- reading */

/* One run of a results file: its description (as canonical JSON, to compare with
 * winit_results_describe) and its outcome as a struct winit_run_result. */
struct winit_results_run {
	char name[WINIT_RUN_NAME_MAX];
	char label[WINIT_RUN_NAME_MAX];
	int32_t replicate;
	uint64_t seed;     /* the study seed the run derived from */
	int32_t design;    /* enum winit_design */
	int32_t n_factors; /* a grid run's factors, else 0 */
	struct winit_factor factors[WINIT_FACTORS_MAX];
	double target;                  /* learning.target; 0 when the file states none */
	int32_t expect;                 /* enum winit_expect: the file's "expect" */
	char status[16];                /* as written: "ok", "failed", ... */
	char *description;              /* canonical JSON (keys sorted, compact), owned */
	char kernels[32];               /* as written (result.kernels is this process's name
	                                 * for that set, or "unknown") */
	struct winit_run_result result; /* done = 1; status 0 for "ok", WINIT_ERR_DIVERGED
	                                 * for "diverged", else non-zero;
	                                 * history owned */
};

struct winit_results_file {
	char format[32];
	int32_t version;
	char generator[64];
	char study[WINIT_RUN_NAME_MAX];
	uint64_t seed;
	size_t n_runs;
	struct winit_results_run *runs; /* owned */
	size_t n_coord_checks;
	struct winit_coord_check *coord_checks; /* owned: the file's "coord_checks" */
	size_t n_spectra;
	struct winit_spectrum *spectra; /* owned: the file's "spectra" */
};

/* Read a results file written by winit_results_write_json (with Jansson), validated as
 * every reader validates it (docs/results-format.md, "Validation").  Refused, with the
 * reason: a file that is not a regular file, not JSON (line and column; a key twice in an
 * object), of another format, of a version other than WINIT_RESULTS_VERSION (older or
 * newer), or with a member of the wrong type or out of range (named by its place, e.g.
 * "runs[2].history[0].loss").  On success fill out (free with winit_results_file_free);
 * on failure out is empty. */
int winit_results_read(const char *path, struct winit_results_file *out,
                       struct winit_error *err);
void winit_results_file_free(struct winit_results_file *f);

/* The description of the run spec as its results-file entry holds it, in the canonical
 * form of winit_results_run.description: two runs with equal descriptions compute the
 * same numbers.  Returns a malloc'ed string, NULL when out of memory. */
char *winit_results_describe(const struct winit_run_spec *spec);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_RESULTS_H */
