/* tests/check_cache.c -- the dataset cache (src/data/cache.c) behind
 * winit_fashion_mnist_load: a second load maps what the first wrote, with the same
 * bytes; a changed source, a corrupt, truncated or foreign cache file are detected and
 * rebuilt from the sources; writing an entry removes those of sources that are gone; an
 * unwritable cache directory and WINIT_NO_CACHE leave the load working without a cache;
 * the directory follows WINIT_CACHE_DIR, XDG_CACHE_HOME, HOME. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <winit/data.h>

#include "testutil.h"

static char tmp[256];
static char cache[512]; /* WINIT_CACHE_DIR of the test */
static char fm[512];    /* its miniature Fashion-MNIST */

#define N_TRAIN 40u
#define N_TEST 12u
#define H 4u
#define W 5u

static const char *fm_names[4] = {
	"train-images-idx3-ubyte",
	"train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte",
	"t10k-labels-idx1-ubyte",
};

/* Pixel j of image i of a split written with `variant`. */
static uint8_t pixel(uint32_t i, uint32_t j, int variant)
{
	return (uint8_t)(i * 7 + j + 31 * (uint32_t)variant);
}

static uint8_t label(uint32_t i, int variant)
{
	return (uint8_t)((i + (uint32_t)variant) % 10);
}

static void write_split(int k, uint32_t n, int gz, int variant)
{
	uint8_t *x = malloc((size_t)n * H * W), *y = malloc(n);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < H * W; j++)
			x[(size_t)i * H * W + j] = pixel(i, j, variant);
		y[i] = label(i, variant);
	}
	char p[600];
	uint32_t dx[3] = { n, H, W };
	snprintf(p, sizeof p, "%s/%s%s", fm, fm_names[k], gz ? ".gz" : "");
	tu_write_idx(p, gz, 3, dx, x, (size_t)n * H * W);
	snprintf(p, sizeof p, "%s/%s%s", fm, fm_names[k + 1], gz ? ".gz" : "");
	tu_write_idx(p, gz, 1, &n, y, n);
	free(x);
	free(y);
}

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "%s", tu_tmpdir());
	snprintf(cache, sizeof cache, "%s/cache/winit", tmp);
	snprintf(fm, sizeof fm, "%s/fm", tmp);
	ck_assert_int_eq(mkdir(fm, 0700), 0);
	write_split(0, N_TRAIN, 1, 0);
	write_split(2, N_TEST, 1, 0);
	ck_assert_int_eq(setenv("WINIT_CACHE_DIR", cache, 1), 0);
	unsetenv("WINIT_NO_CACHE");
}

static void teardown(void)
{
	tu_rmdir();
}

/* The training split holds what write_split(v_train) wrote, mapped from the cache or
 * not (m_train), the test split likewise; load_expect: both the same. */
static void load_splits(int v_train, int m_train, int v_test, int m_test)
{
	struct winit_dataset train, test;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_fashion_mnist_load(&train, &test, fm, &err) == WINIT_OK, "%s", err.msg);
	const struct winit_dataset *ds[2] = { &train, &test };
	const uint32_t n[2] = { N_TRAIN, N_TEST };
	const int variants[2] = { v_train, v_test }, maps[2] = { m_train, m_test };
	for (int s = 0; s < 2; s++) {
		int variant = variants[s], mapped = maps[s];
		ck_assert_int_eq(ds[s]->n, n[s]);
		ck_assert_int_eq(ds[s]->height, H);
		ck_assert_int_eq(ds[s]->width, W);
		ck_assert_int_eq(ds[s]->n_features, H * W);
		ck_assert_int_eq(ds[s]->n_classes, 10);
		ck_assert_ptr_null(ds[s]->xf);
		ck_assert_msg((ds[s]->map != NULL) == mapped, "split %d: %s the cache, expected %s", s,
		              ds[s]->map ? "mapped from" : "not from", mapped ? "mapped" : "a fresh load");
		for (uint32_t i = 0; i < n[s]; i++) {
			ck_assert_uint_eq(ds[s]->y[i], label(i, variant));
			for (uint32_t j = 0; j < H * W; j++)
				ck_assert_uint_eq(ds[s]->x[(size_t)i * H * W + j], pixel(i, j, variant));
		}
	}
	winit_dataset_free(&train);
	winit_dataset_free(&test);
	ck_assert_ptr_null(train.map);
}

static void load_expect(int variant, int mapped)
{
	load_splits(variant, mapped, variant, mapped);
}

/* Only the training split changed: the test split stays variant 0, mapped. */
static void load_train(int variant, int mapped)
{
	load_splits(variant, mapped, 0, 1);
}

