/* plugins/initializers/he_normal.c -- Keras's `he_normal` (He et al. 2015): a normal
 * truncated at 2 sd whose kept values have sd sqrt(2 / fan_in). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

static double he_sd(const struct winit_fill_args *args)
{
	double n = args->fan_in > 1 ? (double)args->fan_in : 1.0;
	return sqrt(2.0 / n);
}

static int he_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                          size_t errlen)
{
	(void)err;
	(void)errlen;
	const double s = he_sd(args) / WINIT_TRUNCATED_SD;
	winit_truncated_normal(w, args->n, args->host, args->rng, 0.0, s);
	return 0;
}

static const struct winit_initializer he_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "he_normal",
		.summary = "He normal: truncated normal with sd sqrt(2/fan_in) (Keras HeNormal)",
		.params = NULL,
		.formula = "N(0, s^2) redrawn beyond 2s, s = sqrt(2/fan_in)/0.87962566; "
			   "kept sd = sqrt(2/fan_in)",
	},
	.fill = he_normal_fill,
	.stddev = he_sd,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &he_normal.info : NULL;
}
