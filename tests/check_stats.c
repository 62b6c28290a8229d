/* tests/check_stats.c -- the statistics behind the study table, against known values:
 * Student-t quantiles from published tables, p-values from closed forms, the regularized
 * incomplete beta from identities, Holm adjustments and paired tests computed by hand. */
#include <math.h>

#include "testutil.h"

START_TEST(student_t_matches_closed_forms)
{
	/* df = 1 is Cauchy: p = 1 - 2 atan(|t|) / pi; df = 2: p = 1 - |t| / sqrt(t^2 + 2). */
	for (double t = 0; t < 6; t += 0.37) {
		ck_assert_double_eq_tol(winit_student_t_two_sided(t, 1), 1 - 2 * atan(t) / M_PI, 1e-10);
		ck_assert_double_eq_tol(winit_student_t_two_sided(-t, 2), 1 - t / sqrt(t * t + 2), 1e-10);
	}
	/* Large df tends to the normal: |t| = 1.959964 -> 0.05. */
	ck_assert_double_eq_tol(winit_student_t_two_sided(1.959964, 1e7), 0.05, 1e-5);
	ck_assert(isnan(winit_student_t_two_sided(1, 0)));
}
END_TEST

START_TEST(welch_test_by_hand)
{
	const double a[5] = { 1, 2, 3, 4, 5 }, b[5] = { 2, 4, 6, 8, 10 };
	struct winit_summary sa, sb;
	winit_summarize(&sa, a, 5);
	winit_summarize(&sb, b, 5);
	ck_assert_double_eq_tol(sa.mean, 3, 1e-12);
	ck_assert_double_eq_tol(sa.sd, sqrt(2.5), 1e-12);
	ck_assert_double_eq(sb.min, 2);
	ck_assert_double_eq(sb.max, 10);
	struct winit_welch w;
	winit_welch_test(&w, &sa, &sb);
	ck_assert_double_eq_tol(w.t, -3 / sqrt(2.5), 1e-12);
	ck_assert_double_eq_tol(w.df, 6.25 / (0.25 / 4 + 4.0 / 4), 1e-12);
	/* p = I_{df/(df+t^2)}(df/2, 1/2) with t^2 = 3.6, df = 100/17: 0.107531194930627...
	 * (mpmath, 40 digits), pinned at the 12 decimals printed. */
	ck_assert_double_eq_tol(w.p, 0.107531194931, 1e-12);
	/* One run per side: no test. */
	winit_summarize(&sa, a, 1);
	winit_welch_test(&w, &sa, &sb);
	ck_assert(isnan(w.p));
	ck_assert_double_eq(sa.sd, 0);
}
END_TEST

START_TEST(t_quantiles_match_the_tables)
{
	/* Two-sided 95% critical values (any statistics table). */
	ck_assert_double_eq_tol(winit_student_t_quantile(0.975, 1), 12.706205, 1e-5);
	ck_assert_double_eq_tol(winit_student_t_quantile(0.975, 2), 4.302653, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_quantile(0.975, 9), 2.262157, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_quantile(0.975, 30), 2.042272, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_quantile(0.995, 5), 4.032143, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_quantile(0.025, 9), -2.262157, 1e-6);
	ck_assert_double_eq(winit_student_t_quantile(0.5, 4), 0);
	ck_assert(isnan(winit_student_t_quantile(1, 4)));
	ck_assert(isnan(winit_student_t_quantile(0.9, 0)));
	/* The quantile inverts the two-sided p-value. */
	for (double df = 1; df < 40; df += 3.5)
		ck_assert_double_eq_tol(winit_student_t_two_sided(winit_student_t_quantile(0.975, df), df),
		                        0.05, 1e-9);
}
END_TEST

START_TEST(p_values_match_closed_forms)
{
	/* df = 3: F(t) = 1/2 + (u / (1 + u^2) + atan u) / pi with u = t / sqrt 3; t = 3 sqrt 3. */
	ck_assert_double_eq_tol(winit_student_t_two_sided(3 * sqrt(3), 3), 0.013846832988859, 1e-12);
	ck_assert_double_eq_tol(winit_student_t_two_sided(2.228139, 10), 0.05, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_two_sided(3.169273, 10), 0.01, 1e-6);
	ck_assert_double_eq_tol(winit_student_t_cdf(-2.262157, 9), 0.025, 1e-7);
	ck_assert_double_eq(winit_student_t_two_sided(0, 5), 1);
}
END_TEST

