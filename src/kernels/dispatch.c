/* src/kernels/dispatch.c -- the public kernel API and the choice of kernel set.
 *
 * The set is chosen once (pthread_once) from $WINIT_KERNELS (generic|avx2|avx512|auto)
 * and the CPU, the best available first.  An unknown or unsupported name cannot stop a
 * kernel call, so the choice falls back to auto, and winit_kernels_env_check() reports
 * it: every front end (the CLI, the Lua module) calls that first and refuses to start.
 * winit_kernels_select() overrides the choice later (not thread-safe, by contract).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "winit/error.h"
#include "winit/kernels.h"
#include "winit/plugin_util.h" /* WINIT_HOT */
#include "kernels/kernels_internal.h"

#if WINIT_KERN_X86
#include <xmmintrin.h>
#endif

/* Best first. */
static const struct winit_kern_set *const kernel_sets[] = {
#if WINIT_KERN_X86
	&winit_kern_set_avx512,
	&winit_kern_set_avx2,
#endif
	&winit_kern_set_generic,
};
#define N_SETS (sizeof kernel_sets / sizeof kernel_sets[0])

static const struct winit_kern_set *active;
static pthread_once_t active_once = PTHREAD_ONCE_INIT;

static const struct winit_kern_set *detect(void)
{
	for (size_t i = 0; i < N_SETS; i++)
		if (kernel_sets[i]->available())
			return kernel_sets[i];
	return &winit_kern_set_generic;
}

/* The set called name if the CPU has it, else NULL; "auto" detects. */
static const struct winit_kern_set *find_set(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "auto") == 0)
		return detect();
	for (size_t i = 0; i < N_SETS; i++)
		if (strcmp(name, kernel_sets[i]->name) == 0)
			return kernel_sets[i]->available() ? kernel_sets[i] : NULL;
	return NULL;
}

static void init_active(void)
{
	const struct winit_kern_set *set = find_set(getenv("WINIT_KERNELS"));

	active = set ? set : detect();
}

static const struct winit_kern_set *current(void)
{
	pthread_once(&active_once, init_active);
	return active;
}

const char *winit_kernels_name(void)
{
	return current()->name;
}

int winit_kernels_env_check(struct winit_error *err)
{
	const char *name = getenv("WINIT_KERNELS");

	if (!name || !*name || find_set(name))
		return WINIT_OK;
	return winit_error_set(err, WINIT_ERR_ARG,
	                       "WINIT_KERNELS=%s: unknown kernel set, or one this CPU lacks "
	                       "(expected auto, avx512, avx2 or generic)",
	                       name);
}

int winit_kernels_select(const char *name)
{
	const struct winit_kern_set *set;

	pthread_once(&active_once, init_active);
	set = find_set(name);
	if (!set)
		return -1;
	active = set;
	return 0;
}

void winit_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                const float *a, int64_t lda, const float *b, int64_t ldb,
                float *c, int64_t ldc, int accumulate)
{
	winit_kern_gemm_run(winit_kern_gemm_pick(current()->gemm, n), trans_a, trans_b, m, n, k,
	                    a, lda, b, ldb, c, ldc, accumulate, NULL, NULL, NULL);
}

void winit_dense_forward_block(float *out, const float *in, const float *w, const float *b,
                               int64_t n_in, int64_t n_out, int64_t r0, int64_t r1,
                               int64_t j0, int64_t j1, const struct winit_epilogue *ep)
{
	/* out rows [r0, r1), columns [j0, j1) = in rows [r0, r1) @ w columns [j0, j1) + b */
	if (r1 > r0 && j1 > j0)
		winit_kern_gemm_run(winit_kern_gemm_pick(current()->gemm, n_out), 0, 0, r1 - r0,
		                    j1 - j0, n_in, in + r0 * n_in, n_in, w + j0, n_out,
		                    out + r0 * n_out + j0, n_out, 0, b ? b + j0 : NULL, ep, NULL);
}

void winit_dense_forward(float *out, const float *in, const float *w, const float *b,
                         int64_t n_batch, int64_t n_in, int64_t n_out)
{
	winit_dense_forward_block(out, in, w, b, n_in, n_out, 0, n_batch, 0, n_out, NULL);
}

void winit_dense_forward_ep(float *out, const float *in, const float *w, const float *b,
                            int64_t n_batch, int64_t n_in, int64_t n_out,
                            const struct winit_epilogue *ep)
{
	winit_dense_forward_block(out, in, w, b, n_in, n_out, 0, n_batch, 0, n_out, ep);
}

void winit_dense_backward_input(float *din, const float *dout, const float *w,
                                int64_t n_batch, int64_t n_in, int64_t n_out)
{
	/* din (n_batch, n_in) = dout (n_batch, n_out) @ w^T (n_out, n_in) */
	winit_kern_gemm_run(winit_kern_gemm_pick(current()->gemm, n_in), 0, 1, n_batch, n_in,
	                    n_out, dout, n_out, w, n_out, din, n_in, 0, NULL, NULL, NULL);
}

/* dw rows [i0, i1), columns [j0, j1) = (in's columns [i0, i1))^T @ dout's columns
 * [j0, j1), summed over the n_batch rows; in's rows from a_src when not NULL. */
