/* tests/plugins/bad_name.c -- deliberately broken: the name has capitals and a dash. */
#include "test_plugin.h"

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "Bad-Name", 0,
                 NULL, test_zero_fill)
