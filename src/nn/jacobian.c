/* src/nn/jacobian.c -- the singular values of a model's Jacobian between two layers at
 * given inputs (dynamical isometry: Saxe et al. 2014, Pennington et al. 2017): the slice
 * of the graph between them made a model of its own with the same weights, its rows of
 * the Jacobian from one backward pass of a batch of copies of the input (row j's output
 * gradient the j-th unit vector), and the eigenvalues of J J^T (or J^T J, the smaller) by
 * cyclic Jacobi rotations in double -- or, for Jacobians too large for that (O(k^3) per
 * sweep), Golub-Kahan-Lanczos bidiagonalization of the same J: its extreme singular values
 * and the exact mean of their squares (the Frobenius norm). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/rng.h>

/* The layers (from, to] of spec as a spec of their own: input from's output (or the
 * model's input), inputs renumbered; WINIT_ERR_ARG when one of them reads a layer at or
 * before `from` other than `from` itself. */
static int slice(struct winit_model_spec *out, const struct winit_model *m, int32_t from, int32_t to,
                 struct winit_error *err)
{
	const struct winit_model_spec *spec = &m->spec;
	memset(out, 0, sizeof *out);
	/* from the model's input: as its first layer reads it (flattened for a chain's first
	 * layer, as Sequential{Flatten{input_shape = ...}, Dense{...}} builds it) */
	struct winit_shape in = from < 0 ? winit_model_spec_input_of(spec, 0) : m->layer[from].shape;
	out->n_input_dims = in.rank;
	for (int32_t k = 0; k < in.rank; k++)
		out->input_shape[k] = in.dim[k];
	out->n_inputs = winit_shape_elements(&in);
	out->loss = spec->loss;
	int rc = WINIT_OK;
	for (int32_t i = from + 1; i <= to && !rc; i++) {
		int32_t src[64];
		int32_t n = winit_model_spec_layer_inputs(spec, i, src, 64);
		for (int32_t k = 0; k < n && k < 64 && !rc; k++) {
			if (src[k] == from)
				src[k] = WINIT_MODEL_INPUT;
			else if (src[k] < from || (src[k] == WINIT_MODEL_INPUT && from >= 0))
				rc = winit_error_set(err, WINIT_ERR_ARG,
				                     "jacobian: layer %d reads layer %d, outside the layers %d to %d",
				                     (int)i + 1, (int)src[k] + 1, (int)from + 2, (int)to + 1);
			else
				src[k] -= from + 1;
		}
		if (!rc) /* inputs named: a chain's first layer would flatten its input */
			rc = winit_model_spec_add_node(out, &spec->layers[i], src, n, err);
	}
	if (rc)
		winit_model_spec_free(out);
	return rc;
}

/* The eigenvalues of the symmetric n x n matrix a (destroyed) into e, by cyclic Jacobi
 * sweeps until the off-diagonal mass is below 1e-22 of the total. */
static void jacobi_eigenvalues(double *a, int64_t n, double *e)
{
	for (int sweep = 0; sweep < 60; sweep++) {
		double off = 0, total = 0;
		for (int64_t i = 0; i < n; i++)
			for (int64_t j = 0; j < n; j++) {
				total += a[i * n + j] * a[i * n + j];
				if (i != j)
					off += a[i * n + j] * a[i * n + j];
			}
		if (off <= 1e-22 * total || off == 0)
			break;
		for (int64_t p = 0; p < n - 1; p++)
			for (int64_t q = p + 1; q < n; q++) {
				double apq = a[p * n + q];
				if (fabs(apq) < 1e-300)
					continue;
				double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
				double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
				double c = 1 / sqrt(t * t + 1), s = t * c;
				for (int64_t k = 0; k < n; k++) { /* columns p, q */
					double akp = a[k * n + p], akq = a[k * n + q];
					a[k * n + p] = c * akp - s * akq;
					a[k * n + q] = s * akp + c * akq;
				}
				for (int64_t k = 0; k < n; k++) { /* rows p, q */
					double apk = a[p * n + k], aqk = a[q * n + k];
					a[p * n + k] = c * apk - s * aqk;
					a[q * n + k] = s * apk + c * aqk;
				}
			}
	}
	for (int64_t i = 0; i < n; i++)
		e[i] = a[i * n + i];
}

