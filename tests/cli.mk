# tests: cli -- the winit command end to end (a shell script).
TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh tests/lua/make_data.lua tests/lua/syntax_error.lua \
	tests/lua/bad_initializer.lua tests/lua/diverge.lua tests/lua/momentum.lua \
	tests/lua/plugin_study.lua

# The plugin author's workflow against an installed winit (see docs/plugins.md).
TESTS += tests/example_plugin.sh
EXTRA_DIST += tests/example_plugin.sh plugins/examples/example_plugin.c plugins/examples/example.lua

# Stopping a study or a fit with SIGINT / SIGTERM, printing or silent.
TESTS += tests/signals.sh
EXTRA_DIST += tests/signals.sh tests/lua/long_run.lua
