/* tests/fuzz/fuzz_common.h -- what the IDX harnesses share: bytes -> a file -> the reader. */
#ifndef WINIT_FUZZ_COMMON_H
#define WINIT_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <winit/data.h>
#include <winit/error.h>

/* Read bytes as an IDX file; every error must be a message that names the file. */
static void fuzz_read_idx(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-idx", 0);
	if (fd < 0)
		return;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct winit_idx idx;
	struct winit_error err = { 0 };
	int rc = winit_idx_read(&idx, path, &err);
	if (rc != WINIT_OK && (!err.msg[0] || !strstr(err.msg, path)))
		__builtin_trap(); /* an error without a message naming the file */
	if (rc == WINIT_OK) {
		uint64_t n = 1;
		for (uint32_t i = 0; i < idx.n_dims; i++)
			n *= idx.dims[i];
		if (n != idx.n || (n && !idx.data))
			__builtin_trap();
		volatile uint8_t sink = n ? idx.data[n - 1] : 0; /* the whole payload is there */
		(void)sink;
	}
	winit_idx_free(&idx);
	close(fd);
}

#endif /* WINIT_FUZZ_COMMON_H */
