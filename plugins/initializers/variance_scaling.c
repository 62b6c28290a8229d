/* plugins/initializers/variance_scaling.c -- Keras's VarianceScaling family: the general
 * `variance_scaling{scale, mode, distribution}` and the fixed members `he_uniform`,
 * `lecun_normal` and `lecun_uniform` (Keras semantics; truncated normals are corrected
 * so the kept values have sd sqrt(scale / n)). */
#include <math.h>
#include <stdio.h>

#include <winit/plugin.h>
#include <winit/plugin_util.h>

enum mode { FAN_IN,
	    FAN_OUT,
	    FAN_AVG };
enum distribution { TRUNCATED_NORMAL,
	            UNTRUNCATED_NORMAL,
	            UNIFORM };

static const char *const modes[] = { "fan_in", "fan_out", "fan_avg", NULL };
static const char *const distributions[] = { "truncated_normal", "untruncated_normal",
	                                     "uniform", NULL };

static const struct winit_param_decl vs_params[] = {
	{ "scale", WINIT_PARAM_REAL, 1.0, 0.0, HUGE_VAL, "variance scale (> 0)", NULL },
	{ "mode", WINIT_PARAM_CHOICE, FAN_IN, 0, 0, "n = fan_in, fan_out or their mean",
	  modes },
	{ "distribution", WINIT_PARAM_CHOICE, TRUNCATED_NORMAL, 0, 0,
	  "truncated_normal, untruncated_normal or uniform", distributions },
};

/* The sd every member yields: sqrt(scale / max(1, n)). */
static double vs_sd(const struct winit_fill_args *args, double scale, int mode)
{
	double n = mode == FAN_IN  ? (double)args->fan_in :
	           mode == FAN_OUT ? (double)args->fan_out :
	                             0.5 * (double)(args->fan_in + args->fan_out);
	return sqrt(scale / (n > 1.0 ? n : 1.0));
}

static void vs_fill(float *w, const struct winit_fill_args *args, double sd, int dist)
{
	if (dist == UNIFORM) {
		const double limit = sqrt(3.0) * sd;
		for (int64_t i = 0; i < args->n; i++)
			w[i] = (float)(limit * (2.0 * args->host->uniform(args->rng) - 1.0));
	} else if (dist == UNTRUNCATED_NORMAL) {
		for (int64_t i = 0; i < args->n; i++)
			w[i] = (float)(sd * args->host->normal(args->rng));
	} else {
		const double s = sd / WINIT_TRUNCATED_SD;
		winit_truncated_normal(w, args->n, args->host, args->rng, 0.0, s);
	}
}

static int variance_scaling_check(const double *params, char *err, size_t errlen)
{
	if (!(params[0] > 0.0)) {
		snprintf(err, errlen, "scale must be positive (Keras: scale > 0), got %g", params[0]);
		return 1;
	}
	return 0;
}

static int variance_scaling_fill(float *w, const struct winit_fill_args *args, char *err,
                                 size_t errlen)
{
	const double scale = args->params[0];
	if (variance_scaling_check(args->params, err, errlen))
		return 1;
	vs_fill(w, args, vs_sd(args, scale, (int)args->params[1]), (int)args->params[2]);
	return 0;
}

static double variance_scaling_stddev(const struct winit_fill_args *args)
{
	return vs_sd(args, args->params[0], (int)args->params[1]);
}

#define FIXED_MEMBER(NAME, SCALE, DIST)                                                 \
	static int NAME##_fill(float *w, const struct winit_fill_args *args, char *err, \
	                       size_t errlen)                                           \
	{                                                                               \
		(void)err;                                                              \
		(void)errlen;                                                           \
		vs_fill(w, args, vs_sd(args, SCALE, FAN_IN), DIST);                     \
		return 0;                                                               \
	}                                                                               \
	static double NAME##_stddev(const struct winit_fill_args *args)                 \
	{                                                                               \
		return vs_sd(args, SCALE, FAN_IN);                                      \
	}

FIXED_MEMBER(he_uniform, 2.0, UNIFORM)
FIXED_MEMBER(lecun_normal, 1.0, TRUNCATED_NORMAL)
FIXED_MEMBER(lecun_uniform, 1.0, UNIFORM)

#define INFO(NAME, NPARAMS, PARAMS, SUMMARY, FORMULA)                              \
	{                                                                          \
		.abi_version = WINIT_PLUGIN_ABI_VERSION,                           \
		.struct_size = sizeof(struct winit_initializer),                   \
		.kind = WINIT_KIND_INITIALIZER, .n_params = NPARAMS, .name = NAME, \
		.summary = SUMMARY, .params = PARAMS, .formula = FORMULA,          \
	}

static const struct winit_initializer variance_scaling = {
	.info = INFO("variance_scaling", 3, vs_params,
	             "Keras VarianceScaling: sd sqrt(scale/n), n by mode, normal or uniform",
	             "sd = sqrt(scale/n), n = fan_in | fan_out | (fan_in+fan_out)/2; "
	             "truncated_normal: N(0, (sd/0.87962566)^2) redrawn beyond 2 of its sd; "
	             "uniform: U(-sqrt(3) sd, sqrt(3) sd)"),
	.fill = variance_scaling_fill,
	.stddev = variance_scaling_stddev,
	.check_params = variance_scaling_check,
};

static const struct winit_initializer he_uniform = {
	.info = INFO("he_uniform", 0, NULL, "He uniform U(-l, l), l = sqrt(6/fan_in) "
	                                    "(Keras HeUniform)",
	             "U(-l, l), l = sqrt(6/fan_in)"),
	.fill = he_uniform_fill,
	.stddev = he_uniform_stddev,
};

static const struct winit_initializer lecun_normal = {
	.info = INFO("lecun_normal", 0, NULL, "LeCun normal: truncated normal with sd "
	                                      "sqrt(1/fan_in) (Keras LecunNormal)",
	             "N(0, s^2) redrawn beyond 2s, s = sqrt(1/fan_in)/0.87962566; kept sd = "
	             "sqrt(1/fan_in)"),
	.fill = lecun_normal_fill,
	.stddev = lecun_normal_stddev,
};

static const struct winit_initializer lecun_uniform = {
	.info = INFO("lecun_uniform", 0, NULL, "LeCun uniform U(-l, l), l = sqrt(3/fan_in) "
	                                       "(Keras LecunUniform)",
	             "U(-l, l), l = sqrt(3/fan_in)"),
	.fill = lecun_uniform_fill,
	.stddev = lecun_uniform_stddev,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	static const struct winit_initializer *const all[] = {
		&variance_scaling,
		&he_uniform,
		&lecun_normal,
		&lecun_uniform,
	};
	return index < sizeof all / sizeof all[0] ? &all[index]->info : NULL;
}
