/* plugins/initializers/delta_orthogonal.c -- Xiao et al. (2018)'s delta-orthogonal
 * kernel for convolutions, as TensorFlow's ConvolutionDeltaOrthogonal draws it: a kernel
 * (k1, ..., cin, cout) that is zero except at its spatial centre ((k - 1) / 2 on each
 * spatial axis), where it is gain times a random (cin, cout) matrix with orthonormal rows
 * (cin <= cout).  A convolution with it maps every input's norm to gain times it: the
 * dynamical isometry that trains vanilla CNNs 10,000 layers deep at the edge of chaos.
 * Where TensorFlow refuses, winit goes on: with more input channels than filters the
 * centre has orthonormal columns (not an isometry), and a kernel without spatial dims
 * (a Dense kernel: a 1x1 convolution's) is all centre, Keras's orthogonal. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/plugin.h>

#include "orthogonal.h"

static const struct winit_param_decl params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "multiplies the orthogonal matrix at the centre",
	  NULL },
};

static int delta_orthogonal_fill(float *w, const struct winit_fill_args *args, char *err,
                                 size_t errlen)
{
	if (args->n_dims < 2) {
		snprintf(err, errlen, "needs a kernel of at least 2 dims (spatial dims, cin, cout), got %u",
		         args->n_dims);
		return 1;
	}
	const int64_t cin = args->dims[args->n_dims - 2], cout = args->dims[args->n_dims - 1];
	memset(w, 0, (size_t)args->n * sizeof *w);
	/* The centre's offset: row-major over the spatial dims. */
	int64_t centre = 0;
	for (uint32_t a = 0; a + 2 < args->n_dims; a++)
		centre = centre * args->dims[a] + (args->dims[a] - 1) / 2;
	const int64_t dims[2] = { cin, cout };
	struct winit_fill_args m = *args;
	m.n_dims = 2;
	m.dims = dims;
	m.n = cin * cout;
	return orthogonal_fill_gain(w + centre * cin * cout, &m, args->params[0], err, errlen);
}

/* gain^2 min(cin, cout) spread over the kernel's entries. */
static double delta_orthogonal_stddev(const struct winit_fill_args *args)
{
	if (args->n_dims < 2 || args->n <= 0)
		return NAN;
	const int64_t cin = args->dims[args->n_dims - 2], cout = args->dims[args->n_dims - 1];
	return args->params[0] * sqrt((double)(cin < cout ? cin : cout) / (double)args->n);
}

static const struct winit_initializer delta_orthogonal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 1,
		.name = "delta_orthogonal",
		.summary = "zero but an orthogonal cin x cout matrix at the kernel's centre (Xiao et al. 2018)",
		.params = params,
		.formula = "W[centre] = gain * Q (orthonormal rows), 0 elsewhere",
	},
	.fill = delta_orthogonal_fill,
	.stddev = delta_orthogonal_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &delta_orthogonal.info : NULL;
}
