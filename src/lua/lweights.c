/* src/lua/lweights.c -- a model's layers and weights as Keras shows them: model.layers
 * (layer objects with .name, .class_name, Dense's .units, .activation, ..., :get_weights(),
 * :set_weights()), model:get_layer(name or index), and model:get_weights() /
 * model:set_weights(list), the arrays of the layers that have weights, in layer order, each
 * layer's in its declaration order (Dense: kernel, a table of rows (inputs, units) as
 * Keras's, then bias; a kernel is shown as the matrix the layer multiplies by, k_rows
 * rows of `units`); Flatten, Reshape, Add and Concatenate have none.  winit's
 * extension: model:get_weights(i) returns the arrays of the model's layer i (its spec's,
 * without the leading Flatten or InputLayer) as values.
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
	int index; /* 0 = the implicit Flatten or the InputLayer when the model shows one */
};

/* Whether model.layers starts with a layer the spec does not hold: Sequential's implicit
 * Flatten, a functional model's InputLayer. */
static int has_lead(const struct lmodel *m)
{
	return m->has_flatten || m->functional;
}

/* The spec's index of model.layers' entry `index` (0-based); -1: the leading one. */
static int spec_index(const struct lmodel *m, int index)
{
	return has_lead(m) ? index - 1 : index;
}

/* The arrays a layer instance holds: Dense's kernel and bias (when it has one), none for
 * the kinds without weights. */
static int n_arrays(const struct winit_layer *d)
{
	return d->w ? (d->b ? 2 : 1) : 0;
}

static void push_kernel(lua_State *L, const struct winit_layer *d)
{
	lua_createtable(L, (int)d->k_rows, 0);
	for (int64_t r = 0; r < d->k_rows; r++) {
		lua_createtable(L, (int)d->units, 0);
		for (int64_t c = 0; c < d->units; c++) {
			lua_pushnumber(L, d->w[r * d->units + c]);
			lua_rawseti(L, -2, c + 1);
		}
		lua_rawseti(L, -2, r + 1);
	}
}

static void push_bias(lua_State *L, const struct winit_layer *d)
{
	lua_createtable(L, (int)d->units, 0);
	for (int64_t c = 0; c < d->units; c++) {
		lua_pushnumber(L, d->b[c]);
		lua_rawseti(L, -2, c + 1);
	}
}

/* Append layer d's arrays (kernel, and bias when it has one; none without weights) to
 * the list at -1. */
