/* plugins/activations/elu.c -- the exponential linear units: `elu{alpha}` (Clevert et
 * al. 2016; gain 1) and `selu` (Klambauer et al. 2017, its fixed alpha and scale; gain
 * 3/4 as PyTorch's calculate_gain).  At 0 the derivative is the x >= 0 side's, as in
 * Keras (TensorFlow); PyTorch takes the other side (elu'(0) = alpha). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946

static const struct winit_param_decl elu_params[] = {
	{ "alpha", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "saturation value -alpha", NULL },
};

/* y = scale * (x > 0 ? x : alpha (e^x - 1)); y may alias x. */
static inline void elu_core_forward(float *y, const float *x, int64_t n, float alpha,
                                    float scale)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = scale * (x[i] > 0.0f ? x[i] : alpha * expm1f(x[i]));
}

/* dx = dy * scale * (x >= 0 ? 1 : alpha e^x); dx may alias dy.  At 0 the x >= 0 side,
 * as TensorFlow/Keras's EluGrad and SeluGrad take it (their test is output < 0). */
static inline void elu_core_backward(float *dx, const float *dy, const float *x, int64_t n,
                                     float alpha, float scale)
{
	for (int64_t i = 0; i < n; i++)
		dx[i] = dy[i] * scale * (x[i] >= 0.0f ? 1.0f : alpha * winit_fast_expf(x[i]));
}

static double elu_gain(const double *p)
{
	(void)p;
	return 1.0;
}

WINIT_HOT
static void elu_forward(float *y, const float *x, int64_t rows, int64_t cols,
                        const double *p)
{
	elu_core_forward(y, x, rows * cols, (float)p[0], 1.0f);
}

WINIT_HOT
static void elu_backward(float *dx, const float *dy, const float *x, const float *y,
                         int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	elu_core_backward(dx, dy, x, rows * cols, (float)p[0], 1.0f);
}

static double selu_gain(const double *p)
{
	(void)p;
	return 0.75;
}

WINIT_HOT
static void selu_forward(float *y, const float *x, int64_t rows, int64_t cols,
                         const double *p)
{
	(void)p;
	elu_core_forward(y, x, rows * cols, (float)SELU_ALPHA, (float)SELU_SCALE);
}

WINIT_HOT
static void selu_backward(float *dx, const float *dy, const float *x, const float *y,
                          int64_t rows, int64_t cols, const double *p)
{
	(void)y;
	(void)p;
	elu_core_backward(dx, dy, x, rows * cols, (float)SELU_ALPHA, (float)SELU_SCALE);
}

static const struct winit_activation elu = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 1,
		.name = "elu",
		.summary = "exponential linear unit (Keras/PyTorch ELU)",
		.params = elu_params,
		.formula = "x > 0 ? x : alpha (exp(x) - 1)",
	},
	.flags = 0,
	.gain = elu_gain,
	.forward = elu_forward,
	.backward = elu_backward,
};

static const struct winit_activation selu = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "selu",
		.summary = "scaled ELU, self-normalising with lecun_normal weights",
		.params = NULL,
		.formula = "1.0507 (x > 0 ? x : 1.6733 (exp(x) - 1))",
	},
	.flags = 0,
	.gain = selu_gain,
	.forward = selu_forward,
	.backward = selu_backward,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &elu.info;
	case 1: return &selu.info;
	default: return NULL;
	}
}
