/* winit/report.h -- what a study shows: the final table and the CSV files, from a study's
 * runs or a results file read back.  It includes the headers it was split from, so a
 * program including it alone still sees their declarations: winit/progress.h (progress
 * lines), winit/learning.h (learning-speed metrics) and winit/results.h (the results
 * file: writing, reading back, run descriptions). */
#ifndef WINIT_REPORT_H
#define WINIT_REPORT_H

#include <stdio.h>
#include <winit/learning.h>
#include <winit/progress.h>
#include <winit/results.h>
#include <winit/study.h>

#ifdef __cplusplus
extern "C" {
#endif

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

/* Write dir/runs.csv and dir/summary.csv (winit_results_write_csv, the same writer) for
 * the runs of a results file read back; opts may be NULL (the first condition as the
 * baseline, each run's target from the file). */
int winit_results_file_write_csv(const char *dir, const struct winit_results_file *f,
                                 const struct winit_table_opts *opts, struct winit_error *err);
/* The same with winit_results_write_csv_ext's flags. */
int winit_results_file_write_csv_ext(const char *dir, const struct winit_results_file *f,
                                     const struct winit_table_opts *opts, unsigned flags,
                                     struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_REPORT_H */
