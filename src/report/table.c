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
	const struct winit_run_spec *spec; /* its first run: the grid cell, if any */
	size_t first;                      /* index of its first run */
	size_t n;                          /* finished runs with a test result */
	size_t failed;                     /* finished runs without one */
	int paired;                        /* every run of it is in the paired design */
	double *acc;                       /* (n) test accuracy */
	double *loss;                      /* (n) test loss */
	int32_t *rep;                      /* (n) replicate index */
	double *best, *ttt, *auc;          /* (n) best validation epoch, epochs to the target
	                                    * (NaN: not reached), validation AUC */
	double target;                     /* the target the runs were measured against */
	size_t reached;                    /* runs that reached it */
	struct winit_summary sbest, sttt, sauc;
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

/* Summary of the non-NaN values of x (compacted in place); *kept counts them. */
static void summarize_finite(struct winit_summary *s, double *x, size_t n, size_t *kept)
{
	double *tmp = malloc((n ? n : 1) * sizeof *tmp);
	size_t k = 0;
	for (size_t i = 0; tmp && i < n; i++)
		if (!isnan(x[i]))
			tmp[k++] = x[i];
	winit_summarize(s, tmp ? tmp : x, k);
	if (kept)
		*kept = k;
	free(tmp);
}

static int same_factor_names(const struct winit_run_spec *a, const struct winit_run_spec *b)
{
	if (a->n_factors != b->n_factors)
		return 0;
	for (int32_t f = 0; f < a->n_factors; f++)
		if (strcmp(a->factors[f].name, b->factors[f].name) != 0)
			return 0;
	return 1;
}

static void table_columns(struct table *t)
{
	t->nf = t->n ? t->c[0].spec->n_factors : 0;
	for (size_t i = 1; i < t->n && t->nf; i++)
		if (!same_factor_names(t->c[i].spec, t->c[0].spec))
			t->nf = 0;
	if (t->nf == 0) {
		t->w[0] = 12;
		for (size_t i = 0; i < t->n; i++)
			if ((int)strlen(t->c[i].label) > t->w[0])
				t->w[0] = (int)strlen(t->c[i].label);
		return;
	}
	for (int f = 0; f < t->nf; f++) {
		t->w[f] = (int)strlen(t->c[0].spec->factors[f].name);
		for (size_t i = 0; i < t->n; i++)
			if ((int)strlen(t->c[i].spec->factors[f].value) > t->w[f])
				t->w[f] = (int)strlen(t->c[i].spec->factors[f].value);
	}
}

/* The key cells of condition c (the header's when c is NULL). */
static void print_key(FILE *out, const struct table *t, const struct cond *c)
{
	if (t->nf == 0) {
		fprintf(out, "%-*s", t->w[0], c ? c->label : "initializer");
		return;
	}
	for (int f = 0; f < t->nf; f++)
		fprintf(out, "%s%-*s", f ? "  " : "", t->w[f],
		        c ? c->spec->factors[f].value : t->c[0].spec->factors[f].name);
}

/* Group the runs by label, in the order labels first appear. */
static int table_build(struct table *t, const struct winit_run_spec *runs,
                       const struct winit_run_result *results, size_t n_runs, double target)
{
	size_t m = n_runs ? n_runs : 1;
	memset(t, 0, sizeof *t);
	t->c = calloc(m, sizeof *t->c);
	t->mem = malloc(5 * m * sizeof *t->mem);
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
		c->spec = &runs[i];
		c->first = i;
		c->paired = 1;
		c->acc = t->mem + used;
		c->loss = t->mem + m + used;
		c->best = t->mem + 2 * m + used;
		c->ttt = t->mem + 3 * m + used;
		c->auc = t->mem + 4 * m + used;
		c->target = target > 0 ? target : runs[i].target;
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
			struct winit_learning lm;
			winit_learning_metrics(&lm, &results[k].history, c->target);
			c->best[c->n] = lm.best_epoch > 0 ? lm.best_epoch : NAN;
			c->ttt[c->n] = lm.epochs_to_target > 0 ? lm.epochs_to_target : NAN;
			c->auc[c->n] = lm.val_auc;
			c->last = k;
			c->n++;
		}
		used += c->n;
		winit_summarize(&c->sa, c->acc, c->n);
		winit_summarize(&c->sl, c->loss, c->n);
		summarize_finite(&c->sbest, c->best, c->n, NULL);
		summarize_finite(&c->sttt, c->ttt, c->n, &c->reached);
		summarize_finite(&c->sauc, c->auc, c->n, NULL);
	}
	t->target = t->n ? t->c[0].target : 0;
	table_columns(t);
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

