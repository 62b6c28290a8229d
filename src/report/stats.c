/* src/report/stats.c -- summaries and Welch's t-test. */
#include "config.h"

#include <math.h>

#include <winit/stats.h>

void winit_summarize(struct winit_summary *s, const double *x, size_t n)
{
	s->n = n;
	s->mean = s->sd = 0;
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

/* I_x(a, b) */
static double inc_beta(double a, double b, double x)
{
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
	return inc_beta(df / 2, 0.5, df / (df + t * t));
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
