/* plugins/initializers/kaiming.c -- PyTorch's He initializers, untruncated:
 * `kaiming_normal{a, mode, nonlinearity}`, `kaiming_uniform{...}` and
 * `torch_linear_default` (what nn.Linear does to its weight: kaiming_uniform with
 * a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))).  sd = gain / sqrt(fan), where
 * gain is calculate_gain(nonlinearity, a); nonlinearity "auto" (the default) takes the
 * gain of the layer's own activation from the host. */
#include <math.h>

#include <winit/plugin.h>

enum { P_A,
       P_MODE,
       P_NONLINEARITY };
enum nonlinearity { AUTO,
	            LINEAR,
	            RELU,
	            LEAKY_RELU,
	            TANH,
	            SIGMOID,
	            SELU };

static const char *const modes[] = { "fan_in", "fan_out", NULL };
static const char *const nonlinearities[] = { "auto", "linear", "relu", "leaky_relu",
	                                      "tanh", "sigmoid", "selu", NULL };

static const struct winit_param_decl params[] = {
	{ "a", WINIT_PARAM_REAL, 0.0, -HUGE_VAL, HUGE_VAL,
	  "negative slope, used by nonlinearity leaky_relu", NULL },
	{ "mode", WINIT_PARAM_CHOICE, 0, 0, 0, "fan_in keeps forward variance, fan_out "
	                                       "backward",
	  modes },
	{ "nonlinearity", WINIT_PARAM_CHOICE, AUTO, 0, 0,
	  "gain source; auto = the layer's activation", nonlinearities },
};

/* torch.nn.init.calculate_gain. */
static double gain_of(const struct winit_fill_args *args)
{
	const double a = args->params[P_A];
	switch ((int)args->params[P_NONLINEARITY]) {
	case LINEAR:
	case SIGMOID: return 1.0;
	case RELU: return sqrt(2.0);
	case LEAKY_RELU: return sqrt(2.0 / (1.0 + a * a));
	case TANH: return 5.0 / 3.0;
	case SELU: return 0.75;
	default: return args->gain;
	}
}

static double fan_of(const struct winit_fill_args *args, int mode)
{
	double n = mode == 1 ? (double)args->fan_out : (double)args->fan_in;
	return n > 1.0 ? n : 1.0;
}

static double kaiming_sd(const struct winit_fill_args *args)
{
	return gain_of(args) / sqrt(fan_of(args, (int)args->params[P_MODE]));
}

static void fill_uniform(float *w, const struct winit_fill_args *args, double bound)
{
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(bound * (2.0 * args->host->uniform(args->rng) - 1.0));
}

static int kaiming_normal_fill(float *w, const struct winit_fill_args *args, char *err,
                               size_t errlen)
{
	(void)err;
	(void)errlen;
	const double sd = kaiming_sd(args);
	for (int64_t i = 0; i < args->n; i++)
		w[i] = (float)(sd * args->host->normal(args->rng));
	return 0;
}

static int kaiming_uniform_fill(float *w, const struct winit_fill_args *args, char *err,
                                size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_uniform(w, args, sqrt(3.0) * kaiming_sd(args));
	return 0;
}

static double torch_linear_sd(const struct winit_fill_args *args)
{
	return 1.0 / sqrt(3.0 * fan_of(args, 0));
}

static int torch_linear_fill(float *w, const struct winit_fill_args *args, char *err,
                             size_t errlen)
{
	(void)err;
	(void)errlen;
	fill_uniform(w, args, 1.0 / sqrt(fan_of(args, 0)));
	return 0;
}

static const struct winit_initializer kaiming_normal = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 3,
		.name = "kaiming_normal",
		.summary = "Kaiming normal, untruncated (PyTorch kaiming_normal_)",
		.params = params,
		.formula = "N(0, (gain/sqrt(fan))^2), gain = calculate_gain(nonlinearity, a)",
	},
	.fill = kaiming_normal_fill,
	.stddev = kaiming_sd,
};

static const struct winit_initializer kaiming_uniform = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 3,
		.name = "kaiming_uniform",
		.summary = "Kaiming uniform (PyTorch kaiming_uniform_)",
		.params = params,
		.formula = "U(-b, b), b = gain * sqrt(3/fan), gain = calculate_gain("
			   "nonlinearity, a)",
	},
	.fill = kaiming_uniform_fill,
	.stddev = kaiming_sd,
};

static const struct winit_initializer torch_linear_default = {
	.info = {
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.n_params = 0,
		.name = "torch_linear_default",
		.summary = "PyTorch nn.Linear's weight default: kaiming_uniform with a = sqrt(5)",
		.params = NULL,
		.formula = "U(-1/sqrt(fan_in), 1/sqrt(fan_in))",
	},
	.fill = torch_linear_fill,
	.stddev = torch_linear_sd,
};

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	switch (index) {
	case 0: return &kaiming_normal.info;
	case 1: return &kaiming_uniform.info;
	case 2: return &torch_linear_default.info;
	default: return NULL;
	}
}
