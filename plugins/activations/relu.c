/* plugins/activations/relu.c -- relu(x) = max(x, 0); relu'(0) = 0 as in Keras and
 * PyTorch; gain sqrt(2) (He et al. 2015). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double relu_gain(const double *params)
{
	(void)params;
	return sqrt(2.0);
}

/* y (rows, cols) = relu(x (rows, cols)); y may alias x. */
WINIT_HOT
static void relu_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *params)
{
	(void)params;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* dx = dy * [x > 0]; dx may alias dy. */
WINIT_HOT
static void relu_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *params)
{
	(void)y;
	(void)params;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

static const struct winit_activation relu = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "relu",
		.summary = "rectified linear unit max(x, 0); derivative 0 at 0",
		.params = NULL,
		.formula = "max(x, 0)",
	},
	.flags = WINIT_ACT_FROM_OUTPUT, /* [y > 0] is [x > 0] */
	.gain = relu_gain,
	.forward = relu_forward,
	.backward = relu_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &relu.info : NULL;
}
