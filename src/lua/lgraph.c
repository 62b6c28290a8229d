/* src/lua/lgraph.c -- Keras's functional API: winit.Input{shape = ...} makes a symbolic
 * tensor, calling a layer object on tensors makes its output tensor (the shape inferred
 * by the engine's winit_layer_spec_infer, a mistake refused at the script line that makes
 * it), and winit.Model{inputs = x, outputs = y} turns the layers the output depends on
 * into a spec of graph nodes (winit_model_spec_add_node), the same model userdata
 * Sequential returns.
 *
 * A tensor (MT_TENSOR) holds its shape, the layer that made it (a copy of its spec, its
 * name) and the order of the call in the state; its user values are the list of its
 * input tensors and the Input it descends from.  The call order is a topological order
 * of any graph built from it, which Model keeps. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* Registry keys of the state's counters: tensors made (the call order) and Inputs made
 * (their default names input_1, input_2, ... as Keras numbers them in a session). */
#define KEY_TENSOR_SEQ "winit.graph.seq"
#define KEY_INPUT_COUNT "winit.graph.inputs"

/* User values of a tensor. */
enum { UV_INPUTS = 1, /* the list of its input tensors (nil for an Input) */
       UV_ROOT = 2 }; /* the Input it descends from (nil for an Input: itself) */

struct ltensor {
	struct winit_shape shape;
	lua_Integer seq;                                /* call order in the state */
	int is_input;                                   /* made by winit.Input */
	struct winit_layer_spec spec;                   /* the layer that made it (resolved) */
	char name[48];                                  /* that layer's name, or the Input's */
	int named;                                      /* given by the script */
	/* An Input: how many layers of each kind were called on its descendants (their
	 * default names, as a model of them numbers them). */
	int32_t counts[WINIT_LAYER_KINDS];
};

static lua_Integer next_count(lua_State *L, const char *key)
{
	lua_getfield(L, LUA_REGISTRYINDEX, key);
	lua_Integer n = lua_tointeger(L, -1) + 1;
	lua_pop(L, 1);
	lua_pushinteger(L, n);
	lua_setfield(L, LUA_REGISTRYINDEX, key);
	return n;
}

static struct ltensor *new_tensor(lua_State *L)
{
	struct ltensor *t = lua_newuserdatauv(L, sizeof *t, 2);
	memset(t, 0, sizeof *t);
	luaL_setmetatable(L, MT_TENSOR);
	t->seq = next_count(L, KEY_TENSOR_SEQ);
	return t;
}

/* The Input tensor the tensor at idx descends from (pushed) and its struct. */
static struct ltensor *push_root(lua_State *L, int idx)
{
	struct ltensor *t = luaL_checkudata(L, idx, MT_TENSOR);
	if (t->is_input) {
		lua_pushvalue(L, idx);
		return t;
	}
	lua_getiuservalue(L, idx, UV_ROOT);
	return lua_touserdata(L, -1);
}

/* winit.Input{shape = {28, 28}, name = ...} (also winit.layers.Input): Keras's
 * keras.Input(shape=...), one example's shape without the batch axis. */
int winit_lua_input(lua_State *L)
{
	static const char *const keys[] = { "shape", "name", NULL };
	if (lua_gettop(L) != 1 || !lua_istable(L, 1))
		return luaL_error(L, "Input: takes one table, e.g. winit.Input{shape = {28, 28}}");
	winit_lua_check_keys(L, 1, keys, "Input", 0);
	if (lua_getfield(L, 1, "shape") != LUA_TTABLE)
		return luaL_error(L, "Input: shape must be a table of 1 to %d positive integers, e.g. "
		                     "{28, 28} (got %s)",
		                  WINIT_MAX_RANK, luaL_typename(L, -1));
	int n = (int)luaL_len(L, -1);
	if (n < 1 || n > WINIT_MAX_RANK)
		return luaL_error(L, "Input: shape must have 1 to %d dimensions (got %d)", WINIT_MAX_RANK, n);
	int64_t dims[WINIT_MAX_RANK];
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		int ok = 0;
		lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || v < 1 || v > INT32_MAX)
			return luaL_error(L, "Input: shape[%d] must be a positive integer", i + 1);
		dims[i] = v;
		lua_pop(L, 1);
	}
	struct winit_shape shape;
	if (winit_shape_set(&shape, n, dims))
		return luaL_error(L, "Input: shape has more than %d values per sample", INT32_MAX);
	char name[48] = "";
	if (lua_getfield(L, 1, "name") != LUA_TNIL)
		winit_lua_check_layer_name(L, -1, name, "Input");
	struct ltensor *t = new_tensor(L);
	t->is_input = 1;
	t->shape = shape;
	t->named = name[0] != '\0';
	if (t->named)
		memcpy(t->name, name, sizeof name);
	else
		snprintf(t->name, sizeof t->name, "input_%lld", (long long)next_count(L, KEY_INPUT_COUNT));
	return 1;
}

