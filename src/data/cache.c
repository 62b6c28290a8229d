/* src/data/cache.c -- the dataset cache (src/data/cache.h).
 *
 * Inflating Fashion-MNIST's gzip files costs every process ~0.3 s of CPU, and a study
 * under mpirun pays it on every rank.  As Keras keeps its datasets in ~/.keras/datasets,
 * winit keeps each images + labels pair it loaded, inflated and validated, in one file
 * under $WINIT_CACHE_DIR, else $XDG_CACHE_HOME/winit, else ~/.cache/winit, and maps it
 * read-only (the ranks of a node share its pages) the next time.
 *
 * A cache file: a 4096-byte header (struct cache_header, zero-padded: the format name
 * "winit-dataset-cache", its version, the byte order, the shape, the key of both sources
 * -- resolved path, size, mtime, inode, device and the CRC-32 of their first 4 KiB --,
 * the offset, length and CRC-32 of both payloads, and the CRC-32 of the header itself),
 * then the pixels (n x n_features bytes), then the labels (n bytes).  Everything is
 * checked before a byte is used: a file that is stale, truncated, corrupt, from another
 * version or another machine's byte order is ignored and written anew, so the cache can
 * make a load faster but never change what it returns.  Written to a temporary file and
 * renamed, never rewritten in place, so readers see a whole file or none and a mapping
 * stays valid while another process replaces the entry; without fsync (a file torn by a
 * crash fails its CRC and is rebuilt).  Writing an entry also removes those whose sources
 * are gone.  WINIT_NO_CACHE=1 (`winit run --no-cache`) turns it off.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef WINIT_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

#include "core/fileio.h"
#include "data/cache.h"

#define CACHE_MAGIC "winit-dataset-cache"
#define CACHE_VERSION 1u
#define CACHE_BYTE_ORDER 0x01020304u
#define CACHE_HEADER 4096u /* the payload starts here, page-aligned */
#define CACHE_HEAD_BYTES 4096u

struct cache_header {
	char magic[24];
	uint32_t version, byte_order;
	uint64_t n, n_features;
	int32_t height, width, n_classes, pad;
	uint64_t x_off, x_len, y_off, y_len;
	uint32_t x_crc, y_crc;
	struct winit_cache_src src[2];
	uint32_t header_crc, pad2; /* CRC-32 of the header with this field 0 */
};
_Static_assert(sizeof(struct cache_header) <= CACHE_HEADER, "the cache header fits its page");

static uint32_t crc32_of(const void *data, size_t len)
{
#ifdef WINIT_HAVE_LIBDEFLATE
	return libdeflate_crc32(0, data, len);
#else
	const unsigned char *p = data;
	uLong c = crc32(0L, Z_NULL, 0);
	while (len > 0) {
		uInt k = len > (1u << 30) ? 1u << 30 : (uInt)len;
		c = crc32(c, p, k);
		p += k;
		len -= k;
	}
	return (uint32_t)c;
#endif
}

static uint32_t header_crc(const struct cache_header *h)
{
	struct cache_header copy = *h;
	copy.header_crc = 0;
	return crc32_of(&copy, sizeof copy);
}

/* The key of one source: 0 when it cannot be resolved, stat'ed or read. */
static int source_key(struct winit_cache_src *s, const char *path)
{
	char real[PATH_MAX];
	memset(s, 0, sizeof *s);
	if (!realpath(path, real) || strlen(real) >= sizeof s->path)
		return 0;
	memcpy(s->path, real, strlen(real));
	struct stat st;
	/* A FIFO or a device is not cached (nor opened: that could block); the reader then
	 * refuses it, naming the file. */
	if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	unsigned char head[CACHE_HEAD_BYTES];
	ssize_t got = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		got = pread(fd, head, sizeof head, 0);
	close(fd);
	if (got < 0)
		return 0;
	s->size = (uint64_t)st.st_size;
	s->mtime_s = (uint64_t)st.st_mtim.tv_sec;
	s->mtime_ns = (uint64_t)st.st_mtim.tv_nsec;
	s->ino = (uint64_t)st.st_ino;
	s->dev = (uint64_t)st.st_dev;
	s->head_crc = crc32_of(head, (size_t)got);
	return 1;
}

/* The cache directory, or 0 when there is none to use. */
static int cache_dir(char *buf, size_t size)
{
	const char *d = getenv("WINIT_CACHE_DIR");
	int w;
	if (d && *d)
		w = snprintf(buf, size, "%s", d);
	else if ((d = getenv("XDG_CACHE_HOME")) && *d == '/') /* relative: ignored (the spec) */
		w = snprintf(buf, size, "%s/winit", d);
	else if ((d = getenv("HOME")) && *d)
		w = snprintf(buf, size, "%s/.cache/winit", d);
	else
		return 0;
	return w > 0 && (size_t)w < size;
}

