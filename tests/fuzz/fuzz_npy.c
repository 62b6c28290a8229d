/* tests/fuzz/fuzz_npy.c -- libFuzzer harness for the .npy reader and the datasets made from
 * a pair of .npy files (src/data/npy.c).
 *
 * The input is two files: its first two bytes (little-endian) say where the images file
 * ends (modulo what follows them), the images file's bytes come next, then the labels
 * file's.  Each file goes through both entry points, a path (an anonymous memfd read
 * through /proc/self/fd) and bytes in memory, which must agree: the same status and the
 * same message, or the same array.  Then winit_dataset_load_npy loads the pair.  Any
 * outcome but a crash, a leak, a sanitizer report or a broken promise below is fine. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <winit/data.h>
#include <winit/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* bytes -> an anonymous file; its path in `path`, its descriptor returned (-1: none). */
static int to_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz-npy", 0);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

/* The file and the memory entry points agree, errors name the file, arrays hold what
 * their shape says. */
static void read_both(const uint8_t *data, size_t size, const char *path)
{
	struct winit_npy a, b;
	struct winit_error ea = { 0 }, eb = { 0 };
	int ra = winit_npy_read(&a, path, &ea);
	int rb = winit_npy_parse(&b, data, size, path, &eb);
	if (ra != rb || strcmp(ea.msg, eb.msg) != 0)
		__builtin_trap(); /* the two entry points disagree */
	if (ra != WINIT_OK) {
		if (!ea.msg[0] || strncmp(ea.msg, path, strlen(path)) != 0 || a.data || b.data)
			__builtin_trap(); /* an error that does not start with the file's name */
	} else {
		uint64_t n = 1;
		for (uint32_t i = 0; i < a.n_dims; i++)
			n *= a.dims[i];
		if (n != a.n || !a.data || a.n_dims != b.n_dims || a.n != b.n ||
		    a.data_at != b.data_at || a.data_at + n * a.item_size != size ||
		    memcmp(a.data, b.data, (size_t)(n * a.item_size)) != 0)
			__builtin_trap();
		volatile uint8_t sink = n ? ((const uint8_t *)a.data)[n * a.item_size - 1] : 0;
		(void)sink;
	}
	winit_npy_free(&a);
	winit_npy_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t split = ((size_t)data[0] | (size_t)data[1] << 8) % (size - 1);
	const uint8_t *im = data + 2, *lb = data + 2 + split;
	size_t im_len = split, lb_len = size - 2 - split;
	char ip[64], lp[64];
	int fi = to_file(im, im_len, ip, sizeof ip);
	int fl = to_file(lb, lb_len, lp, sizeof lp);
	if (fi < 0 || fl < 0)
		goto done;
	read_both(im, im_len, ip);
	read_both(lb, lb_len, lp);

	struct winit_dataset ds;
	struct winit_error err = { 0 };
	if (winit_dataset_load_npy(&ds, ip, lp, 0, &err) != WINIT_OK) {
		if (!err.msg[0] || (!strstr(err.msg, ip) && !strstr(err.msg, lp)))
			__builtin_trap(); /* an error naming neither file */
		goto done;
	}
	int64_t c = ds.channels > 0 ? ds.channels : 1;
	if (ds.n < 1 || ds.height < 1 || ds.width < 1 || ds.n_classes < 1 || ds.n_classes > 256 ||
	    (int64_t)ds.height * ds.width * c != ds.n_features || !ds.y || !ds.x == !ds.xf)
		__builtin_trap();
	for (int64_t i = 0; i < ds.n; i++)
		if (ds.y[i] >= ds.n_classes)
			__builtin_trap();
	for (int64_t i = 0; ds.xf && i < ds.n * ds.n_features; i++)
		if (!isfinite(ds.xf[i]))
			__builtin_trap();
	if (ds.x) {
		volatile uint8_t sink = ds.x[ds.n * ds.n_features - 1];
		(void)sink;
	}
	winit_dataset_free(&ds);
done:
	if (fi >= 0)
		close(fi);
	if (fl >= 0)
		close(fl);
	return 0;
}
