/* src/lua/lwinit.h -- the Lua binding's entry point. */
#ifndef WINIT_LWINIT_H
#define WINIT_LWINIT_H

#include <lua.h>

/* `require "winit"` from any Lua 5.4: the module table. */
int luaopen_winit(lua_State *L);

#endif
