/* tests/check_kernels.c -- the compute kernels against double-precision references,
 * in every kernel set the CPU offers. */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "testutil.h"
#include "winit/kernels.h"

#define SENTINEL 12345.0f

/* Deterministic uniform values in [-1, 1). */
static uint64_t lcg_state;
static float urand(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (float)((lcg_state >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

static float *rand_buf(int64_t n)
{
	float *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x);
	ck_assert_ptr_nonnull(x);
	for (int64_t i = 0; i < n; i++)
		x[i] = urand();
	return x;
}

/* A' (i, p) of a stored row-major matrix with stride ld. */
static double elem(const float *x, int64_t ld, int trans, int64_t r, int64_t c)
{
	return trans ? x[c * ld + r] : x[r * ld + c];
}

/* Check one winit_gemm call against a double reference with the rounding-error bound
 * |err| <= 2 k eps sum |a||b| + 2 eps |c0| (+ a few eps), and that the padding between
 * rows of C is untouched. */
static void check_gemm_case(int ta, int tb, int64_t m, int64_t n, int64_t k, int64_t pad,
                            int accumulate)
{
	const int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
	const int64_t a_rows = ta ? k : m, b_rows = tb ? n : k;
	float *a = rand_buf(a_rows * lda); /* (m, k) or (k, m), stride lda */
	float *b = rand_buf(b_rows * ldb); /* (k, n) or (n, k), stride ldb */
	float *c = rand_buf(m * ldc);      /* (m, n), stride ldc */
	float *c0 = malloc((size_t)(m * ldc) * sizeof *c0);

	ck_assert_ptr_nonnull(c0);
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = n; j < ldc; j++)
			c[i * ldc + j] = SENTINEL;
	memcpy(c0, c, (size_t)(m * ldc) * sizeof *c);
	winit_gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
	for (int64_t i = 0; i < m; i++) {
		for (int64_t j = 0; j < n; j++) {
			double ref = accumulate ? c0[i * ldc + j] : 0.0, mag = 0.0;
			for (int64_t p = 0; p < k; p++) {
				double t = elem(a, lda, ta, i, p) * elem(b, ldb, tb, p, j);
				ref += t;
				mag += fabs(t);
			}
			double tol = 2.0 * (double)k * FLT_EPSILON * mag + 4.0 * FLT_EPSILON * (accumulate ? fabs(c0[i * ldc + j]) : 0.0) + 1e-30;
			double err = fabs(c[i * ldc + j] - ref);
			ck_assert_msg(err <= tol,
			              "%s t%d%d %ldx%ldx%ld pad %ld acc %d: C[%ld][%ld] = %.9g, "
			              "expected %.9g (tolerance %.3g)",
			              winit_kernels_name(), ta, tb, (long)m, (long)n, (long)k,
			              (long)pad, accumulate, (long)i, (long)j, c[i * ldc + j], ref, tol);
		}
		for (int64_t j = n; j < ldc; j++)
			ck_assert_float_eq(c[i * ldc + j], SENTINEL);
	}
	free(a);
	free(b);
	free(c);
	free(c0);
}

static const int64_t shapes[][3] = {
	{ 1, 1, 1 },
	{ 7, 13, 5 },
	{ 65, 129, 33 },
	{ 64, 784, 128 },
	{ 128, 64, 10 },
	{ 64, 10, 128 },
	{ 17, 33, 1 },
	{ 9, 31, 400 },
	{ 3, 70, 17 },
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

#define FOR_EACH_SET TU_FOR_EACH_KERNEL_SET

static void gemm_all_shapes(int ta, int tb)
{
	lcg_state = 42;
	FOR_EACH_SET({
		for (size_t i = 0; i < N_SHAPES; i++) {
			const int64_t *s = shapes[i];
			check_gemm_case(ta, tb, s[0], s[2], s[1], 0, 0);
			check_gemm_case(ta, tb, s[0], s[2], s[1], 3, 1);
		}
	});
}

START_TEST(gemm_nn)
{
	gemm_all_shapes(0, 0);
}
END_TEST

START_TEST(gemm_tn)
{
	gemm_all_shapes(1, 0);
}
END_TEST

START_TEST(gemm_nt)
{
	gemm_all_shapes(0, 1);
}
END_TEST

START_TEST(gemm_tt)
{
	lcg_state = 7;
	FOR_EACH_SET({
		check_gemm_case(1, 1, 7, 13, 5, 0, 0);
		check_gemm_case(1, 1, 65, 129, 33, 5, 1);
	});
}
END_TEST

/* Several k blocks and m blocks, strided, accumulate on and off. */
START_TEST(gemm_blocked)
{
	lcg_state = 99;
	FOR_EACH_SET({
		check_gemm_case(0, 0, 300, 70, 900, 1, 0);
		check_gemm_case(1, 0, 300, 70, 900, 2, 1);
		check_gemm_case(0, 1, 37, 200, 800, 3, 1);
	});
}
END_TEST

/* k == 0: C is zeroed, or kept when accumulating; m == 0 / n == 0 touch nothing. */
START_TEST(gemm_empty)
{
	float c[6] = { 1, 2, 3, 4, 5, 6 };
	const float a[1] = { 1 }, b[1] = { 1 };

	FOR_EACH_SET({
		float d[6];
		memcpy(d, c, sizeof c);
		winit_gemm(0, 0, 2, 3, 0, a, 1, b, 3, d, 3, 1);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(d[i], c[i]);
		winit_gemm(0, 0, 0, 3, 4, a, 4, b, 3, d, 3, 0);
		winit_gemm(0, 0, 2, 0, 4, a, 4, b, 1, d, 3, 0);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(d[i], c[i]);
		winit_gemm(0, 0, 2, 3, 0, a, 1, b, 3, d, 3, 0);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(d[i], 0.0f);
	});
}
END_TEST

/* Same call twice gives the same bits; avx512/avx2 agree with generic to tolerance. */
START_TEST(gemm_agreement)
{
	const int64_t m = 64, k = 784, n = 128;
	float *a, *b, *ref, *c;

	lcg_state = 5;
	a = rand_buf(m * k);
	b = rand_buf(k * n);
	ref = calloc((size_t)(m * n), sizeof *ref);
	c = calloc((size_t)(m * n), sizeof *c);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(winit_kernels_select("generic"), 0);
	winit_gemm(0, 0, m, n, k, a, k, b, n, ref, n, 0);
	FOR_EACH_SET({
		winit_gemm(0, 0, m, n, k, a, k, b, n, c, n, 0);
		float *again = malloc((size_t)(m * n) * sizeof *again);
		ck_assert_ptr_nonnull(again);
		winit_gemm(0, 0, m, n, k, a, k, b, n, again, n, 0);
		ck_assert_int_eq(memcmp(c, again, (size_t)(m * n) * sizeof *c), 0);
		free(again);
		for (int64_t i = 0; i < m; i++)
			for (int64_t j = 0; j < n; j++) {
				/* each is within k eps sum |a||b| of the exact value */
				double mag = 0.0;
				for (int64_t p = 0; p < k; p++)
					mag += fabs((double)a[i * k + p] * b[p * n + j]);
				double tol = 2.0 * (double)k * FLT_EPSILON * mag;
				ck_assert_msg(fabs((double)c[i * n + j] - ref[i * n + j]) <= tol,
				              "%s vs generic at [%ld][%ld]: %g vs %g",
				              winit_kernels_name(), (long)i, (long)j,
				              c[i * n + j], ref[i * n + j]);
			}
	});
	free(a);
	free(b);
	free(ref);
	free(c);
}
END_TEST

static void check_forward(int with_bias)
{
	const int64_t nb = 13, ni = 37, no = 21;
	float *in = rand_buf(nb * ni), *w = rand_buf(ni * no), *b = rand_buf(no);
	float *out = rand_buf(nb * no);

	winit_dense_forward(out, in, w, with_bias ? b : NULL, nb, ni, no);
	for (int64_t r = 0; r < nb; r++)
		for (int64_t j = 0; j < no; j++) {
			double ref = with_bias ? b[j] : 0.0, mag = fabs(ref);
			for (int64_t p = 0; p < ni; p++) {
				ref += (double)in[r * ni + p] * w[p * no + j];
				mag += fabs((double)in[r * ni + p] * w[p * no + j]);
			}
			ck_assert_msg(fabs(out[r * no + j] - ref) <= 2.0 * ni * FLT_EPSILON * mag,
			              "%s forward bias %d: out[%ld][%ld] = %g, expected %g",
			              winit_kernels_name(), with_bias, (long)r, (long)j,
			              out[r * no + j], ref);
		}
	free(in);
	free(w);
	free(b);
	free(out);
}

START_TEST(dense_forward)
{
	lcg_state = 11;
	FOR_EACH_SET({
		check_forward(1);
		check_forward(0);
	});
}
END_TEST

static void check_backward(int want_db, int want_din)
{
	const int64_t nb = 19, ni = 45, no = 11;
	float *in = rand_buf(nb * ni), *w = rand_buf(ni * no), *dout = rand_buf(nb * no);
	float *dw = rand_buf(ni * no), *db = rand_buf(no), *din = rand_buf(nb * ni);

	winit_dense_backward(want_din ? din : NULL, dw, want_db ? db : NULL, dout, in, w, nb,
	                     ni, no);
	for (int64_t p = 0; p < ni; p++)
		for (int64_t j = 0; j < no; j++) {
			double ref = 0.0, mag = 0.0;
			for (int64_t r = 0; r < nb; r++) {
				double t = (double)in[r * ni + p] * dout[r * no + j];
				ref += t;
				mag += fabs(t);
			}
			ck_assert_msg(fabs(dw[p * no + j] - ref) <= 2.0 * nb * FLT_EPSILON * mag,
			              "%s dw[%ld][%ld]", winit_kernels_name(), (long)p, (long)j);
		}
	if (want_db)
		for (int64_t j = 0; j < no; j++) {
			double ref = 0.0, mag = 0.0;
			for (int64_t r = 0; r < nb; r++) {
				ref += dout[r * no + j];
				mag += fabs(dout[r * no + j]);
			}
			ck_assert_msg(fabs(db[j] - ref) <= 2.0 * nb * FLT_EPSILON * mag,
			              "%s db[%ld]", winit_kernels_name(), (long)j);
		}
	if (want_din)
		for (int64_t r = 0; r < nb; r++)
			for (int64_t p = 0; p < ni; p++) {
				double ref = 0.0, mag = 0.0;
				for (int64_t j = 0; j < no; j++) {
					double t = (double)dout[r * no + j] * w[p * no + j];
					ref += t;
					mag += fabs(t);
				}
				ck_assert_msg(fabs(din[r * ni + p] - ref) <=
				                      2.0 * no * FLT_EPSILON * mag,
				              "%s din[%ld][%ld]", winit_kernels_name(), (long)r,
				              (long)p);
			}
	free(in);
	free(w);
	free(dout);
	free(dw);
	free(db);
	free(din);
}

/* The fused epilogue sees every row exactly once, in final form. */
struct ep_trace {
	const float *base;
	int64_t n_out;
	int seen[700];
	float copy[700 * 40];
	int calls;
};

static void ep_record(void *ctx, float *c, int64_t row0, int64_t rows)
{
	struct ep_trace *t = ctx;
	ck_assert_ptr_eq(c, t->base + row0 * t->n_out);
	for (int64_t r = row0; r < row0 + rows; r++) {
		t->seen[r]++;
		memcpy(t->copy + r * t->n_out, c + (r - row0) * t->n_out, (size_t)t->n_out * sizeof(float));
	}
	t->calls++;
}

START_TEST(dense_forward_epilogue)
{
	/* 700 rows and k = 900 span several row blocks and several k blocks. */
	enum { M = 700,
	       K = 900,
	       N = 40 };
	float *x = malloc(M * K * sizeof *x), *w = malloc(K * N * sizeof *w);
	float *y1 = malloc(M * N * sizeof *y1), *y2 = malloc(M * N * sizeof *y2), b[N];
	for (int i = 0; i < M * K; i++)
		x[i] = (float)((i * 37 % 101) - 50) / 50.0f;
	for (int i = 0; i < K * N; i++)
		w[i] = (float)((i * 53 % 97) - 48) / 97.0f;
	for (int j = 0; j < N; j++)
		b[j] = (float)j / 10.0f;
	static struct ep_trace t;
	memset(&t, 0, sizeof t);
	t.base = y2;
	t.n_out = N;
	struct winit_epilogue ep = { ep_record, &t };
	winit_dense_forward(y1, x, w, b, M, K, N);
	winit_dense_forward_ep(y2, x, w, b, M, K, N, &ep);
	for (int r = 0; r < M; r++)
		ck_assert_int_eq(t.seen[r], 1);
	ck_assert_int_ge(t.calls, 2);
	ck_assert(memcmp(y1, y2, M * N * sizeof(float)) == 0);
	ck_assert(memcmp(t.copy, y1, M * N * sizeof(float)) == 0);
	free(x);
	free(w);
	free(y1);
	free(y2);
}
END_TEST

START_TEST(dense_backward)
{
	lcg_state = 13;
	FOR_EACH_SET({
		check_backward(1, 1);
		check_backward(0, 1);
		check_backward(1, 0);
		check_backward(0, 0);
	});
}
END_TEST

/* Three Adam steps against the formula evaluated here in float, one operation at a
 * time; every set must agree to 2 ulp (they are designed to agree exactly). */
START_TEST(adam_steps)
{
	enum { N = 37 };
	const float lr = 0.001f, b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;

	FOR_EACH_SET({
		float w[N], m[N], v[N], rw[N], rm[N], rv[N];
		lcg_state = 3;
		for (int i = 0; i < N; i++) {
			rw[i] = w[i] = urand();
			rm[i] = m[i] = 0.0f;
			rv[i] = v[i] = 0.0f;
		}
		for (int t = 1; t <= 3; t++) {
			float g[N];
			for (int i = 0; i < N; i++)
				g[i] = urand() * (float)(i + 1);
			float at = (float)(lr * sqrt(1.0 - pow(b2, t)) / (1.0 - pow(b1, t)));
			winit_adam_update(w, m, v, g, N, at, b1, b2, eps);
			for (int i = 0; i < N; i++) {
				volatile float x = b1 * rm[i], y = (1.0f - b1) * g[i];
				rm[i] = x + y;
				volatile float gg = g[i] * g[i];
				x = b2 * rv[i];
				y = (1.0f - b2) * gg;
				rv[i] = x + y;
				volatile float num = at * rm[i], den = sqrtf(rv[i]) + eps;
				volatile float step = num / den;
				rw[i] = rw[i] - step;
				ck_assert_float_eq_tol(m[i], rm[i], 2 * FLT_EPSILON * fabsf(rm[i]));
				ck_assert_float_eq_tol(v[i], rv[i], 2 * FLT_EPSILON * fabsf(rv[i]));
				ck_assert_float_eq_tol(w[i], rw[i], 2 * FLT_EPSILON * fabsf(rw[i]));
			}
		}
	});
}
END_TEST

/* The first Adam step moves each weight by lr * g / (|g| + eps / sqrt(1-beta2)) ~ lr. */
START_TEST(adam_first_step)
{
	enum { N = 19 };
	FOR_EACH_SET({
		float w[N] = { 0 }, m[N] = { 0 }, v[N] = { 0 }, g[N];
		for (int i = 0; i < N; i++)
			g[i] = (i % 2 ? -1.0f : 1.0f) * (float)(i + 1);
		float at = (float)(0.001 * sqrt(1.0 - 0.999) / (1.0 - 0.9));
		winit_adam_update(w, m, v, g, N, at, 0.9f, 0.999f, 1e-7f);
		for (int i = 0; i < N; i++)
			ck_assert_float_eq_tol(w[i], g[i] > 0 ? -0.001f : 0.001f, 1e-7f);
	});
}
END_TEST

/* Any block of a dense layer's products gives the bits of the whole product: forward
 * blocks by rows and by columns (bias and an odd column count included), weight-gradient
 * blocks likewise, bias sums over column ranges -- what a thread team relies on. */
START_TEST(dense_blocks_match_whole)
{
	enum { B = 37,
	       I = 45,
	       O = 50 };
	FOR_EACH_SET({
		lcg_state = 17;
		float *in = rand_buf(B * I), *w = rand_buf(I * O), *b = rand_buf(O);
		float *dout = rand_buf(B * O);
		float *whole = rand_buf(B * O), *part = rand_buf(B * O);
		float *dw = rand_buf(I * O), *dwp = rand_buf(I * O), *db = rand_buf(O), *dbp = rand_buf(O);
		winit_dense_forward(whole, in, w, b, B, I, O);
		winit_dense_backward(NULL, dw, db, dout, in, w, B, I, O);
		static const int64_t cuts[][2] = { { 8, 16 }, { 16, 32 }, { 24, 48 }, { 1, 17 } };
		for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
			int64_t r = cuts[c][0], j = cuts[c][1];
			memset(part, 0xff, (size_t)(B * O) * sizeof *part);
			/* Four blocks: rows [0, r) and [r, B) x columns [0, j) and [j, O). */
			winit_dense_forward_block(part, in, w, b, I, O, 0, r, 0, j, NULL);
			winit_dense_forward_block(part, in, w, b, I, O, 0, r, j, O, NULL);
			winit_dense_forward_block(part, in, w, b, I, O, r, B, 0, j, NULL);
			winit_dense_forward_block(part, in, w, b, I, O, r, B, j, O, NULL);
			ck_assert_msg(memcmp(part, whole, (size_t)(B * O) * sizeof *part) == 0,
			              "%s: forward blocks cut at row %lld, column %lld differ", winit_kernels_name(),
			              (long long)r, (long long)j);
			memset(dwp, 0xff, (size_t)(I * O) * sizeof *dwp);
			winit_dense_backward_weights(dwp, dout, in, B, I, O, 0, r, 0, j, NULL);
			winit_dense_backward_weights(dwp, dout, in, B, I, O, 0, r, j, O, NULL);
			winit_dense_backward_weights(dwp, dout, in, B, I, O, r, I, 0, j, NULL);
			winit_dense_backward_weights(dwp, dout, in, B, I, O, r, I, j, O, NULL);
			ck_assert_msg(memcmp(dwp, dw, (size_t)(I * O) * sizeof *dwp) == 0,
			              "%s: weight-gradient blocks cut at row %lld, column %lld differ",
			              winit_kernels_name(), (long long)r, (long long)j);
			winit_dense_backward_bias(dbp, dout, B, O, 0, j);
			winit_dense_backward_bias(dbp, dout, B, O, j, O);
			ck_assert(memcmp(dbp, db, (size_t)O * sizeof *dbp) == 0);
		}
		free(in);
		free(w);
		free(b);
		free(dout);
		free(whole);
		free(part);
		free(dw);
		free(dwp);
		free(db);
		free(dbp);
	});
}
END_TEST

/* Rows of `in` handed out a block at a time through a scratch buffer (as a convolution's
 * patches are made), each call checked: in order, no gaps, at most WINIT_DENSE_ROWS_MAX. */
struct row_feed {
	const float *in;
	int64_t cols, next, calls;
	float *buf; /* (WINIT_DENSE_ROWS_MAX, cols) */
};

static const float *feed_rows(void *ctx, int64_t r0, int64_t n)
{
	struct row_feed *f = ctx;
	ck_assert_int_eq(r0, f->next);
	ck_assert(n >= 1 && n <= WINIT_DENSE_ROWS_MAX);
	memset(f->buf, 0xff, (size_t)(WINIT_DENSE_ROWS_MAX * f->cols) * sizeof *f->buf);
	memcpy(f->buf, f->in + r0 * f->cols, (size_t)(n * f->cols) * sizeof *f->buf);
	f->next = r0 + n;
	f->calls++;
	return f->buf;
}

/* The weight gradient with in's rows made on demand gives the whole product's bits: over
 * several k blocks, with several m blocks (a kernel of 300 rows: its panels shared) and
 * with one (9 rows, a 3x3 single-channel kernel: B read in place), whole and in blocks. */
START_TEST(weights_from_row_source)
{
	enum { B = 1000,
	       O = 40 };
	static const int64_t widths[] = { 300, 9 };
	FOR_EACH_SET({
		for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
			const int64_t I = widths[wi];
			lcg_state = 23;
			float *in = rand_buf(B * I), *dout = rand_buf(B * O);
			float *dw = rand_buf(I * O), *dws = rand_buf(I * O);
			struct row_feed f = { in, I, 0, 0, rand_buf(WINIT_DENSE_ROWS_MAX * I) };
			const struct winit_rows_source src = { feed_rows, &f };
			winit_dense_backward_weights(dw, dout, in, B, I, O, 0, I, 0, O, NULL);
			memset(dws, 0xff, (size_t)(I * O) * sizeof *dws);
			winit_dense_backward_weights_src(dws, dout, &src, B, I, O, 0, I, 0, O, NULL);
			ck_assert_int_eq(f.next, B);
			ck_assert_int_ge(f.calls, 3); /* 1,000 rows: more than one k block */
			ck_assert_msg(memcmp(dws, dw, (size_t)(I * O) * sizeof *dw) == 0,
			              "%s: %lld rows from a source differ from the whole product",
			              winit_kernels_name(), (long long)I);
			/* A team's shares: rows [0, r) and [r, I), columns [0, 16) and [16, O). */
			const int64_t r = I > 16 ? I / 16 * 8 : 1; /* whole row tiles, as a team cuts */
			memset(dws, 0xff, (size_t)(I * O) * sizeof *dws);
			const int64_t cut[4][4] = { { 0, r, 0, 16 }, { 0, r, 16, O }, { r, I, 0, 16 }, { r, I, 16, O } };
			for (int q = 0; q < 4; q++) {
				f.next = 0;
				winit_dense_backward_weights_src(dws, dout, &src, B, I, O, cut[q][0], cut[q][1],
				                                 cut[q][2], cut[q][3], NULL);
				ck_assert_int_eq(f.next, B);
			}
			ck_assert_msg(memcmp(dws, dw, (size_t)(I * O) * sizeof *dw) == 0,
			              "%s: %lld rows from a source, in blocks, differ", winit_kernels_name(),
			              (long long)I);
			free(in);
			free(dout);
			free(dw);
			free(dws);
			free(f.buf);
		}
	});
}
END_TEST

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* Whether this CPU honours MXCSR's flush-to-zero: Valgrind, for one, runs x86 code with
 * it ignored (the step then keeps subnormals, as elsewhere than x86). */
