/* src/kernels/dispatch.c -- the public kernel API and the choice of kernel set.
 *
 * The set is chosen once (pthread_once) from $WINIT_KERNELS (generic|avx2|avx512|auto;
 * an unknown or unsupported name falls back to auto) and the CPU, the best available
 * first.  winit_kernels_select() overrides it later (not thread-safe, by contract).
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "winit/kernels.h"
#include "kernels/kernels_internal.h"

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
	winit_kern_gemm_run(current()->gemm, trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc,
	                    accumulate, NULL, NULL);
}

void winit_dense_forward(float *out, const float *in, const float *w, const float *b,
                         int64_t n_batch, int64_t n_in, int64_t n_out)
{
	/* out (n_batch, n_out) = in (n_batch, n_in) @ w (n_in, n_out) + b (n_out) */
	winit_kern_gemm_run(current()->gemm, 0, 0, n_batch, n_out, n_in, in, n_in, w, n_out,
	                    out, n_out, 0, b, NULL);
}

void winit_dense_forward_ep(float *out, const float *in, const float *w, const float *b,
                            int64_t n_batch, int64_t n_in, int64_t n_out,
                            const struct winit_epilogue *ep)
{
	winit_kern_gemm_run(current()->gemm, 0, 0, n_batch, n_out, n_in, in, n_in, w, n_out,
	                    out, n_out, 0, b, ep);
}

void winit_dense_backward(float *din, float *dw, float *db, const float *dout,
                          const float *in, const float *w,
                          int64_t n_batch, int64_t n_in, int64_t n_out)
{
	const struct winit_kern_gemm_impl *im = current()->gemm;

	/* dw (n_in, n_out) = in^T (n_in, n_batch) @ dout (n_batch, n_out) */
	winit_kern_gemm_run(im, 1, 0, n_in, n_out, n_batch, in, n_in, dout, n_out, dw, n_out,
	                    0, NULL, NULL);
	if (db) {
		/* db (n_out): column sums of dout, row by row */
		for (int64_t j = 0; j < n_out; j++)
			db[j] = 0.0f;
		for (int64_t r = 0; r < n_batch; r++) {
			const float *row = dout + r * n_out; /* (n_out) */
			for (int64_t j = 0; j < n_out; j++)
				db[j] += row[j];
		}
	}
	if (din) {
		/* din (n_batch, n_in) = dout (n_batch, n_out) @ w^T (n_out, n_in) */
		winit_kern_gemm_run(im, 0, 1, n_batch, n_in, n_out, dout, n_out, w, n_out, din,
		                    n_in, 0, NULL, NULL);
	}
}

void winit_adam_update(float *w, float *m, float *v, const float *g, int64_t n,
                       float alpha_t, float beta1, float beta2, float epsilon)
{
	if (n > 0)
		current()->adam(w, m, v, g, n, alpha_t, beta1, beta2, epsilon);
}
