# tests: data -- IDX and .npy readers, datasets, Fashion-MNIST (the real one is required: CI
# installs dataset-fashion-mnist); the dataset cache.  The suites write their own gzip files
# with zlib.
check_PROGRAMS += tests/check_idx tests/check_npy tests/check_dataset tests/check_cache
TESTS += tests/check_idx tests/check_npy tests/check_dataset tests/check_cache
tests_check_idx_SOURCES = tests/check_idx.c
tests_check_idx_CFLAGS = $(WINIT_TEST_CFLAGS) $(ZLIB_CFLAGS)
tests_check_idx_LDADD = $(WINIT_TEST_LIBS) $(ZLIB_LIBS)
tests_check_npy_SOURCES = tests/check_npy.c
tests_check_npy_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_npy_LDADD = $(WINIT_TEST_LIBS)
tests_check_dataset_SOURCES = tests/check_dataset.c
tests_check_dataset_CFLAGS = $(WINIT_TEST_CFLAGS) $(ZLIB_CFLAGS)
tests_check_dataset_LDADD = $(WINIT_TEST_LIBS) $(ZLIB_LIBS)
tests_check_cache_SOURCES = tests/check_cache.c
tests_check_cache_CFLAGS = $(WINIT_TEST_CFLAGS) $(ZLIB_CFLAGS)
tests_check_cache_LDADD = $(WINIT_TEST_LIBS) $(ZLIB_LIBS)

# The cache end to end on the real data: the same results with and without it.
TESTS += tests/cache.sh
EXTRA_DIST += tests/cache.sh

# .npy files written by NumPy itself (python3-numpy), read back with from_npy.
TESTS += tests/npy.sh
EXTRA_DIST += tests/npy.sh
