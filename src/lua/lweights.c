/* src/lua/lweights.c -- a model's layers and weights as Keras shows them: model.layers
 * (layer objects with .name, .units, .activation, :get_weights(), :set_weights()), and
 * model:get_weights() / model:set_weights(list), a list of kernel, bias, kernel, bias ...
 * as tables (a kernel is a table of rows, (inputs, units), as Keras's).  winit's extension:
 * model:get_weights(i) returns layer i's kernel and bias as two values.
 *
 * set_weights checks every array against the model before it writes anything, so a wrong
 * list leaves the weights as they were. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* A layer of a model: the model (user value 1) and the index in model.layers. */
struct lmodel_layer {
	int index; /* 0 = the Flatten layer when the model has one; Dense layers follow */
};

static int dense_index(const struct lmodel *m, int index)
{
	return m->has_flatten ? index - 1 : index; /* -1: the Flatten layer */
}

static void push_kernel(lua_State *L, const struct winit_layer *d)
{
	lua_createtable(L, (int)d->n_in, 0);
	for (int64_t r = 0; r < d->n_in; r++) {
		lua_createtable(L, (int)d->n_out, 0);
		for (int64_t c = 0; c < d->n_out; c++) {
			lua_pushnumber(L, d->w[r * d->n_out + c]);
			lua_rawseti(L, -2, c + 1);
		}
		lua_rawseti(L, -2, r + 1);
	}
}

static void push_bias(lua_State *L, const struct winit_layer *d)
{
	lua_createtable(L, (int)d->n_out, 0);
	for (int64_t c = 0; c < d->n_out; c++) {
		lua_pushnumber(L, d->b[c]);
		lua_rawseti(L, -2, c + 1);
	}
}

/* Append Dense layer i's arrays (kernel, and bias when it has one) to the list at -1. */
static void append_layer_weights(lua_State *L, const struct winit_layer *d)
{
	push_kernel(L, d);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	if (d->b) {
		push_bias(L, d);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	}
}

/* The number at t[i] as a float; raises naming the array when it is not a number. */
static float number_at(lua_State *L, int t, lua_Integer i, const char *fn, const char *what)
{
	lua_rawgeti(L, t, i);
	int ok;
	lua_Number v = lua_tonumberx(L, -1, &ok);
	if (!ok)
		luaL_error(L, "%s: %s[%d] must be a number, got %s", fn, what, (int)i,
		           luaL_typename(L, -1));
	lua_pop(L, 1);
	return (float)v;
}

static void check_len(lua_State *L, int t, int64_t want, const char *fn, const char *what,
                      const char *unit)
{
	if (!lua_istable(L, t))
		luaL_error(L, "%s: %s must be a table, got %s", fn, what, luaL_typename(L, t));
	if ((int64_t)lua_rawlen(L, t) != want)
		luaL_error(L, "%s: %s has %d %s; expected %d", fn, what, (int)lua_rawlen(L, t), unit,
		           (int)want);
}

/* Read Dense layer d's arrays from list (absolute index) starting at *k into the copy
 * `dst` of the parameter block `base`. */
