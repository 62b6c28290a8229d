/* src/lua/lcallbacks.c -- Keras's callbacks for model:fit: winit.callbacks.EarlyStopping,
 * winit.callbacks.LearningRateScheduler and plain Lua callback tables ({on_epoch_end =
 * function(epoch, logs) ... end, ...}), run through the trainer's hooks (winit_fit_hooks):
 * the engine calls back at each epoch's boundaries, and these call Lua under lua_pcall, so
 * an error in a script's callback ends the fit cleanly with its message.
 *
 * Epochs are counted from 0 in what callbacks see, as Keras counts them. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

void winit_lua_read_early_stopping(lua_State *L, int idx, struct winit_early_stopping *e)
{
	idx = lua_absindex(L, idx);
	*e = winit_early_stopping_default();
	if (lua_getfield(L, idx, "monitor") != LUA_TNIL) {
		e->monitor = lua_type(L, -1) == LUA_TSTRING ? winit_monitor_parse(lua_tostring(L, -1)) : -1;
		if (e->monitor < 0)
			luaL_error(L, "EarlyStopping: monitor must be one of loss, accuracy, val_loss, val_accuracy (got %s)",
			           lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	/* Keras uses min_delta's absolute value */
	e->min_delta = fabs(winit_lua_opt_num(L, idx, "min_delta", 0, "EarlyStopping"));
	e->patience = (int32_t)winit_lua_opt_int(L, idx, "patience", 0, 0, INT32_MAX, "EarlyStopping");
	if (lua_getfield(L, idx, "mode") != LUA_TNIL) {
		e->mode = lua_type(L, -1) == LUA_TSTRING ? winit_monitor_mode_parse(lua_tostring(L, -1)) : -1;
		if (e->mode < 0)
			luaL_error(L, "EarlyStopping: mode must be \"auto\", \"min\" or \"max\"");
	}
	lua_pop(L, 1);
	e->restore_best_weights = winit_lua_opt_bool(L, idx, "restore_best_weights", 0, "EarlyStopping");
	if (lua_getfield(L, idx, "baseline") != LUA_TNIL) {
		e->has_baseline = 1;
		e->baseline = winit_lua_opt_num(L, idx, "baseline", 0, "EarlyStopping");
	}
	lua_pop(L, 1);
	struct winit_error err = { 0 };
	if (winit_early_stopping_check(e, &err))
		luaL_error(L, "%s", err.msg);
}

/* winit.callbacks.EarlyStopping{monitor = "val_loss", min_delta = 0, patience = 0,
 * mode = "auto", restore_best_weights = false, baseline = nil} -> {"EarlyStopping", ...}
 * (checked data: the engine's struct winit_early_stopping as a table) */
static int l_early_stopping(lua_State *L)
{
	static const char *const keys[] = { "monitor", "min_delta", "patience", "mode",
		                            "restore_best_weights", "baseline", NULL };
	lua_settop(L, 1);
	if (lua_isnil(L, 1)) {
		lua_newtable(L);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, "EarlyStopping", 0);
	struct winit_early_stopping e;
	winit_lua_read_early_stopping(L, 1, &e);
	lua_newtable(L);
	lua_pushliteral(L, "EarlyStopping");
	lua_rawseti(L, 2, 1);
	lua_pushstring(L, winit_monitor_name(e.monitor));
	lua_setfield(L, 2, "monitor");
	lua_pushnumber(L, e.min_delta);
	lua_setfield(L, 2, "min_delta");
	lua_pushinteger(L, e.patience);
	lua_setfield(L, 2, "patience");
	lua_pushstring(L, winit_monitor_mode_name(e.mode));
	lua_setfield(L, 2, "mode");
	lua_pushboolean(L, e.restore_best_weights);
	lua_setfield(L, 2, "restore_best_weights");
	if (e.has_baseline) {
		lua_pushnumber(L, e.baseline);
		lua_setfield(L, 2, "baseline");
	}
	return 1;
}

/* winit.callbacks.LearningRateScheduler(function(epoch, lr) return lr end) */
static int l_lr_scheduler(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TFUNCTION);
	lua_createtable(L, 1, 1);
	lua_pushliteral(L, "LearningRateScheduler");
	lua_rawseti(L, -2, 1);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "schedule");
	return 1;
}

/* ---------------------------------------------------------------- running them */

enum { CB_TABLE,
       CB_EARLY,
       CB_SCHEDULER };

