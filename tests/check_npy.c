/* tests/check_npy.c -- the .npy reader and datasets from .npy files: round trips of files
 * written here byte by byte (versions 1.0, 2.0 and 3.0; uint8, float32 and float64; 3-D and
 * 4-D; 1-tuples; the header variants NumPy writers produce) and every malformed file,
 * each refusal asserting the byte offset and what was expected and found.  Every case goes
 * through both entry points (a file, and bytes in memory) and requires the same outcome. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>

#include <winit/data.h>

#include "testutil.h"

#define MAX_FILE 4096

/* A .npy file in buf: the magic, version major.minor, the header length (uint16 for 1.x,
 * uint32 otherwise: hlen, or the header's own length when hlen is -1), the header bytes
 * exactly as given, then len bytes of data.  Returns the file's length. */
static size_t npy_raw(uint8_t *buf, uint8_t major, uint8_t minor, const char *header,
                      long hlen, const void *data, size_t len)
{
	size_t k = 0, h = strlen(header);
	uint32_t n = hlen < 0 ? (uint32_t)h : (uint32_t)hlen;
	buf[k++] = 0x93;
	memcpy(buf + k, "NUMPY", 5);
	k += 5;
	buf[k++] = major;
	buf[k++] = minor;
	buf[k++] = (uint8_t)n;
	buf[k++] = (uint8_t)(n >> 8);
	if (major != 1) {
		buf[k++] = (uint8_t)(n >> 16);
		buf[k++] = (uint8_t)(n >> 24);
	}
	ck_assert_uint_le(k + h + len, MAX_FILE);
	memcpy(buf + k, header, h);
	k += h;
	if (len)
		memcpy(buf + k, data, len);
	return k + len;
}

/* As NumPy writes it: the dict padded with spaces so that the data start at a multiple
 * of 64, then a newline. */
static size_t npy_file(uint8_t *buf, uint8_t major, const char *dict, const void *data,
                       size_t len)
{
	char header[1024];
	size_t pre = major == 1 ? 10 : 12, d = strlen(dict);
	size_t total = (pre + d + 1 + 63) / 64 * 64;
	ck_assert_uint_lt(total - pre, sizeof header);
	memcpy(header, dict, d);
	memset(header + d, ' ', total - pre - d - 1);
	header[total - pre - 1] = '\n';
	header[total - pre] = '\0';
	return npy_raw(buf, major, 0, header, -1, data, len);
}

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

#define ASSERT_MSG_HAS(msg, s) \
	ck_assert_msg(strstr((msg), (s)) != NULL, "message lacks \"%s\": %s", (s), (msg))

/* Read buf as a file and from memory: both succeed, with the same result, in *out (the
 * file's). */
static void read_ok(struct winit_npy *out, const uint8_t *buf, size_t len)
{
	const char *path = tu_tmp_path("ok.npy");
	write_file(path, buf, len);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_npy_read(out, path, &err) == WINIT_OK, "%s", err.msg);
	struct winit_npy mem;
	ck_assert_msg(winit_npy_parse(&mem, buf, len, path, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_uint_eq(mem.n_dims, out->n_dims);
	ck_assert_uint_eq(mem.n, out->n);
	ck_assert_uint_eq(mem.data_at, out->data_at);
	ck_assert_mem_eq(mem.data, out->data, (size_t)out->n * out->item_size);
	winit_npy_free(&mem);
}

/* buf is refused with WINIT_ERR_FORMAT, as a file and from memory alike, with a message
 * "PATH: byte AT: ..." holding each of the NULL-terminated phrases. */
static void refused_at(const uint8_t *buf, size_t len, uint64_t at, ...)
{
	const char *path = tu_tmp_path("bad.npy");
	write_file(path, buf, len);
	struct winit_npy a, b;
	struct winit_error ea = { 0 }, eb = { 0 };
	ck_assert_int_eq(winit_npy_read(&a, path, &ea), WINIT_ERR_FORMAT);
	ck_assert_int_eq(winit_npy_parse(&b, buf, len, path, &eb), WINIT_ERR_FORMAT);
	ck_assert_str_eq(ea.msg, eb.msg);
	ck_assert_ptr_null(a.data);
	ck_assert_ptr_null(b.data);
	char head[600];
	snprintf(head, sizeof head, "%s: byte %llu: ", path, (unsigned long long)at);
	ck_assert_msg(strncmp(ea.msg, head, strlen(head)) == 0, "expected \"%s\", got: %s", head,
	              ea.msg);
	va_list ap;
	va_start(ap, at);
	for (const char *s; (s = va_arg(ap, const char *));)
		ASSERT_MSG_HAS(ea.msg, s);
	va_end(ap);
}

/* ---- core ---- */

START_TEST(version_1_uint8_3d)
{
	uint8_t buf[MAX_FILE], data[24];
	for (int i = 0; i < 24; i++)
		data[i] = (uint8_t)(i * 11);
	size_t len = npy_file(buf, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }",
	                      data, sizeof data);
	ck_assert_uint_eq(len, 128 + 24);
	struct winit_npy a;
	read_ok(&a, buf, len);
	ck_assert_uint_eq(a.major, 1);
	ck_assert_uint_eq(a.minor, 0);
	ck_assert_int_eq(a.kind, 'u');
	ck_assert_uint_eq(a.item_size, 1);
	ck_assert_str_eq(a.descr, "|u1");
	ck_assert_uint_eq(a.n_dims, 3);
	ck_assert_uint_eq(a.dims[0], 2);
	ck_assert_uint_eq(a.dims[1], 3);
	ck_assert_uint_eq(a.dims[2], 4);
	ck_assert_uint_eq(a.n, 24);
	ck_assert_uint_eq(a.descr_at, 10 + 10); /* {'descr': '|u1' */
	ck_assert_uint_eq(a.shape_at, 10 + 50); /* 'shape': ( */
	ck_assert_uint_eq(a.data_at, 128); /* NumPy's padding leaves room for the shape to grow */
	ck_assert_mem_eq(a.data, data, 24);
	winit_npy_free(&a);
	ck_assert_ptr_null(a.data);
	winit_npy_free(&a); /* twice is fine */
	winit_npy_free(NULL);
}
END_TEST

