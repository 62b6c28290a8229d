/* winit/stats.h -- the statistics studies report: per-condition summaries with Student-t
 * confidence intervals, comparisons of a condition with a baseline (paired t-test or
 * Welch's), effect sizes and Holm-Bonferroni adjusted p-values.  Self-contained: the
 * Student-t distribution comes from the regularized incomplete beta function here. */
#ifndef WINIT_STATS_H
#define WINIT_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Below this many replicates per condition the table prints no p-value: with two runs a
 * test has one degree of freedom and its p-value says almost nothing. */
#define WINIT_STATS_MIN_TEST_N 3

struct winit_summary {
	size_t n;
	double mean;
	double sd; /* sample standard deviation (n - 1); 0 when n < 2 */
	double min, max;
	double ci_lo, ci_hi; /* 95% CI of the mean, mean -+ t_{0.975, n-1} sd / sqrt(n); NaN
	                      * when n < 2 */
};

void winit_summarize(struct winit_summary *out, const double *x, size_t n);

struct winit_welch {
	double t;  /* (mean_a - mean_b) / sqrt(sd_a^2/n_a + sd_b^2/n_b) */
	double df; /* Welch-Satterthwaite degrees of freedom */
	double p;  /* two-sided p-value; NaN when undefined (n < 2, zero variance) */
};

/* Welch's unequal-variances t-test of a against b. */
void winit_welch_test(struct winit_welch *out, const struct winit_summary *a,
                      const struct winit_summary *b);

/* A condition against a baseline: the difference (condition - baseline) with its 95%
 * CI, the t-test, and an effect size.  Fields that cannot be computed are NaN. */
struct winit_comparison {
	int paired;  /* 1: paired t-test on per-replicate differences; 0: Welch */
	size_t n;    /* pairs (paired) or the smaller group's size (Welch) */
	double diff; /* mean difference, condition - baseline */
	double ci_lo, ci_hi;
	double t, df;
	double p;      /* two-sided */
	double p_holm; /* Holm-Bonferroni adjusted across a family (winit_holm); = p until then */
	double effect; /* paired: d_z = mean(d) / sd(d); Welch: Cohen's d with the pooled sd */
};

/* Paired: d[i] = x[i] - base[i], i < n (replicate i of each condition). */
void winit_compare_paired(struct winit_comparison *out, const double *x, const double *base,
                          size_t n);
/* Unpaired (Welch) from the two groups' values. */
void winit_compare_welch(struct winit_comparison *out, const double *x, size_t nx,
                         const double *base, size_t nb);

/* Holm-Bonferroni: adj[i] for the m p-values p[i] (NaN entries are left out of the family
 * and stay NaN).  adj may alias p. */
void winit_holm(double *adj, const double *p, size_t m);

/* I_x(a, b), the regularized incomplete beta function (a, b > 0, 0 <= x <= 1). */
double winit_inc_beta(double a, double b, double x);
/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double winit_student_t_cdf(double t, double df);
/* P(|T| >= |t|) for Student's t with df degrees of freedom. */
double winit_student_t_two_sided(double t, double df);
/* The q-quantile of Student's t (0 < q < 1, df > 0): t_{0.975, 9} = 2.262157. */
double winit_student_t_quantile(double q, double df);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_STATS_H */
