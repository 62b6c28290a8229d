/* src/analysis/conditions.c -- runs grouped into conditions (the runs sharing a label),
 * once, with their summaries and learning metrics, and every condition compared with its
 * baseline: what the final table prints, summary.csv saves and the HTML report shows,
 * from a study's runs or a results file read for the report. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/conditions.h"

/* Whether runs[i] is the first run of its label. */
static int first_of_label(const struct cond_run *runs, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(runs[k].label, runs[i].label) == 0)
			return 0;
	return 1;
}

void winit_conds_free(struct table *t)
{
	free(t->c);
	free(t->mem);
	free(t->reps);
	free(t->idx);
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
	if (!a || !b || a->n_factors != b->n_factors)
		return 0;
	for (int32_t f = 0; f < a->n_factors; f++)
		if (strcmp(a->factors[f].name, b->factors[f].name) != 0)
			return 0;
	return 1;
}

static void table_columns(struct table *t)
{
	t->nf = t->n && t->c[0].spec ? t->c[0].spec->n_factors : 0;
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

static int table_alloc(struct table *t, size_t m)
{
	memset(t, 0, sizeof *t);
	t->c = calloc(m, sizeof *t->c);
	t->mem = malloc(6 * m * sizeof *t->mem);
	t->reps = malloc(m * sizeof *t->reps);
	t->idx = malloc(m * sizeof *t->idx);
	if (t->c && t->mem && t->reps && t->idx)
		return 0;
	winit_conds_free(t);
	return -1;
}

/* The values of a condition's runs that finished without failing, tested or not:
 * scratch of n_runs values each, counted per condition. */
struct ok_values {
	double *val, *sec, *steps;
	size_t n_val, n_sec, n_steps;
};

/* Condition c's arrays: slices of t's, from `used` on (m: the runs). */
static void cond_begin(struct table *t, struct cond *c, const struct cond_run *r, size_t i,
                       size_t used, size_t m)
{
	c->label = r->label;
	c->spec = r->spec;
	c->first = i;
	c->paired = 1;
	c->acc = t->mem + used;
	c->loss = t->mem + m + used;
	c->best = t->mem + 2 * m + used;
	c->ttt = t->mem + 3 * m + used;
	c->auc = t->mem + 4 * m + used;
	c->stt = t->mem + 5 * m + used;
	c->rep = t->reps + used;
	c->idx = t->idx + used;
	c->target = r->lm_target;
}

/* Run k (r) into condition c. */
static void cond_add(struct cond *c, const struct cond_run *r, size_t k, struct ok_values *ok)
{
	c->idx[c->n_runs++] = k;
	if (!r->paired)
		c->paired = 0;
	if (!r->done)
		return;
	if (r->status == WINIT_ERR_DIVERGED) {
		c->diverged++;
		c->expected += r->expect_diverged != 0;
	}
	c->unmet += r->status == 0 && r->expect_diverged;
	if (r->status) {
		c->failed++;
		return;
	}
	if (r->has_val)
		ok->val[ok->n_val++] = r->val_accuracy;
	if (isfinite(r->seconds))
		ok->sec[ok->n_sec++] = r->seconds;
	if (r->lm.val_snapshots > 0 && r->lm.steps_to_target >= 0)
		ok->steps[ok->n_steps++] = (double)r->lm.steps_to_target;
	c->ok_measured += r->lm.val_snapshots > 0;
	if (!r->has_test) {
		c->untested++;
		return;
	}
	c->acc[c->n] = r->test_accuracy;
	c->loss[c->n] = r->test_loss;
	c->rep[c->n] = r->replicate;
	c->best[c->n] = r->lm.best_epoch > 0 ? r->lm.best_epoch : NAN;
	c->ttt[c->n] = r->lm.epochs_to_target > 0 ? r->lm.epochs_to_target : NAN;
	c->auc[c->n] = r->lm.val_auc;
	c->stt[c->n] = r->lm.steps_to_target >= 0 ? (double)r->lm.steps_to_target : NAN;
	c->step_measured += r->lm.val_snapshots > 0;
	c->last = k;
	c->n++;
}

static void cond_summarize(struct cond *c, const struct ok_values *ok)
{
	winit_summarize(&c->sa, c->acc, c->n);
	winit_summarize(&c->sl, c->loss, c->n);
	summarize_finite(&c->sbest, c->best, c->n, NULL);
	summarize_finite(&c->sttt, c->ttt, c->n, &c->reached);
	summarize_finite(&c->sauc, c->auc, c->n, NULL);
	summarize_finite(&c->sstt, c->stt, c->n, &c->reached_steps);
	winit_summarize(&c->sval, ok->val, ok->n_val);
	winit_summarize(&c->ssec, ok->sec, ok->n_sec);
	winit_summarize(&c->sokst, ok->steps, ok->n_steps);
	c->ok_reached = ok->n_steps;
}

/* Group the runs by label, in the order labels first appear. */
int winit_conds_group(struct table *t, const struct cond_run *runs, size_t n_runs)
{
	size_t m = n_runs ? n_runs : 1;
	double *scratch = malloc(3 * m * sizeof *scratch);
	if (!scratch || table_alloc(t, m)) {
		free(scratch);
		return -1;
	}
	size_t used = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (!first_of_label(runs, i))
			continue;
		struct cond *c = &t->c[t->n++];
		struct ok_values ok = { scratch, scratch + m, scratch + 2 * m, 0, 0, 0 };
		cond_begin(t, c, &runs[i], i, used, m);
		for (size_t k = i; k < n_runs; k++)
			if (strcmp(runs[k].label, c->label) == 0)
				cond_add(c, &runs[k], k, &ok);
		/* n_runs >= n: the idx slices are the widest */
		used += c->n_runs;
		cond_summarize(c, &ok);
	}
	free(scratch);
	t->target = t->n ? t->c[0].target : 0;
	table_columns(t);
	return 0;
}