START_TEST(version_2_float32_4d)
{
	uint8_t buf[MAX_FILE];
	float data[12];
	for (int i = 0; i < 12; i++)
		data[i] = (float)i * 0.25f - 1.0f;
	size_t len = npy_file(buf, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3, 2), }",
	                      data, sizeof data);
	struct winit_npy a;
	read_ok(&a, buf, len);
	ck_assert_uint_eq(a.major, 2);
	ck_assert_int_eq(a.kind, 'f');
	ck_assert_uint_eq(a.item_size, 4);
	ck_assert_uint_eq(a.n_dims, 4);
	ck_assert_uint_eq(a.dims[3], 2);
	ck_assert_uint_eq(a.data_at, 128); /* 12 + 66 + padding: the next multiple of 64 */
	ck_assert_mem_eq(a.data, data, sizeof data);
	winit_npy_free(&a);
}
END_TEST

START_TEST(version_3_header_is_read_as_utf8)
{
	uint8_t buf[MAX_FILE];
	double data[3] = { 1.5, -2.0, 1e300 };
	size_t len = npy_file(buf, 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
	                      data, sizeof data);
	struct winit_npy a;
	read_ok(&a, buf, len);
	ck_assert_uint_eq(a.major, 3);
	ck_assert_uint_eq(a.n_dims, 1);
	ck_assert_uint_eq(a.dims[0], 3);
	ck_assert_mem_eq(a.data, data, sizeof data);
	winit_npy_free(&a);
	/* A key in UTF-8 (e with an acute accent) gets as far as the key check in 3.0; the
	 * same bytes are two Latin-1 characters in 1.0 and refused there alike. */
	len = npy_file(buf, 3, "{'d\xc3\xa9': '<f8', 'fortran_order': False, 'shape': (3,), }",
	               data, sizeof data);
	refused_at(buf, len, 13, "unknown key 'd\\xc3\\xa9'", "expected 'descr', 'fortran_order' or 'shape'", NULL);
	/* Not UTF-8: a lone continuation byte, an overlong '/', a surrogate, a truncated
	 * sequence at the end. */
	const char *bad[] = { "{'d\x80'", "{'d\xc0\xaf'", "{'d\xed\xa0\x80'", "{'d\xe2\x82" };
	for (size_t i = 0; i < 4; i++) {
		char h[64];
		snprintf(h, sizeof h, "%s\n", bad[i]);
		if (i == 3)
			snprintf(h, sizeof h, "%s", bad[i]);
		len = npy_raw(buf, 3, 0, h, -1, NULL, 0);
		refused_at(buf, len, 12 + 3, "found 0x", "not UTF-8", "expected a version 3.0 header in UTF-8", NULL);
	}
	/* In 1.0 the same bytes are Latin-1: no UTF-8 error, the key check speaks. */
	len = npy_raw(buf, 1, 0, "{'d\x80': 1}\n", -1, NULL, 0);
	refused_at(buf, len, 11, "unknown key 'd\\x80'", NULL);
}
END_TEST

