# tests: core -- the random streams (known answers against the published algorithms,
# rng_below's bounds and uniformity, the shuffle) and the error record's truncation.
check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c
tests_check_core_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_core_LDADD = $(WINIT_TEST_LIBS)
