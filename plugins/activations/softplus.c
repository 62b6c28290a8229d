/* plugins/activations/softplus.c -- `softplus` log(1 + e^x) (computed stably as
 * max(x, 0) + log1p(e^-|x|)) and `softsign` x / (1 + |x|); gain 1 for both. */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double one_gain(const double *p)
{
	(void)p;
	return 1.0;
}

/* y (rows, cols) = softplus(x); y may alias x. */
WINIT_HOT
static void softplus_forward(float *y, const float *x, int64_t rows, int64_t cols,
                             const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = fmaxf(x[i], 0.0f) + log1pf(expf(-fabsf(x[i])));
}

/* dx = dy * sigmoid(x); dx may alias dy. */
WINIT_HOT
static void softplus_backward(float *dx, const float *dy, const float *x, const float *y,
                              int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = dy[i] / (1.0f + winit_fast_expf(-x[i]));
}

WINIT_HOT
static void softsign_forward(float *y, const float *x, int64_t rows, int64_t cols,
                             const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i] / (1.0f + fabsf(x[i]));
}

/* dx = dy / (1 + |x|)^2. */
WINIT_HOT
static void softsign_backward(float *dx, const float *dy, const float *x, const float *y,
                              int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++) {
		const float d = 1.0f + fabsf(x[i]);
		dx[i] = dy[i] / (d * d);
	}
}

static const struct winit_activation softplus = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "softplus",
		.summary = "smooth ReLU log(1 + exp(x))",
		.params = NULL,
		.formula = "log(1 + exp(x))",
	},
	.flags = 0,
	.gain = one_gain,
	.forward = softplus_forward,
	.backward = softplus_backward,
};

static const struct winit_activation softsign = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "softsign",
		.summary = "x / (1 + |x|)",
		.params = NULL,
		.formula = "x / (1 + |x|)",
	},
	.flags = 0,
	.gain = one_gain,
	.forward = softsign_forward,
	.backward = softsign_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &softplus.info;
	case 1: return &softsign.info;
	default: return NULL;
	}
}
