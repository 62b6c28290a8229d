/* tests/plugins/bad_default.c -- deliberately broken: a parameter default lies outside
 * its declared range. */
#include <math.h>

#include "test_plugin.h"

static const struct winit_param_decl params[] = {
	{ "stddev", WINIT_PARAM_REAL, -1.0, 0.0, HUGE_VAL, "sd", NULL },
};

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "bad_default",
                 1, params, test_zero_fill)
