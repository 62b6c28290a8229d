/* src/analysis/conditions.h -- internal to the report writers: runs grouped into conditions
 * (the runs that share a label), once, with every per-condition summary the table, the CSV
 * files and the HTML report show, and every condition compared with a baseline.  The runs
 * come from a study (winit_run_spec and winit_run_result: table.c, csv.c) or from a results
 * file read for the report (winit/report_page.h: html.c); both are read through one
 * struct cond_run per run, so the grouping and the summaries are the same code. */
#ifndef WINIT_REPORT_CONDITIONS_H
#define WINIT_REPORT_CONDITIONS_H

#include <winit/learning.h>
#include <winit/report.h>
#include <winit/report_page.h>
#include <winit/stats.h>

#include "core/internal.h"

/* What grouping and the summaries read of one run, whichever model holds it. */
struct cond_run {
	const char *label;
	const struct winit_run_spec *spec; /* its grid factors; NULL: none (the page model) */
	int32_t replicate;
	int paired;          /* in the paired design */
	int done;            /* finished (a study's runs may not all be) */
	int status;          /* 0: ok; WINIT_ERR_DIVERGED; anything else: failed */
	int expect_diverged; /* the script expected it to diverge */
	int has_test;
	double test_accuracy, test_loss;
	int has_val;         /* its last epoch validated */
	double val_accuracy; /* then: the last epoch's validation accuracy */
	double seconds;      /* NaN when unknown */
	double lm_target;         /* the validation accuracy lm was measured against */
	struct winit_learning lm; /* learning speed (val_auc NaN and best_epoch 0 when unknown) */
};

/* One condition: the runs of one label, in the order the runs came.  The test statistics
 * (n, acc, ...) are over its runs that finished with a test evaluation. */
struct cond {
	const char *label;
	const struct winit_run_spec *spec; /* its first run's (NULL without factors): the grid cell */
	size_t first;                      /* index of its first run */
	size_t n_runs;                     /* its runs, whatever their outcome */
	size_t *idx;                       /* (n_runs) their indices, in order */
	size_t n;                          /* finished runs with a test result */
	size_t failed;                     /* finished runs that failed */
	size_t diverged;                   /* of the failed, those that diverged (left out of every
	                                    * statistic, like every failed run) */
	size_t expected;                   /* of the diverged, those expected to (spec.expect) */
	size_t unmet;                      /* finished runs that were expected to diverge */
	size_t untested;                   /* finished runs that did not fail but had no test set
	                                    * (no test result: not failed either) */
	int paired;                        /* every run of it is in the paired design */
	double *acc;                       /* (n) test accuracy */
	double *loss;                      /* (n) test loss */
	int32_t *rep;                      /* (n) replicate index */
	double *best, *ttt, *auc;          /* (n) best validation epoch, epochs to the target
	                                    * (NaN: not reached), validation AUC */
	double *stt;                       /* (n) steps to the target at the diagnostics
	                                    * snapshots (NaN: not reached, or not measured) */
	double target;                     /* the target the runs were measured against */
	size_t reached;                    /* runs that reached it (by epoch) */
	size_t step_measured;              /* runs whose snapshots measured validation accuracy */
	size_t reached_steps;              /* of those, runs that reached it at a snapshot */
	struct winit_summary sbest, sttt, sauc, sstt;
	size_t last; /* run index of the last value, for the single-run row */
	struct winit_summary sa, sl;
	/* Over every run that finished without failing, tested or not (the report's page): */
	struct winit_summary sval;  /* last-epoch validation accuracy, of those that validated */
	struct winit_summary ssec;  /* seconds per run, of those that timed it */
	size_t ok_measured;         /* those whose snapshots measured validation accuracy */
	size_t ok_reached;          /* of those, runs that reached the target at a snapshot */
	struct winit_summary sokst; /* the steps it took them */
};

struct table {
	struct cond *c;
	size_t n;
	double *mem;
	int32_t *reps;
	size_t *idx;
	/* The key columns: one per grid factor when every condition is a cell of the same
	 * grid, else the label alone (nf = 0, width w[0]). */
	int nf;
	int w[WINIT_FACTORS_MAX];
	double target; /* the target shown (that of the first condition), 0 for none */
};

#define WINIT_NO_BASE ((size_t)-1)

/* Group runs by label, in the order labels first appear, and summarize each condition.
 * The conditions point at the runs' labels and specs, not into `runs`.  Returns -1 when
 * out of memory (t is then empty). */
WINIT_INTERNAL int winit_conds_group(struct table *t, const struct cond_run *runs, size_t n_runs);

/* The same for a study's runs; measure every run's learning speed against `target` (<= 0:
 * each run's spec.target). */
WINIT_INTERNAL int winit_conds_build(struct table *t, const struct winit_run_spec *runs,
                                     const struct winit_run_result *results, size_t n_runs,
                                     double target);

/* The same for a results file read for the report: its learning speed as the file holds
 * it (steps to the target only), a test result only when its accuracy is finite. */
WINIT_INTERNAL int winit_conds_build_report(struct table *t, const struct winit_report_study *r);
WINIT_INTERNAL void winit_conds_free(struct table *t);

/* Compare every condition with its baseline (a label, a grid's "factor=level", or NULL
 * for the first condition).  Fills, for each condition i of t (arrays of t->n):
 * base[i] (the index compared with, or WINIT_NO_BASE), cmp[i] (p is NaN below
 * WINIT_STATS_MIN_TEST_N replicates) and p_holm[i]; *family counts the p-values adjusted
 * together.  Returns 1, 0 when the baseline names no condition (the first is used), -1
 * when out of memory. */
WINIT_INTERNAL int winit_conds_compare(const struct table *t, const char *baseline, size_t n_runs,
                                       struct winit_comparison *cmp, double *p_holm, size_t *base,
                                       size_t *family);

#endif /* WINIT_REPORT_CONDITIONS_H */