START_TEST(incomplete_beta_known_values)
{
	/* Integer a, b: I_x(a, b) = P(Binomial(a + b - 1, x) >= a); I_0.4(2, 3) by hand:
	 * 6 .4^2 .6^2 + 4 .4^3 .6 + .4^4 = 0.5248. */
	ck_assert_double_eq_tol(winit_inc_beta(2, 3, 0.4), 0.5248, 1e-13);
	ck_assert_double_eq_tol(winit_inc_beta(1, 1, 0.3), 0.3, 1e-14);
	ck_assert_double_eq_tol(winit_inc_beta(3, 1, 0.7), 0.343, 1e-14);
	ck_assert_double_eq_tol(winit_inc_beta(1, 4, 0.2), 1 - pow(0.8, 4), 1e-14);
	/* I_x(1/2, 1/2) = 2 asin(sqrt x) / pi; symmetry I_x(a, b) = 1 - I_{1-x}(b, a). */
	ck_assert_double_eq_tol(winit_inc_beta(0.5, 0.5, 0.3), 0.369010119565545, 1e-13);
	ck_assert_double_eq_tol(winit_inc_beta(7.5, 2.25, 0.8) + winit_inc_beta(2.25, 7.5, 0.2), 1, 1e-13);
	ck_assert_double_eq_tol(winit_inc_beta(40, 40, 0.5), 0.5, 1e-13);
	ck_assert_double_eq(winit_inc_beta(2, 3, 0), 0);
	ck_assert_double_eq(winit_inc_beta(2, 3, 1), 1);
	ck_assert(isnan(winit_inc_beta(0, 3, 0.5)));
}
END_TEST

START_TEST(holm_by_hand)
{
	/* Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; the
	 * running maximum makes the last 0.06. */
	const double p[4] = { 0.01, 0.04, 0.03, 0.005 };
	double adj[4];
	winit_holm(adj, p, 4);
	ck_assert_double_eq_tol(adj[0], 0.03, 1e-15);
	ck_assert_double_eq_tol(adj[1], 0.06, 1e-15);
	ck_assert_double_eq_tol(adj[2], 0.06, 1e-15);
	ck_assert_double_eq_tol(adj[3], 0.02, 1e-15);
	/* Undefined p-values are not in the family; adjustments are capped at 1. */
	double q[3] = { 0.02, NAN, 0.6 };
	winit_holm(q, q, 3);
	ck_assert_double_eq_tol(q[0], 0.04, 1e-15);
	ck_assert(isnan(q[1]));
	ck_assert_double_eq_tol(q[2], 0.6, 1e-15);
	double r[2] = { 0.7, 0.8 };
	winit_holm(r, r, 2);
	ck_assert_double_eq(r[0], 1);
	ck_assert_double_eq(r[1], 1);
}
END_TEST

START_TEST(paired_comparison_by_hand)
{
	/* d = 0.01, 0.02, 0.01, 0.02: mean 0.015, sd sqrt(1e-4 / 3), t = 3 sqrt 3, df 3. */
	const double x[4] = { 0.86, 0.87, 0.85, 0.88 }, b[4] = { 0.85, 0.85, 0.84, 0.86 };
	struct winit_comparison c;
	winit_compare_paired(&c, x, b, 4);
	double sd = sqrt(1e-4 / 3);
	ck_assert_int_eq(c.paired, 1);
	ck_assert_double_eq_tol(c.diff, 0.015, 1e-12);
	ck_assert_double_eq_tol(c.t, 3 * sqrt(3), 1e-9);
	ck_assert_double_eq(c.df, 3);
	ck_assert_double_eq_tol(c.p, 0.013846832988859, 1e-9);
	ck_assert_double_eq_tol(c.effect, 0.015 / sd, 1e-9);
	double h = 3.182446 * sd / 2; /* t_{0.975, 3} */
	ck_assert_double_eq_tol(c.ci_lo, 0.015 - h, 1e-8);
	ck_assert_double_eq_tol(c.ci_hi, 0.015 + h, 1e-8);
	/* The same numbers unpaired: Welch's CI is wider, since pairing removes the shared
	 * replicate-to-replicate spread. */
	struct winit_comparison w;
	winit_compare_welch(&w, x, 4, b, 4);
	ck_assert_int_eq(w.paired, 0);
	ck_assert_double_eq_tol(w.diff, 0.015, 1e-12);
	ck_assert(w.ci_hi - w.ci_lo > c.ci_hi - c.ci_lo);
	/* Cohen's d: sums of squares 5e-4 and 2e-4 pooled over 6 degrees of freedom. */
	double pooled = sqrt((5e-4 + 2e-4) / 6);
	ck_assert_double_eq_tol(w.effect, 0.015 / pooled, 1e-9);
	/* One pair: a difference, nothing else. */
	winit_compare_paired(&c, x, b, 1);
	ck_assert_double_eq_tol(c.diff, 0.01, 1e-12);
	ck_assert(isnan(c.p) && isnan(c.ci_lo) && isnan(c.effect));
}
END_TEST

