/* bench/bench_kernels.c -- GFLOP/s of winit's GEMM per kernel set, at the study's shapes
 * and at hidden widths 128/512/2048 with batch 16/64/256, next to single-thread OpenBLAS.
 * OpenBLAS is found when the benchmark runs, not when winit is configured: dlopen of
 * $WINIT_BENCH_OPENBLAS, else libopenblas.so.0 / libopenblas.so (Debian: libopenblas0),
 * so installing it later needs no rebuild.  Run with OPENBLAS_NUM_THREADS=1 (`make
 * bench-run` does).  The first lines name winit's kernel set and OpenBLAS's library and
 * core, so every figure says which code path it measured.
 *
 * usage: bench_kernels [min-seconds-per-measurement]   (default 0.05)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "winit/kernels.h"

/* The CBLAS ABI's constants (cblas.h; fixed by the reference CBLAS). */
enum { CBLAS_ROW_MAJOR = 101,
       CBLAS_NO_TRANS = 111,
       CBLAS_TRANS = 112 };
typedef void (*cblas_sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                               const float *a, int lda, const float *b, int ldb, float beta,
                               float *c, int ldc);
static cblas_sgemm_fn cblas_sgemm_ptr;

struct shape {
	const char *what; /* which product of a dense layer */
	int ta, tb;
	int64_t m, n, k;
};

static const char *const set_names[] = { "avx512", "avx2", "generic" };
#define N_SET_NAMES (sizeof set_names / sizeof set_names[0])

static double min_seconds = 0.05;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef void (*gemm_fn)(const struct shape *s, const float *a, const float *b, float *c);

static void run_winit(const struct shape *s, const float *a, const float *b, float *c)
{
	winit_gemm(s->ta, s->tb, s->m, s->n, s->k, a, s->ta ? s->m : s->k, b,
	           s->tb ? s->k : s->n, c, s->n, 0);
}

static void run_openblas(const struct shape *s, const float *a, const float *b, float *c)
{
	cblas_sgemm_ptr(CBLAS_ROW_MAJOR, s->ta ? CBLAS_TRANS : CBLAS_NO_TRANS,
	                s->tb ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)s->m, (int)s->n, (int)s->k, 1.0f,
	                a, (int)(s->ta ? s->m : s->k), b, (int)(s->tb ? s->k : s->n), 0.0f, c,
	                (int)s->n);
}

/* dlopen OpenBLAS and print what was found (library, core, config); false when absent. */
static int find_openblas(void)
{
	const char *env = getenv("WINIT_BENCH_OPENBLAS");
	const char *names[] = { env, "libopenblas.so.0", "libopenblas.so" };
	void *h = NULL;
	const char *found = NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++)
		if (names[i] && *names[i] && (h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL)))
			found = names[i];
	if (!h) {
		printf("OpenBLAS: not found at run time (apt-get install libopenblas0, or set "
		       "WINIT_BENCH_OPENBLAS=/path/libopenblas.so): OpenBLAS columns skipped\n");
		return 0;
	}
	*(void **)&cblas_sgemm_ptr = dlsym(h, "cblas_sgemm");
	if (!cblas_sgemm_ptr) {
		printf("OpenBLAS: %s has no cblas_sgemm: OpenBLAS columns skipped\n", found);
		return 0;
	}
	char *(*corename)(void) = NULL, *(*config)(void) = NULL;
	*(void **)&corename = dlsym(h, "openblas_get_corename");
	*(void **)&config = dlsym(h, "openblas_get_config");
	const char *obt = getenv("OPENBLAS_NUM_THREADS");
	printf("OpenBLAS: %s, core %s, %s; OPENBLAS_NUM_THREADS=%s%s\n", found,
	       corename ? corename() : "?", config ? config() : "config ?", obt ? obt : "(unset)",
	       obt && strcmp(obt, "1") == 0 ? "" : "  <- set it to 1 for a fair comparison");
	return 1;
}

/* Best of 5 timings of a batch of calls lasting about min_seconds / 5; GFLOP/s. */
static double measure(gemm_fn fn, const struct shape *s, const float *a, const float *b,
                      float *c)
{
	const double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
	long reps = 1;
	double best = 1e30;

	fn(s, a, b, c); /* warm up caches and the dispatcher */
	for (;;) {
		double t0 = now();
		for (long r = 0; r < reps; r++)
			fn(s, a, b, c);
		double dt = now() - t0;
		if (dt >= min_seconds / 5 || reps > (1L << 30))
			break;
		reps *= 2;
	}
	for (int trial = 0; trial < 5; trial++) {
		double t0 = now();
		for (long r = 0; r < reps; r++)
			fn(s, a, b, c);
		double dt = (now() - t0) / (double)reps;
		if (dt < best)
			best = dt;
	}
	return flops / best * 1e-9;
}

