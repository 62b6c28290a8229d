/* src/theory/fixed_point.c -- the mean-field fixed point q* of a deep stack, chi_1 at it
 * and the edge of chaos (winit/theory.h): the phase diagram of Poole et al. 2016 and
 * Schoenholz et al. 2017, through the activation plugin's own forward and backward. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <winit/plugin_call.h>
#include <winit/theory.h>

#include "core/guard.h"
#include "theory/theory_internal.h"

/* Largest q tried before q* is declared infinite, and smallest before it is declared 0;
 * where chi_1 is taken when q* = 0 (theory_internal.h says why). */
#define Q_MAX WINIT_THEORY_Q_MAX
#define Q_MIN 1e-30
#define Q_ZERO WINIT_THEORY_Q_ZERO

/* The expectations over z = sqrt(q) u, u ~ N(0, 1): three-point Gauss-Legendre on each of
 * PANELS panels of [-U_MAX, U_MAX].  Not Gauss-Hermite: chi_1 integrates f'^2, for tanh
 * sech^4, whose poles at +-i pi/2 come close in units of sd as q* grows (128 Hermite nodes
 * are off by 1e-3 at q* = 6.6), and a kink at 0 (ReLU) is a panel boundary, never a node. */
#define PANELS 800
#define U_MAX 10.0
#define NODES (3 * PANELS)

struct quad {
	double u[NODES], w[NODES]; /* w includes the normal density */
	/* What the activation reads and writes, each array between guard zones. */
	float g0[WINIT_GUARD], z[NODES];
	float g1[WINIT_GUARD], one[NODES];
	float g2[WINIT_GUARD], y[NODES];
	float g3[WINIT_GUARD], d[NODES];
	float g4[WINIT_GUARD];
	char fault[256]; /* an activation that wrote outside them; "" while none */
	const struct winit_activation *act;
	const double *params;
};

static void quad_init(struct quad *g)
{
	const double gx[3] = { -sqrt(0.6), 0, sqrt(0.6) }, gw[3] = { 5 / 9.0, 8 / 9.0, 5 / 9.0 };
	double h = 2 * U_MAX / PANELS;
	for (int k = 0; k < PANELS; k++) {
		double mid = -U_MAX + (k + 0.5) * h;
		for (int j = 0; j < 3; j++) {
			double u = mid + gx[j] * h / 2;
			g->u[3 * k + j] = u;
			g->w[3 * k + j] = gw[j] * h / 2 * exp(-u * u / 2) / sqrt(2 * M_PI);
		}
	}
	for (int i = 0; i < NODES; i++)
		g->one[i] = 1.0f;
	winit_guard_zone_set(g->g0);
	winit_guard_zone_set(g->g1);
	winit_guard_zone_set(g->g2);
	winit_guard_zone_set(g->g3);
	winit_guard_zone_set(g->g4);
	g->fault[0] = '\0';
}

/* Whether the callback left the zones intact; else the fault into g->fault. */
static int intact(struct quad *g, int backward)
{
	const float *const zone[5] = { g->g0, g->g1, g->g2, g->g3, g->g4 };
	return winit_theory_act_intact(zone, g->act, backward, "", g->fault, sizeof g->fault);
}

/* E[f(z)^2] and E[f'(z)^2] for z ~ N(0, q) in one pass; -1 when a value is not finite. */
static int moments(struct quad *g, double q, double *f2, double *d2)
{
	double s = sqrt(q);
	for (int i = 0; i < NODES; i++)
		g->z[i] = (float)(s * g->u[i]);
	winit_activation_forward(g->act, g->y, g->z, 1, NODES, g->params);
	if (!intact(g, 0))
		return -1;
	winit_activation_backward(g->act, g->d, g->one, g->z, g->y, 1, NODES, g->params);
	if (!intact(g, 1))
		return -1;
	double ef = 0, ed = 0;
	for (int i = 0; i < NODES; i++) {
		ef += g->w[i] * (double)g->y[i] * g->y[i];
		ed += g->w[i] * (double)g->d[i] * g->d[i];
	}
	*f2 = ef;
	*d2 = ed;
	return isfinite(ef) && isfinite(ed) ? 0 : -1;
}

struct fp_ctx {
	struct quad *g;
	double sw2, sb2;
	int bad; /* a moment was not finite */
	double bad_q;
};

