/* src/cli/commands.h -- winit's commands that live in files of their own. */
#ifndef WINIT_CLI_COMMANDS_H
#define WINIT_CLI_COMMANDS_H

/* winit merge OUT.json IN.json... (argv without "winit merge"); returns the exit status. */
int winit_cli_merge(int argc, char **argv);

#endif
