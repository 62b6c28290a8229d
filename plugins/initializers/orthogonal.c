/* plugins/initializers/orthogonal.c -- Keras's `orthogonal{gain}` (Saxe et al. 2014):
 * the tensor, viewed as (rows = product of all but the last dim, cols = last dim), is
 * gain times the Q factor of a Gaussian matrix's QR decomposition, signs fixed so R has
 * a positive diagonal.  Then W^T W = gain^2 I (rows >= cols) or W W^T = gain^2 I. */
#include <math.h>

#include <winit/plugin.h>

#include "orthogonal.h"

static const struct winit_param_decl params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "multiplies the orthogonal matrix",
	  NULL },
};

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
	orthogonal_shape(args, &rows, &cols);
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
