/* tests/fuzz/fuzz_idx_gz.c -- libFuzzer harness for the IDX reader's gzip path: the input
 * is gzip-compressed here first, so mutations reach the IDX parsing behind inflate()
 * (headers, dimensions, short and long payloads, split across read chunks) instead of
 * stopping at the first corrupt deflate block.  The first input byte picks the
 * compression level and whether a second gzip member follows (multi-member files). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* gzip-compress src (n) into a new buffer; returns its size, 0 on failure. */
static size_t gzip(uint8_t **out, const uint8_t *src, size_t n, int level)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	size_t cap = deflateBound(&zs, (uLong)n);
	*out = malloc(cap);
	if (!*out) {
		deflateEnd(&zs);
		return 0;
	}
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)n;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	size_t got = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	int level = data[0] % 10;
	int two = data[0] >= 128;
	data++;
	size--;
	size_t half = two ? size / 2 : size;
	uint8_t *a = NULL, *b = NULL;
	size_t na = gzip(&a, data, half, level);
	size_t nb = two ? gzip(&b, data + half, size - half, level) : 0;
	if (na && (!two || nb)) {
		uint8_t *all = malloc(na + nb + 1);
		if (all) {
			memcpy(all, a, na);
			if (nb)
				memcpy(all + na, b, nb);
			fuzz_read_idx(all, na + nb);
			free(all);
		}
	}
	free(a);
	free(b);
	return 0;
}