static int descending(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

/* The Jacobian between two layers, made row block by row block: the slice as a model of
 * its own (same weights), and the buffers of one block of backward passes. */
struct jac {
	struct winit_model sub;
	int64_t rows, cols, chunk; /* J is rows x cols; chunk rows per backward pass */
	float *batch, *dout;
	const float *in; /* the model's activations at `from` for the examples */
};

enum { JAC_CHUNK = 256 };

static void jac_close(struct jac *j)
{
	j->sub.dx = NULL;
	free(j->batch);
	free(j->dout);
	winit_model_free(&j->sub);
}

static int jac_open(struct jac *j, struct winit_model *m, const float *x, int64_t n_examples,
                    int32_t from, int32_t to, int64_t chunk, struct winit_error *err)
{
	memset(j, 0, sizeof *j);
	if (from < -1 || to <= from || to >= m->spec.n_layers)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "jacobian: layers must satisfy 0 <= from < to <= %d (from 0: the "
		                       "model's input), got from %d, to %d",
		                       (int)m->spec.n_layers, (int)from + 1, (int)to + 1);
	struct winit_model_spec s;
	int rc = slice(&s, m, from, to, err);
	if (rc)
		return rc;
	rc = winit_model_init(&j->sub, &s, 0, err);
	winit_model_spec_free(&s);
	if (rc)
		return rc;
	struct winit_model *sub = &j->sub;
	sub->output_fused = 0; /* after the last layer's activation, whatever the loss */
	/* The slice's tensors are the model's, laid out the same way from its first. */
	int64_t begin = -1;
	for (int32_t i = from + 1; i <= to && begin < 0; i++)
		if (m->layer[i].t[0])
			begin = m->layer[i].t[0] - m->params;
	if (begin >= 0)
		memcpy(sub->params, m->params + begin, (size_t)sub->n_params * sizeof(float));
	j->rows = sub->layer[sub->spec.n_layers - 1].n_out;
	j->cols = sub->spec.n_inputs;
	j->chunk = chunk < j->rows ? chunk : j->rows;
	j->batch = malloc((size_t)(j->chunk * j->cols) * sizeof *j->batch);
	j->dout = malloc((size_t)(j->chunk * j->rows) * sizeof *j->dout);
	if (!j->batch || !j->dout || winit_model_reserve(m, n_examples, err) ||
	    winit_model_reserve(sub, j->chunk, err)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "jacobian: no memory for a %lld x %lld Jacobian",
		                     (long long)j->rows, (long long)j->cols);
		jac_close(j);
		return rc;
	}
	j->in = from < 0 ? x : winit_model_forward_layers(m, x, n_examples, from + 1);
	return WINIT_OK;
}

/* J (rows x cols, row r the gradient of output r) at example ex: blocks of `chunk` rows,
 * each one backward pass of a batch of copies of the input whose output gradients are
 * the block's unit vectors. */
static int jac_rows(struct jac *j, int64_t ex, float *jac, struct winit_error *err)
{
	const int64_t rows = j->rows, cols = j->cols;
	for (int64_t r0 = 0; r0 < rows; r0 += j->chunk) {
		const int64_t nb = rows - r0 < j->chunk ? rows - r0 : j->chunk;
		for (int64_t r = 0; r < nb; r++)
			memcpy(j->batch + r * cols, j->in + ex * cols, (size_t)cols * sizeof *j->batch);
		memset(j->dout, 0, (size_t)(nb * rows) * sizeof *j->dout);
		for (int64_t r = 0; r < nb; r++)
			j->dout[r * rows + r0 + r] = 1.0f;
		j->sub.dx = jac + r0 * cols;
		winit_model_forward(&j->sub, j->batch, nb);
		winit_model_backward(&j->sub, j->batch, j->dout, nb);
		int rc = winit_model_fault(&j->sub, err);
		if (rc)
			return rc;
	}
	return WINIT_OK;
}