static void backward_weights(float *dw, const float *dout, const float *in,
                             const struct winit_rows_source *a_src, int64_t n_batch,
                             int64_t n_in, int64_t n_out, int64_t i0, int64_t i1, int64_t j0,
                             int64_t j1, const struct winit_epilogue *ep)
{
	const struct winit_kern_a_rows a = { a_src, i0 };
	if (i1 > i0 && j1 > j0)
		winit_kern_gemm_run(winit_kern_gemm_pick(current()->gemm, n_out), 1, 0, i1 - i0,
		                    j1 - j0, n_batch, a_src ? NULL : in + i0, n_in, dout + j0, n_out,
		                    dw + i0 * n_out + j0, n_out, 0, NULL, ep, a_src ? &a : NULL);
}

void winit_dense_backward_weights(float *dw, const float *dout, const float *in,
                                  int64_t n_batch, int64_t n_in, int64_t n_out, int64_t i0,
                                  int64_t i1, int64_t j0, int64_t j1,
                                  const struct winit_epilogue *ep)
{
	backward_weights(dw, dout, in, NULL, n_batch, n_in, n_out, i0, i1, j0, j1, ep);
}

void winit_dense_backward_weights_src(float *dw, const float *dout,
                                      const struct winit_rows_source *src, int64_t n_batch,
                                      int64_t n_in, int64_t n_out, int64_t i0, int64_t i1,
                                      int64_t j0, int64_t j1, const struct winit_epilogue *ep)
{
	backward_weights(dw, dout, NULL, src, n_batch, n_in, n_out, i0, i1, j0, j1, ep);
}

/* Each column's sum in row order, vectorized across columns (every vector width of
 * WINIT_HOT gives the same sums; a static clone: an exported ifunc is not a plain
 * symbol). */
WINIT_HOT static void column_sums(float *restrict db, const float *restrict dout, int64_t n_batch,
                                  int64_t n_out, int64_t j0, int64_t j1)
{
	for (int64_t j = j0; j < j1; j++)
		db[j] = 0.0f;
	for (int64_t r = 0; r < n_batch; r++) {
		const float *row = dout + r * n_out; /* (n_out) */
		for (int64_t j = j0; j < j1; j++)
			db[j] += row[j];
	}
}

void winit_dense_backward_bias(float *db, const float *dout, int64_t n_batch, int64_t n_out,
                               int64_t j0, int64_t j1)
{
	column_sums(db, dout, n_batch, n_out, j0, j1);
}

void winit_dense_backward(float *din, float *dw, float *db, const float *dout,
                          const float *in, const float *w,
                          int64_t n_batch, int64_t n_in, int64_t n_out)
{
	winit_dense_backward_weights(dw, dout, in, n_batch, n_in, n_out, 0, n_in, 0, n_out, NULL);
	if (db)
		winit_dense_backward_bias(db, dout, n_batch, n_out, 0, n_out);
	if (din)
		winit_dense_backward_input(din, dout, w, n_batch, n_in, n_out);
}

/* The Adam step treats subnormal numbers as zero, as TensorFlow's CPU threads do (flush
 * to zero and denormals are zero in MXCSR, for the step only): a moment decaying through
 * the subnormal range (a parameter whose gradient stays 0, e.g. a border pixel's weights)
 * otherwise costs a microcode assist per operation, doubling the step's time with 5% of
 * the moments there.  Every set runs under the same mode, so the sets still agree bit for
 * bit; elsewhere than x86 the step keeps subnormals. */
#if WINIT_KERN_X86
#define MXCSR_FTZ_DAZ 0x8040u
static unsigned int subnormals_off(void)
{
	const unsigned int old = _mm_getcsr();

	_mm_setcsr(old | MXCSR_FTZ_DAZ);
	return old;
}
static void subnormals_restore(unsigned int old)
{
	_mm_setcsr(old);
}
#else
static unsigned int subnormals_off(void)
{
	return 0;
}
static void subnormals_restore(unsigned int old)
{
	(void)old;
}
#endif

void winit_adam_update_block(float *w, float *m, float *v, const float *g, int64_t rows,
                             int64_t cols, int64_t ld, float alpha_t, float beta1, float beta2,
                             float epsilon)
{
	if (rows <= 0 || cols <= 0)
		return;
	void (*adam)(float *, float *, float *, const float *, int64_t, float, float, float,
	             float) = current()->adam;
	const unsigned int mode = subnormals_off();
	if (cols == ld)
		adam(w, m, v, g, rows * cols, alpha_t, beta1, beta2, epsilon);
	else
		for (int64_t r = 0; r < rows; r++)
			adam(w + r * ld, m + r * ld, v + r * ld, g + r * ld, cols, alpha_t, beta1,
			     beta2, epsilon);
	subnormals_restore(mode);
}

void winit_adam_update(float *w, float *m, float *v, const float *g, int64_t n,
                       float alpha_t, float beta1, float beta2, float epsilon)
{
	winit_adam_update_block(w, m, v, g, 1, n, n, alpha_t, beta1, beta2, epsilon);
}
