/* src/report/csv.c -- a study as two CSV files any data tool reads without options:
 * runs.csv (one row per run and epoch) and summary.csv (one row per condition, with the
 * comparison against the baseline).  RFC 4180: a header row, comma separators, fields
 * with a comma, quote or line break quoted with doubled quotes; '.' decimals (printf in
 * the "C" numeric locale, which winit never changes); NA for a missing value; a text
 * field a spreadsheet would run as a formula starts with ' (csv_str). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/report.h>
#include <winit/safe_write.h>

#include "analysis/conditions.h"
#include "results/fields.h"

static void field_sep(FILE *f, int *first)
{
	if (!*first)
		fputc(',', f);
	*first = 0;
}

/* Whether s is a plain decimal number ("-0.5", "+3", "1e-7"): a spreadsheet reads it as a
 * number, never as a formula. */
static int is_number(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t digits = strspn(p, "0123456789");
	p += digits;
	if (*p == '.') {
		size_t frac = strspn(p + 1, "0123456789");
		digits += frac;
		p += 1 + frac;
	}
	if (digits == 0)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		size_t exp = strspn(p, "0123456789");
		if (exp == 0)
			return 0;
		p += exp;
	}
	return *p == '\0';
}

/* A text field: a label, a run or factor name, a level.  One that a spreadsheet would take
 * for a formula (starting with =, +, -, @, a tab or a carriage return: OWASP's list) gets a
 * leading ' so that opening runs.csv runs nothing; a number ("-0.5") stays a number. */
