# tests: cli -- the winit command end to end (a shell script).
TESTS += tests/cli.sh
EXTRA_DIST += tests/cli.sh tests/lua/make_data.lua tests/lua/syntax_error.lua \
	tests/lua/bad_initializer.lua
