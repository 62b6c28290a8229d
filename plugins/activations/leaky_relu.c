/* plugins/activations/leaky_relu.c -- leaky_relu{alpha}: x for x > 0, alpha x
 * otherwise; leaky_relu'(0) = alpha.  Default alpha = 0.01, PyTorch's (Keras's
 * LeakyReLU layer uses 0.3, its Keras 3 activation function 0.2: pass alpha to match
 * those).  Gain sqrt(2 / (1 + alpha^2)) as PyTorch's calculate_gain. */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static const struct winit_param_decl params[] = {
	{ "alpha", WINIT_PARAM_REAL, 0.01, -HUGE_VAL, HUGE_VAL, "slope for x <= 0", NULL },
};

static double leaky_relu_gain(const double *p)
{
	return sqrt(2.0 / (1.0 + p[0] * p[0]));
}

/* y (rows, cols) = leaky_relu(x); y may alias x. */
WINIT_HOT
static void leaky_relu_forward(float *y, const float *x, int64_t rows, int64_t cols,
                               const double *p)
{
	const float a = (float)p[0];
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : a * x[i];
}

/* dx = dy * (x > 0 ? 1 : alpha); dx may alias dy. */
WINIT_HOT
static void leaky_relu_backward(float *dx, const float *dy, const float *x, const float *y,
                                int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	const float a = (float)p[0];
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = x[i] > 0.0f ? dy[i] : a * dy[i];
}

static const struct winit_activation leaky_relu = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 1,
		.name = "leaky_relu",
		.summary = "leaky ReLU, slope alpha below 0 (default 0.01 as PyTorch)",
		.params = params,
		.formula = "x > 0 ? x : alpha x",
	},
	.flags = 0,
	.gain = leaky_relu_gain,
	.forward = leaky_relu_forward,
	.backward = leaky_relu_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &leaky_relu.info : NULL;
}