/* h(q) = sigma_w^2 E[f(z)^2] + sigma_b^2 - q: positive below the stable root. */
static double h(struct fp_ctx *c, double q)
{
	double f2, d2;
	if (moments(c->g, q, &f2, &d2)) {
		if (!c->bad)
			c->bad_q = q;
		c->bad = 1;
		return 0;
	}
	return c->sw2 * f2 + c->sb2 - q;
}

static int check_act(const struct winit_activation *act, struct winit_error *err)
{
	if (act->flags & WINIT_ACT_ROWWISE)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "activation '%s' is row-wise; the fixed point is for element-wise activations",
		                       act->info.name);
	return 0;
}

int winit_theory_fixed_point(struct winit_fixed_point *out, const struct winit_activation *act,
                             const double *params, double sigma_w, double sigma_b,
                             struct winit_error *err)
{
	if (!(sigma_w > 0) || !isfinite(sigma_w))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "sigma_w must be a finite number > 0 (got %g)", sigma_w);
	if (!(sigma_b >= 0) || !isfinite(sigma_b))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "sigma_b must be a finite number >= 0 (got %g)", sigma_b);
	if (check_act(act, err))
		return WINIT_ERR_ARG;
	struct fp_ctx c = { .sw2 = sigma_w * sigma_w, .sb2 = sigma_b * sigma_b };
	c.g = malloc(sizeof *c.g);
	if (!c.g)
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory for the fixed point");
	quad_init(c.g);
	c.g->act = act;
	c.g->params = params;

	/* Bracket the largest root: hi, the first power of two where h < 0; lo below it,
	 * halving until h >= 0.  Then bisect. */
	double hi = 1, lo, q_star, q_eval;
	while (hi < Q_MAX && h(&c, hi) >= 0 && !c.bad)
		hi *= 2;
	if (!c.bad && hi >= Q_MAX) {
		q_star = INFINITY;
		q_eval = Q_MAX;
	} else {
		lo = hi / 2;
		while (lo > Q_MIN && h(&c, lo) < 0 && !c.bad)
			lo /= 2;
		if (lo <= Q_MIN) {
			q_star = 0;
			q_eval = Q_ZERO;
		} else {
			for (int it = 0; it < 200 && hi - lo > 1e-13 * hi && !c.bad; it++) {
				double mid = 0.5 * (lo + hi);
				if (h(&c, mid) >= 0)
					lo = mid;
				else
					hi = mid;
			}
			q_star = q_eval = 0.5 * (lo + hi);
		}
	}
	double f2, d2;
	int bad = c.bad || moments(c.g, q_eval, &f2, &d2);
	if (c.g->fault[0]) {
		int rc = winit_error_set(err, WINIT_ERR_PLUGIN, "%s", c.g->fault);
		free(c.g);
		return rc;
	}
	free(c.g);
	if (bad)
		return winit_error_set(err, WINIT_ERR_NUMERIC,
		                       "activation '%s' gave a non-finite value for z ~ N(0, %g)",
		                       act->info.name, c.bad ? c.bad_q : q_eval);
	out->q_star = q_star;
	out->chi_1 = c.sw2 * d2;
	out->depth_scale = 1.0 / fabs(log(out->chi_1));
	return 0;
}

int winit_theory_critical_sigma_w(double *sigma_w, const struct winit_activation *act,
                                  const double *params, double sigma_b, double lo, double hi,
                                  struct winit_error *err)
{
	if (!(lo > 0) || !(hi > lo) || !isfinite(hi))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "the sigma_w range must satisfy 0 < lo < hi < inf (got [%g, %g])",
		                       lo, hi);
	struct winit_fixed_point a, b;
	int rc = winit_theory_fixed_point(&a, act, params, lo, sigma_b, err);
	if (!rc)
		rc = winit_theory_fixed_point(&b, act, params, hi, sigma_b, err);
	if (rc)
		return rc;
	if (!(a.chi_1 < 1) || !(b.chi_1 > 1))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "'%s' at sigma_b = %g: chi_1 must be below 1 at sigma_w = %g and above 1 at sigma_w = %g to bracket the edge of chaos (got %g and %g)",
		                       act->info.name, sigma_b, lo, hi, a.chi_1, b.chi_1);
	for (int it = 0; it < 200 && hi - lo > 1e-9 * hi; it++) {
		double mid = 0.5 * (lo + hi);
		rc = winit_theory_fixed_point(&a, act, params, mid, sigma_b, err);
		if (rc)
			return rc;
		if (a.chi_1 < 1)
			lo = mid;
		else
			hi = mid;
	}
	*sigma_w = 0.5 * (lo + hi);
	return 0;
}
