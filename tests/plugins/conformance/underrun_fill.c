/* tests/plugins/conformance/underrun_fill.c -- a loadable but wrong initializer, for the
 * conformance checks: `underrun_fill` writes zeros, and also the 64 floats before its
 * buffer (an off-by-pointer slip that corrupts the heap: in a study, glibc later aborts
 * with "munmap_chunk(): invalid pointer"). */
#include <winit/plugin.h>

static int underrun_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = -64; i < args->n; i++)
		w[i] = 0.0f;
	return 0;
}

static const struct winit_initializer underrun = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "underrun_fill", "test: writes before its buffer",
	          NULL, "0" },
	.fill = underrun_fill,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &underrun.info : NULL;
}
