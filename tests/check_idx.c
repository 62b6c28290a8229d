/* tests/check_idx.c -- the IDX reader: round trips (plain and gzip) and every malformed
 * file we can think of, each asserting the status and what the message names. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include <zlib.h>

#include <winit/data.h>

#include "testutil.h"

static void write_plain(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_gz(const char *path, const uint8_t *buf, size_t len)
{
	gzFile f = gzopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	if (len)
		ck_assert_int_eq(gzwrite(f, buf, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(f), Z_OK);
}

/* An IDX image in buf: header for dims[0..n_dims), then `payload` bytes of a pattern
 * (pseudo-random, so gzip cannot shrink it to nothing).  Returns the total length. */
static size_t make_idx(uint8_t *buf, uint8_t type, uint8_t n_dims, const uint32_t *dims,
                       size_t payload)
{
	size_t k = 0;
	buf[k++] = 0;
	buf[k++] = 0;
	buf[k++] = type;
	buf[k++] = n_dims;
	for (int i = 0; i < n_dims; i++) {
		buf[k++] = (uint8_t)(dims[i] >> 24);
		buf[k++] = (uint8_t)(dims[i] >> 16);
		buf[k++] = (uint8_t)(dims[i] >> 8);
		buf[k++] = (uint8_t)dims[i];
	}
	uint32_t s = 12345;
	for (size_t i = 0; i < payload; i++) {
		s = s * 1103515245u + 12345u;
		buf[k++] = (uint8_t)(s >> 16);
	}
	return k;
}

static uint8_t pattern_byte(size_t i)
{
	uint32_t s = 12345;
	for (size_t j = 0; j <= i; j++)
		s = s * 1103515245u + 12345u;
	return (uint8_t)(s >> 16);
}

/* The read must fail with `want_status` and a message holding the path and each of the
 * details. */
#define EXPECT_FAIL(path, want_status, ...)                                                  \
	do {                                                                                 \
		struct winit_idx idx_;                                                       \
		struct winit_error err_ = { 0 };                                             \
		const char *want_[] = { __VA_ARGS__, NULL };                                 \
		int rc_ = winit_idx_read(&idx_, (path), &err_);                              \
		ck_assert_msg(rc_ == (want_status), "status %d, expected %d (msg: %s)", rc_, \
		              (want_status), err_.msg);                                      \
		ck_assert_int_eq(err_.status, (want_status));                                \
		ck_assert_ptr_null(idx_.data);                                               \
		ck_assert_msg(strstr(err_.msg, (path)) != NULL,                              \
		              "message does not name %s: %s", (path), err_.msg);             \
		for (int w_ = 0; want_[w_]; w_++)                                            \
			ck_assert_msg(strstr(err_.msg, want_[w_]) != NULL,                   \
			              "message lacks \"%s\": %s", want_[w_], err_.msg);      \
	} while (0)

START_TEST(roundtrip_1d)
{
	uint8_t buf[64];
	uint32_t dims[1] = { 10 };
	size_t len = make_idx(buf, 0x08, 1, dims, 10);
	const char *p = tu_tmp_path("labels.idx");
	write_plain(p, buf, len);

	struct winit_idx idx;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_idx_read(&idx, p, &err), WINIT_OK);
	ck_assert_uint_eq(idx.n_dims, 1);
	ck_assert_uint_eq(idx.dims[0], 10);
	ck_assert_uint_eq(idx.n, 10);
	ck_assert_mem_eq(idx.data, buf + 8, 10);
	winit_idx_free(&idx);
}
END_TEST

