/* tests/plugins/bad_gain.c -- deliberately broken: the activation `bad_gain`'s gain() is
 * -1 (a gain scales a weight's standard deviation: it must be positive and finite), so
 * the loader must refuse it, naming the file. */
#include <winit/plugin.h>

static double neg_gain(const double *params)
{
	(void)params;
	return -1.0;
}

static void ident_forward(float *y, const float *x, int64_t rows, int64_t cols,
                          const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = x[i];
}

static void ident_backward(float *dx, const float *dy, const float *x, const float *y,
                           int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = dy[i];
}

static const struct winit_activation bad_gain = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "bad_gain", "test: broken", NULL, "x" },
	.gain = neg_gain,
	.forward = ident_forward,
	.backward = ident_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &bad_gain.info : NULL;
}
