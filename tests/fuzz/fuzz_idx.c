/* tests/fuzz/fuzz_idx.c -- libFuzzer harness for the IDX reader (winit_idx_read) on
 * arbitrary file contents: plain IDX, and gzip whenever the input starts with 1f 8b.
 *
 * The input becomes a file (an anonymous memfd, read through /proc/self/fd) because the
 * reader takes a path.  Any outcome but a crash, a leak or a sanitizer report is fine:
 * a malformed file must get an error message, never undefined behaviour. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read_idx(data, size);
	return 0;
}
