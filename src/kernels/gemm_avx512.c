/* src/kernels/gemm_avx512.c -- the AVX-512 kernel set: an 8x32 micro-kernel (16 zmm
 * accumulators, two B vectors, one broadcast A value per FMA pair) and an 8x16 one for
 * outputs at most 16 wide; partial panels use masked loads and stores.  Built with a
 * target attribute, selected at run time. */
#include <stddef.h>

#include "kernels/kernels_internal.h"

#if WINIT_KERN_X86
#include <immintrin.h>

#define MR 8
#define NR 32

/* nv zmm vectors (16 columns each) per row; B rows are nv * 16 floats. */
static inline __attribute__((always_inline)) WINIT_KERN_AVX512_TARGET void
micro_body(const int mr, const int nv, const int rows, int nr, int64_t kc, const float *a,
           int64_t rs_a, int64_t cs_a, const float *b, int64_t ldb, float *c,
           int64_t ldc, int flags, const float *bias)
{
	__m512 acc0[MR], acc1[MR]; /* columns 0..15 and 16..31 of rows 0..mr-1 */
	/* in-place B: the next panel's rows, else (packed) rows already in cache */
	const float *pf = b + ((flags & WINIT_KERN_PF_NEXT) ? nv * 16 : 0);

#pragma GCC unroll 8
	for (int i = 0; i < mr; i++) {
		acc0[i] = _mm512_setzero_ps();
		acc1[i] = _mm512_setzero_ps();
	}
	for (int64_t p = 0; p < kc; p++) {
		const __m512 b0 = _mm512_loadu_ps(b + p * ldb);
		const __m512 b1 = nv > 1 ? _mm512_loadu_ps(b + p * ldb + 16) : b0;
		_mm_prefetch((const char *)(pf + p * ldb), _MM_HINT_T0);
		if (nv > 1)
			_mm_prefetch((const char *)(pf + p * ldb + 16), _MM_HINT_T0);
#pragma GCC unroll 8
		for (int i = 0; i < mr; i++) {
			const __m512 ai = _mm512_set1_ps(rows ? a[i * rs_a + p] : a[p * cs_a + i]);
			acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
			if (nv > 1)
				acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
		}
	}

	const __mmask16 m0 = nr >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << nr) - 1);
	const __mmask16 m1 = nr >= 32 ? (__mmask16)0xffff : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) :
	                                                              (__mmask16)0;
	__m512 bias0 = _mm512_setzero_ps(), bias1 = _mm512_setzero_ps();
	if (bias) {
		bias0 = _mm512_maskz_loadu_ps(m0, bias);
		if (nv > 1)
			bias1 = _mm512_maskz_loadu_ps(m1, bias + 16);
	}
#pragma GCC unroll 8
	for (int i = 0; i < mr; i++) {
		float *ci = c + i * ldc; /* (nr) */
		__m512 s0 = acc0[i], s1 = acc1[i];
		if (flags & WINIT_KERN_LOAD_C) {
			s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(m0, ci));
			if (nv > 1)
				s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(m1, ci + 16));
		}
		if (bias) {
			s0 = _mm512_add_ps(s0, bias0);
			if (nv > 1)
				s1 = _mm512_add_ps(s1, bias1);
		}
		_mm512_mask_storeu_ps(ci, m0, s0);
		if (nv > 1)
			_mm512_mask_storeu_ps(ci + 16, m1, s1);
	}
}

/* One micro-kernel per block shape, laid out as a table. */
/* clang-format off */
#define MICRO(MRV, NV, ROWS)                                                              \
	static WINIT_KERN_AVX512_TARGET void micro_##MRV##_##NV##_##ROWS(                     \
		int nr, int64_t kc, const float *a, int64_t rs_a, int64_t cs_a,               \
		const float *b, int64_t ldb, float *c, int64_t ldc, int flags,                \
		const float *bias)                                                            \
	{                                                                                     \
		micro_body(MRV, NV, ROWS, nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags,       \
		           bias);                                                             \
	}
#define MICRO_ALL_MR(NV, ROWS)                                                            \
	MICRO(1, NV, ROWS) MICRO(2, NV, ROWS) MICRO(3, NV, ROWS) MICRO(4, NV, ROWS)           \
	MICRO(5, NV, ROWS) MICRO(6, NV, ROWS) MICRO(7, NV, ROWS) MICRO(8, NV, ROWS)
MICRO_ALL_MR(1, 0)
MICRO_ALL_MR(1, 1)
MICRO_ALL_MR(2, 0)
MICRO_ALL_MR(2, 1)
/* clang-format on */

typedef void (*micro_fixed_fn)(int nr, int64_t kc, const float *a, int64_t rs_a,
                               int64_t cs_a, const float *b, int64_t ldb, float *c,
                               int64_t ldc, int flags, const float *bias);

#define TABLE_ROW(NV, ROWS)                                                                  \
	{                                                                                    \
		micro_1_##NV##_##ROWS, micro_2_##NV##_##ROWS, micro_3_##NV##_##ROWS,         \
			micro_4_##NV##_##ROWS, micro_5_##NV##_##ROWS, micro_6_##NV##_##ROWS, \
			micro_7_##NV##_##ROWS, micro_8_##NV##_##ROWS                         \
	}

/* [nv - 1][rows][mr - 1] */
static const micro_fixed_fn micro_table[2][2][MR] = {
	{ TABLE_ROW(1, 0), TABLE_ROW(1, 1) },
	{ TABLE_ROW(2, 0), TABLE_ROW(2, 1) },
};

static void micro_avx512_16(int mr, int nr, int64_t kc, const float *a, int64_t rs_a,
                            int64_t cs_a, const float *b, int64_t ldb, float *c,
                            int64_t ldc, int flags, const float *bias)
{
	micro_table[0][cs_a == 1][mr - 1](nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);
}

static void micro_avx512(int mr, int nr, int64_t kc, const float *a, int64_t rs_a,
                         int64_t cs_a, const float *b, int64_t ldb, float *c, int64_t ldc,
                         int flags, const float *bias)
{
	micro_table[1][cs_a == 1][mr - 1](nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);
}

/* n <= 16: an 8x16 tile wastes less of each vector on narrow outputs. */
static const struct winit_kern_gemm_impl gemm_avx512_16 = {
	.mr = MR,
	.nr = 16,
	.kc_max = 384,
	.mc_max = 256,
	.narrow = NULL,
	.micro = micro_avx512_16,
	.pack = winit_kern_pack_avx2,
};

static const struct winit_kern_gemm_impl gemm_avx512 = {
	.mr = MR,
	.nr = NR,
	.kc_max = 384,
	.mc_max = 256,
	.narrow = &gemm_avx512_16,
	.micro = micro_avx512,
	.pack = winit_kern_pack_avx2,
};

static int available_avx512(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
	       __builtin_cpu_supports("fma");
}

const struct winit_kern_set winit_kern_set_avx512 = {
	.name = "avx512",
	.available = available_avx512,
	.gemm = &gemm_avx512,
	.adam = winit_kern_adam_avx512,
};
#else
typedef int winit_kern_avx512_unused; /* keeps the translation unit non-empty */
#endif /* WINIT_KERN_X86 */
