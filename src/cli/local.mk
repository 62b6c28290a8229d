bin_PROGRAMS += winit
winit_SOURCES = src/cli/main.c src/cli/cli.h src/cli/report_cmd.c $(WINIT_LUA_SOURCES)
winit_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
winit_LDADD = libwinit.la $(LUA_LIBS) -lm
