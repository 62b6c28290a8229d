bin_PROGRAMS += winit
winit_SOURCES = src/cli/main.c src/cli/commands.h src/cli/merge.c $(WINIT_LUA_SOURCES)
winit_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS) $(JANSSON_CFLAGS)
winit_LDADD = libwinit.la $(LUA_LIBS) $(JANSSON_LIBS) -lm
