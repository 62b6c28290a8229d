# The Lua binding is compiled into the CLI (which preloads it) and into a Lua C module,
# so `require "winit"` also works from a stock lua5.4 (with winit.so on package.cpath).
luacmoddir = $(libdir)/lua/5.4
luacmod_LTLIBRARIES = winit.la
winit_la_SOURCES = src/lua/lwinit.h src/lua/lwinit.c
winit_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
winit_la_LDFLAGS = -module -avoid-version -shared -export-symbols-regex '^luaopen_winit$$'
winit_la_LIBADD = libwinit.la