/* The cache file of the training split (its name starts with the images file's). */
static const char *train_cache_file(void)
{
	static char path[1024];
	DIR *d = opendir(cache);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	int found = 0;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "train-images-idx3-ubyte.gz.", 27) == 0) {
			ck_assert_msg(!found, "two cache files for one split");
			snprintf(path, sizeof path, "%s/%s", cache, e->d_name);
			found = 1;
		}
	closedir(d);
	ck_assert_msg(found, "no cache file for the training split in %s", cache);
	return path;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	unsigned char b;
	ck_assert_int_eq(pread(fd, &b, 1, at), 1);
	b ^= 0x5a;
	ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
	ck_assert_int_eq(close(fd), 0);
}

START_TEST(hit_after_miss)
{
	load_expect(0, 0);
	ck_assert_int_eq(count_entries(cache), 2); /* one file per split, no temporary left */
	struct stat st;
	ck_assert_int_eq(stat(train_cache_file(), &st), 0);
	ck_assert_int_eq(st.st_size, 4096 + N_TRAIN * H * W + N_TRAIN);
	load_expect(0, 1);
	load_expect(0, 1);
	ck_assert_int_eq(count_entries(cache), 2);
}
END_TEST

/* Normalising a mapped split gives the floats of a fresh one; freeing either is clean. */
START_TEST(normalize_mapped)
{
	struct winit_dataset fresh, mapped;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_fashion_mnist_load(&fresh, NULL, fm, &err), WINIT_OK);
	ck_assert_ptr_null(fresh.map);
	ck_assert_int_eq(winit_fashion_mnist_load(&mapped, NULL, fm, &err), WINIT_OK);
	ck_assert_ptr_nonnull(mapped.map);
	struct winit_normalizer nz;
	ck_assert_int_eq(winit_normalizer_fit(&nz, WINIT_NORMALIZE_STANDARDIZE, &fresh, 30, &err),
	                 WINIT_OK);
	ck_assert_int_eq(winit_dataset_normalize(&fresh, &nz, &err), WINIT_OK);
	ck_assert_int_eq(winit_dataset_normalize(&mapped, &nz, &err), WINIT_OK);
	ck_assert_ptr_null(mapped.x);
	ck_assert_ptr_nonnull(mapped.xf);
	ck_assert_mem_eq(mapped.xf, fresh.xf, (size_t)N_TRAIN * H * W * sizeof(float));
	ck_assert_mem_eq(mapped.y, fresh.y, N_TRAIN); /* the labels stay in the mapping */
	winit_normalizer_free(&nz);
	winit_dataset_free(&fresh);
	winit_dataset_free(&mapped);
}
END_TEST

/* A source rewritten with other data: by its mtime, and by the hash of its head when
 * size and mtime are put back as they were. */
START_TEST(stale_source)
{
	load_expect(0, 0);
	char p[600];
	snprintf(p, sizeof p, "%s/%s.gz", fm, fm_names[0]);
	struct stat before;
	ck_assert_int_eq(stat(p, &before), 0);
	write_split(0, N_TRAIN, 1, 1);
	struct timespec times[2] = { before.st_atim, { before.st_mtim.tv_sec + 5, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, p, times, 0), 0);
	load_train(1, 0); /* the cache said variant 0: not used */
	load_train(1, 1); /* and it was rebuilt */

	/* Plain files of the same size, the old mtime put back: the head's hash tells. */
	ck_assert_int_eq(unlink(p), 0);
	snprintf(p, sizeof p, "%s/%s.gz", fm, fm_names[1]);
	ck_assert_int_eq(unlink(p), 0);
	write_split(0, N_TRAIN, 0, 0);
	load_train(0, 0);
	snprintf(p, sizeof p, "%s/%s", fm, fm_names[0]);
	ck_assert_int_eq(stat(p, &before), 0);
	write_split(0, N_TRAIN, 0, 2);
	times[1] = before.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, p, times, 0), 0);
	snprintf(p, sizeof p, "%s/%s", fm, fm_names[1]);
	ck_assert_int_eq(utimensat(AT_FDCWD, p, times, 0), 0);
	load_train(2, 0);
	load_train(2, 1);
}
END_TEST

/* A damaged cache file is never believed: payload, header, truncation, a foreign file. */
START_TEST(corrupt_cache)
{
	load_expect(0, 0);
	const char *f = train_cache_file();
	flip_byte(f, 4096 + 123); /* a pixel */
	load_train(0, 0);
	load_train(0, 1);
	flip_byte(f, 4096 + N_TRAIN * H * W + 3); /* a label */
	load_train(0, 0);
	flip_byte(f, 24); /* the version */
	load_train(0, 0);
	flip_byte(f, 32); /* n: the header's own CRC must catch it */
	load_train(0, 0);
	load_train(0, 1);
	ck_assert_int_eq(truncate(f, 4096 + 10), 0);
	load_train(0, 0);
	ck_assert_int_eq(truncate(f, 0), 0);
	load_train(0, 0);
	FILE *g = fopen(f, "w");
	ck_assert_ptr_nonnull(g);
	fputs("not a cache file\n", g);
	ck_assert_int_eq(fclose(g), 0);
	load_train(0, 0);
	load_train(0, 1);
}
END_TEST

