/* src/layers/window.h -- a kernel's or a pooling window's walk over one axis of an image
 * (internal; window.c): Keras's output sizes and padding. */
#ifndef WINIT_LAYERS_WINDOW_H
#define WINIT_LAYERS_WINDOW_H

#include <stdint.h>

#include "core/internal.h"

/* Outputs along an axis of `in` values for a window of k taps `d` apart moved by s, with
 * padding (enum winit_padding): valid floor((in - k_eff) / s) + 1 (0 when it does not
 * fit), k_eff = d (k - 1) + 1; same and circular ceil(in / s), the total padding
 * max((out - 1) s + k_eff - in, 0) split with the smaller half before (*before). */
WINIT_INTERNAL int64_t winit_window_out(int64_t in, int64_t k, int64_t s, int64_t d,
                                        int32_t padding, int64_t *before);

/* The input index tap k of output o reads, or -1 in the zero padding (circular: wrapped
 * around). */
static inline int64_t winit_window_tap(int64_t o, int64_t k, int64_t s, int64_t d, int64_t before,
                                       int64_t n, int circular)
{
	int64_t x = o * s + k * d - before;
	if (circular)
		return ((x % n) + n) % n;
	return x >= 0 && x < n ? x : -1;
}

#endif /* WINIT_LAYERS_WINDOW_H */
