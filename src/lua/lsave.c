/* src/lua/lsave.c -- saved models: model:save, model:save_weights, model:load_weights
 * and winit.models.load_model, over winit/model_io.h (docs/model-format.md). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* The weights exist from the first use on (as lmodel.c's methods do). */
static void build(lua_State *L, struct lmodel *m, const char *fn)
{
	struct winit_error err = { 0 };
	if (m->built)
		return;
	if (winit_trainer_init(&m->trainer, &m->spec, &m->opt_spec, m->seed, &err))
		luaL_error(L, "%s: %s", fn, err.msg);
	m->built = 1;
}

/* model:save(path [, {include_optimizer = true, overwrite = false}]): architecture,
 * weights and (unless include_optimizer is false) the optimizer's state.  overwrite:
 * replace a file at path that is not a saved model (winit/safe_write.h). */
int winit_lua_model_save(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	const char *path = winit_lua_check_path(L, 2);
	int with_opt = 1;
	if (!lua_isnoneornil(L, 3)) {
		static const char *const keys[] = { "include_optimizer", "overwrite", NULL };
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, "save", 0);
		with_opt = winit_lua_opt_bool(L, 3, "include_optimizer", 1, "save");
	}
	/* The format has no place for a schedule yet: refuse rather than save a model that
	 * would come back with only its initial rate. */
	if (m->schedule.kind != WINIT_LR_CONSTANT)
		return luaL_error(L, "save: the model's optimizer has a learning-rate schedule, which "
		                     "the model format does not record yet; save_weights keeps the "
		                     "weights, and compiling the reloaded model with the same "
		                     "schedule restores the rest");
	unsigned flags = winit_lua_write_flags(L, lua_istable(L, 3) ? 3 : 0, "save");
	build(L, m, "save");
	struct winit_error err = { 0 };
	uint32_t what = WINIT_MODEL_ARCHITECTURE | (with_opt ? WINIT_MODEL_OPTIMIZER : 0);
	if (winit_model_save_ext(path, &m->trainer, what, flags, &err))
		return luaL_error(L, "save: %s", err.msg);
	return 0;
}

/* model:save_weights(path [, {overwrite = false}]): the weights alone. */
int winit_lua_model_save_weights(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	const char *path = winit_lua_check_path(L, 2);
	if (!lua_isnoneornil(L, 3)) {
		static const char *const keys[] = { "overwrite", NULL };
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, "save_weights", 0);
	}
	unsigned flags = winit_lua_write_flags(L, lua_istable(L, 3) ? 3 : 0, "save_weights");
	build(L, m, "save_weights");
	struct winit_error err = { 0 };
	if (winit_model_save_ext(path, &m->trainer, 0, flags, &err))
		return luaL_error(L, "save_weights: %s", err.msg);
	return 0;
}

/* model:load_weights(path): weights from a file of a model with the same layer shapes
 * (saved by save or save_weights); on error the model keeps its weights. */
int winit_lua_model_load_weights(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	const char *path = winit_lua_check_path(L, 2);
	build(L, m, "load_weights");
	struct winit_error err = { 0 };
	if (winit_model_load_weights(path, &m->trainer, &err))
		return luaL_error(L, "load_weights: %s", err.msg);
	lua_settop(L, 1);
	return 1;
}

/* winit.models.load_model(path) -> a compiled model with the file's weights (and its
 * optimizer's state when saved with it). */
static int l_load_model(lua_State *L)
{
	const char *path = winit_lua_check_path(L, 1);
	struct winit_registry *reg = winit_lua_registry(L);
	struct lmodel *m = lua_newuserdatauv(L, sizeof *m, 0);
	memset(m, 0, sizeof *m);
	struct winit_error err = { 0 };
	uint32_t what = 0;
	if (winit_model_load(path, reg, &m->trainer, &what, &err))
		return luaL_error(L, "load_model: %s", err.msg);
	m->built = 1;
	luaL_setmetatable(L, MT_MODEL); /* now its __gc frees the trainer and the spec */
	if (winit_model_spec_copy(&m->spec, &m->trainer.model.spec, &err))
		return luaL_error(L, "load_model: %s", err.msg);
	m->opt_spec = m->trainer.opt.spec;
	m->seed = m->trainer.seed;
	m->compiled = 1;
	/* Sequential's specs are chains of nodes fed by the one before (a leading Flatten
	 * implicit in them); any other is shown as a functional model, its InputLayer first. */
	if (winit_lua_spec_is_sequential(&m->spec)) {
		m->has_flatten = m->spec.n_input_dims > 1 && m->spec.layers[0].n_in == 0;
		snprintf(m->lead_name, sizeof m->lead_name, "flatten");
	} else {
		m->functional = 1;
		snprintf(m->lead_name, sizeof m->lead_name, "input_1");
	}
	return 1;
}

void winit_lua_open_save(lua_State *L, int module_index)
{
	/* winit.models.load_model (the Model's save methods are in lmodel.c's table). */
	lua_newtable(L);
	lua_pushcfunction(L, l_load_model);
	lua_setfield(L, -2, "load_model");
	lua_setfield(L, module_index, "models");
}
