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
#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* exp(x) in float without a call: branch-free, so a loop over an array of them
 * vectorises (with WINIT_HOT, 16 lanes on AVX-512).  Range reduction x = n ln 2 + r,
 * |r| <= ln 2 / 2, then e^r by its Taylor polynomial of degree 7, scaled by 2^n through
 * the exponent bits.  Error against glibc's expf: at most 1 ulp over every float
 * x >= -86.64 (tests/check_activations.c sweeps the float range); below -86.64, where
 * e^x < 2.4e-38, the result is 0; +inf above 88.7228 (as expf); NaN stays NaN. */
static inline float winit_fast_expf(float x)
{
	/* Written so that NaN takes the bound: c is always finite and in range. */
	float c = x > -86.64f ? x : -86.64f;
	c = c < 88.72283f ? c : 88.72283f;
	/* n = round(c / ln 2): adding 1.5 * 2^23 rounds to an integer in float. */
	const float n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
	float r = c - n * 0.693359375f;       /* ln 2 = 0.693359375 (exact in float) */
	r = r - n * -2.12194440054690583e-4f; /* ... + this remainder */
	float p = 1.0f / 5040;
	p = p * r + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	/* 2^(n-1) from its exponent bits (n in [-125, 128]), then times 2. */
	const uint32_t bits = (uint32_t)((int32_t)n + 126) << 23;
	float scale;
	memcpy(&scale, &bits, sizeof scale);
	float y = p * scale * 2.0f;
	y = x > 88.72283f ? INFINITY : y;
	y = x < -86.64f ? 0.0f : y;
	return x != x ? x : y;
}

/* tanh(x) in float without a call, branch-free like winit_fast_expf.  For |x| < 0.55 the
 * Taylor series to x^19 (its first ten terms); above, 1 - 2 / (e^(2|x|) + 1) with the sign
 * of x (|x| capped at 9.1, beyond which tanh rounds to 1 in float).  Error against glibc's tanhf: at
 * most 2 ulp over every float; tanh(+-0) = +-0, tanh(+-inf) = +-1, NaN stays NaN. */
static inline float winit_fast_tanhf(float x)
{
	const float a = fabsf(x), z = x * x;
	float p = -2.3912911424355248e-4f;
	p = p * z + 5.9002744094558595e-4f;
	p = p * z + -1.4558343870513183e-3f;
	p = p * z + 3.5921280365724811e-3f;
	p = p * z + -8.8632355299021973e-3f;
	p = p * z + 2.1869488536155203e-2f;
	p = p * z + -5.3968253968253971e-2f;
	p = p * z + 0.13333333333333333f;
	p = p * z + -0.33333333333333331f;
	const float small = a + a * z * p;
	const float t = winit_fast_expf(2.0f * (a > 9.1f ? 9.1f : a));
	const float big = 1.0f - 2.0f / (t + 1.0f);
	const float y = copysignf(a < 0.55f ? small : big, x);
	return x != x ? x : y;
}

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PLUGIN_UTIL_H */
