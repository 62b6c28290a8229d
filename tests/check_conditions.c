/* tests/check_conditions.c -- runs grouped into conditions once (src/analysis/conditions.c):
 * the order labels first appear in, each run's outcome counted once, the summaries over the
 * tested runs and over every run that did not fail, and the same grouping from a study's
 * runs and from a results file read for the report (what the HTML page draws). */
#include <math.h>

#include "testutil.h"
#include "analysis/conditions.h"

/* A study of n runs with these labels, every one finished, tested and paired; run i has
 * test accuracy 0.1 * (i + 1) and loss i + 1. */
static void study(struct winit_run_spec *s, struct winit_run_result *r, const char *const *labels, size_t n)
{
	memset(s, 0, n * sizeof *s);
	memset(r, 0, n * sizeof *r);
	for (size_t i = 0; i < n; i++) {
		snprintf(s[i].name, sizeof s[i].name, "r%zu", i);
		snprintf(s[i].label, sizeof s[i].label, "%s", labels[i]);
		s[i].replicate = (int32_t)i;
		s[i].design = WINIT_DESIGN_PAIRED;
		r[i].done = 1;
		r[i].has_test = 1;
		r[i].test_accuracy = 0.1 * (double)(i + 1);
		r[i].test_loss = (double)(i + 1);
		r[i].seconds = NAN;
	}
}

START_TEST(conditions_follow_the_first_appearance_of_each_label)
{
	static const char *const labels[] = { "b", "a", "b", "c", "a" };
	struct winit_run_spec s[5];
	struct winit_run_result r[5];
	study(s, r, labels, 5);
	struct table t;
	ck_assert_int_eq(winit_conds_build(&t, s, r, 5, 0), 0);
	ck_assert_uint_eq(t.n, 3);
	static const char *const want[] = { "b", "a", "c" };
	static const size_t first[] = { 0, 1, 3 }, n_runs[] = { 2, 2, 1 }, idx[3][2] = { { 0, 2 }, { 1, 4 }, { 3, 0 } };
	for (size_t g = 0; g < 3; g++) {
		const struct cond *c = &t.c[g];
		ck_assert_str_eq(c->label, want[g]);
		ck_assert_ptr_eq(c->spec, &s[first[g]]);
		ck_assert_uint_eq(c->first, first[g]);
		ck_assert_uint_eq(c->n_runs, n_runs[g]);
		ck_assert_uint_eq(c->n, n_runs[g]);
		for (size_t k = 0; k < n_runs[g]; k++)
			ck_assert_uint_eq(c->idx[k], idx[g][k]);
		ck_assert_uint_eq(c->last, idx[g][n_runs[g] - 1]);
		ck_assert_int_eq(c->paired, 1);
	}
	/* b: runs 0 and 2 (0.1, 0.3); a: runs 1 and 4 (0.2, 0.5) */
	ck_assert_double_eq_tol(t.c[0].sa.mean, 0.2, 1e-15);
	ck_assert_double_eq_tol(t.c[1].sa.mean, 0.35, 1e-15);
	ck_assert_double_eq_tol(t.c[1].sl.mean, 3.5, 1e-15);
	ck_assert_int_eq(t.c[2].rep[0], 3);
	ck_assert_int_eq(t.nf, 0);
	winit_conds_free(&t);
}
END_TEST

/* Label x: ok and tested; ok without a test set; failed; diverged as expected; diverged
 * unexpectedly; finished though expected to diverge; not run; and one independent run. */
static void outcomes(struct winit_run_spec *s, struct winit_run_result *r)
{
	static const char *const labels[] = { "x", "x", "x", "x", "x", "x", "x", "y" };
	study(s, r, labels, 8);
	r[1].has_test = 0;
	r[2].status = WINIT_ERR_PLUGIN;
	r[3].status = WINIT_ERR_DIVERGED;
	s[3].expect = WINIT_EXPECT_DIVERGED;
	r[4].status = WINIT_ERR_DIVERGED;
	s[5].expect = WINIT_EXPECT_DIVERGED;
	r[6].done = 0;
	s[7].design = WINIT_DESIGN_INDEPENDENT;
	for (size_t i = 2; i < 5; i++)
		r[i].has_test = 0;
}

