/* src/plugin/conformance_act.c -- the conformance checks of one activation with one
 * parameter setting: gain, finite values, the derivative by finite differences (or the
 * row-wise J^T dy), in-place calls, and WINIT_ACT_FROM_OUTPUT's promise.  See <winit/conformance.h>. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <winit/rng.h>

#include "plugin/conformance_internal.h"
#include "plugin/plugin_internal.h"

static int nonfinite_at(const float *v, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return (int)i;
	return -1;
}

/* Index of the first element off by more than ALIAS_REL relative, or -1. */
static int64_t first_mismatch(const float *a, const float *b, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		if (float_bits(a[i]) == float_bits(b[i]))
			continue;
		double d = fabs((double)a[i] - (double)b[i]);
		if (!(d <= ALIAS_REL * fmax(1.0, fabs((double)b[i]))))
			return i;
	}
	return -1;
}

/* The GUARD floats around each buffer of ad: set to the fill sentinel before the calls,
 * then the first one changed, if any, is a failed check naming the buffer and index. */
static void set_guards(float *v, int64_t n)
{
	const float s = winit_fill_sentinel();
	for (int64_t i = 1; i <= GUARD; i++)
		v[-i] = v[n - 1 + i] = s;
}

static int64_t guard_hit(const float *v, int64_t n)
{
	for (int64_t i = -GUARD; i < 0; i++)
		if (!winit_is_fill_sentinel(v[i]))
			return i;
	for (int64_t i = n; i < n + GUARD; i++)
		if (!winit_is_fill_sentinel(v[i]))
			return i;
	return 0;
}

/* After a call of `callback`: the first guard zone it wrote, unless an earlier call's was
 * seen already (the report names the callback that wrote). */
static void note_guards(struct act_data *ad, const char *callback)
{
	struct {
		const char *name;
		const float *v;
	} const bufs[] = { { "x", ad->x }, { "y", ad->y }, { "dy", ad->dy }, { "dx", ad->dx }, { "x (in place)", ad->tmp } };
	for (size_t k = 0; !ad->hit_callback && k < sizeof bufs / sizeof bufs[0]; k++) {
		int64_t at = guard_hit(bufs[k].v, ad->n);
		if (at) {
			ad->hit_callback = callback;
			ad->hit_buffer = bufs[k].name;
			ad->hit_at = at;
		}
	}
}

static void check_guards(struct checker *c, struct act_data *ad)
{
	if (ad->hit_callback)
		conf_result(c, 0, "%s wrote outside the %lld values of %s (at [%lld]); touch only "
		                  "[0, rows * cols)",
		            ad->hit_callback, (long long)ad->n, ad->hit_buffer, (long long)ad->hit_at);
	else
		conf_result(c, 1, "forward and backward write nothing outside their buffers");
}

/* The calls a host may make on shared buffers, against ad's out-of-place y and dx: forward
 * with y == x, backward with dx == dy and, with WINIT_ACT_FROM_OUTPUT, backward with f(x)
 * in place of x. */
