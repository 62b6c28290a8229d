/* src/report/table.c -- the table a study prints at the end: one row per label, and
 * with replicates the statistics that say whether a difference is real. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/report.h>
#include <winit/stats.h>

/* Test accuracies (and losses, and the last such result, when asked for) of the runs with
 * this label that finished with a test evaluation; *failed counts those that did not,
 * *diverged those of them that diverged (left out of every statistic). */
static size_t label_values(double *acc, double *loss, const struct winit_run_result **last,
                           const struct winit_run_spec *runs,
                           const struct winit_run_result *results, size_t n_runs,
                           const char *label, size_t *failed, size_t *diverged)
{
	size_t n = 0;
	*failed = *diverged = 0;
	for (size_t k = 0; k < n_runs; k++) {
		if (strcmp(runs[k].label, label) != 0 || !results[k].done)
			continue;
		if (results[k].status == WINIT_ERR_DIVERGED)
			(*diverged)++;
		if (results[k].status || !results[k].has_test) {
			(*failed)++;
			continue;
		}
		acc[n] = results[k].test_accuracy;
		if (loss)
			loss[n] = results[k].test_loss;
		if (last)
			*last = &results[k];
		n++;
	}
	return n;
}

static int first_of_label(const struct winit_run_spec *runs, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(runs[k].label, runs[i].label) == 0)
			return 0;
	return 1;
}

void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs)
{
	size_t width = 12;
	int multi = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (strlen(runs[i].label) > width)
			width = strlen(runs[i].label);
		if (runs[i].replicate > 0)
			multi = 1;
	}
	double *acc = malloc((n_runs ? n_runs : 1) * sizeof *acc);
	double *loss = malloc((n_runs ? n_runs : 1) * sizeof *loss);
	if (!acc || !loss) {
		free(acc);
		free(loss);
		fprintf(out, "(out of memory for the table)\n");
		return;
	}
	if (multi)
		fprintf(out, "%-*s %5s %-17s %-17s %-8s %-8s\n", (int)width, "initializer", "runs",
		        "test_accuracy", "test_loss", "min_acc", "max_acc");
	else
		fprintf(out, "%-*s %13s %10s %14s %9s\n", (int)width, "initializer", "test_accuracy",
		        "test_loss", "val_accuracy", "seconds");
	/* The label with the best mean accuracy, for the comparisons below. */
	struct winit_summary best = { 0 };
	const char *best_label = NULL;
	size_t n_diverged = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (!first_of_label(runs, i))
			continue;
		const struct winit_run_result *last = NULL;
		size_t failed, div, n = label_values(acc, loss, &last, runs, results, n_runs, runs[i].label, &failed, &div);
		n_diverged += div;
		if (n == 0) {
			if (div && div == failed)
				fprintf(out, "%-*s diverged%s\n", (int)width, runs[i].label,
				        multi ? " (every run)" : "");
			else
				fprintf(out, "%-*s %s\n", (int)width, runs[i].label,
				        failed ? "failed (see above)" : "not run");
			continue;
		}
		struct winit_summary sa, sl;
		winit_summarize(&sa, acc, n);
		winit_summarize(&sl, loss, n);
		if (!best_label || sa.mean > best.mean) {
			best = sa;
			best_label = runs[i].label;
		}
		if (multi) {
			fprintf(out, "%-*s %5zu %.4f +- %.4f   %.4f +- %.4f   %.4f   %.4f%s\n", (int)width,
			        runs[i].label, n, sa.mean, sa.sd, sl.mean, sl.sd, sa.min, sa.max,
			        div == failed && div ? "  (some runs diverged)" :
			        failed               ? "  (some runs failed)" :
			                               "");
		} else {
			const struct winit_epoch_stats *h =
				last->history.n > 0 ? &last->history.epochs[last->history.n - 1] : NULL;
			fprintf(out, "%-*s %13.4f %10.4f ", (int)width, runs[i].label, last->test_accuracy,
			        last->test_loss);
			if (h && h->has_val)
				fprintf(out, "%14.4f", h->val_accuracy);
			else
				fprintf(out, "%14s", "-");
			fprintf(out, " %9.1f\n", last->seconds);
		}
	}
	if (multi && best_label && best.n >= 2) {
		fprintf(out, "\nIs the difference real? Welch's t-test on test accuracy against %s:\n",
		        best_label);
		for (size_t i = 0; i < n_runs; i++) {
			if (!first_of_label(runs, i) || strcmp(runs[i].label, best_label) == 0)
				continue;
			size_t failed, div, n = label_values(acc, NULL, NULL, runs, results, n_runs, runs[i].label, &failed, &div);
			struct winit_summary s;
			winit_summarize(&s, acc, n);
			struct winit_welch w;
			winit_welch_test(&w, &best, &s);
			if (isnan(w.p)) {
				fprintf(out, "  %-*s %+.4f  (no test: needs 2+ runs with some spread)\n",
				        (int)width, runs[i].label, s.mean - best.mean);
				continue;
			}
			fprintf(out, "  %-*s %+.4f  t = %5.2f  df = %4.1f  p = %.3g  %s\n", (int)width,
			        runs[i].label, s.mean - best.mean, w.t, w.df, w.p,
			        w.p < 0.05 ? "worse (p < 0.05)" : "not distinguishable at 5%");
		}
	} else if (!multi && n_runs > 1) {
		fprintf(out, "\nOne run per initializer cannot rank them: seed-to-seed spread is often "
		             "larger than the gaps.\nRun with replicates (e.g. --repeats 5) for means, "
		             "spreads and significance tests.\n");
	}
	if (n_diverged)
		fprintf(out, "\n%zu run%s diverged (loss or weights not finite): left out of the numbers "
		             "above.\n",
		        n_diverged, n_diverged == 1 ? "" : "s");
	free(acc);
	free(loss);
}