START_TEST(big_endian_values_are_swapped)
{
	uint8_t buf[MAX_FILE];
	/* >f4 1.0 = 3f 80 00 00, -2.5 = c0 20 00 00; >i8 -2 and 258; >u2 513 */
	const uint8_t f[8] = { 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0 };
	size_t len = npy_file(buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", f, 8);
	struct winit_npy a;
	read_ok(&a, buf, len);
	ck_assert_float_eq(((float *)a.data)[0], 1.0f);
	ck_assert_float_eq(((float *)a.data)[1], -2.5f);
	winit_npy_free(&a);
	const uint8_t i8[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 1, 2 };
	len = npy_file(buf, 1, "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", i8, 16);
	read_ok(&a, buf, len);
	ck_assert_int_eq(((int64_t *)a.data)[0], -2);
	ck_assert_int_eq(((int64_t *)a.data)[1], 258);
	winit_npy_free(&a);
	const uint8_t u2[2] = { 2, 1 };
	len = npy_file(buf, 1, "{'descr': '>u2', 'fortran_order': False, 'shape': (1,), }", u2, 2);
	read_ok(&a, buf, len);
	ck_assert_uint_eq(((uint16_t *)a.data)[0], 513);
	winit_npy_free(&a);
}
END_TEST

/* What other writers produce and NumPy reads: keys in any order, double quotes, tabs, no
 * trailing commas, Python 2's 60000L, a scalar, an empty array, old 16-byte padding. */
START_TEST(header_variants_numpy_accepts)
{
	static const struct {
		uint8_t major;
		const char *header;
		uint32_t n_dims;
		uint64_t d0, n;
	} ok[] = {
		{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }\n", 1, 5, 5 },
		{ 1, "{\"shape\": (5,), \"fortran_order\": False, \"descr\": \"|u1\"}\n", 1, 5, 5 },
		{ 1, "{'descr':'|u1','fortran_order':False,'shape':(5,)}\n", 1, 5, 5 },
		{ 1, "\t{ 'descr' :\t'|u1' , 'fortran_order' : False , 'shape' : ( 5 , ) , }  \t \n", 1, 5, 5 },
		{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5L,), }\n", 1, 5, 5 },
		{ 2, "{'descr': '|u1', 'fortran_order': False, 'shape': (1L, 5L), }\n", 2, 1, 5 },
		{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 5)}\n", 2, 1, 5 },
		{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }\n", 0, 0, 1 },
		{ 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 5), }\n", 2, 0, 0 },
		{ 1, "{'descr': '<u1', 'fortran_order': False, 'shape': (5,), }\n", 1, 5, 5 },
	};
	uint8_t buf[MAX_FILE], data[5] = { 1, 2, 3, 4, 5 };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		size_t len = npy_raw(buf, ok[i].major, 0, ok[i].header, -1, data, ok[i].n);
		struct winit_npy a;
		read_ok(&a, buf, len);
		ck_assert_uint_eq(a.n_dims, ok[i].n_dims);
		if (a.n_dims)
			ck_assert_uint_eq(a.dims[0], ok[i].d0);
		ck_assert_uint_eq(a.n, ok[i].n);
		ck_assert_ptr_nonnull(a.data);
		ck_assert_mem_eq(a.data, data, (size_t)a.n);
		winit_npy_free(&a);
	}
}
END_TEST

/* ---- errors: the prefix, the version, the header's length ---- */

