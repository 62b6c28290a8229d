/* tests/fuzz/fuzz_results.c -- libFuzzer harness for the results-file reader
 * (winit_results_read, src/report/results_read.c, used by --resume) on arbitrary file
 * contents: any outcome but a crash, a leak or a sanitizer report is fine, and a refused
 * file must get a message naming it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <winit/report.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-results", 0);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct winit_results_file f;
	struct winit_error err = { 0 };
	int rc = winit_results_read(path, &f, &err);
	if (rc != WINIT_OK && (!err.msg[0] || !strstr(err.msg, path)))
		__builtin_trap(); /* refused without a message naming the file */
	if (rc == WINIT_OK)
		winit_results_file_free(&f);
	close(fd);
	return 0;
}
