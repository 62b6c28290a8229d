/* plugins/initializers/constant.c -- Keras's `ones` and `constant{value}`: every weight
 * the same value (so every unit of a layer stays identical). */
#include <winit/plugin.h>

static const struct winit_param_decl constant_params[] = {
	{ "value", WINIT_PARAM_REAL, 0.0, -3.4e38, 3.4e38, "the value of every weight", NULL },
};

static void fill_value(float *w, int64_t n, float v)
{
	for (int64_t i = 0; i < n; i++)
		w[i] = v;
}

static int ones_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_value(w, args->n, 1.0f);
	return 0;
}

static int constant_fill(float *w, const struct winit_fill_args *args, char *err,
                         size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_value(w, args->n, (float)args->params[0]);
	return 0;
}

static double zero_stddev(const struct winit_fill_args *args)
{
	(void)args;
	return 0.0;
}

static const struct winit_initializer ones = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "ones",
		.summary = "all weights 1 (Keras Ones)",
		.params = NULL,
		.formula = "w = 1",
	},
	.fill = ones_fill,
	.stddev = zero_stddev,
};

static const struct winit_initializer constant = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof constant_params / sizeof constant_params[0],
		.name = "constant",
		.summary = "all weights one value (Keras Constant)",
		.params = constant_params,
		.formula = "w = value",
	},
	.fill = constant_fill,
	.stddev = zero_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &ones.info;
	case 1: return &constant.info;
	default: return NULL;
	}
}