START_TEST(empty_and_bad_magic)
{
	uint8_t buf[MAX_FILE];
	const char *path = tu_tmp_path("empty.npy");
	write_file(path, buf, 0);
	struct winit_npy a;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_npy_read(&a, path, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, path);
	ASSERT_MSG_HAS(err.msg, "file is empty; expected a .npy file");
	ck_assert_int_eq(winit_npy_parse(&a, NULL, 0, "mem", &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, "mem: file is empty");

	size_t len = npy_file(buf, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", "x", 1);
	buf[3] = 'N';
	refused_at(buf, len, 3, "bad magic: found 0x4e; expected 0x4d", "\\x93NUMPY", NULL);
	buf[3] = 'M';
	buf[0] = 0x92;
	refused_at(buf, len, 0, "bad magic: found 0x92; expected 0x93", NULL);
	buf[0] = 0x93;
	refused_at(buf, 4, 4, "file ends inside the magic", NULL);
	refused_at(buf, 7, 7, "file ends inside the version", NULL);
}
END_TEST

START_TEST(unsupported_versions)
{
	uint8_t buf[MAX_FILE];
	const char *h = "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n";
	size_t len = npy_raw(buf, 4, 0, h, -1, "x", 1);
	refused_at(buf, len, 6, "format version 4.0 not supported; expected 1.0, 2.0 or 3.0", NULL);
	len = npy_raw(buf, 1, 1, h, -1, "x", 1);
	refused_at(buf, len, 6, "format version 1.1 not supported", NULL);
	len = npy_raw(buf, 0, 0, h, -1, "x", 1);
	refused_at(buf, len, 6, "format version 0.0 not supported", NULL);
}
END_TEST

START_TEST(header_length_checked)
{
	uint8_t buf[MAX_FILE];
	const char *h = "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }\n";
	size_t len = npy_raw(buf, 2, 0, h, -1, "x", 1);
	refused_at(buf, 10, 10, "file ends inside the header length; expected 4 bytes (a little-endian uint32)", NULL);
	refused_at(buf, 9, 9, "expected 4 bytes", NULL);
	/* Longer than what follows: the file ends after len - 12 of them. */
	len = npy_raw(buf, 2, 0, h, 1000, NULL, 0);
	refused_at(buf, len, len, "header truncated: its length (byte 8) says 1000 bytes, the file ends after 58", NULL);
	len = npy_raw(buf, 1, 0, h, 0, NULL, 0);
	refused_at(buf, len, 8, "header length 0; expected a header", NULL);
	len = npy_raw(buf, 2, 0, h, (1 << 20) + 1, NULL, 0);
	refused_at(buf, len, 8, "header length 1048577 too large; expected at most 1048576 bytes", NULL);
	/* A length one short: the header's last byte is then "}" (byte 10 + 56), not a newline. */
	len = npy_raw(buf, 1, 0, h, (long)strlen(h) - 1, NULL, 0);
	refused_at(buf, len, 10 + 56, "header does not end with a newline: found \"}\"", "expected \"\\n\"", NULL);
}
END_TEST

/* ---- errors in the dict ---- */

/* One version 1.0 file per header (data: 8 bytes, enough for the shapes below). */
static void header_refused(const char *header, uint64_t at, const char *what, const char *what2)
{
	uint8_t buf[MAX_FILE];
	size_t len = npy_raw(buf, 1, 0, header, -1, "\1\2\3\4\5\6\7\10", 8);
	refused_at(buf, len, at, what, what2, NULL);
}

START_TEST(header_syntax_refused)
{
	/* byte = 10 + the offset in the header */
	header_refused("['descr']\n", 10, "header: expected \"{\" (the header is a Python dict), found \"[\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8,) }  x\n", 10 + 58,
	               "expected spaces then the newline after the dict, found \"x\"", NULL);
	header_refused("{'descr': '|u1' 'fortran_order': False, 'shape': (8,)}\n", 10 + 16,
	               "expected \",\" or \"}\" after a value, found \"'\"", NULL);
	header_refused("{'descr' '|u1', 'fortran_order': False, 'shape': (8,)}\n", 10 + 9,
	               "expected \":\" after the key, found \"'\"", NULL);
	header_refused("{descr: '|u1', 'fortran_order': False, 'shape': (8,)}\n", 10 + 1,
	               "expected a key ('descr', 'fortran_order' or 'shape') or \"}\", found \"d\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8,),,}\n", 10 + 55,
	               "found \",\"", NULL);
	header_refused("{'descr': '|u1\n", 10 + 10, "unterminated string; expected a closing '", NULL);
	header_refused("{'descr': '|u\\x31', 'fortran_order': False, 'shape': (8,)}\n", 10 + 13,
	               "a backslash in a string", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8,)\n", 10 + 54,
	               "expected \",\" or \"}\" after a value, found the header's end", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8,)}\n\n", 10 + 55,
	               "found a newline", NULL);
}
END_TEST

START_TEST(header_keys_refused)
{
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8,), 'extra': 1}\n", 10 + 56,
	               "unknown key 'extra'; expected 'descr', 'fortran_order' or 'shape'", NULL);
	header_refused("{'descr': '|u1', 'shape': (8,), 'descr': '|u1', 'fortran_order': False}\n", 10 + 32,
	               "key 'descr' given twice (first at byte 11); expected each key once", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, }\n", 10 + 41,
	               "the dict lacks the key 'shape'; expected 'descr', 'fortran_order' and 'shape'", NULL);
	header_refused("{}\n", 10 + 1, "the dict lacks the key 'descr'", NULL);
}
END_TEST

