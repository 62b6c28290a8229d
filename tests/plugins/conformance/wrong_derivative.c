/* tests/plugins/conformance/wrong_derivative.c -- loadable but wrong activations for the
 * conformance checks:
 *   - `wrong_derivative`: tanh whose backward is half the derivative;
 *   - `wrong_softmax`: a row-wise softmax whose backward forgets the -sum(dy y) term
 *     of the Jacobian-vector product. */
#include <math.h>

#include <winit/plugin.h>

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void tanh_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = tanhf(x[i]);
}

/* Wrong on purpose: tanh' = 1 - y^2, not half of it. */
static void tanh_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = 0.5f * dy[i] * (1.0f - y[i] * y[i]);
}

static void softmax_forward(float *y, const float *x, int64_t rows, int64_t cols,
                            const double *params)
{
	(void)params;
	for (int64_t r = 0; r < rows; r++) {
		const float *xr = x + r * cols;
		float *yr = y + r * cols;
		float m = -INFINITY, sum = 0.0f;
		for (int64_t j = 0; j < cols; j++)
			m = xr[j] > m ? xr[j] : m;
		for (int64_t j = 0; j < cols; j++) {
			yr[j] = expf(xr[j] - m);
			sum += yr[j];
		}
		for (int64_t j = 0; j < cols; j++)
			yr[j] /= sum;
	}
}

/* Wrong on purpose: only the diagonal of the Jacobian. */
static void softmax_backward(float *dx, const float *dy, const float *x, const float *y,
                             int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = y[i] * dy[i];
}

static const struct winit_activation wrong_derivative = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "wrong_derivative", "test: tanh, half its "
	                                                        "derivative",
	          NULL, "tanh(x)" },
	.flags = 0,
	.gain = one_gain,
	.forward = tanh_forward,
	.backward = tanh_backward,
};

static const struct winit_activation wrong_softmax = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "wrong_softmax", "test: softmax, diagonal "
	                                                     "Jacobian",
	          NULL, "softmax(x)" },
	.flags = WINIT_ACT_ROWWISE,
	.gain = one_gain,
	.forward = softmax_forward,
	.backward = softmax_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &wrong_derivative.info;
	case 1: return &wrong_softmax.info;
	default: return NULL;
	}
}
