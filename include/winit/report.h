/* winit/report.h -- what a study shows and saves: progress lines, the final table and
 * the results file. */
#ifndef WINIT_REPORT_H
#define WINIT_REPORT_H

#include <stdio.h>
#include <winit/study.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_RESULTS_FORMAT "winit-results"
/* Version 2: seeds ("seed", "run_seed") are decimal strings, exact for 64 bits.
 * docs/results-format.md describes every field. */
#define WINIT_RESULTS_VERSION 2

struct winit_progress; /* opaque */

/* Keras-like per-epoch lines on `out` ("[he_normal] Epoch 2/5 - 1.3s - loss: ... -
 * accuracy: ... - val_loss: ... - val_accuracy: ..."), and, when `live` is non-zero
 * (stdout is a terminal), a progress line redrawn in place at most ten times a second:
 * the study's ("run 37 of 450, 2 in flight, 3m10s, ETA 35m": runs begun or done, runs
 * training now, time since the first started, and the time left at the rate so far),
 * then each running run's epoch, step, loss, accuracy and ETA.
 * It only reports: stopping is winit/cancel.h's business. */
struct winit_progress *winit_progress_new(FILE *out, const struct winit_run_spec *runs,
                                          size_t n_runs, int live);
/* The study's results (winit_study_run's `results`), so that the live line counts the
 * runs already done when the first run starts (resumed, or another shard's) as done:
 * "run 402 of 450".  Without it every run counts as to do. */
void winit_progress_results(struct winit_progress *p, const struct winit_run_result *results);
/* Fill obs with callbacks that report to p. */
void winit_progress_observer(struct winit_progress *p, struct winit_observer *obs);
void winit_progress_free(struct winit_progress *p);

/* How fast a run learned, from its per-epoch validation accuracy. */
struct winit_learning {
	int32_t best_epoch;       /* 1-based epoch of the highest validation accuracy (the first
	                           * such); 0 without validation */
	double best_val_accuracy; /* its value; NaN without validation */
	int32_t epochs_to_target; /* first epoch whose validation accuracy >= target; 0: never
	                           * reached, or no target (target <= 0) */
	double val_auc;           /* area under the validation-accuracy curve with the epochs
	                           * scaled to [0, 1]: the mean validation accuracy over the epochs
	                           * (1 = perfect from the first epoch); NaN without validation */
	int32_t val_snapshots;    /* diagnostics snapshots that measured validation accuracy
	                           * (winit_diag_snapshot.val_rows > 0) */
	int64_t steps_to_target;  /* the step of the first such snapshot, in the order taken,
	                           * whose val_accuracy >= target (no interpolation between
	                           * snapshots: steps 0, 1, 2, 4, ..., 512, then each epoch's
	                           * last); -1: never reached, no target, or no such snapshot */
};

/* The learning metrics of a run from its per-epoch history and, for steps_to_target, its
 * diagnostics snapshots (diag may be NULL: none).  target <= 0: no target. */
void winit_learning_metrics(struct winit_learning *out, const struct winit_history *history,
                            const struct winit_diagnostics *diag, double target);

/* How the final table compares conditions. */
struct winit_table_opts {
	const char *baseline; /* the label every condition is compared with (or a grid's
	                       * "factor=level"); NULL: the first */
	double target;        /* validation accuracy for epochs-to-target; <= 0: each run's
	                       * spec.target */
};

/* The table printed at the end: one row per condition (the runs sharing a label), test
 * accuracy and loss.  With several runs per label: n, mean, sd, the 95% Student-t
 * interval, min and max; then each condition against the baseline (the difference with
 * its 95% CI, a paired t-test on replicate r of each in the paired design, Welch's
 * otherwise, Holm-Bonferroni adjusted p-values, d_z or Cohen's d), with no p-value below
 * WINIT_STATS_MIN_TEST_N replicates.  opts may be NULL (defaults). */
void winit_results_print_table_opts(FILE *out, const struct winit_run_spec *runs,
                                    const struct winit_run_result *results, size_t n_runs,
                                    const struct winit_table_opts *opts);
/* winit_results_print_table_opts with the defaults. */
void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs);

/* Write dir/runs.csv (one row per run and epoch: the run, its label, grid factors,
 * replicate, design, run seed, status, the epoch's metrics, the run's test metrics and
 * learning speed) and dir/summary.csv (one row per condition: the table's statistics and
 * its comparison with the baseline), creating dir (one level).  RFC 4180 quoting, '.'
 * decimals, NA for missing values: pandas.read_csv and R's read.csv need no options.
 * opts may be NULL. */
int winit_results_write_csv(const char *dir, const struct winit_run_spec *runs,
                            const struct winit_run_result *results, size_t n_runs,
                            const struct winit_table_opts *opts, struct winit_error *err);
/* The same, each file written as winit/safe_write.h writes files: an existing runs.csv or
 * summary.csv that is not a CSV table winit wrote (nor empty) is refused unless flags has
 * WINIT_WRITE_FORCE; a device, FIFO, socket or directory by that name is always refused. */
int winit_results_write_csv_ext(const char *dir, const struct winit_run_spec *runs,
                                const struct winit_run_result *results, size_t n_runs,
                                const struct winit_table_opts *opts, unsigned flags,
                                struct winit_error *err);

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
	char kernels[32];               /* result.kernels points here */
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

/* Write dir/runs.csv and dir/summary.csv (winit_results_write_csv, the same writer) for
 * the runs of a results file read back; opts may be NULL (the first condition as the
 * baseline, each run's target from the file). */
int winit_results_file_write_csv(const char *dir, const struct winit_results_file *f,
                                 const struct winit_table_opts *opts, struct winit_error *err);
/* The same with winit_results_write_csv_ext's flags. */
int winit_results_file_write_csv_ext(const char *dir, const struct winit_results_file *f,
                                     const struct winit_table_opts *opts, unsigned flags,
                                     struct winit_error *err);

/* The description of the run spec as its results-file entry holds it, in the canonical
 * form of winit_results_run.description: two runs with equal descriptions compute the
 * same numbers.  Returns a malloc'ed string, NULL when out of memory. */
char *winit_results_describe(const struct winit_run_spec *spec);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_REPORT_H */