static float *rand_buf(int64_t n)
{
	float *x = malloc((size_t)n * sizeof *x);

	if (!x) {
		fprintf(stderr, "bench_kernels: out of memory (%lld floats)\n", (long long)n);
		exit(EXIT_FAILURE);
	}
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)rand() / (float)RAND_MAX - 0.5f;
	return x;
}

static void bench_shape(const struct shape *s)
{
	float *a = rand_buf(s->m * s->k), *b = rand_buf(s->k * s->n), *c = rand_buf(s->m * s->n);
	double best_winit = 0.0;

	printf("%-22s %s%s %5lld %5lld %5lld ", s->what, s->ta ? "T" : "N", s->tb ? "T" : "N",
	       (long long)s->m, (long long)s->n, (long long)s->k);
	for (size_t i = 0; i < N_SET_NAMES; i++) {
		if (winit_kernels_select(set_names[i]) != 0) {
			printf(" %8s", "-");
			continue;
		}
		double g = measure(run_winit, s, a, b, c);
		if (g > best_winit)
			best_winit = g;
		printf(" %8.1f", g);
	}
	winit_kernels_select("auto");
	if (cblas_sgemm_ptr) {
		double ob = measure(run_openblas, s, a, b, c);
		printf(" %9.1f %6.0f%%", ob, 100.0 * best_winit / ob);
	}
	printf("\n");
	fflush(stdout);
	free(a);
	free(b);
	free(c);
}

int main(int argc, char **argv)
{
	static const int64_t widths[] = { 128, 512, 2048 }, batches[] = { 16, 64, 256 };
	static const struct shape study[] = {
		{ "study fwd X@W1", 0, 0, 64, 128, 784 },
		{ "study fwd H@W2", 0, 0, 64, 10, 128 },
		{ "study dW1 X^T@dY", 1, 0, 784, 128, 64 },
		{ "study dW2 H^T@dZ", 1, 0, 128, 10, 64 },
		{ "study dH dZ@W2^T", 0, 1, 64, 128, 10 },
		/* the tutorial CNN's convolutions as im2col products on a batch of 64
		 * (bench/conv.lua times the layers themselves): patches (positions, kh*kw*cin)
		 * by the kernel (kh*kw*cin, cout); its gradient; the patches' gradient */
		{ "cnn conv1 fwd P@K", 0, 0, 64 * 676, 32, 9 },
		{ "cnn conv1 dK P^T@dY", 1, 0, 9, 32, 64 * 676 },
		{ "cnn conv2 fwd P@K", 0, 0, 64 * 121, 64, 288 },
		{ "cnn conv2 dK P^T@dY", 1, 0, 288, 64, 64 * 121 },
		{ "cnn conv2 dP dY@K^T", 0, 1, 64 * 121, 288, 64 },
	};

	if (argc > 1)
		min_seconds = atof(argv[1]);
	if (min_seconds <= 0) {
		fprintf(stderr, "usage: %s [min-seconds-per-measurement > 0]\n", argv[0]);
		return EXIT_FAILURE;
	}
	printf("winit kernels benchmark: GFLOP/s, best of 5 (set at start-up: %s)\n",
	       winit_kernels_name());
	int have_ob = find_openblas();
	printf("%-22s %-2s %5s %5s %5s  %8s %8s %8s", "product", "op", "m", "n", "k", "avx512",
	       "avx2", "generic");
	if (have_ob)
		printf(" %9s %7s", "openblas", "best/ob");
	printf("\n");
	for (size_t i = 0; i < sizeof study / sizeof study[0]; i++)
		bench_shape(&study[i]);
	for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
		for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
			const int64_t w = widths[wi], nb = batches[bi];
			char name[3][32];
			snprintf(name[0], sizeof name[0], "w%lld b%lld fwd", (long long)w,
			         (long long)nb);
			snprintf(name[1], sizeof name[1], "w%lld b%lld dW", (long long)w,
			         (long long)nb);
			snprintf(name[2], sizeof name[2], "w%lld b%lld dIn", (long long)w,
			         (long long)nb);
			const struct shape hs[3] = {
				{ name[0], 0, 0, nb, w, w },
				{ name[1], 1, 0, w, w, nb },
				{ name[2], 0, 1, nb, w, w },
			};
			for (int j = 0; j < 3; j++)
				bench_shape(&hs[j]);
		}
	}
	return EXIT_SUCCESS;
}