int winit_lua_input_shape(lua_State *L, int idx, struct winit_shape *shape)
{
	const struct ltensor *t = luaL_testudata(L, idx, MT_TENSOR);
	if (!t || !t->is_input)
		return 0;
	*shape = t->shape;
	return 1;
}

/* "Dense 'dense_2'" */
static const char *layer_what(const struct winit_layer_spec *l, const char *name, char *buf,
                              size_t n)
{
	snprintf(buf, n, "%s '%s'", winit_layer_kind_name(l->kind), name);
	return buf;
}

/* The tensor at idx, or raise saying what the argument is instead (a layer not called on a
 * tensor is the common mistake). */
static struct ltensor *arg_tensor(lua_State *L, int idx, const char *what, const char *fn)
{
	struct ltensor *t = luaL_testudata(L, idx, MT_TENSOR);
	if (t)
		return t;
	struct llayer *l = luaL_testudata(L, idx, MT_LAYER);
	if (l)
		luaL_error(L, "%s: %s is a layer (%s), not a tensor: a layer has an output only once "
		              "it is called on a tensor, e.g. h = layer(x)",
		           fn, what, winit_layer_kind_name(l->spec.kind));
	luaL_error(L, "%s: %s must be a tensor (from winit.Input or a layer's call), got %s", fn, what,
	           luaL_typename(L, idx));
	return NULL;
}

/* layer(x), layer({a, b}): the layer's output tensor.  Refused at the script line: a
 * layer called a second time, arguments that are not tensors, tensors from different
 * Inputs, shapes the layer cannot take (both shapes named). */
int winit_lua_layer_call(lua_State *L)
{
	struct llayer *l = luaL_checkudata(L, 1, MT_LAYER);
	const char *kind = winit_layer_kind_name(l->spec.kind);
	char fn[96], what[96];
	snprintf(fn, sizeof fn, "%s%s%s%s", kind, l->spec.name[0] ? " '" : "", l->spec.name,
	         l->spec.name[0] ? "'" : "");
	if (lua_gettop(L) != 2)
		return luaL_error(L, "%s: is called on one tensor or a list of tensors (got %d arguments)",
		                  fn, lua_gettop(L) - 1);
	if (l->called)
		return luaL_error(L, "%s '%s': this layer was already called (at %s); Keras would share "
		                     "its weights between the calls, winit does not share layers: make "
		                     "another layer",
		                  kind, l->called_name, l->called_at);
	/* The inputs, as a list at index 3. */
	if (lua_istable(L, 2)) {
		lua_pushvalue(L, 2);
	} else {
		arg_tensor(L, 2, "its input", fn);
		lua_createtable(L, 1, 0);
		lua_pushvalue(L, 2);
		lua_rawseti(L, -2, 1);
	}
	int list = lua_gettop(L);
	lua_Integer n = luaL_len(L, list);
	if (n < 1 || n > 1024)
		return luaL_error(L, "%s: needs 1 to 1024 input tensors (got %d)", fn, (int)n);
	struct winit_shape *in = lua_newuserdatauv(L, (size_t)n * sizeof *in, 0);
	struct ltensor *root = NULL;
	int root_idx = 0;
	for (lua_Integer k = 1; k <= n; k++) {
		lua_rawgeti(L, list, k);
		snprintf(what, sizeof what, "input %d", (int)k);
		struct ltensor *t = arg_tensor(L, -1, what, fn);
		in[k - 1] = t->shape;
		struct ltensor *r = push_root(L, -1);
		if (!root) {
			root = r;
			root_idx = lua_gettop(L); /* kept on the stack */
		} else {
			if (r != root)
				return luaL_error(L, "%s: its inputs come from different Inputs (%s and %s): "
				                     "winit models have one input, for now",
				                  fn, root->name, r->name);
			lua_pop(L, 2);
		}
	}
	struct winit_layer_spec spec;
	winit_lua_layer_resolve(L, l, &in[0], &spec, fn);
	struct winit_shape out;
	struct winit_error err = { 0 };
	char name[48];
	if (spec.name[0])
		snprintf(name, sizeof name, "%s", spec.name);
	else
		snprintf(name, sizeof name, "%s_%d", winit_layer_kind_prefix(spec.kind),
		         (int)root->counts[spec.kind] + 1);
	if (n == 1 && (spec.kind == WINIT_LAYER_ADD || spec.kind == WINIT_LAYER_CONCATENATE))
		return luaL_error(L, "%s: %s needs several inputs, a list of tensors, e.g. %s{}({a, b})",
		                  layer_what(&spec, name, what, sizeof what), kind, kind);
	if (winit_layer_spec_infer(&spec, in, (int32_t)n, &out, &err))
		return luaL_error(L, "%s: %s", layer_what(&spec, name, what, sizeof what), err.msg);
	root->counts[spec.kind]++;
	struct ltensor *t = new_tensor(L);
	t->shape = out;
	t->spec = spec;
	memcpy(t->name, name, sizeof name);
	t->named = spec.name[0] != '\0';
	lua_pushvalue(L, list);
	lua_setiuservalue(L, -2, UV_INPUTS);
	lua_pushvalue(L, root_idx);
	lua_setiuservalue(L, -2, UV_ROOT);
	l->called = 1;
	memcpy(l->called_name, name, sizeof name);
	luaL_where(L, 1);
	snprintf(l->called_at, sizeof l->called_at, "%s", lua_tostring(L, -1));
	size_t len = strlen(l->called_at); /* "file:line: " without its colon */
	while (len > 0 && (l->called_at[len - 1] == ':' || l->called_at[len - 1] == ' '))
		l->called_at[--len] = '\0';
	lua_pop(L, 1);
	return 1;
}