START_TEST(dtypes_refused)
{
	/* The descr's string starts at byte 10 + 10. */
	static const struct {
		const char *descr, *why;
	} bad[] = {
		{ "<f2", "dtype '<f2' not supported (half-precision floats are not read)" },
		{ "=f4", "dtype '=f4' not supported (no explicit byte order)" },
		{ "f4", "dtype 'f4' not supported (no explicit byte order)" },
		{ "float32", "dtype 'float32' not supported (no explicit byte order)" },
		{ "|f4", "dtype '|f4' not supported ('|' (no byte order) is only for one-byte types)" },
		{ "|b1", "dtype '|b1' not supported (booleans are not read)" },
		{ "<c8", "dtype '<c8' not supported (complex numbers are not read)" },
		{ "<U5", "dtype '<U5' not supported (strings, objects and raw bytes are not read)" },
		{ "|O", "dtype '|O' not supported (strings, objects and raw bytes are not read)" },
		{ "<i16", "dtype '<i16' not supported (not a simple numeric type)" },
		{ "<i3", "dtype '<i3' not supported (not a simple numeric type)" },
		{ "", "dtype '' not supported (not a simple numeric type)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char h[200];
		snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (1,), }\n", bad[i].descr);
		header_refused(h, 10 + 10, bad[i].why, "expected '|u1', '|i1', '<u2'");
	}
	header_refused("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", 10 + 10,
	               "descr: a list of fields (a structured dtype) is not supported; expected a simple dtype", NULL);
	header_refused("{'descr': 4, 'fortran_order': False, 'shape': (1,), }\n", 10 + 10,
	               "expected a dtype string for 'descr', such as '<f4', found \"4\"", NULL);
}
END_TEST

START_TEST(fortran_order_refused)
{
	header_refused("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 4), }\n", 10 + 34,
	               "fortran_order is True: Fortran-ordered (column-major) arrays are not read; expected False", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': 0, 'shape': (8,), }\n", 10 + 34,
	               "expected True or False for 'fortran_order', found \"0\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': false, 'shape': (8,), }\n", 10 + 34,
	               "expected True or False for 'fortran_order', found \"f\"", NULL);
}
END_TEST

START_TEST(shapes_refused)
{
	/* 'shape': ( is at header offset 50. */
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8), }\n", 10 + 50,
	               "shape: (8) is a number, not a tuple; expected a 1-tuple written (8,)", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': [8], }\n", 10 + 50,
	               "expected a tuple of integers for 'shape', such as (60000, 28, 28), found \"[\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (2, -4), }\n", 10 + 54,
	               "expected a dimension (a non-negative integer) or \")\", found \"-\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (08,), }\n", 10 + 51,
	               "shape: dimension 0 has a leading zero", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (2 4), }\n", 10 + 53,
	               "expected \",\" or \")\" in the shape, found \"4\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4.0), }\n", 10 + 55,
	               "expected \",\" or \")\" in the shape, found \".\"", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,8), }\n", 10 + 67,
	               "shape: more than 8 dimensions; expected at most 8", NULL);
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775808,), }\n", 10 + 51,
	               "shape: dimension 0 is too large; expected at most 9223372036854775807", NULL);
	/* Each fits, their product does not. */
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n", 10 + 50,
	               "shape (4294967296, 4294967296) of '|u1' overflows: its size in bytes does not fit", NULL);
	header_refused("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }\n", 10 + 50,
	               "shape (4611686018427387904,) of '<f8' overflows", NULL);
	/* Python 2's L only in 1.0 and 2.0 headers, once. */
	header_refused("{'descr': '|u1', 'fortran_order': False, 'shape': (8LL,), }\n", 10 + 53,
	               "expected \",\" or \")\" in the shape, found \"L\"", NULL);
	uint8_t buf[MAX_FILE];
	size_t len = npy_raw(buf, 3, 0, "{'descr': '|u1', 'fortran_order': False, 'shape': (8L,), }\n", -1,
	                     "\1\2\3\4\5\6\7\10", 8);
	refused_at(buf, len, 12 + 52, "expected \",\" or \")\" in the shape, found \"L\"", NULL);
}
END_TEST

START_TEST(data_size_checked)
{
	uint8_t buf[MAX_FILE];
	float data[7] = { 0 };
	/* (2, 3) floats: 24 bytes from byte 128. */
	const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
	size_t len = npy_file(buf, 1, dict, data, 20);
	refused_at(buf, len, 148, "data too short for shape (2, 3) of '<f4': expected 24 bytes from byte 128, found 20", NULL);
	len = npy_file(buf, 1, dict, data, 0);
	refused_at(buf, len, 128, "expected 24 bytes from byte 128, found 0", NULL);
	len = npy_file(buf, 1, dict, data, 25);
	refused_at(buf, len, 152, "1 trailing byte after the data of shape (2, 3) of '<f4'; expected end of file", NULL);
	len = npy_file(buf, 1, dict, data, 28);
	refused_at(buf, len, 152, "4 trailing bytes", NULL);
}
END_TEST

