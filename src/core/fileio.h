/* src/core/fileio.h -- two POSIX file chores every writer needs (internal; one of them,
 * winit_write_all, is public in winit/safe_write.h). */
#ifndef WINIT_CORE_FILEIO_H
#define WINIT_CORE_FILEIO_H

#include <stddef.h>

#include "core/internal.h"

/* winit_write_all: winit/safe_write.h. */
#include <winit/safe_write.h>

/* fsync the directory that holds path, so a rename or a new file in it is durable: 0, or
 * -1 with errno.  A directory that cannot be opened, or a file system that cannot sync one
 * (EINVAL, ENOTSUP), is not an error: the rename stands. */
WINIT_INTERNAL int winit_sync_dir_of(const char *path);

#endif
