/* src/theory/correlation.c -- the correlation map of two inputs through a layer, its fixed
 * point c*, chi_c and the depth scales xi_q and xi_c (winit/theory.h; Poole et al. 2016,
 * Schoenholz et al. 2017), through the activation plugin's own forward and backward.
 *
 * The two-dimensional rule.  (x1, x2) standard normals with correlation c are
 * (r cos t, r cos(t - a)), a = acos c, t uniform on the circle and r with density
 * r e^{-r^2/2}.  A kink of f at 0 (ReLU, leaky ReLU, ELU's second derivative, a step
 * derivative) then lies on the four rays t = -pi/2, a - pi/2, pi/2, a + pi/2: the rule cuts
 * the circle at them, so on each arc and along each ray the integrand is smooth, and uses
 * composite Gauss-Legendre there (K nodes on each of ARC_PANELS panels per arc, and on each
 * of R_PANELS panels of [0, R_MAX] in r).  Measured in double precision against closed
 * forms, q1 = 1.3, q2 = 0.7, c in {-0.7, 0, 0.5, 0.9, 0.999} (tests/check_theory.c holds
 * the same cases):
 *
 *   rule                                   ReLU kernel   step kernel (ReLU')   erf kernel
 *   Gauss-Hermite tensor product, 64^2     2.0e-3        2.6e-2                1.2e-13
 *                                 192^2    6.5e-4        1.4e-2                2.4e-15
 *   nested composite 3-point Gauss-
 *     Legendre, 2400 x 2400 nodes          3.8e-9        5.5e-5                1.1e-15
 *   this rule (131,072 nodes)              < 1e-14       < 1e-14               < 1e-14
 *
 * (largest error over the five c).  The tensor products cross a kink between nodes; this
 * rule never does.  Its error for smooth activations grows with q, whose features shrink
 * towards r = 0 as 1 / sqrt(q): against the same rule at 112 times as many nodes (20-point
 * rules, 96 panels each way), tanh and tanh' are within 6e-11 at q <= 50, 2e-8 at q = 200
 * and 6e-7 at q = 1000 (c = 0.3 and 0.99).  A kink away from 0 (a hard tanh) is crossed,
 * not followed: about 1e-5 there.  Through a plugin, which computes in float, the results
 * carry float rounding (about 1e-7 relative) on top.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/plugin_call.h>
#include <winit/theory.h>

#include "core/guard.h"
#include "theory/theory_internal.h"

#define K 16          /* Gauss-Legendre nodes per panel */
#define ARC_PANELS 8  /* panels per arc between two kink rays */
#define R_PANELS 16   /* panels of [0, R_MAX] */
#define R_MAX 12.0    /* the weight beyond: e^{-72} */
#define N_ANGLES (4 * ARC_PANELS * K)
#define N_RADII (R_PANELS * K)
#define N WINIT_CORR_NODES

_Static_assert(N_ANGLES * N_RADII == WINIT_CORR_NODES, "the rule's size");

/* K-point Gauss-Legendre on [-1, 1], by Newton's iteration on the Legendre recurrence. */
static void legendre(double *x, double *w)
{
	for (int i = 0; i < K; i++) {
		double z = cos(M_PI * (i + 0.75) / (K + 0.5)), dp = 1;
		for (int it = 0; it < 100; it++) {
			double p1 = 1, p2 = 0;
			for (int j = 0; j < K; j++) {
				double p3 = p2;
				p2 = p1;
				p1 = ((2 * j + 1) * z * p2 - j * p3) / (j + 1);
			}
			dp = K * (z * p1 - p2) / (z * z - 1);
			double dz = p1 / dp;
			z -= dz;
			if (fabs(dz) < 1e-16)
				break;
		}
		x[i] = z;
		w[i] = 2 / ((1 - z * z) * dp * dp);
	}
}

