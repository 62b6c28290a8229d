/* tests/plugins/conformance/bad_stddev.c -- a loadable but wrong initializer for the
 * conformance checks: `bad_stddev{scale}` fills N(0, 2 scale / fan_in) (He normal) but
 * its stddev() forgets the 2 and says sqrt(scale / fan_in). */
#include <math.h>

#include <winit/plugin.h>

static const struct winit_param_decl params[] = {
	{ "scale", WINIT_PARAM_REAL, 1.0, 0.5, 4.0, "variance scale", NULL },
};

static double fan(const struct winit_fill_args *args)
{
	return (double)(args->fan_in > 0 ? args->fan_in : 1);
}

static int bs_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const double sd = sqrt(2.0 * args->params[0] / fan(args));
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(sd * args->host->normal(args->rng));
	return 0;
}

static double bs_stddev(const struct winit_fill_args *args)
{
	return sqrt(args->params[0] / fan(args));
}

static const struct winit_initializer bad_stddev = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 1, "bad_stddev", "test: stddev() off by sqrt(2)",
	          params, "N(0, 2 scale / fan_in)" },
	.fill = bs_fill,
	.stddev = bs_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &bad_stddev.info : NULL;
}
