/* example_plugin.c -- a complete winit plugin, as a third-party author writes one.
 *
 * One shared object, two plugins:
 *   - the initializer `scaled_uniform{scale = 1, mode = fan_in}`: U(-a, a) with
 *     a = sqrt(3 * scale / n), n = fan_in, fan_out or their mean, so Var(w) = scale / n;
 *   - the activation `bent_identity`: f(x) = (sqrt(x^2 + 1) - 1) / 2 + x.
 *
 * Build it against an installed winit and use it:
 *
 *     cc -shared -fPIC -O2 $(pkg-config --cflags winit) example_plugin.c -o example.so -lm
 *     WINIT_PLUGIN_PATH=$PWD winit info scaled_uniform --shape 784x128
 *     WINIT_PLUGIN_PATH=$PWD winit run example.lua
 *
 * It needs only <winit/plugin.h> (the ABI), <winit/plugin_util.h> (WINIT_HOT, header-only),
 * libc and libm: the random numbers come from the host's
 * stream (args->host, args->rng), so runs stay reproducible and independent of threads.
 */
#include <math.h>
#include <stdio.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

/* ---- the initializer ---- */

enum { MODE_FAN_IN,
       MODE_FAN_OUT,
       MODE_FAN_AVG };

static const char *const modes[] = { "fan_in", "fan_out", "fan_avg", NULL };

/* Parameters are declared once; winit validates script values against this table and
 * passes them, defaults filled in, as params[0], params[1], ... */
static const struct winit_param_decl scaled_uniform_params[] = {
	{ .name = "scale", .type = WINIT_PARAM_REAL, .default_value = 1.0, .min_value = 0.0, .max_value = HUGE_VAL, .doc = "target variance times n" },
	{ .name = "mode", .type = WINIT_PARAM_CHOICE, .default_value = MODE_FAN_IN, .doc = "which fan n is", .choices = modes },
};

static double fan(const struct winit_fill_args *args)
{
	switch ((int)args->params[1]) {
	case MODE_FAN_OUT: return (double)args->fan_out;
	case MODE_FAN_AVG: return 0.5 * (double)(args->fan_in + args->fan_out);
	default: return (double)args->fan_in;
	}
}

static double scaled_uniform_stddev(const struct winit_fill_args *args)
{
	return sqrt(args->params[0] / fan(args));
}

static int scaled_uniform_fill(float *w, const struct winit_fill_args *args, char *err,
                               size_t errlen)
{
	double n = fan(args);
	if (!(n > 0)) {
		snprintf(err, errlen, "fan must be positive (got %g)", n);
		return -1;
	}
	double a = sqrt(3.0 * args->params[0] / n);
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(a * (2.0 * args->host->uniform(args->rng) - 1.0));
	return 0;
}

static const struct winit_initializer scaled_uniform = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 2,
		.name = "scaled_uniform",
		.summary = "U(-a, a) with variance scale / fan (example plugin)",
		.params = scaled_uniform_params,
		.formula = "U(-a, a), a = sqrt(3 * scale / n), n = fan_in | fan_out | (fan_in + fan_out) / 2",
	},
	.fill = scaled_uniform_fill,
	.stddev = scaled_uniform_stddev,
};

/* ---- the activation ---- */

static double bent_gain(const double *params)
{
	(void)params;
	return 1.0;
}

WINIT_HOT static void bent_forward(float *y, const float *x, int64_t rows, int64_t cols,
                                   const double *params)
{
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		y[i] = (sqrtf(x[i] * x[i] + 1.0f) - 1.0f) * 0.5f + x[i];
}

/* dx = dy * f'(x), f'(x) = x / (2 sqrt(x^2 + 1)) + 1; dx may alias dy. */
WINIT_HOT static void bent_backward(float *dx, const float *dy, const float *x, const float *y,
                                    int64_t rows, int64_t cols, const double *params)
{
	(void)y;
	(void)params;
	for (int64_t i = 0; i < rows * cols; i++)
		dx[i] = dy[i] * (x[i] / (2.0f * sqrtf(x[i] * x[i] + 1.0f)) + 1.0f);
}

static const struct winit_activation bent_identity = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_activation),
		.kind = WINIT_KIND_ACTIVATION,
		.n_params = 0,
		.name = "bent_identity",
		.summary = "(sqrt(x^2 + 1) - 1) / 2 + x (example plugin)",
		.formula = "(sqrt(x^2 + 1) - 1) / 2 + x",
	},
	/* WINIT_ACT_ROWWISE for a function that couples a row (softmax); WINIT_ACT_FROM_OUTPUT
	 * only when backward needs nothing but y (relu, tanh): not here, it reads x. */
	.flags = 0,
	.gain = bent_gain,
	.forward = bent_forward,
	.backward = bent_backward,
};

/* ---- the one exported symbol ---- */

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &scaled_uniform.info;
	case 1: return &bent_identity.info;
	default: return NULL;
	}
}