static int ftz_honoured(void)
{
	const unsigned int old = _mm_getcsr();
	volatile float x = FLT_MIN, half = 0.5f;

	_mm_setcsr(old | 0x8040u);
	volatile float r = x * half;
	_mm_setcsr(old);
	return r == 0.0f;
}
#else
static int ftz_honoured(void)
{
	return 0;
}
#endif

/* On x86 the Adam step treats subnormals as zero, in every set alike: a subnormal moment
 * reads as 0 (so with g = 0 it becomes exactly 0), a moment that would decay into the
 * subnormal range becomes 0, the weight stays put when its step would be subnormal; and
 * the caller's floating-point mode is left as it was.  Where the CPU does not flush
 * (not x86, or x86 under Valgrind) the step keeps subnormals: the test says so and checks
 * the gradual values instead. */
START_TEST(adam_subnormals)
{
	enum { N = 21 };
	const int flush = ftz_honoured();
	FOR_EACH_SET({
		float w[N], m[N], v[N], g[N] = { 0 };
		for (int i = 0; i < N; i++) {
			w[i] = 0.0f;
			m[i] = i % 2 ? FLT_MIN * 0.5f : FLT_MIN; /* subnormal, or normal that decays */
			v[i] = i % 3 ? 0.25f : FLT_MIN * 0.25f;
		}
		volatile float probe = FLT_MIN, half = 0.5f;
		winit_adam_update(w, m, v, g, N, 1e-3f, 0.9f, 0.999f, 1e-7f);
		/* the caller's mode: gradual underflow still works here */
		ck_assert_float_eq(probe * half, FLT_MIN * 0.5f);
		ck_assert(probe * half != 0.0f);
		for (int i = 0; i < N; i++) {
			if (flush) {
				ck_assert_msg(m[i] == 0.0f && w[i] == 0.0f, "%s: entry %d: m %g w %g",
				              winit_kernels_name(), i, (double)m[i], (double)w[i]);
				ck_assert_msg(v[i] == (i % 3 ? 0.999f * 0.25f : 0.0f), "%s: v[%d] = %g",
				              winit_kernels_name(), i, (double)v[i]);
			} else {
				ck_assert_msg(m[i] > 0.0f && m[i] < FLT_MIN, "%s: m[%d] = %g",
				              winit_kernels_name(), i, (double)m[i]);
			}
		}
	});
	if (!flush)
		printf("adam_subnormals: this CPU does not flush subnormals (not x86, or under "
		       "Valgrind): checked that the step keeps them\n");
}
END_TEST

