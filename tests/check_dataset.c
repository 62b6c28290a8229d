/* tests/check_dataset.c -- labelled datasets from IDX files, Fashion-MNIST lookup and
 * loading, batch gathering; plus the real Fashion-MNIST when installed (required). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

#include <zlib.h>

#include <winit/data.h>

#include "testutil.h"

/* n images of h x w where image i is filled with i*7+pixel (mod 256); labels i % classes. */
static void write_set(const char *images, const char *labels, int gz, uint32_t n,
                      uint32_t h, uint32_t w, uint32_t classes)
{
	uint8_t *x = malloc((size_t)n * h * w);
	uint8_t *y = malloc(n);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < (size_t)h * w; j++)
			x[i * h * w + j] = (uint8_t)(i * 7 + j);
		y[i] = (uint8_t)(i % classes);
	}
	uint32_t dx[3] = { n, h, w };
	tu_write_idx(images, gz, 3, dx, x, (size_t)n * h * w);
	tu_write_idx(labels, gz, 1, &n, y, n);
	free(x);
	free(y);
}

#define ASSERT_MSG_HAS(err, s) \
	ck_assert_msg(strstr((err).msg, (s)) != NULL, "message lacks \"%s\": %s", (s), (err).msg)

START_TEST(load_idx)
{
	const char *xi = tu_tmp_path("x.idx"), *yi = tu_tmp_path("y.idx.gz");
	write_set(xi, tu_tmp_path("unused"), 0, 6, 3, 2, 4);
	write_set(tu_tmp_path("unused2"), yi, 1, 6, 3, 2, 4);

	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_dataset_load_idx(&ds, xi, yi, 4, &err) == WINIT_OK, "%s", err.msg);
	ck_assert_int_eq(ds.n, 6);
	ck_assert_int_eq(ds.height, 3);
	ck_assert_int_eq(ds.width, 2);
	ck_assert_int_eq(ds.n_features, 6);
	ck_assert_int_eq(ds.n_classes, 4);
	for (int i = 0; i < 6; i++) {
		ck_assert_uint_eq(ds.y[i], (unsigned)(i % 4));
		for (int j = 0; j < 6; j++)
			ck_assert_uint_eq(ds.x[i * 6 + j], (uint8_t)(i * 7 + j));
	}
	winit_dataset_free(&ds);
	ck_assert_ptr_null(ds.x);
	winit_dataset_free(&ds); /* twice is fine */
	struct winit_dataset zero;
	memset(&zero, 0, sizeof zero);
	winit_dataset_free(&zero);
	winit_dataset_free(NULL);
}
END_TEST

START_TEST(count_mismatch)
{
	const char *xi = tu_tmp_path("images.idx"), *yi = tu_tmp_path("labels.idx");
	write_set(xi, tu_tmp_path("unused"), 0, 6, 2, 2, 3);
	write_set(tu_tmp_path("unused2"), yi, 0, 5, 2, 2, 3);
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_idx(&ds, xi, yi, 3, &err), WINIT_ERR_FORMAT);
	ck_assert_ptr_null(ds.x);
	ASSERT_MSG_HAS(err, xi);
	ASSERT_MSG_HAS(err, yi);
	ASSERT_MSG_HAS(err, "6 images");
	ASSERT_MSG_HAS(err, "5 labels");
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(label_out_of_range)
{
	const char *xi = tu_tmp_path("images.idx"), *yi = tu_tmp_path("labels.idx");
	write_set(xi, tu_tmp_path("unused"), 0, 8, 2, 2, 3);
	uint8_t y[8] = { 0, 1, 2, 0, 1, 2, 0, 1 };
	y[5] = 10;
	y[7] = 11; /* only the first bad one is reported */
	uint32_t n = 8;
	tu_write_idx(yi, 0, 1, &n, y, 8);
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_idx(&ds, xi, yi, 10, &err), WINIT_ERR_FORMAT);
	ck_assert_ptr_null(ds.x);
	ck_assert_ptr_null(ds.y);
	ASSERT_MSG_HAS(err, yi);
	ASSERT_MSG_HAS(err, "byte 13 (label 5)");
	ASSERT_MSG_HAS(err, "label 10 out of range");
	ASSERT_MSG_HAS(err, "10 classes");
	/* With 12 classes both labels are fine. */
	ck_assert_msg(winit_dataset_load_idx(&ds, xi, yi, 12, &err) == WINIT_OK, "%s", err.msg);
	winit_dataset_free(&ds);
	/* A nonsensical class count is an argument error. */
	ck_assert_int_eq(winit_dataset_load_idx(&ds, xi, yi, 0, &err), WINIT_ERR_ARG);
	ck_assert_int_eq(winit_dataset_load_idx(&ds, xi, yi, 257, &err), WINIT_ERR_ARG);
}
END_TEST

