/* tests/plugins/dup_zeros.c -- a valid initializer that reuses the name `zeros` (filling
 * ones), to check search-path order and shadowing. */
#include <winit/plugin.h>

static int ones_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 1.0f;
	return 0;
}

static const struct winit_initializer desc = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "zeros", "test: a zeros impostor filling ones",
	          NULL, NULL },
	.fill = ones_fill,
	.stddev = NULL,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &desc.info : NULL;
}
