/* src/analysis/stats.c -- summaries with Student-t intervals, paired and Welch comparisons,
 * effect sizes, Holm-Bonferroni; the t distribution from the incomplete beta function
 * (self-contained: no GSL, whose GPL would bind the licence). */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <winit/stats.h>

void winit_summarize(struct winit_summary *s, const double *x, size_t n)
{
	s->n = n;
	s->mean = s->sd = 0;
	s->ci_lo = s->ci_hi = NAN;
	s->min = n ? INFINITY : NAN;
	s->max = n ? -INFINITY : NAN;
	if (!n) {
		s->mean = s->sd = NAN;
		return;
	}
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		s->min = fmin(s->min, x[i]);
		s->max = fmax(s->max, x[i]);
	}
	s->mean = sum / (double)n;
	if (n > 1) {
		double ss = 0; /* two-pass for accuracy */
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - s->mean) * (x[i] - s->mean);
		s->sd = sqrt(ss / (double)(n - 1));
	}
	s->ci_lo = s->ci_hi = NAN;
	if (n > 1) {
		double h = winit_student_t_quantile(0.975, (double)(n - 1)) * s->sd / sqrt((double)n);
		s->ci_lo = s->mean - h;
		s->ci_hi = s->mean + h;
	}
}

/* Continued fraction for the regularised incomplete beta function (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= 300; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double winit_inc_beta(double a, double b, double x)
{
	if (isnan(x) || !(a > 0) || !(b > 0))
		return NAN;
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * beta_cf(a, b, x) / a;
	return 1 - exp(lbt) * beta_cf(b, a, 1 - x) / b;
}

double winit_student_t_two_sided(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	return winit_inc_beta(df / 2, 0.5, df / (df + t * t));
}

double winit_student_t_cdf(double t, double df)
{
	double p = winit_student_t_two_sided(t, df);
	if (isnan(p))
		return NAN;
	return t >= 0 ? 1 - p / 2 : p / 2;
}

double winit_student_t_quantile(double q, double df)
{
	if (!(q > 0 && q < 1) || !(df > 0))
		return NAN;
	if (q == 0.5)
		return 0;
	if (q < 0.5)
		return -winit_student_t_quantile(1 - q, df);
	/* The cdf is increasing: bracket the root by doubling, then bisect to the last bit. */
	double lo = 0, hi = 1;
	while (winit_student_t_cdf(hi, df) < q && hi < 1e300) {
		lo = hi;
		hi *= 2;
	}
	for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
		double mid = lo + (hi - lo) / 2;
		if (winit_student_t_cdf(mid, df) < q)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

static void comparison_clear(struct winit_comparison *c, int paired, size_t n)
{
	c->paired = paired;
	c->n = n;
	c->diff = c->ci_lo = c->ci_hi = c->t = c->df = c->p = c->p_holm = c->effect = NAN;
}

/* diff +- t_{0.975, df} se, and the t-test of diff = 0, when se > 0. */
static void comparison_finish(struct winit_comparison *c, double se)
{
	if (!(c->df > 0))
		return;
	double h = winit_student_t_quantile(0.975, c->df) * se;
	c->ci_lo = c->diff - h;
	c->ci_hi = c->diff + h;
	if (se > 0) {
		c->t = c->diff / se;
		c->p = c->p_holm = winit_student_t_two_sided(c->t, c->df);
	}
}

void winit_compare_paired(struct winit_comparison *c, const double *x, const double *base, size_t n)
{
	comparison_clear(c, 1, n);
	if (n == 0)
		return;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i] - base[i];
	c->diff = sum / (double)n;
	if (n < 2)
		return;
	double ss = 0;
	for (size_t i = 0; i < n; i++) {
		double e = x[i] - base[i] - c->diff;
		ss += e * e;
	}
	double sd = sqrt(ss / (double)(n - 1));
	c->df = (double)(n - 1);
	if (sd > 0)
		c->effect = c->diff / sd;
	comparison_finish(c, sd / sqrt((double)n));
}

void winit_compare_welch(struct winit_comparison *c, const double *x, size_t nx,
                         const double *base, size_t nb)
{
	comparison_clear(c, 0, nx < nb ? nx : nb);
	if (nx == 0 || nb == 0)
		return;
	struct winit_summary a, b;
	winit_summarize(&a, x, nx);
	winit_summarize(&b, base, nb);
	c->diff = a.mean - b.mean;
	if (nx < 2 || nb < 2)
		return;
	double va = a.sd * a.sd / (double)nx, vb = b.sd * b.sd / (double)nb;
	double pooled = sqrt(((double)(nx - 1) * a.sd * a.sd + (double)(nb - 1) * b.sd * b.sd) /
	                     (double)(nx + nb - 2));
	if (pooled > 0)
		c->effect = c->diff / pooled;
	if (va + vb > 0)
		c->df = (va + vb) * (va + vb) / (va * va / (double)(nx - 1) + vb * vb / (double)(nb - 1));
	else
		c->df = (double)(nx + nb - 2);
	comparison_finish(c, sqrt(va + vb));
}

void winit_holm(double *adj, const double *p, size_t m)
{
	size_t *ord = malloc((m ? m : 1) * sizeof *ord);
	double *q = malloc((m ? m : 1) * sizeof *q);
	size_t k = 0;
	if (!ord || !q) {
		/* No memory for the ordering: Bonferroni, which Holm never exceeds. */
		size_t fam = 0;
		for (size_t i = 0; i < m; i++)
			fam += !isnan(p[i]);
		for (size_t i = 0; i < m; i++)
			adj[i] = isnan(p[i]) ? NAN : fmin(1, (double)fam * p[i]);
		free(ord);
		free(q);
		return;
	}
	for (size_t i = 0; i < m; i++) {
		q[i] = p[i];
		if (!isnan(p[i]))
			ord[k++] = i;
	}
	/* Insertion sort by p, ties in input order: families are a table's comparisons. */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && q[ord[j - 1]] > q[ord[j]]; j--) {
			size_t t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	double run = 0;
	for (size_t i = 0; i < m; i++)
		adj[i] = NAN;
	for (size_t i = 0; i < k; i++) {
		double v = fmin(1, (double)(k - i) * q[ord[i]]);
		run = fmax(run, v);
		adj[ord[i]] = run;
	}
	free(ord);
	free(q);
}

void winit_welch_test(struct winit_welch *w, const struct winit_summary *a,
                      const struct winit_summary *b)
{
	w->t = w->df = w->p = NAN;
	if (a->n < 2 || b->n < 2)
		return;
	double va = a->sd * a->sd / (double)a->n, vb = b->sd * b->sd / (double)b->n;
	if (va + vb <= 0)
		return;
	w->t = (a->mean - b->mean) / sqrt(va + vb);
	w->df = (va + vb) * (va + vb) /
	        (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	w->p = winit_student_t_two_sided(w->t, w->df);
}
