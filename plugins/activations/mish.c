/* plugins/activations/mish.c -- mish x tanh(softplus(x)) (Misra 2019); gain 1. */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double mish_gain(const double *p)
{
	(void)p;
	return 1.0;
}

static inline float softplusf(float v)
{
	return fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v)));
}

/* y (rows, cols) = x tanh(softplus(x)); y may alias x. */
WINIT_HOT
static void mish_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i] * winit_fast_tanhf(softplusf(x[i]));
}

/* dx = dy * (t + x (1 - t^2) sigmoid(x)), t = tanh(softplus(x)); dx may alias dy. */
WINIT_HOT
static void mish_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++) {
		const float t = winit_fast_tanhf(softplusf(x[i]));
		const float s = 1.0f / (1.0f + winit_fast_expf(-x[i]));
		dx[i] = dy[i] * (t + x[i] * (1.0f - t * t) * s);
	}
}

static const struct winit_activation mish = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "mish",
		.summary = "x tanh(softplus(x))",
		.params = NULL,
		.formula = "x tanh(log(1 + exp(x)))",
	},
	.flags = 0,
	.gain = mish_gain,
	.forward = mish_forward,
	.backward = mish_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &mish.info : NULL;
}
