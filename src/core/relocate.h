/* src/core/relocate.h -- installed directories that follow a moved installation
 * (internal; see relocate.c). */
#ifndef WINIT_CORE_RELOCATE_H
#define WINIT_CORE_RELOCATE_H

#include <stddef.h>

#include "core/internal.h"

/* `configured` (a directory configure placed under $(prefix)), or, when this winit runs
 * from outside the configured prefix, the same directory relative to where it is, if that
 * exists (written into buf).  Never NULL. */
WINIT_INTERNAL const char *winit_relocated_dir(const char *configured, char *buf, size_t size);

#endif /* WINIT_CORE_RELOCATE_H */