static void print_single(FILE *out, const struct table *t, const struct winit_run_result *results)
{
	print_key(out, t, NULL);
	char ttt[32] = "";
	if (t->target > 0)
		snprintf(ttt, sizeof ttt, "ep_to_%g", t->target);
	fprintf(out, " %13s %10s %14s %9s %8s %8s %*s\n", "test_accuracy", "test_loss", "val_accuracy", "seconds",
	        "best_ep", "val_auc", t->target > 0 ? (int)strlen(ttt) : 0, ttt);
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		print_key(out, t, c);
		if (c->n == 0) {
			fprintf(out, " %s\n", c->failed ? "failed (see above)" : "not run");
			continue;
		}
		const struct winit_run_result *r = &results[c->last];
		const struct winit_epoch_stats *h = r->history.n > 0 ? &r->history.epochs[r->history.n - 1] : NULL;
		fprintf(out, " %13.4f %10.4f ", r->test_accuracy, r->test_loss);
		if (h && h->has_val)
			fprintf(out, "%14.4f", h->val_accuracy);
		else
			fprintf(out, "%14s", "-");
		fprintf(out, " %9.1f", r->seconds);
		if (isnan(c->best[0]))
			fprintf(out, " %8s %8s", "-", "-");
		else
			fprintf(out, " %8.0f %8.4f", c->best[0], c->auc[0]);
		if (t->target > 0) {
			if (isnan(c->ttt[0]))
				fprintf(out, " %*s", (int)strlen(ttt), "never");
			else
				fprintf(out, " %*.0f", (int)strlen(ttt), c->ttt[0]);
		}
		fprintf(out, "\n");
	}
	if (t->n > 1)
		fprintf(out, "\nOne run per initializer cannot rank them: seed-to-seed spread is often "
		             "larger than the gaps.\nRun with replicates (e.g. --repeats 5) for means, "
		             "intervals and significance tests.\n");
}

static void print_summaries(FILE *out, const struct table *t)
{
	print_key(out, t, NULL);
	fprintf(out, " %4s %-8s %-8s %-18s %-8s %-8s %s\n", "n", "mean_acc", "sd", "95% CI", "min", "max",
	        "test_loss");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		print_key(out, t, c);
		if (c->n == 0) {
			fprintf(out, " %s\n", c->failed ? "failed (see above)" : "not run");
			continue;
		}
		char ci[40] = "-";
		if (c->n > 1)
			snprintf(ci, sizeof ci, "[%.4f, %.4f]", c->sa.ci_lo, c->sa.ci_hi);
		fprintf(out, " %4zu %.4f   %.4f   %-18s %.4f   %.4f   %.4f +- %.4f%s\n", c->n, c->sa.mean,
		        c->sa.sd, ci, c->sa.min, c->sa.max, c->sl.mean, c->sl.sd,
		        c->failed ? "  (some runs failed)" : "");
	}
}

/* How fast each condition learned: means over its runs. */
static void print_learning(FILE *out, const struct table *t)
{
	fprintf(out, "\nLearning speed (validation accuracy, mean over runs; val_auc: mean validation "
	             "accuracy over the epochs):\n");
	print_key(out, t, NULL);
	fprintf(out, " %-9s %-18s %s", "best_ep", "val_auc", t->target > 0 ? "val_auc 95% CI    " : "val_auc 95% CI");
	if (t->target > 0)
		fprintf(out, "         epochs_to_%g (runs reaching it)", t->target);
	fprintf(out, "\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		if (c->n == 0 || c->sauc.n == 0)
			continue;
		print_key(out, t, c);
		char ci[48] = "-";
		if (c->sauc.n > 1)
			snprintf(ci, sizeof ci, "[%.4f, %.4f]", c->sauc.ci_lo, c->sauc.ci_hi);
		fprintf(out, " %-9.1f %.4f +- %.4f   %-*s", c->sbest.mean, c->sauc.mean, c->sauc.sd,
		        t->target > 0 ? 26 : 0, ci);
		if (t->target > 0) {
			if (c->reached)
				fprintf(out, " %.1f (%zu of %zu)", c->sttt.mean, c->reached, c->n);
			else
				fprintf(out, " never (0 of %zu)", c->n);
		}
		fprintf(out, "\n");
	}
}

#define NO_BASE ((size_t)-1)

/* base[i]: the condition c[i] is compared with, or NO_BASE.  A baseline "factor=level"
 * compares each cell with the cell that differs from it only in that factor, at that
 * level (the comparisons group by the other factors); a label compares every condition
 * with that label's.  Returns 0 if the baseline names nothing here (then: the first). */