/* Adam on a block (rows of a strided matrix) changes exactly those entries, each as a
 * whole-array step would. */
START_TEST(adam_block_matches_whole)
{
	enum { R = 9,
	       C = 13,
	       LD = 40 };
	FOR_EACH_SET({
		lcg_state = 5;
		float *w = rand_buf(R * LD), *m = rand_buf(R * LD), *v = rand_buf(R * LD), *g = rand_buf(R * LD);
		for (int i = 0; i < R * LD; i++)
			v[i] = fabsf(v[i]);
		float *w2 = malloc(sizeof(float) * R * LD), *m2 = malloc(sizeof(float) * R * LD),
		      *v2 = malloc(sizeof(float) * R * LD);
		memcpy(w2, w, sizeof(float) * R * LD);
		memcpy(m2, m, sizeof(float) * R * LD);
		memcpy(v2, v, sizeof(float) * R * LD);
		winit_adam_update_block(w2 + 3, m2 + 3, v2 + 3, g + 3, R, C, LD, 1e-3f, 0.9f, 0.999f, 1e-7f);
		winit_adam_update(w, m, v, g, R * LD, 1e-3f, 0.9f, 0.999f, 1e-7f);
		for (int r = 0; r < R; r++)
			for (int c = 0; c < LD; c++) {
				int k = r * LD + c;
				int in_block = c >= 3 && c < 3 + C;
				if (in_block)
					ck_assert_msg(w2[k] == w[k] && m2[k] == m[k] && v2[k] == v[k],
					              "%s: entry (%d, %d) differs from the whole step", winit_kernels_name(), r, c);
				else
					ck_assert_msg(w2[k] != w[k], "%s: entry (%d, %d) outside the block changed?",
					              winit_kernels_name(), r, c);
			}
		free(w);
		free(m);
		free(v);
		free(g);
		free(w2);
		free(m2);
		free(v2);
	});
}
END_TEST

