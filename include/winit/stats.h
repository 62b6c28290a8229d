/* winit/stats.h -- the statistics studies report: summaries of replicate runs and
 * Welch's t-test between two conditions. */
#ifndef WINIT_STATS_H
#define WINIT_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct winit_summary {
	size_t n;
	double mean;
	double sd; /* sample standard deviation (n - 1); 0 when n < 2 */
	double min, max;
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

/* P(|T| >= |t|) for Student's t with df degrees of freedom. */
double winit_student_t_two_sided(double t, double df);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_STATS_H */