void winit_corr_rule(double c, double *x1, double *x2, double *w)
{
	double gx[K], gw[K];
	legendre(gx, gw);
	c = c < -1 ? -1 : c > 1 ? 1 : c;
	const double a = acos(c);
	const double cut[5] = { -M_PI / 2, a - M_PI / 2, M_PI / 2, a + M_PI / 2, 1.5 * M_PI };
	double ct[N_ANGLES], cta[N_ANGLES], wt[N_ANGLES], r[N_RADII], wr[N_RADII];
	int m = 0;
	for (int arc = 0; arc < 4; arc++) {
		double h = (cut[arc + 1] - cut[arc]) / ARC_PANELS;
		for (int p = 0; p < ARC_PANELS; p++)
			for (int i = 0; i < K; i++, m++) {
				double t = cut[arc] + (p + 0.5) * h + gx[i] * h / 2;
				ct[m] = cos(t);
				cta[m] = cos(t - a);
				wt[m] = gw[i] * h / 2 / (2 * M_PI);
			}
	}
	const double h = R_MAX / R_PANELS;
	for (int p = 0, j = 0; p < R_PANELS; p++)
		for (int i = 0; i < K; i++, j++) {
			r[j] = (p + 0.5) * h + gx[i] * h / 2;
			wr[j] = gw[i] * h / 2 * r[j] * exp(-r[j] * r[j] / 2);
		}
	for (int i = 0, n = 0; i < N_ANGLES; i++)
		for (int j = 0; j < N_RADII; j++, n++) {
			x1[n] = r[j] * ct[i];
			x2[n] = r[j] * cta[i];
			w[n] = wt[i] * wr[j];
		}
}

/* What the activation reads and writes (u1's N values, then u2's), each array between
 * guard zones, and the rule's nodes. */
struct bufs {
	float g0[WINIT_GUARD], z[2 * N];
	float g1[WINIT_GUARD], one[2 * N];
	float g2[WINIT_GUARD], y[2 * N];
	float g3[WINIT_GUARD], d[2 * N];
	float g4[WINIT_GUARD];
	double x1[N], x2[N], w[N];
	double rule_c; /* the c the nodes are for; NAN before the first */
	char fault[256]; /* an activation that wrote outside them; "" while none */
	const struct winit_activation *act;
	const double *params;
};

static struct bufs *bufs_new(const struct winit_activation *act, const double *params)
{
	struct bufs *b = malloc(sizeof *b);
	if (!b)
		return NULL;
	winit_guard_zone_set(b->g0);
	winit_guard_zone_set(b->g1);
	winit_guard_zone_set(b->g2);
	winit_guard_zone_set(b->g3);
	winit_guard_zone_set(b->g4);
	for (int i = 0; i < 2 * N; i++)
		b->one[i] = 1.0f;
	b->rule_c = NAN;
	b->fault[0] = '\0';
	b->act = act;
	b->params = params;
	return b;
}

static int intact(struct bufs *b, int backward)
{
	const float *const zone[5] = { b->g0, b->g1, b->g2, b->g3, b->g4 };
	return winit_theory_act_intact(zone, b->act, backward, " during the correlation map",
	                               b->fault, sizeof b->fault);
}

/* The expectations at (q1, q2, c), (u1, u2) = (sqrt(q1) x1, sqrt(q2) x2). */
struct moments {
	double f11, f22, f12; /* E[f(u1)^2], E[f(u2)^2], E[f(u1) f(u2)] */
	double d12;           /* E[f'(u1) f'(u2)] (with derivatives) */
	double slope1;        /* E[x1 f(u1) f'(u1)] / sqrt(q1) = d E[f(u1)^2] / d q1 */
};

/* The moments; with `derivs`, d12 and slope1 too.  -1 when a value is not finite or the
 * activation wrote outside its buffers (b->fault). */
static int moments(struct bufs *b, double q1, double q2, double c, int derivs,
                   struct moments *m)
{
	if (!(b->rule_c == c)) {
		winit_corr_rule(c, b->x1, b->x2, b->w);
		b->rule_c = c;
	}
	const double s1 = sqrt(q1), s2 = sqrt(q2);
	for (int i = 0; i < N; i++) {
		b->z[i] = (float)(s1 * b->x1[i]);
		b->z[N + i] = (float)(s2 * b->x2[i]);
	}
	winit_activation_forward(b->act, b->y, b->z, 1, 2 * N, b->params);
	if (!intact(b, 0))
		return -1;
	if (derivs) {
		winit_activation_backward(b->act, b->d, b->one, b->z, b->y, 1, 2 * N, b->params);
		if (!intact(b, 1))
			return -1;
	}
	double f11 = 0, f22 = 0, f12 = 0, d12 = 0, t1 = 0;
	const float *y1 = b->y, *y2 = b->y + N, *d1 = b->d, *d2 = b->d + N;
	for (int i = 0; i < N; i++) {
		const double w = b->w[i];
		f11 += w * y1[i] * (double)y1[i];
		f22 += w * y2[i] * (double)y2[i];
		f12 += w * y1[i] * (double)y2[i];
		if (derivs) {
			d12 += w * d1[i] * (double)d2[i];
			t1 += w * b->x1[i] * y1[i] * (double)d1[i];
		}
	}
	m->f11 = f11;
	m->f22 = f22;
	m->f12 = f12;
	m->d12 = d12;
	m->slope1 = t1 / s1;
	return isfinite(f11) && isfinite(f22) && isfinite(f12) && isfinite(d12) && isfinite(t1)
	               ? 0
	               : -1;
}