/* A bad $WINIT_KERNELS is reported (the kernels themselves fall back to auto). */
START_TEST(kernels_env_checked)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(setenv("WINIT_KERNELS", "avx9000", 1), 0);
	ck_assert_int_eq(winit_kernels_env_check(&err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "WINIT_KERNELS=avx9000"));
	ck_assert_ptr_nonnull(strstr(err.msg, "expected auto, avx512, avx2 or generic"));
	ck_assert_int_eq(setenv("WINIT_KERNELS", "generic", 1), 0);
	ck_assert_int_eq(winit_kernels_env_check(&err), WINIT_OK);
	ck_assert_int_eq(setenv("WINIT_KERNELS", "", 1), 0);
	ck_assert_int_eq(winit_kernels_env_check(&err), WINIT_OK);
	ck_assert_int_eq(unsetenv("WINIT_KERNELS"), 0);
	ck_assert_int_eq(winit_kernels_env_check(&err), WINIT_OK);
}
END_TEST

START_TEST(select_names)
{
	ck_assert_int_eq(winit_kernels_select("no-such-set"), -1);
	ck_assert_int_eq(winit_kernels_select(""), -1);
	ck_assert_int_eq(winit_kernels_select(NULL), -1);
	ck_assert_int_eq(winit_kernels_select("generic"), 0);
	ck_assert_str_eq(winit_kernels_name(), "generic");
	ck_assert_int_eq(winit_kernels_select("no-such-set"), -1);
	ck_assert_str_eq(winit_kernels_name(), "generic"); /* failure keeps the old set */
	ck_assert_int_eq(winit_kernels_select("auto"), 0);
	const char *name = winit_kernels_name();
	ck_assert(strcmp(name, "generic") == 0 || strcmp(name, "avx2") == 0 ||
	          strcmp(name, "avx512") == 0);
}
END_TEST

