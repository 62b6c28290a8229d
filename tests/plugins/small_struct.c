/* tests/plugins/small_struct.c -- deliberately broken: struct_size smaller than the ABI
 * v1 initializer descriptor. */
#include <math.h>

#include <winit/plugin.h>

static int t_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 0.0f;
	return 0;
}

static const struct winit_initializer desc = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_plugin_info),
		  WINIT_KIND_INITIALIZER, 0, "small_struct", "test: broken", NULL, NULL },
	.fill = t_fill,
	.stddev = NULL,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	(void)t_fill;
	return index == 0 ? &desc.info : NULL;
}
