# tests: report -- the results file: safe writing (paths, links, devices, write errors).
check_PROGRAMS += tests/check_results
TESTS += tests/check_results
tests_check_results_SOURCES = tests/check_results.c
tests_check_results_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_results_LDADD = $(WINIT_TEST_LIBS)

# tests: stats -- the statistics behind the study table, against known values.
check_PROGRAMS += tests/check_stats
TESTS += tests/check_stats
tests_check_stats_SOURCES = tests/check_stats.c
tests_check_stats_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_stats_LDADD = $(WINIT_TEST_LIBS)
