/* src/core/fileio.h -- two POSIX file chores every writer needs (internal). */
#ifndef WINIT_CORE_FILEIO_H
#define WINIT_CORE_FILEIO_H

#include <stddef.h>

#include "core/internal.h"

/* write(2) all of buf, retrying short writes and EINTR: 0, or -1 with errno set (a write
 * that returns 0 counts as EIO).  Async-signal-safe: the fatal-signal and SIGINT reports
 * use it. */
WINIT_INTERNAL int winit_write_all(int fd, const void *buf, size_t len);

/* fsync the directory that holds path, so a rename or a new file in it is durable: 0, or
 * -1 with errno.  A directory that cannot be opened, or a file system that cannot sync one
 * (EINVAL, ENOTSUP), is not an error: the rename stands. */
WINIT_INTERNAL int winit_sync_dir_of(const char *path);

#endif