START_TEST(every_outcome_is_counted_once)
{
	struct winit_run_spec s[8];
	struct winit_run_result r[8];
	outcomes(s, r);
	struct table t;
	ck_assert_int_eq(winit_conds_build(&t, s, r, 8, 0), 0);
	ck_assert_uint_eq(t.n, 2);
	const struct cond *x = &t.c[0];
	ck_assert_uint_eq(x->n_runs, 7);
	ck_assert_uint_eq(x->n, 2); /* runs 0 and 5 */
	ck_assert_uint_eq(x->untested, 1);
	ck_assert_uint_eq(x->failed, 3);
	ck_assert_uint_eq(x->diverged, 2);
	ck_assert_uint_eq(x->expected, 1);
	ck_assert_uint_eq(x->unmet, 1);
	ck_assert_uint_eq(x->last, 5);
	ck_assert_double_eq_tol(x->sa.mean, (0.1 + 0.6) / 2, 1e-15);
	ck_assert_int_eq(x->paired, 1);
	ck_assert_int_eq(t.c[1].paired, 0);
	ck_assert_uint_eq(t.c[1].n_runs, 1);
	winit_conds_free(&t);
}
END_TEST

START_TEST(runs_that_did_not_fail_are_summarized_tested_or_not)
{
	static const char *const labels[] = { "x", "x", "x" };
	struct winit_run_spec s[3];
	struct winit_run_result r[3];
	study(s, r, labels, 3);
	struct winit_epoch_stats e[3] = { { .has_val = 1, .val_accuracy = 0.5 },
		                          { .has_val = 1, .val_accuracy = 0.7 },
		                          { .has_val = 1, .val_accuracy = 0.9 } };
	static const double seconds[] = { 2, 4, 8 };
	for (size_t i = 0; i < 3; i++) {
		r[i].history = (struct winit_history){ 1, 1, &e[i] };
		r[i].seconds = seconds[i];
	}
	r[1].has_test = 0;                  /* counted: it did not fail */
	r[2].status = WINIT_ERR_DIVERGED;  /* left out */
	struct table t;
	ck_assert_int_eq(winit_conds_build(&t, s, r, 3, 0), 0);
	const struct cond *x = &t.c[0];
	ck_assert_uint_eq(x->sval.n, 2);
	ck_assert_double_eq_tol(x->sval.mean, 0.6, 1e-15);
	ck_assert_uint_eq(x->ssec.n, 2);
	ck_assert_double_eq_tol(x->ssec.mean, 3, 1e-15);
	ck_assert_uint_eq(x->n, 1);
	ck_assert_uint_eq(x->sauc.n, 1); /* the learning metrics: over the tested runs */
	ck_assert_double_eq_tol(x->sauc.mean, 0.5, 1e-15);
	winit_conds_free(&t);
}
END_TEST

/* The runs of outcomes() as the report's reader holds them, with steps to the target. */
static void page(struct winit_report_study *p, struct winit_report_run *x, const struct winit_run_spec *s,
                 const struct winit_run_result *r, size_t n)
{
	memset(p, 0, sizeof *p);
	memset(x, 0, n * sizeof *x);
	p->n_runs = n;
	p->runs = x;
	for (size_t i = 0; i < n; i++) {
		x[i].name = (char *)s[i].name;
		x[i].label = (char *)s[i].label;
		x[i].replicate = s[i].replicate;
		x[i].ok = r[i].status == 0;
		x[i].diverged = r[i].status == WINIT_ERR_DIVERGED;
		x[i].expect_diverged = s[i].expect == WINIT_EXPECT_DIVERGED;
		x[i].has_test = r[i].has_test;
		x[i].test_accuracy = r[i].has_test ? r[i].test_accuracy : NAN;
		x[i].test_loss = r[i].has_test ? r[i].test_loss : NAN;
		x[i].seconds = NAN;
		x[i].target = 0.5;
	}
}

