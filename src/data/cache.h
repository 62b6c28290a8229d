/* src/data/cache.h -- the dataset cache: an IDX images + labels pair kept inflated and
 * validated in one file, mapped read-only on the next load (internal; src/data/cache.c).
 */
#ifndef WINIT_DATA_CACHE_H
#define WINIT_DATA_CACHE_H

#include <stdint.h>

#include <winit/data.h>

#include "core/internal.h"

#define WINIT_DATA_CACHE_PATH_MAX 1024 /* longest source path a cache entry records */

/* One source file as the cache knows it: what says it changed. */
struct winit_cache_src {
	uint64_t size, mtime_s, mtime_ns, ino, dev;
	uint32_t head_crc; /* CRC-32 of its first 4 KiB (the gzip header and the IDX header) */
	uint32_t pad;
	char path[WINIT_DATA_CACHE_PATH_MAX]; /* realpath(3), NUL-padded */
};

/* Where a pair's cache entry lives and the key it must carry. */
struct winit_data_cache {
	char dir[4096];
	char file[4096];
	int32_t n_classes;
	struct winit_cache_src src[2]; /* images, labels */
};

/* Fill c for the pair; 0 when there is no cache for it: disabled (WINIT_NO_CACHE), no
 * cache directory ($WINIT_CACHE_DIR, $XDG_CACHE_HOME/winit, ~/.cache/winit), or a source
 * that cannot be resolved or read (the caller's ordinary load reports that). */
WINIT_INTERNAL int winit_data_cache_open(struct winit_data_cache *c, const char *images,
                                         const char *labels, int32_t n_classes);
/* 1 and out filled (out->map: the read-only mapping x and y point into) when c's file
 * holds this pair as it is now and every check passes (key, sizes, CRC-32 of header and
 * payload, labels in range); 0 otherwise, out zeroed: the caller loads the sources. */
WINIT_INTERNAL int winit_data_cache_load(const struct winit_data_cache *c,
                                         struct winit_dataset *out);
/* Write ds (pixels and labels, as loaded from c's sources) to c's file: a temporary file
 * renamed over it; then remove the directory's entries whose sources no longer exist.
 * Silent: a cache that cannot be written is only not there. */
WINIT_INTERNAL void winit_data_cache_store(const struct winit_data_cache *c,
                                           const struct winit_dataset *ds);

#endif /* WINIT_DATA_CACHE_H */
