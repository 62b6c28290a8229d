/* plugins/activations/sigmoid.c -- the logistic `sigmoid` (gain 1) and Keras 2's
 * `hard_sigmoid` = clip(0.2 x + 0.5, 0, 1) (tf.keras semantics; Keras 3 and PyTorch use
 * x/6 + 1/2 instead).  hard_sigmoid's derivative is 0.2 strictly inside (-2.5, 2.5) and 0
 * at and beyond the kinks (the flat side). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double one_gain(const double *p)
{
	(void)p;
	return 1.0;
}

/* y (rows, cols) = 1 / (1 + e^-x); y may alias x. */
WINIT_HOT
static void sigmoid_forward(float *y, const float *x, int64_t rows, int64_t cols,
                            const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		y[i] = 1.0f / (1.0f + winit_fast_expf(-x[i]));
}

/* dx = dy * y (1 - y); dx may alias dy. */
WINIT_HOT
static void sigmoid_backward(float *dx, const float *dy, const float *x, const float *y,
                             int64_t rows, int64_t cols, const double *p)
{
	(void)x;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

WINIT_HOT
static void hard_sigmoid_forward(float *y, const float *x, int64_t rows, int64_t cols,
                                 const double *p)
{
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++) {
		const float v = 0.2f * x[i] + 0.5f;
		y[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f :
		                                    v;
	}
}

WINIT_HOT
static void hard_sigmoid_backward(float *dx, const float *dy, const float *x, const float *y,
                                  int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	const int64_t n = rows * cols;
	for (int64_t i = 0; i < n; i++)
		dx[i] = x[i] > -2.5f && x[i] < 2.5f ? 0.2f * dy[i] : 0.0f;
}

static const struct winit_activation sigmoid = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "sigmoid",
		.summary = "logistic sigmoid 1/(1 + exp(-x))",
		.params = NULL,
		.formula = "1 / (1 + exp(-x))",
	},
	.flags = WINIT_ACT_FROM_OUTPUT, /* backward reads y only */
	.gain = one_gain,
	.forward = sigmoid_forward,
	.backward = sigmoid_backward,
};

static const struct winit_activation hard_sigmoid = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "hard_sigmoid",
		.summary = "piecewise-linear sigmoid clip(0.2 x + 0.5, 0, 1) (tf.keras 2)",
		.params = NULL,
		.formula = "clip(0.2 x + 0.5, 0, 1)",
	},
	.flags = 0,
	.gain = one_gain,
	.forward = hard_sigmoid_forward,
	.backward = hard_sigmoid_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &sigmoid.info;
	case 1: return &hard_sigmoid.info;
	default: return NULL;
	}
}
