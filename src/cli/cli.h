/* src/cli/cli.h -- the `winit` command's subcommands, one file each.  Each takes the
 * subcommand's argv (argv[0] is "winit NAME", for getopt's messages) and returns the exit
 * status; only main() exits. */
#ifndef WINIT_CLI_H
#define WINIT_CLI_H

#include <winit/winit.h>

/* Exit statuses shared by every subcommand (each --help lists the ones it uses). */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1, /* an error in a script, its options, its data, a plugin ... */
	CLI_USAGE = 2,  /* bad usage of the command itself */
	CLI_RANK_LOST = 3 /* winit run under mpirun: a rank was lost (docs/cluster.md) */
};

int cli_run(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_check_plugin(int argc, char **argv);
int cli_report(int argc, char **argv);

/* The plugin registry with the default search path; problems found while loading are
 * kept in it.  NULL (after printing why) on failure. */
struct winit_registry *cli_open_registry(void);

/* Print "winit CMD: unknown ... (see winit CMD --help)" for getopt's '?' and return
 * CLI_USAGE (getopt has already printed what was wrong). */
int cli_usage_error(const char *prog);

#endif
