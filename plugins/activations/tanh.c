/* plugins/activations/tanh.c -- the hyperbolic tangent; gain 5/3 (PyTorch's
 * calculate_gain). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double tanh_gain(const double *p)
{
	(void)p;
	return 5.0 / 3.0;
}

/* y (rows, cols) = tanh(x); y may alias x. */
WINIT_HOT
static void tanh_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = winit_fast_tanhf(x[i]);
}

/* dx = dy * (1 - y^2); dx may alias dy. */
WINIT_HOT
static void tanh_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *p)
{
	(void)x;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

static const struct winit_activation tanh_act = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "tanh",
		.summary = "hyperbolic tangent",
		.params = NULL,
		.formula = "tanh(x)",
	},
	.flags = WINIT_ACT_FROM_OUTPUT, /* backward reads y only */
	.gain = tanh_gain,
	.forward = tanh_forward,
	.backward = tanh_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &tanh_act.info : NULL;
}