/* 64-bit FNV-1a: names the pair's file. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

int winit_data_cache_open(struct winit_data_cache *c, const char *images, const char *labels,
                          int32_t n_classes)
{
	memset(c, 0, sizeof *c);
	const char *off = getenv("WINIT_NO_CACHE");
	if (off && *off && strcmp(off, "0") != 0)
		return 0;
	if (!cache_dir(c->dir, sizeof c->dir) || !source_key(&c->src[0], images) ||
	    !source_key(&c->src[1], labels))
		return 0;
	c->n_classes = n_classes;
	uint64_t h = 0xcbf29ce484222325ull;
	h = fnv1a(h, c->src[0].path, strlen(c->src[0].path) + 1);
	h = fnv1a(h, c->src[1].path, strlen(c->src[1].path) + 1);
	h = fnv1a(h, &n_classes, sizeof n_classes);
	const char *base = strrchr(c->src[0].path, '/');
	base = base ? base + 1 : c->src[0].path;
	int w = snprintf(c->file, sizeof c->file, "%s/%.64s.%016llx.cache", c->dir, base,
	                 (unsigned long long)h);
	return w > 0 && (size_t)w < sizeof c->file;
}

/* Does h describe this pair as c sees it now, with a sane layout for a file of size? */
static int header_ok(const struct cache_header *h, const struct winit_data_cache *c,
                     uint64_t size)
{
	if (memcmp(h->magic, CACHE_MAGIC, sizeof CACHE_MAGIC) != 0 ||
	    h->version != CACHE_VERSION || h->byte_order != CACHE_BYTE_ORDER ||
	    h->header_crc != header_crc(h) || h->n_classes != c->n_classes)
		return 0;
	if (memcmp(h->src, c->src, sizeof h->src) != 0)
		return 0; /* stale: a source moved, changed or was replaced */
	if (h->n < 1 || h->n > UINT32_MAX || h->height < 1 || h->width < 1 ||
	    h->n_features != (uint64_t)h->height * (uint64_t)h->width)
		return 0;
	if (h->n_features > UINT64_MAX / h->n || h->x_off != CACHE_HEADER ||
	    h->x_len != h->n * h->n_features || h->y_off != h->x_off + h->x_len ||
	    h->y_len != h->n || h->y_off > UINT64_MAX - h->y_len)
		return 0;
	return size == h->y_off + h->y_len && size <= SIZE_MAX;
}

int winit_data_cache_load(const struct winit_data_cache *c, struct winit_dataset *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(c->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	struct cache_header h;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    !header_ok(&h, c, (uint64_t)st.st_size)) {
		close(fd);
		return 0;
	}
	size_t len = (size_t)st.st_size;
	/* MAP_POPULATE: the CRC reads every page now, and training would soon after. */
	uint8_t *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	const uint8_t *x = map + h.x_off, *y = map + h.y_off;
	int ok = crc32_of(x, (size_t)h.x_len) == h.x_crc && crc32_of(y, (size_t)h.y_len) == h.y_crc;
	for (uint64_t i = 0; ok && i < h.n; i++)
		ok = y[i] < h.n_classes;
	if (!ok) {
		munmap(map, len);
		return 0;
	}
	out->n = (int64_t)h.n;
	out->n_features = (int64_t)h.n_features;
	out->height = h.height;
	out->width = h.width;
	out->n_classes = h.n_classes;
	out->x = (uint8_t *)x; /* read-only: PROT_READ */
	out->y = (uint8_t *)y;
	out->map = map;
	out->map_len = len;
	return 1;
}

/* mkdir -p for the cache directory (0700: it holds what the user read). */
static int make_dirs(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof buf)
		return 0;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char keep = *p;
		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return 0;
		if (keep == '\0')
			return 1;
		*p = keep;
	}
}

/* Remove the entries of c's directory whose sources are gone (a moved dataset, a
 * temporary directory): each entry is keyed by its sources' paths, so nothing else would
 * ever replace it.  Files that are not cache entries are left alone. */
static void prune(const struct winit_data_cache *c)
{
	DIR *d = opendir(c->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 6, ".cache") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", c->dir, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		struct cache_header h;
		int ours = pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
		           memcmp(h.magic, CACHE_MAGIC, sizeof CACHE_MAGIC) == 0 &&
		           h.version == CACHE_VERSION && h.header_crc == header_crc(&h);
		close(fd);
		h.src[0].path[sizeof h.src[0].path - 1] = h.src[1].path[sizeof h.src[1].path - 1] = '\0';
		struct stat st;
		if (ours && (stat(h.src[0].path, &st) != 0 || stat(h.src[1].path, &st) != 0) &&
		    errno == ENOENT)
			unlink(path);
	}
	closedir(d);
}

void winit_data_cache_store(const struct winit_data_cache *c, const struct winit_dataset *ds)
{
	if (!ds->x || ds->xf || !ds->y || ds->n < 1 || ds->n_features < 1)
		return;
	struct cache_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, CACHE_MAGIC, sizeof CACHE_MAGIC);
	h.version = CACHE_VERSION;
	h.byte_order = CACHE_BYTE_ORDER;
	h.n = (uint64_t)ds->n;
	h.n_features = (uint64_t)ds->n_features;
	h.height = ds->height;
	h.width = ds->width;
	h.n_classes = ds->n_classes;
	h.x_off = CACHE_HEADER;
	h.x_len = h.n * h.n_features;
	h.y_off = h.x_off + h.x_len;
	h.y_len = h.n;
	h.x_crc = crc32_of(ds->x, (size_t)h.x_len);
	h.y_crc = crc32_of(ds->y, (size_t)h.y_len);
	memcpy(h.src, c->src, sizeof h.src);
	h.header_crc = header_crc(&h);

	char tmp[4096 + 16];
	unsigned char page[CACHE_HEADER] = { 0 };
	memcpy(page, &h, sizeof h);
	if (!make_dirs(c->dir) || snprintf(tmp, sizeof tmp, "%s.XXXXXX", c->file) >= (int)sizeof tmp)
		return;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	int ok = winit_write_all(fd, page, sizeof page) == 0 &&
	         winit_write_all(fd, ds->x, (size_t)h.x_len) == 0 &&
	         winit_write_all(fd, ds->y, (size_t)h.y_len) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, c->file) != 0) {
		unlink(tmp);
		return;
	}
	prune(c);
}
