/* tests/plugins/theory/erf.c -- the activation `erf` (erf(a x), a = 1 unless set), for
 * tests only: its kernel E[erf(a u1) erf(a u2)] has a closed form (Williams 1997), which
 * check_theory and theory_corr.sh hold winit's correlation map to. */
#include <math.h>

#include <winit/plugin.h>

static const struct winit_param_decl params[] = {
	{ "a", WINIT_PARAM_REAL, 1.0, 0.01, 100.0, "the slope: erf(a x)", NULL },
};

static double erf_gain(const double *p)
{
	(void)p;
	return 1.0;
}

static void erf_forward(float *y, const float *x, int64_t rows, int64_t cols, const double *p)
{
	const double a = p[0];
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = (float)erf(a * x[i]);
}

/* erf'(a x) a = 2 a / sqrt(pi) e^{-(a x)^2}. */
static void erf_backward(float *dx, const float *dy, const float *x, const float *y,
                         int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	const double a = p[0];
	for (int64_t i = 0; i < rows * cols; i++) {
		const double v = a * x[i];
		dx[i] = (float)(dy[i] * 2 * a / sqrt(M_PI) * exp(-v * v));
	}
}

static const struct winit_activation erf_act = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_activation),
	          WINIT_KIND_ACTIVATION, 1, "erf", "test: erf(a x)", params, "erf(a x)" },
	.flags = 0,
	.gain = erf_gain,
	.forward = erf_forward,
	.backward = erf_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &erf_act.info : NULL;
}
