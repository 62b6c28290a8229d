# The winit command: main.c dispatches to one file per subcommand.
bin_PROGRAMS += winit
winit_SOURCES = src/cli/cli.h src/cli/main.c src/cli/common.c src/cli/run.c \
	src/cli/list.c src/cli/info.c src/cli/check_plugin.c src/cli/merge.c src/cli/report.c \
	$(WINIT_LUA_SOURCES)
winit_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS) $(JANSSON_CFLAGS)
# Linked against libwinit.so (the engine is installed once), found from where winit is:
# its run path is $ORIGIN/<bindir to libdir>, so the installed winit runs without
# LD_LIBRARY_PATH or ldconfig, and still after `make install prefix=DIR` (which moves
# bindir and libdir together: libtool installs the binary linked at `make`, it does not
# relink it).  In the build tree, ./winit is libtool's wrapper script running
# .libs/winit against .libs/libwinit.so (gdb: `./libtool --mode=execute gdb ./winit`).
winit_LDADD = libwinit.la $(LUA_LIBS) $(JANSSON_LIBS) -lm
winit_LDFLAGS = $(AM_LDFLAGS) -Wl,-rpath,'$$ORIGIN/'"`$(WINIT_RELPATH) '$(bindir)' '$(libdir)'`"
