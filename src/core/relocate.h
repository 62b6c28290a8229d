/* src/core/relocate.h -- where this winit runs from: installed directories that follow a
 * moved installation (public: winit/relocate.h), and the build tree of an uninstalled
 * winit (internal; see relocate.c). */
#ifndef WINIT_CORE_RELOCATE_H
#define WINIT_CORE_RELOCATE_H

#include <stddef.h>

#include "core/internal.h"

/* winit_relocated_dir, public: winit/relocate.h. */
#include <winit/relocate.h>

/* The build tree this code runs from, when it runs uninstalled, written into buf (size
 * at least PATH_MAX); NULL when installed.  Decided by where the object holding this code
 * is (libwinit.so, which winit and the Lua module link, or a test program), never by a path
 * compiled in: an uninstalled object sits in the build tree's root, tests/, tests/fuzz/ or
 * bench/ (or their .libs/), next to config.status and an uninstalled libwinit.la. */
WINIT_INTERNAL const char *winit_build_tree(char *buf, size_t size);

#endif /* WINIT_CORE_RELOCATE_H */
