# tests: symbols -- libwinit.so exports only winit_* (its API), the Lua module only
# luaopen_winit.
TESTS += tests/symbols.sh
EXTRA_DIST += tests/symbols.sh
