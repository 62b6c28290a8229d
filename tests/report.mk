# tests: report -- the statistics behind the study table, against known values.
check_PROGRAMS += tests/check_stats
TESTS += tests/check_stats
tests_check_stats_SOURCES = tests/check_stats.c
tests_check_stats_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_stats_LDADD = $(WINIT_TEST_LIBS)
