/* src/lua/lplugins.c -- the binding's plugin registry (loaded on first use, kept in the Lua
 * registry), plugin references in scripts ("name" or {"name", param = value, ...}) and
 * winit.plugins(). */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

struct lregistry {
	struct winit_registry *reg;
};

static int registry_gc(lua_State *L)
{
	struct lregistry *r = luaL_checkudata(L, 1, MT_REGISTRY);
	winit_registry_free(r->reg);
	r->reg = NULL;
	return 0;
}

/* The module's plugin registry, loaded on first use and kept in the Lua registry. */
struct winit_registry *winit_lua_registry(lua_State *L)
{
	if (lua_getfield(L, LUA_REGISTRYINDEX, KEY_REGISTRY) == LUA_TUSERDATA) {
		struct lregistry *r = lua_touserdata(L, -1);
		lua_pop(L, 1);
		return r->reg;
	}
	lua_pop(L, 1);
	struct lregistry *r = lua_newuserdatauv(L, sizeof *r, 0);
	r->reg = winit_registry_new();
	luaL_setmetatable(L, MT_REGISTRY);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_REGISTRY);
	if (!r->reg)
		luaL_error(L, "out of memory");
	struct winit_error err = { 0 };
	if (winit_registry_load_default(r->reg, NULL, &err))
		luaL_error(L, "loading plugins: %s", err.msg);
	return r->reg;
}

static int l_plugins(lua_State *L)
{
	struct winit_registry *reg = winit_lua_registry(L);
	size_t n = winit_registry_count(reg);
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
		lua_createtable(L, 0, 4);
		lua_pushstring(L, winit_kind_name(e->info->kind));
		lua_setfield(L, -2, "kind");
		lua_pushstring(L, e->info->name);
		lua_setfield(L, -2, "name");
		lua_pushstring(L, e->info->summary);
		lua_setfield(L, -2, "summary");
		lua_pushstring(L, e->file);
		lua_setfield(L, -2, "file");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* A plugin that hides another of the same kind and name (a user's he_normal in
 * WINIT_PLUGIN_PATH before the built-in one): said on stderr when a script first uses the
 * name, whatever `verbose` is, once per name and Lua state. */
static void warn_shadowing(lua_State *L, uint32_t kind, const struct winit_plugin_entry *e)
{
	luaL_getsubtable(L, LUA_REGISTRYINDEX, KEY_SHADOW_WARNED);
	lua_pushfstring(L, "%s %s", winit_kind_name(kind), e->info->name);
	lua_pushvalue(L, -1);
	if (lua_rawget(L, -3) == LUA_TNIL) {
		fflush(stdout);
		fprintf(stderr, "winit: warning: %s '%s' comes from %s, which shadows %s (the first "
		                "in the search path wins)\n",
		        winit_kind_name(kind), e->info->name, e->file, e->shadows);
		lua_pushvalue(L, -2);
		lua_pushboolean(L, 1);
		lua_rawset(L, -5);
	}
	lua_pop(L, 3);
}

/* Resolve a plugin reference: "name" or {"name", param = value, ...}, where name may also
 * be a Keras class name ("HeNormal": lkeras.c). */
void winit_lua_check_plugin_use(lua_State *L, int idx, uint32_t kind, const char *what,
                                struct winit_plugin_use *out)
{
	idx = lua_absindex(L, idx);
	if (winit_lua_keras_translate(L, idx, kind)) {
		winit_lua_check_plugin_use(L, -1, kind, what, out);
		lua_pop(L, 1);
		return;
	}
	const char *name;
	if (lua_type(L, idx) == LUA_TSTRING) {
		name = lua_tostring(L, idx);
	} else if (lua_type(L, idx) == LUA_TTABLE) {
		/* A string only: the table keeps it alive after the pop.  lua_tostring would turn
		 * a number into a new string that nothing references once popped (the collector
		 * freed it under the name used below). */
		name = lua_rawgeti(L, idx, 1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		lua_pop(L, 1);
		if (!name)
			luaL_error(L, "%s: expected {\"name\", param = value, ...} with the plugin name first",
			           what);
	} else {
		luaL_error(L, "%s: expected a plugin name or {\"name\", param = value, ...}, got %s", what,
		           luaL_typename(L, idx));
		return;
	}
	struct winit_registry *reg = winit_lua_registry(L);
	const struct winit_plugin_entry *e = winit_registry_find(reg, kind, name);
	if (!e) {
		char known[2048];
		winit_registry_names(reg, kind, known, sizeof known);
		/* A plugin the user wrote may have been refused: say why, it is the likely cause.
		 * Shadowing is not: every name it concerns did load. */
		size_t np = 0, first = 0;
		for (size_t i = winit_registry_problem_count(reg); i-- > 0;) {
			if (!winit_registry_problem_is_shadowing(reg, i)) {
				np++;
				first = i;
			}
		}
		luaL_error(L, "%s: unknown %s '%s' (known: %s)%s%s%s", what, winit_kind_name(kind), name,
		           known[0] ? known : "none found; is WINIT_PLUGIN_PATH right?",
		           np ? "; a plugin was refused while loading: " : "",
		           np ? winit_registry_problem(reg, first) : "",
		           np > 1 ? " (more: run `winit list`)" : "");
	}
	if (e->shadows)
		warn_shadowing(L, kind, e);
	const char *names[WINIT_MAX_PARAMS + 8];
	double values[WINIT_MAX_PARAMS + 8];
	const char *choices[WINIT_MAX_PARAMS + 8];
	size_t n = 0;
	if (lua_type(L, idx) == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			if (lua_type(L, -2) == LUA_TNUMBER) {
				lua_Integer k = lua_tointeger(L, -2);
				if (k != 1)
					luaL_error(L, "%s: '%s' parameters must be named (param = value); found a value at position %d",
					           what, name, (int)k);
				lua_pop(L, 1);
				continue;
			}
			if (lua_type(L, -2) != LUA_TSTRING)
				luaL_error(L, "%s: '%s' parameter names must be strings", what, name);
			if (n >= sizeof names / sizeof names[0])
				luaL_error(L, "%s: '%s': too many parameters", what, name);
			names[n] = lua_tostring(L, -2);
			if (lua_type(L, -1) == LUA_TNUMBER) {
				values[n] = lua_tonumber(L, -1);
				choices[n] = NULL;
			} else if (lua_type(L, -1) == LUA_TSTRING) {
				values[n] = 0;
				choices[n] = lua_tostring(L, -1);
			} else { /* a boolean too: no parameter is one, and true is not 1 */
				luaL_error(L, "%s: '%s' parameter '%s' must be a number or a string, got %s", what,
				           name, names[n], luaL_typename(L, -1));
			}
			n++;
			lua_pop(L, 1); /* keys stay on the stack, so the strings stay valid */
		}
	}
	struct winit_error err = { 0 };
	memset(out, 0, sizeof *out);
	if (winit_params_resolve(out->params, e->info, n, names, values, choices, &err))
		luaL_error(L, "%s: %s", what, err.msg);
	out->info = e->info;
	out->entry = e;
}

void winit_lua_open_plugins(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "plugins", l_plugins },
		{ NULL, NULL }
	};
	winit_lua_new_class(L, MT_REGISTRY, NULL, registry_gc);
	winit_lua_set_funcs(L, module_index, funcs);
}
