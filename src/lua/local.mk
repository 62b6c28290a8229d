# The Lua binding is compiled into the CLI (which preloads it) and into a Lua C module,
# so `require "winit"` also works from a stock lua5.4 (with winit.so on package.cpath).
# One file per Lua-facing concept (see lbinding.h); the CLI and tests/check_lua compile
# the same list.
WINIT_LUA_SOURCES = src/lua/lwinit.h src/lua/lbinding.h src/lua/lwinit.c \
	src/lua/lsettings.c src/lua/lopts.c src/lua/lplugins.c src/lua/lkeras.c \
	src/lua/ldata.c src/lua/llayers.c \
	src/lua/loptim.c src/lua/lmodel.c src/lua/lweights.c src/lua/lcallbacks.c \
	src/lua/lstudy.c src/lua/lresults.c src/lua/lgrid.c src/lua/linit.c \
	src/lua/largs.c src/lua/lsignal.c src/lua/lsave.c src/lua/ldiag.c \
	src/lua/lfigure.c src/lua/ltheory.c src/lua/lplot.c
# The module holds libwinit's objects (libwinit_core.la) rather than linking libwinit.so:
# libtool would have to relink it against the installed library at `make install`, and
# refuses to when prefix= differs from configure's.  configure --with-lua-cmod-dir=DIR
# chooses where it goes (default $(libdir)/lua/5.4).
luacmoddir = @LUA_CMOD_DIR@
luacmod_LTLIBRARIES = winit.la
winit_la_SOURCES = $(WINIT_LUA_SOURCES)
winit_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
winit_la_LDFLAGS = -module -avoid-version -shared -export-symbols-regex '^luaopen_winit$$'
winit_la_LIBADD = libwinit_core.la
