/* src/analysis/conditions.h -- internal to the report writers: a study's runs grouped into
 * conditions and compared with a baseline (table.c prints them, csv.c saves them). */
#ifndef WINIT_REPORT_CONDITIONS_H
#define WINIT_REPORT_CONDITIONS_H

#include <winit/report.h>
#include <winit/stats.h>

#include "core/internal.h"

/* One condition: its runs that finished with a test evaluation. */
struct cond {
	const char *label;
	const struct winit_run_spec *spec; /* its first run: the grid cell, if any */
	size_t first;                      /* index of its first run */
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
};

struct table {
	struct cond *c;
	size_t n;
	double *mem;
	int32_t *reps;
	/* The key columns: one per grid factor when every condition is a cell of the same
	 * grid, else the label alone (nf = 0, width w[0]). */
	int nf;
	int w[WINIT_FACTORS_MAX];
	double target; /* the target shown (that of the first condition), 0 for none */
};

#define WINIT_NO_BASE ((size_t)-1)

/* Group runs by label, in the order labels first appear; measure every run's learning
 * speed against `target` (<= 0: each run's spec.target).  Returns -1 when out of memory. */
WINIT_INTERNAL int winit_conds_build(struct table *t, const struct winit_run_spec *runs,
                                     const struct winit_run_result *results, size_t n_runs,
                                     double target);
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
