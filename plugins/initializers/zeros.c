/* plugins/initializers/zeros.c -- Keras's `zeros`: every weight exactly 0. */
#include <string.h>

#include <winit/plugin.h>

static int zeros_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	/* All-zero bits are 0.0f in IEEE 754. */
	memset(w, 0, (size_t)args->n * sizeof *w);
	return 0;
}

static double zeros_stddev(const struct winit_fill_args *args)
{
	(void)args;
	return 0.0;
}

static const struct winit_initializer zeros = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "zeros",
		.summary = "all weights 0 (Keras zeros; every unit of a layer stays identical)",
		.params = NULL,
		.formula = "w = 0",
	},
	.fill = zeros_fill,
	.stddev = zeros_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &zeros.info : NULL;
}
