/* tests/plugins/conformance/false_from_output.c -- a loadable but wrong activation for the
 * conformance checks: `false_from_output` = tanh(x) with the right derivative computed
 * from x, 1 - tanh(x)^2, yet flagged WINIT_ACT_FROM_OUTPUT: handed y = tanh(x) for x it
 * gives 1 - tanh(tanh(x))^2, so a host applying it in place would train wrong. */
#include <math.h>

#include <winit/plugin.h>

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void fo_forward(float *y, const float *x, int64_t rows, int64_t cols,
                       const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = tanhf(x[i]);
}

static void fo_backward(float *dx, const float *dy, const float *x, const float *y,
                        int64_t rows, int64_t cols, const double *params)
{
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++) {
		const float t = tanhf(x[i]);
		dx[i] = dy[i] * (1.0f - t * t);
	}
}

static const struct winit_activation false_from_output = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "false_from_output",
	          "test: flagged backward-from-output, reads x", NULL, "tanh(x)" },
	.flags = WINIT_ACT_FROM_OUTPUT,
	.gain = one_gain,
	.forward = fo_forward,
	.backward = fo_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &false_from_output.info : NULL;
}
