/* src/plugin/conformance_init.c -- the conformance checks of one initializer with one
 * parameter setting: every shape's return code and values, determinism, stddev() against
 * the fill, and two threads at once.  See <winit/conformance.h>. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <winit/plugin_call.h>
#include <winit/rng.h>

#include "plugin/conformance_internal.h"
#include "plugin/plugin_internal.h"

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

/* One fill into w ([-GUARD, n + GUARD), all set to the host's fill sentinel first) from the
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
	for (int64_t i = -GUARD; i < n + GUARD; i++)
		w[i] = s;
	winit_rng_seed(&rng, SEED, stream);
	winit_fill_args_init(&a, ini, sh->dims, sh->n_dims, 1.0, params, &rng);
	memset(errbuf, 0, errlen);
	char shp[64];
	shape_name(shp, sizeof shp, sh);
	conf_calling("fill %s from stream %llu", shp, (unsigned long long)stream);
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
		conf_result(c, 0, "fill %s returned %d without a reason; write one line into err "
		                  "before returning non-zero",
		            shp, rc);
	else if (must_fill)
		conf_result(c, 0, "fill %s with the default parameters failed (returned %d: %s); "
		                  "every initializer must fill a dense kernel",
		            shp, rc, err);
	else
		conf_note(c, "skip", 1, "fill %s refused: %s", shp, err);
	return 0;
}

/* Every value written, finite, nothing before the start or past the end. */
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
	int64_t before = 0;
	for (int64_t i = -GUARD; i < 0 && !before; i++)
		if (!winit_is_fill_sentinel(w[i]))
			before = i;
	if (before)
		conf_result(c, 0, "fill %s wrote before the start of its buffer (at [%lld]); write "
		                  "only w[0] to w[args->n - 1]",
		            shp, (long long)before);
	else if (past_end)
		conf_result(c, 0, "fill %s wrote past the end of its %lld values", shp, (long long)n);
	else if (unwritten)
		conf_result(c, 0, "fill %s left %lld of %lld values unwritten (first at [%lld]); "
		                  "write all args->n values",
		            shp, (long long)unwritten, (long long)n,
		            (long long)first_u);
	else if (nonfinite)
		conf_result(c, 0, "fill %s wrote %lld non-finite values of %lld (first at [%lld]: "
		                  "%g)",
		            shp, (long long)nonfinite, (long long)n, (long long)first_nf,
		            (double)w[first_nf]);
	else
		conf_result(c, 1, "fill %s returns 0, all %lld values finite", shp, (long long)n);
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
	conf_calling("stddev for %s", shp);
	double claim = winit_initializer_stddev(ini, sh->dims, sh->n_dims, 1.0, params);
	if (isnan(claim)) {
		conf_note(c, "info", 0, "stddev() is NaN for %s (not defined): not compared", shp);
		return;
	}
	if (!isfinite(claim) || claim < 0) {
		conf_result(c, 0, "stddev() returns %g for %s, expected a finite value >= 0 (or NaN "
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
		conf_result(c, 1, "stddev() %.6g matches the fill's sd %.6g (%s, %lld values, "
		                  "tolerance %.3g)",
		            claim, sd, shp, (long long)n, tol);
	else
		conf_result(c, 0, "stddev() says %.6g but the fill's sd is %.6g (%s, %lld values, "
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
		conf_note(c, "skip", 1, "could not start two threads; fills ran one after the other");
	}
	const int64_t n = shape_n(&shapes[0]);
	int64_t da = j[0].rc == 0 ? first_diff(a, ta, n) : 0;
	int64_t db = j[1].rc == 0 ? first_diff(b, tb, n) : 0;
	if (j[0].rc || j[1].rc)
		conf_result(c, 0, "fill %s from two threads at once returned %d and %d (%s%s), "
		                  "but 0 when run alone",
		            shp, j[0].rc, j[1].rc, j[0].err, j[1].err);
	else if (da >= 0 || db >= 0)
		conf_result(c, 0, "fill %s from two threads at once differs from the same fills run "
		                  "one after the other (first at [%lld]); callbacks must be re-entrant: "
		                  "no static buffers, counters or other shared state",
		            shp,
		            (long long)(da >= 0 ? da : db));
	else
		conf_result(c, 1, "fill %s from two threads at once matches sequential fills", shp);
}

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
		conf_result(c, 0, "fill %s returned %d (%s) the second time with the same stream, "
		                  "0 the first",
		            shp, rc, err);
	else if (d >= 0)
		conf_result(c, 0, "two fills %s from identical streams differ (first at [%lld]: "
		                  "%.9g vs %.9g); draw randomness only from args->host with args->rng "
		                  "and keep no state between calls",
		            shp, (long long)d,
		            (double)bf->small[d], (double)bf->a2[d]);
	else
		conf_result(c, 1, "two fills %s from identical streams give identical bits", shp);
	if (rc || d >= 0)
		return 0;
	rc = do_fill(ini, sh, st->params, STREAM_B, bf->b, err, sizeof err);
	if (rc) {
		conf_result(c, 0, "fill %s returned %d (%s) with another seed, 0 with the first",
		            shp, rc, err);
		return 0;
	}
	*deterministic = first_diff(bf->small, bf->b, n) < 0;
	conf_note(c, "info", st->is_default, "%s (fills %s from different seeds %s)",
	          *deterministic ? "deterministic" : "random", shp,
	          *deterministic ? "are identical" : "differ");
	return 1;
}

void conf_check_initializer(struct checker *c, const struct winit_initializer *ini,
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
			conf_result(c, 0, "fill %s returned %d (%s) with another seed, 0 with the "
			                  "first",
			            shp, rc, err);
		else
			check_threads(c, ini, st->params, bf->a, bf->b, bf->ta, bf->tb, shp);
	}
}
