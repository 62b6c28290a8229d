/* src/report/table.c -- the table a study prints at the end: one row per condition (the
 * runs that share a label), and with replicates the statistics that say whether a
 * difference is real: a 95% interval per condition, then every condition against the
 * baseline the script names (paired t-test in the paired design, Welch otherwise), with
 * Holm-Bonferroni adjusted p-values across the table's comparisons. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/report.h>
#include <winit/stats.h>

/* One condition: its runs that finished with a test evaluation. */
struct cond {
	const char *label;
	size_t first;  /* index of its first run */
	size_t n;      /* finished runs with a test result */
	size_t failed; /* finished runs without one */
	int paired;    /* every run of it is in the paired design */
	double *acc;   /* (n) test accuracy */
	double *loss;  /* (n) test loss */
	int32_t *rep;  /* (n) replicate index */
	size_t last;   /* run index of the last value, for the single-run row */
	struct winit_summary sa, sl;
};

struct table {
	struct cond *c;
	size_t n;
	double *mem;
	int32_t *reps;
};

static int first_of_label(const struct winit_run_spec *runs, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(runs[k].label, runs[i].label) == 0)
			return 0;
	return 1;
}

static void table_free(struct table *t)
{
	free(t->c);
	free(t->mem);
	free(t->reps);
	memset(t, 0, sizeof *t);
}

/* Group the runs by label, in the order labels first appear. */
static int table_build(struct table *t, const struct winit_run_spec *runs,
                       const struct winit_run_result *results, size_t n_runs)
{
	size_t m = n_runs ? n_runs : 1;
	memset(t, 0, sizeof *t);
	t->c = calloc(m, sizeof *t->c);
	t->mem = malloc(2 * m * sizeof *t->mem);
	t->reps = malloc(m * sizeof *t->reps);
	if (!t->c || !t->mem || !t->reps) {
		table_free(t);
		return -1;
	}
	size_t used = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (!first_of_label(runs, i))
			continue;
		struct cond *c = &t->c[t->n++];
		c->label = runs[i].label;
		c->first = i;
		c->paired = 1;
		c->acc = t->mem + used;
		c->loss = t->mem + m + used;
		c->rep = t->reps + used;
		for (size_t k = i; k < n_runs; k++) {
			if (strcmp(runs[k].label, c->label) != 0)
				continue;
			if (runs[k].design != WINIT_DESIGN_PAIRED)
				c->paired = 0;
			if (!results[k].done)
				continue;
			if (results[k].status || !results[k].has_test) {
				c->failed++;
				continue;
			}
			c->acc[c->n] = results[k].test_accuracy;
			c->loss[c->n] = results[k].test_loss;
			c->rep[c->n] = runs[k].replicate;
			c->last = k;
			c->n++;
		}
		used += c->n;
		winit_summarize(&c->sa, c->acc, c->n);
		winit_summarize(&c->sl, c->loss, c->n);
	}
	return 0;
}

/* Compare c with base: paired on the replicates both have when both are paired,
 * Welch otherwise.  x and b are scratch of n_runs values. */
static void compare(struct winit_comparison *out, const struct cond *c, const struct cond *base,
                    double *x, double *b)
{
	if (c->paired && base->paired) {
		size_t n = 0;
		for (size_t i = 0; i < c->n; i++)
			for (size_t j = 0; j < base->n; j++)
				if (c->rep[i] == base->rep[j]) {
					x[n] = c->acc[i];
					b[n] = base->acc[j];
					n++;
					break;
				}
		winit_compare_paired(out, x, b, n);
	} else {
		winit_compare_welch(out, c->acc, c->n, base->acc, base->n);
	}
}

static void print_single(FILE *out, const struct table *t, int width,
                         const struct winit_run_result *results)
{
	fprintf(out, "%-*s %13s %10s %14s %9s\n", width, "initializer", "test_accuracy", "test_loss",
	        "val_accuracy", "seconds");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		if (c->n == 0) {
			fprintf(out, "%-*s %s\n", width, c->label, c->failed ? "failed (see above)" : "not run");
			continue;
		}
		const struct winit_run_result *r = &results[c->last];
		const struct winit_epoch_stats *h = r->history.n > 0 ? &r->history.epochs[r->history.n - 1] : NULL;
		fprintf(out, "%-*s %13.4f %10.4f ", width, c->label, r->test_accuracy, r->test_loss);
		if (h && h->has_val)
			fprintf(out, "%14.4f", h->val_accuracy);
		else
			fprintf(out, "%14s", "-");
		fprintf(out, " %9.1f\n", r->seconds);
	}
	if (t->n > 1)
		fprintf(out, "\nOne run per initializer cannot rank them: seed-to-seed spread is often "
		             "larger than the gaps.\nRun with replicates (e.g. --repeats 5) for means, "
		             "intervals and significance tests.\n");
}

