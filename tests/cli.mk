# tests: cli -- the winit command end to end (a shell script).
TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh tests/lua/make_data.lua tests/lua/syntax_error.lua \
	tests/lua/bad_initializer.lua

# The plugin author's workflow against an installed winit (see docs/plugins.md).
TESTS += tests/example_plugin.sh
EXTRA_DIST += tests/example_plugin.sh plugins/examples/example_plugin.c plugins/examples/example.lua

# Stopping a study or a fit with SIGINT / SIGTERM, printing or silent.
TESTS += tests/signals.sh
EXTRA_DIST += tests/signals.sh tests/lua/long_run.lua

# The results file from the command line: refused paths, links, a failed write.
TESTS += tests/results.sh
EXTRA_DIST += tests/results.sh tests/lua/small_study.lua

# Exit status: 1 with a one-line summary when any run failed.
TESTS += tests/exit_status.sh
EXTRA_DIST += tests/exit_status.sh tests/lua/failing_study.lua

# Resume: a study killed after its second run recomputes only runs 3 and 4.
TESTS += tests/resume.sh
EXTRA_DIST += tests/resume.sh
