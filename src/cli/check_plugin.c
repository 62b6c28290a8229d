/* src/cli/check_plugin.c -- `winit check-plugin FILE.so`: load one plugin alone and run
 * the conformance checks (src/plugin/conformance.c). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char check_usage[] =
	"Usage: winit check-plugin [-v] [--timeout SECONDS] FILE.so\n"
	"\n"
	"Load a plugin alone and run conformance checks: its declarations, fills of several\n"
	"shapes (finite, every value written, deterministic per stream, sd as declared,\n"
	"thread-safe), activation derivatives against finite differences (and, for one\n"
	"flagged WINIT_ACT_FROM_OUTPUT, backward with f(x) in place of x: the same bits).\n"
	"\n"
	"The object is loaded in a child process first, and each parameter setting of each\n"
	"plugin is checked in a child process of its own: a crash (the signal is named) or a\n"
	"hang (no answer within the time limit) fails that check, naming the call, and the\n"
	"other checks still run.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose        list the passing checks too\n"
	"  -t, --timeout SECS   time limit of each setting's checks (default 10)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 when every check passed; 1 when a check failed or the file cannot be\n"
	"loaded; 2 on bad usage.\n";

int cli_check_plugin(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct winit_check_options opt = { .timeout = WINIT_CHECK_TIMEOUT_DEFAULT };
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "vt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			opt.verbose = 1;
			break;
		case 't':
			opt.timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.timeout > 0 && opt.timeout <= 86400)) {
				fprintf(stderr, "winit check-plugin: --timeout expects seconds in (0, 86400], got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			fputs(check_usage, stdout);
			return CLI_OK;
		default:
			return cli_usage_error(argv[0]);
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "winit check-plugin: expected one FILE.so (see winit check-plugin --help)\n");
		return CLI_USAGE;
	}
	struct winit_error err = { 0 };
	size_t failed = 0;
	int rc = winit_plugin_check_with(argv[optind], stdout, &opt, &failed, &err);
	fflush(stdout);
	if (rc == WINIT_ERR_NOMEM || rc == WINIT_ERR_ARG)
		fprintf(stderr, "winit check-plugin: %s\n", err.msg);
	return rc ? CLI_FAILED : CLI_OK;
}
