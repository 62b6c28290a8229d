/* tests/plugins/endless.c -- deliberately broken: describe() never returns NULL. */
#include <winit/plugin.h>

static const struct winit_plugin_info info = {
	WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), WINIT_KIND_INITIALIZER, 0,
	"endless", "test: never ends", NULL, NULL
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	(void)index;
	return &info;
}