/* The target run i is measured against: `target` when > 0, else the spec's target of the
 * first run of its label (what its condition is measured against). */
static double label_target(const struct winit_run_spec *runs, size_t i, double target)
{
	if (target > 0)
		return target;
	size_t k = 0;
	while (strcmp(runs[k].label, runs[i].label) != 0)
		k++;
	return runs[k].target;
}

int winit_conds_build(struct table *t, const struct winit_run_spec *runs,
                      const struct winit_run_result *results, size_t n_runs, double target)
{
	struct cond_run *cr = calloc(n_runs ? n_runs : 1, sizeof *cr);
	if (!cr) {
		memset(t, 0, sizeof *t);
		return -1;
	}
	for (size_t i = 0; i < n_runs; i++) {
		const struct winit_run_result *x = &results[i];
		const struct winit_history *h = &x->history;
		struct cond_run *r = &cr[i];
		r->label = runs[i].label;
		r->spec = &runs[i];
		r->replicate = runs[i].replicate;
		r->paired = runs[i].design == WINIT_DESIGN_PAIRED;
		r->done = x->done;
		r->status = x->status;
		r->expect_diverged = runs[i].expect == WINIT_EXPECT_DIVERGED;
		r->has_test = x->has_test;
		r->test_accuracy = x->test_accuracy;
		r->test_loss = x->test_loss;
		r->has_val = h->n > 0 && h->epochs[h->n - 1].has_val;
		r->val_accuracy = r->has_val ? h->epochs[h->n - 1].val_accuracy : NAN;
		r->seconds = x->seconds;
		r->lm_target = label_target(runs, i, target);
		if (x->done && !x->status)
			winit_learning_metrics(&r->lm, h, &x->diagnostics, r->lm_target);
	}
	int rc = winit_conds_group(t, cr, n_runs);
	free(cr);
	return rc;
}

