/* src/core/relocate.c -- installed directories that follow the installation.
 *
 * winit knows where configure put its plugins and scripts (under $(prefix)).  A GNU
 * `make install prefix=DIR` puts them under DIR instead, so a winit found outside the
 * configured prefix looks for each directory at the same place relative to itself: from
 * the directory of the object holding this code (the winit binary, libwinit.so or the Lua
 * module), upwards, the first ancestor A where A/<the directory below the prefix> exists. */
#include "config.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/relocate.h"

#ifndef WINIT_PREFIX
#define WINIT_PREFIX "/usr/local"
#endif

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *winit_relocated_dir(const char *configured, char *buf, size_t size)
{
	size_t np = strlen(WINIT_PREFIX);
	/* Only a directory below the configured prefix can move with it. */
	if (strncmp(configured, WINIT_PREFIX, np) != 0 || configured[np] != '/')
		return configured;
	const char *below = configured + np + 1; /* e.g. lib/winit/plugins */
	Dl_info dl;
	char self[PATH_MAX], prefix[PATH_MAX];
	if (!dladdr((void *)&winit_relocated_dir, &dl) || !dl.dli_fname ||
	    !realpath(dl.dli_fname, self))
		return configured;
	/* Installed where configure said: nothing moved. */
	if (realpath(WINIT_PREFIX, prefix) && strncmp(self, prefix, strlen(prefix)) == 0 &&
	    self[strlen(prefix)] == '/')
		return configured;
	char *slash;
	while ((slash = strrchr(self, '/')) != NULL) {
		*slash = '\0';
		if (snprintf(buf, size, "%s/%s", self, below) >= (int)size)
			return configured;
		if (is_dir(buf))
			return buf;
	}
	return configured;
}
