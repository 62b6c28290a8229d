/* plugins/initializers/random_normal.c -- Keras's `random_normal`: a plain (untruncated)
 * normal N(mean, stddev^2), Keras defaults mean 0, stddev 0.05. */
#include <math.h>

#include <winit/plugin.h>

enum { P_MEAN,
       P_STDDEV };

static const struct winit_param_decl params[] = {
	{ "mean", WINIT_PARAM_REAL, 0.0, -HUGE_VAL, HUGE_VAL, "mean of the normal", NULL },
	{ "stddev", WINIT_PARAM_REAL, 0.05, 0.0, HUGE_VAL, "standard deviation", NULL },
};

static int random_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                              size_t errlen)
{
	(void)err;
	(void)errlen;
	const double mean = args->params[P_MEAN], sd = args->params[P_STDDEV];
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(mean + sd * args->host->normal(args->rng));
	return 0;
}

static double random_normal_stddev(const struct winit_fill_args *args)
{
	return args->params[P_STDDEV];
}

static const struct winit_initializer random_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof params / sizeof params[0],
		.name = "random_normal",
		.summary = "plain normal N(mean, stddev^2), not truncated (Keras RandomNormal)",
		.params = params,
		.formula = "N(mean, stddev^2)",
	},
	.fill = random_normal_fill,
	.stddev = random_normal_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &random_normal.info : NULL;
}
