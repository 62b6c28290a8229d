/* tests/plugins/crash/hang_fill.c -- deliberately broken at run time: `hang_fill`'s fill
 * never returns (it sleeps, so a hung check costs no CPU), so check-plugin must stop it
 * at its time limit, report it and go on. */
#include <unistd.h>

#include "../test_plugin.h"

static int hang_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)w;
	(void)args;
	(void)err;
	(void)errlen;
	for (;;)
		sleep(1);
	return 0;
}

TEST_INITIALIZER(WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer), "hang_fill", 0, NULL,
                 hang_fill)
