# The winit command: main.c dispatches to one file per subcommand.
bin_PROGRAMS += winit
winit_SOURCES = src/cli/cli.h src/cli/main.c src/cli/common.c src/cli/run.c \
	src/cli/list.c src/cli/info.c src/cli/check_plugin.c src/cli/merge.c src/cli/report.c \
	$(WINIT_LUA_SOURCES)
winit_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS) $(JANSSON_CFLAGS)
# libwinit's objects are linked in (libwinit_core.la), so the installed winit does not
# depend on finding libwinit.so (nor on its version), wherever `make install prefix=`
# put it.
winit_LDADD = libwinit_core.la $(LUA_LIBS) $(JANSSON_LIBS) -lm
