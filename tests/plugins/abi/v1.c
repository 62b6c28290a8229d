/* tests/plugins/abi/v1.c -- a plugin of ABI version 1's first release: its descriptors'
 * struct_size is exactly WINIT_INITIALIZER_V1_SIZE / WINIT_ACTIVATION_V1_SIZE, whatever
 * fields later headers append.  check_abi loads it into a host built with one more field
 * (tests/abi-next). */
#include <winit/plugin.h>

static int v1_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 0.25f;
	return 0;
}

static const struct winit_initializer v1_init = {
	.info = { WINIT_PLUGIN_ABI_VERSION, WINIT_INITIALIZER_V1_SIZE, WINIT_KIND_INITIALIZER,
	          0, "v1_init", "test: a first-release initializer", NULL, NULL },
	.fill = v1_fill,
};

static double v1_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void v1_forward(float *y, const float *x, int64_t rows, int64_t cols,
                       const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = x[i];
}

static void v1_backward(float *dx, const float *dy, const float *x, const float *y,
                        int64_t rows, int64_t cols, const double *params)
{
	(void)x;
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = dy[i];
}

static const struct winit_activation v1_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, WINIT_ACTIVATION_V1_SIZE, WINIT_KIND_ACTIVATION, 0,
	          "v1_act", "test: a first-release activation", NULL, NULL },
	.gain = v1_gain,
	.forward = v1_forward,
	.backward = v1_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &v1_init.info;
	case 1: return &v1_act.info;
	default: return NULL;
	}
}
