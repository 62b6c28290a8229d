/* src/cli/list.c -- `winit list`: the plugins found, as a table, as JSON for scripts, or
 * as bare names for shell completion. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char list_usage[] =
	"Usage: winit list [--json | --names [--kind KIND]]\n"
	"\n"
	"List the plugins found on the search path ($WINIT_PLUGIN_PATH first, then the build\n"
	"tree or the installed plugins), with kind, summary and file; problems met while\n"
	"loading (a refused or shadowed object) are warnings on stderr.\n"
	"\n"
	"Options:\n"
	"  --json         print one JSON object: {\"search_path\", \"plugins\": [{\"kind\",\n"
	"                 \"name\", \"summary\", \"file\", \"formula\", \"params\": [{\"name\",\n"
	"                 \"type\", \"default\", \"min\", \"max\", \"choices\", \"doc\"}]}],\n"
	"                 \"problems\": [...]}; unbounded min/max are null\n"
	"  --names        print the plugin names only, one a line\n"
	"  --kind KIND    with --names: only initializer or activation plugins\n"
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 on success (even with warnings); 1 when the search path cannot be\n"
	"read; 2 on bad usage.\n";

/* A JSON string literal: quotes, backslashes and control characters escaped. */
static void put_json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void put_json_number(double v)
{
	char buf[32];
	if (isfinite(v)) {
		/* The shortest of %.15g .. %.17g that reads back as v. */
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof buf, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
		fputs(buf, stdout);
	} else
		fputs("null", stdout);
}

static const char *param_type(uint32_t t)
{
	return t == WINIT_PARAM_INT ? "integer" : t == WINIT_PARAM_CHOICE ? "choice" :
	                                                                    "number";
}

static void put_json_plugin(const struct winit_plugin_entry *e)
{
	const struct winit_plugin_info *info = e->info;
	fputs("{\"kind\": ", stdout);
	put_json_string(winit_kind_name(info->kind));
	fputs(", \"name\": ", stdout);
	put_json_string(info->name);
	fputs(", \"summary\": ", stdout);
	put_json_string(info->summary);
	fputs(", \"file\": ", stdout);
	put_json_string(e->file);
	fputs(", \"formula\": ", stdout);
	put_json_string(info->formula);
	fputs(", \"params\": [", stdout);
	for (uint32_t k = 0; k < info->n_params; k++) {
		const struct winit_param_decl *d = &info->params[k];
		printf("%s{\"name\": ", k ? ", " : "");
		put_json_string(d->name);
		fputs(", \"type\": ", stdout);
		put_json_string(param_type(d->type));
		fputs(", \"default\": ", stdout);
		if (d->type == WINIT_PARAM_CHOICE) {
			put_json_string(d->choices[(int)d->default_value]);
			fputs(", \"choices\": [", stdout);
			for (int c = 0; d->choices[c]; c++) {
				fputs(c ? ", " : "", stdout);
				put_json_string(d->choices[c]);
			}
			fputs("]", stdout);
		} else {
			put_json_number(d->default_value);
			fputs(", \"min\": ", stdout);
			put_json_number(d->min_value);
			fputs(", \"max\": ", stdout);
			put_json_number(d->max_value);
		}
		fputs(", \"doc\": ", stdout);
		put_json_string(d->doc);
		fputs("}", stdout);
	}
	fputs("]}", stdout);
}

static void list_json(const struct winit_registry *reg)
{
	size_t n = winit_registry_count(reg);
	fputs("{\"search_path\": ", stdout);
	put_json_string(winit_registry_search_path(reg));
	fputs(",\n \"plugins\": [", stdout);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  " : "\n  ", stdout);
		put_json_plugin(winit_registry_entry(reg, i));
	}
	fputs("],\n \"problems\": [", stdout);
	size_t np = winit_registry_problem_count(reg);
	for (size_t i = 0; i < np; i++) {
		fputs(i ? ", " : "", stdout);
		put_json_string(winit_registry_problem(reg, i));
	}
	fputs("]}\n", stdout);
}

int cli_list(int argc, char **argv)
{
	enum { OPT_JSON = 256,
	       OPT_NAMES,
	       OPT_KIND };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "names", no_argument, NULL, OPT_NAMES },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int json = 0, names = 0, c;
	uint32_t only = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_NAMES:
			names = 1;
			break;
		case OPT_KIND:
			if (strcmp(optarg, "initializer") == 0)
				only = WINIT_KIND_INITIALIZER;
			else if (strcmp(optarg, "activation") == 0)
				only = WINIT_KIND_ACTIVATION;
			else {
				fprintf(stderr, "winit list: --kind expects initializer or activation, got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			fputs(list_usage, stdout);
			return CLI_OK;
		default:
			return cli_usage_error(argv[0]);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "winit list: unexpected argument '%s' (see winit list --help)\n",
		        argv[optind]);
		return CLI_USAGE;
	}
	if (json + names > 1 || (only && !names)) {
		fprintf(stderr, "winit list: use --json, or --names with an optional --kind\n");
		return CLI_USAGE;
	}
	struct winit_registry *reg = cli_open_registry();
	if (!reg)
		return CLI_FAILED;
	size_t n = winit_registry_count(reg);
	if (json) {
		list_json(reg);
	} else if (names) {
		for (size_t i = 0; i < n; i++) {
			const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
			if (!only || e->info->kind == only)
				printf("%s\n", e->info->name);
		}
	} else {
		for (uint32_t kind = WINIT_KIND_INITIALIZER; kind <= WINIT_KIND_ACTIVATION; kind++) {
			printf("%ss:\n", winit_kind_name(kind));
			for (size_t i = 0; i < n; i++) {
				const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
				if (e->info->kind == kind)
					printf("  %-22s %-52s %s\n", e->info->name, e->info->summary, e->file);
			}
		}
		printf("search path: %s\n", winit_registry_search_path(reg));
	}
	/* Problems are warnings on stderr; --json lists them in its object instead. */
	size_t np = winit_registry_problem_count(reg);
	for (size_t i = 0; i < np && !json; i++)
		fprintf(stderr, "winit: warning: %s\n", winit_registry_problem(reg, i));
	winit_registry_free(reg);
	return CLI_OK;
}