static Suite *kernels_suite(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("gemm");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, gemm_nn);
	tcase_add_test(tc, gemm_tn);
	tcase_add_test(tc, gemm_nt);
	tcase_add_test(tc, gemm_tt);
	tcase_add_test(tc, gemm_blocked);
	tcase_add_test(tc, gemm_agreement);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, gemm_empty);
	tcase_add_test(tc, select_names);
	tcase_add_test(tc, kernels_env_checked);
	suite_add_tcase(s, tc);

	tc = tcase_create("dense");
	tcase_add_test(tc, dense_forward);
	tcase_add_test(tc, dense_backward);
	tcase_add_test(tc, dense_forward_epilogue);
	tcase_add_test(tc, dense_blocks_match_whole);
	tcase_add_test(tc, weights_from_row_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("adam");
	tcase_add_test(tc, adam_steps);
	tcase_add_test(tc, adam_first_step);
	tcase_add_test(tc, adam_block_matches_whole);
	tcase_add_test(tc, adam_subnormals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* FOR_EACH_SET passes over a set this CPU lacks: say so once, not silently. */
	static const char *const set_names[] = { "generic", "avx2", "avx512" };
	for (size_t i = 0; i < sizeof set_names / sizeof set_names[0]; i++)
		if (winit_kernels_select(set_names[i]) != 0)
			printf("check_kernels: kernel set %s is not available on this CPU: its "
			       "cases are skipped\n",
			       set_names[i]);
	if (winit_kernels_select("auto") != 0) {
		printf("check_kernels: no kernel set selectable\n");
		return EXIT_FAILURE;
	}
	return tu_run(kernels_suite());
}
