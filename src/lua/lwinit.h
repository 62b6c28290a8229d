/* src/lua/lwinit.h -- the Lua binding's entry point. */
#ifndef WINIT_LWINIT_H
#define WINIT_LWINIT_H

#include <lua.h>

/* `require "winit"` from any Lua 5.4: the module table. */
int luaopen_winit(lua_State *L);

/* The number of concurrent runs Study:run uses when its `jobs` option is absent (0 = all
 * cores), as winit.set_jobs(jobs) does from a script; for the host program (the CLI's -j).
 * May be called before the module is opened. */
void winit_lua_set_default_jobs(lua_State *L, int jobs);

/* Run only shard `index` of `count` (0 <= index < count): Study:run executes the runs i
 * with i % count == index, and its results file holds only those (the CLI's --shard I/N,
 * for job arrays; `winit merge` joins the files).  May be called before the module is
 * opened. */
void winit_lua_set_shard(lua_State *L, int index, int count);

/* Whether the error object at idx asks the host to end the script quietly (winit.parse_args
 * after printing --help): the exit status to use, else -1. */
int winit_lua_exit_request(lua_State *L, int idx);

#endif