int winit_model_jacobian_spectrum(struct winit_model *m, const float *x, int64_t n_examples,
                                  int32_t from, int32_t to, double *sv, int64_t *n_sv,
                                  struct winit_error *err)
{
	struct jac j;
	int rc = jac_open(&j, m, x, n_examples, from, to, INT64_MAX, err);
	if (rc)
		return rc;
	const int64_t rows = j.rows, cols = j.cols;
	const int64_t k = rows < cols ? rows : cols;
	float *jac = malloc((size_t)(rows * cols) * sizeof *jac);
	double *g = malloc((size_t)(k * k) * sizeof *g), *e = malloc((size_t)k * sizeof *e);
	if (!jac || !g || !e)
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "jacobian: no memory for a %lld x %lld Jacobian",
		                     (long long)rows, (long long)cols);
	for (int64_t ex = 0; ex < n_examples && !rc; ex++) {
		if ((rc = jac_rows(&j, ex, jac, err)))
			break;
		/* G = J J^T (rows <= cols) or J^T J, in double. */
		for (int64_t a = 0; a < k; a++)
			for (int64_t b = 0; b <= a; b++) {
				double sum = 0;
				if (rows <= cols)
					for (int64_t c = 0; c < cols; c++)
						sum += (double)jac[a * cols + c] * jac[b * cols + c];
				else
					for (int64_t c = 0; c < rows; c++)
						sum += (double)jac[c * cols + a] * jac[c * cols + b];
				g[a * k + b] = g[b * k + a] = sum;
			}
		jacobi_eigenvalues(g, k, e);
		qsort(e, (size_t)k, sizeof *e, descending);
		for (int64_t q = 0; q < k; q++)
			sv[ex * k + q] = sqrt(e[q] > 0 ? e[q] : 0);
	}
	*n_sv = k;
	free(jac);
	free(g);
	free(e);
	jac_close(&j);
	return rc;
}

/* y = J v (transpose 0: J rows x cols, v cols) or J^T v (transpose 1), in double. */
static void jac_apply(const float *jac, int64_t rows, int64_t cols, int transpose, const double *v,
                      double *y)
{
	if (!transpose) {
		for (int64_t r = 0; r < rows; r++) {
			double s = 0;
			for (int64_t c = 0; c < cols; c++)
				s += (double)jac[r * cols + c] * v[c];
			y[r] = s;
		}
		return;
	}
	memset(y, 0, (size_t)cols * sizeof *y);
	for (int64_t r = 0; r < rows; r++)
		for (int64_t c = 0; c < cols; c++)
			y[c] += (double)jac[r * cols + c] * v[r];
}

/* w minus its components along the first n columns of basis (each of length len, stored
 * one after another), twice (full reorthogonalization: "twice is enough"); its norm. */
static double reorthogonalize(double *w, const double *basis, int64_t n, int64_t len)
{
	for (int pass = 0; pass < 2; pass++)
		for (int64_t q = 0; q < n; q++) {
			const double *b = basis + q * len;
			double d = 0;
			for (int64_t i = 0; i < len; i++)
				d += b[i] * w[i];
			for (int64_t i = 0; i < len; i++)
				w[i] -= d * b[i];
		}
	double s = 0;
	for (int64_t i = 0; i < len; i++)
		s += w[i] * w[i];
	return sqrt(s);
}

/* A unit vector of length len orthogonal to the n basis vectors: drawn from rng (a fixed
 * stream: the same vectors every call); 0 when none could be found (n == len). */
static int fresh_direction(double *w, const double *basis, int64_t n, int64_t len,
                           struct winit_rng *rng)
{
	for (int tries = 0; tries < 4 && n < len; tries++) {
		for (int64_t i = 0; i < len; i++)
			w[i] = winit_rng_normal(rng);
		double before = sqrt((double)len), norm = reorthogonalize(w, basis, n, len);
		if (norm > 1e-8 * before) {
			for (int64_t i = 0; i < len; i++)
				w[i] /= norm;
			return 1;
		}
	}
	return 0;
}

/* Golub-Kahan-Lanczos bidiagonalization of J (rows x cols) for s steps, with full
 * reorthogonalization and a fresh direction after a breakdown (an invariant subspace
 * found: its singular values are exact, and the next ones come from the rest): alpha
 * (the diagonal of B, s values) and beta (its superdiagonal, s - 1); the singular values
 * of B are J's Ritz values, the extreme ones converging first. */