/* tostring(x): <tensor (None, 28, 28) from input_1> */
static int tensor_tostring(lua_State *L)
{
	const struct ltensor *t = luaL_checkudata(L, 1, MT_TENSOR);
	char s[96];
	lua_pushfstring(L, "<tensor %s from %s>", winit_shape_format(&t->shape, s, sizeof s), t->name);
	return 1;
}

/* x.shape: one example's shape, the batch axis left out ({28, 28}); x.name: the name of the
 * layer (or Input) that made it. */
static int tensor_index(lua_State *L)
{
	const struct ltensor *t = luaL_checkudata(L, 1, MT_TENSOR);
	const char *k = lua_tostring(L, 2);
	if (k && strcmp(k, "shape") == 0) {
		lua_createtable(L, t->shape.rank, 0);
		for (int32_t i = 0; i < t->shape.rank; i++) {
			lua_pushinteger(L, t->shape.dim[i]);
			lua_rawseti(L, -2, i + 1);
		}
	} else if (k && strcmp(k, "name") == 0) {
		lua_pushstring(L, t->name);
	} else {
		lua_pushnil(L);
	}
	return 1;
}

int winit_lua_spec_is_sequential(const struct winit_model_spec *spec)
{
	for (int32_t i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		/* Sequential's first layer may read the input in its shape (Conv2D first) */
		if (i == 0 && l->n_in == 1 && spec->inputs[l->in_off] == WINIT_MODEL_INPUT)
			continue;
		if (l->n_in != 0)
			return 0;
	}
	return 1;
}

void winit_lua_check_names(lua_State *L, const struct winit_model_spec *spec, const char *lead,
                           const char *lead_kind, const char *fn)
{
	/* name -> its layer's index (0: the lead), in a table: linear in the layers, as deep
	 * models need. */
	lua_createtable(L, 0, spec->n_layers + 1);
	int seen = lua_gettop(L);
	if (lead) {
		lua_pushinteger(L, 0);
		lua_setfield(L, seen, lead);
	}
	char a[48];
	for (int32_t i = 0; i < spec->n_layers; i++) {
		winit_model_spec_layer_name(spec, i, a, sizeof a);
		if (lua_getfield(L, seen, a) != LUA_TNIL) {
			lua_Integer j = lua_tointeger(L, -1);
			if (j == 0)
				luaL_error(L, "%s: two layers are named '%s', the %s and layer %d (%s): Keras "
				              "requires unique names in a model",
				           fn, a, lead_kind, (int)i + 1, winit_layer_kind_name(spec->layers[i].kind));
			luaL_error(L, "%s: two layers are named '%s', layer %d (%s) and layer %d (%s): Keras "
			              "requires unique names in a model",
			           fn, a, (int)j, winit_layer_kind_name(spec->layers[j - 1].kind), (int)i + 1,
			           winit_layer_kind_name(spec->layers[i].kind));
		}
		lua_pop(L, 1);
		lua_pushinteger(L, i + 1);
		lua_setfield(L, seen, a);
	}
	lua_pop(L, 1);
}

