/* src/core/relocate.c -- installed directories that follow the installation, and the
 * build tree of an uninstalled winit.
 *
 * winit knows where configure put its plugins and scripts (under $(prefix)).  A GNU
 * `make install prefix=DIR` puts them under DIR instead, so a winit found outside the
 * configured prefix looks for each directory at the same place relative to itself: from
 * the directory of the object holding this code (libwinit.so, which the winit binary and
 * the Lua module link; a test program or fuzz harness holding libwinit's objects), upwards, the first ancestor A where A/<the directory below the prefix> exists.
 *
 * Nothing here knows the build tree's path: an installed winit must not depend on it
 * (it may be gone, or hold another build).  An uninstalled one finds its build tree from
 * where it runs (winit_build_tree). */
#include "config.h"

#include <dlfcn.h>
#include <link.h>
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

/* The canonical path of the object holding this code: a shared object's own file, the
 * running program's (/proc/self/exe) when the code is linked into it.  0 or -1. */
static int self_path(char self[PATH_MAX])
{
	Dl_info dl;
	struct link_map *map = NULL;
	if (!dladdr1((void *)&self_path, &dl, (void **)&map, RTLD_DL_LINKMAP))
		return -1;
	/* The main program's link map has an empty name (dli_fname is then argv[0]). */
	const char *file = map && map->l_name && *map->l_name ? map->l_name : "/proc/self/exe";
	return realpath(file, self) ? 0 : -1;
}

static int ends_with(const char *s, size_t *len, const char *tail)
{
	size_t n = strlen(tail);
	if (*len < n || strncmp(s + *len - n, tail, n) != 0)
		return 0;
	*len -= n;
	return 1;
}

/* A file libtool writes into the build tree for an uninstalled library (its copy
 * installed in $(libdir) says installed=yes). */
static int uninstalled_la(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[256];
	int found = 0;
	while (!found && fgets(line, sizeof line, f))
		found = strcmp(line, "installed=no\n") == 0;
	fclose(f);
	return found;
}

const char *winit_build_tree(char *buf, size_t size)
{
	char self[PATH_MAX], probe[PATH_MAX];
	if (self_path(self))
		return NULL;
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	size_t len = (size_t)(slash - self); /* the directory holding the object */
	ends_with(self, &len, "/.libs");
	if (!ends_with(self, &len, "/tests/fuzz") && !ends_with(self, &len, "/tests"))
		ends_with(self, &len, "/bench");
	if (len == 0 || len >= size)
		return NULL;
	self[len] = '\0';
	struct stat st;
	if (snprintf(probe, sizeof probe, "%s/config.status", self) >= (int)sizeof probe ||
	    stat(probe, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (snprintf(probe, sizeof probe, "%s/libwinit.la", self) >= (int)sizeof probe ||
	    !uninstalled_la(probe))
		return NULL;
	memcpy(buf, self, len + 1);
	return buf;
}

const char *winit_relocated_dir(const char *configured, char *buf, size_t size)
{
	size_t np = strlen(WINIT_PREFIX);
	/* Only a directory below the configured prefix can move with it. */
	if (strncmp(configured, WINIT_PREFIX, np) != 0 || configured[np] != '/')
		return configured;
	const char *below = configured + np + 1; /* e.g. lib/winit/plugins */
	char self[PATH_MAX], prefix[PATH_MAX];
	if (self_path(self))
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
