/* src/cli/report_cmd.c -- `winit report`: a results file as one self-contained HTML page. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <winit/report_page.h>

#include "cli/cli.h"

int cmd_report(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "winit report: %s needs a file name (see winit --help)\n", argv[i]);
				return 2;
			}
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "winit report: unknown option '%s' (see winit --help)\n", argv[i]);
			return 2;
		} else if (!in) {
			in = argv[i];
		} else {
			fprintf(stderr, "winit report: one RESULTS.json at a time, got '%s' and '%s'\n", in, argv[i]);
			return 2;
		}
	}
	if (!in) {
		fprintf(stderr, "winit report: missing RESULTS.json (see winit --help)\n");
		return 2;
	}
	char def[4096];
	if (!out) {
		if (winit_report_default_path(def, sizeof def, in)) {
			fprintf(stderr, "winit report: %s: path too long\n", in);
			return 2;
		}
		out = def;
	}
	struct winit_report_study r;
	struct winit_error err = { 0 };
	if (winit_report_read(in, &r, &err)) {
		fprintf(stderr, "winit report: %s\n", err.msg);
		return 1;
	}
	int rc = winit_report_write_html(out, &r, in, &err);
	winit_report_free(&r);
	if (rc) {
		fprintf(stderr, "winit report: %s\n", err.msg);
		return 1;
	}
	printf("report written to %s\n", out);
	return 0;
}
