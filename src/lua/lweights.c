/* src/lua/lweights.c -- a model's layers and weights as Keras shows them: model.layers
 * (layer objects with .name, .class_name, Dense's .units, .activation, ..., Conv2D's
 * .filters, .kernel_size, ..., the other kinds' Keras attributes, :get_weights(),
 * :set_weights()), model:get_layer(name or index), and model:get_weights() /
 * model:set_weights(list), the arrays of the layers that have weights, in layer order, each
 * layer's in Keras's order as nested tables of Keras's shapes (Dense: kernel (inputs,
 * units), a kernel shown as the matrix the layer multiplies by, k_rows rows of `units`,
 * then bias; Conv2D: kernel (kh, kw, cin, filters), then bias; BatchNormalization: gamma,
 * beta, moving_mean, moving_variance; LayerNormalization: gamma, beta; Scale: alpha);
 * the shape-only kinds, the poolings and Dropout have none.  winit's extension:
 * model:get_weights(i) returns the arrays of the model's layer i (its spec's, without the
 * leading Flatten or InputLayer) as values.
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

/* The arrays a layer instance holds: its tensors (Dense's and Conv2D's kernel and bias,
 * BatchNormalization's gamma, beta, moving_mean and moving_variance, ...), none for the
 * kinds without weights. */
static int n_arrays(const struct winit_layer *d)
{
	int n = 0;
	while (n < WINIT_MAX_LAYER_TENSORS && d->t[n])
		n++;
	return n;
}

/* Tensor k of layer d (spec l) as Keras shows it: its name, and its dims (returns the
 * rank).  Dense's kernel (k_rows, units), Conv2D's (kh, kw, cin, filters) -- the engine
 * lays them out in that order -- their bias (units); the normalizations' vectors one
 * value per channel (the last axis); Scale's alpha one, or one per channel. */
static int tensor_dims(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
                       int64_t dims[4], const char **name)
{
	static const char *const bn[] = { "gamma", "beta", "moving_mean", "moving_variance" };
	int64_t channels = d->in_shape.rank ? d->in_shape.dim[d->in_shape.rank - 1] : 1;
	switch (l->kind) {
	case WINIT_LAYER_DENSE:
	case WINIT_LAYER_CONV2D:
		*name = k == 0 ? "kernel" : "bias";
		if (k > 0) {
			dims[0] = d->units;
			return 1;
		}
		if (l->kind == WINIT_LAYER_DENSE) {
			dims[0] = d->k_rows;
			dims[1] = d->units;
			return 2;
		}
		dims[0] = l->kernel_size[0];
		dims[1] = l->kernel_size[1];
		dims[2] = d->k_rows / ((int64_t)l->kernel_size[0] * l->kernel_size[1]);
		dims[3] = d->units;
		return 4;
	case WINIT_LAYER_BATCH_NORMALIZATION:
	case WINIT_LAYER_LAYER_NORMALIZATION:
		*name = bn[k];
		dims[0] = channels;
		return 1;
	case WINIT_LAYER_SCALE:
		*name = "alpha";
		dims[0] = l->per_channel ? channels : 1;
		return 1;
	default:
		*name = "weights";
		dims[0] = 0;
		return 1;
	}
}

/* The nested tables of `rank` dims from v (row-major), pushed. */
static void push_nested(lua_State *L, const float *v, const int64_t *dims, int rank)
{
	int64_t stride = 1;
	for (int r = 1; r < rank; r++)
		stride *= dims[r];
	lua_createtable(L, (int)dims[0], 0);
	for (int64_t i = 0; i < dims[0]; i++) {
		if (rank == 1)
			lua_pushnumber(L, v[i]);
		else
			push_nested(L, v + i * stride, dims + 1, rank - 1);
		lua_rawseti(L, -2, i + 1);
	}
}

/* Push tensor k of layer i as nested tables. */
static void push_tensor(lua_State *L, const struct lmodel *m, int i, int k)
{
	const struct winit_layer *d = &m->trainer.model.layer[i];
	int64_t dims[4];
	const char *name;
	int rank = tensor_dims(&m->spec.layers[i], d, k, dims, &name);
	push_nested(L, d->t[k], dims, rank);
}

