/* src/plugin/conformance.c -- `winit check-plugin`: running a plugin object through the
 * contract of <winit/plugin.h> with the host's own streams, one line per check.
 *
 * Nothing a plugin returns stops the checks: a non-zero return, a NaN or a wrong value
 * becomes a FAIL line and the next check runs.  See <winit/conformance.h> for the list.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/conformance.h>
#include <winit/plugin_call.h>
#include <winit/registry.h>
#include <winit/rng.h>

#include "plugin/plugin_internal.h"

/* Seeds of the checker's streams (any fixed values: the checks must be reproducible). */
#define SEED 0x5eedc0de2024ULL
#define STREAM_A 1u
#define STREAM_B 2u
/* Floats after each fill buffer that must stay untouched. */
#define GUARD 16
/* The largest tensor filled (the 784x128 dense kernel). */
#define MAX_FILL (784 * 128)
/* Standard errors a random fill's sd may differ from stddev(). */
#define SD_SIGMAS 6.0
/* Relative tolerance of stddev() for deterministic fills, and of in-place results. */
#define EXACT_REL 1e-6
#define ALIAS_REL 1e-5
/* Finite differences: step, relative tolerance, points skipped near zero. */
#define FD_H 1e-3
#define FD_TOL 2e-2
#define FD_MIN_ABS_X 0.05
#define FD_POINTS 200
/* Activation inputs: a grid over [-GRID_LIM, GRID_LIM] plus random normal values. */
#define GRID_N 400
#define GRID_LIM 20.0
#define RANDOM_N 1000
#define ACT_COLS 10
#define ROWWISE_ROWS 8

/* ---- Reporting ---- */

struct checker {
	FILE *out;
	int verbose;
	size_t n_checks, n_failed; /* the whole object */
	size_t d_checks, d_failed; /* the current descriptor */
	char label[256];           /* "name" or "name{param=value}" */
};

static void vline(const struct checker *c, const char *tag, const char *fmt, va_list ap)
{
	if (!c->out)
		return;
	fprintf(c->out, "  %-4s %s: ", tag, c->label);
	vfprintf(c->out, fmt, ap);
	fputc('\n', c->out);
}

/* One check: counted, printed when it failed or when verbose. */
__attribute__((format(printf, 3, 4))) static int result(struct checker *c, int ok, const char *fmt, ...)
{
	c->n_checks++;
	c->d_checks++;
	if (!ok) {
		c->n_failed++;
		c->d_failed++;
	}
	if (!ok || c->verbose) {
		va_list ap;
		va_start(ap, fmt);
		vline(c, ok ? "ok" : "FAIL", fmt, ap);
		va_end(ap);
	}
	return ok;
}

