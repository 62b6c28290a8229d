/* plugins/initializers/random_uniform.c -- Keras's `random_uniform`: U(minval, maxval),
 * Keras defaults -0.05, 0.05. */
#include <math.h>
#include <stdio.h>

#include <winit/plugin.h>

enum { P_MIN,
       P_MAX };

static const struct winit_param_decl params[] = {
	{ "minval", WINIT_PARAM_REAL, -0.05, -HUGE_VAL, HUGE_VAL, "lower bound", NULL },
	{ "maxval", WINIT_PARAM_REAL, 0.05, -HUGE_VAL, HUGE_VAL, "upper bound", NULL },
};

static int random_uniform_check(const double *values, char *err, size_t errlen)
{
	if (!(values[P_MIN] <= values[P_MAX])) {
		snprintf(err, errlen, "minval %g is above maxval %g; swap them", values[P_MIN],
		         values[P_MAX]);
		return 1;
	}
	return 0;
}

static int random_uniform_fill(float *w, const struct winit_fill_args *args, char *err,
                               size_t errlen)
{
	const double lo = args->params[P_MIN], hi = args->params[P_MAX];
	if (random_uniform_check(args->params, err, errlen))
		return 1;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(lo + (hi - lo) * args->host->uniform(args->rng));
	return 0;
}

static double random_uniform_stddev(const struct winit_fill_args *args)
{
	return (args->params[P_MAX] - args->params[P_MIN]) / sqrt(12.0);
}

static const struct winit_initializer random_uniform = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof params / sizeof params[0],
		.name = "random_uniform",
		.summary = "uniform U(minval, maxval) (Keras RandomUniform)",
		.params = params,
		.formula = "U(minval, maxval)",
	},
	.fill = random_uniform_fill,
	.stddev = random_uniform_stddev,
	.check_params = random_uniform_check,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &random_uniform.info : NULL;
}
