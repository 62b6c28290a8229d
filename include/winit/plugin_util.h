/* winit/plugin_util.h -- optional helpers for plugin authors: not part of the ABI.
 *
 * <winit/plugin.h> is the contract between winit and a plugin and changes only by
 * appending fields.  This header holds conveniences a plugin may compile in: they are
 * macros and static inline functions, so using them adds no libwinit symbol to the
 * plugin, and they may grow or change between winit releases without affecting objects
 * already built.
 *
 *     #include <winit/plugin.h>
 *     #include <winit/plugin_util.h>
 */
#ifndef WINIT_PLUGIN_UTIL_H
#define WINIT_PLUGIN_UTIL_H

#include <math.h>
#include <stdint.h>

#include <winit/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Put WINIT_HOT on a callback's definition to have GCC build it for AVX-512, AVX2 and
 * baseline x86-64 and pick the best at load time (function multi-versioning): the default
 * build targets any x86-64, whose vectors are only 4 floats wide.  Harmless elsewhere. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define WINIT_HOT __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define WINIT_HOT
#endif

/* The standard deviation of N(0, 1) truncated to [-2, 2].  Keras draws its truncated
 * normals from N(0, s^2) with s = sd / WINIT_TRUNCATED_SD so that the kept values have
 * standard deviation sd. */
#define WINIT_TRUNCATED_SD 0.87962566103423978

/* Keras's truncated normal: w[i] = mean + s * z for i in [0, n), z ~ N(0, 1) drawn from
 * the host's stream (`host->normal(rng)`) and redrawn until |z| <= 2, so no value lies
 * beyond 2 s of the mean.  In a fill: winit_truncated_normal(w, args->n, args->host,
 * args->rng, mean, s). */
static inline void winit_truncated_normal(float *w, int64_t n, const struct winit_host *host,
                                          void *rng, double mean, double s)
{
	for (int64_t i = 0; i < n; i++) {
		double z;
		do
			z = host->normal(rng);
		while (fabs(z) > 2.0);
		w[i] = (float)(mean + s * z);
	}
}

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PLUGIN_UTIL_H */
