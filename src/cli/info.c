/* src/cli/info.c -- `winit info NAME`: a plugin's parameters, defaults, formula and gain,
 * and for an initializer the sd it yields for a kernel shape. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char info_usage[] =
	"Usage: winit info NAME [--shape D1x...xDn] [--activation ACT]\n"
	"\n"
	"Describe the plugin NAME (see winit list): its kind, file, formula, parameters with\n"
	"their ranges and defaults; an activation's gain; an initializer's standard deviation\n"
	"for a kernel of the given shape in a layer with the given activation.\n"
	"\n"
	"Options:\n"
	"  --shape D1x...xDn   kernel shape, 1 to 4 dims: a Dense kernel fan_in x fan_out\n"
	"                      (default 784x128), a Conv2D kernel KHxKWxCINxCOUT (fans as\n"
	"                      Keras's: KH*KW*CIN and KH*KW*COUT)\n"
	"  --activation ACT    take the gain of activation ACT (default: gain 1)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 on success; 1 when no plugin is named NAME or the search path cannot\n"
	"be read; 2 on bad usage (no NAME, bad --shape, unknown activation).\n";

/* Whether parameter k may take the bound v: declared ranges are inclusive, but an
 * initializer's check_params may refuse a bound (variance_scaling's scale > 0), tried
 * with the other parameters at their defaults.  Infinite bounds are never taken. */
static int bound_taken(const struct winit_plugin_info *info, uint32_t k, double v)
{
	if (!isfinite(v))
		return 0;
	const struct winit_initializer *in = (const struct winit_initializer *)info;
	if (info->kind != WINIT_KIND_INITIALIZER ||
	    !WINIT_HAS_FIELD(info->struct_size, struct winit_initializer, check_params) ||
	    !in->check_params)
		return 1;
	double p[WINIT_MAX_PARAMS];
	char why[256];
	winit_params_defaults(p, info);
	p[k] = v;
	return in->check_params(p, why, sizeof why) == 0;
}

static void print_params(const struct winit_plugin_info *info)
{
	if (info->n_params == 0) {
		printf("parameters: none\n");
		return;
	}
	printf("parameters:\n");
	for (uint32_t k = 0; k < info->n_params; k++) {
		const struct winit_param_decl *d = &info->params[k];
		if (d->type == WINIT_PARAM_CHOICE) {
			printf("  %-14s one of:", d->name);
			for (int c = 0; d->choices[c]; c++)
				printf(" %s", d->choices[c]);
			printf(" (default %s)  %s\n", d->choices[(int)d->default_value], d->doc ? d->doc : "");
		} else {
			printf("  %-14s %s in %c%g, %g%c (default %g)  %s\n", d->name,
			       d->type == WINIT_PARAM_INT ? "integer" : "number",
			       bound_taken(info, k, d->min_value) ? '[' : '(', d->min_value, d->max_value,
			       bound_taken(info, k, d->max_value) ? ']' : ')', d->default_value, d->doc ? d->doc : "");
		}
	}
}

/* "784x128", "3x3x32x64": 1 to 4 sizes in [1, 2^31]; 0, or -1 (dims untouched). */
static int parse_shape(const char *text, int64_t *dims, uint32_t *n_dims)
{
	int64_t d[4];
	uint32_t n = 0;
	const char *p = text;
	for (;;) {
		char *end;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (end == p || errno || v < 1 || v > (1LL << 31) || n == 4 || *p == '+' || *p == ' ')
			return -1;
		d[n++] = v;
		if (*end == '\0')
			break;
		if (*end != 'x')
			return -1;
		p = end + 1;
	}
	memcpy(dims, d, n * sizeof *d);
	*n_dims = n;
	return 0;
}

