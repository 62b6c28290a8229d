/* plugins/activations/swish.c -- `swish` x sigmoid(x) (Ramachandran et al. 2017) and its
 * PyTorch name `silu` (Hendrycks & Gimpel); gain 1. */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double one_gain(const double *p)
{
	(void)p;
	return 1.0;
}

/* y (rows, cols) = x / (1 + e^-x); y may alias x. */
WINIT_HOT
static void swish_forward(float *y, const float *x, int64_t rows, int64_t cols,
                          const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i] / (1.0f + winit_fast_expf(-x[i]));
}

/* dx = dy * (s + x s (1 - s)), s = sigmoid(x); dx may alias dy. */
WINIT_HOT
static void swish_backward(float *dx, const float *dy, const float *x, const float *y,
                           int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++) {
		const float s = 1.0f / (1.0f + winit_fast_expf(-x[i]));
		dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
	}
}

#define SWISH(VAR, NAME, SUMMARY)                                       \
	static const struct winit_activation VAR = {                    \
		.info = {                                               \
			.abi_version = WINIT_PLUGIN_ABI_VERSION,        \
			.struct_size = sizeof(struct winit_activation), \
			.kind = WINIT_KIND_ACTIVATION,                  \
			.n_params = 0,                                  \
			.name = NAME,                                   \
			.summary = SUMMARY,                             \
			.params = NULL,                                 \
			.formula = "x / (1 + exp(-x))",                 \
		},                                                      \
		.flags = 0,                                             \
		.gain = one_gain,                                       \
		.forward = swish_forward,                               \
		.backward = swish_backward,                             \
	}

SWISH(swish, "swish", "x sigmoid(x) (Keras swish)");
SWISH(silu, "silu", "x sigmoid(x) (PyTorch SiLU; same as swish)");

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &swish.info;
	case 1: return &silu.info;
	default: return NULL;
	}
}