/* Writing an entry removes those whose sources are gone, and nothing else. */
START_TEST(prune_gone_sources)
{
	load_expect(0, 0); /* two entries for fm */
	char gone[600], other[600];
	snprintf(gone, sizeof gone, "%s", fm);
	snprintf(fm, sizeof fm, "%s/fm2", tmp);
	ck_assert_int_eq(mkdir(fm, 0700), 0);
	write_split(0, N_TRAIN, 1, 0);
	write_split(2, N_TEST, 1, 0);
	load_expect(0, 0);
	ck_assert_int_eq(count_entries(cache), 4);
	snprintf(other, sizeof other, "%s/notes.cache", cache); /* not an entry: kept */
	FILE *g = fopen(other, "w");
	ck_assert_ptr_nonnull(g);
	fputs("mine\n", g);
	ck_assert_int_eq(fclose(g), 0);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -r '%s'", gone);
	ck_assert_int_eq(system(cmd), 0);
	load_expect(0, 1); /* a hit writes nothing, so prunes nothing */
	ck_assert_int_eq(count_entries(cache), 5);
	snprintf(cmd, sizeof cmd, "%s/%s.gz", fm, fm_names[0]);              /* fm2's training entry is */
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } }; /* stale: a write */
	ck_assert_int_eq(utimensat(AT_FDCWD, cmd, times, 0), 0);
	load_train(0, 0);
	ck_assert_int_eq(count_entries(cache), 3); /* fm2's two entries and notes.cache */
	ck_assert_int_eq(access(other, F_OK), 0);
}
END_TEST

/* No cache can be written (the directory's parent is a regular file): loads still work,
 * every time from the sources. */
START_TEST(unwritable_dir)
{
	char p[600];
	snprintf(p, sizeof p, "%s/file", tmp);
	FILE *g = fopen(p, "w");
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(fclose(g), 0);
	snprintf(cache, sizeof cache, "%s/file/winit", tmp);
	ck_assert_int_eq(setenv("WINIT_CACHE_DIR", cache, 1), 0);
	load_expect(0, 0);
	load_expect(0, 0);
}
END_TEST

START_TEST(disabled)
{
	ck_assert_int_eq(setenv("WINIT_NO_CACHE", "1", 1), 0);
	load_expect(0, 0);
	load_expect(0, 0);
	ck_assert_int_eq(count_entries(cache), -1);            /* not even created */
	ck_assert_int_eq(setenv("WINIT_NO_CACHE", "0", 1), 0); /* "0": on */
	load_expect(0, 0);
	load_expect(0, 1);
	unsetenv("WINIT_NO_CACHE");
}
END_TEST

/* $WINIT_CACHE_DIR, else $XDG_CACHE_HOME/winit (absolute only), else ~/.cache/winit. */
START_TEST(directory_choice)
{
	char xdg[600], home[600], want[700];
	snprintf(xdg, sizeof xdg, "%s/xdg", tmp);
	snprintf(home, sizeof home, "%s/home", tmp);
	unsetenv("WINIT_CACHE_DIR");
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", xdg, 1), 0);
	ck_assert_int_eq(setenv("HOME", home, 1), 0);
	load_expect(0, 0);
	snprintf(want, sizeof want, "%s/winit", xdg);
	ck_assert_int_eq(count_entries(want), 2);
	ck_assert_int_eq(setenv("XDG_CACHE_HOME", "relative/dir", 1), 0);
	load_expect(0, 0);
	snprintf(want, sizeof want, "%s/.cache/winit", home);
	ck_assert_int_eq(count_entries(want), 2);
	load_expect(0, 1);
	unsetenv("XDG_CACHE_HOME");
}
END_TEST

static Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hit_after_miss);
	tcase_add_test(tc, normalize_mapped);
	tcase_add_test(tc, directory_choice);
	suite_add_tcase(s, tc);

	tc = tcase_create("rebuild");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, stale_source);
	tcase_add_test(tc, corrupt_cache);
	tcase_add_test(tc, prune_gone_sources);
	suite_add_tcase(s, tc);

	tc = tcase_create("off");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unwritable_dir);
	tcase_add_test(tc, disabled);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(cache_suite());
}
