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
 * every panel while it is in L1.  A transposed A may come a k block at a time from a
 * source (a convolution's patches, made as the product reaches them).  Block sizes
 * depend only on the shape,
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

/* One product's operands and blocking, shared by its blocks. */
struct gemm_call {
	const struct winit_kern_gemm_impl *im;
	int trans_a, trans_b, hoist;
	int64_t n, k;
	const float *a, *b;
	int64_t a_k0; /* the k index `a` starts at: 0, or a_src's current block */
	int64_t rs_a, cs_a, ldb;
	float *c;
	int64_t ldc;
	float *panel; /* (kc, NR) per panel: one, or with `hoist` each of B's */
};

/* The micro-kernel over one m block's row tiles against one panel (or, with bp == NULL,
 * against each hoisted panel in turn: a transposed A's tile is read for all of them while
 * it is in L1). */
static void row_tiles(const struct gemm_call *g, int64_t pc, int64_t kc, int64_t ic, int64_t mc,
                      int64_t jc, int nr, const float *bp, int64_t ldbp, int flags,
                      const float *bias_k)
{
	const struct winit_kern_gemm_impl *im = g->im;
	for (int64_t ir = 0; ir < mc; ir += im->mr) {
		const int64_t i = ic + ir;
		const int mr = (int)(mc - ir < im->mr ? mc - ir : im->mr);
		const float *ap = g->a + i * g->rs_a + (pc - g->a_k0) * g->cs_a;
		if (bp) {
			im->micro(mr, nr, kc, ap, g->rs_a, g->cs_a, bp, ldbp, g->c + i * g->ldc + jc,
			          g->ldc, flags, bias_k ? bias_k + jc : NULL);
			continue;
		}
		for (int64_t j = 0; j < g->n; j += im->nr)
			im->micro(mr, (int)(g->n - j < im->nr ? g->n - j : im->nr), kc, ap, g->rs_a,
			          g->cs_a, g->panel + j * kc, im->nr, g->c + i * g->ldc + j, g->ldc,
			          flags, bias_k ? bias_k + j : NULL);
	}
}

/* One m block of one k block: panel by panel, each read in place, packed, or hoisted. */
static void m_block(const struct gemm_call *g, int64_t pc, int64_t kc, int64_t ic, int64_t mc,
                    int flags, const float *bias_k)
{
	const struct winit_kern_gemm_impl *im = g->im;
	if (g->hoist && g->trans_a) {
		row_tiles(g, pc, kc, ic, mc, 0, 0, NULL, 0, flags, bias_k);
		return;
	}
	for (int64_t jc = 0; jc < g->n; jc += im->nr) {
		const int nr = (int)(g->n - jc < im->nr ? g->n - jc : im->nr);
		if (g->hoist) {
			row_tiles(g, pc, kc, ic, mc, jc, nr, g->panel + jc * kc, im->nr, flags, bias_k);
		} else if (!g->trans_b && nr == im->nr && in_place(mc, im->mr, g->ldb)) {
			int fl = flags | (jc + 2 * im->nr <= g->n ? WINIT_KERN_PF_NEXT : 0);
			row_tiles(g, pc, kc, ic, mc, jc, nr, g->b + pc * g->ldb + jc, g->ldb, fl, bias_k);
		} else {
			im->pack(g->panel, im->nr, g->b, g->ldb, g->trans_b, pc, kc, jc, nr);
			row_tiles(g, pc, kc, ic, mc, jc, nr, g->panel, im->nr, flags, bias_k);
		}
	}
}

void winit_kern_gemm_run(const struct winit_kern_gemm_impl *im, int trans_a, int trans_b,
                         int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                         const float *b, int64_t ldb, float *c, int64_t ldc,
                         int accumulate, const float *bias, const struct winit_epilogue *ep,
                         const struct winit_kern_a_rows *a_src)
{
	_Alignas(64) float panel[HOIST_FLOATS];
	_Static_assert(WINIT_KERN_KC_MAX <= WINIT_DENSE_ROWS_MAX, "a_src's blocks are k blocks");

	if (m <= 0 || n <= 0)
		return;
	if (k <= 0) {
		gemm_empty_k(m, n, c, ldc, accumulate, bias);
		if (ep)
			ep->fn(ep->ctx, c, 0, m);
		return;
	}
	const int64_t kcs = even_block(k, im->kc_max, 1);
	const int64_t mcs = even_block(m, im->mc_max, im->mr);
	const int64_t n_pad = (n + im->nr - 1) / im->nr * im->nr;
	const int hoist = mcs < m && kcs * n_pad <= HOIST_FLOATS;
	struct gemm_call g = { im, trans_a, trans_b, hoist, n, k, a, b, 0, trans_a ? 1 : lda,
		               trans_a ? lda : 1, ldb, c, ldc, panel };

	for (int64_t pc = 0; pc < k; pc += kcs) {
		const int64_t kc = k - pc < kcs ? k - pc : kcs;
		const int flags = (pc > 0 || accumulate) ? WINIT_KERN_LOAD_C : 0;

		if (a_src) { /* this k block's rows of A^T, made now */
			g.a = a_src->src->rows(a_src->src->ctx, pc, kc) + a_src->col;
			g.a_k0 = pc;
		}
		if (hoist)
			for (int64_t jc = 0; jc < n; jc += im->nr)
				im->pack(panel + jc * kc, im->nr, b, ldb, trans_b, pc, kc, jc,
				         (int)(n - jc < im->nr ? n - jc : im->nr));
		for (int64_t ic = 0; ic < m; ic += mcs) {
			const int64_t mc = m - ic < mcs ? m - ic : mcs;
			m_block(&g, pc, kc, ic, mc, flags, pc == 0 ? bias : NULL);
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
