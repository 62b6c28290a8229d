/* tests/plugins/abi/future.c -- a plugin from a later ABI 1 release: built against
 * tests/abi-next/winit/plugin.h, whose descriptors have one more field, so its
 * struct_size is larger than this winit's sizeof.  check_registry loads it into the real
 * host, which ignores the field it does not know. */
#include <winit/plugin.h>

static int future_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 0.5f;
	return 0;
}

static const struct winit_initializer future_init = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "future_init", "test: from a later release",
	          NULL, NULL },
	.fill = future_fill,
	.winit_next_field = 42.0, /* fails to compile unless built against abi-next */
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &future_init.info : NULL;
}
