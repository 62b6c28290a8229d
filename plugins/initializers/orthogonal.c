/* plugins/initializers/orthogonal.c -- Keras's `orthogonal{gain}` (Saxe et al. 2014):
 * the tensor, viewed as (rows = product of all but the last dim, cols = last dim), is
 * gain times the Q factor of a Gaussian matrix's QR decomposition, signs fixed so R has
 * a positive diagonal.  Then W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <winit/plugin.h>

static const struct winit_param_decl params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "multiplies the orthogonal matrix",
	  NULL },
};

static void shape(const struct winit_fill_args *args, int64_t *rows, int64_t *cols)
{
	*cols = args->dims[args->n_dims - 1];
	*rows = args->n_dims ? args->n / (*cols > 0 ? *cols : 1) : 1;
}

/* q (k columns of length m, column-major) <- Q of its QR by modified Gram-Schmidt,
 * each column orthogonalised twice for accuracy; R's diagonal (the norms) is then
 * positive, which is the sign correction Keras applies to a Householder Q. */
static int orthonormalise(double *q, int64_t m, int64_t k)
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

static int orthogonal_fill(float *w, const struct winit_fill_args *args, char *err,
			   size_t errlen)
{
	if (args->n_dims < 2) {
		snprintf(err, errlen, "needs a tensor of at least 2 dims, got %u (use it for "
			 "kernels, not biases)", args->n_dims);
		return 1;
	}
	int64_t rows, cols;
	shape(args, &rows, &cols);
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
	const double gain = args->params[0];
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

/* Entries of an orthonormal (m, k) matrix have mean square 1/m. */
static double orthogonal_stddev(const struct winit_fill_args *args)
{
	if (args->n_dims < 2)
		return NAN;
	int64_t rows, cols;
	shape(args, &rows, &cols);
	const int64_t m = rows > cols ? rows : cols;
	return args->params[0] / sqrt((double)(m > 1 ? m : 1));
}

static const struct winit_initializer orthogonal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 1,
		.name = "orthogonal",
		.summary = "random orthogonal matrix times gain (Keras Orthogonal)",
		.params = params,
		.formula = "gain * Q, A = QR with A ~ N(0, 1)^(max x min), diag(R) > 0",
	},
	.fill = orthogonal_fill,
	.stddev = orthogonal_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &orthogonal.info : NULL;
}
