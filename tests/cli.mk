# tests: cli -- the winit command end to end (a shell script).
TESTS += tests/cli.sh
# CI runs the README's test command (.ci/run against the README's first block).
TESTS += tests/ci.sh
EXTRA_DIST += tests/ci.sh
EXTRA_DIST += tests/lib.sh tests/cli.sh tests/lua/make_data.lua tests/lua/syntax_error.lua \
	tests/lua/bad_initializer.lua tests/lua/saved_model.lua tests/lua/diverge.lua \
	tests/lua/momentum.lua tests/lua/plugin_study.lua tests/lua/act_study.lua

# The plugin author's workflow against an installed winit (see docs/plugins.md).
TESTS += tests/example_plugin.sh
EXTRA_DIST += tests/example_plugin.sh

# Stopping a study or a fit with SIGINT / SIGTERM, printing or silent.
TESTS += tests/signals.sh
EXTRA_DIST += tests/signals.sh tests/lua/long_run.lua tests/lua/endless.lua

# The results file from the command line: refused paths, links, a failed write; every
# writer against devices, FIFOs, directories, links and foreign files (writers.lua).
TESTS += tests/results.sh
EXTRA_DIST += tests/results.sh tests/lua/small_study.lua tests/lua/writers.lua tests/writers_lib.sh

# Every writer against a device node of our own, then /dev/null and /dev/full (root:
# mknod; skipped, exit 77, otherwise).
TESTS += tests/write_devices.sh
EXTRA_DIST += tests/write_devices.sh

# Exit status: 1 with a one-line summary when any run failed.
TESTS += tests/exit_status.sh
EXTRA_DIST += tests/exit_status.sh tests/lua/failing_study.lua tests/lua/expect_study.lua

# Resume: a study killed after its second run recomputes only runs 3 and 4.
TESTS += tests/resume.sh
EXTRA_DIST += tests/resume.sh
TESTS += tests/journal.sh
EXTRA_DIST += tests/journal.sh
TESTS += tests/c_study.sh
EXTRA_DIST += tests/c_study.sh

# The man page renders; the bash completion completes.
TESTS += tests/man.sh tests/completion.sh
EXTRA_DIST += tests/man.sh tests/completion.sh

# Installing: `make install prefix=DIR` under make check; the installed winit alone under
# make installcheck (which distcheck runs after installing into a temporary prefix).
TESTS += tests/install.sh
EXTRA_DIST += tests/install.sh
# (top_builddir only for tests/lib.sh: the test runs the installed winit.)
installcheck-local:
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PACKAGE_VERSION='$(PACKAGE_VERSION)' LUA_INTERP='$(LUA_INTERP)' \
	$(SHELL) $(top_srcdir)/tests/install.sh '$(bindir)'

# results:write_csv read back by python3's csv module.
TESTS += tests/csv.sh
EXTRA_DIST += tests/csv.sh
# Text a spreadsheet would run as a formula, and runs without a test set, in the CSV files.
TESTS += tests/csv_text.sh
EXTRA_DIST += tests/csv_text.sh
# Control characters from a script's text escaped on the terminal; script lines kept.
TESTS += tests/terminal_text.sh
EXTRA_DIST += tests/terminal_text.sh
