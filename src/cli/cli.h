/* src/cli/cli.h -- the winit command's subcommands kept in files of their own. */
#ifndef WINIT_CLI_H
#define WINIT_CLI_H

/* winit report RESULTS.json [-o REPORT.html]: argv holds what follows "report".
 * Returns the exit status. */
int cmd_report(int argc, char **argv);

#endif
