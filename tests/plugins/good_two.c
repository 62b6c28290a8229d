/* tests/plugins/good_two.c -- a valid object with two descriptors of different kinds:
 * the initializer `test_const` and the activation `test_double`. */
#include <winit/plugin.h>

static const char *const modes[] = { "plain", "negated", NULL };

static const struct winit_param_decl const_params[] = {
	{ "value", WINIT_PARAM_REAL, 0.5, -10.0, 10.0, "the constant", NULL },
	{ "mode", WINIT_PARAM_CHOICE, 0, 0, 0, "sign", modes },
};

static int const_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	double v = args->params[1] == 1.0 ? -args->params[0] : args->params[0];
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)v;
	return 0;
}

static const struct winit_initializer test_const = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 2, "test_const", "test: a constant", const_params,
	          NULL },
	.fill = const_fill,
	.stddev = NULL,
};

static double double_gain(const double *params)
{
	(void)params;
	return 0.5;
}

static void double_forward(float *y, const float *x, int64_t rows, int64_t cols,
                           const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = 2.0f * x[i];
}

static void double_backward(float *dx, const float *dy, const float *x, const float *y,
                            int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = 2.0f * dy[i];
}

static const struct winit_activation test_double = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "test_double", "test: 2x", NULL, "2x" },
	.flags = 0,
	.gain = double_gain,
	.forward = double_forward,
	.backward = double_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &test_const.info;
	case 1: return &test_double.info;
	default: return NULL;
	}
}
