/* src/lua/largs.c -- winit.parse_args: a script's --options, typed by their defaults. */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* winit.parse_args(arg, {seed = 42, out = "x.json", jobs = 0}) -> options
 * Accepts --name value and --name=value for every key of the defaults table; the type of
 * each default (integer, number, string, boolean) is the type expected. */
static int l_parse_args(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_newtable(L);
	int out = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, out);
	}
	if (lua_isnoneornil(L, 1))
		return 1;
	luaL_checktype(L, 1, LUA_TTABLE);
	int n = (int)luaL_len(L, 1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		const char *a = lua_tostring(L, -1);
		if (!a || strncmp(a, "--", 2) != 0)
			return luaL_error(L, "argument %d: expected --option, got '%s'", i, a ? a : "?");
		char key[64];
		const char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (klen == 0 || klen >= sizeof key)
			return luaL_error(L, "argument %d: bad option '%s'", i, a);
		memcpy(key, a + 2, klen);
		key[klen] = '\0';
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		int ty = lua_getfield(L, 2, key);
		lua_pop(L, 1);
		if (ty == LUA_TNIL) {
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			lua_pushnil(L);
			int first = 1;
			while (lua_next(L, 2)) {
				lua_pop(L, 1);
				if (!first)
					luaL_addstring(&b, ", ");
				first = 0;
				luaL_addstring(&b, "--");
				luaL_addstring(&b, lua_tostring(L, -1));
			}
			luaL_pushresult(&b);
			return luaL_error(L, "unknown option '--%s' (known: %s)", key, lua_tostring(L, -1));
		}
		const char *val;
		if (eq)
			val = eq + 1;
		else if (ty == LUA_TBOOLEAN)
			val = "true";
		else {
			lua_rawgeti(L, 1, ++i);
			val = lua_tostring(L, -1);
			if (!val)
				return luaL_error(L, "option '--%s' needs a value", key);
		}
		if (ty == LUA_TBOOLEAN) {
			if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "1") && strcmp(val, "0"))
				return luaL_error(L, "option '--%s' expects true or false, got '%s'", key, val);
			lua_pushboolean(L, strcmp(val, "true") == 0 || strcmp(val, "1") == 0);
		} else if (ty == LUA_TNUMBER) {
			lua_getfield(L, 2, key);
			int want_int = lua_isinteger(L, -1);
			lua_pop(L, 1);
			if (!lua_stringtonumber(L, val))
				return luaL_error(L, "option '--%s' expects a number, got '%s'", key, val);
			if (want_int && !lua_isinteger(L, -1))
				return luaL_error(L, "option '--%s' expects an integer, got '%s'", key, val);
		} else {
			lua_pushstring(L, val);
		}
		lua_setfield(L, out, key);
		lua_settop(L, out);
	}
	return 1;
}

void winit_lua_open_args(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "parse_args", l_parse_args },
		{ NULL, NULL }
	};
	winit_lua_set_funcs(L, module_index, funcs);
}
