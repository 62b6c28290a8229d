/* src/lua/llayers.c -- winit.layers.Flatten and winit.layers.Dense: plain descriptions
 * (the Layer userdata) that winit.Sequential assembles into a model. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* The largest layer width and input size the binding accepts: far above anything a
 * CPU trains, well inside the 64-bit products of shapes. */
#define MAX_UNITS (1 << 24)
#define MAX_INPUTS INT32_MAX

/* A layer width: a number with an integer value in [1, MAX_UNITS] (not a string). */
static lua_Integer check_units(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TNUMBER)
		luaL_error(L, "Dense: the number of units must come first, e.g. Dense{128, activation = "
		              "\"relu\"} (got %s)",
		           luaL_typename(L, idx));
	int ok;
	lua_Integer units = lua_tointegerx(L, idx, &ok);
	if (!ok) {
		double d = lua_tonumber(L, idx);
		if (d != d)
			luaL_error(L, "Dense: units must be an integer, got nan");
		if (d != floor(d))
			luaL_error(L, "Dense: units must be an integer, got %f", d);
		luaL_error(L, "Dense: units must be an integer in [1, %d] (got %f)", MAX_UNITS, d);
	}
	if (units < 1 || units > MAX_UNITS)
		luaL_error(L, "Dense: units must be an integer in [1, %d] (got %I)",
		           MAX_UNITS, units);
	return units;
}

static void read_shape(lua_State *L, int t, struct llayer *l, const char *fn)
{
	if (lua_getfield(L, t, "input_shape") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "%s: input_shape must be a table of positive integers", fn);
	int n = (int)luaL_len(L, -1);
	if (n < 1 || n > 3)
		luaL_error(L, "%s: input_shape must have 1 to 3 dimensions (got %d)", fn, n);
	lua_Integer size = 1;
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		int ok = 0;
		lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || v <= 0 || v > MAX_UNITS)
			luaL_error(L, "%s: input_shape[%d] must be an integer in [1, %d]", fn, i + 1, MAX_UNITS);
		size *= v; /* at most 3 factors of 2^24: no overflow in 64 bits before the check */
		if (size > MAX_INPUTS)
			luaL_error(L, "%s: input_shape has more than %d values per sample", fn, MAX_INPUTS);
		l->shape[i] = v;
		lua_pop(L, 1);
	}
	l->n_dims = n;
	lua_pop(L, 1);
}

/* winit.layers.Flatten{input_shape = {28, 28}} */
static int l_flatten(lua_State *L)
{
	static const char *const keys[] = { "input_shape", NULL };
	struct llayer *l = lua_newuserdatauv(L, sizeof *l, 0);
	memset(l, 0, sizeof *l);
	l->type = LAYER_FLATTEN;
	luaL_setmetatable(L, MT_LAYER);
	if (!lua_isnoneornil(L, 1)) {
		luaL_checktype(L, 1, LUA_TTABLE);
		winit_lua_check_keys(L, 1, keys, "Flatten", 0);
		read_shape(L, 1, l, "Flatten");
	}
	return 1;
}

/* Whether the value at idx is an activation reference rather than an options table: a
 * string, or a table whose first entry is the plugin name ({"leaky_relu", alpha = 0.1}). */
static int is_activation(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return 1;
	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	int s = lua_rawgeti(L, idx, 1) == LUA_TSTRING;
	lua_pop(L, 1);
	return s;
}

/* Dense's option `key` of t, else the engine's default `def` (WINIT_DENSE_DEFAULT_*),
 * resolved by name as a script's own would be (shadowing warned about alike). */
static void dense_plugin(lua_State *L, int t, const char *key, const char *def, uint32_t kind,
                         struct winit_plugin_use *out)
{
	char what[64];
	snprintf(what, sizeof what, "Dense: %s", key);
	if (lua_getfield(L, t, key) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushstring(L, def);
	}
	winit_lua_check_plugin_use(L, -1, kind, what, out);
	lua_pop(L, 1);
}

/* Keras's forms, all meaning the same layer:
 *   winit.layers.Dense{128, "relu", kernel_initializer = ...}
 *   winit.layers.Dense{128, activation = "relu", ...}   (or units = 128)
 *   winit.layers.Dense(128), Dense(128, "relu"), Dense(128, "relu", {kernel_initializer = ...})
 *   winit.layers.Dense(128, {activation = "relu", ...})
 * The table's positional entries (units, activation) and the keys must not say one thing
 * twice.  What is not given is Keras's default, the engine's (dense_plugin). */