static void check_act_aliasing(struct checker *c, const struct winit_activation *act,
                               const double *params, struct act_data *ad)
{
	const int64_t n = ad->n, rows = ad->rows;
	memcpy(ad->tmp, ad->x, (size_t)n * sizeof *ad->tmp);
	conf_calling("forward in place (y == x)");
	act->forward(ad->tmp, ad->tmp, rows, ACT_COLS, params);
	note_guards(ad, "forward (in place)");
	int64_t m = first_mismatch(ad->tmp, ad->y, n);
	if (m >= 0)
		conf_result(c, 0, "forward in place (y aliasing x) gives %.9g at x = %.6g, out of "
		                  "place %.9g; y may alias x",
		            (double)ad->tmp[m], (double)ad->x[m],
		            (double)ad->y[m]);
	else
		conf_result(c, 1, "forward in place (y aliasing x) matches out of place");
	memcpy(ad->tmp, ad->dy, (size_t)n * sizeof *ad->tmp);
	conf_calling("backward in place (dx == dy)");
	act->backward(ad->tmp, ad->tmp, ad->x, ad->y, rows, ACT_COLS, params);
	note_guards(ad, "backward (in place)");
	m = first_mismatch(ad->tmp, ad->dx, n);
	if (m >= 0)
		conf_result(c, 0, "backward in place (dx aliasing dy) gives %.9g at x = %.6g, out "
		                  "of place %.9g; dx may alias dy",
		            (double)ad->tmp[m], (double)ad->x[m],
		            (double)ad->dx[m]);
	else
		conf_result(c, 1, "backward in place (dx aliasing dy) matches out of place");
	if (act->flags & WINIT_ACT_FROM_OUTPUT) {
		/* The host may pass f(x) for x: the same dx to the bit. */
		conf_calling("backward with x holding f(x) (WINIT_ACT_FROM_OUTPUT)");
		act->backward(ad->tmp, ad->dy, ad->y, ad->y, rows, ACT_COLS, params);
		note_guards(ad, "backward (x holding f(x))");
		m = first_diff(ad->tmp, ad->dx, n);
		if (m >= 0)
			conf_result(c, 0, "backward with x holding f(x) gives %.9g at x = %.6g, with x "
			                  "itself %.9g; WINIT_ACT_FROM_OUTPUT promises the same (clear "
			                  "the flag, or compute the derivative from y)",
			            (double)ad->tmp[m], (double)ad->x[m], (double)ad->dx[m]);
		else
			conf_result(c, 1, "backward with x holding f(x) matches to the bit "
			                  "(WINIT_ACT_FROM_OUTPUT)");
	}
}

static void check_act_values(struct checker *c, const struct winit_activation *act,
                             const double *params, struct act_data *ad)
{
	set_guards(ad->x, ad->n);
	set_guards(ad->y, ad->n);
	set_guards(ad->dy, ad->n);
	set_guards(ad->dx, ad->n);
	set_guards(ad->tmp, ad->n);
	ad->hit_callback = NULL;
	const int64_t n = ad->n, rows = ad->rows;
	const char *what = "on a grid of [-20, 20] and random normal inputs";

	memcpy(ad->tmp, ad->x, (size_t)n * sizeof *ad->tmp);
	conf_calling("forward on %lld x %d inputs in [-20, 20] and N(0, 1), N(0, 16)", (long long)rows, ACT_COLS);
	act->forward(ad->y, ad->x, rows, ACT_COLS, params);
	note_guards(ad, "forward");
	int bad = nonfinite_at(ad->y, n);
	if (bad >= 0)
		conf_result(c, 0, "forward(%.6g) = %g, expected a finite value (%s)",
		            (double)ad->x[bad], (double)ad->y[bad], what);
	else
		conf_result(c, 1, "forward finite %s (%lld values)", what, (long long)n);

	conf_calling("backward on %lld x %d inputs", (long long)rows, ACT_COLS);
	act->backward(ad->dx, ad->dy, ad->x, ad->y, rows, ACT_COLS, params);
	note_guards(ad, "backward");
	bad = nonfinite_at(ad->dx, n);
	if (bad >= 0)
		conf_result(c, 0, "backward at x = %.6g gives dx = %g for dy = %g, expected a finite "
		                  "value (%s)",
		            (double)ad->x[bad], (double)ad->dx[bad],
		            (double)ad->dy[bad], what);
	else
		conf_result(c, 1, "backward finite %s", what);

	int64_t changed = first_diff(ad->x, ad->tmp, n);
	if (changed >= 0)
		conf_result(c, 0, "forward or backward changed its input x at [%lld] (%.9g -> "
		                  "%.9g); inputs are const",
		            (long long)changed, (double)ad->tmp[changed],
		            (double)ad->x[changed]);
	else
		conf_result(c, 1, "forward and backward leave x unchanged");

	check_act_aliasing(c, act, params, ad);
	check_guards(c, ad);
}

