/* src/kernels/gemm_driver.c -- the cache-blocked SGEMM loop nest shared by every set.
 *
 * Loop order (outermost first): k blocks (kc <= kc_max), m blocks (mc <= mc_max), panels
 * of NR columns, row tiles of MR.  The B panel (kc, NR) is packed once per (k block, m
 * block) into a stack buffer that stays in L1/L2 while the m block's rows stream past
 * it; A is read in place (row-major for A, contiguous MR-vectors for A^T).  When few
 * row tiles reuse a panel, or B's rows are close together (in_place), and B is not
 * transposed, B is read in place and the micro-kernel prefetches the next panel
 * instead.  When a k block's panels fit in HOIST_FLOATS and m spans several m blocks,
 * they are packed once for all of them (a convolution's products: thousands of output
 * positions against a small kernel), and with A transposed each row tile runs through
 * every panel while it is in L1.  Block sizes depend only on the shape,
 * so the summation order is fixed for a set and a shape; where a panel is read from
 * never changes a bit.
 */
#include <string.h>

#include <winit/plugin_util.h> /* WINIT_HOT */

#include "kernels/kernels_internal.h"

/* Split len into the fewest blocks of at most max, of near-equal size rounded up to a
 * multiple of quantum; returns the block size. */
static int64_t even_block(int64_t len, int64_t max, int64_t quantum)
{
	int64_t nblocks = (len + max - 1) / max;
	int64_t size = (len + nblocks - 1) / nblocks;

	size = (size + quantum - 1) / quantum * quantum;
	return size < max ? size : max;
}

/* Whether a panel of B (not transposed) is read where it lies rather than packed: when
 * few row tiles reuse it, or when its rows lie close together (the panel's lines and
 * pages stay in L2 and the TLB) and at most 96 rows reuse it.  Packing a panel costs a
 * pass over it from wherever B lives; reading in place costs each row tile L2 instead of
 * L1 reads.  The thresholds are measured (bench_kernels, AMD Zen 5, both x86 sets: the
 * study's forward product, widths 128 and 512 at batches 16 and 64 gain 5-55%; width
 * 2048 and batch 256 lose when read in place).  Either way the products' bits are the
 * same: only where B's values are read from changes. */
static int in_place(int64_t mc, int mr, int64_t ldb)
{
	return mc <= 2 * mr || (ldb <= 512 && mc <= 96);
}

/* The floats of a k block's panels packed once for every m block, at most: two panels of
 * the largest k block (a 96 KB stack buffer). */
#define HOIST_FLOATS (2 * WINIT_KERN_KC_MAX * WINIT_KERN_NR_MAX)

/* k == 0: C = (accumulate ? C : 0) + bias. */
static void gemm_empty_k(int64_t m, int64_t n, float *c, int64_t ldc, int accumulate,
                         const float *bias)
{
	for (int64_t i = 0; i < m; i++) {
		float *ci = c + i * ldc; /* (n) */
		for (int64_t j = 0; j < n; j++) {
			float s = accumulate ? ci[j] : 0.0f;
			ci[j] = bias ? s + bias[j] : s;
		}
	}
}

