/* src/kernels/gemm_avx2.c -- the AVX2+FMA kernel set: a 6x16 micro-kernel (12 ymm
 * accumulators) and the AVX packer (8x8 transposes for B^T), which the AVX-512 set
 * shares.  Built with a target attribute, selected at run time. */
#include <stddef.h>
#include <string.h>

#include "kernels/kernels_internal.h"

#if WINIT_KERN_X86
#include <immintrin.h>

#define MR 6
#define NR 16

/* Add C (optional) and bias (optional) to s, then store nr <= 8 floats of it. */
static inline __attribute__((always_inline)) WINIT_KERN_AVX2_TARGET void
store_part(float *ci, __m256 s, int nr, int flags, const float *bias)
{
	_Alignas(32) float tmp[8];

	if (nr >= 8) {
		if (flags & WINIT_KERN_LOAD_C)
			s = _mm256_add_ps(s, _mm256_loadu_ps(ci));
		if (bias)
			s = _mm256_add_ps(s, _mm256_loadu_ps(bias));
		_mm256_storeu_ps(ci, s);
		return;
	}
	if (nr <= 0)
		return;
	if (flags & WINIT_KERN_LOAD_C) {
		memset(tmp, 0, sizeof tmp);
		memcpy(tmp, ci, (size_t)nr * sizeof(float));
		s = _mm256_add_ps(s, _mm256_load_ps(tmp));
	}
	if (bias) {
		memset(tmp, 0, sizeof tmp);
		memcpy(tmp, bias, (size_t)nr * sizeof(float));
		s = _mm256_add_ps(s, _mm256_load_ps(tmp));
	}
	_mm256_store_ps(tmp, s);
	memcpy(ci, tmp, (size_t)nr * sizeof(float));
}

static inline __attribute__((always_inline)) WINIT_KERN_AVX2_TARGET void
micro_body(const int mr, const int rows, int nr, int64_t kc, const float *a,
           int64_t rs_a, int64_t cs_a, const float *b, int64_t ldb, float *c,
           int64_t ldc, int flags, const float *bias)
{
	__m256 acc0[MR], acc1[MR]; /* columns 0..7 and 8..15 of rows 0..mr-1 */
	/* in-place B: the next panel's rows, else (packed) rows already in cache */
	const float *pf = b + ((flags & WINIT_KERN_PF_NEXT) ? NR : 0);

#pragma GCC unroll 6
	for (int i = 0; i < mr; i++) {
		acc0[i] = _mm256_setzero_ps();
		acc1[i] = _mm256_setzero_ps();
	}
	for (int64_t p = 0; p < kc; p++) {
		const __m256 b0 = _mm256_loadu_ps(b + p * ldb);
		const __m256 b1 = _mm256_loadu_ps(b + p * ldb + 8);
		_mm_prefetch((const char *)(pf + p * ldb), _MM_HINT_T0);
#pragma GCC unroll 6
		for (int i = 0; i < mr; i++) {
			const __m256 ai = _mm256_broadcast_ss(rows ? a + i * rs_a + p : a + p * cs_a + i);
			acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
			acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
		}
	}
#pragma GCC unroll 6
	for (int i = 0; i < mr; i++) {
		float *ci = c + i * ldc; /* (nr) */
		store_part(ci, acc0[i], nr, flags, bias);
		store_part(ci + 8, acc1[i], nr - 8, flags, bias ? bias + 8 : NULL);
	}
}

/* One micro-kernel per block shape, laid out as a table. */
/* clang-format off */
#define MICRO(MRV, ROWS)                                                                  \
	static WINIT_KERN_AVX2_TARGET void micro_##MRV##_##ROWS(                              \
		int nr, int64_t kc, const float *a, int64_t rs_a, int64_t cs_a,               \
		const float *b, int64_t ldb, float *c, int64_t ldc, int flags,                \
		const float *bias)                                                            \
	{                                                                                     \
		micro_body(MRV, ROWS, nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);    \
	}
