/* plugins/activations/gelu.c -- gelu{approximate = none | tanh} (Hendrycks & Gimpel
 * 2016): x Phi(x) exactly, or PyTorch's / Keras's tanh approximation.  Gain 1 (PyTorch's
 * calculate_gain defines none for it). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

#define SQRT_2_OVER_PI 0.79788456080286535588f
#define INV_SQRT_2 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f
#define GELU_C 0.044715f

static const char *const approximations[] = { "none", "tanh", NULL };

static const struct winit_param_decl params[] = {
	{ "approximate", WINIT_PARAM_CHOICE, 0, 0, 0, "none = x Phi(x); tanh = the "
	                                              "tanh approximation",
	  approximations },
};

static double gelu_gain(const double *p)
{
	(void)p;
	return 1.0;
}

/* y (rows, cols) = gelu(x); y may alias x. */
WINIT_HOT
static void gelu_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *p)
{
	const int64_t n = rows * cols;
	if (p[0] == 0.0) {
		for (int64_t i = 0; i < n; i++)
			y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * INV_SQRT_2));
	} else {
		for (int64_t i = 0; i < n; i++) {
			const float v = x[i];
			y[i] = 0.5f * v * (1.0f + winit_fast_tanhf(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
		}
	}
}

/* dx = dy * gelu'(x); dx may alias dy. */
WINIT_HOT
static void gelu_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	const int64_t n = rows * cols;
	if (p[0] == 0.0) {
		/* Phi(x) + x phi(x). */
		for (int64_t i = 0; i < n; i++) {
			const float v = x[i];
			const float cdf = 0.5f * (1.0f + erff(v * INV_SQRT_2));
			const float pdf = INV_SQRT_2PI * winit_fast_expf(-0.5f * v * v);
			dx[i] = dy[i] * (cdf + v * pdf);
		}
	} else {
		for (int64_t i = 0; i < n; i++) {
			/* tanh saturates in float well before |x| = 10, where the derivative
			 * is exactly 0 or 1; clamping keeps 0 * inf out of it. */
			const float v = fminf(fmaxf(x[i], -10.0f), 10.0f);
			const float t = winit_fast_tanhf(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
			const float dt = SQRT_2_OVER_PI * (1.0f + 3.0f * GELU_C * v * v);
			dx[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * dt);
		}
	}
}

static const struct winit_activation gelu = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 1,
		.name = "gelu",
		.summary = "Gaussian error linear unit, exact or tanh-approximated",
		.params = params,
		.formula = "x Phi(x); tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
	},
	.flags = 0,
	.gain = gelu_gain,
	.forward = gelu_forward,
	.backward = gelu_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &gelu.info : NULL;
}
