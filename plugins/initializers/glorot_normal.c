/* plugins/initializers/glorot_normal.c -- Glorot & Bengio (2010) normal initializers:
 * Keras's `glorot_normal` (truncated at 2 sd, kept sd sqrt(2 / (fan_in + fan_out))) and
 * PyTorch's `xavier_normal` (untruncated, sd gain * sqrt(2 / (fan_in + fan_out))). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double fan_avg(const struct winit_fill_args *args)
{
	double n = 0.5 * (double)(args->fan_in + args->fan_out);
	return n > 1.0 ? n : 1.0;
}

static double glorot_sd(const struct winit_fill_args *args)
{
	return sqrt(1.0 / fan_avg(args));
}

static int glorot_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                              size_t errlen)
{
	(void)err;
	(void)errlen;
	const double s = glorot_sd(args) / WINIT_TRUNCATED_SD;
	winit_truncated_normal(w, args->n, args->host, args->rng, 0.0, s);
	return 0;
}

static const struct winit_param_decl xavier_params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "scaling factor (PyTorch gain)", NULL },
};

static double xavier_sd(const struct winit_fill_args *args)
{
	return args->params[0] * sqrt(1.0 / fan_avg(args));
}

static int xavier_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                              size_t errlen)
{
	(void)err;
	(void)errlen;
	const double s = xavier_sd(args);
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(s * args->host->normal(args->rng));
	return 0;
}

static const struct winit_initializer glorot_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "glorot_normal",
		.summary = "Glorot normal: truncated normal with sd sqrt(2/(fan_in+fan_out)) "
			   "(Keras GlorotNormal)",
		.params = NULL,
		.formula = "N(0, s^2) redrawn beyond 2s, s = sqrt(2/(fan_in+fan_out))/0.87962566; "
			   "kept sd = sqrt(2/(fan_in+fan_out))",
	},
	.fill = glorot_normal_fill,
	.stddev = glorot_sd,
};

static const struct winit_initializer xavier_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof xavier_params / sizeof xavier_params[0],
		.name = "xavier_normal",
		.summary = "Xavier normal, untruncated (PyTorch xavier_normal_)",
		.params = xavier_params,
		.formula = "N(0, gain^2 * 2/(fan_in+fan_out))",
	},
	.fill = xavier_normal_fill,
	.stddev = xavier_sd,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &glorot_normal.info;
	case 1: return &xavier_normal.info;
	default: return NULL;
	}
}
