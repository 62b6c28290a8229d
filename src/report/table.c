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

#include "analysis/conditions.h"

/* A label or level for the terminal: control characters (a newline too) as \xHH. */
static const char *shown(char *buf, size_t size, const char *s)
{
	snprintf(buf, size, "%s", s);
	return winit_text_escape(buf, size, 0);
}

/* The key cells of condition c (the header's when c is NULL). */
static void print_key(FILE *out, const struct table *t, const struct cond *c)
{
	char buf[4 * WINIT_RUN_NAME_MAX];
	if (t->nf == 0) {
		fprintf(out, "%-*s", t->w[0], c ? shown(buf, sizeof buf, c->label) : "initializer");
		return;
	}
	for (int f = 0; f < t->nf; f++)
		fprintf(out, "%s%-*s", f ? "  " : "", t->w[f],
		        shown(buf, sizeof buf, c ? c->spec->factors[f].value : t->c[0].spec->factors[f].name));
}

/* The row of a condition without a finished run. */
static void print_empty(FILE *out, const struct cond *c, int multi)
{
	if (c->diverged && c->diverged == c->failed)
		fprintf(out, " diverged%s%s\n", multi ? " (every run)" : "",
		        c->expected == c->diverged ? " (expected)" :
		        c->expected              ? " (some expected)" :
		                                   "");
	else if (c->failed)
		fprintf(out, " failed (see above)\n");
	else if (c->untested) /* trained without a test set: nothing to show, nothing failed */
		fprintf(out, " no test set%s\n", multi && c->untested > 1 ? " (every run)" : "");
	else
		fprintf(out, " not run\n");
}

static const char *failed_note(const struct cond *c)
{
	if (c->unmet)
		return "  (finished, expected to diverge)";
	if (!c->failed)
		return c->untested ? "  (some runs had no test set)" : "";
	if (c->diverged == c->failed)
		return c->expected == c->diverged ? "  (some runs diverged, as expected)" :
		                                    "  (some runs diverged)";
	return "  (some runs failed)";
}

/* Whether some run's snapshots measured validation accuracy (steps_to_target exists). */
static int any_step_measured(const struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->c[i].step_measured)
			return 1;
	return 0;
}

/* A single run's steps to the target: the step, "never", or "-" when not measured. */
static const char *steps_cell(char *buf, size_t size, const struct cond *c)
{
	if (!c->step_measured)
		return "-";
	if (isnan(c->stt[0]))
		return "never";
	snprintf(buf, size, "%.0f", c->stt[0]);
	return buf;
}

static void print_single(FILE *out, const struct table *t, const struct winit_run_result *results)
{
	print_key(out, t, NULL);
	char ttt[32] = "", stt[32] = "";
	int steps = t->target > 0 && any_step_measured(t);
	if (t->target > 0)
		snprintf(ttt, sizeof ttt, "ep_to_%g", t->target);
	if (steps)
		snprintf(stt, sizeof stt, "steps_to_%g", t->target);
	fprintf(out, " %13s %10s %14s %9s %8s %8s %*s%s%s\n", "test_accuracy", "test_loss", "val_accuracy",
	        "seconds", "best_ep", "val_auc", t->target > 0 ? (int)strlen(ttt) : 0, ttt, steps ? " " : "",
	        stt);
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		print_key(out, t, c);
		if (c->n == 0) {
			print_empty(out, c, 0);
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
		char cell[24];
		if (steps)
			fprintf(out, " %*s", (int)strlen(stt), steps_cell(cell, sizeof cell, c));
		fprintf(out, "%s\n", c->unmet ? failed_note(c) : "");
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
			print_empty(out, c, 1);
			continue;
		}
		char ci[40] = "-";
		if (c->n > 1)
			snprintf(ci, sizeof ci, "[%.4f, %.4f]", c->sa.ci_lo, c->sa.ci_hi);
		fprintf(out, " %4zu %.4f   %.4f   %-18s %.4f   %.4f   %.4f +- %.4f%s\n", c->n, c->sa.mean,
		        c->sa.sd, ci, c->sa.min, c->sa.max, c->sl.mean, c->sl.sd, failed_note(c));
	}
}

/* How fast each condition learned: means over its runs (steps: over the runs that reached
 * the target at a diagnostics snapshot). */
