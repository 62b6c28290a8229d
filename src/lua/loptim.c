/* src/lua/loptim.c -- optimizers: winit.optimizers.Adam/SGD (plain tables) and the reading
 * of an optimizer setting ("adam", "sgd" or such a table), checked by the engine. */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* A schedule {"ExponentialDecay" | "CosineDecay", field = value, ...} at idx into *s. */
static void read_schedule(lua_State *L, int idx, struct winit_lr_schedule *s, const char *fn)
{
	idx = lua_absindex(L, idx);
	lua_rawgeti(L, idx, 1);
	const char *name = lua_tostring(L, -1);
	memset(s, 0, sizeof *s);
	if (name && strcmp(name, "ExponentialDecay") == 0)
		s->kind = WINIT_LR_EXPONENTIAL_DECAY;
	else if (name && strcmp(name, "CosineDecay") == 0)
		s->kind = WINIT_LR_COSINE_DECAY;
	else
		luaL_error(L, "%s: learning_rate must be a number or a schedule (winit.optimizers.schedules.ExponentialDecay{...} or CosineDecay{...})",
		           fn);
	lua_pop(L, 1);
	s->initial_learning_rate = winit_lua_opt_num(L, idx, "initial_learning_rate", 0, name);
	s->decay_steps = winit_lua_opt_num(L, idx, "decay_steps", 0, name);
	s->decay_rate = winit_lua_opt_num(L, idx, "decay_rate", 0, name);
	s->staircase = winit_lua_opt_bool(L, idx, "staircase", 0, name);
	s->alpha = winit_lua_opt_num(L, idx, "alpha", 0, name);
	struct winit_error err = { 0 };
	if (winit_lr_schedule_check(s, &err))
		luaL_error(L, "%s: %s", name, err.msg);
}

void winit_lua_read_optimizer(lua_State *L, int idx, struct winit_optimizer_spec *out,
                              struct winit_lr_schedule *sched, const char *fn)
{
	struct winit_lr_schedule none = { 0 };
	if (sched)
		*sched = none;
	idx = lua_absindex(L, idx);
	const char *name = NULL;
	if (lua_type(L, idx) == LUA_TSTRING)
		name = lua_tostring(L, idx);
	else if (lua_type(L, idx) == LUA_TTABLE) {
		/* A string only, which the table keeps alive after the pop (a number converted
		 * by lua_tostring would be a new string, free to be collected once popped). */
		name = lua_rawgeti(L, idx, 1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
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
		/* Each optimizer takes its own options only: Adam{momentum = 0.9} is a mistake
		 * (Keras refuses it too), not something to ignore. */
		static const char *const adam_keys[] = { "learning_rate", "beta_1", "beta_2", "epsilon",
			                                 NULL };
		static const char *const sgd_keys[] = { "learning_rate", "momentum", "nesterov", NULL };
		const char *opt_fn = kind == WINIT_OPT_ADAM ? "Adam" : "SGD";
		winit_lua_check_keys(L, idx, kind == WINIT_OPT_ADAM ? adam_keys : sgd_keys, opt_fn, 1);
		if (lua_getfield(L, idx, "learning_rate") == LUA_TTABLE) {
			if (!sched)
				luaL_error(L, "%s: a learning-rate schedule is not supported here", opt_fn);
			read_schedule(L, -1, sched, opt_fn);
			lua_pop(L, 1);
			out->learning_rate = sched->initial_learning_rate;
		} else {
			lua_pop(L, 1);
			out->learning_rate = winit_lua_opt_num(L, idx, "learning_rate", out->learning_rate, opt_fn);
		}
		out->beta_1 = winit_lua_opt_num(L, idx, "beta_1", out->beta_1, opt_fn);
		out->beta_2 = winit_lua_opt_num(L, idx, "beta_2", out->beta_2, opt_fn);
		out->epsilon = winit_lua_opt_num(L, idx, "epsilon", out->epsilon, opt_fn);
		out->momentum = winit_lua_opt_num(L, idx, "momentum", out->momentum, opt_fn);
		out->nesterov = winit_lua_opt_bool(L, idx, "nesterov", 0, opt_fn);
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
	struct winit_lr_schedule sc;
	winit_lua_read_optimizer(L, 2, &s, &sc, fn);
	return 1;
}

/* winit.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps,
 * decay_rate, staircase) and CosineDecay(initial_learning_rate, decay_steps, alpha), or
 * with the same names in a table -> {"ExponentialDecay", ...} (checked data). */
static int make_schedule(lua_State *L, const char *name, const char *const keys[])
{
	int top = lua_gettop(L);
	lua_newtable(L);
	int t = lua_gettop(L);
	lua_pushstring(L, name);
	lua_rawseti(L, t, 1);
	if (top == 1 && lua_istable(L, 1)) {
		winit_lua_check_keys(L, 1, keys, name, 1);
		lua_pushnil(L);
		while (lua_next(L, 1)) {
			if (lua_type(L, -2) == LUA_TNUMBER) {
				lua_Integer k = lua_tointeger(L, -2);
				int n = 0;
				while (keys[n])
					n++;
				if (k < 1 || k > n)
					luaL_error(L, "%s: takes at most %d positional arguments", name, n);
				lua_setfield(L, t, keys[k - 1]);
				continue;
			}
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, t);
		}
	} else {
		for (int i = 1; i <= top; i++) {
			if (!keys[i - 1])
				luaL_error(L, "%s: takes at most %d positional arguments", name, i - 1);
			lua_pushvalue(L, i);
			lua_setfield(L, t, keys[i - 1]);
		}
	}
	struct winit_lr_schedule s;
	read_schedule(L, t, &s, name);
	return 1;
}

static int l_exponential_decay(lua_State *L)
{
	static const char *const keys[] = { "initial_learning_rate", "decay_steps", "decay_rate",
		                            "staircase", NULL };
	return make_schedule(L, "ExponentialDecay", keys);
}

static int l_cosine_decay(lua_State *L)
{
	static const char *const keys[] = { "initial_learning_rate", "decay_steps", "alpha", NULL };
	return make_schedule(L, "CosineDecay", keys);
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
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_exponential_decay);
	lua_setfield(L, -2, "ExponentialDecay");
	lua_pushcfunction(L, l_cosine_decay);
	lua_setfield(L, -2, "CosineDecay");
	lua_setfield(L, -2, "schedules");
	lua_setfield(L, module_index, "optimizers");
}
