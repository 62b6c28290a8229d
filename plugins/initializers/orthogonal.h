/* plugins/initializers/orthogonal.h -- a random orthogonal matrix from the host's
 * stream (Saxe et al. 2014, as Keras's Orthogonal draws it), shared header-only by
 * orthogonal.c and lsuv.c so each plugin stays one self-contained shared object. */
#ifndef WINIT_PLUGINS_ORTHOGONAL_H
#define WINIT_PLUGINS_ORTHOGONAL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <winit/plugin.h>

/* The tensor as a matrix: rows = product of all but the last dim, cols = the last dim
 * ((1, 1) for a scalar). */
static inline void orthogonal_shape(const struct winit_fill_args *args, int64_t *rows,
                                    int64_t *cols)
{
	if (args->n_dims == 0) {
		*rows = *cols = 1;
		return;
	}
	*cols = args->dims[args->n_dims - 1];
	*rows = args->n / (*cols > 0 ? *cols : 1);
}

/* q (k columns of length m, column-major) <- Q of its QR by modified Gram-Schmidt,
 * each column orthogonalised twice for accuracy; R's diagonal (the norms) is then
 * positive, which is the sign correction Keras applies to a Householder Q. */
static inline int orthonormalise(double *q, int64_t m, int64_t k)
{
	for (int64_t j = 0; j < k; j++) {
		double *qj = q + j * m;
		for (int pass = 0; pass < 2; pass++) {
			for (int64_t p = 0; p < j; p++) {
				const double *qp = q + p * m;
				double dot = 0.0;
				for (int64_t i = 0; i < m; i++)
					dot += qp[i] * qj[i];
				for (int64_t i = 0; i < m; i++)
					qj[i] -= dot * qp[i];
			}
		}
		double norm = 0.0;
		for (int64_t i = 0; i < m; i++)
			norm += qj[i] * qj[i];
		norm = sqrt(norm);
		if (!(norm > 1e-300))
			return -1;
		for (int64_t i = 0; i < m; i++)
			qj[i] /= norm;
	}
	return 0;
}

/* w (rows, cols) = gain times the Q factor of a Gaussian (max, min) matrix's QR, signs
 * fixed so R has a positive diagonal (transposed when rows < cols); refuses fewer than
 * 2 dims with a reason in err. */
static inline int orthogonal_fill_gain(float *w, const struct winit_fill_args *args,
                                       double gain, char *err, size_t errlen)
{
	if (args->n_dims < 2) {
		snprintf(err, errlen, "needs a tensor of at least 2 dims, got %u (use it for "
		                      "kernels, not biases)",
		         args->n_dims);
		return 1;
	}
	int64_t rows, cols;
	orthogonal_shape(args, &rows, &cols);
	const int64_t m = rows > cols ? rows : cols, k = rows > cols ? cols : rows;
	if (k <= 0)
		return 0;
	double *q = malloc((size_t)m * (size_t)k * sizeof *q); /* (k, m) column-major */
	if (!q) {
		snprintf(err, errlen, "out of memory for a %lld x %lld matrix", (long long)m,
		         (long long)k);
		return 1;
	}
	/* A Gaussian (m, k) matrix, drawn row by row. */
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < k; j++)
			q[j * m + i] = args->host->normal(args->rng);
	int tries = 0;
	while (orthonormalise(q, m, k) != 0) {
		/* Rank deficient (probability 0 in exact arithmetic): redraw. */
		if (++tries > 8) {
			free(q);
			snprintf(err, errlen, "could not orthonormalise a Gaussian matrix");
			return 1;
		}
		for (int64_t i = 0; i < m * k; i++)
			q[i] = args->host->normal(args->rng);
	}
	if (rows >= cols) {
		for (int64_t i = 0; i < rows; i++)
			for (int64_t j = 0; j < cols; j++)
				w[i * cols + j] = (float)(gain * q[j * m + i]);
	} else {
		/* W = Q^T: row i of W is column i of Q. */
		for (int64_t i = 0; i < rows; i++)
			for (int64_t j = 0; j < cols; j++)
				w[i * cols + j] = (float)(gain * q[i * m + j]);
	}
	free(q);
	return 0;
}

#endif