/* Element-wise: dx / dy against central differences of forward at random points. */
static void check_act_gradient(struct checker *c, const struct winit_activation *act,
                               const double *params, struct winit_rng *rng)
{
	float x[FD_POINTS], xp[FD_POINTS], xm[FD_POINTS], y[FD_POINTS], fp[FD_POINTS],
		fm[FD_POINTS], dy[FD_POINTS], dx[FD_POINTS];
	int n = 0;
	while (n < FD_POINTS) {
		double v = 2.0 * winit_rng_normal(rng);
		if (fabs(v) < FD_MIN_ABS_X)
			continue;
		x[n] = (float)v;
		xp[n] = (float)(v + FD_H);
		xm[n] = (float)(v - FD_H);
		double u = 0.5 + 1.5 * winit_rng_uniform(rng);
		dy[n] = (float)(winit_rng_uniform(rng) < 0.5 ? -u : u);
		n++;
	}
	conf_calling("forward and backward at %d random points", FD_POINTS);
	act->forward(y, x, FD_POINTS, 1, params);
	act->forward(fp, xp, FD_POINTS, 1, params);
	act->forward(fm, xm, FD_POINTS, 1, params);
	act->backward(dx, dy, x, y, FD_POINTS, 1, params);
	int checked = 0, skipped = 0, off = 0, first = -1;
	double first_fd = 0.0;
	for (int i = 0; i < FD_POINTS; i++) {
		double fd = ((double)fp[i] - fm[i]) / ((double)xp[i] - xm[i]);
		double right = ((double)fp[i] - y[i]) / ((double)xp[i] - x[i]);
		double left = ((double)y[i] - fm[i]) / ((double)x[i] - xm[i]);
		if (!isfinite(fd) || fabs(right - left) > FD_TOL * fmax(1.0, fabs(fd))) {
			skipped++; /* a kink (or a non-finite forward, reported elsewhere) */
			continue;
		}
		checked++;
		double want = dy[i] * fd;
		if (!(fabs((double)dx[i] - want) <= FD_TOL * fabs(dy[i]) * fmax(1.0, fabs(fd)))) {
			if (!off++) {
				first = i;
				first_fd = fd;
			}
		}
	}
	if (off)
		conf_result(c, 0, "backward gives f'(%.6g) = %.6g but the central difference of "
		                  "forward is %.6g (%d of %d points off by more than %.0e relative)",
		            (double)x[first], (double)dx[first] / dy[first], first_fd, off, checked,
		            FD_TOL);
	else if (skipped > FD_POINTS / 2)
		conf_result(c, 0, "forward is not smooth: one-sided differences disagree at %d of "
		                  "%d random points, so backward cannot be its derivative",
		            skipped,
		            FD_POINTS);
	else
		conf_result(c, 1, "backward matches central differences of forward at %d random "
		                  "points (%d near kinks skipped)",
		            checked, skipped);
}

/* sum_k dy_k f(x)_k of one row, in double. */
static double row_dot(const struct winit_activation *act, const float *xr,
                      const float *dyr, float *yr, const double *params)
{
	act->forward(yr, xr, 1, ACT_COLS, params);
	double s = 0.0;
	for (int k = 0; k < ACT_COLS; k++)
		s += (double)dyr[k] * yr[k];
	return s;
}