START_TEST(not_a_regular_file)
{
	struct winit_npy a;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_npy_read(&a, tu_tmp, &err), WINIT_ERR_IO);
	ASSERT_MSG_HAS(err.msg, "is a directory, expected a regular .npy file");
	ck_assert_int_eq(winit_npy_read(&a, tu_tmp_path("absent.npy"), &err), WINIT_ERR_IO);
	ASSERT_MSG_HAS(err.msg, "absent.npy: cannot open: No such file or directory");
	ck_assert_int_eq(winit_npy_read(&a, NULL, &err), WINIT_ERR_ARG);
}
END_TEST

/* ---- datasets ---- */

static const char *write_npy(const char *name, uint8_t major, const char *dict,
                             const void *data, size_t len)
{
	uint8_t buf[MAX_FILE];
	const char *path = tu_tmp_path(name);
	write_file(path, buf, npy_file(buf, major, dict, data, len));
	return path;
}

/* Labels 0 1 2 0 1 as int64, the dtype numpy.save gives a list of ints. */
static const char *labels5(void)
{
	static const int64_t y[5] = { 0, 1, 2, 0, 1 };
	return write_npy("y.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }", y, sizeof y);
}

START_TEST(dataset_uint8_images_are_gathered_over_255)
{
	uint8_t x[5 * 2 * 3];
	for (int i = 0; i < 30; i++)
		x[i] = (uint8_t)(i * 8 + 7);
	const char *xi = write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 2, 3), }", x, sizeof x);
	const char *yi = labels5();
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_dataset_load_npy(&ds, xi, yi, 0, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_int_eq(ds.n, 5);
	ck_assert_int_eq(ds.height, 2);
	ck_assert_int_eq(ds.width, 3);
	ck_assert_int_eq(ds.channels, 0);
	ck_assert_int_eq(ds.n_features, 6);
	ck_assert_int_eq(ds.n_classes, 3); /* the largest label + 1 */
	ck_assert_ptr_nonnull(ds.x);
	ck_assert_ptr_null(ds.xf);
	ck_assert_mem_eq(ds.x, x, sizeof x);
	float row[6];
	uint8_t label;
	uint32_t idx = 2;
	winit_dataset_gather(row, &label, &ds, &idx, 1);
	ck_assert_uint_eq(label, 2);
	for (int j = 0; j < 6; j++)
		ck_assert_float_eq(row[j], (float)x[12 + j] / 255.0f);
	winit_dataset_free(&ds);
	/* n_classes given: kept (above the largest label). */
	ck_assert_msg(winit_dataset_load_npy(&ds, xi, yi, 10, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_int_eq(ds.n_classes, 10);
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(dataset_float_images_keep_their_channels)
{
	float x[5 * 2 * 2 * 3];
	for (int i = 0; i < 60; i++)
		x[i] = (float)i / 7.0f - 3.0f;
	const char *xi = write_npy("x.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2, 2, 3), }", x, sizeof x);
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_dataset_load_npy(&ds, xi, labels5(), 3, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_int_eq(ds.height, 2);
	ck_assert_int_eq(ds.width, 2);
	ck_assert_int_eq(ds.channels, 3);
	ck_assert_int_eq(ds.n_features, 12);
	ck_assert_ptr_null(ds.x);
	ck_assert_mem_eq(ds.xf, x, sizeof x); /* taken as they are */
	winit_dataset_free(&ds);
	/* float64, rounded to float32 */
	double d[5 * 2 * 2 * 1];
	for (int i = 0; i < 20; i++)
		d[i] = (double)i / 3.0;
	xi = write_npy("x8.npy", 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (5, 2, 2, 1), }", d, sizeof d);
	ck_assert_msg(winit_dataset_load_npy(&ds, xi, labels5(), 3, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_int_eq(ds.channels, 1);
	ck_assert_int_eq(ds.n_features, 4);
	for (int i = 0; i < 20; i++)
		ck_assert_float_eq(ds.xf[i], (float)d[i]);
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(dataset_labels_of_every_integer_dtype)
{
	uint8_t x[5] = { 0 };
	char xi[512]; /* tu_tmp_path's buffers rotate */
	snprintf(xi, sizeof xi, "%s", write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 1, 1), }", x, 5));
	static const struct {
		const char *descr;
		uint8_t size;
		int big;
	} t[] = { { "|u1", 1, 0 }, { "|i1", 1, 0 }, { "<u2", 2, 0 }, { ">i2", 2, 1 }, { "<i4", 4, 0 },
		  { ">u4", 4, 1 }, { "<u8", 8, 0 }, { ">i8", 8, 1 } };
	const uint8_t want[5] = { 3, 0, 255, 7, 1 };
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
		uint8_t y[40] = { 0 };
		for (int i = 0; i < 5; i++)
			y[i * t[k].size + (t[k].big ? t[k].size - 1 : 0)] = want[i];
		if (t[k].descr[1] == 'i' && t[k].size == 1) /* 255 is not an int8 */
			y[2] = 254;
		char dict[128];
		snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (5,), }", t[k].descr);
		const char *yi = write_npy("y.npy", 1, dict, y, 5 * (size_t)t[k].size);
		struct winit_dataset ds;
		struct winit_error err = { 0 };
		if (t[k].descr[1] == 'i' && t[k].size == 1) {
			ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 0, &err), WINIT_ERR_FORMAT);
			ASSERT_MSG_HAS(err.msg, "byte 130: label 2 is -2, out of range; expected 0 to 255");
			continue;
		}
		ck_assert_msg(winit_dataset_load_npy(&ds, xi, yi, 0, &err) == WINIT_OK, "%s: %s", t[k].descr, err.msg);
		ck_assert_mem_eq(ds.y, want, 5);
		ck_assert_int_eq(ds.n_classes, 256);
		winit_dataset_free(&ds);
	}
}
END_TEST

START_TEST(dataset_label_range)
{
	uint8_t x[5] = { 0 };
	const char *xi = write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 1, 1), }", x, 5);
	const char *yi = labels5();
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	/* label 2 of sample 2, at byte 128 + 2 * 8 */
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 2, &err), WINIT_ERR_FORMAT);
	ck_assert_ptr_null(ds.x);
	ck_assert_ptr_null(ds.y);
	char want[600];
	snprintf(want, sizeof want, "%s: byte 144: label 2 is 2, out of range; expected 0 to 1 (2 classes)", yi);
	ck_assert_str_eq(err.msg, want);
	static const int64_t neg[5] = { 0, 1, -1, 0, 1 }, big[5] = { 0, 1, 256, 0, 1 };
	yi = write_npy("neg.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }", neg, sizeof neg);
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 10, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, "byte 144: label 2 is -1, out of range; expected 0 to 9 (10 classes)");
	yi = write_npy("big.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }", big, sizeof big);
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 0, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, "byte 144: label 2 is 256, out of range; expected 0 to 255 (class indices; at most 256 classes)");
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 257, &err), WINIT_ERR_ARG);
	ASSERT_MSG_HAS(err.msg, "n_classes 257 out of range");
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, -1, &err), WINIT_ERR_ARG);
}
END_TEST

