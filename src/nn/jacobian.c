/* src/nn/jacobian.c -- the singular values of a model's Jacobian between two layers at
 * given inputs (dynamical isometry: Saxe et al. 2014, Pennington et al. 2017): the slice
 * of the graph between them made a model of its own with the same weights, its rows of
 * the Jacobian from one backward pass of a batch of copies of the input (row j's output
 * gradient the j-th unit vector), and the eigenvalues of J J^T (or J^T J, the smaller) by
 * cyclic Jacobi rotations in double. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>

/* The layers (from, to] of spec as a spec of their own: input from's output (or the
 * model's input), inputs renumbered; WINIT_ERR_ARG when one of them reads a layer at or
 * before `from` other than `from` itself. */
static int slice(struct winit_model_spec *out, const struct winit_model *m, int32_t from, int32_t to,
                 struct winit_error *err)
{
	const struct winit_model_spec *spec = &m->spec;
	memset(out, 0, sizeof *out);
	struct winit_shape in = from < 0 ? winit_model_spec_input_shape(spec) : m->layer[from].shape;
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

int winit_model_jacobian_spectrum(struct winit_model *m, const float *x, int64_t n_examples,
                                  int32_t from, int32_t to, double *sv, int64_t *n_sv,
                                  struct winit_error *err)
{
	if (from < -1 || to <= from || to >= m->spec.n_layers)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "jacobian: layers must satisfy 0 <= from < to <= %d (from 0: the "
		                       "model's input), got from %d, to %d",
		                       (int)m->spec.n_layers, (int)from + 1, (int)to + 1);
	struct winit_model_spec s;
	int rc = slice(&s, m, from, to, err);
	if (rc)
		return rc;
	struct winit_model sub;
	if ((rc = winit_model_init(&sub, &s, 0, err))) {
		winit_model_spec_free(&s);
		return rc;
	}
	winit_model_spec_free(&s);
	sub.output_fused = 0; /* after the last layer's activation, whatever the loss */
	/* The slice's tensors are the model's, laid out the same way from its first. */
	int64_t begin = -1;
	for (int32_t i = from + 1; i <= to && begin < 0; i++)
		if (m->layer[i].t[0])
			begin = m->layer[i].t[0] - m->params;
	if (begin >= 0)
		memcpy(sub.params, m->params + begin, (size_t)sub.n_params * sizeof(float));
	const int64_t rows = sub.layer[sub.spec.n_layers - 1].n_out, cols = sub.spec.n_inputs;
	const int64_t k = rows < cols ? rows : cols;
	float *batch = malloc((size_t)(rows * cols) * sizeof *batch),
	      *dout = malloc((size_t)(rows * rows) * sizeof *dout),
	      *jac = malloc((size_t)(rows * cols) * sizeof *jac);
	double *g = malloc((size_t)(k * k) * sizeof *g), *e = malloc((size_t)k * sizeof *e);
	if (!batch || !dout || !jac || !g || !e || winit_model_reserve(m, n_examples, err) ||
	    winit_model_reserve(&sub, rows, err)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "jacobian: no memory for a %lld x %lld Jacobian",
		                     (long long)rows, (long long)cols);
		goto out;
	}
	const float *in = from < 0 ? x : winit_model_forward_layers(m, x, n_examples, from + 1);
	sub.dx = jac;
	for (int64_t ex = 0; ex < n_examples && !rc; ex++) {
		for (int64_t r = 0; r < rows; r++)
			memcpy(batch + r * cols, in + ex * cols, (size_t)cols * sizeof *batch);
		memset(dout, 0, (size_t)(rows * rows) * sizeof *dout);
		for (int64_t r = 0; r < rows; r++)
			dout[r * rows + r] = 1.0f;
		winit_model_forward(&sub, batch, rows);
		winit_model_backward(&sub, batch, dout, rows);
		if ((rc = winit_model_fault(&sub, err)))
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
		for (int64_t j = 0; j < k; j++)
			sv[ex * k + j] = sqrt(e[j] > 0 ? e[j] : 0);
	}
	*n_sv = k;
out:
	sub.dx = NULL;
	free(batch);
	free(dout);
	free(jac);
	free(g);
	free(e);
	winit_model_free(&sub);
	return rc;
}