START_TEST(wrong_dimensionality)
{
	uint8_t buf[64] = { 0 };
	uint32_t d2[2] = { 4, 4 }, d1[1] = { 4 }, d3[3] = { 4, 2, 2 };
	const char *x2 = tu_tmp_path("flat-images.idx"), *y1 = tu_tmp_path("labels.idx");
	const char *x3 = tu_tmp_path("images.idx"), *y2 = tu_tmp_path("labels-2d.idx");
	tu_write_idx(x2, 0, 2, d2, buf, 16);
	tu_write_idx(y1, 0, 1, d1, buf, 4);
	tu_write_idx(x3, 0, 3, d3, buf, 16);
	tu_write_idx(y2, 0, 2, d2, buf, 16);

	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_load_idx(&ds, x2, y1, 10, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err, x2);
	ASSERT_MSG_HAS(err, "2 dimensions; expected 3");
	ck_assert_int_eq(winit_dataset_load_idx(&ds, x3, y2, 10, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err, y2);
	ASSERT_MSG_HAS(err, "2 dimensions; expected 1");
	/* A broken member file's own error comes through. */
	ck_assert_int_eq(winit_dataset_load_idx(&ds, x3, tu_tmp_path("nope.idx"), 10, &err),
	                 WINIT_ERR_IO);
	ASSERT_MSG_HAS(err, "nope.idx");
}
END_TEST

static const char *fm_names[4] = {
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
};

/* A miniature Fashion-MNIST under dir with the real file names. */
static void write_fashion(const char *dir, int gz, uint32_t n_train, uint32_t n_test)
{
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	char p[4][600];
	for (int k = 0; k < 4; k++)
		snprintf(p[k], sizeof p[k], "%s/%s%s", dir, fm_names[k], gz ? ".gz" : "");
	write_set(p[0], p[1], gz, n_train, 4, 5, 10);
	write_set(p[2], p[3], gz, n_test, 4, 5, 10);
}

START_TEST(fashion_env_override)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/fm", tu_tmp);
	write_fashion(dir, 1, 30, 12);

	ck_assert_int_eq(setenv(WINIT_FASHION_MNIST_ENV, dir, 1), 0);
	ck_assert_str_eq(winit_fashion_mnist_dir(), dir);
	struct winit_dataset train, test;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_fashion_mnist_load(&train, &test, NULL, &err) == WINIT_OK, "%s",
	              err.msg);
	ck_assert_int_eq(train.n, 30);
	ck_assert_int_eq(test.n, 12);
	ck_assert_int_eq(train.height, 4);
	ck_assert_int_eq(train.width, 5);
	ck_assert_int_eq(train.n_features, 20);
	ck_assert_int_eq(train.n_classes, 10);
	ck_assert_uint_eq(train.y[13], 3);
	ck_assert_uint_eq(test.x[11 * 20 + 19], (uint8_t)(11 * 7 + 19));
	winit_dataset_free(&train);
	winit_dataset_free(&test);

	/* Either split may be skipped. */
	ck_assert_int_eq(winit_fashion_mnist_load(NULL, &test, NULL, &err), WINIT_OK);
	ck_assert_int_eq(test.n, 12);
	winit_dataset_free(&test);

	/* An empty variable means "not set". */
	ck_assert_int_eq(setenv(WINIT_FASHION_MNIST_ENV, "", 1), 0);
	ck_assert_str_eq(winit_fashion_mnist_dir(), WINIT_FASHION_MNIST_DEFAULT);
	ck_assert_int_eq(unsetenv(WINIT_FASHION_MNIST_ENV), 0);
	ck_assert_str_eq(winit_fashion_mnist_dir(), WINIT_FASHION_MNIST_DEFAULT);
}
END_TEST

/* Uncompressed files are accepted when the .gz names are absent; an explicit dir
 * argument wins over the environment. */
START_TEST(fashion_uncompressed)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/plain", tu_tmp);
	write_fashion(dir, 0, 10, 10);
	ck_assert_int_eq(setenv(WINIT_FASHION_MNIST_ENV, "/nonexistent/elsewhere", 1), 0);
	struct winit_dataset train, test;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_fashion_mnist_load(&train, &test, dir, &err) == WINIT_OK, "%s",
	              err.msg);
	ck_assert_int_eq(train.n, 10);
	ck_assert_int_eq(test.n_features, 20);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
	unsetenv(WINIT_FASHION_MNIST_ENV);
}
END_TEST