START_TEST(a_report_page_groups_as_the_table_does)
{
	struct winit_run_spec s[8];
	struct winit_run_result r[8];
	outcomes(s, r);
	struct winit_report_study p;
	struct winit_report_run x[6];
	page(&p, x, s, r, 6); /* a results file holds finished runs only: not runs 6 and 7 */
	struct table t, u;
	ck_assert_int_eq(winit_conds_build(&t, s, r, 8, 0), 0);
	ck_assert_int_eq(winit_conds_build_report(&u, &p), 0);
	ck_assert_uint_eq(u.n, 1);
	ck_assert_ptr_null(u.c[0].spec);
	ck_assert_str_eq(u.c[0].label, "x");
	ck_assert_uint_eq(u.c[0].n_runs, 6);
	ck_assert_uint_eq(u.c[0].n, t.c[0].n);
	ck_assert_uint_eq(u.c[0].untested, t.c[0].untested);
	ck_assert_uint_eq(u.c[0].failed, t.c[0].failed);
	ck_assert_uint_eq(u.c[0].diverged, t.c[0].diverged);
	ck_assert_uint_eq(u.c[0].expected, t.c[0].expected);
	ck_assert_uint_eq(u.c[0].unmet, t.c[0].unmet);
	ck_assert_double_eq(u.c[0].sa.mean, t.c[0].sa.mean);
	ck_assert_double_eq(u.c[0].sl.sd, t.c[0].sl.sd);
	winit_conds_free(&t);
	winit_conds_free(&u);
}
END_TEST

START_TEST(a_report_page_counts_steps_and_finite_accuracies)
{
	static const char *const labels[] = { "x", "x", "x", "x", "x" };
	struct winit_run_spec s[5];
	struct winit_run_result r[5];
	study(s, r, labels, 5);
	r[2].has_test = 0;
	r[4].status = WINIT_ERR_DIVERGED;
	struct winit_report_study p;
	struct winit_report_run x[5];
	page(&p, x, s, r, 5);
	static const int64_t steps[] = { 40, -1, 20, 0, 10 };
	for (size_t i = 0; i < 5; i++) {
		x[i].has_steps = i != 3;
		x[i].steps_to_target = steps[i];
	}
	x[1].test_accuracy = NAN; /* null in the file: no test result on the page */
	struct table t;
	ck_assert_int_eq(winit_conds_build_report(&t, &p), 0);
	const struct cond *c = &t.c[0];
	ck_assert_uint_eq(c->n, 2); /* runs 0 and 3 */
	ck_assert_double_eq_tol(c->sa.mean, (0.1 + 0.4) / 2, 1e-15);
	ck_assert_uint_eq(c->ok_measured, 3);  /* runs 0, 1, 2: run 3 measured none, run 4 failed */
	ck_assert_uint_eq(c->ok_reached, 2);   /* runs 0 and 2 */
	ck_assert_double_eq(c->sokst.mean, 30);
	ck_assert_uint_eq(c->step_measured, 1); /* of the tested runs: run 0 */
	ck_assert(isnan(c->sauc.mean));         /* the page holds no validation AUC */
	winit_conds_free(&t);
}
END_TEST

static Suite *conditions_suite(void)
{
	Suite *s = suite_create("conditions");
	TCase *tc = tcase_create("group");
	tcase_add_test(tc, conditions_follow_the_first_appearance_of_each_label);
	tcase_add_test(tc, every_outcome_is_counted_once);
	tcase_add_test(tc, runs_that_did_not_fail_are_summarized_tested_or_not);
	tcase_add_test(tc, a_report_page_groups_as_the_table_does);
	tcase_add_test(tc, a_report_page_counts_steps_and_finite_accuracies);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(conditions_suite());
}
