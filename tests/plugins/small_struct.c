/* tests/plugins/small_struct.c -- deliberately broken: struct_size one byte short of the
 * first-release (ABI v1) initializer descriptor. */
#include "test_plugin.h"

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, WINIT_INITIALIZER_V1_SIZE - 1, "small_struct", 0,
                 NULL, test_zero_fill)
