# tests: lua -- the winit Lua module (compiled in, as the CLI does).  luatest.h is the
# fixture both suites share.
check_PROGRAMS += tests/check_lua tests/check_keras
TESTS += tests/check_lua tests/check_keras
tests_check_lua_SOURCES = tests/check_lua.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_lua_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_lua_LDADD = $(WINIT_TEST_LIBS)
# Keras's names and forms in the Lua API (docs/keras.md).
tests_check_keras_SOURCES = tests/check_keras.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_keras_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_keras_LDADD = $(WINIT_TEST_LIBS)

# The seed's script in Keras's spelling gives the same results file (docs/keras.md).
TESTS += tests/keras.sh
EXTRA_DIST += tests/keras.sh tests/lua/keras_spelling.lua
# Each value taken as the type it documents; refusals with the script line.
check_PROGRAMS += tests/check_lua_types
TESTS += tests/check_lua_types
tests_check_lua_types_SOURCES = tests/check_lua_types.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_lua_types_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_lua_types_LDADD = $(WINIT_TEST_LIBS)
