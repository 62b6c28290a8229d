# tests: lua -- the winit Lua module (compiled in, as the CLI does).
check_PROGRAMS += tests/check_lua
TESTS += tests/check_lua
tests_check_lua_SOURCES = tests/check_lua.c $(WINIT_LUA_SOURCES)
tests_check_lua_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_lua_LDADD = $(WINIT_TEST_LIBS)
