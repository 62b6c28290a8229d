/* tests/plugins/conformance/nondeterministic.c -- a loadable but wrong initializer for
 * the conformance checks: `nondeterministic` ignores the host's stream and draws from a
 * static counter, so two fills from identical streams differ (and fills from several
 * threads at once interleave).  The counter is atomic only to keep the test free of
 * data races; the bug is the shared state itself. */
#include <math.h>
#include <stdatomic.h>

#include <winit/plugin.h>

static _Atomic uint64_t counter;

/* splitmix64 of the next counter value, as a uniform double in [0, 1). */
static double next_uniform(void)
{
	uint64_t z = atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

static int nd_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	const double l = sqrt(3.0 / (double)(args->fan_in > 0 ? args->fan_in : 1));
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(l * (2.0 * next_uniform() - 1.0));
	return 0;
}

static double nd_stddev(const struct winit_fill_args *args)
{
	return sqrt(1.0 / (double)(args->fan_in > 0 ? args->fan_in : 1));
}

static const struct winit_initializer nondeterministic = {
	.info = { WINIT_PLUGIN_ABI_VERSION, sizeof(struct winit_initializer),
	          WINIT_KIND_INITIALIZER, 0, "nondeterministic",
	          "test: ignores the host stream", NULL, NULL },
	.fill = nd_fill,
	.stddev = nd_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &nondeterministic.info : NULL;
}