/* Not a check: information ("info", "skip"); printed always or only when verbose. */
__attribute__((format(printf, 4, 5))) static void note(const struct checker *c, const char *tag, int always, const char *fmt,
                                                       ...)
{
	if (!always && !c->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vline(c, tag, fmt, ap);
	va_end(ap);
}

static uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

/* ---- Parameter settings ---- */

struct setting {
	double params[WINIT_MAX_PARAMS];
	char label[256];
	int is_default;
};

static void fmt_value(char *buf, size_t size, const struct winit_param_decl *d, double v)
{
	if (d->type == WINIT_PARAM_CHOICE)
		snprintf(buf, size, "%s", d->choices[(size_t)v]);
	else
		snprintf(buf, size, "%.6g", v);
}

/* Settings: defaults, then each REAL/INT parameter alone at its finite min and max, then
 * each non-default choice.  Returns the number written (at most `cap`). */
static size_t make_settings(struct setting *s, size_t cap,
                            const struct winit_plugin_info *info)
{
	size_t n = 0;
	double defaults[WINIT_MAX_PARAMS];
	winit_params_defaults(defaults, info);
	if (n < cap) {
		memcpy(s[n].params, defaults, sizeof defaults);
		snprintf(s[n].label, sizeof s[n].label, "%s", info->name);
		s[n].is_default = 1;
		n++;
	}
	for (uint32_t i = 0; i < info->n_params; i++) {
		const struct winit_param_decl *d = &info->params[i];
		double values[64 + 2];
		size_t nv = 0;
		if (d->type == WINIT_PARAM_CHOICE) {
			size_t nc = winit_param_choice_count(d);
			for (size_t k = 0; k < nc && nv < 64; k++)
				values[nv++] = (double)k;
		} else {
			values[nv++] = d->min_value;
			values[nv++] = d->max_value;
		}
		for (size_t k = 0; k < nv && n < cap; k++) {
			double v = values[k];
			if (!isfinite(v) || v == d->default_value)
				continue;
			if (k == 1 && d->type != WINIT_PARAM_CHOICE && v == values[0])
				continue;
			char shown[96];
			fmt_value(shown, sizeof shown, d, v);
			memcpy(s[n].params, defaults, sizeof defaults);
			s[n].params[i] = v;
			snprintf(s[n].label, sizeof s[n].label, "%s{%s=%s}", info->name, d->name,
			         shown);
			s[n].is_default = 0;
			n++;
		}
	}
	return n;
}

static void print_header(FILE *out, const struct winit_plugin_info *info)
{
	if (!out)
		return;
	fprintf(out, "%s %s: %s\n", winit_kind_name(info->kind), info->name, info->summary);
	if (info->formula)
		fprintf(out, "  formula: %s\n", info->formula);
	if (info->kind == WINIT_KIND_ACTIVATION) {
		const struct winit_activation *a = (const struct winit_activation *)info;
		fprintf(out, "  flags: %s\n", a->flags & WINIT_ACT_ROWWISE ? "rowwise" : "element-wise");
	}
	if (info->n_params == 0)
		fprintf(out, "  params: none\n");
	for (uint32_t i = 0; i < info->n_params; i++) {
		const struct winit_param_decl *d = &info->params[i];
		const char *doc = d->doc ? d->doc : "(undocumented)";
		if (d->type == WINIT_PARAM_CHOICE) {
			fprintf(out, "  param %s (choice: ", d->name);
			size_t nc = winit_param_choice_count(d);
			for (size_t k = 0; k < nc; k++)
				fprintf(out, "%s%s", k ? " | " : "", d->choices[k]);
			fprintf(out, ") = %s: %s\n", d->choices[(size_t)d->default_value], doc);
		} else {
			fprintf(out, "  param %s (%s) = %.6g in %c%.6g, %.6g%c: %s\n", d->name,
			        d->type == WINIT_PARAM_INT ? "int" : "real", d->default_value,
			        isfinite(d->min_value) ? '[' : '(', d->min_value, d->max_value,
			        isfinite(d->max_value) ? ']' : ')', doc);
		}
	}
}

/* ---- Initializers ---- */

struct shape {
	uint32_t n_dims;
	int64_t dims[4];
	int is_kernel; /* a 2-D dense kernel: must be filled with the defaults */
};

static const struct shape shapes[] = {
	{ 2, { 784, 128 }, 1 }, /* the first one is the big one: MAX_FILL */
	{ 2, { 1, 1 }, 1 },
	{ 2, { 128, 10 }, 1 },
	{ 1, { 10 }, 0 },
	{ 4, { 3, 3, 16, 32 }, 0 },
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

static int64_t shape_n(const struct shape *sh)
{
	int64_t n = 1;
	for (uint32_t i = 0; i < sh->n_dims; i++)
		n *= sh->dims[i];
	return n;
}

static void shape_name(char *buf, size_t size, const struct shape *sh)
{
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < sh->n_dims && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%lld", i ? "x" : "",
		                 (long long)sh->dims[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* One fill into w (n + GUARD floats, all set to the host's fill sentinel first) from the
 * stream (SEED, stream), with gain 1.  The checker calls fill itself, rather than through
 * winit_initializer_fill, to see the guard and count every bad value.  Returns the
 * callback's status; errbuf gets its reason. */
static int do_fill(const struct winit_initializer *ini, const struct shape *sh,
                   const double *params, uint64_t stream, float *w, char *errbuf, size_t errlen)
{
	struct winit_rng rng;
	struct winit_fill_args a;
	const float s = winit_fill_sentinel();
	const int64_t n = shape_n(sh);
	for (int64_t i = 0; i < n + GUARD; i++)
		w[i] = s;
	winit_rng_seed(&rng, SEED, stream);
	winit_fill_args_init(&a, ini, sh->dims, sh->n_dims, 1.0, params, &rng);
	memset(errbuf, 0, errlen);
	int rc = ini->fill(w, &a, errbuf, errlen);
	errbuf[errlen - 1] = '\0';
	return rc;
}

/* A fill's return code as a check: ok, skip (refused with a reason) or FAIL.  Returns 1
 * when the values are there to be checked further. */
static int fill_status(struct checker *c, int rc, const char *err, const char *shp,
                       int must_fill)
{
	if (rc == 0)
		return 1;
	if (!err[0])
		result(c, 0, "fill %s returned %d without a reason; write one line into err "
		             "before returning non-zero",
		       shp, rc);
	else if (must_fill)
		result(c, 0, "fill %s with the default parameters failed (returned %d: %s); "
		             "every initializer must fill a dense kernel",
		       shp, rc, err);
	else
		note(c, "skip", 1, "fill %s refused: %s", shp, err);
	return 0;
}

/* Every value written, finite, nothing past the end. */
static void check_values(struct checker *c, const float *w, int64_t n, const char *shp)
{
	int64_t unwritten = 0, nonfinite = 0, first_u = -1, first_nf = -1;
	int past_end = 0;
	for (int64_t i = 0; i < n; i++) {
		if (winit_is_fill_sentinel(w[i])) {
			if (!unwritten++)
				first_u = i;
		} else if (!isfinite(w[i])) {
			if (!nonfinite++)
				first_nf = i;
		}
	}
	for (int64_t i = n; i < n + GUARD; i++)
		past_end |= !winit_is_fill_sentinel(w[i]);
	if (past_end)
		result(c, 0, "fill %s wrote past the end of its %lld values", shp, (long long)n);
	else if (unwritten)
		result(c, 0, "fill %s left %lld of %lld values unwritten (first at [%lld]); "
		             "write all args->n values",
		       shp, (long long)unwritten, (long long)n,
		       (long long)first_u);
	else if (nonfinite)
		result(c, 0, "fill %s wrote %lld non-finite values of %lld (first at [%lld]: "
		             "%g)",
		       shp, (long long)nonfinite, (long long)n, (long long)first_nf,
		       (double)w[first_nf]);
	else
		result(c, 1, "fill %s returns 0, all %lld values finite", shp, (long long)n);
}

/* Index of the first bitwise difference, or -1. */
static int64_t first_diff(const float *a, const float *b, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (float_bits(a[i]) != float_bits(b[i]))
			return i;
	return -1;
}

/* Population sd of w[0..n) and the standard error of that estimate (from the sample's
 * kurtosis: Var(s) ~ s^2 (m4 / m2^2 - 1) / (4 n)). */
static void sample_sd(const float *w, int64_t n, double *sd, double *se)
{
	double mean = 0.0, m2 = 0.0, m4 = 0.0;
	for (int64_t i = 0; i < n; i++)
		mean += w[i];
	mean /= (double)n;
	for (int64_t i = 0; i < n; i++) {
		double d = w[i] - mean, d2 = d * d;
		m2 += d2;
		m4 += d2 * d2;
	}
	m2 /= (double)n;
	m4 /= (double)n;
	*sd = sqrt(m2);
	double k = m2 > 0 ? m4 / (m2 * m2) - 1.0 : 0.0;
	*se = *sd * sqrt((k > 0 ? k : 0.0) / (4.0 * (double)n));
}

static void check_stddev(struct checker *c, const struct winit_initializer *ini,
                         const struct shape *sh, const double *params, const float *w,
                         int deterministic, const char *shp)
{
	const int64_t n = shape_n(sh);
	double claim = winit_initializer_stddev(ini, sh->dims, sh->n_dims, 1.0, params);
	if (isnan(claim)) {
		note(c, "info", 0, "stddev() is NaN for %s (not defined): not compared", shp);
		return;
	}
	if (!isfinite(claim) || claim < 0) {
		result(c, 0, "stddev() returns %g for %s, expected a finite value >= 0 (or NaN "
		             "when not defined)",
		       claim, shp);
		return;
	}
	if (!deterministic && n < 1000)
		return; /* too few random values to say anything */
	double sd, se;
	sample_sd(w, n, &sd, &se);
	double tol = deterministic ? EXACT_REL * fmax(claim, sd) :
	                             SD_SIGMAS * se + EXACT_REL * claim;
	if (fabs(sd - claim) <= tol + 1e-30)
		result(c, 1, "stddev() %.6g matches the fill's sd %.6g (%s, %lld values, "
		             "tolerance %.3g)",
		       claim, sd, shp, (long long)n, tol);
	else
		result(c, 0, "stddev() says %.6g but the fill's sd is %.6g (%s, %lld values, "
		             "%s tolerance %.3g)",
		       claim, sd, shp, (long long)n,
		       deterministic ? "deterministic fill," : "random fill, 6 s.e.", tol);
}

struct fill_job {
	const struct winit_initializer *ini;
	const double *params;
	uint64_t stream;
	float *w;
	int rc;
	char err[256];
};

static void *fill_thread(void *p)
{
	struct fill_job *j = p;
	j->rc = do_fill(j->ini, &shapes[0], j->params, j->stream, j->w, j->err, sizeof j->err);
	return NULL;
}

/* Two threads at once, streams A and B, against the sequential fills a and b. */
static void check_threads(struct checker *c, const struct winit_initializer *ini,
                          const double *params, const float *a, const float *b, float *ta,
                          float *tb, const char *shp)
{
	struct fill_job j[2] = {
		{ .ini = ini, .params = params, .stream = STREAM_A, .w = ta },
		{ .ini = ini, .params = params, .stream = STREAM_B, .w = tb },
	};
	pthread_t t[2];
	int started = 0;
	for (; started < 2; started++)
		if (pthread_create(&t[started], NULL, fill_thread, &j[started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	if (started < 2) {
		for (int i = started; i < 2; i++)
			fill_thread(&j[i]);
		note(c, "skip", 1, "could not start two threads; fills ran one after the other");
	}
	const int64_t n = shape_n(&shapes[0]);
	int64_t da = j[0].rc == 0 ? first_diff(a, ta, n) : 0;
	int64_t db = j[1].rc == 0 ? first_diff(b, tb, n) : 0;
	if (j[0].rc || j[1].rc)
		result(c, 0, "fill %s from two threads at once returned %d and %d (%s%s), "
		             "but 0 when run alone",
		       shp, j[0].rc, j[1].rc, j[0].err, j[1].err);
	else if (da >= 0 || db >= 0)
		result(c, 0, "fill %s from two threads at once differs from the same fills run "
		             "one after the other (first at [%lld]); callbacks must be re-entrant: "
		             "no static buffers, counters or other shared state",
		       shp,
		       (long long)(da >= 0 ? da : db));
	else
		result(c, 1, "fill %s from two threads at once matches sequential fills", shp);
}

/* Defaults, 2 bounds per parameter, and at most 64 choices each. */
#define MAX_SETTINGS (1 + WINIT_MAX_PARAMS * 64)

struct bufs {
	float *a, *a2, *b, *ta, *tb, *small; /* (MAX_FILL + GUARD) each */
	struct setting *settings;            /* (MAX_SETTINGS) */
};

/* Determinism on the 128x10 kernel (cheap for every initializer): equal streams give
 * equal bits; another seed tells random from deterministic.  Returns 1 when the fills
 * ran, with *deterministic set. */
static int check_determinism(struct checker *c, const struct winit_initializer *ini,
                             const struct setting *st, struct bufs *bf, int *deterministic)
{
	char err[256], shp[64];
	const struct shape *sh = &shapes[2];
	const int64_t n = shape_n(sh);

	shape_name(shp, sizeof shp, sh);
	int rc = do_fill(ini, sh, st->params, STREAM_A, bf->small, err, sizeof err);
	if (rc != 0)
		return 0; /* reported with the shape's own check */
	rc = do_fill(ini, sh, st->params, STREAM_A, bf->a2, err, sizeof err);
	int64_t d = rc == 0 ? first_diff(bf->small, bf->a2, n) : 0;
	if (rc)
		result(c, 0, "fill %s returned %d (%s) the second time with the same stream, "
		             "0 the first",
		       shp, rc, err);
	else if (d >= 0)
		result(c, 0, "two fills %s from identical streams differ (first at [%lld]: "
		             "%.9g vs %.9g); draw randomness only from args->host with args->rng "
		             "and keep no state between calls",
		       shp, (long long)d,
		       (double)bf->small[d], (double)bf->a2[d]);
	else
		result(c, 1, "two fills %s from identical streams give identical bits", shp);
	if (rc || d >= 0)
		return 0;
	rc = do_fill(ini, sh, st->params, STREAM_B, bf->b, err, sizeof err);
	if (rc) {
		result(c, 0, "fill %s returned %d (%s) with another seed, 0 with the first",
		       shp, rc, err);
		return 0;
	}
	*deterministic = first_diff(bf->small, bf->b, n) < 0;
	note(c, "info", st->is_default, "%s (fills %s from different seeds %s)",
	     *deterministic ? "deterministic" : "random", shp,
	     *deterministic ? "are identical" : "differ");
	return 1;
}

static void check_initializer(struct checker *c, const struct winit_initializer *ini,
                              const struct setting *st, struct bufs *bf)
{
	char err[256], shp[64];
	int deterministic = 0;
	int known = check_determinism(c, ini, st, bf, &deterministic);

	/* Every shape: the return code, the values, stddev(); the big one stays in a. */
	int have_big = 0;
	for (size_t k = 0; k < N_SHAPES; k++) {
		const struct shape *sh = &shapes[k];
		float *w = k == 0 ? bf->a : bf->small;
		shape_name(shp, sizeof shp, sh);
		int rc = do_fill(ini, sh, st->params, STREAM_A, w, err, sizeof err);
		if (!fill_status(c, rc, err, shp, st->is_default && sh->is_kernel))
			continue;
		check_values(c, w, shape_n(sh), shp);
		have_big |= k == 0;
		if (ini->stddev)
			check_stddev(c, ini, sh, st->params, w, known && deterministic, shp);
	}
	/* Re-entrancy: the big kernel from two threads at once, with the defaults. */
	if (st->is_default && known && !deterministic && have_big) {
		shape_name(shp, sizeof shp, &shapes[0]);
		int rc = do_fill(ini, &shapes[0], st->params, STREAM_B, bf->b, err, sizeof err);
		if (rc)
			result(c, 0, "fill %s returned %d (%s) with another seed, 0 with the "
			             "first",
			       shp, rc, err);
		else
			check_threads(c, ini, st->params, bf->a, bf->b, bf->ta, bf->tb, shp);
	}
}

/* ---- Activations ---- */

struct act_data {
	int64_t n, rows;              /* n = rows * ACT_COLS */
	float *x, *y, *dy, *dx, *tmp; /* (rows, ACT_COLS) each */
};

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

static void check_act_values(struct checker *c, const struct winit_activation *act,
                             const double *params, struct act_data *ad)
{
	const int64_t n = ad->n, rows = ad->rows;
	const char *what = "on a grid of [-20, 20] and random normal inputs";

	memcpy(ad->tmp, ad->x, (size_t)n * sizeof *ad->tmp);
	act->forward(ad->y, ad->x, rows, ACT_COLS, params);
	int bad = nonfinite_at(ad->y, n);
	if (bad >= 0)
		result(c, 0, "forward(%.6g) = %g, expected a finite value (%s)",
		       (double)ad->x[bad], (double)ad->y[bad], what);
	else
		result(c, 1, "forward finite %s (%lld values)", what, (long long)n);

	act->backward(ad->dx, ad->dy, ad->x, ad->y, rows, ACT_COLS, params);
	bad = nonfinite_at(ad->dx, n);
	if (bad >= 0)
		result(c, 0, "backward at x = %.6g gives dx = %g for dy = %g, expected a finite "
		             "value (%s)",
		       (double)ad->x[bad], (double)ad->dx[bad],
		       (double)ad->dy[bad], what);
	else
		result(c, 1, "backward finite %s", what);

	int64_t changed = first_diff(ad->x, ad->tmp, n);
	if (changed >= 0)
		result(c, 0, "forward or backward changed its input x at [%lld] (%.9g -> "
		             "%.9g); inputs are const",
		       (long long)changed, (double)ad->tmp[changed],
		       (double)ad->x[changed]);
	else
		result(c, 1, "forward and backward leave x unchanged");

	/* In place: forward with y == x, backward with dx == dy. */
	memcpy(ad->tmp, ad->x, (size_t)n * sizeof *ad->tmp);
	act->forward(ad->tmp, ad->tmp, rows, ACT_COLS, params);
	int64_t m = first_mismatch(ad->tmp, ad->y, n);
	if (m >= 0)
		result(c, 0, "forward in place (y aliasing x) gives %.9g at x = %.6g, out of "
		             "place %.9g; y may alias x",
		       (double)ad->tmp[m], (double)ad->x[m],
		       (double)ad->y[m]);
	else
		result(c, 1, "forward in place (y aliasing x) matches out of place");
	memcpy(ad->tmp, ad->dy, (size_t)n * sizeof *ad->tmp);
	act->backward(ad->tmp, ad->tmp, ad->x, ad->y, rows, ACT_COLS, params);
	m = first_mismatch(ad->tmp, ad->dx, n);
	if (m >= 0)
		result(c, 0, "backward in place (dx aliasing dy) gives %.9g at x = %.6g, out "
		             "of place %.9g; dx may alias dy",
		       (double)ad->tmp[m], (double)ad->x[m],
		       (double)ad->dx[m]);
	else
		result(c, 1, "backward in place (dx aliasing dy) matches out of place");
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
		result(c, 0, "backward gives f'(%.6g) = %.6g but the central difference of "
		             "forward is %.6g (%d of %d points off by more than %.0e relative)",
		       (double)x[first], (double)dx[first] / dy[first], first_fd, off, checked,
		       FD_TOL);
	else if (skipped > FD_POINTS / 2)
		result(c, 0, "forward is not smooth: one-sided differences disagree at %d of "
		             "%d random points, so backward cannot be its derivative",
		       skipped,
		       FD_POINTS);
	else
		result(c, 1, "backward matches central differences of forward at %d random "
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
		result(c, 0, "backward (rowwise) gives (J^T dy)[%d] = %.6g in row %d but the "
		             "central difference of sum(dy * forward(x)) is %.6g (%d of %d entries "
		             "off by more than %.0e relative)",
		       first % ACT_COLS, (double)dx[first],
		       first / ACT_COLS, first_fd, off, checked, FD_TOL);
	else if (skipped > N / 2)
		result(c, 0, "forward is not smooth: one-sided differences disagree at %d of "
		             "%d entries, so backward cannot be its Jacobian",
		       skipped, N);
	else
		result(c, 1, "backward (rowwise) matches central differences of sum(dy * f(x)) "
		             "on %d rows of %d (%d entries near kinks skipped)",
		       ROWWISE_ROWS,
		       ACT_COLS, skipped);
}

static void check_activation(struct checker *c, const struct winit_activation *act,
                             const struct setting *st, struct act_data *ad)
{
	double g = act->gain(st->params);
	if (isfinite(g) && g > 0)
		result(c, 1, "gain %.6g finite and > 0", g);
	else
		result(c, 0, "gain() returns %g, expected a finite value > 0", g);

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

/* ---- The object ---- */

static int alloc_all(struct bufs *bf, struct act_data *ad)
{
	const size_t nf = MAX_FILL + GUARD;
	bf->a = malloc(nf * sizeof(float));
	bf->a2 = malloc(nf * sizeof(float));
	bf->b = malloc(nf * sizeof(float));
	bf->ta = malloc(nf * sizeof(float));
	bf->tb = malloc(nf * sizeof(float));
	bf->small = malloc(nf * sizeof(float));
	bf->settings = malloc(MAX_SETTINGS * sizeof *bf->settings);
	ad->n = GRID_N + RANDOM_N;
	ad->rows = ad->n / ACT_COLS;
	const size_t na = (size_t)ad->n;
	ad->x = malloc(na * sizeof(float));
	ad->y = malloc(na * sizeof(float));
	ad->dy = malloc(na * sizeof(float));
	ad->dx = malloc(na * sizeof(float));
	ad->tmp = malloc(na * sizeof(float));
	return bf->a && bf->a2 && bf->b && bf->ta && bf->tb && bf->small && bf->settings &&
	                       ad->x && ad->y &&
	                       ad->dy && ad->dx && ad->tmp ?
	               0 :
	               -1;
}

static void free_all(struct bufs *bf, struct act_data *ad)
{
	free(bf->a);
	free(bf->a2);
	free(bf->b);
	free(bf->ta);
	free(bf->tb);
	free(bf->small);
	free(bf->settings);
	free(ad->x);
	free(ad->y);
	free(ad->dy);
	free(ad->dx);
	free(ad->tmp);
}

static void check_entry(struct checker *c, const struct winit_plugin_entry *e,
                        struct bufs *bf, struct act_data *ad)
{
	const struct winit_plugin_info *info = e->info;
	struct setting *settings = bf->settings;

	print_header(c->out, info);
	c->d_checks = c->d_failed = 0;
	snprintf(c->label, sizeof c->label, "%s", info->name);
	result(c, 1, "descriptor valid (ABI %u, struct_size %u, %u parameters)",
	       info->abi_version, info->struct_size, info->n_params);
	if (info->struct_size > winit_plugin_host_size(info->kind))
		note(c, "info", 1, "struct_size %u is larger than this winit's %zu: fields of "
		                   "a later ABI release are ignored",
		     info->struct_size,
		     winit_plugin_host_size(info->kind));

	size_t n = make_settings(settings, MAX_SETTINGS, info);
	for (size_t i = 0; i < n; i++) {
		snprintf(c->label, sizeof c->label, "%s", settings[i].label);
		if (info->kind == WINIT_KIND_INITIALIZER)
			check_initializer(c, (const struct winit_initializer *)info,
			                  &settings[i], bf);
		else
			check_activation(c, (const struct winit_activation *)info,
			                 &settings[i], ad);
	}
	if (c->out)
		fprintf(c->out, "  %s: %zu check%s, %zu failed\n", info->name, c->d_checks,
		        c->d_checks == 1 ? "" : "s", c->d_failed);
}

int winit_plugin_check(const char *path, FILE *out, int verbose, size_t *n_failed,
                       struct winit_error *err)
{
	struct checker c = { .out = out, .verbose = verbose };
	struct bufs bf = { 0 };
	struct act_data ad = { 0 };
	struct winit_error lerr = { 0 };
	int rc = WINIT_OK;

	if (n_failed)
		*n_failed = 0;
	if (!path)
		return winit_error_set(err, WINIT_ERR_ARG, "check-plugin: no file given; "
		                                           "expected the path of a plugin shared object");
	struct winit_registry *reg = winit_registry_new();
	if (!reg || alloc_all(&bf, &ad)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the "
		                                           "conformance checks",
		                     path);
		goto out;
	}
	if (out)
		fprintf(out, "plugin %s\n", path);
	snprintf(c.label, sizeof c.label, "load");
	if (winit_registry_load_file(reg, path, &lerr) != WINIT_OK) {
		result(&c, 0, "%s", lerr.msg);
		rc = winit_error_set(err, lerr.status ? lerr.status : WINIT_ERR_PLUGIN, "%s",
		                     lerr.msg);
	} else {
		for (size_t i = 0; i < winit_registry_count(reg); i++)
			check_entry(&c, winit_registry_entry(reg, i), &bf, &ad);
		if (c.n_failed)
			rc = winit_error_set(err, WINIT_ERR_PLUGIN,
			                     "%s: %zu of %zu conformance checks failed", path,
			                     c.n_failed, c.n_checks);
	}
	if (out)
		fprintf(out, "%zu check%s, %zu failed\n", c.n_checks, c.n_checks == 1 ? "" : "s",
		        c.n_failed);
	if (n_failed)
		*n_failed = c.n_failed;
out:
	free_all(&bf, &ad);
	winit_registry_free(reg);
	return rc;
}