int cli_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shape", required_argument, NULL, 's' },
		{ "activation", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *act_name = NULL;
	int64_t dims[4] = { 784, 128 };
	uint32_t n_dims = 2;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			act_name = optarg;
			break;
		case 's':
			if (parse_shape(optarg, dims, &n_dims)) {
				fprintf(stderr,
				        "winit info: --shape expects 1 to 4 positive sizes joined by 'x', e.g. "
				        "784x128 or 3x3x32x64, got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			fputs(info_usage, stdout);
			return CLI_OK;
		default:
			return cli_usage_error(argv[0]);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "winit info: missing plugin NAME (see winit list)\n");
		return CLI_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "winit info: one NAME expected, got also '%s'\n", argv[optind + 1]);
		return CLI_USAGE;
	}
	const char *name = argv[optind];
	struct winit_registry *reg = cli_open_registry();
	if (!reg)
		return CLI_FAILED;
	double gain = 1;
	if (act_name) {
		const struct winit_plugin_entry *ae = winit_registry_find(reg, WINIT_KIND_ACTIVATION, act_name);
		if (!ae) {
			char known[2048];
			winit_registry_names(reg, WINIT_KIND_ACTIVATION, known, sizeof known);
			fprintf(stderr, "winit info: unknown activation '%s' (known: %s)\n", act_name, known);
			winit_registry_free(reg);
			return CLI_USAGE;
		}
		double ad[WINIT_MAX_PARAMS];
		winit_params_defaults(ad, ae->info);
		gain = winit_activation_gain((const struct winit_activation *)ae->info, ad);
	}
	int found = 0;
	for (uint32_t kind = WINIT_KIND_INITIALIZER; kind <= WINIT_KIND_ACTIVATION; kind++) {
		const struct winit_plugin_entry *e = winit_registry_find(reg, kind, name);
		if (!e)
			continue;
		found = 1;
		const struct winit_plugin_info *info = e->info;
		double defaults[WINIT_MAX_PARAMS];
		winit_params_defaults(defaults, info);
		printf("%s (%s)\n  %s\nfile: %s\n", info->name, winit_kind_name(kind), info->summary, e->file);
		if (info->formula)
			printf("formula: %s\n", info->formula);
		print_params(info);
		if (kind == WINIT_KIND_ACTIVATION) {
			const struct winit_activation *a = (const struct winit_activation *)info;
			printf("gain: %.6g\n", winit_activation_gain(a, defaults));
		} else {
			const struct winit_initializer *in = (const struct winit_initializer *)info;
			if (in->stddev) {
				char shape[96] = "";
				for (uint32_t k = 0; k < n_dims; k++)
					snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%lld",
					         k ? "x" : "", (long long)dims[k]);
				int64_t fan_in, fan_out;
				winit_compute_fans(dims, n_dims, &fan_in, &fan_out);
				double sd = winit_initializer_stddev(in, dims, n_dims, gain, defaults);
				if (isnan(sd))
					printf("stddev for %s: depends on the data\n", shape);
				else
					printf("stddev for %s (fan_in %lld, fan_out %lld, gain %.6g%s%s): %.6g\n", shape,
					       (long long)fan_in, (long long)fan_out, gain, act_name ? " of " : "",
					       act_name ? act_name : "", sd);
			}
		}
	}
	if (!found) {
		char a[2048], b[2048];
		winit_registry_names(reg, WINIT_KIND_INITIALIZER, a, sizeof a);
		winit_registry_names(reg, WINIT_KIND_ACTIVATION, b, sizeof b);
		fprintf(stderr, "winit info: no plugin named '%s'\n  initializers: %s\n  activations: %s\n",
		        name, a, b);
		/* One by that name may have been refused while loading: say why. */
		char quoted[160];
		snprintf(quoted, sizeof quoted, "plugin '%s'", name);
		for (size_t i = 0; i < winit_registry_problem_count(reg); i++)
			if (strstr(winit_registry_problem(reg, i), quoted))
				fprintf(stderr, "  refused while loading: %s\n", winit_registry_problem(reg, i));
	}
	winit_registry_free(reg);
	return found ? CLI_OK : CLI_FAILED;
}