MICRO(1, 0) MICRO(2, 0) MICRO(3, 0) MICRO(4, 0) MICRO(5, 0) MICRO(6, 0)
MICRO(1, 1) MICRO(2, 1) MICRO(3, 1) MICRO(4, 1) MICRO(5, 1) MICRO(6, 1)
	/* clang-format on */

	typedef void (*micro_fixed_fn)(int nr, int64_t kc, const float *a, int64_t rs_a,
                                       int64_t cs_a, const float *b, int64_t ldb, float *c,
                                       int64_t ldc, int flags, const float *bias);

static const micro_fixed_fn micro_table[2][MR] = {
	{ micro_1_0, micro_2_0, micro_3_0, micro_4_0, micro_5_0, micro_6_0 },
	{ micro_1_1, micro_2_1, micro_3_1, micro_4_1, micro_5_1, micro_6_1 },
};

static void micro_avx2(int mr, int nr, int64_t kc, const float *a, int64_t rs_a,
                       int64_t cs_a, const float *b, int64_t ldb, float *c, int64_t ldc,
                       int flags, const float *bias)
{
	micro_table[cs_a == 1][mr - 1](nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);
}

/* Transpose the 8x8 block r[0..7] (rows) in place into columns. */
static inline __attribute__((always_inline)) WINIT_KERN_AVX2_TARGET void
transpose8(__m256 r[8])
{
	__m256 t[8], u[8];

	for (int i = 0; i < 8; i += 2) {
		t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
		t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
	}
	for (int i = 0; i < 8; i += 4) {
		u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
		u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
		u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
		u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
	}
	for (int i = 0; i < 4; i++) {
		r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
		r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
	}
}

WINIT_KERN_AVX2_TARGET void
winit_kern_pack_avx2(float *panel, int nr_panel, const float *b, int64_t ldb, int trans_b,
                     int64_t p0, int64_t kc, int64_t j0, int nr)
{
	if (!trans_b) {
		winit_kern_pack_generic(panel, nr_panel, b, ldb, trans_b, p0, kc, j0, nr);
		return;
	}
	const int nr8 = nr & ~7;
	const int64_t kc8 = kc & ~(int64_t)7;

	for (int j = 0; j < nr8; j += 8) {
		const float *src = b + (j0 + j) * ldb + p0; /* 8 rows of B = 8 columns of B' */
		int64_t p = 0;
		for (; p < kc8; p += 8) {
			__m256 r[8];
			for (int jj = 0; jj < 8; jj++)
				r[jj] = _mm256_loadu_ps(src + jj * ldb + p);
			transpose8(r);
			for (int pp = 0; pp < 8; pp++)
				_mm256_storeu_ps(panel + (p + pp) * nr_panel + j, r[pp]);
		}
		for (; p < kc; p++)
			for (int jj = 0; jj < 8; jj++)
				panel[p * nr_panel + j + jj] = src[jj * ldb + p];
	}
	for (int64_t p = 0; p < kc; p++) {
		float *dst = panel + p * nr_panel; /* (NR) */
		for (int j = nr8; j < nr; j++)
			dst[j] = b[(j0 + j) * ldb + p0 + p];
		for (int j = nr; j < nr_panel; j++)
			dst[j] = 0.0f;
	}
}

static const struct winit_kern_gemm_impl gemm_avx2 = {
	.mr = MR,
	.nr = NR,
	.kc_max = 384,
	.mc_max = 192,
	.narrow = NULL,
	.micro = micro_avx2,
	.pack = winit_kern_pack_avx2,
};

static int available_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const struct winit_kern_set winit_kern_set_avx2 = {
	.name = "avx2",
	.available = available_avx2,
	.gemm = &gemm_avx2,
	.adam = winit_kern_adam_avx2,
};
#else
typedef int winit_kern_avx2_unused; /* keeps the translation unit non-empty */
#endif /* WINIT_KERN_X86 */