/* A number as the messages show it: "NaN" rather than the C library's "-nan". */
static const char *num(char buf[32], double x)
{
	if (isnan(x))
		return "NaN";
	snprintf(buf, 32, "%g", x);
	return buf;
}

static int check_sigmas(double sigma_w, double sigma_b, struct winit_error *err)
{
	char b[32];
	if (!(sigma_w > 0) || !isfinite(sigma_w))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "sigma_w must be a finite number > 0 (got %s)", num(b, sigma_w));
	if (!(sigma_b >= 0) || !isfinite(sigma_b))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "sigma_b must be a finite number >= 0 (got %s)", num(b, sigma_b));
	return 0;
}

static int check_act(const struct winit_activation *act, struct winit_error *err)
{
	if (act->flags & WINIT_ACT_ROWWISE)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "activation '%s' is row-wise; the correlation map is for element-wise activations",
		                       act->info.name);
	return 0;
}

/* The error for a failed moments(): the fault, or the non-finite value. */
static int moments_error(const struct bufs *b, double q1, double q2, double c,
                         struct winit_error *err)
{
	if (b->fault[0])
		return winit_error_set(err, WINIT_ERR_PLUGIN, "%s", b->fault);
	return winit_error_set(err, WINIT_ERR_NUMERIC,
	                       "activation '%s' gave a non-finite value for pre-activations of variances %g and %g with correlation %g",
	                       b->act->info.name, q1, q2, c);
}

/* The map at (q1, q2, c) into out, from moments already taken. */
static int map_from(struct winit_correlation *out, const struct moments *m, double sw2,
                    double sb2, const struct bufs *b, double q1, double q2,
                    struct winit_error *err)
{
	out->q1 = sw2 * m->f11 + sb2;
	out->q2 = sw2 * m->f22 + sb2;
	out->q12 = sw2 * m->f12 + sb2;
	if (!(out->q1 > 0) || !(out->q2 > 0))
		return winit_error_set(err, WINIT_ERR_NUMERIC,
		                       "activation '%s': the next layer's variances are %g and %g for pre-activations of variances %g and %g; a correlation needs both > 0",
		                       b->act->info.name, out->q1, out->q2, q1, q2);
	out->c = out->q12 / sqrt(out->q1 * out->q2);
	/* Rounding can carry |c'| a hair past 1 (at c = 1 exactly, u1 = u2 node by node). */
	if (out->c > 1)
		out->c = 1;
	if (out->c < -1)
		out->c = -1;
	return 0;
}

int winit_theory_correlation_map(struct winit_correlation *out,
                                 const struct winit_activation *act, const double *params,
                                 double sigma_w, double sigma_b, double q1, double q2, double c,
                                 struct winit_error *err)
{
	if (check_sigmas(sigma_w, sigma_b, err))
		return WINIT_ERR_ARG;
	char b1[32], b2[32];
	if (!(q1 > 0) || !isfinite(q1) || !(q2 > 0) || !isfinite(q2))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "the variances q1 and q2 must be finite numbers > 0 (got %s and %s)",
		                       num(b1, q1), num(b2, q2));
	if (!(c >= -1 && c <= 1))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "the correlation c must be in [-1, 1] (got %s)", num(b1, c));
	if (check_act(act, err))
		return WINIT_ERR_ARG;
	struct bufs *b = bufs_new(act, params);
	if (!b)
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory for the correlation map");
	struct moments m;
	int rc = moments(b, q1, q2, c, 0, &m) ? moments_error(b, q1, q2, c, err)
	                                      : map_from(out, &m, sigma_w * sigma_w,
	                                                 sigma_b * sigma_b, b, q1, q2, err);
	free(b);
	return rc;
}

