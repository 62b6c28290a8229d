/* plugins/activations/linear.c -- the identity (Keras `linear`); gain 1. */
#include <string.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double linear_gain(const double *params)
{
	(void)params;
	return 1.0;
}

/* y (rows, cols) = x; y may alias x. */
WINIT_HOT
static void linear_forward(float *y, const float *x, int64_t rows, int64_t cols,
                           const double *params)
{
	(void)params;
	if (y != x)
		memcpy(y, x, (size_t)(rows * cols) * sizeof *y);
}

/* dx = dy; dx may alias dy. */
WINIT_HOT
static void linear_backward(float *dx, const float *dy, const float *x, const float *y,
                            int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	if (dx != dy)
		memcpy(dx, dy, (size_t)(rows * cols) * sizeof *dx);
}

static const struct winit_activation linear = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "linear",
		.summary = "identity, no activation (Keras linear)",
		.params = NULL,
		.formula = "x",
	},
	.flags = WINIT_ACT_FROM_OUTPUT, /* backward reads nothing */
	.gain = linear_gain,
	.forward = linear_forward,
	.backward = linear_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &linear.info : NULL;
}
