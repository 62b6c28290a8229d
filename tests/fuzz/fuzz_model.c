/* tests/fuzz/fuzz_model.c -- libFuzzer harness for the saved-model reader
 * (winit_model_load, src/nn/load.c) on arbitrary file contents.  The plugins a model names
 * are looked up in the registry loaded once from the default search path (make fuzz points
 * WINIT_PLUGIN_PATH at the build tree's plugins).  Any outcome but a crash, a leak or a
 * sanitizer report is fine, and a refused file must get a message naming it.
 *
 * A mutated file almost always fails its trailing crc32 first, which would keep the
 * fuzzer out of the parser.  So the input's first byte chooses: even, the rest is the file
 * as it is; odd, the rest is the file without its checksum and the right crc32 is
 * appended, so the parser behind the check is explored too. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include <winit/model_io.h>
#include <winit/registry.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct winit_registry *registry(void)
{
	static struct winit_registry *reg;
	if (!reg) {
		struct winit_error err = { 0 };
		reg = winit_registry_new();
		if (!reg || winit_registry_load_default(reg, NULL, &err) != WINIT_OK)
			__builtin_trap(); /* the harness itself is broken: say so at once */
	}
	return reg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-model", 0);
	if (fd < 0)
		return 0;
	uint8_t crc_le[4];
	size_t n_crc = 0;
	if (size == 0) {
		close(fd);
		return 0;
	}
	int add_crc = data[0] & 1;
	data++;
	size--;
	if (add_crc) {
		uLong crc = crc32(0L, data, (uInt)size);
		for (int i = 0; i < 4; i++)
			crc_le[i] = (uint8_t)(crc >> (8 * i));
		n_crc = 4;
	}
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (n_crc && write(fd, crc_le, n_crc) != (ssize_t)n_crc) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct winit_trainer t;
	uint32_t what = 0;
	struct winit_error err = { 0 };
	int rc = winit_model_load(path, registry(), &t, &what, &err);
	if (rc != WINIT_OK && (!err.msg[0] || !strstr(err.msg, path)))
		__builtin_trap(); /* refused without a message naming the file */
	if (rc == WINIT_OK) {
		if (!(what & WINIT_MODEL_WEIGHTS) || t.model.n_params <= 0)
			__builtin_trap();
		winit_trainer_free(&t);
	}
	close(fd);
	return 0;
}
