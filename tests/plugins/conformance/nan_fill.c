/* tests/plugins/conformance/nan_fill.c -- loadable but wrong initializers, for the
 * conformance checks:
 *   - `nan_fill`: U(-l, l), l = sqrt(3 / fan_in), except that a 1-D tensor (a bias) gets
 *     0/0 = NaN, the classic "mean over an empty receptive field" slip;
 *   - `short_fill`: leaves the last value unwritten, and refuses 4-D tensors without
 *     writing a reason. */
#include <math.h>

#include <winit/plugin.h>

static int nan_fill_fill(float *w, const struct winit_fill_args *args, char *err,
                         size_t errlen)
{
	(void)err;
	(void)errlen;
	double l = sqrt(3.0 / (double)(args->fan_in > 0 ? args->fan_in : 1));
	if (args->n_dims == 1) {
		double zero = 0.0;
		l = zero / zero;
	}
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(l * (2.0 * args->host->uniform(args->rng) - 1.0));
	return 0;
}

static int short_fill_fill(float *w, const struct winit_fill_args *args, char *err,
                           size_t errlen)
{
	(void)err;
	(void)errlen;
	if (args->n_dims == 4)
		return 2;
	for (int64_t i = 0; i + 1 < args->n; i++)
		w[i] = (float)(0.1 * args->host->normal(args->rng));
	return 0;
}

static const struct winit_initializer nan_fill = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "nan_fill", "test: NaN for biases", NULL, NULL },
	.fill = nan_fill_fill,
	.stddev = NULL,
};

static const struct winit_initializer short_fill = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "short_fill", "test: one value short", NULL,
	          NULL },
	.fill = short_fill_fill,
	.stddev = NULL,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &nan_fill.info;
	case 1: return &short_fill.info;
	default: return NULL;
	}
}