static void csv_str(FILE *f, int *first, const char *s)
{
	field_sep(f, first);
	if (!s || !*s) {
		fputs("NA", f);
		return;
	}
	int neutral = strchr("=+-@\t\r", *s) != NULL && !is_number(s);
	if (!strpbrk(s, ",\"\r\n") && strcmp(s, "NA") != 0) {
		if (neutral)
			fputc('\'', f);
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (neutral)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, int *first, double v)
{
	field_sep(f, first);
	if (!isfinite(v)) {
		fputs("NA", f);
		return;
	}
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void csv_int(FILE *f, int *first, long long v)
{
	field_sep(f, first);
	fprintf(f, "%lld", v);
}

/* The factor names of the first run, when every run has the same ones. */
static int32_t common_factors(const struct winit_run_spec *runs, size_t n)
{
	int32_t nf = n ? runs[0].n_factors : 0;
	for (size_t i = 1; i < n && nf; i++) {
		if (runs[i].n_factors != nf)
			return 0;
		for (int32_t k = 0; k < nf; k++)
			if (strcmp(runs[i].factors[k].name, runs[0].factors[k].name) != 0)
				return 0;
	}
	return nf;
}

static void header(FILE *f, const char *const *cols, const struct winit_run_spec *run0, int32_t nf,
                   const char *const *rest)
{
	int first = 1;
	for (int i = 0; cols[i]; i++)
		csv_str(f, &first, cols[i]);
	for (int32_t k = 0; k < nf; k++)
		csv_str(f, &first, run0->factors[k].name);
	for (int i = 0; rest[i]; i++)
		csv_str(f, &first, rest[i]);
	fputc('\n', f);
}

/* The columns of a fields.h table's members that have one, appended to cols[*n...]. */
static void field_columns(const char **cols, size_t *n, const struct winit_field *table)
{
	for (const struct winit_field *t = table; t->key; t++)
		if (t->csv)
			cols[(*n)++] = t->csv;
}

/* Their values in s (NULL: none), NA where absent or missing. */
static void field_values(FILE *f, int *first, const struct winit_field *table, const void *s)
{
	for (const struct winit_field *t = table; t->key; t++) {
		if (!t->csv)
			continue;
		if (!s || !winit_field_present(t, s, 0) || winit_field_missing(t, s))
			csv_num(f, first, NAN);
		else if (t->type == WINIT_FIELD_CHOICE || t->type == WINIT_FIELD_TEXT)
			csv_str(f, first, winit_field_text(t, s, 0));
		else if (t->type == WINIT_FIELD_F64)
			csv_num(f, first, winit_field_f64(t, s));
		else
			csv_int(f, first, (long long)winit_field_int(t, s));
	}
}

/* runs.csv: one row per run and epoch: the run, its status (winit_fields_status), its
 * epoch's members (winit_fields_epoch), its outcome's (winit_fields_outcome), then how
 * fast it learned (winit_fields_learning). */
static void write_runs(FILE *f, const struct winit_run_spec *runs, const struct winit_run_result *results,
                       size_t n_runs, double target)
{
	static const char *const cols[] = { "run", "label", NULL };
	static const char *const before[] = { "replicate", "design", "run_seed" };
	const char *rest[64];
	size_t n = 0;
	for (size_t k = 0; k < sizeof before / sizeof *before; k++)
		rest[n++] = before[k];
	field_columns(rest, &n, winit_fields_status);
	field_columns(rest, &n, winit_fields_epoch);
	field_columns(rest, &n, winit_fields_outcome);
	field_columns(rest, &n, winit_fields_learning);
	rest[n] = NULL;
	int32_t nf = common_factors(runs, n_runs);
	header(f, cols, runs, nf, rest);
	for (size_t i = 0; i < n_runs; i++) {
		const struct winit_run_spec *s = &runs[i];
		const struct winit_run_result *r = &results[i];
		if (!r->done)
			continue;
		double tg = target > 0 ? target : s->target;
		struct winit_learning lm;
		winit_learning_metrics(&lm, &r->history, &r->diagnostics, tg);
		/* A run that failed before its first epoch still gets a row. */
		int32_t rows = r->history.n > 0 ? r->history.n : 1;
		for (int32_t e = 0; e < rows; e++) {
			const struct winit_epoch_stats *st = r->history.n > 0 ? &r->history.epochs[e] : NULL;
			int first = 1;
			char seed[24];
			snprintf(seed, sizeof seed, "%llu", (unsigned long long)r->run_seed);
			csv_str(f, &first, s->name);
			csv_str(f, &first, s->label);
			for (int32_t k = 0; k < nf; k++)
				csv_str(f, &first, s->factors[k].value);
			csv_int(f, &first, s->replicate);
			csv_str(f, &first, s->design == WINIT_DESIGN_INDEPENDENT ? "independent" : "paired");
			csv_str(f, &first, seed);
			field_values(f, &first, winit_fields_status, r);
			field_values(f, &first, winit_fields_epoch, st);
			field_values(f, &first, winit_fields_outcome, r);
			field_values(f, &first, winit_fields_learning, &lm);
			fputc('\n', f);
		}
	}
}

static int write_summary(FILE *f, const struct winit_run_spec *runs, const struct winit_run_result *results,
                         size_t n_runs, const struct winit_table_opts *opts)
{
	static const char *const cols[] = { "label", NULL };
	static const char *const rest[] = {
		"n", "failed", "test_accuracy_mean", "test_accuracy_sd", "test_accuracy_ci_low",
		"test_accuracy_ci_high", "test_accuracy_min", "test_accuracy_max", "test_loss_mean",
		"test_loss_sd", "best_epoch_mean", "val_auc_mean", "val_auc_ci_low", "val_auc_ci_high",
		"target", "runs_reaching_target", "epochs_to_target_mean", "runs_reaching_target_steps",
		"steps_to_target_mean", "baseline", "test", "diff",
		"diff_ci_low", "diff_ci_high", "t", "df", "p", "p_holm", "effect_size", "no_test", NULL
	};
	struct table t;
	if (winit_conds_build(&t, runs, results, n_runs, opts ? opts->target : 0))
		return -1;
	struct winit_comparison *cmp = calloc(t.n ? t.n : 1, sizeof *cmp);
	double *p = malloc((t.n ? t.n : 1) * sizeof *p);
	size_t *base = malloc((t.n ? t.n : 1) * sizeof *base);
	size_t family;
	if (!cmp || !p || !base ||
	    winit_conds_compare(&t, opts ? opts->baseline : NULL, n_runs, cmp, p, base, &family) < 0) {
		free(cmp);
		free(p);
		free(base);
		winit_conds_free(&t);
		return -1;
	}
	header(f, cols, runs, t.nf, rest);
	for (size_t i = 0; i < t.n; i++) {
		const struct cond *c = &t.c[i];
		const struct winit_comparison *k = &cmp[i];
		int first = 1;
		csv_str(f, &first, c->label);
		for (int k2 = 0; k2 < t.nf; k2++)
			csv_str(f, &first, c->spec->factors[k2].value);
		csv_int(f, &first, (long long)c->n);
		csv_int(f, &first, (long long)c->failed);
		csv_num(f, &first, c->sa.mean);
		csv_num(f, &first, c->n > 1 ? c->sa.sd : NAN);
		csv_num(f, &first, c->sa.ci_lo);
		csv_num(f, &first, c->sa.ci_hi);
		csv_num(f, &first, c->sa.min);
		csv_num(f, &first, c->sa.max);
		csv_num(f, &first, c->sl.mean);
		csv_num(f, &first, c->n > 1 ? c->sl.sd : NAN);
		csv_num(f, &first, c->sbest.mean);
		csv_num(f, &first, c->sauc.mean);
		csv_num(f, &first, c->sauc.ci_lo);
		csv_num(f, &first, c->sauc.ci_hi);
		csv_num(f, &first, c->target > 0 ? c->target : NAN);
		if (c->target > 0)
			csv_int(f, &first, (long long)c->reached);
		else
			csv_num(f, &first, NAN);
		csv_num(f, &first, c->sttt.mean);
		if (c->target > 0 && c->step_measured)
			csv_int(f, &first, (long long)c->reached_steps);
		else
			csv_num(f, &first, NAN);
		csv_num(f, &first, c->sstt.mean);
		int has = base[i] != WINIT_NO_BASE;
		csv_str(f, &first, has ? t.c[base[i]].label : NULL);
		csv_str(f, &first, has ? (k->paired ? "paired_t" : "welch_t") : NULL);
		csv_num(f, &first, has ? k->diff : NAN);
		csv_num(f, &first, has ? k->ci_lo : NAN);
		csv_num(f, &first, has ? k->ci_hi : NAN);
		csv_num(f, &first, has && !isnan(k->p) ? k->t : NAN);
		csv_num(f, &first, has && !isnan(k->p) ? k->df : NAN);
		csv_num(f, &first, has ? k->p : NAN);
		csv_num(f, &first, has ? k->p_holm : NAN);
		csv_num(f, &first, has ? k->effect : NAN);
		/* Last, so the columns before keep their places: runs that trained without a test
		 * set (neither in n nor failed). */
		csv_int(f, &first, (long long)c->untested);
		fputc('\n', f);
	}
	free(cmp);
	free(p);
	free(base);
	winit_conds_free(&t);
	return 0;
}

/* Write dir/name as winit/safe_write.h writes every file. */
static int write_file(const char *dir, const char *name, const struct winit_run_spec *runs,
                      const struct winit_run_result *results, size_t n_runs,
                      const struct winit_table_opts *opts, unsigned flags, struct winit_error *err)
{
	char path[4200];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return winit_error_set(err, WINIT_ERR_ARG, "%.200s...: path too long", dir);
	struct winit_safe_write w;
	int rc = winit_safe_write_open(&w, path, WINIT_FILE_CSV, "CSV", flags, err);
	if (rc)
		return rc;
	FILE *f = w.f;
	if (strcmp(name, "runs.csv") == 0)
		write_runs(f, runs, results, n_runs, opts ? opts->target : 0);
	else
		rc = write_summary(f, runs, results, n_runs, opts);
	if (rc) {
		winit_safe_write_abort(&w);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	}
	return winit_safe_write_commit(&w, err);
}

int winit_results_write_csv(const char *dir, const struct winit_run_spec *runs,
                            const struct winit_run_result *results, size_t n_runs,
                            const struct winit_table_opts *opts, struct winit_error *err)
{
	return winit_results_write_csv_ext(dir, runs, results, n_runs, opts, 0, err);
}

int winit_results_write_csv_ext(const char *dir, const struct winit_run_spec *runs,
                                const struct winit_run_result *results, size_t n_runs,
                                const struct winit_table_opts *opts, unsigned flags,
                                struct winit_error *err)
{
	struct stat st;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create directory: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return winit_error_set(err, WINIT_ERR_IO, "%s: exists and is not a directory", dir);
	/* Both paths are checked before either file is written. */
	static const char *const names[] = { "runs.csv", "summary.csv" };
	for (int k = 0; k < 2; k++) {
		char path[4200];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[k]) >= sizeof path)
			return winit_error_set(err, WINIT_ERR_ARG, "%.200s...: path too long", dir);
		int rc = winit_safe_write_check(path, WINIT_FILE_CSV, "CSV", flags, err);
		if (rc)
			return rc;
	}
	int rc = write_file(dir, "runs.csv", runs, results, n_runs, opts, flags, err);
	if (!rc)
		rc = write_file(dir, "summary.csv", runs, results, n_runs, opts, flags, err);
	return rc;
}