/* The one tensor of a Model's inputs or outputs (a tensor, or a list of one), pushed. */
static struct ltensor *one_tensor(lua_State *L, int t, const char *key)
{
	int ty = lua_getfield(L, t, key);
	if (ty == LUA_TNIL)
		luaL_error(L, "Model: %s is missing, e.g. winit.Model{inputs = x, outputs = y}", key);
	if (ty == LUA_TTABLE) {
		lua_Integer n = luaL_len(L, -1);
		if (n != 1)
			luaL_error(L, "Model: %s has %d tensors: winit models have one input and one output, "
			              "for now",
			           key, (int)n);
		lua_rawgeti(L, -1, 1);
		lua_remove(L, -2);
	}
	return arg_tensor(L, -1, key, "Model");
}

/* A layer of a model being built: its tensor and where the list of nodes holds it. */
struct node {
	const struct ltensor *t;
	lua_Integer slot;
};

static int by_seq(const void *a, const void *b)
{
	lua_Integer x = ((const struct node *)a)->t->seq, y = ((const struct node *)b)->t->seq;
	return (x > y) - (x < y);
}

/* winit.Model{inputs = x, outputs = y}: the layers y depends on, in the order they were
 * called, as graph nodes fed by x.  Returns the model userdata Sequential returns. */
/* The layers tensor `out` (a stack index) depends on, by a walk back through their
 * inputs: pushes seen (tensor -> true) and nodes (a list of the tensors); returns how many. */
static lua_Integer collect_layers(lua_State *L, int out, int *seen, int *nodes)
{
	lua_newtable(L);
	*seen = lua_gettop(L);
	lua_newtable(L);
	*nodes = lua_gettop(L);
	lua_Integer n_nodes = 0;
	lua_newtable(L); /* the stack of tensors to visit */
	int todo = lua_gettop(L);
	lua_Integer top = 0;
	lua_pushvalue(L, out);
	lua_rawseti(L, todo, ++top);
	while (top > 0) {
		lua_rawgeti(L, todo, top);
		lua_pushnil(L);
		lua_rawseti(L, todo, top--);
		struct ltensor *t = lua_touserdata(L, -1);
		lua_pushvalue(L, -1);
		if (t->is_input || lua_rawget(L, *seen) != LUA_TNIL) {
			lua_pop(L, 2);
			continue;
		}
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_pushboolean(L, 1);
		lua_rawset(L, *seen);
		lua_pushvalue(L, -1);
		lua_rawseti(L, *nodes, ++n_nodes);
		lua_getiuservalue(L, -1, UV_INPUTS);
		for (lua_Integer k = 1, n = luaL_len(L, -1); k <= n; k++) {
			lua_rawgeti(L, -1, k);
			lua_rawseti(L, todo, ++top);
		}
		lua_pop(L, 2);
	}
	lua_pop(L, 1); /* todo */
	return n_nodes;
}

/* The n collected layers in call order (a topological order, the output last), pushed as
 * a userdata; seen[tensor] becomes its index in that order. */
static struct node *order_layers(lua_State *L, int seen, int nodes, lua_Integer n)
{
	struct node *order = lua_newuserdatauv(L, (size_t)n * sizeof *order, 0);
	for (lua_Integer k = 1; k <= n; k++) {
		lua_rawgeti(L, nodes, k);
		order[k - 1].t = lua_touserdata(L, -1);
		order[k - 1].slot = k;
		lua_pop(L, 1);
	}
	qsort(order, (size_t)n, sizeof *order, by_seq);
	for (lua_Integer k = 0; k < n; k++) {
		lua_rawgeti(L, nodes, order[k].slot);
		lua_pushinteger(L, k);
		lua_rawset(L, seen);
	}
	return order;
}

