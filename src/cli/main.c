/* src/cli/main.c -- the `winit` command: dispatch to one subcommand (src/cli/<cmd>.c).
 * The only place in winit that exits. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include <winit/winit.h>

#include "cli/cli.h"

static const char usage[] =
	"Usage: winit COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Study how weight initialization shapes neural-network training.\n"
	"\n"
	"Commands:\n"
	"  run [-j N] [--shard I/N] [--resume] [--traceback] SCRIPT [SCRIPT-OPTIONS...]\n"
	"                               run a Lua experiment script; SCRIPT-OPTIONS reach it\n"
	"                               as `arg` (`winit run SCRIPT --help` lists a script's own)\n"
	"                               --resume keeps the runs the results file holds as\n"
	"                               finished and runs the others; under mpirun (MPI\n"
	"                               builds) the ranks share the runs\n"
	"  merge OUT.json IN.json...    join results files of one study (shards) into the file\n"
	"                               one process would have written\n"
	"  list [--json | --names]      list the plugins found, with kind, summary and file\n"
	"  info NAME [--shape RxC] [--activation ACT]\n"
	"                               show a plugin's parameters, defaults, formula and gain,\n"
	"                               and for an initializer the sd it yields for a kernel\n"
	"  check-plugin [-v] FILE.so    load a plugin alone and run conformance checks\n"
	"  report RESULTS.json [-o REPORT.html]\n"
	"                               one self-contained HTML page from a results file:\n"
	"                               statistics, learning curves, diagnostics beside theory\n"
	"  help [COMMAND]               this help, or a command's (as `winit COMMAND --help`)\n"
	"\n"
	"Options:\n"
	"  -h, --help                   show this help\n"
	"  -V, --version                show the version\n"
	"\n"
	"`winit COMMAND --help` describes each command, its options and its exit status.\n"
	"\n"
	"Examples:\n"
	"  winit run scripts/compare_inits.lua\n"
	"  winit run scripts/compare_inits.lua --seed 7 --repeats 5 --out results/five_seeds.json\n"
	"  winit run compare_inits.lua     (a bare name also finds the installed scripts)\n"
	"  winit run compare_inits.lua --help\n"
	"  winit run --shard 1/4 study.lua --out part1.json; winit merge all.json part*.json\n"
	"  winit run --resume scripts/compare_inits.lua --repeats 10   (after a crash or Ctrl-C)\n"
	"  winit report results/compare_inits.json   (writes results/compare_inits.html)\n"
	"\n"
	"Environment:\n"
	"  WINIT_PLUGIN_PATH        colon-separated directories searched first for plugins\n"
	"  WINIT_FASHION_MNIST_DIR  Fashion-MNIST directory (default " WINIT_FASHION_MNIST_DEFAULT ")\n"
	"  WINIT_KERNELS            force a kernel set: generic, avx2, avx512 (default: auto)\n"
	"  WINIT_NO_PROGRESS        set to disable the live progress line\n"
	"  WINIT_DIST_STATS         under mpirun: rank 0 reports its dispatcher's time per run\n"
	"\n"
	"Exit status: 0 on success (for run: every run of the script's studies finished); 1 on\n"
	"an error in a script, its options, its data or its results file, a run that failed\n"
	"or diverged unexpectedly (\"winit: 2 of 8 runs failed: a (reason), ...\" on stderr;\n"
	"a run added with expect = \"diverged\" may diverge), or a failed\n"
	"check; 2 on bad usage (unknown command or option, bad WINIT_KERNELS); 130 when\n"
	"interrupted by SIGINT (Ctrl-C), 143 by SIGTERM (finished runs are saved).\n"
	"\n"
	"winit is free software under the MIT licence; see `man winit`.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "run", cli_run },
	{ "merge", cli_merge },
	{ "list", cli_list },
	{ "info", cli_info },
	{ "check-plugin", cli_check_plugin },
	{ "report", cli_report },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Call cmd with argv[0] = "winit NAME" (getopt prefixes its messages with it). */
static int call(const struct command *cmd, int argc, char **argv)
{
	char prog[64];
	snprintf(prog, sizeof prog, "winit %s", cmd->name);
	argv[0] = prog;
	return cmd->fn(argc, argv);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	const char *name = argv[1];
	/* Past a file size limit (ulimit -f), write() fails with EFBIG, which the results
	 * writer reports with the file's name, instead of SIGXFSZ killing the process. */
	signal(SIGXFSZ, SIG_IGN);
	struct winit_error kerr = { 0 };
	if (winit_kernels_env_check(&kerr) != WINIT_OK) {
		fprintf(stderr, "winit: %s\n", kerr.msg);
		return CLI_USAGE;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			fputs(usage, stdout);
			return CLI_OK;
		}
		const struct command *c = find_command(argv[2]);
		if (!c) {
			fprintf(stderr, "winit help: unknown command '%s' (see winit --help)\n", argv[2]);
			return CLI_USAGE;
		}
		char *help_argv[] = { argv[2], (char *)"--help", NULL };
		return call(c, 2, help_argv);
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("winit %s (plugin ABI %u, kernels %s, %s, %s, inflate %s)\n", PACKAGE_VERSION,
		       WINIT_PLUGIN_ABI_VERSION, winit_kernels_name(), LUA_RELEASE,
		       winit_dist_built() ? "MPI" : "no MPI", winit_idx_inflater());
		return CLI_OK;
	}
	const struct command *c = find_command(name);
	if (!c) {
		fprintf(stderr, "winit: unknown command '%s' (see winit --help)\n", name);
		return CLI_USAGE;
	}
	return call(c, argc - 1, argv + 1);
}