int winit_results_file_write_csv(const char *dir, const struct winit_results_file *f,
                                 const struct winit_table_opts *opts, struct winit_error *err)
{
	return winit_results_file_write_csv_ext(dir, f, opts, 0, err);
}

int winit_results_file_write_csv_ext(const char *dir, const struct winit_results_file *f,
                                     const struct winit_table_opts *opts, unsigned flags,
                                     struct winit_error *err)
{
	size_t n = f->n_runs;
	struct winit_run_spec *runs = calloc(n ? n : 1, sizeof *runs);
	struct winit_run_result *results = calloc(n ? n : 1, sizeof *results);
	if (!runs || !results) {
		free(runs);
		free(results);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", dir);
	}
	/* What the writer reads of a run: its grouping from the file, its outcome shared. */
	for (size_t i = 0; i < n; i++) {
		const struct winit_results_run *r = &f->runs[i];
		struct winit_run_spec *s = &runs[i];
		snprintf(s->name, sizeof s->name, "%s", r->name);
		snprintf(s->label, sizeof s->label, "%s", r->label);
		s->seed = r->seed;
		s->replicate = r->replicate;
		s->design = r->design;
		s->target = r->target;
		s->expect = r->expect;
		s->n_factors = r->n_factors;
		memcpy(s->factors, r->factors, sizeof s->factors);
		results[i] = r->result;
	}
	int rc = winit_results_write_csv_ext(dir, runs, results, n, opts, flags, err);
	free(runs);
	free(results);
	return rc;
}
