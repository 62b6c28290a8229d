/* src/layers/window.c -- Keras's output sizes of a sliding window (window.h). */
#include "config.h"

#include <winit/model.h>

#include "layers/window.h"

int64_t winit_window_out(int64_t in, int64_t k, int64_t s, int64_t d, int32_t padding,
                         int64_t *before)
{
	int64_t keff = d * (k - 1) + 1;
	*before = 0;
	if (padding == WINIT_PADDING_VALID)
		return in >= keff ? (in - keff) / s + 1 : 0;
	int64_t out = (in + s - 1) / s, total = (out - 1) * s + keff - in;
	*before = total > 0 ? total / 2 : 0;
	return out;
}