void winit_kern_gemm_run(const struct winit_kern_gemm_impl *im, int trans_a, int trans_b,
                         int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                         const float *b, int64_t ldb, float *c, int64_t ldc,
                         int accumulate, const float *bias, const struct winit_epilogue *ep)
{
	/* (kc, NR) per panel: one, or with `hoist` each of B's */
	_Alignas(64) float panel[HOIST_FLOATS];

	const int mr_full = im->mr, nr_full = im->nr;
	const int64_t rs_a = trans_a ? 1 : lda, cs_a = trans_a ? lda : 1;

	if (m <= 0 || n <= 0)
		return;
	if (k <= 0) {
		gemm_empty_k(m, n, c, ldc, accumulate, bias);
		if (ep)
			ep->fn(ep->ctx, c, 0, m);
		return;
	}
	const int64_t kcs = even_block(k, im->kc_max, 1);
	const int64_t mcs = even_block(m, im->mc_max, mr_full);
	const int64_t n_pad = (n + nr_full - 1) / nr_full * nr_full;
	const int hoist = mcs < m && kcs * n_pad <= HOIST_FLOATS;

	for (int64_t pc = 0; pc < k; pc += kcs) {
		const int64_t kc = k - pc < kcs ? k - pc : kcs;
		const int flags = (pc > 0 || accumulate) ? WINIT_KERN_LOAD_C : 0;
		const float *bias_k = pc == 0 ? bias : NULL;

		if (hoist)
			for (int64_t jc = 0; jc < n; jc += nr_full)
				im->pack(panel + jc * kc, nr_full, b, ldb, trans_b, pc, kc, jc,
				         (int)(n - jc < nr_full ? n - jc : nr_full));
		for (int64_t ic = 0; ic < m; ic += mcs) {
			const int64_t mc = m - ic < mcs ? m - ic : mcs;

			if (hoist && trans_a) {
				/* A^T's tiles are columns of a tall matrix (a kernel gradient's
				 * patches): each is read for every panel while in L1. */
				for (int64_t ir = 0; ir < mc; ir += mr_full) {
					const int64_t i = ic + ir;
					const int mr = (int)(mc - ir < mr_full ? mc - ir : mr_full);
					for (int64_t jc = 0; jc < n; jc += nr_full)
						im->micro(mr, (int)(n - jc < nr_full ? n - jc : nr_full), kc,
						          a + i * rs_a + pc * cs_a, rs_a, cs_a, panel + jc * kc,
						          nr_full, c + i * ldc + jc, ldc, flags,
						          bias_k ? bias_k + jc : NULL);
				}
				if (ep && pc + kc >= k)
					ep->fn(ep->ctx, c + ic * ldc, ic, mc);
				continue;
			}
			for (int64_t jc = 0; jc < n; jc += nr_full) {
				const int nr = (int)(n - jc < nr_full ? n - jc : nr_full);
				const float *bp;
				int64_t ldbp;
				int fl = flags;

				if (hoist) {
					bp = panel + jc * kc;
					ldbp = nr_full;
				} else if (!trans_b && nr == nr_full && in_place(mc, mr_full, ldb)) {
					bp = b + pc * ldb + jc;
					ldbp = ldb;
					if (jc + 2 * nr_full <= n)
						fl |= WINIT_KERN_PF_NEXT;
				} else {
					im->pack(panel, nr_full, b, ldb, trans_b, pc, kc, jc, nr);
					bp = panel;
					ldbp = nr_full;
				}
				for (int64_t ir = 0; ir < mc; ir += mr_full) {
					const int64_t i = ic + ir;
					const int mr = (int)(mc - ir < mr_full ? mc - ir : mr_full);
					const float *ap = a + i * rs_a + pc * cs_a;

					im->micro(mr, nr, kc, ap, rs_a, cs_a, bp, ldbp,
					          c + i * ldc + jc, ldc, fl,
					          bias_k ? bias_k + jc : NULL);
				}
			}
			/* Rows [ic, ic + mc) are final after the last k block: run the epilogue
			 * while they are still in cache. */
			if (ep && pc + kc >= k)
				ep->fn(ep->ctx, c + ic * ldc, ic, mc);
		}
	}
}

/* Compiled for each vector width (WINIT_HOT): copies, the same values on every clone. */
WINIT_HOT void winit_kern_pack_generic(float *panel, int nr_panel, const float *b, int64_t ldb,
                                       int trans_b, int64_t p0, int64_t kc, int64_t j0, int nr)
{
	for (int64_t p = 0; p < kc; p++) {
		float *dst = panel + p * nr_panel; /* (NR) */
		if (trans_b) {
			const float *src = b + j0 * ldb + p0 + p; /* column p of B' */
			for (int j = 0; j < nr; j++)
				dst[j] = src[j * ldb];
		} else {
			const float *src = b + (p0 + p) * ldb + j0; /* row p of B' */
			/* the next panel's part of this row (harmless past the end) */
			__builtin_prefetch(src + nr_panel);
			__builtin_prefetch(src + nr_panel + 16);
			/* a loop, not memcpy: a call per 16- or 32-float row cost as much as the
			 * copy (6% of a run); the compiler vectorises this one */
			for (int j = 0; j < nr; j++)
				dst[j] = src[j];
		}
		for (int j = nr; j < nr_panel; j++)
			dst[j] = 0.0f;
	}
}