static void append_layer_weights(lua_State *L, const struct winit_layer *d)
{
	if (!d->w)
		return;
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

/* Read layer d's arrays from list (absolute index) starting at *k into the copy `dst`
 * of the parameter block `base` (nothing for a layer without weights). */
static void read_layer_weights(lua_State *L, int list, lua_Integer *k, const struct winit_layer *d,
                               const float *base, float *dst, const char *name, const char *fn)
{
	char what[96];
	if (!d->w)
		return;
	lua_rawgeti(L, list, (*k)++);
	snprintf(what, sizeof what, "%s's kernel", name);
	check_len(L, -1, d->k_rows, fn, what, "rows");
	float *w = dst + (d->w - base);
	for (int64_t r = 0; r < d->k_rows; r++) {
		lua_rawgeti(L, -1, r + 1);
		snprintf(what, sizeof what, "%s's kernel row %d", name, (int)r + 1);
		check_len(L, -1, d->units, fn, what, "columns");
		for (int64_t c = 0; c < d->units; c++)
			w[r * d->units + c] = number_at(L, lua_gettop(L), c + 1, fn, what);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (!d->b)
		return;
	lua_rawgeti(L, list, (*k)++);
	snprintf(what, sizeof what, "%s's bias", name);
	check_len(L, -1, d->units, fn, what, "entries");
	float *b = dst + (d->b - base);
	for (int64_t c = 0; c < d->units; c++)
		b[c] = number_at(L, lua_gettop(L), c + 1, fn, what);
	lua_pop(L, 1);
}

/* Write the arrays of list (absolute index) into layers [first, last] of m, all or
 * nothing. */
static void set_weights(lua_State *L, struct lmodel *m, int list, int first, int last,
                        const char *fn)
{
	luaL_checktype(L, list, LUA_TTABLE);
	winit_lua_model_ensure_built(L, m);
	struct winit_model *model = &m->trainer.model;
	int64_t want = 0;
	for (int i = first; i <= last; i++)
		want += n_arrays(&model->layer[i]);
	if ((int64_t)lua_rawlen(L, list) != want)
		luaL_error(L, "%s: expected a list of %d array%s (each Dense layer's kernel, then its bias; "
		              "other kinds have none), got %d",
		           fn, (int)want, want == 1 ? "" : "s", (int)lua_rawlen(L, list));
	float *copy = lua_newuserdatauv(L, (size_t)model->n_params * sizeof(float), 0);
	memcpy(copy, model->params, (size_t)model->n_params * sizeof(float));
	lua_Integer k = 1;
	for (int i = first; i <= last; i++) {
		char name[48];
		winit_model_spec_layer_name(&m->spec, i, name, sizeof name);
		read_layer_weights(L, list, &k, &model->layer[i], model->params, copy, name, fn);
	}
	memcpy(model->params, copy, (size_t)model->n_params * sizeof(float));
	lua_pop(L, 1);
	/* Weights set by hand are the start: data-aware initializers must not redo them. */
	m->trainer.adapted = 1;
}

/* model:get_weights() -> {kernel, bias, kernel, bias, ...} (Keras);
 * model:get_weights(i) -> the arrays of the model's layer i (winit's extension: Dense's
 * kernel and bias, nothing for a layer without weights). */
int winit_lua_model_get_weights(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	if (!lua_isnoneornil(L, 2)) {
		lua_Integer li = luaL_checkinteger(L, 2);
		luaL_argcheck(L, li >= 1 && li <= m->spec.n_layers, 2, "layer index out of range");
		winit_lua_model_ensure_built(L, m);
		const struct winit_layer *d = &m->trainer.model.layer[li - 1];
		if (!d->w)
			return 0;
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
	int i = spec_index(m, l->index);
	if (i < 0)
		return 1; /* Flatten, InputLayer: {} as in Keras */
	winit_lua_model_ensure_built(L, m);
	append_layer_weights(L, &m->trainer.model.layer[i]);
	return 1;
}

/* The name of model.layers' entry `index` into buf. */
static const char *entry_name(const struct lmodel *m, int index, char *buf, size_t n)
{
	int i = spec_index(m, index);
	if (i >= 0)
		return winit_model_spec_layer_name(&m->spec, i, buf, n);
	snprintf(buf, n, "%s", m->lead_name[0] ? m->lead_name : m->functional ? "input_1" : "flatten");
	return buf;
}

static int layer_set_weights(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	int i = spec_index(m, l->index);
	if (i >= 0) {
		winit_lua_model_ensure_built(L, m);
		if (n_arrays(&m->trainer.model.layer[i]) > 0) {
			set_weights(L, m, 2, i, i, "set_weights");
			lua_settop(L, 1);
			return 1;
		}
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	if (lua_rawlen(L, 2) != 0) {
		char name[48];
		return luaL_error(L, "set_weights: %s has no weights; expected {}",
		                  entry_name(m, l->index, name, sizeof name));
	}
	lua_settop(L, 1);
	return 1;
}

static const char *entry_kind(const struct lmodel *m, int index)
{
	int i = spec_index(m, index);
	if (i >= 0)
		return winit_layer_kind_name(m->spec.layers[i].kind);
	return m->functional ? "InputLayer" : "Flatten";
}

static int layer_index(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	const char *k = luaL_checkstring(L, 2);
	int i = spec_index(m, l->index);
	const struct winit_layer_spec *s = i >= 0 ? &m->spec.layers[i] : NULL;
	const struct winit_layer_spec *dense = s && s->kind == WINIT_LAYER_DENSE ? s : NULL;
	if (strcmp(k, "get_weights") == 0)
		lua_pushcfunction(L, layer_get_weights);
	else if (strcmp(k, "set_weights") == 0)
		lua_pushcfunction(L, layer_set_weights);
	else if (strcmp(k, "name") == 0) {
		char name[48];
		lua_pushstring(L, entry_name(m, l->index, name, sizeof name));
	} else if (strcmp(k, "class_name") == 0)
		lua_pushstring(L, entry_kind(m, l->index));
	else if (dense && strcmp(k, "units") == 0)
		lua_pushinteger(L, dense->units);
	else if (dense && strcmp(k, "activation") == 0)
		lua_pushstring(L, dense->activation.info->name);
	else if (dense && strcmp(k, "kernel_initializer") == 0)
		lua_pushstring(L, dense->kernel_initializer.info->name);
	else if (dense && strcmp(k, "bias_initializer") == 0)
		lua_pushstring(L, dense->bias_initializer.info->name);
	else if (dense && strcmp(k, "use_bias") == 0)
		lua_pushboolean(L, dense->use_bias);
	else if (s && s->kind == WINIT_LAYER_CONCATENATE && strcmp(k, "axis") == 0)
		lua_pushinteger(L, s->axis);
	else if (s && s->kind == WINIT_LAYER_RESHAPE && strcmp(k, "target_shape") == 0) {
		lua_createtable(L, s->target_shape.rank, 0);
		for (int32_t a = 0; a < s->target_shape.rank; a++) {
			lua_pushinteger(L, s->target_shape.dim[a]);
			lua_rawseti(L, -2, a + 1);
		}
	} else
		lua_pushnil(L);
	return 1;
}

/* "Dense(dense_1: 128 units, relu)", "Add(add_1)", "InputLayer(input_1)" */
static int layer_tostring(lua_State *L)
{
	struct lmodel_layer *l;
	struct lmodel *m = layer_model(L, 1, &l);
	int i = spec_index(m, l->index);
	char name[48];
	entry_name(m, l->index, name, sizeof name);
	if (i >= 0 && m->spec.layers[i].kind == WINIT_LAYER_DENSE)
		lua_pushfstring(L, "Dense(%s: %d units, %s)", name, (int)m->spec.layers[i].units,
		                m->spec.layers[i].activation.info->name);
	else
		lua_pushfstring(L, "%s(%s)", entry_kind(m, l->index), name);
	return 1;
}

static void push_layer(lua_State *L, int model, int index)
{
	struct lmodel_layer *l = lua_newuserdatauv(L, sizeof *l, 1);
	l->index = index;
	luaL_setmetatable(L, MT_MODEL_LAYER);
	lua_pushvalue(L, model);
	lua_setiuservalue(L, -2, 1);
}

/* model:get_layer(name) or model:get_layer(i): the layer of that name, or model.layers[i]
 * (Keras's get_layer(name=) and get_layer(index=), the index counted from 1 as Lua's). */
int winit_lua_model_get_layer(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	int n = m->spec.n_layers + (has_lead(m) ? 1 : 0);
	if (lua_type(L, 2) == LUA_TNUMBER) {
		lua_Integer i = luaL_checkinteger(L, 2);
		if (i < 1 || i > n)
			return luaL_error(L, "get_layer: index %I is out of range: the model has %d layers", i, n);
		push_layer(L, 1, (int)i - 1);
		return 1;
	}
	if (lua_type(L, 2) != LUA_TSTRING)
		return luaL_error(L, "get_layer: expected a layer's name or its index, got %s",
		                  luaL_typename(L, 2));
	const char *want = lua_tostring(L, 2);
	char name[48];
	for (int i = 0; i < n; i++)
		if (strcmp(entry_name(m, i, name, sizeof name), want) == 0) {
			push_layer(L, 1, i);
			return 1;
		}
	return luaL_error(L, "get_layer: no layer is named '%s'", want);
}

/* model.layers: a fresh list each time, of layers that refer to the model. */
void winit_lua_push_model_layers(lua_State *L, int model)
{
	model = lua_absindex(L, model);
	struct lmodel *m = winit_lua_check_model(L, model);
	int n = m->spec.n_layers + (has_lead(m) ? 1 : 0);
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		push_layer(L, model, i);
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
