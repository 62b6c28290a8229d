/* src/cli/common.c -- helpers the subcommands share. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

struct winit_registry *cli_open_registry(void)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	if (!reg) {
		fprintf(stderr, "winit: out of memory\n");
		return NULL;
	}
	if (winit_registry_load_default(reg, NULL, &err)) {
		fprintf(stderr, "winit: %s\n", err.msg);
		winit_registry_free(reg);
		return NULL;
	}
	return reg;
}

int cli_usage_error(const char *prog)
{
	fprintf(stderr, "%s: see %s --help\n", prog, prog);
	return CLI_USAGE;
}
