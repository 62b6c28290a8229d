/* src/cli/report.c -- `winit report`: a results file as one self-contained HTML page and,
 * with --csv, as the CSV files results:write_csv writes. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char report_usage[] =
	"Usage: winit report [--force] RESULTS.json [-o REPORT.html] [--csv DIR\n"
	"                    [--baseline LABEL] [--target ACC]]\n"
	"\n"
	"Write one self-contained HTML page (inline SVG: no script, nothing fetched) from a\n"
	"results file: the statistics table (n, mean +- sd, min, max per label; failed runs),\n"
	"learning curves (training and validation loss and accuracy: mean line and min-max\n"
	"band over replicates) and, when the runs recorded diagnostics, per-layer variance and\n"
	"gradient variance by depth at initialization beside theory, weight sd per layer, the\n"
	"weight histograms at initialization (per label and hidden layer, the declared sd\n"
	"marked), dead and saturated units over training and distinct units; and the file's\n"
	"coordinate checks (study:add_coord_check): per layer, mean |x| against width on\n"
	"log-log axes, one line per step, the parametrizations side by side; and its Jacobian\n"
	"spectra (study:add_spectrum): the mean of s^2 and its normalized variance against\n"
	"depth beside theory's (dashed), and per spectrum the histograms of log10 s per depth.\n"
	"\n"
	"Each file is written as every winit output is (winit(1), FILES WINIT WRITES): a\n"
	"temporary file renamed over it; a directory, device, FIFO or socket there is refused,\n"
	"and so is an existing file that winit did not write as that kind (a page, a CSV\n"
	"table); a link is followed to the file it names, which gets the same checks.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  where to write (default: RESULTS with .html for .json)\n"
	"      --csv DIR      also write DIR/runs.csv (one row per run and epoch) and\n"
	"                     DIR/summary.csv (one row per condition, compared with the\n"
	"                     baseline): the files results:write_csv writes; DIR is created\n"
	"                     (one level). pandas.read_csv and R's read.csv need no options\n"
	"      --baseline LABEL  the condition summary.csv compares with (a label or a\n"
	"                     grid's factor=level; default: the first)\n"
	"      --target ACC   validation accuracy for epochs_to_target and steps_to_target\n"
	"                     (default: each run's, as the results file states it)\n"
	"  -f, --force        replace existing files even when winit did not write them\n"
	"                     (still never a directory, device, FIFO or socket)\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 on success; 1 when the results file cannot be read (not JSON, another\n"
	"format, a newer version) or the page or a CSV file cannot be written (the CSV files\n"
	"are written first); 2 on bad usage.\n";

/* Whether some run of f has label `b`, or is a grid cell at level "factor=level" b. */
static int names_condition(const struct winit_results_file *f, const char *b)
{
	const char *eq = strchr(b, '=');
	for (size_t i = 0; i < f->n_runs; i++) {
		const struct winit_results_run *r = &f->runs[i];
		if (strcmp(r->label, b) == 0)
			return 1;
		for (int32_t k = 0; eq && k < r->n_factors; k++)
			if (strlen(r->factors[k].name) == (size_t)(eq - b) &&
			    strncmp(r->factors[k].name, b, (size_t)(eq - b)) == 0 &&
			    strcmp(r->factors[k].value, eq + 1) == 0)
				return 1;
	}
	return 0;
}

/* --csv DIR: the runs of the results file `in` as results:write_csv writes them. */
static int write_csv(const char *prog, const char *in, const char *dir, const struct winit_table_opts *opts,
                     unsigned flags)
{
	struct winit_results_file f;
	struct winit_error err = { 0 };
	if (winit_results_read(in, &f, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return CLI_FAILED;
	}
	int rc = CLI_OK;
	if (opts->baseline && !names_condition(&f, opts->baseline)) {
		fprintf(stderr, "%s: --baseline '%s' is not a label of %s, nor a grid's factor=level (the first run's label is '%s')\n",
		        prog, opts->baseline, in, f.n_runs ? f.runs[0].label : "");
		rc = CLI_USAGE;
	} else if (winit_results_file_write_csv_ext(dir, &f, opts, flags, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		rc = CLI_FAILED;
	} else {
		printf("CSV written to %s/runs.csv and %s/summary.csv\n", dir, dir);
	}
	winit_results_file_free(&f);
	return rc;
}

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'c' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "target", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *csv = NULL;
	struct winit_table_opts topts = { 0 };
	unsigned flags = 0;
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': flags |= WINIT_WRITE_FORCE; break;
		case 'c': csv = optarg; break;
		case 'b': topts.baseline = optarg; break;
		case 't':
			topts.target = strtod(optarg, &end);
			if (end == optarg || *end || !(topts.target > 0 && topts.target <= 1)) {
				fprintf(stderr, "%s: --target: expected a validation accuracy in (0, 1], got '%s'\n",
				        argv[0], optarg);
				return CLI_USAGE;
			}
			break;
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
	if (!csv && (topts.baseline || topts.target > 0)) {
		fprintf(stderr, "%s: --baseline and --target shape the CSV files: give --csv DIR too\n", argv[0]);
		return CLI_USAGE;
	}
	int rc;
	char def[4096];
	if (!out) {
		if (winit_report_default_path(def, sizeof def, in)) {
			fprintf(stderr, "%s: %s: path too long\n", argv[0], in);
			return CLI_USAGE;
		}
		out = def;
	}
	/* The page's path is checked before anything is written. */
	struct winit_error err = { 0 };
	if (winit_safe_write_check(out, WINIT_FILE_HTML, "the report", flags, &err)) {
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
		return CLI_FAILED;
	}
	if (csv && (rc = write_csv(argv[0], in, csv, &topts, flags)) != CLI_OK)
		return rc;
	struct winit_report_study r;
	if (winit_report_read(in, &r, &err)) {
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
		return CLI_FAILED;
	}
	rc = winit_report_write_html_ext(out, &r, in, flags, &err);
	winit_report_free(&r);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
		return CLI_FAILED;
	}
	printf("report written to %s\n", out);
	return CLI_OK;
}
