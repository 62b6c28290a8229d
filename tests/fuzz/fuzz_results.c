/* tests/fuzz/fuzz_results.c -- libFuzzer harness for the results-file readers
 * (winit_results_read, src/results/results_read.c, used by --resume and merge's
 * validation; winit_report_read, src/results/report_read.c, the report's) on arbitrary
 * file contents: any outcome but a crash, a leak or a sanitizer report is fine, a refused
 * file must get a message naming it, and the two readers must agree on every file of the
 * current version (one validation, src/results/results_schema.c). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <winit/results.h>
#include <winit/report_page.h>

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
	/* The report's reader validates as resume's does (results_schema.c): of a file of the
	 * current version, both accept it or both refuse it. */
	struct winit_report_study r;
	struct winit_error err2 = { 0 };
	int rc2 = winit_report_read(path, &r, &err2);
	if (rc2 != WINIT_OK && (!err2.msg[0] || !strstr(err2.msg, path)))
		__builtin_trap();
	if (rc != WINIT_ERR_NOMEM && rc2 != WINIT_ERR_NOMEM &&
	    ((rc == WINIT_OK && rc2 != WINIT_OK) ||
	     (rc != WINIT_OK && rc2 == WINIT_OK && r.version == WINIT_RESULTS_VERSION)))
		__builtin_trap(); /* the two readers disagree */
	winit_report_free(&r);
	close(fd);
	return 0;
}