/* Below this, c' - c is taken for rounding, not for a crossing.  The plugin computes in
 * float, but near c = 1 u1 and u2 round alike: measured on tanh (sigma_w^2 = 2.5, sigma_b^2
 * = 0.05), c' - c at 1 - 2^-k follows its linear part (chi_1 - 1) 2^-k within 1e-14 down
 * to k = 40. */
#define G_TOL 1e-11

/* c' - c at (q, q, c) into *g; an error as moments_error or map_from. */
static int gap(struct bufs *b, double q, double c, double sw2, double sb2, double *g,
               struct winit_error *err)
{
	struct moments m;
	struct winit_correlation map;
	if (moments(b, q, q, c, 0, &m))
		return moments_error(b, q, q, c, err);
	int rc = map_from(&map, &m, sw2, sb2, b, q, q, err);
	*g = map.c - c;
	return rc;
}

/* The stable root of c' - c at (q, q) when c = 1 is unstable, into *c_star.  c' is
 * increasing and convex on [0, 1] (Mehler: a series in c with coefficients >= 0) and
 * c'(0) >= 0, so there is one root in [0, 1): it is bracketed from above at 1 - 2^-k,
 * then bisected.  No bracket (c' - c >= 0 down to 1 - 2^-40, as at the edge within
 * rounding): c* = 1. */
static int stable_root(struct bufs *b, double q, double sw2, double sb2, double *c_star,
                       struct winit_error *err)
{
	double lo = 0, hi = 1, g;
	int rc;
	*c_star = 1;
	for (int k = 1; k <= 40; k++) {
		double bk = 1 - ldexp(1, -k);
		if ((rc = gap(b, q, bk, sw2, sb2, &g, err)))
			return rc;
		if (g < -G_TOL) {
			hi = bk;
			break;
		}
		lo = bk;
	}
	if (hi == 1)
		return 0;
	if (lo == 0) {
		if ((rc = gap(b, q, 0, sw2, sb2, &g, err)))
			return rc;
		if (g <= G_TOL) {
			*c_star = 0; /* c'(0) = 0: an odd activation without bias */
			return 0;
		}
	}
	for (int it = 0; it < 100 && hi - lo > 1e-13; it++) {
		double mid = 0.5 * (lo + hi);
		if ((rc = gap(b, q, mid, sw2, sb2, &g, err)))
			return rc;
		if (g > 0)
			lo = mid;
		else
			hi = mid;
	}
	*c_star = 0.5 * (lo + hi);
	return 0;
}

int winit_theory_correlation_fixed_point(struct winit_correlation_fixed_point *out,
                                         const struct winit_activation *act,
                                         const double *params, double sigma_w,
                                         double sigma_b, struct winit_error *err)
{
	if (check_sigmas(sigma_w, sigma_b, err))
		return WINIT_ERR_ARG;
	if (check_act(act, err))
		return WINIT_ERR_ARG;
	struct winit_fixed_point fp;
	int rc = winit_theory_fixed_point(&fp, act, params, sigma_w, sigma_b, err);
	if (rc)
		return rc;
	/* Where fixed_point takes chi_1 when q* is 0 or infinite. */
	const double q = fp.q_star == 0 ? WINIT_THEORY_Q_ZERO
	                 : isinf(fp.q_star) ? WINIT_THEORY_Q_MAX
	                                    : fp.q_star;
	const double sw2 = sigma_w * sigma_w, sb2 = sigma_b * sigma_b;
	struct bufs *b = bufs_new(act, params);
	if (!b)
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory for the correlation map");
	/* At c = 1: chi_c there (chi_1, by this rule) and the variance map's slope. */
	struct moments m;
	double c_star = 1, chi_c = 0, slope = 0;
	if (moments(b, q, q, 1, 1, &m)) {
		rc = moments_error(b, q, q, 1, err);
		goto done;
	}
	chi_c = sw2 * m.d12;
	slope = sw2 * m.slope1;
	if (chi_c > 1 && (rc = stable_root(b, q, sw2, sb2, &c_star, err)))
		goto done;
	if (c_star < 1) {
		if (moments(b, q, q, c_star, 1, &m)) {
			rc = moments_error(b, q, q, c_star, err);
			goto done;
		}
		chi_c = sw2 * m.d12;
	}
	out->q_star = fp.q_star;
	out->chi_1 = fp.chi_1;
	out->c_star = c_star;
	out->chi_c = chi_c;
	out->xi_q = 1.0 / fabs(log(slope));
	out->xi_c = 1.0 / fabs(log(chi_c));
done:
	free(b);
	return rc;
}