/* Row-wise: J^T dy per row against central differences of sum(dy * f(x)). */
static void check_act_jvp(struct checker *c, const struct winit_activation *act,
                          const double *params, struct winit_rng *rng)
{
	enum { N = ROWWISE_ROWS * ACT_COLS };
	float x[N], y[N], dy[N], dx[N], xr[ACT_COLS], yr[ACT_COLS];
	for (int i = 0; i < N; i++) {
		x[i] = (float)(2.0 * winit_rng_normal(rng));
		dy[i] = (float)winit_rng_normal(rng);
	}
	conf_calling("forward and backward on %d rows of %d", ROWWISE_ROWS, ACT_COLS);
	act->forward(y, x, ROWWISE_ROWS, ACT_COLS, params);
	act->backward(dx, dy, x, y, ROWWISE_ROWS, ACT_COLS, params);
	int checked = 0, skipped = 0, off = 0, first = -1;
	double first_fd = 0.0;
	for (int r = 0; r < ROWWISE_ROWS; r++) {
		const float *x0 = x + r * ACT_COLS, *dyr = dy + r * ACT_COLS;
		double g0 = row_dot(act, x0, dyr, yr, params);
		for (int j = 0; j < ACT_COLS; j++) {
			memcpy(xr, x0, sizeof xr);
			xr[j] = (float)(x0[j] + FD_H);
			double hp = (double)xr[j] - x0[j];
			double gp = row_dot(act, xr, dyr, yr, params);
			xr[j] = (float)(x0[j] - FD_H);
			double hm = (double)x0[j] - xr[j];
			double gm = row_dot(act, xr, dyr, yr, params);
			double fd = (gp - gm) / (hp + hm);
			double right = (gp - g0) / hp, left = (g0 - gm) / hm;
			if (!isfinite(fd) || fabs(right - left) > FD_TOL * fmax(1.0, fabs(fd))) {
				skipped++;
				continue;
			}
			checked++;
			double got = dx[r * ACT_COLS + j];
			if (!(fabs(got - fd) <= FD_TOL * fmax(1.0, fabs(fd)))) {
				if (!off++) {
					first = r * ACT_COLS + j;
					first_fd = fd;
				}
			}
		}
	}
	if (off)
		conf_result(c, 0, "backward (rowwise) gives (J^T dy)[%d] = %.6g in row %d but the "
		                  "central difference of sum(dy * forward(x)) is %.6g (%d of %d entries "
		                  "off by more than %.0e relative)",
		            first % ACT_COLS, (double)dx[first],
		            first / ACT_COLS, first_fd, off, checked, FD_TOL);
	else if (skipped > N / 2)
		conf_result(c, 0, "forward is not smooth: one-sided differences disagree at %d of "
		                  "%d entries, so backward cannot be its Jacobian",
		            skipped, N);
	else
		conf_result(c, 1, "backward (rowwise) matches central differences of sum(dy * f(x)) "
		                  "on %d rows of %d (%d entries near kinks skipped)",
		            ROWWISE_ROWS,
		            ACT_COLS, skipped);
}

void conf_check_activation(struct checker *c, const struct winit_activation *act,
                           const struct setting *st, struct act_data *ad)
{
	conf_calling("gain");
	double g = act->gain(st->params);
	if (isfinite(g) && g > 0)
		conf_result(c, 1, "gain %.6g finite and > 0", g);
	else
		conf_result(c, 0, "gain() returns %g, expected a finite value > 0", g);

	/* Inputs: the grid, then random normals (sd 1 and 4 alternating); dy ~ N(0, 1). */
	struct winit_rng rng;
	winit_rng_seed(&rng, SEED, STREAM_A);
	for (int64_t i = 0; i < ad->n; i++) {
		ad->x[i] = i < GRID_N ? (float)(-GRID_LIM + 2.0 * GRID_LIM * (double)i /
		                                                    (GRID_N - 1)) :
		                        (float)((i % 2 ? 4.0 : 1.0) * winit_rng_normal(&rng));
		ad->dy[i] = (float)winit_rng_normal(&rng);
	}
	check_act_values(c, act, st->params, ad);
	if (act->flags & WINIT_ACT_ROWWISE)
		check_act_jvp(c, act, st->params, &rng);
	else
		check_act_gradient(c, act, st->params, &rng);
}