START_TEST(dataset_count_mismatch)
{
	uint8_t x[4 * 4] = { 0 };
	const char *xi = write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4, 2, 2), }", x, sizeof x);
	const char *yi = labels5();
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 0, &err), WINIT_ERR_FORMAT);
	char want[1100];
	snprintf(want, sizeof want, "sample counts disagree: %s holds 4 images (shape (4, 2, 2) at byte 60) but %s holds 5 labels (shape (5,) at byte 60)", xi, yi);
	ck_assert_str_eq(err.msg, want);
}
END_TEST

/* The dataset's own refusals, each at the byte of the shape or the dtype. */
START_TEST(dataset_shapes_and_dtypes_refused)
{
	static const struct {
		const char *images, *labels;
		size_t xbytes, ybytes;
		const char *which, *want;
	} t[] = {
		{ "'|u1', 'fortran_order': False, 'shape': (5, 4)", "'<i8', 'fortran_order': False, 'shape': (5,)", 20, 40,
		  "x", "byte 60: images of shape (5, 4) (2 dimensions); expected 3 (count, height, width) or 4 (count, height, width, channels)" },
		{ "'|u1', 'fortran_order': False, 'shape': (5, 1, 1, 1, 1)", "'<i8', 'fortran_order': False, 'shape': (5,)", 5, 40,
		  "x", "byte 60: images of shape (5, 1, 1, 1, 1) (5 dimensions)" },
		{ "'<i4', 'fortran_order': False, 'shape': (5, 1, 1)", "'<i8', 'fortran_order': False, 'shape': (5,)", 20, 40,
		  "x", "byte 20: images of dtype '<i4'; expected '|u1' (uint8), '<f4' or '>f4' (float32), '<f8' or '>f8' (float64)" },
		{ "'|u1', 'fortran_order': False, 'shape': (5, 1, 1)", "'<i8', 'fortran_order': False, 'shape': (5, 1)", 5, 40,
		  "y", "byte 60: labels of shape (5, 1); expected 1 dimension (count,)" },
		{ "'|u1', 'fortran_order': False, 'shape': (5, 1, 1)", "'<f4', 'fortran_order': False, 'shape': (5,)", 5, 20,
		  "y", "byte 20: labels of dtype '<f4'; expected an integer dtype" },
		{ "'|u1', 'fortran_order': False, 'shape': (0, 1, 1)", "'<i8', 'fortran_order': False, 'shape': (0,)", 0, 0,
		  "x", "byte 60: images of shape (0, 1, 1) hold no sample; expected at least one" },
		{ "'|u1', 'fortran_order': False, 'shape': (5, 0, 1)", "'<i8', 'fortran_order': False, 'shape': (5,)", 0, 40,
		  "x", "byte 60: images of shape (5, 0, 1): an image dimension is 0; expected positive sizes" },
		{ "'|u1', 'fortran_order': False, 'shape': (5, 1, 1, 0)", "'<i8', 'fortran_order': False, 'shape': (5,)", 0, 40,
		  "x", "byte 60: images of shape (5, 1, 1, 0): an image dimension is 0" },
	};
	uint8_t zeros[64] = { 0 };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char d[200];
		snprintf(d, sizeof d, "{'descr': %s, }", t[i].images);
		const char *xi = write_npy("x.npy", 1, d, zeros, t[i].xbytes);
		snprintf(d, sizeof d, "{'descr': %s, }", t[i].labels);
		const char *yi = write_npy("y.npy", 1, d, zeros, t[i].ybytes);
		struct winit_dataset ds;
		struct winit_error err = { 0 };
		ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 0, &err), WINIT_ERR_FORMAT);
		char want[600];
		snprintf(want, sizeof want, "%s: %s", t[i].which[0] == 'x' ? xi : yi, t[i].want);
		ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "expected \"%s\", got: %s", want, err.msg);
	}
}
END_TEST