/* A NAME.gz that is a link leading nowhere (a loop, a dangling link) is the file read,
 * and refused saying why: the plain NAME beside it is not read in its place. */
START_TEST(fashion_broken_gz_link)
{
	char dir[512], gz[600];
	snprintf(dir, sizeof dir, "%s/plainlink", tu_tmp);
	write_fashion(dir, 0, 10, 10);
	snprintf(gz, sizeof gz, "%s/train-images-idx3-ubyte.gz", dir);
	ck_assert_int_eq(symlink("train-images-idx3-ubyte.gz", gz), 0);
	struct winit_dataset train, test;
	struct winit_error err = { 0 };
	ck_assert_int_ne(winit_fashion_mnist_load(&train, &test, dir, &err), WINIT_OK);
	ASSERT_MSG_HAS(err, gz);
	ASSERT_MSG_HAS(err, strerror(ELOOP));
	ck_assert_int_eq(unlink(gz), 0);
	ck_assert_int_eq(symlink("absent-file", gz), 0);
	ck_assert_int_ne(winit_fashion_mnist_load(&train, &test, dir, &err), WINIT_OK);
	ASSERT_MSG_HAS(err, gz);
	ASSERT_MSG_HAS(err, strerror(ENOENT));
}
END_TEST

START_TEST(fashion_missing)
{
	char dir[512];
	struct winit_dataset train, test;
	struct winit_error err = { 0 };

	/* No such directory. */
	snprintf(dir, sizeof dir, "%s/absent", tu_tmp);
	ck_assert_int_eq(winit_fashion_mnist_load(&train, &test, dir, &err), WINIT_ERR_IO);
	ASSERT_MSG_HAS(err, dir);
	ASSERT_MSG_HAS(err, strerror(ENOENT));
	ASSERT_MSG_HAS(err, "apt-get install dataset-fashion-mnist");
	ASSERT_MSG_HAS(err, WINIT_FASHION_MNIST_ENV);

	/* A directory missing one file: the loaded train split is released. */
	snprintf(dir, sizeof dir, "%s/partial", tu_tmp);
	write_fashion(dir, 1, 10, 10);
	char gone[600];
	snprintf(gone, sizeof gone, "%s/t10k-labels-idx1-ubyte.gz", dir);
	ck_assert_int_eq(unlink(gone), 0);
	ck_assert_int_eq(winit_fashion_mnist_load(&train, &test, dir, &err), WINIT_ERR_IO);
	ck_assert_ptr_null(train.x);
	ck_assert_ptr_null(test.x);
	ASSERT_MSG_HAS(err, gone);
	ASSERT_MSG_HAS(err, "apt-get install dataset-fashion-mnist");

	/* A malformed file: its own error, with the split named. */
	FILE *f = fopen(gone, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("not an idx file", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(winit_fashion_mnist_load(&train, &test, dir, &err), WINIT_ERR_FORMAT);
	ASSERT_MSG_HAS(err, "Fashion-MNIST t10k set: ");
	ASSERT_MSG_HAS(err, gone);
	ASSERT_MSG_HAS(err, "bad magic");
}
END_TEST

START_TEST(gather_scaling)
{
	/* 256 one-pixel "images" holding every value, then a 2x2 set for row order. */
	uint8_t x[256], y[256];
	for (int p = 0; p < 256; p++) {
		x[p] = (uint8_t)p;
		y[p] = (uint8_t)(p % 10);
	}
	struct winit_dataset ds = {
		.n = 256,
		.n_features = 1,
		.height = 1,
		.width = 1,
		.n_classes = 10,
		.x = x,
		.y = y,
	};
	uint32_t idx[256];
	for (int i = 0; i < 256; i++)
		idx[i] = (uint32_t)(255 - i);
	float out[256];
	uint8_t labels[256];
	winit_dataset_gather(out, labels, &ds, idx, 256);
	for (int i = 0; i < 256; i++) {
		volatile double num = 255 - i; /* computed at run time, as numpy does */
		float want = (float)(num / 255.0);
		ck_assert_msg(out[i] == want, "pixel %d -> %.9g, expected %.9g", 255 - i,
		              (double)out[i], (double)want);
		ck_assert_uint_eq(labels[i], (unsigned)((255 - i) % 10));
	}
	ck_assert(out[255] == 0.0f);
	ck_assert(out[0] == 1.0f);
	ck_assert(out[255 - 51] == (float)(51 / 255.0));
	ck_assert(out[255 - 51] == 0.2f);
}
END_TEST

START_TEST(gather_rows)
{
	uint8_t x[3 * 4] = { 0, 1, 2, 3, 10, 11, 12, 13, 255, 254, 253, 252 };
	uint8_t y[3] = { 7, 8, 9 };
	struct winit_dataset ds = {
		.n = 3,
		.n_features = 4,
		.height = 2,
		.width = 2,
		.n_classes = 10,
		.x = x,
		.y = y,
	};
	uint32_t idx[4] = { 2, 0, 2, 1 };
	float out[4 * 4]; /* (4, n_features) */
	uint8_t labels[4];
	winit_dataset_gather(out, labels, &ds, idx, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(labels[i], y[idx[i]]);
		for (int j = 0; j < 4; j++)
			ck_assert(out[i * 4 + j] == (float)(x[idx[i] * 4 + j] / 255.0));
	}
	/* labels may be NULL; n = 0 writes nothing. */
	out[0] = -1.0f;
	winit_dataset_gather(out, NULL, &ds, idx + 3, 1);
	ck_assert(out[0] == (float)(10 / 255.0));
	out[0] = -1.0f;
	winit_dataset_gather(out, labels, &ds, idx, 0);
	ck_assert(out[0] == -1.0f);
}
END_TEST

/* The real data set.  Required: CI installs it, and a missing copy must be visible. */
START_TEST(real_fashion_mnist)
{
	unsetenv(WINIT_FASHION_MNIST_ENV);
	const char *dir = winit_fashion_mnist_dir();
	struct stat st;
	if (stat(dir, &st) != 0)
		ck_abort_msg("Fashion-MNIST not found at %s (%s): install it with "
		             "`apt-get install dataset-fashion-mnist` (or configure "
		             "--with-fashion-mnist=DIR)",
		             dir, strerror(errno));

	struct winit_dataset train, test;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_fashion_mnist_load(&train, &test, NULL, &err) == WINIT_OK, "%s",
	              err.msg);
	ck_assert_int_eq(train.n, 60000);
	ck_assert_int_eq(test.n, 10000);
	ck_assert_int_eq(train.height, 28);
	ck_assert_int_eq(train.width, 28);
	ck_assert_int_eq(train.n_features, 784);
	ck_assert_int_eq(test.height, 28);
	ck_assert_int_eq(test.width, 28);
	ck_assert_int_eq(train.n_classes, 10);

	int64_t count_train[10] = { 0 }, count_test[10] = { 0 };
	for (int64_t i = 0; i < train.n; i++)
		count_train[train.y[i]]++;
	for (int64_t i = 0; i < test.n; i++)
		count_test[test.y[i]]++;
	for (int c = 0; c < 10; c++) {
		ck_assert_msg(count_train[c] == 6000, "class %d: %lld train labels", c,
		              (long long)count_train[c]);
		ck_assert_msg(count_test[c] == 1000, "class %d: %lld test labels", c,
		              (long long)count_test[c]);
	}
	/* Pixels span the full byte range (not all-zero, not all-saturated). */
	uint8_t lo = 255, hi = 0;
	for (int64_t i = 0; i < 784 * 100; i++) {
		lo = train.x[i] < lo ? train.x[i] : lo;
		hi = train.x[i] > hi ? train.x[i] : hi;
	}
	ck_assert_uint_eq(lo, 0);
	ck_assert_uint_eq(hi, 255);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
}
END_TEST

static Suite *dataset_suite(void)
{
	Suite *s = suite_create("dataset");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, load_idx);
	tcase_add_test(tc, fashion_env_override);
	tcase_add_test(tc, fashion_uncompressed);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
	tcase_add_test(tc, count_mismatch);
	tcase_add_test(tc, label_out_of_range);
	tcase_add_test(tc, wrong_dimensionality);
	tcase_add_test(tc, fashion_missing);
	tcase_add_test(tc, fashion_broken_gz_link);
	suite_add_tcase(s, tc);

	tc = tcase_create("gather");
	tcase_add_test(tc, gather_scaling);
	tcase_add_test(tc, gather_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("fashion-mnist");
	tcase_set_timeout(tc, 300); /* under valgrind inflating 70 MB takes a while */
	tcase_add_test(tc, real_fashion_mnist);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(dataset_suite());
}
