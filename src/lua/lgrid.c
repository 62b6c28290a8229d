/* src/lua/lgrid.c -- study:grid: a factorial design expanded into study:add runs, each
 * carrying its grid cell (factor names and levels) into the results file and the table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* The name a level shows in labels, tables and results files: a string as is, a number,
 * a boolean, or a table whose first element (a plugin reference such as
 * {"random_normal", stddev = 1}) or `name` field is a string. */
static void level_name(lua_State *L, int idx, const char *factor, char *buf, size_t n)
{
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		snprintf(buf, n, "%s", lua_tostring(L, idx));
		return;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			snprintf(buf, n, "%lld", (long long)lua_tointeger(L, idx));
		else
			snprintf(buf, n, "%.17g", lua_tonumber(L, idx));
		return;
	case LUA_TBOOLEAN:
		snprintf(buf, n, "%s", lua_toboolean(L, idx) ? "true" : "false");
		return;
	case LUA_TTABLE:
		lua_rawgeti(L, idx, 1);
		if (!lua_isstring(L, -1)) {
			lua_pop(L, 1);
			lua_getfield(L, idx, "name");
		}
		if (lua_isstring(L, -1)) {
			snprintf(buf, n, "%s", lua_tostring(L, -1));
			lua_pop(L, 1);
			return;
		}
		lua_pop(L, 1);
		break;
	default:
		break;
	}
	luaL_error(L, "Study:grid: a level of factor '%s' is a %s; levels are strings, numbers, "
	              "booleans or tables whose [1] or name is a string",
	           factor, luaL_typename(L, idx));
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The factor names, in `order` when given, else sorted (a Lua table has no order). */
static int factor_names(lua_State *L, int factors, int order, const char **names)
{
	int n = 0;
	if (!lua_isnil(L, order)) {
		luaL_checktype(L, order, LUA_TTABLE);
		int m = (int)luaL_len(L, order);
		for (int i = 1; i <= m; i++) {
			lua_rawgeti(L, order, i);
			const char *k = lua_tostring(L, -1);
			if (!k || lua_type(L, -1) != LUA_TSTRING || lua_getfield(L, factors, k) == LUA_TNIL)
				luaL_error(L, "Study:grid: order[%d] is not a factor name", i);
			lua_pop(L, 2);
			if (n == WINIT_FACTORS_MAX)
				luaL_error(L, "Study:grid: at most %d factors", WINIT_FACTORS_MAX);
			names[n++] = k; /* kept alive by the order table */
		}
	}
	int total = 0;
	lua_pushnil(L);
	while (lua_next(L, factors)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "Study:grid: factors are named: factors = { init = {...}, depth = {...} }");
		if (lua_type(L, -1) != LUA_TTABLE || luaL_len(L, -1) < 1)
			luaL_error(L, "Study:grid: factor '%s' needs a non-empty list of levels", lua_tostring(L, -2));
		if (strlen(lua_tostring(L, -2)) >= sizeof(((struct winit_factor *)0)->name))
			luaL_error(L, "Study:grid: factor name '%s' is too long", lua_tostring(L, -2));
		total++;
		if (lua_isnil(L, order)) {
			if (n == WINIT_FACTORS_MAX)
				luaL_error(L, "Study:grid: at most %d factors", WINIT_FACTORS_MAX);
			names[n++] = lua_tostring(L, -2); /* kept alive by the factors table */
		}
		lua_pop(L, 1);
	}
	if (total == 0)
		luaL_error(L, "Study:grid: 'factors' is empty");
	if (total != n)
		luaL_error(L, "Study:grid: 'order' names %d of the %d factors", n, total);
	if (lua_isnil(L, order))
		qsort(names, (size_t)n, sizeof *names, cmp_name);
	return n;
}

/* The level names of factor `name` (its level list at idx) into a userdata left on the
 * stack: n pointers, then n names of the cell's size. */
static const char *const *level_names(lua_State *L, int idx, const char *name, int32_t *n)
{
	idx = lua_absindex(L, idx);
	*n = (int32_t)luaL_len(L, idx);
	size_t size = sizeof(((struct winit_factor *)0)->value);
	char **p = lua_newuserdatauv(L, (size_t)*n * (sizeof(char *) + size), 0);
	char *names = (char *)(p + *n);
	for (int32_t a = 0; a < *n; a++) {
		p[a] = names + (size_t)a * size;
		lua_rawgeti(L, idx, a + 1);
		level_name(L, -1, name, p[a], size);
		lua_pop(L, 1);
	}
	return (const char *const *)p;
}

/* The cell's cfg for build: {factor = <level as given>, ...} (replicate set per run). */
static void push_cfg(lua_State *L, int factors, const struct winit_grid *g,
                     const struct winit_grid_run *run)
{
	lua_newtable(L);
	for (int32_t f = 0; f < g->n_factors; f++) {
		lua_getfield(L, factors, g->factors[f].name);
		lua_rawgeti(L, -1, run->at[f] + 1);
		lua_setfield(L, -3, g->factors[f].name);
		lua_pop(L, 1);
	}
}

