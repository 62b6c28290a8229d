# tests: report -- the results file: safe writing (paths, links, devices, write errors).
check_PROGRAMS += tests/check_results
TESTS += tests/check_results
tests_check_results_SOURCES = tests/check_results.c
tests_check_results_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_results_LDADD = $(WINIT_TEST_LIBS)
