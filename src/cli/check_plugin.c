/* src/cli/check_plugin.c -- `winit check-plugin FILE.so`: load one plugin alone and run
 * the conformance checks (src/plugin/conformance.c). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char check_usage[] =
	"Usage: winit check-plugin [-v] FILE.so\n"
	"\n"
	"Load a plugin alone and run conformance checks: its declarations, fills of several\n"
	"shapes (finite, every value written, deterministic per stream, sd as declared,\n"
	"thread-safe), activation derivatives against finite differences.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose  list the passing checks too\n"
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 when every check passed; 1 when a check failed or the file cannot be\n"
	"loaded; 2 on bad usage.\n";

int cli_check_plugin(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int verbose = 0, c;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
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
	int rc = winit_plugin_check(argv[optind], stdout, verbose, &failed, &err);
	fflush(stdout);
	if (rc == WINIT_ERR_NOMEM || rc == WINIT_ERR_ARG)
		fprintf(stderr, "winit check-plugin: %s\n", err.msg);
	return rc ? CLI_FAILED : CLI_OK;
}
