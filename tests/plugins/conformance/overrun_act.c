/* tests/plugins/conformance/overrun_act.c -- loadable but wrong activations that write
 * outside their outputs on every call, for the guard zones around the buffers a study
 * hands activations.  Each is the identity, and: `before_act`'s forward writes the 8
 * floats before y; `past_act`'s forward writes the 4 floats past the end of y;
 * `back_act`'s backward writes the 8 floats before dx. */
#include <winit/plugin.h>

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void copy(float *y, const float *x, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = x[i];
}

static void before_forward(float *y, const float *x, int64_t rows, int64_t cols,
                           const double *params)
{
	(void)params;
	copy(y, x, rows * cols);
	for (int64_t i = -8; i < 0; i++)
		y[i] = 0.5f;
}

static void plain_forward(float *y, const float *x, int64_t rows, int64_t cols,
                          const double *params)
{
	(void)params;
	copy(y, x, rows * cols);
}

static void plain_backward(float *dx, const float *dy, const float *x, const float *y,
                           int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	copy(dx, dy, rows * cols);
}

static void past_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *params)
{
	(void)params;
	copy(y, x, rows * cols);
	for (int64_t i = 0; i < 4; i++)
		y[rows * cols + i] = 0.5f;
}

static void back_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *params)
{
	plain_backward(dx, dy, x, y, rows, cols, params);
	for (int64_t i = -8; i < 0; i++)
		dx[i] = 0.5f;
}

static const struct winit_activation before_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "before_act", "test: forward writes before y", NULL,
	          "x" },
	.gain = one_gain,
	.forward = before_forward,
	.backward = plain_backward,
};

static const struct winit_activation past_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "past_act", "test: forward writes past y", NULL,
	          "x" },
	.gain = one_gain,
	.forward = past_forward,
	.backward = plain_backward,
};

static const struct winit_activation back_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "back_act", "test: backward writes before dx", NULL,
	          "x" },
	.gain = one_gain,
	.forward = plain_forward,
	.backward = back_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	static const struct winit_activation *const all[] = { &before_act, &past_act, &back_act };
	return index < 3 ? &all[index]->info : NULL;
}