START_TEST(roundtrip_3d)
{
	static uint8_t buf[16 + 5 * 7 * 3];
	uint32_t dims[3] = { 5, 7, 3 };
	size_t len = make_idx(buf, 0x08, 3, dims, 5 * 7 * 3);
	const char *p = tu_tmp_path("images.idx");
	write_plain(p, buf, len);

	struct winit_idx idx;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_idx_read(&idx, p, &err), WINIT_OK);
	ck_assert_uint_eq(idx.n_dims, 3);
	ck_assert_uint_eq(idx.dims[0], 5);
	ck_assert_uint_eq(idx.dims[1], 7);
	ck_assert_uint_eq(idx.dims[2], 3);
	ck_assert_uint_eq(idx.n, 105);
	/* row-major: element (i, r, c) at i*21 + r*3 + c */
	ck_assert_uint_eq(idx.data[4 * 21 + 6 * 3 + 2], pattern_byte(104));
	ck_assert_mem_eq(idx.data, buf + 16, 105);
	winit_idx_free(&idx);
}
END_TEST

/* Gzip detected from content (the name has no .gz), large enough to need several
 * input refills, and a 4-D shape. */
START_TEST(roundtrip_gzip)
{
	size_t payload = 3 * 100 * 50 * 41; /* 615,000 bytes: several 256 KiB refills */
	uint8_t *buf = malloc(20 + payload);
	ck_assert_ptr_nonnull(buf);
	uint32_t dims[4] = { 3, 100, 50, 41 };
	size_t len = make_idx(buf, 0x08, 4, dims, payload);
	const char *p = tu_tmp_path("images-no-suffix");
	write_gz(p, buf, len);

	struct winit_idx idx;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_idx_read(&idx, p, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_uint_eq(idx.n_dims, 4);
	ck_assert_uint_eq(idx.dims[3], 41);
	ck_assert_uint_eq(idx.n, payload);
	ck_assert_mem_eq(idx.data, buf + 20, payload);
	winit_idx_free(&idx);
	free(buf);
}
END_TEST

/* Concatenated gzip members are one valid gzip stream (gzip(1) and zlib agree). */
START_TEST(roundtrip_gzip_members)
{
	uint8_t buf[8 + 300];
	uint32_t dims[1] = { 300 };
	size_t len = make_idx(buf, 0x08, 1, dims, 300);
	const char *a = tu_tmp_path("a.gz"), *b = tu_tmp_path("b.gz"), *ab = tu_tmp_path("ab.gz");
	write_gz(a, buf, 100);
	write_gz(b, buf + 100, len - 100);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s'", a, b, ab);
	ck_assert_int_eq(system(cmd), 0);

	struct winit_idx idx;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_idx_read(&idx, ab, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_uint_eq(idx.n, 300);
	ck_assert_mem_eq(idx.data, buf + 8, 300);
	winit_idx_free(&idx);
}
END_TEST

START_TEST(free_is_idempotent)
{
	struct winit_idx idx;
	memset(&idx, 0, sizeof idx);
	winit_idx_free(&idx);
	winit_idx_free(&idx);
	winit_idx_free(NULL);

	size_t len;
	uint8_t buf[16];
	uint32_t dims[1] = { 4 };
	len = make_idx(buf, 0x08, 1, dims, 4);
	write_plain(tu_tmp_path("x.idx"), buf, len);
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_idx_read(&idx, tu_tmp_path("x.idx"), &err), WINIT_OK);
	winit_idx_free(&idx);
	ck_assert_ptr_null(idx.data);
	ck_assert_uint_eq(idx.n, 0);
	winit_idx_free(&idx);
}
END_TEST

START_TEST(bad_magic)
{
	uint8_t buf[32];
	uint32_t dims[1] = { 4 };
	size_t len = make_idx(buf, 0x08, 1, dims, 4);
	buf[0] = 0x42;
	write_plain(tu_tmp_path("m0.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("m0.idx"), WINIT_ERR_FORMAT, "byte 0", "0x42", "two zero bytes");
	buf[0] = 0;
	buf[1] = 0x01;
	write_plain(tu_tmp_path("m1.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("m1.idx"), WINIT_ERR_FORMAT, "byte 1", "0x01", "expected 0x00");
}
END_TEST

START_TEST(bad_type_code)
{
	size_t len;
	uint8_t buf[32];
	uint32_t dims[1] = { 4 };
	len = make_idx(buf, 0x0d, 1, dims, 16);
	write_plain(tu_tmp_path("train.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("train.idx"), WINIT_ERR_FORMAT,
	            "byte 2: type code 0x0d (float) not supported; expected 0x08 (unsigned byte)");
	len = make_idx(buf, 0x42, 1, dims, 4);
	write_plain(tu_tmp_path("odd.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("odd.idx"), WINIT_ERR_FORMAT, "byte 2", "0x42", "unknown");
}
END_TEST

START_TEST(bad_dim_count)
{
	size_t len;
	uint8_t buf[64];
	uint32_t dims[5] = { 1, 1, 1, 1, 1 };
	len = make_idx(buf, 0x08, 0, dims, 1);
	write_plain(tu_tmp_path("zero.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("zero.idx"), WINIT_ERR_FORMAT, "byte 3", "0 dimensions", "1 to 4");
	len = make_idx(buf, 0x08, 5, dims, 1);
	write_plain(tu_tmp_path("five.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("five.idx"), WINIT_ERR_FORMAT, "byte 3", "5 dimensions", "1 to 4");
}
END_TEST

START_TEST(zero_dimension)
{
	size_t len;
	uint8_t buf[64];
	uint32_t dims[3] = { 2, 0, 3 };
	len = make_idx(buf, 0x08, 3, dims, 0);
	write_plain(tu_tmp_path("z.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("z.idx"), WINIT_ERR_FORMAT, "byte 8", "dimension 1 is 0");
}
END_TEST

START_TEST(dims_overflow)
{
	size_t len;
	uint8_t buf[64];
	uint32_t dims[4] = { UINT32_MAX, UINT32_MAX, UINT32_MAX, 2 };
	len = make_idx(buf, 0x08, 4, dims, 8);
	write_plain(tu_tmp_path("big.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("big.idx"), WINIT_ERR_FORMAT, "overflow", "4294967295x4294967295");
	/* Huge but representable: refused from the file size, without allocating it. */
	uint32_t dims2[3] = { 1u << 20, 1u << 10, 1u << 10 };
	len = make_idx(buf, 0x08, 3, dims2, 8);
	write_plain(tu_tmp_path("huge.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("huge.idx"), WINIT_ERR_FORMAT, "expected 1099511627776 bytes, found 8");
}
END_TEST

START_TEST(truncated_header)
{
	uint8_t buf[64];
	uint32_t dims[3] = { 2, 3, 4 };
	make_idx(buf, 0x08, 3, dims, 0);
	write_plain(tu_tmp_path("h3.idx"), buf, 3);
	EXPECT_FAIL(tu_tmp_path("h3.idx"), WINIT_ERR_FORMAT, "byte 3", "header truncated",
	            "expected 4 magic bytes, found 3");
	write_plain(tu_tmp_path("h10.idx"), buf, 10); /* 6 of 12 dimension bytes */
	EXPECT_FAIL(tu_tmp_path("h10.idx"), WINIT_ERR_FORMAT, "byte 10", "header truncated",
	            "expected 12 bytes for 3 dimension sizes, found 6");
}
END_TEST

START_TEST(truncated_payload)
{
	uint8_t buf[64];
	uint32_t dims[3] = { 2, 3, 4 };
	size_t len = make_idx(buf, 0x08, 3, dims, 24);
	write_plain(tu_tmp_path("short.idx"), buf, len - 4);
	EXPECT_FAIL(tu_tmp_path("short.idx"), WINIT_ERR_FORMAT, "byte 36", "too short", "2x3x4",
	            "expected 24 bytes, found 20");
	write_gz(tu_tmp_path("short.gz"), buf, len - 4);
	EXPECT_FAIL(tu_tmp_path("short.gz"), WINIT_ERR_FORMAT, "decompressed byte 36", "too short",
	            "expected 24 bytes, found 20");
}
END_TEST

START_TEST(trailing_bytes)
{
	uint8_t buf[64];
	uint32_t dims[1] = { 5 };
	size_t len = make_idx(buf, 0x08, 1, dims, 8);
	write_plain(tu_tmp_path("trail.idx"), buf, len);
	EXPECT_FAIL(tu_tmp_path("trail.idx"), WINIT_ERR_FORMAT, "byte 13", "3 trailing bytes",
	            "expected end of file");
	write_plain(tu_tmp_path("trail1.idx"), buf, len - 2);
	EXPECT_FAIL(tu_tmp_path("trail1.idx"), WINIT_ERR_FORMAT, "byte 13", "1 trailing byte after");
	write_gz(tu_tmp_path("trail.gz"), buf, len);
	EXPECT_FAIL(tu_tmp_path("trail.gz"), WINIT_ERR_FORMAT, "decompressed byte 13",
	            "3 trailing bytes");
}
END_TEST

/* A gzip file whose compressed stream is cut: found whether the cut falls in the
 * deflate data or in the 8-byte trailer (CRC-32 and length). */
START_TEST(truncated_gzip)
{
	size_t payload = 20000;
	uint8_t *buf = malloc(8 + payload);
	ck_assert_ptr_nonnull(buf);
	uint32_t dims[1] = { (uint32_t)payload };
	size_t len = make_idx(buf, 0x08, 1, dims, payload);
	const char *p = tu_tmp_path("cut.gz");
	write_gz(p, buf, len);
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(truncate(p, st.st_size / 2), 0);
	EXPECT_FAIL(p, WINIT_ERR_FORMAT, "truncated gzip stream", "compressed byte");

	const char *q = tu_tmp_path("cut-trailer.gz");
	write_gz(q, buf, len);
	ck_assert_int_eq(stat(q, &st), 0);
	ck_assert_int_eq(truncate(q, st.st_size - 3), 0);
	EXPECT_FAIL(q, WINIT_ERR_FORMAT, "truncated gzip stream");
	free(buf);
}
END_TEST

START_TEST(corrupt_gzip)
{
	size_t payload = 20000;
	uint8_t *buf = malloc(8 + payload);
	ck_assert_ptr_nonnull(buf);
	uint32_t dims[1] = { (uint32_t)payload };
	size_t len = make_idx(buf, 0x08, 1, dims, payload);
	/* Flip bytes in the middle of the compressed data, and, separately, the stored
	 * CRC-32: both must be reported as corrupt, never returned as data. */
	const char *names[2] = { "flip-data.gz", "flip-crc.gz" };
	for (int k = 0; k < 2; k++) {
		const char *p = tu_tmp_path(names[k]);
		write_gz(p, buf, len);
		FILE *f = fopen(p, "r+b");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
		long size = ftell(f);
		long at = k == 0 ? size / 2 : size - 8;
		ck_assert_int_eq(fseek(f, at, SEEK_SET), 0);
		uint8_t junk[4] = { 0xff, 0x00, 0xa5, 0x5a };
		ck_assert_uint_eq(fwrite(junk, 1, 4, f), 4);
		ck_assert_int_eq(fclose(f), 0);
		EXPECT_FAIL(p, WINIT_ERR_FORMAT, "corrupt gzip data", "compressed byte");
	}
	/* Garbage after a complete gzip member. */
	const char *g = tu_tmp_path("garbage.gz");
	write_gz(g, buf, len);
	FILE *f = fopen(g, "ab");
	ck_assert_ptr_nonnull(f);
	fputs("junk", f);
	ck_assert_int_eq(fclose(f), 0);
	EXPECT_FAIL(g, WINIT_ERR_FORMAT, "trailing garbage after the gzip stream");
	free(buf);
}
END_TEST

/* The gzip trailer's length field (ISIZE) sizes libdeflate's output buffer: a field that
 * lies -- too small, too large, or claiming 4 GiB for a few kilobytes -- must neither be
 * trusted nor allocated, and ends in the same error as with zlib alone. */
START_TEST(gzip_length_field)
{
	size_t payload = 20000;
	uint8_t *buf = malloc(8 + payload);
	ck_assert_ptr_nonnull(buf);
	uint32_t dims[1] = { (uint32_t)payload };
	size_t len = make_idx(buf, 0x08, 1, dims, payload);
	const uint32_t lies[3] = { (uint32_t)len - 1, (uint32_t)len + 1, 0xffffffffu };
	for (int k = 0; k < 3; k++) {
		const char *p = tu_tmp_path("isize.gz");
		write_gz(p, buf, len);
		FILE *f = fopen(p, "r+b");
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fseek(f, -4, SEEK_END), 0);
		uint8_t le[4] = { (uint8_t)lies[k], (uint8_t)(lies[k] >> 8), (uint8_t)(lies[k] >> 16),
			          (uint8_t)(lies[k] >> 24) };
		ck_assert_uint_eq(fwrite(le, 1, 4, f), 4);
		ck_assert_int_eq(fclose(f), 0);
		EXPECT_FAIL(p, WINIT_ERR_FORMAT, "corrupt gzip data", "incorrect length check");
	}
	free(buf);
}
END_TEST

/* The inflater named by `winit --version` is the one configure found. */
START_TEST(inflater_name)
{
#ifdef WINIT_HAVE_LIBDEFLATE
	ck_assert_str_eq(winit_idx_inflater(), "libdeflate");
#else
	ck_assert_str_eq(winit_idx_inflater(), "zlib");
#endif
}
END_TEST

/* Header errors inside a gzip stream name the decompressed offset. */
START_TEST(gzip_header_errors)
{
	size_t len;
	uint8_t buf[32];
	uint32_t dims[1] = { 4 };
	len = make_idx(buf, 0x0e, 1, dims, 4);
	write_gz(tu_tmp_path("type.gz"), buf, len);
	EXPECT_FAIL(tu_tmp_path("type.gz"), WINIT_ERR_FORMAT, "decompressed byte 2",
	            "0x0e (double)");
	write_gz(tu_tmp_path("empty.gz"), buf, 0);
	EXPECT_FAIL(tu_tmp_path("empty.gz"), WINIT_ERR_FORMAT, "decompressed data is empty");
}
END_TEST

START_TEST(missing_file)
{
	const char *p = tu_tmp_path("does-not-exist.idx");
	EXPECT_FAIL(p, WINIT_ERR_IO, "cannot open", strerror(ENOENT));
	EXPECT_FAIL(tu_tmp, WINIT_ERR_IO, strerror(EISDIR));
}
END_TEST

START_TEST(empty_file)
{
	write_plain(tu_tmp_path("empty.idx"), (const uint8_t *)"", 0);
	EXPECT_FAIL(tu_tmp_path("empty.idx"), WINIT_ERR_FORMAT, "file is empty", "IDX header");
}
END_TEST

static Suite *idx_suite(void)
{
	Suite *s = suite_create("idx");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, roundtrip_1d);
	tcase_add_test(tc, roundtrip_3d);
	tcase_add_test(tc, roundtrip_gzip);
	tcase_add_test(tc, roundtrip_gzip_members);
	tcase_add_test(tc, inflater_name);
	tcase_add_test(tc, free_is_idempotent);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, bad_magic);
	tcase_add_test(tc, bad_type_code);
	tcase_add_test(tc, bad_dim_count);
	tcase_add_test(tc, zero_dimension);
	tcase_add_test(tc, dims_overflow);
	tcase_add_test(tc, truncated_header);
	tcase_add_test(tc, truncated_payload);
	tcase_add_test(tc, trailing_bytes);
	tcase_add_test(tc, truncated_gzip);
	tcase_add_test(tc, corrupt_gzip);
	tcase_add_test(tc, gzip_length_field);
	tcase_add_test(tc, gzip_header_errors);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, empty_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(idx_suite());
}
