/* plugins/initializers/orthogonal.c -- Keras's `orthogonal{gain}` (Saxe et al. 2014):
 * the tensor, viewed as (rows = product of all but the last dim, cols = last dim), is
 * gain times the Q factor of a Gaussian matrix's QR decomposition, signs fixed so R has
 * a positive diagonal.  Then W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I.
 *
 * Also `lsuv{tol, max_iter, target}` (Mishkin & Matas 2016, "All you need is a good
 * init"): an orthogonal start, then, on a batch of real training data, the kernel is
 * divided by the standard deviation of the layer's output until that output's variance
 * is 1 within tol -- the data-aware `adapt` hook of the plugin ABI. */
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

static int orthogonal_fill_gain(float *w, const struct winit_fill_args *args, double gain,
				char *err, size_t errlen)
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

static int orthogonal_fill(float *w, const struct winit_fill_args *args, char *err,
			   size_t errlen)
{
	return orthogonal_fill_gain(w, args, args->params[0], err, errlen);
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

/* ---- LSUV ---- */

enum { LSUV_TOL, LSUV_MAX_ITER, LSUV_TARGET };

static const char *const lsuv_targets[] = { "preactivation", "activation", NULL };

static const struct winit_param_decl lsuv_params[] = {
	{ "tol", WINIT_PARAM_REAL, 0.1, 1e-6, 1.0, "stop when |Var(output) - 1| < tol", NULL },
	{ "max_iter", WINIT_PARAM_INT, 10, 1, 100, "most rescaling passes per layer", NULL },
	{ "target", WINIT_PARAM_CHOICE, 0, 0, 0,
	  "whose variance is brought to 1: the layer's output before or after its activation",
	  lsuv_targets },
};

static int lsuv_fill(float *w, const struct winit_fill_args *args, char *err, size_t errlen)
{
	return orthogonal_fill_gain(w, args, 1.0, err, errlen);
}

static double variance(const float *x, int64_t n)
{
	double sum = 0, ss = 0;
	for (int64_t i = 0; i < n; i++)
		sum += x[i];
	double mean = sum / (double)n;
	for (int64_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return ss / (double)n;
}

static int lsuv_adapt(float *w, const struct winit_fill_args *args, const struct winit_probe *p,
		      char *err, size_t errlen)
{
	const double tol = args->params[LSUV_TOL];
	const int max_iter = (int)args->params[LSUV_MAX_ITER];
	const int activated = (int)args->params[LSUV_TARGET] == 1;
	const int64_t n_out = p->rows * p->n_out, n_w = p->n_in * p->n_out;
	float *out = malloc((size_t)n_out * sizeof *out); /* (rows, n_out) */
	if (!out) {
		snprintf(err, errlen, "out of memory for a %lld x %lld output", (long long)p->rows,
			 (long long)p->n_out);
		return 1;
	}
	for (int it = 0; it < max_iter; it++) {
		p->layer_forward(p, out, w, activated);
		double var = variance(out, n_out);
		if (!(var > 0) || !isfinite(var)) {
			free(out);
			snprintf(err, errlen, "the layer's output variance on the data is %g; "
				 "cannot rescale it to 1 (dead units or a constant input?)", var);
			return 1;
		}
		if (fabs(var - 1.0) < tol)
			break;
		const float s = (float)(1.0 / sqrt(var));
		for (int64_t i = 0; i < n_w; i++)
			w[i] *= s;
	}
	free(out);
	return 0;
}

static double lsuv_stddev(const struct winit_fill_args *args)
{
	(void)args;
	return NAN; /* depends on the data */
}

static const struct winit_initializer lsuv = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 3,
		.name = "lsuv",
		.summary = "layer-sequential unit variance: orthogonal, then rescaled on real data",
		.params = lsuv_params,
		.formula = "W = Q / sd(layer output on a training batch), repeated until |Var - 1| < tol",
	},
	.fill = lsuv_fill,
	.stddev = lsuv_stddev,
	.adapt = lsuv_adapt,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &orthogonal.info;
	case 1: return &lsuv.info;
	default: return NULL;
	}
}
