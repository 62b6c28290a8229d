/* src/plugin/conformance_internal.h -- what the conformance checks' files share (not
 * public): the checker's report, the parameter settings, the work buffers, and one
 * entry point per kind.  See <winit/conformance.h> for the checks themselves. */
#ifndef WINIT_CONFORMANCE_INTERNAL_H
#define WINIT_CONFORMANCE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <winit/plugin.h>

#include "core/internal.h"

/* Seeds of the checker's streams (any fixed values: the checks must be reproducible). */
#define SEED 0x5eedc0de2024ULL
#define STREAM_A 1u
#define STREAM_B 2u
/* Floats before and after each fill buffer that must stay untouched: a fill writing
 * outside its buffer is told (and does not corrupt the checker's heap). */
#define GUARD 1024
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

struct checker {
	FILE *out;
	int verbose;
	size_t n_checks, n_failed; /* the whole object */
	size_t d_checks, d_failed; /* the current descriptor */
	char label[256];           /* "name" or "name{param=value}" */
};

/* Record the plugin call the checker is about to make ("fill 784x128 from stream 1"), where
 * the parent process reads it when the call crashes or hangs (conformance_child.c); a
 * no-op outside a child. */
#define CONF_CALL_MAX 256
WINIT_INTERNAL void conf_calling(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run fn(c, ctx) in a child process (fork) that must finish within `timeout` seconds.
 * Its report lines reach c->out as they are written and its counts are added to c's.  A
 * child that dies by a signal or runs out of time becomes one FAIL line naming the call
 * it was making; `what` says what ran when no call was recorded.  Returns 0 when the
 * child finished, -1 when it crashed or hung.  Without fork, fn runs in this process. */
WINIT_INTERNAL int conf_isolated(struct checker *c, double timeout, const char *what,
                                 void (*fn)(struct checker *c, void *ctx), void *ctx);

/* One check: counted, printed when it failed or when verbose.  Returns ok. */
WINIT_INTERNAL int conf_result(struct checker *c, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Not a check: information ("info", "skip"); printed always or only when verbose. */
WINIT_INTERNAL void conf_note(const struct checker *c, const char *tag, int always, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));

static inline uint32_t float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

/* Index of the first bitwise difference, or -1. */
static inline int64_t first_diff(const float *a, const float *b, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (float_bits(a[i]) != float_bits(b[i]))
			return i;
	return -1;
}

struct setting {
	double params[WINIT_MAX_PARAMS];
	char label[256];
	int is_default;
};

/* Defaults, 2 bounds per parameter, and at most 64 choices each. */
#define MAX_SETTINGS (1 + WINIT_MAX_PARAMS * 64)

struct bufs {
	float *a, *a2, *b, *ta, *tb, *small; /* [-GUARD, MAX_FILL + GUARD) each */
	struct setting *settings;            /* (MAX_SETTINGS) */
};

struct act_data {
	int64_t n, rows;              /* n = rows * ACT_COLS */
	float *x, *y, *dy, *dx, *tmp; /* (rows, ACT_COLS) each, with GUARD floats before
	                               * and after (conformance.c's guarded_alloc) */
	/* The first write outside them: the callback after which it was seen (NULL: none
	 * yet), the buffer, the index. */
	const char *hit_callback, *hit_buffer;
	int64_t hit_at;
};

/* Every check of one initializer (conformance_init.c) or activation (conformance_act.c)
 * with one parameter setting. */
WINIT_INTERNAL void conf_check_initializer(struct checker *c, const struct winit_initializer *ini,
                                           const struct setting *st, struct bufs *bf);
WINIT_INTERNAL void conf_check_activation(struct checker *c, const struct winit_activation *act,
                                          const struct setting *st, struct act_data *ad);

#endif
