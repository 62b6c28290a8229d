/* src/core/guard.h -- buffers with guard zones (internal): the work buffers a plugin's
 * activation writes into (the model's z, a and deltas, the probe's and the theory's
 * buffers) carry WINIT_GUARD floats of a fixed pattern before and after their n values,
 * so that a plugin writing just outside its output is found after the call (and named by
 * the caller) instead of corrupting the heap.  Checking is two memcmp of the zones; the
 * values themselves are never touched. */
#ifndef WINIT_CORE_GUARD_H
#define WINIT_CORE_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* Floats of each guard zone: 256 bytes, a multiple of 64, so the values keep the 64-byte
 * alignment of the allocation. */
#define WINIT_GUARD 64

/* n floats (n >= 0), 64-byte aligned, between two guard zones; NULL when out of memory.
 * The values are uninitialised, as with malloc. */
WINIT_INTERNAL float *winit_guarded_alloc(int64_t n);
/* Like winit_guarded_alloc, for `bytes` bytes (rounded up to whole floats). */
WINIT_INTERNAL void *winit_guarded_alloc_bytes(size_t bytes);
/* Free a buffer of winit_guarded_alloc (NULL: nothing). */
WINIT_INTERNAL void winit_guarded_free(void *p);

/* What was written outside a guarded buffer: floats overwritten before its start
 * (counted from the farthest one written; WINIT_GUARD + 1 when the header beyond the
 * zone was written too) and after its end (up to the last one written). */
struct winit_guard_hit {
	int64_t before, after;
	int64_t n; /* the buffer's values */
};

/* Zero when both zones of p (a buffer of winit_guarded_alloc, or NULL) are intact; else
 * non-zero with *hit filled in.  Safe to call while other threads write the values. */
WINIT_INTERNAL int winit_guard_check(const void *p, struct winit_guard_hit *hit);

/* Zones of the caller's own, around arrays it lays out itself (members of a struct:
 * zone, array, zone, array, zone; no allocation): winit_guard_zone_set fills one zone
 * (WINIT_GUARD floats) with the pattern; winit_guard_zones_check looks at the zones just
 * before (`pre`) and just after (`post`) an array, as winit_guard_check does (hit->n is
 * -1). */
WINIT_INTERNAL void winit_guard_zone_set(float *zone);
WINIT_INTERNAL int winit_guard_zones_check(const float *pre, const float *post,
                                           struct winit_guard_hit *hit);

/* "8 floats before the start", "3 floats past the end" or both: into out (of size). */
WINIT_INTERNAL void winit_guard_describe(const struct winit_guard_hit *hit, char *out,
                                         size_t size);

#endif /* WINIT_CORE_GUARD_H */
