/* src/kernels/kernels_internal.h -- what the kernel sets share with the dispatcher.
 *
 * A kernel set is a register-tiled micro-kernel plus a B-panel packer; the blocked
 * GEMM driver (gemm_driver.c) is common to all sets.  The driver splits k into
 * near-equal blocks of at most kc_max, m into near-equal blocks of at most mc_max rows
 * (multiples of mr), and n into panels of nr columns.  For each (k block, m block,
 * panel) it packs the B panel (kc, nr) into a contiguous, zero-padded buffer (or reads
 * B in place when it is already laid out that way) and runs the micro-kernel over the
 * m block, MR rows at a time.  A is read in place through two strides, so the
 * summation order depends only on the set and the shape.
 */
#ifndef WINIT_KERNELS_INTERNAL_H
#define WINIT_KERNELS_INTERNAL_H

#include <stdint.h>

#include <winit/kernels.h>

#include "core/internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WINIT_KERN_X86 1
#define WINIT_KERN_AVX2_TARGET __attribute__((target("avx2,fma")))
#define WINIT_KERN_AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))
#else
#define WINIT_KERN_X86 0
#endif

/* Largest k block and panel width of any set: the stack panel is sized from them. */
#define WINIT_KERN_KC_MAX 384
#define WINIT_KERN_NR_MAX 32

/* Epilogue flags of a micro-kernel call. */
#define WINIT_KERN_LOAD_C 1  /* add the tile's current C (else overwrite) */
#define WINIT_KERN_PF_NEXT 2 /* B is read in place: prefetch the next panel's rows */

/* One micro-kernel call: C (mr, nr) (+)= A (mr, kc) B (kc, nr) [+ bias (nr)].
 * A element (i, p) is a[i * rs_a + p * cs_a], and one of rs_a, cs_a is 1 (cs_a == 1
 * is taken as "rows": A is row-major).  B row p is b + p * ldb, NR floats readable
 * (zero-padded past nr).  mr <= MR, nr <= NR.  The sum starts from zero, then adds C
 * (when flags has WINIT_KERN_LOAD_C), then bias (when non-NULL), then stores. */
typedef void (*winit_kern_micro_fn)(int mr, int nr, int64_t kc, const float *a,
                                    int64_t rs_a, int64_t cs_a, const float *b,
                                    int64_t ldb, float *c, int64_t ldc, int flags,
                                    const float *bias);

/* Pack B' rows [p0, p0 + kc) and columns [j0, j0 + nr) into panel (kc, NR), zero-padding
 * columns nr..NR-1.  B' = trans_b ? B^T : B with B stored row-major, stride ldb. */
typedef void (*winit_kern_pack_fn)(float *panel, int nr_panel, const float *b,
                                   int64_t ldb, int trans_b, int64_t p0, int64_t kc,
                                   int64_t j0, int nr);

struct winit_kern_gemm_impl {
	int mr;         /* rows per micro-kernel call */
	int nr;         /* columns per panel (a multiple of 8, <= WINIT_KERN_NR_MAX) */
	int64_t kc_max; /* largest k block (<= WINIT_KERN_KC_MAX) */
	int64_t mc_max; /* largest m block (a multiple of mr) */
	/* used instead when n <= narrow->nr (or NULL) */
	const struct winit_kern_gemm_impl *narrow;
	winit_kern_micro_fn micro;
	winit_kern_pack_fn pack;
};

struct winit_kern_set {
	const char *name;
	int (*available)(void);
	const struct winit_kern_gemm_impl *gemm;
	void (*adam)(float *w, float *m, float *v, const float *g, int64_t n,
	             float alpha_t, float beta1, float beta2, float epsilon);
};

/* The implementation for products with n output columns in all: im or its narrow one.
 * A caller computing some of those columns picks with the whole n, so every column is
 * computed the same way whatever the split. */
static inline const struct winit_kern_gemm_impl *
winit_kern_gemm_pick(const struct winit_kern_gemm_impl *im, int64_t n)
{
	return im->narrow && n <= im->narrow->nr ? im->narrow : im;
}

/* The blocked driver with implementation im (as winit_kern_gemm_pick chose it):
 * C = A' B' + (accumulate ? C : 0) + (bias ? bias : 0); `ep` (may be NULL) is called on
 * each block of rows of C as soon as it is final.  With a_src (trans_a only; `a` is then
 * unused), A^T's rows come a k block at a time from a_src->src, read from column
 * a_src->col on (a share of a kernel's rows); else a_src is NULL. */
struct winit_kern_a_rows {
	const struct winit_rows_source *src;
	int64_t col;
};
WINIT_INTERNAL
void winit_kern_gemm_run(const struct winit_kern_gemm_impl *im, int trans_a, int trans_b,
                         int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                         const float *b, int64_t ldb, float *c, int64_t ldc,
                         int accumulate, const float *bias, const struct winit_epilogue *ep,
                         const struct winit_kern_a_rows *a_src);

/* Portable packer (scalar). */
WINIT_INTERNAL
void winit_kern_pack_generic(float *panel, int nr_panel, const float *b, int64_t ldb,
                             int trans_b, int64_t p0, int64_t kc, int64_t j0, int nr);

/* Portable Adam step (also the tail of the AVX2 one). */
WINIT_INTERNAL
void winit_kern_adam_generic(float *w, float *m, float *v, const float *g, int64_t n,
                             float alpha_t, float beta1, float beta2, float epsilon);

WINIT_INTERNAL extern const struct winit_kern_set winit_kern_set_generic;
#if WINIT_KERN_X86
/* AVX packer: 8x8 transposes for B^T (shared by the AVX2 and AVX-512 sets). */
WINIT_INTERNAL
void winit_kern_pack_avx2(float *panel, int nr_panel, const float *b, int64_t ldb,
                          int trans_b, int64_t p0, int64_t kc, int64_t j0, int nr);
WINIT_INTERNAL
void winit_kern_adam_avx2(float *w, float *m, float *v, const float *g, int64_t n,
                          float alpha_t, float beta1, float beta2, float epsilon);
WINIT_INTERNAL
void winit_kern_adam_avx512(float *w, float *m, float *v, const float *g, int64_t n,
                            float alpha_t, float beta1, float beta2, float epsilon);
WINIT_INTERNAL extern const struct winit_kern_set winit_kern_set_avx2;
WINIT_INTERNAL extern const struct winit_kern_set winit_kern_set_avx512;
#endif

#endif /* WINIT_KERNELS_INTERNAL_H */
