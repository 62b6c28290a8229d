/* plugins/activations/softmax.c -- row-wise softmax, stable by subtracting each row's
 * maximum; backward is the Jacobian-vector product y * (dy - sum(dy * y)) per row. */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double softmax_gain(const double *params)
{
	(void)params;
	return 1.0;
}

/* y (rows, cols) = softmax of each row of x (rows, cols); y may alias x. */
WINIT_HOT
static void softmax_forward(float *y, const float *x, int64_t rows, int64_t cols,
                            const double *params)
{
	(void)params;
	for (int64_t r = 0; r < rows; r++) {
		const float *xr = x + r * cols;
		float *yr = y + r * cols;
		float m = -INFINITY;
		for (int64_t j = 0; j < cols; j++)
			m = xr[j] > m ? xr[j] : m;
		float sum = 0.0f;
		for (int64_t j = 0; j < cols; j++) {
			yr[j] = expf(xr[j] - m);
			sum += yr[j];
		}
		const float inv = 1.0f / sum;
		for (int64_t j = 0; j < cols; j++)
			yr[j] *= inv;
	}
}

/* dx (rows, cols) = y * (dy - sum_j dy_j y_j) per row; dx may alias dy. */
WINIT_HOT
static void softmax_backward(float *dx, const float *dy, const float *x, const float *y,
                             int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)params;
	for (int64_t r = 0; r < rows; r++) {
		const float *dyr = dy + r * cols, *yr = y + r * cols;
		float *dxr = dx + r * cols;
		float dot = 0.0f;
		for (int64_t j = 0; j < cols; j++)
			dot += dyr[j] * yr[j];
		for (int64_t j = 0; j < cols; j++)
			dxr[j] = yr[j] * (dyr[j] - dot);
	}
}

static const struct winit_activation softmax = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "softmax",
		.summary = "row-wise softmax exp(x - max) / sum(exp(x - max))",
		.params = NULL,
		.formula = "exp(x_j) / sum_k exp(x_k), per row",
	},
	.flags = WINIT_ACT_ROWWISE,
	.gain = softmax_gain,
	.forward = softmax_forward,
	.backward = softmax_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &softmax.info : NULL;
}