static int bidiagonalize(const float *jac, int64_t rows, int64_t cols, int64_t s, double *alpha,
                         double *beta, double *v, double *u, double *w)
{
	struct winit_rng rng;
	winit_rng_seed(&rng, 0x1a4c205, 0);
	if (!fresh_direction(v, NULL, 0, cols, &rng))
		return -1;
	for (int64_t q = 0; q < s; q++) {
		double *vq = v + q * cols, *uq = u + q * rows;
		jac_apply(jac, rows, cols, 0, vq, uq); /* u_q = J v_q - beta_{q-1} u_{q-1} */
		if (q > 0)
			for (int64_t i = 0; i < rows; i++)
				uq[i] -= beta[q - 1] * u[(q - 1) * rows + i];
		alpha[q] = reorthogonalize(uq, u, q, rows);
		if (alpha[q] > 1e-12) {
			for (int64_t i = 0; i < rows; i++)
				uq[i] /= alpha[q];
		} else { /* J v_q lies in the span so far: alpha_q = 0, u_q a fresh unit vector */
			alpha[q] = 0;
			if (!fresh_direction(uq, u, q, rows, &rng))
				return -1;
		}
		if (q + 1 == s)
			break;
		jac_apply(jac, rows, cols, 1, uq, w); /* v_{q+1} = J^T u_q - alpha_q v_q */
		for (int64_t i = 0; i < cols; i++)
			w[i] -= alpha[q] * vq[i];
		beta[q] = reorthogonalize(w, v, q + 1, cols);
		double *next = v + (q + 1) * cols;
		if (beta[q] > 1e-12) {
			for (int64_t i = 0; i < cols; i++)
				next[i] = w[i] / beta[q];
		} else { /* breakdown: restart in the orthogonal complement */
			beta[q] = 0;
			if (!fresh_direction(next, v, q + 1, cols, &rng))
				return -1;
		}
	}
	return 0;
}

int winit_model_jacobian_lanczos(struct winit_model *m, const float *x, int64_t n_examples,
                                 int32_t from, int32_t to, int64_t steps, double *sv,
                                 int64_t *n_sv, double *mean_sq, struct winit_error *err)
{
	if (steps < 1)
		return winit_error_set(err, WINIT_ERR_ARG, "jacobian: Lanczos steps must be at least 1, got %lld",
		                       (long long)steps);
	struct jac j;
	int rc = jac_open(&j, m, x, n_examples, from, to, JAC_CHUNK, err);
	if (rc)
		return rc;
	const int64_t rows = j.rows, cols = j.cols, k = rows < cols ? rows : cols;
	const int64_t s = steps < k ? steps : k;
	float *jac = malloc((size_t)(rows * cols) * sizeof *jac);
	double *v = malloc((size_t)(s * cols) * sizeof *v), *u = malloc((size_t)(s * rows) * sizeof *u),
	       *w = malloc((size_t)cols * sizeof *w), *alpha = malloc((size_t)s * sizeof *alpha),
	       *beta = calloc((size_t)s, sizeof *beta), *t = malloc((size_t)(s * s) * sizeof *t),
	       *e = malloc((size_t)s * sizeof *e);
	if (!jac || !v || !u || !w || !alpha || !beta || !t || !e)
		rc = winit_error_set(err, WINIT_ERR_NOMEM,
		                     "jacobian: no memory for a %lld x %lld Jacobian and %lld Lanczos "
		                     "vectors",
		                     (long long)rows, (long long)cols, (long long)s);
	for (int64_t ex = 0; ex < n_examples && !rc; ex++) {
		if ((rc = jac_rows(&j, ex, jac, err)))
			break;
		double fro = 0; /* the sum of the squared singular values, exactly */
		for (int64_t i = 0; i < rows * cols; i++)
			fro += (double)jac[i] * jac[i];
		mean_sq[ex] = fro / (double)k;
		if (bidiagonalize(jac, rows, cols, s, alpha, beta, v, u, w)) {
			rc = winit_error_set(err, WINIT_ERR_ARG, "jacobian: Lanczos found no new direction");
			break;
		}
		/* B^T B, tridiagonal: alpha_q^2 + beta_{q-1}^2 on the diagonal, alpha_q beta_q off it */
		memset(t, 0, (size_t)(s * s) * sizeof *t);
		for (int64_t q = 0; q < s; q++) {
			t[q * s + q] = alpha[q] * alpha[q] + (q ? beta[q - 1] * beta[q - 1] : 0);
			if (q + 1 < s)
				t[q * s + q + 1] = t[(q + 1) * s + q] = alpha[q] * beta[q];
		}
		jacobi_eigenvalues(t, s, e);
		qsort(e, (size_t)s, sizeof *e, descending);
		for (int64_t q = 0; q < s; q++)
			sv[ex * s + q] = sqrt(e[q] > 0 ? e[q] : 0);
	}
	*n_sv = s;
	free(jac);
	free(v);
	free(u);
	free(w);
	free(alpha);
	free(beta);
	free(t);
	free(e);
	jac_close(&j);
	return rc;
}