static void print_summaries(FILE *out, const struct table *t, int width)
{
	fprintf(out, "%-*s %4s %-8s %-8s %-18s %-8s %-8s %s\n", width, "initializer", "n",
	        "mean_acc", "sd", "95% CI", "min", "max", "test_loss");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		if (c->n == 0) {
			fprintf(out, "%-*s %s\n", width, c->label, c->failed ? "failed (see above)" : "not run");
			continue;
		}
		char ci[40] = "-";
		if (c->n > 1)
			snprintf(ci, sizeof ci, "[%.4f, %.4f]", c->sa.ci_lo, c->sa.ci_hi);
		fprintf(out, "%-*s %4zu %.4f   %.4f   %-18s %.4f   %.4f   %.4f +- %.4f%s\n", width, c->label,
		        c->n, c->sa.mean, c->sa.sd, ci, c->sa.min, c->sa.max, c->sl.mean, c->sl.sd,
		        c->failed ? "  (some runs failed)" : "");
	}
}

static void print_comparisons(FILE *out, const struct table *t, int width, size_t base_i,
                              size_t n_runs)
{
	const struct cond *base = &t->c[base_i];
	struct winit_comparison *cmp = calloc(t->n, sizeof *cmp);
	double *p = malloc(t->n * sizeof *p);
	double *x = malloc(2 * n_runs * sizeof *x);
	if (!cmp || !p || !x) {
		fprintf(out, "(out of memory for the comparisons)\n");
		goto out;
	}
	size_t family = 0;
	int paired = base->paired;
	for (size_t i = 0; i < t->n; i++) {
		p[i] = NAN;
		if (i == base_i || t->c[i].n == 0)
			continue;
		compare(&cmp[i], &t->c[i], base, x, x + n_runs);
		paired &= cmp[i].paired;
		/* Below the minimum no p-value is shown, so none enters the family. */
		if (t->c[i].n >= WINIT_STATS_MIN_TEST_N && base->n >= WINIT_STATS_MIN_TEST_N) {
			p[i] = cmp[i].p;
			family += !isnan(p[i]);
		}
	}
	winit_holm(p, p, t->n);
	fprintf(out, "\nAgainst %s (test accuracy, condition - baseline; %s):\n", base->label,
	        paired ? "paired t-test on replicate r of each, which share data order and untouched weights" :
	                 "Welch's t-test, independent runs");
	fprintf(out, "  %-*s %-8s %-20s %7s %5s %-9s %-9s %s\n", width, "initializer", "diff", "95% CI",
	        "t", "df", "p", "p_holm", paired ? "d_z" : "cohen_d");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		const struct winit_comparison *k = &cmp[i];
		if (i == base_i || c->n == 0)
			continue;
		char ci[48] = "-";
		if (!isnan(k->ci_lo))
			snprintf(ci, sizeof ci, "[%+.4f, %+.4f]", k->ci_lo, k->ci_hi);
		fprintf(out, "  %-*s %+.4f  %-20s ", width, c->label, k->diff, ci);
		if (c->n < WINIT_STATS_MIN_TEST_N || base->n < WINIT_STATS_MIN_TEST_N) {
			fprintf(out, "no p-value: %zu and %zu replicates; a test needs %d or more per condition\n",
			        c->n, base->n, WINIT_STATS_MIN_TEST_N);
			continue;
		}
		if (isnan(k->p)) {
			fprintf(out, "no p-value: the differences have no spread\n");
			continue;
		}
		fprintf(out, "%7.2f %5.1f %-9.3g %-9.3g %+.2f\n", k->t, k->df, k->p, p[i], k->effect);
	}
	if (family > 1)
		fprintf(out, "  (p_holm: Holm-Bonferroni adjusted over these %zu comparisons)\n", family);
out:
	free(cmp);
	free(p);
	free(x);
}

void winit_results_print_table_opts(FILE *out, const struct winit_run_spec *runs,
                                    const struct winit_run_result *results, size_t n_runs,
                                    const struct winit_table_opts *opts)
{
	struct table t;
	if (table_build(&t, runs, results, n_runs)) {
		fprintf(out, "(out of memory for the table)\n");
		return;
	}
	int width = 12, multi = t.n < n_runs;
	for (size_t i = 0; i < t.n; i++)
		if ((int)strlen(t.c[i].label) > width)
			width = (int)strlen(t.c[i].label);
	if (!multi) {
		print_single(out, &t, width, results);
		table_free(&t);
		return;
	}
	print_summaries(out, &t, width);
	size_t base = 0;
	if (opts && opts->baseline) {
		while (base < t.n && strcmp(t.c[base].label, opts->baseline) != 0)
			base++;
		if (base == t.n) {
			fprintf(out, "\n(baseline '%s' is not a condition of this study: comparing against '%s')\n",
			        opts->baseline, t.c[0].label);
			base = 0;
		}
	}
	if (t.n > 1 && t.c[base].n > 0)
		print_comparisons(out, &t, width, base, n_runs);
	else if (t.n > 1)
		fprintf(out, "\nNo comparisons: the baseline '%s' has no finished run.\n", t.c[base].label);
	table_free(&t);
}

void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs)
{
	winit_results_print_table_opts(out, runs, results, n_runs, NULL);
}
