/* src/lua/lopts.c -- helpers every part of the Lua binding shares: reading option tables
 * (typed fields, unknown keys refused so that typos do not pass silently), making
 * classes (metatables) and module functions, and whether progress may redraw a line. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

const char *winit_lua_check_path(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		luaL_typeerror(L, idx, "string (a path)");
	return lua_tostring(L, idx);
}

const char *winit_lua_opt_path(lua_State *L, int idx)
{
	return lua_isnoneornil(L, idx) ? NULL : winit_lua_check_path(L, idx);
}

lua_Integer winit_lua_opt_int(lua_State *L, int t, const char *key, lua_Integer def,
                              lua_Integer min, lua_Integer max, const char *fn)
{
	lua_Integer v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		/* A number only: "5" is not coerced (a string here is a mistake to report). */
		if (ty != LUA_TNUMBER)
			luaL_error(L, "%s: option '%s' must be an integer, got %s", fn, key, luaL_typename(L, -1));
		int ok;
		v = lua_tointegerx(L, -1, &ok);
		if (!ok) {
			double d = lua_tonumber(L, -1);
			if (d == floor(d)) /* integral but beyond 64 bits (or infinite) */
				luaL_error(L, "%s: option '%s' must be an integer in [%I, %I] (got %f)",
				           fn, key, min, max, d);
			luaL_error(L, "%s: option '%s' must be an integer, got %s", fn, key,
			           d == d ? "a fraction" : "nan");
		}
		/* The range of the value as it will be used (e.g. 32 bits for epochs), checked
		 * on the 64-bit value before any narrowing. */
		if (v < min || v > max)
			luaL_error(L, "%s: option '%s' must be an integer in [%I, %I] (got %I)",
			           fn, key, min, max, v);
	}
	lua_pop(L, 1);
	return v;
}

double winit_lua_opt_num(lua_State *L, int t, const char *key, double def, const char *fn)
{
	double v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		if (ty != LUA_TNUMBER)
			luaL_error(L, "%s: option '%s' must be a number, got %s", fn, key, luaL_typename(L, -1));
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

int winit_lua_opt_bool(lua_State *L, int t, const char *key, int def, const char *fn)
{
	int v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		if (ty != LUA_TBOOLEAN)
			luaL_error(L, "%s: option '%s' must be true or false, got %s", fn, key,
			           luaL_typename(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* Reject keys that are not in `allowed` (NULL-terminated): typos must not pass silently. */
void winit_lua_check_keys(lua_State *L, int t, const char *const allowed[], const char *fn,
                          int allow_positional)
{
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TNUMBER && allow_positional)
			continue;
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int ok = 0;
		for (int i = 0; k && allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0)
				ok = 1;
		if (!ok) {
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			for (int i = 0; allowed[i]; i++) {
				if (i)
					luaL_addstring(&b, ", ");
				luaL_addstring(&b, allowed[i]);
			}
			luaL_pushresult(&b);
			luaL_error(L, "%s: unknown option '%s' (known: %s)", fn,
			           k ? k : luaL_typename(L, -2), lua_tostring(L, -1));
		}
	}
}

void winit_lua_copy_numbers(lua_State *L, double *out, int64_t n)
{
	for (int64_t k = 0; k < n; k++) {
		lua_rawgeti(L, -1, (lua_Integer)k + 1);
		out[k] = (double)lua_tonumber(L, -1);
		lua_pop(L, 1);
	}
}

void winit_lua_copy_integers(lua_State *L, int64_t *out, int64_t n)
{
	for (int64_t k = 0; k < n; k++) {
		lua_rawgeti(L, -1, (lua_Integer)k + 1);
		out[k] = (int64_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
}

int winit_lua_progress_tty(void)
{
	return isatty(STDOUT_FILENO) && !getenv("WINIT_NO_PROGRESS");
}

void winit_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                         lua_CFunction gc)
{
	luaL_newmetatable(L, name);
	if (methods) {
		lua_newtable(L);
		luaL_setfuncs(L, methods, 0);
		lua_setfield(L, -2, "__index");
	}
	if (gc) {
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__close");
	}
	lua_pop(L, 1);
}

void winit_lua_set_funcs(lua_State *L, int index, const luaL_Reg *funcs)
{
	lua_pushvalue(L, index);
	luaL_setfuncs(L, funcs, 0);
	lua_pop(L, 1);
}