static void read_layer_weights(lua_State *L, int list, lua_Integer *k, const struct winit_layer *d,
                               const float *base, float *dst, const char *name, const char *fn)
{
	char what[96];
	lua_rawgeti(L, list, (*k)++);
	snprintf(what, sizeof what, "%s's kernel", name);
	check_len(L, -1, d->n_in, fn, what, "rows");
	float *w = dst + (d->w - base);
	for (int64_t r = 0; r < d->n_in; r++) {
		lua_rawgeti(L, -1, r + 1);
		snprintf(what, sizeof what, "%s's kernel row %d", name, (int)r + 1);
		check_len(L, -1, d->n_out, fn, what, "columns");
		for (int64_t c = 0; c < d->n_out; c++)
			w[r * d->n_out + c] = number_at(L, lua_gettop(L), c + 1, fn, what);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (!d->b)
		return;
	lua_rawgeti(L, list, (*k)++);
	snprintf(what, sizeof what, "%s's bias", name);
	check_len(L, -1, d->n_out, fn, what, "entries");
	float *b = dst + (d->b - base);
	for (int64_t c = 0; c < d->n_out; c++)
		b[c] = number_at(L, lua_gettop(L), c + 1, fn, what);
	lua_pop(L, 1);
}

static void dense_name(char *buf, size_t size, int i)
{
	snprintf(buf, size, "dense_%d", i + 1);
}

/* Write the arrays of list (absolute index) into Dense layers [first, last] of m, all or
 * nothing. */
static void set_weights(lua_State *L, struct lmodel *m, int list, int first, int last,
                        const char *fn)
{
	luaL_checktype(L, list, LUA_TTABLE);
	winit_lua_model_ensure_built(L, m);
	struct winit_model *model = &m->trainer.model;
	int64_t want = 0;
	for (int i = first; i <= last; i++)
		want += model->layer[i].b ? 2 : 1;
	if ((int64_t)lua_rawlen(L, list) != want)
		luaL_error(L, "%s: expected a list of %d array%s (each Dense layer's kernel, then its bias), got %d",
		           fn, (int)want, want == 1 ? "" : "s", (int)lua_rawlen(L, list));
	float *copy = lua_newuserdatauv(L, (size_t)model->n_params * sizeof(float), 0);
	memcpy(copy, model->params, (size_t)model->n_params * sizeof(float));
	lua_Integer k = 1;
	for (int i = first; i <= last; i++) {
		char name[32];
		dense_name(name, sizeof name, i);
		read_layer_weights(L, list, &k, &model->layer[i], model->params, copy, name, fn);
	}
	memcpy(model->params, copy, (size_t)model->n_params * sizeof(float));
	lua_pop(L, 1);
	/* Weights set by hand are the start: data-aware initializers must not redo them. */
	m->trainer.adapted = 1;
}

/* model:get_weights() -> {kernel, bias, kernel, bias, ...} (Keras);
 * model:get_weights(i) -> kernel, bias of Dense layer i (winit's extension). */
int winit_lua_model_get_weights(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	if (!lua_isnoneornil(L, 2)) {
		lua_Integer li = luaL_checkinteger(L, 2);
		luaL_argcheck(L, li >= 1 && li <= m->spec.n_layers, 2, "layer index out of range");
		winit_lua_model_ensure_built(L, m);
		const struct winit_layer *d = &m->trainer.model.layer[li - 1];
		push_kernel(L, d);
		if (!d->b)
			return 1;
		push_bias(L, d);
		return 2;
	}
	winit_lua_model_ensure_built(L, m);
	lua_newtable(L);
	for (int i = 0; i < m->spec.n_layers; i++)
		append_layer_weights(L, &m->trainer.model.layer[i]);
	return 1;
}

/* model:set_weights({kernel, bias, ...}) -> model */
int winit_lua_model_set_weights(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	set_weights(L, m, 2, 0, m->spec.n_layers - 1, "set_weights");
	lua_settop(L, 1);
	return 1;
}

/* ---------------------------------------------------------------- model.layers */

static struct lmodel *layer_model(lua_State *L, int idx, struct lmodel_layer **out)
{
	*out = luaL_checkudata(L, idx, MT_MODEL_LAYER);
	lua_getiuservalue(L, idx, 1);
	struct lmodel *m = winit_lua_check_model(L, -1);
	lua_pop(L, 1); /* the layer's user value keeps the model alive */
	return m;
}

static int layer_get_weights(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	lua_newtable(L);
	int i = dense_index(m, l->index);
	if (i < 0)
		return 1; /* Flatten has no weights: {} as in Keras */
	winit_lua_model_ensure_built(L, m);
	append_layer_weights(L, &m->trainer.model.layer[i]);
	return 1;
}

static int layer_set_weights(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	int i = dense_index(m, l->index);
	if (i < 0) {
		luaL_checktype(L, 2, LUA_TTABLE);
		if (lua_rawlen(L, 2) != 0)
			return luaL_error(L, "set_weights: flatten has no weights; expected {}");
	} else {
		set_weights(L, m, 2, i, i, "set_weights");
	}
	lua_settop(L, 1);
	return 1;
}

static int layer_index(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	const char *k = luaL_checkstring(L, 2);
	int i = dense_index(m, l->index);
	const struct winit_layer_spec *s = i >= 0 ? &m->spec.layers[i] : NULL;
	if (strcmp(k, "get_weights") == 0)
		lua_pushcfunction(L, layer_get_weights);
	else if (strcmp(k, "set_weights") == 0)
		lua_pushcfunction(L, layer_set_weights);
	else if (strcmp(k, "name") == 0) {
		char name[32];
		if (s)
			dense_name(name, sizeof name, i);
		lua_pushstring(L, s ? name : "flatten");
	} else if (strcmp(k, "class_name") == 0)
		lua_pushstring(L, s ? "Dense" : "Flatten");
	else if (s && strcmp(k, "units") == 0)
		lua_pushinteger(L, s->units);
	else if (s && strcmp(k, "activation") == 0)
		lua_pushstring(L, s->activation.info->name);
	else if (s && strcmp(k, "kernel_initializer") == 0)
		lua_pushstring(L, s->kernel_initializer.info->name);
	else if (s && strcmp(k, "bias_initializer") == 0)
		lua_pushstring(L, s->bias_initializer.info->name);
	else if (s && strcmp(k, "use_bias") == 0)
		lua_pushboolean(L, s->use_bias);
	else
		lua_pushnil(L);
	return 1;
}

static int layer_tostring(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	int i = dense_index(m, l->index);
	if (i < 0)
		lua_pushliteral(L, "Flatten(flatten)");
	else
		lua_pushfstring(L, "Dense(dense_%d: %d units, %s)", i + 1, (int)m->spec.layers[i].units,
		                m->spec.layers[i].activation.info->name);
	return 1;
}

/* model.layers: a fresh list each time, of layers that refer to the model. */
void winit_lua_push_model_layers(lua_State *L, int model)
{
	model = lua_absindex(L, model);
	struct lmodel *m = winit_lua_check_model(L, model);
	int n = m->spec.n_layers + (m->has_flatten ? 1 : 0);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		struct lmodel_layer *l = lua_newuserdatauv(L, sizeof *l, 1);
		l->index = i;
		luaL_setmetatable(L, MT_MODEL_LAYER);
		lua_pushvalue(L, model);
		lua_setiuservalue(L, -2, 1);
		lua_rawseti(L, -2, i + 1);
	}
}

void winit_lua_open_weights(lua_State *L)
{
	static const luaL_Reg meta[] = {
		{ "__index", layer_index },
		{ "__tostring", layer_tostring },
		{ NULL, NULL }
	};
	luaL_newmetatable(L, MT_MODEL_LAYER);
	luaL_setfuncs(L, meta, 0);
	lua_pop(L, 1);
}