START_TEST(summary_has_a_student_t_interval)
{
	const double x[3] = { 1, 2, 6 }; /* mean 3, sd sqrt 7 */
	struct winit_summary s;
	winit_summarize(&s, x, 3);
	double h = 4.302653 * sqrt(7) / sqrt(3);
	ck_assert_double_eq_tol(s.ci_lo, 3 - h, 1e-5);
	ck_assert_double_eq_tol(s.ci_hi, 3 + h, 1e-5);
	winit_summarize(&s, x, 1);
	ck_assert(isnan(s.ci_lo) && isnan(s.ci_hi));
	winit_summarize(&s, x, 0);
	ck_assert(isnan(s.mean) && isnan(s.ci_lo) && isnan(s.ci_hi));
}
END_TEST

START_TEST(learning_metrics_by_hand)
{
	struct winit_epoch_stats e[4];
	const double va[4] = { 0.5, 0.8, 0.9, 0.85 };
	memset(e, 0, sizeof e);
	for (int i = 0; i < 4; i++) {
		e[i].epoch = i + 1;
		e[i].has_val = 1;
		e[i].val_accuracy = va[i];
	}
	struct winit_history h = { .n = 4, .cap = 4, .epochs = e };
	struct winit_learning lm;
	winit_learning_metrics(&lm, &h, NULL, 0.85);
	ck_assert_int_eq(lm.best_epoch, 3);
	ck_assert_double_eq(lm.best_val_accuracy, 0.9);
	ck_assert_int_eq(lm.epochs_to_target, 3);
	ck_assert_double_eq_tol(lm.val_auc, 3.05 / 4, 1e-15);
	winit_learning_metrics(&lm, &h, NULL, 0.95); /* never reached */
	ck_assert_int_eq(lm.epochs_to_target, 0);
	winit_learning_metrics(&lm, &h, NULL, 0); /* no target */
	ck_assert_int_eq(lm.epochs_to_target, 0);
	for (int i = 0; i < 4; i++)
		e[i].has_val = 0;
	winit_learning_metrics(&lm, &h, NULL, 0.5);
	ck_assert_int_eq(lm.best_epoch, 0);
	ck_assert(isnan(lm.val_auc));
}
END_TEST

/* steps_to_target on a constructed snapshot list: the first snapshot, in the order taken,
 * whose validation accuracy reaches the target; snapshots without validation rows are
 * skipped; nothing is interpolated. */
START_TEST(steps_to_target_by_hand)
{
	struct winit_diag_snapshot sn[7];
	const int64_t step[7] = { 0, 1, 2, 4, 8, 16, 750 };
	const double va[7] = { 0.1, 0.3, 0.99, 0.6, 0.8, 0.7, 0.86 };
	const int64_t rows[7] = { 2048, 2048, 0, 2048, 2048, 2048, 2048 }; /* [2]: none */
	memset(sn, 0, sizeof sn);
	for (int i = 0; i < 7; i++) {
		sn[i].step = step[i];
		sn[i].val_rows = rows[i];
		sn[i].val_accuracy = rows[i] ? va[i] : NAN;
	}
	sn[2].val_accuracy = 0.99; /* a stale value without rows must not count either */
	struct winit_diagnostics d = { .n = 7, .cap = 7, .snaps = sn };
	struct winit_history h = { 0 };
	struct winit_learning lm;
	winit_learning_metrics(&lm, &h, &d, 0.75); /* 0.8 at step 8, though 16 falls back */
	ck_assert_int_eq(lm.steps_to_target, 8);
	ck_assert_int_eq(lm.val_snapshots, 6);
	winit_learning_metrics(&lm, &h, &d, 0.8); /* >=: equal counts */
	ck_assert_int_eq(lm.steps_to_target, 8);
	winit_learning_metrics(&lm, &h, &d, 0.85); /* only the epoch's end */
	ck_assert_int_eq(lm.steps_to_target, 750);
	winit_learning_metrics(&lm, &h, &d, 0.1); /* at initialization: step 0, not "never" */
	ck_assert_int_eq(lm.steps_to_target, 0);
	winit_learning_metrics(&lm, &h, &d, 0.9); /* never */
	ck_assert_int_eq(lm.steps_to_target, -1);
	winit_learning_metrics(&lm, &h, &d, 0); /* no target */
	ck_assert_int_eq(lm.steps_to_target, -1);
	winit_learning_metrics(&lm, &h, NULL, 0.5); /* no diagnostics */
	ck_assert_int_eq(lm.steps_to_target, -1);
	ck_assert_int_eq(lm.val_snapshots, 0);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("known values");
	tcase_add_test(tc, student_t_matches_closed_forms);
	tcase_add_test(tc, steps_to_target_by_hand);
	tcase_add_test(tc, welch_test_by_hand);
	tcase_add_test(tc, t_quantiles_match_the_tables);
	tcase_add_test(tc, p_values_match_closed_forms);
	tcase_add_test(tc, incomplete_beta_known_values);
	tcase_add_test(tc, holm_by_hand);
	tcase_add_test(tc, paired_comparison_by_hand);
	tcase_add_test(tc, summary_has_a_student_t_interval);
	tcase_add_test(tc, learning_metrics_by_hand);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(stats_suite());
}
