/* tests/plugins/bad_default.c -- deliberately broken: a parameter default lies outside
 * its declared range. */
#include <math.h>

#include <winit/plugin.h>

static const struct winit_param_decl params[] = {
	{ "stddev", WINIT_PARAM_REAL, -1.0, 0.0, HUGE_VAL, "sd", NULL },
};

static int t_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 0.0f;
	return 0;
}

static const struct winit_initializer desc = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
		  WINIT_KIND_INITIALIZER, 1, "bad_default", "test: broken", params, NULL },
	.fill = t_fill,
	.stddev = NULL,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	(void)t_fill;
	return index == 0 ? &desc.info : NULL;
}
