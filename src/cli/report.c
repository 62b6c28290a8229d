/* src/cli/report.c -- `winit report`: a results file as one self-contained HTML page. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char report_usage[] =
	"Usage: winit report RESULTS.json [-o REPORT.html]\n"
	"\n"
	"Write one self-contained HTML page (inline SVG: no script, nothing fetched) from a\n"
	"results file: the statistics table (n, mean +- sd, min, max per label; failed runs),\n"
	"learning curves (training and validation loss and accuracy: mean line and min-max\n"
	"band over replicates) and, when the runs recorded diagnostics, per-layer variance and\n"
	"gradient variance by depth at initialization beside theory, weight sd per layer, the\n"
	"weight histograms at initialization (per label and hidden layer, the declared sd\n"
	"marked), dead and saturated units over training and distinct units.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  where to write (default: RESULTS with .html for .json)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 on success; 1 when the results file cannot be read (not JSON, another\n"
	"format, a newer version) or the page cannot be written; 2 on bad usage.\n";

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': fputs(report_usage, stdout); return CLI_OK;
		default: return cli_usage_error(argv[0]);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: missing RESULTS.json (see winit report --help)\n", argv[0]);
		return CLI_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "%s: one RESULTS.json at a time, got '%s' and '%s'\n", argv[0],
		        argv[optind], argv[optind + 1]);
		return CLI_USAGE;
	}
	const char *in = argv[optind];
	char def[4096];
	if (!out) {
		if (winit_report_default_path(def, sizeof def, in)) {
			fprintf(stderr, "%s: %s: path too long\n", argv[0], in);
			return CLI_USAGE;
		}
		out = def;
	}
	struct winit_report_study r;
	struct winit_error err = { 0 };
	if (winit_report_read(in, &r, &err)) {
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
		return CLI_FAILED;
	}
	int rc = winit_report_write_html(out, &r, in, &err);
	winit_report_free(&r);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
		return CLI_FAILED;
	}
	printf("report written to %s\n", out);
	return CLI_OK;
}
