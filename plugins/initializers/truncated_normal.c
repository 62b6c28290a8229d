/* plugins/initializers/truncated_normal.c -- Keras's `truncated_normal`: N(mean,
 * stddev^2) with values beyond 2 stddev of the mean redrawn (no variance correction, so
 * the kept values' sd is 0.8796 stddev). */
#include <math.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

enum { P_MEAN,
       P_STDDEV };

static const struct winit_param_decl params[] = {
	{ "mean", WINIT_PARAM_REAL, 0.0, -HUGE_VAL, HUGE_VAL, "mean of the normal", NULL },
	{ "stddev", WINIT_PARAM_REAL, 0.05, 0.0, HUGE_VAL,
	  "sd before truncation (values beyond 2 stddev are redrawn)", NULL },
};

static int truncated_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                                 size_t errlen)
{
	(void)err;
	(void)errlen;
	const double mean = args->params[P_MEAN], sd = args->params[P_STDDEV];
	winit_truncated_normal(w, args->n, args->host, args->rng, mean, sd);
	return 0;
}

static double truncated_normal_stddev(const struct winit_fill_args *args)
{
	return args->params[P_STDDEV] * WINIT_TRUNCATED_SD;
}

static const struct winit_initializer truncated_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = sizeof params / sizeof params[0],
		.name = "truncated_normal",
		.summary = "normal N(mean, stddev^2) redrawn beyond 2 stddev (Keras "
			   "TruncatedNormal)",
		.params = params,
		.formula = "N(mean, stddev^2) redrawn beyond mean +- 2 stddev; kept sd = "
			   "0.87962566 stddev",
	},
	.fill = truncated_normal_fill,
	.stddev = truncated_normal_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &truncated_normal.info : NULL;
}
