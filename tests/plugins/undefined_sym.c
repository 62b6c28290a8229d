/* tests/plugins/undefined_sym.c -- deliberately broken: needs a symbol nothing defines,
 * so dlopen(RTLD_NOW) fails. */
#include <winit/plugin.h>

void winit_test_no_such_function(void);

static const struct winit_plugin_info *describe_impl(uint32_t index)
{
	winit_test_no_such_function();
	(void)index;
	return NULL;
}

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return describe_impl(index);
}
