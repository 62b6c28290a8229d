# The Lua binding is compiled into the CLI (which preloads it) and into a Lua C module,
# so `require "winit"` also works from a stock lua5.4 (with winit.so on package.cpath).
# One file per Lua-facing concept (see lbinding.h); the CLI and tests/check_lua compile
# the same list.
WINIT_LUA_SOURCES = src/lua/lwinit.h src/lua/lbinding.h src/lua/lwinit.c \
	src/lua/lsettings.c src/lua/lopts.c src/lua/lplugins.c src/lua/lkeras.c \
	src/lua/ldata.c src/lua/llayers.c src/lua/lgraph.c src/lua/lsummary.c \
	src/lua/loptim.c src/lua/lmodel.c src/lua/lweights.c src/lua/lcallbacks.c \
	src/lua/lstudy.c src/lua/lresults.c src/lua/lgrid.c src/lua/linit.c \
	src/lua/largs.c src/lua/lsignal.c src/lua/lsave.c src/lua/ldiag.c \
	src/lua/lfigure.c src/lua/ltheory.c src/lua/lplot.c \
	src/lua/lcoord.c src/lua/lstats.c src/lua/lspectrum.c
# The module is linked against libwinit.so (the engine is installed once), found from where
# the module is: its run path is $ORIGIN/<luacmoddir to libdir> ($ORIGIN/../.. by default),
# so a stock lua5.4 loads it with package.cpath alone, also after `make install prefix=DIR`,
# and $ORIGIN, for the build tree (.libs/winit.so beside .libs/libwinit.so).  It names
# libwinit.so to the linker itself (-Wl,; automake wants those in LDFLAGS, before the
# objects, so --no-as-needed keeps it) rather than through libwinit.la: a library
# linked against an uninstalled libtool library is relinked by libtool at `make install`,
# which refuses to when prefix= differs from configure's ("cannot install to a directory
# not ending in ...").  configure --with-lua-cmod-dir=DIR chooses where it goes (default
# $(libdir)/lua/5.4).
luacmoddir = @LUA_CMOD_DIR@
luacmod_LTLIBRARIES = winit.la
winit_la_SOURCES = $(WINIT_LUA_SOURCES)
winit_la_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
winit_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^luaopen_winit$$' \
	-Wl,-rpath,'$$ORIGIN/'"`$(WINIT_RELPATH) '$(luacmoddir)' '$(libdir)'`":'$$ORIGIN' \
	-Wl,--push-state,--no-as-needed,$(top_builddir)/.libs/libwinit.so,--pop-state
EXTRA_winit_la_DEPENDENCIES = libwinit.la
