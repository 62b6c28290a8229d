# tests: kernels
check_PROGRAMS += tests/check_kernels
TESTS += tests/check_kernels
tests_check_kernels_SOURCES = tests/check_kernels.c
tests_check_kernels_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_kernels_LDADD = $(WINIT_TEST_LIBS)
