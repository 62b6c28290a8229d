# tests: report -- the results file: safe writing (paths, links, devices, write errors).
check_PROGRAMS += tests/check_results
TESTS += tests/check_results
tests_check_results_SOURCES = tests/check_results.c
tests_check_results_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_results_LDADD = $(WINIT_TEST_LIBS)

# tests: report -- results files read back, the HTML report.
check_PROGRAMS += tests/check_report
TESTS += tests/check_report
tests_check_report_SOURCES = tests/check_report.c
tests_check_report_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_report_LDADD = $(WINIT_TEST_LIBS)
EXTRA_DIST += tests/data/results_diag.json

# tests: plot -- winit/plot.h's heat map as SVG: cells, colour scales, values, lines over it.
check_PROGRAMS += tests/check_plot
TESTS += tests/check_plot
tests_check_plot_SOURCES = tests/check_plot.c
tests_check_plot_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_plot_LDADD = $(WINIT_TEST_LIBS)

# `winit report` end to end: pages from a study and from the fixture, well-formed XML.
TESTS += tests/report.sh
EXTRA_DIST += tests/report.sh

# The report in headless Chromium: not blank, no console error (skips, saying why,
# without chromium or python3).
TESTS += tests/report_chromium.sh
EXTRA_DIST += tests/report_chromium.sh tests/tools/png_stats.py

# tests: conditions -- runs grouped by label once, for the table, the CSV and the report.
check_PROGRAMS += tests/check_conditions
TESTS += tests/check_conditions
tests_check_conditions_SOURCES = tests/check_conditions.c
tests_check_conditions_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_conditions_LDADD = $(WINIT_TEST_LIBS)

# tests: stats -- the statistics behind the study table, against known values.
check_PROGRAMS += tests/check_stats
TESTS += tests/check_stats
tests_check_stats_SOURCES = tests/check_stats.c
tests_check_stats_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_stats_LDADD = $(WINIT_TEST_LIBS)
