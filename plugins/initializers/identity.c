/* plugins/initializers/identity.c -- Keras's `identity{gain}`: gain times the (rows,
 * cols) identity matrix (ones on the main diagonal); 2-D tensors only. */
#include <math.h>
#include <stdio.h>

#include <winit/plugin.h>

static const struct winit_param_decl params[] = {
	{ "gain", WINIT_PARAM_REAL, 1.0, -HUGE_VAL, HUGE_VAL, "value on the diagonal", NULL },
};

static int identity_fill(float *w, const struct winit_fill_args *args, char *err,
                         size_t errlen)
{
	if (args->n_dims != 2) {
		snprintf(err, errlen, "needs a 2-D tensor, got %u dims", args->n_dims);
		return 1;
	}
	const int64_t rows = args->dims[0], cols = args->dims[1];
	const float g = (float)args->params[0];
	for (int64_t i = 0; i < rows; i++)
		for (int64_t j = 0; j < cols; j++)
			w[i * cols + j] = i == j ? g : 0.0f;
	return 0;
}

/* Population sd of the entries: a fraction p = min/(rows cols) of them equal gain. */
static double identity_stddev(const struct winit_fill_args *args)
{
	if (args->n_dims != 2 || args->n <= 0)
		return NAN;
	const int64_t rows = args->dims[0], cols = args->dims[1];
	const double p = (double)(rows < cols ? rows : cols) / (double)args->n;
	return fabs(args->params[0]) * sqrt(p - p * p);
}

static const struct winit_initializer identity = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 1,
		.name = "identity",
		.summary = "gain times the identity matrix (Keras Identity; 2-D only)",
		.params = params,
		.formula = "w[i][j] = gain if i == j else 0",
	},
	.fill = identity_fill,
	.stddev = identity_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	return index == 0 ? &identity.info : NULL;
}
