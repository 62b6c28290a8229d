/* src/core/guard.c -- buffers with guard zones (core/guard.h).
 *
 * Layout, from a 64-byte aligned allocation: a 64-byte header (a magic number and n),
 * WINIT_GUARD floats of pattern, the n values, WINIT_GUARD floats of pattern, and the
 * pattern continued up to the next multiple of 64 bytes. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"

#define HEADER_FLOATS 16 /* 64 bytes */
#define GUARD_MAGIC 0x77696e6974677264ull /* "winitgrd" */

struct header {
	uint64_t magic;
	int64_t n;
	uint64_t magic2; /* ~magic */
};

/* The pattern: a quiet NaN that no arithmetic produces, different at every position so
 * that a block copied from elsewhere in the zone is seen. */
static uint32_t pattern_bits(int64_t i)
{
	return 0x7fa0c000u | (uint32_t)(i & 0xfff);
}

static void pattern_set(float *g, int64_t n, int64_t from)
{
	for (int64_t i = 0; i < n; i++) {
		uint32_t b = pattern_bits(from + i);
		memcpy(&g[i], &b, sizeof b);
	}
}

/* The zone's pattern, once (both zones compare against it; the after zone's padding is
 * checked separately, rarely). */
static float zone[WINIT_GUARD];
static pthread_once_t zone_once = PTHREAD_ONCE_INIT;

static void zone_fill(void)
{
	pattern_set(zone, WINIT_GUARD, 0);
}

static void zone_init(void)
{
	pthread_once(&zone_once, zone_fill);
}

static size_t total_floats(int64_t n)
{
	size_t t = HEADER_FLOATS + WINIT_GUARD + (size_t)n + WINIT_GUARD;
	return (t + 15) / 16 * 16;
}

float *winit_guarded_alloc(int64_t n)
{
	if (n < 0 || (uint64_t)n > (SIZE_MAX / sizeof(float)) - 1024)
		return NULL;
	zone_init();
	size_t t = total_floats(n);
	float *base = aligned_alloc(64, t * sizeof(float));
	if (!base)
		return NULL;
	struct header h = { GUARD_MAGIC, n, ~GUARD_MAGIC };
	memset(base, 0, HEADER_FLOATS * sizeof(float));
	memcpy(base, &h, sizeof h);
	float *p = base + HEADER_FLOATS + WINIT_GUARD;
	memcpy(p - WINIT_GUARD, zone, sizeof zone);
	memcpy(p + n, zone, sizeof zone);
	size_t pad = t - (HEADER_FLOATS + WINIT_GUARD + (size_t)n + WINIT_GUARD);
	pattern_set(p + n + WINIT_GUARD, (int64_t)pad, WINIT_GUARD);
	return p;
}

void *winit_guarded_alloc_bytes(size_t bytes)
{
	return winit_guarded_alloc((int64_t)((bytes + sizeof(float) - 1) / sizeof(float)));
}

void winit_guarded_free(void *p)
{
	if (p)
		free((float *)p - WINIT_GUARD - HEADER_FLOATS);
}

/* The first position of g[0, n) that differs from the pattern, -1 if none. */
static int64_t first_diff(const float *g, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (memcmp(&g[i], &zone[i], sizeof *g) != 0)
			return i;
	return -1;
}

static int64_t last_diff(const float *g, int64_t n)
{
	for (int64_t i = n - 1; i >= 0; i--)
		if (memcmp(&g[i], &zone[i], sizeof *g) != 0)
			return i;
	return -1;
}

int winit_guard_check(const void *v, struct winit_guard_hit *hit)
{
	if (!v)
		return 0;
	const float *p = v;
	const float *pre = p - WINIT_GUARD;
	struct header h;
	memcpy(&h, pre - HEADER_FLOATS, sizeof h);
	int header_ok = h.magic == GUARD_MAGIC && h.magic2 == ~GUARD_MAGIC && h.n >= 0;
	int pre_ok = memcmp(pre, zone, sizeof zone) == 0;
	if (header_ok && pre_ok && memcmp(p + h.n, zone, sizeof zone) == 0)
		return 0;
	hit->before = 0;
	hit->after = 0;
	hit->n = header_ok ? h.n : -1;
	if (!header_ok) {
		hit->before = WINIT_GUARD + 1;
		return 1;
	}
	if (!pre_ok)
		hit->before = WINIT_GUARD - first_diff(pre, WINIT_GUARD);
	int64_t last = last_diff(p + h.n, WINIT_GUARD);
	if (last >= 0)
		hit->after = last + 1;
	return hit->before || hit->after;
}

void winit_guard_zone_set(float *z)
{
	zone_init();
	memcpy(z, zone, sizeof zone);
}

int winit_guard_zones_check(const float *pre, const float *post, struct winit_guard_hit *hit)
{
	int pre_ok = memcmp(pre, zone, sizeof zone) == 0, post_ok = memcmp(post, zone, sizeof zone) == 0;
	if (pre_ok && post_ok)
		return 0;
	hit->n = -1;
	hit->before = pre_ok ? 0 : WINIT_GUARD - first_diff(pre, WINIT_GUARD);
	hit->after = post_ok ? 0 : last_diff(post, WINIT_GUARD) + 1;
	return 1;
}

void winit_guard_describe(const struct winit_guard_hit *hit, char *out, size_t size)
{
	char b[64] = "", a[64] = "";
	if (hit->before > WINIT_GUARD)
		snprintf(b, sizeof b, "more than %d floats before the start", WINIT_GUARD);
	else if (hit->before)
		snprintf(b, sizeof b, "%lld float%s before the start", (long long)hit->before,
		         hit->before == 1 ? "" : "s");
	if (hit->after)
		snprintf(a, sizeof a, "%s%lld float%s past the end", b[0] ? " and " : "",
		         (long long)hit->after, hit->after == 1 ? "" : "s");
	snprintf(out, size, "%s%s", b, a);
}
