/* tests/plugins/bad_abi.c -- deliberately broken: abi_version 99 instead of
 * WINIT_PLUGIN_ABI_VERSION. */
#include "test_plugin.h"

TEST_INITIALIZER(99, sizeof(struct winit_initializer), "bad_abi", 0, NULL, test_zero_fill)
