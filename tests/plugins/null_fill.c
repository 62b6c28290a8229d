/* tests/plugins/null_fill.c -- deliberately broken: the fill callback is NULL. */
#include "test_plugin.h"

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "null_fill", 0,
                 NULL, NULL)
