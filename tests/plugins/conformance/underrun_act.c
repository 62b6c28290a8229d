/* tests/plugins/conformance/underrun_act.c -- a loadable but wrong activation, for the
 * conformance checks: `underrun_act` is the identity, but on a call of more than 1,000
 * values its forward also writes the 8 floats before y (the same slip as underrun_fill's,
 * in an activation). */
#include <winit/plugin.h>

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void ua_forward(float *y, const float *x, int64_t rows, int64_t cols,
                       const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = x[i];
	if (rows * cols > 1000)
		for (int64_t i = -8; i < 0; i++)
			y[i] = 0.0f;
}

static void ua_backward(float *dx, const float *dy, const float *x, const float *y,
                        int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = dy[i];
}

static const struct winit_activation underrun_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "underrun_act", "test: writes before y", NULL, "x" },
	.gain = one_gain,
	.forward = ua_forward,
	.backward = ua_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &underrun_act.info : NULL;
}
