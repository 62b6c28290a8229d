bin_PROGRAMS += winit
winit_SOURCES = src/cli/main.c src/lua/lwinit.c
winit_CFLAGS = $(AM_CFLAGS) $(LUA_CFLAGS)
winit_LDADD = libwinit.la $(LUA_LIBS) -lm
