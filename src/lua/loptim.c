/* src/lua/loptim.c -- optimizers: winit.optimizers.Adam/SGD (plain tables) and the reading
 * of an optimizer setting ("adam", "sgd" or such a table), checked by the engine. */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

void winit_lua_read_optimizer(lua_State *L, int idx, struct winit_optimizer_spec *out,
                              const char *fn)
{
	idx = lua_absindex(L, idx);
	const char *name = NULL;
	if (lua_type(L, idx) == LUA_TSTRING)
		name = lua_tostring(L, idx);
	else if (lua_type(L, idx) == LUA_TTABLE) {
		lua_rawgeti(L, idx, 1);
		name = lua_tostring(L, -1);
		lua_pop(L, 1);
	}
	if (!name)
		luaL_error(L, "%s: optimizer must be \"adam\", \"sgd\" or winit.optimizers.Adam{...}", fn);
	int kind;
	if (strcmp(name, "adam") == 0 || strcmp(name, "Adam") == 0)
		kind = WINIT_OPT_ADAM;
	else if (strcmp(name, "sgd") == 0 || strcmp(name, "SGD") == 0)
		kind = WINIT_OPT_SGD;
	else {
		luaL_error(L, "%s: unknown optimizer '%s' (known: adam, sgd)", fn, name);
		return;
	}
	*out = winit_optimizer_default(kind);
	if (lua_type(L, idx) == LUA_TTABLE) {
		static const char *const keys[] = { "learning_rate", "beta_1", "beta_2", "epsilon",
			                            "momentum", "nesterov", NULL };
		winit_lua_check_keys(L, idx, keys, fn, 1);
		out->learning_rate = winit_lua_opt_num(L, idx, "learning_rate", out->learning_rate, fn);
		out->beta_1 = winit_lua_opt_num(L, idx, "beta_1", out->beta_1, fn);
		out->beta_2 = winit_lua_opt_num(L, idx, "beta_2", out->beta_2, fn);
		out->epsilon = winit_lua_opt_num(L, idx, "epsilon", out->epsilon, fn);
		out->momentum = winit_lua_opt_num(L, idx, "momentum", out->momentum, fn);
		out->nesterov = winit_lua_opt_bool(L, idx, "nesterov", 0, fn);
	}
	struct winit_optimizer probe;
	struct winit_error err = { 0 };
	if (winit_optimizer_init(&probe, out, 1, &err)) {
		const char *msg = err.msg;
		if (strncmp(msg, "optimizer: ", 11) == 0)
			msg += 11;
		luaL_error(L, "%s: %s", fn, msg);
	}
	winit_optimizer_free(&probe);
}

/* winit.optimizers.Adam{learning_rate = ...} -> {"adam", ...} (plain data) */
static int make_optimizer(lua_State *L, const char *name, const char *fn)
{
	lua_settop(L, 1);
	if (lua_isnil(L, 1)) {
		lua_newtable(L);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_newtable(L);
	lua_pushstring(L, name);
	lua_rawseti(L, -2, 1);
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, 2);
	}
	struct winit_optimizer_spec s;
	winit_lua_read_optimizer(L, 2, &s, fn);
	return 1;
}

static int l_adam(lua_State *L) { return make_optimizer(L, "adam", "optimizers.Adam"); }
static int l_sgd(lua_State *L) { return make_optimizer(L, "sgd", "optimizers.SGD"); }

void winit_lua_open_optimizers(lua_State *L, int module_index)
{
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_adam);
	lua_setfield(L, -2, "Adam");
	lua_pushcfunction(L, l_sgd);
	lua_setfield(L, -2, "SGD");
	lua_setfield(L, module_index, "optimizers");
}
