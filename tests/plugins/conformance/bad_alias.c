/* tests/plugins/conformance/bad_alias.c -- a loadable but wrong activation for the
 * conformance checks: `bad_alias` = tanh(x) + x / 10 computed in two passes, the
 * second reading x after the first wrote y, so forward in place (y aliasing x) gives
 * tanh(x) * 1.1.  (Its gain was 0 as well; the loader refuses that now, see
 * tests/plugins/bad_gain.c, so it is 1.) */
#include <math.h>

#include <winit/plugin.h>

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void ba_forward(float *y, const float *x, int64_t rows, int64_t cols,
                       const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = tanhf(x[i]);
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] += 0.1f * x[i];
}

static void ba_backward(float *dx, const float *dy, const float *x, const float *y,
                        int64_t rows, int64_t cols, const double *params)
{
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++) {
		const float t = tanhf(x[i]);
		dx[i] = dy[i] * (1.1f - t * t);
	}
}

static const struct winit_activation bad_alias = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "bad_alias", "test: not safe in place", NULL,
	          "tanh(x) + x / 10" },
	.flags = 0,
	.gain = one_gain,
	.forward = ba_forward,
	.backward = ba_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &bad_alias.info : NULL;
}
