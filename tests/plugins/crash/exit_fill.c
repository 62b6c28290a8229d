/* tests/plugins/crash/exit_fill.c -- deliberately broken at run time: `exit_fill`'s fill
 * calls exit(3) for any kernel with more than one value, so a study must say which plugin
 * ended it, and keep the runs it finished. */
#include <stdlib.h>

#include "../test_plugin.h"

static int exit_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	if (args->n > 1)
		exit(3);
	return test_zero_fill(w, args, err, errlen);
}

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "exit_fill", 0, NULL,
                 exit_fill)