START_TEST(dataset_floats_must_be_finite)
{
	float x[5] = { 0, 1, NAN, 2, 3 };
	const char *xi = write_npy("x.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 1, 1), }", x, sizeof x);
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, labels5(), 0, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, xi);
	ASSERT_MSG_HAS(err.msg, "byte 136: element 2 is nan; expected a finite number");
	double d[5] = { 0, 1, 2, 1e39, -INFINITY };
	xi = write_npy("x8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5, 1, 1), }", d, sizeof d);
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, labels5(), 0, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err.msg, "byte 152: element 3 is 1e+39; expected a finite number a float32 holds");
	ck_assert_ptr_null(ds.xf);
}
END_TEST

START_TEST(dataset_file_errors_name_the_file)
{
	uint8_t x[5] = { 0 };
	const char *xi = write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': True, 'shape': (5, 1, 1), }", x, 5);
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, labels5(), 0, &err), WINIT_ERR_FORMAT);
	char want[600];
	snprintf(want, sizeof want, "%s: byte 44: fortran_order is True", xi);
	ASSERT_MSG_HAS(err.msg, want);
	xi = write_npy("x.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 1, 1), }", x, 5);
	const char *yi = tu_tmp_path("absent.npy");
	ck_assert_int_eq(winit_dataset_load_npy(&ds, xi, yi, 0, &err), WINIT_ERR_IO);
	ASSERT_MSG_HAS(err.msg, yi);
	ck_assert_int_eq(winit_dataset_load_npy(&ds, NULL, yi, 0, &err), WINIT_ERR_ARG);
	ASSERT_MSG_HAS(err.msg, "images path is NULL");
}
END_TEST

static Suite *npy_suite(void)
{
	Suite *s = suite_create("npy");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, version_1_uint8_3d);
	tcase_add_test(tc, version_2_float32_4d);
	tcase_add_test(tc, version_3_header_is_read_as_utf8);
	tcase_add_test(tc, big_endian_values_are_swapped);
	tcase_add_test(tc, header_variants_numpy_accepts);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, empty_and_bad_magic);
	tcase_add_test(tc, unsupported_versions);
	tcase_add_test(tc, header_length_checked);
	tcase_add_test(tc, header_syntax_refused);
	tcase_add_test(tc, header_keys_refused);
	tcase_add_test(tc, dtypes_refused);
	tcase_add_test(tc, fortran_order_refused);
	tcase_add_test(tc, shapes_refused);
	tcase_add_test(tc, data_size_checked);
	tcase_add_test(tc, not_a_regular_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("dataset");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, dataset_uint8_images_are_gathered_over_255);
	tcase_add_test(tc, dataset_float_images_keep_their_channels);
	tcase_add_test(tc, dataset_labels_of_every_integer_dtype);
	tcase_add_test(tc, dataset_label_range);
	tcase_add_test(tc, dataset_count_mismatch);
	tcase_add_test(tc, dataset_shapes_and_dtypes_refused);
	tcase_add_test(tc, dataset_floats_must_be_finite);
	tcase_add_test(tc, dataset_file_errors_name_the_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(npy_suite());
}