/* The layers, in order, as m's spec's nodes, each with the names the script saw. */
static void add_layers(lua_State *L, struct lmodel *m, const struct node *order, lua_Integer n_nodes,
                       int seen, int nodes)
{
	for (lua_Integer k = 0; k < n_nodes; k++) {
		const struct ltensor *t = order[k].t;
		lua_rawgeti(L, nodes, order[k].slot);
		lua_getiuservalue(L, -1, UV_INPUTS);
		lua_Integer n_in = luaL_len(L, -1);
		int32_t *in = lua_newuserdatauv(L, (size_t)n_in * sizeof *in, 0);
		for (lua_Integer e = 1; e <= n_in; e++) {
			lua_rawgeti(L, -2, e);
			const struct ltensor *s = lua_touserdata(L, -1);
			if (s->is_input) {
				in[e - 1] = WINIT_MODEL_INPUT;
			} else {
				lua_rawget(L, seen);
				in[e - 1] = (int32_t)lua_tointeger(L, -1);
			}
			lua_pop(L, 1);
		}
		struct winit_error err = { 0 };
		if (winit_model_spec_add_node(&m->spec, &t->spec, in, (int32_t)n_in, &err))
			luaL_error(L, "Model: %s", err.msg);
		/* The name the script saw (tostring, errors) is the model's: written out when the
		 * script gave it, or when it is not the default the spec gives (a layer of a branch
		 * the model leaves out took a number). */
		char def[48];
		struct winit_layer_spec *l = &m->spec.layers[k];
		l->name[0] = '\0';
		if (t->named || strcmp(winit_model_spec_layer_name(&m->spec, (int32_t)k, def, sizeof def), t->name))
			memcpy(l->name, t->name, sizeof l->name);
		lua_pop(L, 3);
	}
}

static int l_model(lua_State *L)
{
	static const char *const keys[] = { "inputs", "outputs", NULL };
	if (lua_gettop(L) != 1 || !lua_istable(L, 1))
		return luaL_error(L, "Model: takes one table, e.g. winit.Model{inputs = x, outputs = y}");
	winit_lua_check_keys(L, 1, keys, "Model", 0);
	struct ltensor *x = one_tensor(L, 1, "inputs"); /* index 2 */
	struct ltensor *y = one_tensor(L, 1, "outputs"); /* index 3 */
	if (!x->is_input)
		return luaL_error(L, "Model: inputs must be a tensor made by winit.Input, got the output of "
		                     "%s",
		                  x->name);
	if (y->is_input)
		return luaL_error(L, "Model: the outputs are the input %s itself: a model needs at least "
		                     "one layer",
		                  y->name);
	struct ltensor *root = push_root(L, 3); /* index 4 */
	if (root != x)
		return luaL_error(L, "Model: the outputs do not depend on %s (they come from %s): the "
		                     "unreachable input cannot feed them",
		                  x->name, root->name);
	int seen, nodes;
	lua_Integer n_nodes = collect_layers(L, 3, &seen, &nodes);
	const struct node *order = order_layers(L, seen, nodes, n_nodes);
	struct lmodel *m = lua_newuserdatauv(L, sizeof *m, 0);
	memset(m, 0, sizeof *m);
	luaL_setmetatable(L, MT_MODEL);
	int mi = lua_gettop(L);
	m->seed = winit_lua_default_seed(L);
	m->functional = 1;
	snprintf(m->lead_name, sizeof m->lead_name, "%s", x->name);
	m->spec.n_input_dims = x->shape.rank;
	for (int32_t k = 0; k < x->shape.rank; k++)
		m->spec.input_shape[k] = x->shape.dim[k];
	m->spec.n_inputs = winit_shape_elements(&x->shape);
	add_layers(L, m, order, n_nodes, seen, nodes);
	winit_lua_check_names(L, &m->spec, m->lead_name, "InputLayer", "Model");
	struct winit_shape *shapes = lua_newuserdatauv(L, (size_t)n_nodes * sizeof *shapes, 0);
	struct winit_error err = { 0 };
	if (winit_model_spec_shapes(&m->spec, shapes, &err))
		return luaL_error(L, "Model: %s", err.msg);
	m->opt_spec = winit_optimizer_default(WINIT_OPT_ADAM);
	lua_pushvalue(L, mi);
	return 1;
}

void winit_lua_open_graph(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "Input", winit_lua_input },
		{ "Model", l_model },
		{ NULL, NULL }
	};
	static const luaL_Reg meta[] = {
		{ "__tostring", tensor_tostring },
		{ "__index", tensor_index },
		{ NULL, NULL }
	};
	luaL_newmetatable(L, MT_TENSOR);
	luaL_setfuncs(L, meta, 0);
	lua_pop(L, 1);
	winit_lua_set_funcs(L, module_index, funcs);
}