/* Run `run` of the grid: build(cfg) for its model, then study:add with its name, label
 * and replicate and the options passed on; its cell goes to the run added. */
static void add_run(lua_State *L, const struct winit_grid_run *run, int cfg)
{
	static const char *const pass[] = { "train", "test", "epochs", "batch_size", "validation_split",
		                            "shuffle", "eval_batch_size", "seed", "callbacks", "diagnostics", NULL };
	lua_pushinteger(L, run->replicate);
	lua_setfield(L, cfg, "replicate");
	lua_pushvalue(L, 5);
	lua_pushvalue(L, cfg);
	lua_call(L, 1, 1);
	if (!luaL_testudata(L, -1, MT_MODEL))
		luaL_error(L, "Study:grid: build(cfg) for '%s' returned a %s, not a model", run->label,
		           luaL_typename(L, -1));
	int model = lua_gettop(L);
	lua_getfield(L, 1, "add");
	lua_pushvalue(L, 1);
	lua_createtable(L, 0, 12);
	lua_pushstring(L, run->name);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, run->label);
	lua_setfield(L, -2, "label");
	lua_pushinteger(L, run->replicate);
	lua_setfield(L, -2, "replicate");
	lua_pushvalue(L, model);
	lua_setfield(L, -2, "model");
	for (int k = 0; pass[k]; k++) {
		lua_getfield(L, 2, pass[k]);
		lua_setfield(L, -2, pass[k]);
	}
	/* study:add's errors name no script line (its caller is this C function): they get
	 * the line of the study:grid call. */
	if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
		if (lua_type(L, -1) == LUA_TSTRING) {
			luaL_where(L, 1);
			lua_insert(L, -2);
			lua_concat(L, 2);
		}
		lua_error(L);
	}
	struct winit_run_spec *spec = winit_lua_study_last_run(L, 1);
	spec->n_factors = run->n_factors;
	memcpy(spec->factors, run->factors, (size_t)run->n_factors * sizeof *run->factors);
	lua_pop(L, 1); /* model */
}

/* study:grid{factors = {init = {...}, activation = {...}}, order = {"init", "activation"},
 *            replicates = 1, build = function(cfg) return model end, train = ds, test = ds,
 *            epochs = ..., batch_size = ..., callbacks = ..., diagnostics = ..., ...}
 * adds one run per cell and replicate, in the engine's order (winit_grid_run_at): label
 * "he_normal / relu", name label .. "#r".  This converts the tables; the engine expands. */
int winit_lua_study_grid(lua_State *L)
{
	static const char *const keys[] = { "factors", "order", "replicates", "build", "train", "test", "epochs",
		                            "batch_size", "validation_split", "shuffle", "eval_batch_size", "seed",
		                            "callbacks", "diagnostics", NULL };
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_settop(L, 2);
	winit_lua_check_keys(L, 2, keys, "Study:grid", 0);
	struct winit_grid g;
	memset(&g, 0, sizeof g);
	g.replicates = (int32_t)winit_lua_opt_int(L, 2, "replicates", 1, 1, INT32_MAX, "Study:grid");
	lua_getfield(L, 2, "factors"); /* 3 */
	if (!lua_istable(L, 3))
		return luaL_error(L, "Study:grid: 'factors' must be a table of level lists");
	lua_getfield(L, 2, "order"); /* 4 */
	lua_getfield(L, 2, "build"); /* 5 */
	if (!lua_isfunction(L, 5))
		return luaL_error(L, "Study:grid: 'build' must be a function(cfg) returning a model");
	const char *names[WINIT_FACTORS_MAX];
	g.n_factors = factor_names(L, 3, 4, names);
	luaL_checkstack(L, WINIT_FACTORS_MAX + 8, "Study:grid");
	for (int32_t f = 0; f < g.n_factors; f++) {
		struct winit_grid_factor *gf = &g.factors[f];
		snprintf(gf->name, sizeof gf->name, "%s", names[f]);
		lua_getfield(L, 3, names[f]);
		gf->levels = level_names(L, -1, names[f], &gf->n_levels); /* stays on the stack */
		lua_remove(L, -2);
	}
	struct winit_error err = { 0 };
	if (winit_grid_check(&g, &err))
		return luaL_error(L, "Study:grid: %s", err.msg);
	int cfg = 0;
	for (size_t i = 0; i < winit_grid_size(&g); i++) {
		struct winit_grid_run run;
		if (winit_grid_run_at(&g, i, &run, &err))
			return luaL_error(L, "Study:grid: %s", err.msg);
		if (run.replicate == 0) { /* a new cell: its cfg, shared by its replicates */
			if (cfg)
				lua_pop(L, 1);
			push_cfg(L, 3, &g, &run);
			cfg = lua_gettop(L);
		}
		add_run(L, &run, cfg);
	}
	lua_settop(L, 1);
	return 1;
}
