/* tests/plugins/crash/segv_act.c -- deliberately broken at run time: the activation
 * `segv_act` is the identity, except that its forward writes through a bad pointer
 * (SIGSEGV) when called on one row of WINIT_GH_POINTS values -- as the theory pass
 * (src/theory/propagation.c) calls it, on the Gauss-Hermite nodes -- so a fit with
 * diagnostics must name the plugin there too. */
#include <stdint.h>

#include <winit/plugin.h>
#include <winit/theory.h> /* WINIT_GH_POINTS */

static volatile uintptr_t bad_address = 8;

static double one_gain(const double *params)
{
	(void)params;
	return 1.0;
}

static void segv_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *params)
{
	(void)params;
	if (rows == 1 && cols == WINIT_GH_POINTS)
		*(volatile float *)bad_address = 1.0f;
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

static const struct winit_activation segv_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 0, "segv_act", "test: broken", NULL, "x" },
	.gain = one_gain,
	.forward = segv_forward,
	.backward = ident_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &segv_act.info : NULL;
}