int winit_conds_build_report(struct table *t, const struct winit_report_study *r)
{
	struct cond_run *cr = calloc(r->n_runs ? r->n_runs : 1, sizeof *cr);
	if (!cr) {
		memset(t, 0, sizeof *t);
		return -1;
	}
	for (size_t i = 0; i < r->n_runs; i++) {
		const struct winit_report_run *x = &r->runs[i];
		struct cond_run *c = &cr[i];
		c->label = x->label;
		c->replicate = x->replicate;
		c->done = 1;
		c->status = x->ok ? 0 : x->diverged ? WINIT_ERR_DIVERGED : -1;
		c->expect_diverged = x->expect_diverged;
		c->has_test = x->has_test && isfinite(x->test_accuracy);
		c->test_accuracy = x->test_accuracy;
		c->test_loss = x->test_loss;
		c->has_val = x->n_epochs && x->history[x->n_epochs - 1].has_val;
		c->val_accuracy = c->has_val ? x->history[x->n_epochs - 1].val_accuracy : NAN;
		c->seconds = x->seconds;
		c->lm_target = x->target;
		c->lm.val_auc = c->lm.best_val_accuracy = NAN;
		c->lm.val_snapshots = x->has_steps;
		c->lm.steps_to_target = x->has_steps ? x->steps_to_target : -1;
	}
	int rc = winit_conds_group(t, cr, r->n_runs);
	free(cr);
	return rc;
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


/* base[i]: the condition c[i] is compared with, or WINIT_NO_BASE.  A baseline "factor=level"
 * compares each cell with the cell that differs from it only in that factor, at that
 * level (the comparisons group by the other factors); a label compares every condition
 * with that label's.  Returns 0 if the baseline names nothing here (then: the first). */
static int find_bases(const struct table *t, const char *baseline, size_t *base)
{
	for (size_t i = 0; i < t->n; i++)
		base[i] = i == 0 ? WINIT_NO_BASE : 0;
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
			base[i] = WINIT_NO_BASE;
			if (strcmp(a->factors[f].value, eq + 1) == 0) {
				found = 1;
				continue;
			}
			for (size_t j = 0; j < t->n && base[i] == WINIT_NO_BASE; j++) {
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
				base[i] = i == b ? WINIT_NO_BASE : b;
			return 1;
		}
	return 0;
}


int winit_conds_compare(const struct table *t, const char *baseline, size_t n_runs,
                        struct winit_comparison *cmp, double *p_holm, size_t *base,
                        size_t *family)
{
	double *x = malloc(2 * (n_runs ? n_runs : 1) * sizeof *x);
	if (!x)
		return -1;
	int found = find_bases(t, baseline, base);
	if (!found)
		find_bases(t, NULL, base);
	*family = 0;
	for (size_t i = 0; i < t->n; i++) {
		p_holm[i] = NAN;
		memset(&cmp[i], 0, sizeof cmp[i]);
		cmp[i].diff = cmp[i].p = NAN;
		if (base[i] == WINIT_NO_BASE || t->c[i].n == 0 || t->c[base[i]].n == 0) {
			base[i] = WINIT_NO_BASE;
			continue;
		}
		const struct cond *b = &t->c[base[i]];
		compare(&cmp[i], &t->c[i], b, x, x + n_runs);
		/* Below the minimum no p-value is shown, so none enters the family. */
		if (t->c[i].n >= WINIT_STATS_MIN_TEST_N && b->n >= WINIT_STATS_MIN_TEST_N) {
			p_holm[i] = cmp[i].p;
			*family += !isnan(cmp[i].p);
		} else {
			cmp[i].p = NAN;
		}
	}
	winit_holm(p_holm, p_holm, t->n);
	for (size_t i = 0; i < t->n; i++)
		cmp[i].p_holm = p_holm[i];
	free(x);
	return found;
}