/* Call the function at -nargs-1 with nargs arguments and one result under pcall; on an
 * error, fill err naming the callback and return non-zero (the stack is then as before
 * the function was pushed). */
static int call(lua_State *L, int nargs, const char *what, struct winit_error *err)
{
	int hook = winit_lua_stop_hook_on(L); /* `while true do end` stops at Ctrl-C */
	int rc = lua_pcall(L, nargs, 1, 0);
	winit_lua_stop_hook_off(L, hook);
	if (rc == LUA_OK)
		return WINIT_OK;
	winit_error_set(err, WINIT_ERR_ARG, "%s: %s", what,
	                lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error object is not a string");
	lua_pop(L, 1);
	return WINIT_ERR_ARG;
}

static int hook_epoch_begin(void *ctx, int32_t epoch, double *lr, struct winit_error *err)
{
	struct winit_lua_fit_callbacks *c = ctx;
	lua_State *L = c->L;
	for (int i = 0; i < c->n; i++) {
		lua_rawgeti(L, c->list, i + 1);
		int cb = lua_gettop(L);
		if (c->kind[i] == CB_SCHEDULER) {
			lua_getfield(L, cb, "schedule");
			lua_pushinteger(L, epoch - 1);
			lua_pushnumber(L, *lr);
			if (call(L, 2, "LearningRateScheduler", err)) {
				lua_pop(L, 1);
				return WINIT_ERR_ARG;
			}
			int ok;
			double v = lua_tonumberx(L, -1, &ok);
			if (!ok || !(v > 0) || !isfinite(v)) {
				lua_pop(L, 2);
				return winit_error_set(err, WINIT_ERR_ARG, "LearningRateScheduler: the function must return a learning rate > 0 (epoch %d)",
				                       (int)epoch - 1);
			}
			*lr = v;
			lua_pop(L, 1);
		} else if (c->kind[i] == CB_TABLE && lua_getfield(L, cb, "on_epoch_begin") != LUA_TNIL) {
			lua_pushinteger(L, epoch - 1);
			if (call(L, 1, "on_epoch_begin", err)) {
				lua_pop(L, 1);
				return WINIT_ERR_ARG;
			}
			lua_pop(L, 1);
		} else if (c->kind[i] == CB_TABLE) {
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	return WINIT_OK;
}

static void push_logs(lua_State *L, const struct winit_epoch_stats *st, double lr)
{
	lua_createtable(L, 0, 5);
	for (int32_t k = 0; winit_monitor_name(k); k++) {
		if (k >= WINIT_MONITOR_VAL_LOSS && !st->has_val)
			break;
		lua_pushnumber(L, winit_monitor_value(st, k));
		lua_setfield(L, -2, winit_monitor_name(k));
	}
	lua_pushnumber(L, lr);
	lua_setfield(L, -2, "learning_rate");
}

static int hook_epoch_end(void *ctx, const struct winit_epoch_stats *st, int *stop,
                          struct winit_error *err)
{
	struct winit_lua_fit_callbacks *c = ctx;
	lua_State *L = c->L;
	for (int i = 0; i < c->n; i++) {
		lua_rawgeti(L, c->list, i + 1);
		int cb = lua_gettop(L);
		int rc = WINIT_OK;
		if (c->kind[i] == CB_EARLY) {
			/* Keras's EarlyStopping.on_epoch_end, the engine's (src/nn/early_stopping.c) */
			rc = winit_early_stopper_epoch_end(&c->early[i], st, c->m->trainer.model.params,
			                                   stop, err);
		} else if (c->kind[i] == CB_TABLE && lua_getfield(L, cb, "on_epoch_end") != LUA_TNIL) {
			lua_pushinteger(L, st->epoch - 1);
			push_logs(L, st, c->m->trainer.opt.spec.learning_rate);
			rc = call(L, 2, "on_epoch_end", err);
			if (!rc) {
				/* winit's extension: returning "stop" ends training, as Keras's
				 * self.model.stop_training = True does. */
				if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "stop") == 0)
					*stop = 1;
				lua_pop(L, 1);
			}
		} else if (c->kind[i] == CB_TABLE) {
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		if (rc)
			return rc;
	}
	return WINIT_OK;
}

static const char *const table_hooks[] = { "on_train_begin", "on_train_end", "on_epoch_begin",
	                                   "on_epoch_end", NULL };

int winit_lua_callbacks_init(lua_State *L, int list, struct lmodel *m,
                             struct winit_lua_fit_callbacks *c)
{
	memset(c, 0, sizeof *c);
	c->L = L;
	lua_newtable(L); /* keeps what the fit needs alive (best weights) until it ends */
	int keep = lua_gettop(L);
	c->m = m;
	c->hooks.ctx = c;
	c->hooks.epoch_begin = hook_epoch_begin;
	c->hooks.epoch_end = hook_epoch_end;
	if (lua_isnoneornil(L, list))
		return 0;
	c->list = lua_absindex(L, list);
	if (!lua_istable(L, c->list))
		return luaL_error(L, "fit: callbacks must be a list, e.g. {winit.callbacks.EarlyStopping{patience = 2}}");
	c->n = (int)lua_rawlen(L, c->list);
	if (c->n > WINIT_LUA_MAX_CALLBACKS)
		return luaL_error(L, "fit: at most %d callbacks", WINIT_LUA_MAX_CALLBACKS);
	for (int i = 0; i < c->n; i++) {
		lua_rawgeti(L, c->list, i + 1);
		if (!lua_istable(L, -1))
			return luaL_error(L, "fit: callbacks[%d] is not a callback (got %s)", i + 1,
			                  luaL_typename(L, -1));
		lua_rawgeti(L, -1, 1);
		const char *kind = lua_tostring(L, -1);
		if (kind && strcmp(kind, "EarlyStopping") == 0) {
			struct winit_early_stopping es;
			c->kind[i] = CB_EARLY;
			winit_lua_read_early_stopping(L, -2, &es);
			float *best = NULL; /* kept alive by `keep` until the fit ends */
			if (es.restore_best_weights) {
				winit_lua_model_ensure_built(L, m);
				best = lua_newuserdatauv(L, (size_t)m->trainer.model.n_params * sizeof(float), 0);
				lua_rawseti(L, keep, i + 1);
			}
			struct winit_error err = { 0 };
			if (winit_early_stopper_init(&c->early[i], &es, m->trainer.model.n_params, best, &err))
				return luaL_error(L, "fit: %s", err.msg);
		} else if (kind && strcmp(kind, "LearningRateScheduler") == 0) {
			c->kind[i] = CB_SCHEDULER;
			if (lua_getfield(L, -2, "schedule") != LUA_TFUNCTION)
				return luaL_error(L, "fit: callbacks[%d]: LearningRateScheduler needs a function", i + 1);
			lua_pop(L, 1);
		} else if (kind) {
			return luaL_error(L, "fit: callbacks[%d]: unknown callback '%s' (known: EarlyStopping, LearningRateScheduler, or a table of on_* functions)",
			                  i + 1, kind);
		} else {
			/* A plain table: its on_* fields must be ones winit calls. */
			c->kind[i] = CB_TABLE;
			lua_pushnil(L);
			while (lua_next(L, -3)) {
				lua_pop(L, 1);
				const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
				if (!k || strncmp(k, "on_", 3) != 0)
					continue;
				int known = 0;
				for (int h = 0; table_hooks[h]; h++)
					known |= strcmp(k, table_hooks[h]) == 0;
				if (!known)
					return luaL_error(L, "fit: callbacks[%d]: %s is not called by winit (known: on_train_begin, on_train_end, on_epoch_begin, on_epoch_end)",
					                  i + 1, k);
			}
		}
		lua_pop(L, 2);
	}
	return 0;
}

/* on_train_begin / on_train_end of the plain tables; raises on an error in them. */
void winit_lua_callbacks_train(struct winit_lua_fit_callbacks *c, const char *name)
{
	lua_State *L = c->L;
	for (int i = 0; i < c->n; i++) {
		if (c->kind[i] != CB_TABLE)
			continue;
		lua_rawgeti(L, c->list, i + 1);
		if (lua_getfield(L, -1, name) != LUA_TNIL) {
			lua_call(L, 0, 0);
			lua_pop(L, 1);
		} else {
			lua_pop(L, 2);
		}
	}
}

void winit_lua_open_callbacks(lua_State *L, int module_index)
{
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_early_stopping);
	lua_setfield(L, -2, "EarlyStopping");
	lua_pushcfunction(L, l_lr_scheduler);
	lua_setfield(L, -2, "LearningRateScheduler");
	lua_setfield(L, module_index, "callbacks");
}
