/* plugins/initializers/glorot_uniform.c -- Glorot & Bengio (2010) uniform initializers:
 * Keras's `glorot_uniform` (its default kernel initializer) and PyTorch's
 * `xavier_uniform`, U(-l, l) with l = gain * sqrt(6 / (fan_in + fan_out)). */
#include <math.h>

#include <winit/plugin.h>

static const struct winit_param_decl xavier_params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "scaling factor (PyTorch gain)", NULL },
};

static double limit(const struct winit_fill_args *args, double gain)
{
	double n = (double)(args->fan_in + args->fan_out);
	return gain * sqrt(6.0 / (n > 1.0 ? n : 1.0));
}

static void fill_uniform(float *w, const struct winit_fill_args *args, double l)
{
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(l * (2.0 * args->host->uniform(args->rng) - 1.0));
}

static int glorot_uniform_fill(float *w, const struct winit_fill_args *args, char *err,
                               size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_uniform(w, args, limit(args, 1.0));
	return 0;
}

static double glorot_uniform_sd(const struct winit_fill_args *args)
{
	return limit(args, 1.0) / sqrt(3.0);
}

static int xavier_uniform_fill(float *w, const struct winit_fill_args *args, char *err,
                               size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_uniform(w, args, limit(args, args->params[0]));
	return 0;
}

static double xavier_uniform_sd(const struct winit_fill_args *args)
{
	return limit(args, args->params[0]) / sqrt(3.0);
}

static const struct winit_initializer glorot_uniform = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "glorot_uniform",
		.summary = "Glorot uniform U(-l, l), l = sqrt(6/(fan_in+fan_out)) "
			   "(Keras GlorotUniform, Keras's default)",
		.params = NULL,
		.formula = "U(-l, l), l = sqrt(6/(fan_in+fan_out))",
	},
	.fill = glorot_uniform_fill,
	.stddev = glorot_uniform_sd,
};

static const struct winit_initializer xavier_uniform = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof xavier_params / sizeof xavier_params[0],
		.name = "xavier_uniform",
		.summary = "Xavier uniform with a gain (PyTorch xavier_uniform_)",
		.params = xavier_params,
		.formula = "U(-l, l), l = gain * sqrt(6/(fan_in+fan_out))",
	},
	.fill = xavier_uniform_fill,
	.stddev = xavier_uniform_sd,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &glorot_uniform.info;
	case 1: return &xavier_uniform.info;
	default: return NULL;
	}
}
