/* tests/plugins/crash/segv_fill.c -- deliberately broken at run time: `segv_fill`'s fill
 * writes through a bad pointer (SIGSEGV) for any kernel with more than one value, so
 * check-plugin must report the crash and go on, and a study must name the plugin. */
#include <stdint.h>

#include "../test_plugin.h"

static volatile uintptr_t bad_address = 8;

static int segv_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	if (args->n > 1)
		*(volatile float *)bad_address = 1.0f;
	return test_zero_fill(w, args, err, errlen);
}

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "segv_fill", 0, NULL,
                 segv_fill)