static void print_learning(FILE *out, const struct table *t)
{
	size_t any = 0;
	for (size_t i = 0; i < t->n; i++)
		any += t->c[i].sauc.n;
	if (any == 0)
		return; /* no run validated */
	fprintf(out, "\nLearning speed (validation accuracy, mean over runs; val_auc: mean validation "
	             "accuracy over the epochs):\n");
	print_key(out, t, NULL);
	fprintf(out, " %-9s %-18s %s", "best_ep", "val_auc", t->target > 0 ? "val_auc 95% CI    " : "val_auc 95% CI");
	int steps = t->target > 0 && any_step_measured(t);
	if (t->target > 0)
		fprintf(out, "         epochs_to_%g (runs reaching it)", t->target);
	if (steps)
		fprintf(out, "  steps_to_%g (runs reaching it)", t->target);
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
			char cell[48];
			if (c->reached)
				snprintf(cell, sizeof cell, "%.1f (%zu of %zu)", c->sttt.mean, c->reached, c->n);
			else
				snprintf(cell, sizeof cell, "never (0 of %zu)", c->n);
			fprintf(out, " %-*s", steps ? (int)strlen("epochs_to_") + 27 : 0, cell);
		}
		if (steps) {
			if (!c->step_measured)
				fprintf(out, "  -");
			else if (c->reached_steps)
				fprintf(out, "  %.1f (%zu of %zu)", c->sstt.mean, c->reached_steps, c->step_measured);
			else
				fprintf(out, "  never (0 of %zu)", c->step_measured);
		}
		fprintf(out, "\n");
	}
}

static void print_comparisons(FILE *out, const struct table *t, const char *baseline, size_t n_runs)
{
	struct winit_comparison *cmp = calloc(t->n, sizeof *cmp);
	double *p = malloc(t->n * sizeof *p);
	size_t *base = malloc(t->n * sizeof *base);
	size_t family = 0;
	int found = cmp && p && base ? winit_conds_compare(t, baseline, n_runs, cmp, p, base, &family) : -1;
	if (found < 0) {
		fprintf(out, "(out of memory for the comparisons)\n");
		goto out;
	}
	if (!found)
		fprintf(out, "\n(baseline '%s' is not a condition of this study: comparing against '%s')\n",
		        baseline, t->c[0].label);
	size_t shown = 0, one = 0;
	int paired = 1;
	for (size_t i = 0; i < t->n; i++)
		if (base[i] != WINIT_NO_BASE) {
			paired &= cmp[i].paired;
			if (!shown++)
				one = base[i];
		}
	if (shown == 0) {
		fprintf(out, "\nNo comparisons: no condition has a finished baseline to compare with.\n");
		goto out;
	}
	const char *test = paired ? "paired t-test on replicate r of each, which share data order and untouched weights" :
	                            "Welch's t-test, independent runs";
	if (found && baseline && strchr(baseline, '=') && t->nf > 0)
		fprintf(out, "\nAgainst %s in each group of the other factors (test accuracy, cell - baseline; %s):\n",
		        baseline, test);
	else
		fprintf(out, "\nAgainst %s (test accuracy, condition - baseline; %s):\n", t->c[one].label, test);
	fprintf(out, "  ");
	print_key(out, t, NULL);
	fprintf(out, " %-8s %-20s %7s %5s %-9s %-9s %s\n", "diff", "95% CI", "t", "df", "p", "p_holm",
	        paired ? "d_z" : "cohen_d");
	for (size_t i = 0; i < t->n; i++) {
		const struct cond *c = &t->c[i];
		const struct winit_comparison *k = &cmp[i];
		if (base[i] == WINIT_NO_BASE)
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
		fprintf(out, "%7.2f %5.1f %-9.3g %-9.3g %+.2f\n", k->t, k->df, k->p, k->p_holm, k->effect);
	}
	if (family > 1)
		fprintf(out, "  (p_holm: Holm-Bonferroni adjusted over these %zu comparisons)\n", family);
out:
	free(cmp);
	free(p);
	free(base);
}

void winit_results_print_table_opts(FILE *out, const struct winit_run_spec *runs,
                                    const struct winit_run_result *results, size_t n_runs,
                                    const struct winit_table_opts *opts)
{
	struct table t;
	if (winit_conds_build(&t, runs, results, n_runs, opts ? opts->target : 0)) {
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
	size_t n_diverged = 0, n_expected = 0, n_unmet = 0;
	for (size_t i = 0; i < t.n; i++) {
		n_diverged += t.c[i].diverged;
		n_expected += t.c[i].expected;
		n_unmet += t.c[i].unmet;
	}
	if (n_diverged) {
		char as[48] = "";
		if (n_expected == n_diverged)
			snprintf(as, sizeof as, ", as expected");
		else if (n_expected)
			snprintf(as, sizeof as, ", %zu as expected", n_expected);
		fprintf(out, "\n%zu run%s diverged (loss or weights not finite)%s: left out of the numbers above.\n",
		        n_diverged, n_diverged == 1 ? "" : "s", as);
	}
	if (n_unmet)
		fprintf(out, "%s%zu run%s expected to diverge finished (marked above).\n", n_diverged ? "" : "\n",
		        n_unmet, n_unmet == 1 ? "" : "s");
	winit_conds_free(&t);
}

void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs)
{
	winit_results_print_table_opts(out, runs, results, n_runs, NULL);
}