static int l_dense(lua_State *L)
{
	static const char *const keys[] = { "units", "activation", "kernel_initializer",
		                            "bias_initializer", "use_bias", "input_shape", NULL };
	int t, act = 0; /* the options table; the positional activation (0: none) */
	lua_Integer units;
	if (lua_type(L, 1) == LUA_TNUMBER) {
		units = check_units(L, 1);
		int opts = 2;
		if (is_activation(L, 2)) {
			act = 2;
			opts = 3;
		} else if (!lua_isnoneornil(L, 3)) {
			return luaL_argerror(L, 2, "activation expected (a name or {\"name\", ...}) before the options table");
		}
		if (lua_gettop(L) > opts)
			return luaL_error(L, "Dense: takes units, activation and an options table (got %d arguments)",
			                  lua_gettop(L));
		if (lua_isnoneornil(L, opts)) {
			lua_settop(L, opts);
			lua_newtable(L);
			lua_replace(L, opts);
		}
		luaL_checktype(L, opts, LUA_TTABLE);
		t = opts;
		if (lua_getfield(L, t, "units") != LUA_TNIL)
			return luaL_error(L, "Dense: units given twice (as the first argument and as units =)");
		lua_pop(L, 1);
		winit_lua_check_keys(L, t, keys, "Dense", 0);
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		t = 1;
		/* units: the first entry, else the units key (not both) */
		int pos = lua_rawgeti(L, 1, 1) != LUA_TNIL;
		lua_getfield(L, 1, "units");
		if (pos && !lua_isnil(L, -1))
			return luaL_error(L, "Dense: units given twice (first entry and units =)");
		if (pos)
			lua_pop(L, 1);
		units = check_units(L, -1);
		lua_pop(L, pos ? 1 : 2);
		if (lua_rawgeti(L, 1, 2) != LUA_TNIL)
			act = lua_gettop(L);
		else
			lua_pop(L, 1);
		if (lua_rawgeti(L, 1, 3) != LUA_TNIL)
			return luaL_error(L, "Dense: takes at most two positional entries, units and activation");
		lua_pop(L, 1);
		winit_lua_check_keys(L, t, keys, "Dense", 1);
	}
	if (act && lua_getfield(L, t, "activation") != LUA_TNIL)
		return luaL_error(L, "Dense: activation given twice (by position and as activation =)");
	if (act)
		lua_pop(L, 1);
	struct llayer *l = lua_newuserdatauv(L, sizeof *l, 0);
	memset(l, 0, sizeof *l);
	l->type = LAYER_DENSE;
	luaL_setmetatable(L, MT_LAYER);
	int ud = lua_gettop(L);
	l->dense.units = units;
	l->dense.use_bias = winit_lua_opt_bool(L, t, "use_bias", WINIT_DENSE_DEFAULT_USE_BIAS, "Dense");
	read_shape(L, t, l, "Dense");
	if (act) {
		lua_pushvalue(L, act);
		winit_lua_check_plugin_use(L, -1, WINIT_KIND_ACTIVATION, "Dense: activation", &l->dense.activation);
		lua_pop(L, 1);
	} else {
		dense_plugin(L, t, "activation", WINIT_DENSE_DEFAULT_ACTIVATION, WINIT_KIND_ACTIVATION,
		             &l->dense.activation);
	}
	dense_plugin(L, t, "kernel_initializer", WINIT_DENSE_DEFAULT_KERNEL_INITIALIZER,
	             WINIT_KIND_INITIALIZER, &l->dense.kernel_initializer);
	dense_plugin(L, t, "bias_initializer", WINIT_DENSE_DEFAULT_BIAS_INITIALIZER,
	             WINIT_KIND_INITIALIZER, &l->dense.bias_initializer);
	lua_pushvalue(L, ud);
	return 1;
}

void winit_lua_open_layers(lua_State *L, int module_index)
{
	winit_lua_new_class(L, MT_LAYER, NULL, NULL);
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_dense);
	lua_setfield(L, -2, "Dense");
	lua_pushcfunction(L, l_flatten);
	lua_setfield(L, -2, "Flatten");
	lua_setfield(L, module_index, "layers");
}