static int find_bases(const struct table *t, const char *baseline, size_t *base)
{
	for (size_t i = 0; i < t->n; i++)
		base[i] = i == 0 ? NO_BASE : 0;
	if (!baseline)
		return 1;
	const char *eq = strchr(baseline, '=');
	int f = 0;
	if (eq && t->nf > 0) {
		size_t len = (size_t)(eq - baseline);
		while (f < t->nf && (strlen(t->c[0].spec->factors[f].name) != len ||
		                     strncmp(t->c[0].spec->factors[f].name, baseline, len) != 0))
			f++;
	}
	if (eq && t->nf > 0 && f < t->nf) {
		int found = 0;
		for (size_t i = 0; i < t->n; i++) {
			const struct winit_run_spec *a = t->c[i].spec;
			base[i] = NO_BASE;
			if (strcmp(a->factors[f].value, eq + 1) == 0) {
				found = 1;
				continue;
			}
			for (size_t j = 0; j < t->n && base[i] == NO_BASE; j++) {
				const struct winit_run_spec *b = t->c[j].spec;
				int match = strcmp(b->factors[f].value, eq + 1) == 0;
				for (int g = 0; g < t->nf && match; g++)
					match = g == f || strcmp(a->factors[g].value, b->factors[g].value) == 0;
				if (match)
					base[i] = j;
			}
		}
		return found;
	}
	for (size_t b = 0; b < t->n; b++)
		if (strcmp(t->c[b].label, baseline) == 0) {
			for (size_t i = 0; i < t->n; i++)
				base[i] = i == b ? NO_BASE : b;
			return 1;
		}
	return 0;
}

static void print_comparisons(FILE *out, const struct table *t, const char *baseline, size_t n_runs)
{
	struct winit_comparison *cmp = calloc(t->n, sizeof *cmp);
	double *p = malloc(t->n * sizeof *p);
	double *x = malloc(2 * n_runs * sizeof *x);
	size_t *base = malloc(t->n * sizeof *base);
	if (!cmp || !p || !x || !base) {
		fprintf(out, "(out of memory for the comparisons)\n");
		goto out;
	}
	if (!find_bases(t, baseline, base)) {
		fprintf(out, "\n(baseline '%s' is not a condition of this study: comparing against '%s')\n",
		        baseline, t->c[0].label);
		find_bases(t, NULL, base);
	}
	size_t family = 0, shown = 0;
	int paired = 1;
	for (size_t i = 0; i < t->n; i++) {
		p[i] = NAN;
		if (base[i] == NO_BASE || t->c[i].n == 0 || t->c[base[i]].n == 0)
			continue;
		const struct cond *b = &t->c[base[i]];
		compare(&cmp[i], &t->c[i], b, x, x + n_runs);
		paired &= cmp[i].paired;
		shown++;
		/* Below the minimum no p-value is shown, so none enters the family. */
		if (t->c[i].n >= WINIT_STATS_MIN_TEST_N && b->n >= WINIT_STATS_MIN_TEST_N) {
			p[i] = cmp[i].p;
			family += !isnan(p[i]);
		}
	}
	if (shown == 0) {
		fprintf(out, "\nNo comparisons: no condition has a finished baseline to compare with.\n");
		goto out;
	}
	winit_holm(p, p, t->n);
	const char *test = paired ? "paired t-test on replicate r of each, which share data order and untouched weights" :
	                            "Welch's t-test, independent runs";
	if (baseline && strchr(baseline, '=') && t->nf > 0)
		fprintf(out, "\nAgainst %s in each group of the other factors (test accuracy, cell - baseline; %s):\n",
		        baseline, test);
	else
		fprintf(out, "\nAgainst %s (test accuracy, condition - baseline; %s):\n", t->c[base[1]].label, test);
	fprintf(out, "  ");
	print_key(out, t, NULL);
	fprintf(out, " %-8s %-20s %7s %5s %-9s %-9s %s\n", "diff", "95% CI", "t", "df", "p", "p_holm",
	        paired ? "d_z" : "cohen_d");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		const struct winit_comparison *k = &cmp[i];
		if (base[i] == NO_BASE || c->n == 0 || t->c[base[i]].n == 0)
			continue;
		size_t nb = t->c[base[i]].n;
		char ci[48] = "-";
		if (!isnan(k->ci_lo))
			snprintf(ci, sizeof ci, "[%+.4f, %+.4f]", k->ci_lo, k->ci_hi);
		fprintf(out, "  ");
		print_key(out, t, c);
		fprintf(out, " %+.4f  %-20s ", k->diff, ci);
		if (c->n < WINIT_STATS_MIN_TEST_N || nb < WINIT_STATS_MIN_TEST_N) {
			fprintf(out, "no p-value: %zu and %zu replicates; a test needs %d or more per condition\n", c->n,
			        nb, WINIT_STATS_MIN_TEST_N);
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
	free(base);
}

void winit_results_print_table_opts(FILE *out, const struct winit_run_spec *runs,
                                    const struct winit_run_result *results, size_t n_runs,
                                    const struct winit_table_opts *opts)
{
	struct table t;
	if (table_build(&t, runs, results, n_runs, opts ? opts->target : 0)) {
		fprintf(out, "(out of memory for the table)\n");
		return;
	}
	if (t.n == n_runs) {
		print_single(out, &t, results);
	} else {
		print_summaries(out, &t);
		print_learning(out, &t);
		if (t.n > 1)
			print_comparisons(out, &t, opts ? opts->baseline : NULL, n_runs);
	}
	table_free(&t);
}

void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs)
{
	winit_results_print_table_opts(out, runs, results, n_runs, NULL);
}
