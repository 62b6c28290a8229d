/* src/kernels/gemm_generic.c -- the portable kernel set: a 4x16 micro-kernel in plain C
 * (the compiler vectorises the 16-wide rows) and the scalar packer. */
#include <stddef.h>

#include "kernels/kernels_internal.h"

#define MR 4
#define NR 16

static inline __attribute__((always_inline)) void
micro_body(const int mr, const int rows, int nr, int64_t kc, const float *a,
           int64_t rs_a, int64_t cs_a, const float *b, int64_t ldb, float *c,
           int64_t ldc, int flags, const float *bias)
{
	float acc[MR][NR] = { { 0 } }; /* (mr, NR) */

	for (int64_t p = 0; p < kc; p++) {
		const float *bp = b + p * ldb; /* (NR) */
#pragma GCC unroll 4
		for (int i = 0; i < mr; i++) {
			const float ai = rows ? a[i * rs_a + p] : a[p * cs_a + i];
			for (int j = 0; j < NR; j++)
				acc[i][j] += ai * bp[j];
		}
	}
	for (int i = 0; i < mr; i++) {
		float *ci = c + i * ldc; /* (nr) */
		for (int j = 0; j < nr; j++) {
			float s = acc[i][j];
			if (flags & WINIT_KERN_LOAD_C)
				s += ci[j];
			if (bias)
				s += bias[j];
			ci[j] = s;
		}
	}
}

/* One micro-kernel per block shape, laid out as a table. */
/* clang-format off */
#define MICRO(MRV, ROWS)                                                                  \
	static void micro_##MRV##_##ROWS(int nr, int64_t kc, const float *a, int64_t rs_a, \
	                                 int64_t cs_a, const float *b, int64_t ldb, float *c, \
	                                 int64_t ldc, int flags, const float *bias)           \
	{                                                                                     \
		micro_body(MRV, ROWS, nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);    \
	}
MICRO(1, 0) MICRO(2, 0) MICRO(3, 0) MICRO(4, 0)
MICRO(1, 1) MICRO(2, 1) MICRO(3, 1) MICRO(4, 1)
	/* clang-format on */

	typedef void (*micro_fixed_fn)(int nr, int64_t kc, const float *a, int64_t rs_a,
                                       int64_t cs_a, const float *b, int64_t ldb, float *c,
                                       int64_t ldc, int flags, const float *bias);

static const micro_fixed_fn micro_table[2][MR] = {
	{ micro_1_0, micro_2_0, micro_3_0, micro_4_0 },
	{ micro_1_1, micro_2_1, micro_3_1, micro_4_1 },
};

static void micro_generic(int mr, int nr, int64_t kc, const float *a, int64_t rs_a,
                          int64_t cs_a, const float *b, int64_t ldb, float *c, int64_t ldc,
                          int flags, const float *bias)
{
	micro_table[cs_a == 1][mr - 1](nr, kc, a, rs_a, cs_a, b, ldb, c, ldc, flags, bias);
}

static const struct winit_kern_gemm_impl gemm_generic = {
	.mr = MR,
	.nr = NR,
	.kc_max = 256,
	.mc_max = 128,
	.narrow = NULL,
	.micro = micro_generic,
	.pack = winit_kern_pack_generic,
};

static int available_always(void)
{
	return 1;
}

const struct winit_kern_set winit_kern_set_generic = {
	.name = "generic",
	.available = available_always,
	.gemm = &gemm_generic,
	.adam = winit_kern_adam_generic,
};
