/* plugins/initializers/lsuv.c -- `lsuv{tol, max_iter, target}` (Mishkin & Matas 2016,
 * "All you need is a good init"): an orthogonal start, then, on a batch of real training
 * data, the kernel is divided by the standard deviation of the layer's output until that
 * output's variance is 1 within tol -- the data-aware `adapt` hook of the plugin ABI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <winit/plugin.h>

#include "orthogonal.h"

enum { LSUV_TOL,
       LSUV_MAX_ITER,
       LSUV_TARGET };

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
			                      "cannot rescale it to 1 (dead units or a constant input?)",
			         var);
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
	return index == 0 ? &lsuv.info : NULL;
}