/* Push layer i's arrays as values (returns how many). */
static int push_layer_arrays(lua_State *L, const struct lmodel *m, int i)
{
	int n = n_arrays(&m->trainer.model.layer[i]);
	luaL_checkstack(L, n, "get_weights");
	for (int k = 0; k < n; k++)
		push_tensor(L, m, i, k);
	return n;
}

/* Append layer i's arrays to the list at -1. */
static void append_layer_weights(lua_State *L, const struct lmodel *m, int i)
{
	int n = n_arrays(&m->trainer.model.layer[i]);
	for (int k = 0; k < n; k++) {
		push_tensor(L, m, i, k);
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

/* The nested tables at the top of the stack (dims[0 .. rank)) into dst (row-major); `what`
 * names them in errors ("dense_2's kernel", then "dense_2's kernel row 3" a level down, or
 * "conv2d_1's kernel[2][1]" in a 4-D kernel). */
static void read_nested(lua_State *L, float *dst, const int64_t *dims, int rank, int level,
                        const char *what, const char *fn)
{
	static const char *const units2[] = { "rows", "columns" };
	const char *unit = rank == 1 && level == 0 ? "entries" : level < 2 ? units2[level] : "entries";
	int t = lua_gettop(L);
	check_len(L, t, dims[0], fn, what, unit);
	if (rank == 1) {
		for (int64_t c = 0; c < dims[0]; c++)
			dst[c] = number_at(L, t, c + 1, fn, what);
		return;
	}
	int64_t stride = 1;
	for (int r = 1; r < rank; r++)
		stride *= dims[r];
	char sub[128];
	for (int64_t r = 0; r < dims[0]; r++) {
		if (level == 0 && rank + level == 2)
			snprintf(sub, sizeof sub, "%s row %d", what, (int)r + 1);
		else
			snprintf(sub, sizeof sub, "%s[%d]", what, (int)r + 1);
		lua_rawgeti(L, t, r + 1);
		read_nested(L, dst + r * stride, dims + 1, rank - 1, level + 1, sub, fn);
		lua_pop(L, 1);
	}
}

/* Read layer i's arrays from list (absolute index) starting at *k into the copy `dst`
 * of the parameter block `base` (nothing for a layer without weights). */
static void read_layer_weights(lua_State *L, int list, lua_Integer *k, const struct lmodel *m,
                               int i, const float *base, float *dst, const char *name,
                               const char *fn)
{
	const struct winit_layer *d = &m->trainer.model.layer[i];
	int n = n_arrays(d);
	for (int a = 0; a < n; a++) {
		int64_t dims[4];
		const char *tname;
		int rank = tensor_dims(&m->spec.layers[i], d, a, dims, &tname);
		char what[96];
		snprintf(what, sizeof what, "%s's %s", name, tname);
		lua_rawgeti(L, list, (*k)++);
		read_nested(L, dst + (d->t[a] - base), dims, rank, 0, what, fn);
		lua_pop(L, 1);
	}
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
		luaL_error(L, "%s: expected a list of %d array%s (each layer's in Keras's order: Dense's "
		              "and Conv2D's kernel, then bias; BatchNormalization's gamma, beta, "
		              "moving_mean, moving_variance; ...), got %d",
		           fn, (int)want, want == 1 ? "" : "s", (int)lua_rawlen(L, list));
	float *copy = lua_newuserdatauv(L, (size_t)model->n_params * sizeof(float), 0);
	memcpy(copy, model->params, (size_t)model->n_params * sizeof(float));
	lua_Integer k = 1;
	for (int i = first; i <= last; i++) {
		char name[48];
		winit_model_spec_layer_name(&m->spec, i, name, sizeof name);
		read_layer_weights(L, list, &k, m, i, model->params, copy, name, fn);
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
		return push_layer_arrays(L, m, (int)li - 1);
	}
	winit_lua_model_ensure_built(L, m);
	lua_newtable(L);
	for (int i = 0; i < m->spec.n_layers; i++)
		append_layer_weights(L, m, i);
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
	append_layer_weights(L, m, i);
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

static void push_pair(lua_State *L, const int32_t v[2])
{
	lua_createtable(L, 2, 0);
	lua_pushinteger(L, v[0]);
	lua_rawseti(L, -2, 1);
	lua_pushinteger(L, v[1]);
	lua_rawseti(L, -2, 2);
}

/* The image and normalization kinds' Keras attributes (conv.filters, pool.pool_size,
 * dropout.rate, bn.momentum, ...); 1 when key is one of s's kind, pushed. */
static int push_kind_attribute(lua_State *L, const struct winit_layer_spec *s, const char *k)
{
	static const char *const paddings[] = { "valid", "same", "circular" };
	int conv = s->kind == WINIT_LAYER_CONV2D;
	int pool = s->kind == WINIT_LAYER_MAX_POOLING2D || s->kind == WINIT_LAYER_AVERAGE_POOLING2D;
	int norm = s->kind == WINIT_LAYER_BATCH_NORMALIZATION ||
	           s->kind == WINIT_LAYER_LAYER_NORMALIZATION;
	if (conv && strcmp(k, "filters") == 0)
		lua_pushinteger(L, s->units);
	else if (conv && strcmp(k, "kernel_size") == 0)
		push_pair(L, s->kernel_size);
	else if (pool && strcmp(k, "pool_size") == 0)
		push_pair(L, s->kernel_size);
	else if ((conv || pool) && strcmp(k, "strides") == 0)
		push_pair(L, s->strides);
	else if (conv && strcmp(k, "dilation_rate") == 0)
		push_pair(L, s->dilation);
	else if ((conv || pool) && strcmp(k, "padding") == 0 && s->padding >= 0 && s->padding <= 2)
		lua_pushstring(L, paddings[s->padding]);
	else if (conv && strcmp(k, "activation") == 0)
		lua_pushstring(L, s->activation.info->name);
	else if (conv && strcmp(k, "kernel_initializer") == 0)
		lua_pushstring(L, s->kernel_initializer.info->name);
	else if (conv && strcmp(k, "bias_initializer") == 0)
		lua_pushstring(L, s->bias_initializer.info->name);
	else if (conv && strcmp(k, "use_bias") == 0)
		lua_pushboolean(L, s->use_bias);
	else if (s->kind == WINIT_LAYER_DROPOUT && strcmp(k, "rate") == 0)
		lua_pushnumber(L, s->rate);
	else if (s->kind == WINIT_LAYER_BATCH_NORMALIZATION && strcmp(k, "momentum") == 0)
		lua_pushnumber(L, s->momentum);
	else if (norm && strcmp(k, "epsilon") == 0)
		lua_pushnumber(L, s->epsilon);
	else if (norm && strcmp(k, "gamma_initializer") == 0)
		lua_pushstring(L, s->kernel_initializer.info->name);
	else if (norm && strcmp(k, "beta_initializer") == 0)
		lua_pushstring(L, s->bias_initializer.info->name);
	else if (s->kind == WINIT_LAYER_SCALE && strcmp(k, "initializer") == 0)
		lua_pushstring(L, s->kernel_initializer.info->name);
	else if (s->kind == WINIT_LAYER_SCALE && strcmp(k, "per_channel") == 0)
		lua_pushboolean(L, s->per_channel);
	else
		return 0;
	return 1;
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
	} else if (!s || !push_kind_attribute(L, s, k))
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
	else if (i >= 0 && m->spec.layers[i].kind == WINIT_LAYER_CONV2D)
		lua_pushfstring(L, "Conv2D(%s: %d filters %dx%d, %s)", name, (int)m->spec.layers[i].units,
		                (int)m->spec.layers[i].kernel_size[0], (int)m->spec.layers[i].kernel_size[1],
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
