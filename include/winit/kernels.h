/* winit/kernels.h -- the dense-layer compute kernels.
 *
 * All matrices are row-major float32.  Shape comments give (rows, cols).
 * The kernel set (AVX-512, AVX2+FMA, portable C) is chosen at run time from the CPU;
 * every set computes the same products and agrees with the portable one to float
 * tolerance.  For a given set and shape the result is deterministic (no threading inside
 * a kernel, fixed summation order), and an output element's value does not depend on
 * which other rows of the output are computed in the same call: a caller may split a
 * product's output rows among threads (winit/team.h) and get the same bits.
 */
#ifndef WINIT_KERNELS_H
#define WINIT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* C = A' B' + (accumulate ? C : 0), where A' = trans_a ? A^T : A, B' likewise.
 * A' is (m, k), B' is (k, n), C is (m, n); lda/ldb/ldc are the row strides of the
 * stored matrices. */
void winit_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                const float *a, int64_t lda, const float *b, int64_t ldb,
                float *c, int64_t ldc, int accumulate);

/* out = in @ w + b.
 * out (n_batch, n_out), in (n_batch, n_in), w (n_in, n_out), b (n_out) or NULL. */
void winit_dense_forward(float *out, const float *in, const float *w, const float *b,
                         int64_t n_batch, int64_t n_in, int64_t n_out);

/* A fused epilogue: called on each block of output rows [row0, row0 + rows) as soon as
 * it is final, while it is still in cache (e.g. to apply the activation). `c` points at
 * row row0 of the output. */
struct winit_epilogue {
	void (*fn)(void *ctx, float *c, int64_t row0, int64_t rows);
	void *ctx;
};

/* Rows [r0, r1) and columns [j0, j1) of out = in @ w + b (shapes as above), then ep (may
 * be NULL) on each block of those rows as soon as it is final, its row0 counted from r0
 * (`c` points at out[r0 + row0][j0]).  Each element comes out the same as from
 * winit_dense_forward, whatever the block. */
void winit_dense_forward_block(float *out, const float *in, const float *w, const float *b,
                               int64_t n_in, int64_t n_out, int64_t r0, int64_t r1,
                               int64_t j0, int64_t j1, const struct winit_epilogue *ep);

/* winit_dense_forward, then ep on each finished block of rows of out. */
void winit_dense_forward_ep(float *out, const float *in, const float *w, const float *b,
                            int64_t n_batch, int64_t n_in, int64_t n_out,
                            const struct winit_epilogue *ep);

/* Gradients of a dense layer; all outputs are overwritten, never accumulated.
 * dw (n_in, n_out) = in^T @ dout; db (n_out) = column sums of dout (NULL: skip);
 * din (n_batch, n_in) = dout @ w^T (NULL: skip -- the first layer needs none).
 * dout (n_batch, n_out), in (n_batch, n_in), w (n_in, n_out). */
void winit_dense_backward(float *din, float *dw, float *db, const float *dout,
                          const float *in, const float *w,
                          int64_t n_batch, int64_t n_in, int64_t n_out);

/* The three parts of winit_dense_backward, for callers that split a layer's work (each
 * element is summed in the same order as there, whatever the split):
 * din (n_batch, n_in) = dout @ w^T, for n_batch rows of dout and din; */
void winit_dense_backward_input(float *din, const float *dout, const float *w,
                                int64_t n_batch, int64_t n_in, int64_t n_out);
/* rows [i0, i1) and columns [j0, j1) of dw (n_in, n_out) = in^T @ dout, then ep (may be
 * NULL) on each block of those rows as soon as it is final, its row0 counted from i0
 * (`c` points at dw[i0 + row0][j0]); */
void winit_dense_backward_weights(float *dw, const float *dout, const float *in,
                                  int64_t n_batch, int64_t n_in, int64_t n_out, int64_t i0,
                                  int64_t i1, int64_t j0, int64_t j1,
                                  const struct winit_epilogue *ep);
/* winit_dense_backward_weights with `in` made on demand, a block of its rows at a time
 * (a convolution's patches, which then never leave the cache): src->rows(ctx, r0, n)
 * returns rows [r0, r0 + n) of in, n_in floats each, contiguous, valid until its next
 * call; n <= WINIT_DENSE_ROWS_MAX, and the blocks cover [0, n_batch) in order.  The
 * same bits as winit_dense_backward_weights on the whole of in. */
#define WINIT_DENSE_ROWS_MAX 384
struct winit_rows_source {
	const float *(*rows)(void *ctx, int64_t r0, int64_t n);
	void *ctx;
};
void winit_dense_backward_weights_src(float *dw, const float *dout,
                                      const struct winit_rows_source *src, int64_t n_batch,
                                      int64_t n_in, int64_t n_out, int64_t i0, int64_t i1,
                                      int64_t j0, int64_t j1, const struct winit_epilogue *ep);
/* entries [j0, j1) of db (n_out) = column sums of dout, rows in order. */
void winit_dense_backward_bias(float *db, const float *dout, int64_t n_batch, int64_t n_out,
                               int64_t j0, int64_t j1);

/* One Adam step over n parameters (Keras semantics), in place:
 *   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
 *   w -= alpha_t * m / (sqrt(v) + epsilon)
 * where the caller passes alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t).  On x86
 * subnormal inputs and results count as zero (the caller's floating-point mode is
 * restored before returning). */
void winit_adam_update(float *w, float *m, float *v, const float *g, int64_t n,
                       float alpha_t, float beta1, float beta2, float epsilon);

/* winit_adam_update on a block of rows runs of cols parameters, each ld after the last
 * (in all four arrays): the same bits as on each run alone. */
void winit_adam_update_block(float *w, float *m, float *v, const float *g, int64_t rows,
                             int64_t cols, int64_t ld, float alpha_t, float beta1, float beta2,
                             float epsilon);

/* Name of the kernel set in use ("avx512", "avx2", "generic"). */
const char *winit_kernels_name(void);
/* Whether $WINIT_KERNELS names a kernel set this CPU has (unset or empty: auto).  A bad
 * value makes the kernels fall back to auto, so front ends call this first and refuse
 * to start; returns WINIT_ERR_ARG with the value in err->msg. */
struct winit_error;
int winit_kernels_env_check(struct winit_error *err);
/* Force a kernel set by name (for tests and benchmarks); returns 0 on success, -1 if the
 * name is unknown or the CPU lacks it.  "auto" restores detection. $WINIT_KERNELS
 * does the same at start-up. Not thread-safe: call before training starts. */
int winit_kernels_select(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_KERNELS_H */
