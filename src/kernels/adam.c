/* src/kernels/adam.c -- the Adam step (Keras semantics) in every kernel set.
 *
 * Every variant evaluates, per parameter and in this order:
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * (g * g)
 *   w = w - (alpha_t * m) / (sqrt(v) + epsilon)
 * with separate roundings (no fused multiply-add) and a correctly rounded sqrt, so the
 * sets agree bit for bit on x86, where the dispatcher runs each of them with subnormals
 * flushed to zero (winit_adam_update_block).  The SIMD variants hide their products
 * behind an empty asm so the compiler cannot contract them into FMAs.
 */
#include <math.h>

#include "kernels/kernels_internal.h"

void winit_kern_adam_generic(float *w, float *m, float *v, const float *g, int64_t n,
                             float alpha_t, float beta1, float beta2, float epsilon)
{
	const float omb1 = 1.0f - beta1, omb2 = 1.0f - beta2;

	for (int64_t i = 0; i < n; i++) {
		const float gi = g[i];
		const float mi = beta1 * m[i] + omb1 * gi;
		const float vi = beta2 * v[i] + omb2 * (gi * gi);
		m[i] = mi;
		v[i] = vi;
		w[i] = w[i] - (alpha_t * mi) / (sqrtf(vi) + epsilon);
	}
}

#if WINIT_KERN_X86
#include <immintrin.h>

#define OPAQUE(x) __asm__("" \
	                  : "+v"(x))

static inline __attribute__((always_inline)) WINIT_KERN_AVX2_TARGET __m256
mul8(__m256 x, __m256 y)
{
	__m256 r = _mm256_mul_ps(x, y);
	OPAQUE(r);
	return r;
}

WINIT_KERN_AVX2_TARGET void
winit_kern_adam_avx2(float *w, float *m, float *v, const float *g, int64_t n,
                     float alpha_t, float beta1, float beta2, float epsilon)
{
	const __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2);
	const __m256 omb1 = _mm256_set1_ps(1.0f - beta1), omb2 = _mm256_set1_ps(1.0f - beta2);
	const __m256 at = _mm256_set1_ps(alpha_t), eps = _mm256_set1_ps(epsilon);
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		const __m256 gi = _mm256_loadu_ps(g + i);
		const __m256 mi = _mm256_add_ps(mul8(b1, _mm256_loadu_ps(m + i)), mul8(omb1, gi));
		const __m256 vi = _mm256_add_ps(mul8(b2, _mm256_loadu_ps(v + i)),
		                                mul8(omb2, mul8(gi, gi)));
		const __m256 den = _mm256_add_ps(_mm256_sqrt_ps(vi), eps);
		const __m256 step = _mm256_div_ps(mul8(at, mi), den);
		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		_mm256_storeu_ps(w + i, _mm256_sub_ps(_mm256_loadu_ps(w + i), step));
	}
	if (i < n)
		winit_kern_adam_generic(w + i, m + i, v + i, g + i, n - i, alpha_t, beta1, beta2,
		                        epsilon);
}

static inline __attribute__((always_inline)) WINIT_KERN_AVX512_TARGET __m512
mul16(__m512 x, __m512 y)
{
	__m512 r = _mm512_mul_ps(x, y);
	OPAQUE(r);
	return r;
}

WINIT_KERN_AVX512_TARGET void
winit_kern_adam_avx512(float *w, float *m, float *v, const float *g, int64_t n,
                       float alpha_t, float beta1, float beta2, float epsilon)
{
	const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
	const __m512 omb1 = _mm512_set1_ps(1.0f - beta1), omb2 = _mm512_set1_ps(1.0f - beta2);
	const __m512 at = _mm512_set1_ps(alpha_t), eps = _mm512_set1_ps(epsilon);

	for (int64_t i = 0; i < n; i += 16) {
		const __mmask16 k = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
		const __m512 gi = _mm512_maskz_loadu_ps(k, g + i);
		const __m512 mi = _mm512_add_ps(mul16(b1, _mm512_maskz_loadu_ps(k, m + i)),
		                                mul16(omb1, gi));
		const __m512 vi = _mm512_add_ps(mul16(b2, _mm512_maskz_loadu_ps(k, v + i)),
		                                mul16(omb2, mul16(gi, gi)));
		const __m512 den = _mm512_add_ps(_mm512_sqrt_ps(vi), eps);
		const __m512 step = _mm512_div_ps(mul16(at, mi), den);
		_mm512_mask_storeu_ps(m + i, k, mi);
		_mm512_mask_storeu_ps(v + i, k, vi);
		_mm512_mask_storeu_ps(w + i, k, _mm512_sub_ps(_mm512_maskz_loadu_ps(k, w + i), step));
	}
}
#endif /* WINIT_KERN_X86 */
