/* src/lua/lwinit.c -- the `winit` Lua module: datasets, Keras-like models, studies.
 *
 * Two error channels, as in Lua's own libraries: misuse (wrong types, unknown plugin
 * names, bad parameter values) raises an error located at the script line; expected
 * failures at run time are also raised, with the file and the reason, after anything
 * already computed has been saved. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <winit/winit.h>

#include "lua/lwinit.h"

#define MT_DATASET "winit.Dataset"
#define MT_LAYER "winit.Layer"
#define MT_MODEL "winit.Model"
#define MT_STUDY "winit.Study"
#define MT_RESULTS "winit.Results"
#define MT_REGISTRY "winit.Registry"
/* Keys of the Lua registry holding the module's state (distinct from metatable names). */
#define KEY_REGISTRY "winit.registry"
#define KEY_LUA_INITS "winit.lua_initializers"

/* ---------------------------------------------------------------- registry */

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
static struct winit_registry *get_registry(lua_State *L)
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
	struct winit_registry *reg = get_registry(L);
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

/* Resolve a plugin reference: "name" or {"name", param = value, ...}. */
static void check_plugin_use(lua_State *L, int idx, uint32_t kind, const char *what,
                             struct winit_plugin_use *out)
{
	idx = lua_absindex(L, idx);
	const char *name;
	if (lua_type(L, idx) == LUA_TSTRING) {
		name = lua_tostring(L, idx);
	} else if (lua_type(L, idx) == LUA_TTABLE) {
		lua_rawgeti(L, idx, 1);
		name = lua_tostring(L, -1);
		lua_pop(L, 1);
		if (!name)
			luaL_error(L, "%s: expected {\"name\", param = value, ...} with the plugin name first",
			           what);
	} else {
		luaL_error(L, "%s: expected a plugin name or {\"name\", param = value, ...}, got %s", what,
		           luaL_typename(L, idx));
		return;
	}
	struct winit_registry *reg = get_registry(L);
	const struct winit_plugin_entry *e = winit_registry_find(reg, kind, name);
	if (!e) {
		char known[2048];
		winit_registry_names(reg, kind, known, sizeof known);
		/* A plugin the user wrote may have been refused: say why, it is the likely cause. */
		size_t np = winit_registry_problem_count(reg);
		luaL_error(L, "%s: unknown %s '%s' (known: %s)%s%s%s", what, winit_kind_name(kind), name,
		           known[0] ? known : "none found; is WINIT_PLUGIN_PATH right?",
		           np ? "; a plugin was refused while loading: " : "",
		           np ? winit_registry_problem(reg, 0) : "",
		           np > 1 ? " (more: run `winit list`)" : "");
	}
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
			} else if (lua_type(L, -1) == LUA_TBOOLEAN) {
				values[n] = lua_toboolean(L, -1);
				choices[n] = NULL;
			} else {
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
}

/* ---------------------------------------------------------------- options */

static lua_Integer opt_int(lua_State *L, int t, const char *key, lua_Integer def,
                           lua_Integer min, const char *fn)
{
	lua_Integer v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		int ok;
		v = lua_tointegerx(L, -1, &ok);
		if (!ok)
			luaL_error(L, "%s: option '%s' must be an integer, got %s", fn, key,
			           ty == LUA_TNUMBER ? "a fraction" : luaL_typename(L, -1));
		if (v < min)
			luaL_error(L, "%s: option '%s' must be >= %d (got %d)", fn, key, (int)min, (int)v);
	}
	lua_pop(L, 1);
	return v;
}

static double opt_num(lua_State *L, int t, const char *key, double def, const char *fn)
{
	double v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		if (ty != LUA_TNUMBER)
			luaL_error(L, "%s: option '%s' must be a number, got %s", fn, key, luaL_typename(L, -1));
		v = lua_tonumber(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

static int opt_bool(lua_State *L, int t, const char *key, int def, const char *fn)
{
	int v = def;
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL) {
		if (ty != LUA_TBOOLEAN)
			luaL_error(L, "%s: option '%s' must be true or false, got %s", fn, key,
			           luaL_typename(L, -1));
		v = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	return v;
}

/* Reject keys that are not in `allowed` (NULL-terminated): typos must not pass silently. */
static void check_keys(lua_State *L, int t, const char *const allowed[], const char *fn,
                       int allow_positional)
{
	t = lua_absindex(L, t);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TNUMBER && allow_positional)
			continue;
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int ok = 0;
		for (int i = 0; k && allowed[i]; i++)
			if (strcmp(k, allowed[i]) == 0)
				ok = 1;
		if (!ok) {
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			for (int i = 0; allowed[i]; i++) {
				if (i)
					luaL_addstring(&b, ", ");
				luaL_addstring(&b, allowed[i]);
			}
			luaL_pushresult(&b);
			luaL_error(L, "%s: unknown option '%s' (known: %s)", fn,
			           k ? k : luaL_typename(L, -2), lua_tostring(L, -1));
		}
	}
}

/* ---------------------------------------------------------------- datasets */

struct ldataset {
	struct winit_dataset ds;
	char source[256];
};

static struct ldataset *check_dataset(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_DATASET);
}

static int dataset_gc(lua_State *L)
{
	struct ldataset *d = check_dataset(L, 1);
	winit_dataset_free(&d->ds);
	return 0;
}

static int dataset_len(lua_State *L)
{
	lua_pushinteger(L, check_dataset(L, 1)->ds.n);
	return 1;
}

static int dataset_index(lua_State *L)
{
	struct ldataset *d = check_dataset(L, 1);
	const char *k = luaL_checkstring(L, 2);
	if (strcmp(k, "n") == 0)
		lua_pushinteger(L, d->ds.n);
	else if (strcmp(k, "n_features") == 0)
		lua_pushinteger(L, d->ds.n_features);
	else if (strcmp(k, "n_classes") == 0)
		lua_pushinteger(L, d->ds.n_classes);
	else if (strcmp(k, "shape") == 0) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, d->ds.height);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, d->ds.width);
		lua_rawseti(L, -2, 2);
	} else if (strcmp(k, "source") == 0)
		lua_pushstring(L, d->source);
	else if (strcmp(k, "label") == 0) {
		luaL_getmetatable(L, MT_DATASET);
		lua_getfield(L, -1, k);
	} else
		lua_pushnil(L);
	return 1;
}

/* ds:label(i) -> class of sample i (1-based, like Lua). */
static int dataset_label(lua_State *L)
{
	struct ldataset *d = check_dataset(L, 1);
	lua_Integer i = luaL_checkinteger(L, 2);
	luaL_argcheck(L, i >= 1 && i <= d->ds.n, 2, "sample index out of range");
	lua_pushinteger(L, d->ds.y[i - 1]);
	return 1;
}

static int dataset_tostring(lua_State *L)
{
	struct ldataset *d = check_dataset(L, 1);
	lua_pushfstring(L, "Dataset(%d samples of %dx%d, %d classes, from %s)", (int)d->ds.n,
	                (int)d->ds.height, (int)d->ds.width, (int)d->ds.n_classes, d->source);
	return 1;
}

static struct ldataset *new_dataset(lua_State *L)
{
	struct ldataset *d = lua_newuserdatauv(L, sizeof *d, 0);
	memset(d, 0, sizeof *d);
	luaL_setmetatable(L, MT_DATASET);
	return d;
}

/* winit.datasets.fashion_mnist.load_data([dir]) -> train, test */
static int l_fashion_mnist_load(lua_State *L)
{
	const char *dir = luaL_optstring(L, 1, NULL);
	if (!dir)
		dir = winit_fashion_mnist_dir();
	struct ldataset *train = new_dataset(L);
	struct ldataset *test = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_fashion_mnist_load(&train->ds, &test->ds, dir, &err))
		return luaL_error(L, "%s", err.msg);
	snprintf(train->source, sizeof train->source, "%s/train-*-ubyte.gz", dir);
	snprintf(test->source, sizeof test->source, "%s/t10k-*-ubyte.gz", dir);
	return 2;
}

/* winit.load_idx(images, labels [, n_classes = 10]) -> dataset */
static int l_load_idx(lua_State *L)
{
	const char *images = luaL_checkstring(L, 1);
	const char *labels = luaL_checkstring(L, 2);
	lua_Integer nc = luaL_optinteger(L, 3, 10);
	luaL_argcheck(L, nc >= 2 && nc <= 256, 3, "class count must be in [2, 256]");
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_load_idx(&d->ds, images, labels, (int32_t)nc, &err))
		return luaL_error(L, "%s", err.msg);
	snprintf(d->source, sizeof d->source, "%s", images);
	return 1;
}

/* ---------------------------------------------------------------- layers */

enum { LAYER_FLATTEN = 1, LAYER_DENSE = 2 };

struct llayer {
	int type;
	int n_dims;
	int64_t shape[3];          /* Flatten's input_shape, or Dense's input_shape */
	struct winit_layer_spec dense;
};

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
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		int ok;
		lua_Integer v = lua_tointegerx(L, -1, &ok);
		if (!ok || v <= 0)
			luaL_error(L, "%s: input_shape[%d] must be a positive integer", fn, i + 1);
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
		check_keys(L, 1, keys, "Flatten", 0);
		read_shape(L, 1, l, "Flatten");
	}
	return 1;
}

/* winit.layers.Dense{128, activation = "relu", kernel_initializer = ..., ...}
 * or winit.layers.Dense(128, {activation = ...}) */
static int l_dense(lua_State *L)
{
	static const char *const keys[] = { "units", "activation", "kernel_initializer",
		"bias_initializer", "use_bias", "input_shape", NULL };
	int t;
	lua_Integer units;
	if (lua_type(L, 1) == LUA_TNUMBER) {
		units = luaL_checkinteger(L, 1);
		if (lua_isnoneornil(L, 2)) {
			lua_newtable(L);
			lua_replace(L, 2);
		}
		luaL_checktype(L, 2, LUA_TTABLE);
		t = 2;
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		t = 1;
		lua_rawgeti(L, 1, 1);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			lua_getfield(L, 1, "units");
		}
		int ok;
		units = lua_tointegerx(L, -1, &ok);
		if (!ok)
			return luaL_error(L, "Dense: the number of units must come first, e.g. Dense{128, activation = \"relu\"}");
		lua_pop(L, 1);
	}
	check_keys(L, t, keys, "Dense", 1);
	if (units <= 0 || units > (1 << 24))
		return luaL_error(L, "Dense: units must be a positive integer (got %d)", (int)units);
	struct llayer *l = lua_newuserdatauv(L, sizeof *l, 0);
	memset(l, 0, sizeof *l);
	l->type = LAYER_DENSE;
	luaL_setmetatable(L, MT_LAYER);
	int ud = lua_gettop(L);
	l->dense.units = units;
	l->dense.use_bias = opt_bool(L, t, "use_bias", 1, "Dense");
	read_shape(L, t, l, "Dense");
	if (lua_getfield(L, t, "activation") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushliteral(L, "linear"); /* Keras: activation=None is linear */
	}
	check_plugin_use(L, -1, WINIT_KIND_ACTIVATION, "Dense: activation", &l->dense.activation);
	lua_pop(L, 1);
	if (lua_getfield(L, t, "kernel_initializer") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushliteral(L, "glorot_uniform"); /* Keras's default */
	}
	check_plugin_use(L, -1, WINIT_KIND_INITIALIZER, "Dense: kernel_initializer",
	                 &l->dense.kernel_initializer);
	lua_pop(L, 1);
	if (lua_getfield(L, t, "bias_initializer") == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushliteral(L, "zeros");
	}
	check_plugin_use(L, -1, WINIT_KIND_INITIALIZER, "Dense: bias_initializer",
	                 &l->dense.bias_initializer);
	lua_pop(L, 1);
	lua_pushvalue(L, ud);
	return 1;
}

/* ---------------------------------------------------------------- models */

struct lmodel {
	struct winit_model_spec spec;
	int compiled;
	struct winit_optimizer_spec opt_spec;
	int built;                 /* the trainer holds the weights */
	struct winit_trainer trainer;
	uint64_t seed;             /* the run seed of its streams (winit/stream.h) */
};

static struct lmodel *check_model(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_MODEL);
}

static int model_gc(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	if (m->built) {
		winit_trainer_free(&m->trainer);
		m->built = 0;
	}
	return 0;
}

static uint64_t module_seed(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "winit.seed");
	uint64_t s = lua_isinteger(L, -1) ? (uint64_t)lua_tointeger(L, -1) : 0;
	lua_pop(L, 1);
	return s;
}

/* winit.Sequential{layer, layer, ...} */
static int l_sequential(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	struct lmodel *m = lua_newuserdatauv(L, sizeof *m, 0);
	memset(m, 0, sizeof *m);
	luaL_setmetatable(L, MT_MODEL);
	m->seed = module_seed(L);
	int n = (int)luaL_len(L, 1);
	int64_t inputs = 0;
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		struct llayer *l = luaL_testudata(L, -1, MT_LAYER);
		if (!l)
			return luaL_error(L, "Sequential: entry %d is not a layer (got %s)", i, luaL_typename(L, -1));
		if (l->n_dims > 0) {
			if (i != 1 && (l->type == LAYER_DENSE ? m->spec.n_layers > 0 : 1))
				return luaL_error(L, "Sequential: input_shape is only allowed on the first layer (entry %d)", i);
			m->spec.n_input_dims = l->n_dims;
			inputs = 1;
			for (int k = 0; k < l->n_dims; k++) {
				m->spec.input_shape[k] = l->shape[k];
				inputs *= l->shape[k];
			}
		}
		if (l->type == LAYER_DENSE) {
			if (m->spec.n_layers >= WINIT_MAX_LAYERS)
				return luaL_error(L, "Sequential: at most %d Dense layers", WINIT_MAX_LAYERS);
			m->spec.layers[m->spec.n_layers++] = l->dense;
		} else if (m->spec.n_layers > 0) {
			return luaL_error(L, "Sequential: Flatten must come before the Dense layers (entry %d)", i);
		}
		lua_pop(L, 1);
	}
	if (m->spec.n_layers == 0)
		return luaL_error(L, "Sequential: needs at least one Dense layer");
	if (inputs == 0)
		return luaL_error(L, "Sequential: the first layer needs input_shape, e.g. Flatten{input_shape = {28, 28}}");
	m->spec.n_inputs = inputs;
	m->opt_spec = winit_optimizer_default(WINIT_OPT_ADAM);
	return 1;
}

static void read_optimizer(lua_State *L, int idx, struct winit_optimizer_spec *out,
                           const char *fn)
{
	idx = lua_absindex(L, idx);
	const char *name = NULL;
	if (lua_type(L, idx) == LUA_TSTRING)
		name = lua_tostring(L, idx);
	else if (lua_type(L, idx) == LUA_TTABLE) {
		lua_rawgeti(L, idx, 1);
		name = lua_tostring(L, -1);
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
		static const char *const keys[] = { "learning_rate", "beta_1", "beta_2", "epsilon",
			"momentum", "nesterov", NULL };
		check_keys(L, idx, keys, fn, 1);
		out->learning_rate = opt_num(L, idx, "learning_rate", out->learning_rate, fn);
		out->beta_1 = opt_num(L, idx, "beta_1", out->beta_1, fn);
		out->beta_2 = opt_num(L, idx, "beta_2", out->beta_2, fn);
		out->epsilon = opt_num(L, idx, "epsilon", out->epsilon, fn);
		out->momentum = opt_num(L, idx, "momentum", out->momentum, fn);
		out->nesterov = opt_bool(L, idx, "nesterov", 0, fn);
	}
	struct winit_optimizer probe;
	struct winit_error err = { 0 };
	if (winit_optimizer_init(&probe, out, 1, &err))
		luaL_error(L, "%s: %s", fn, err.msg);
	winit_optimizer_free(&probe);
}

/* winit.optimizers.Adam{learning_rate = ...} -> {"adam", ...} (plain data) */
static int make_optimizer(lua_State *L, const char *name)
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
	read_optimizer(L, 2, &s, name);
	return 1;
}

static int l_adam(lua_State *L) { return make_optimizer(L, "adam"); }
static int l_sgd(lua_State *L) { return make_optimizer(L, "sgd"); }

/* model:compile{optimizer = ..., loss = "categorical_crossentropy", metrics = {"accuracy"}} */
static int model_compile(lua_State *L)
{
	static const char *const keys[] = { "optimizer", "loss", "metrics", NULL };
	struct lmodel *m = check_model(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, keys, "compile", 0);
	if (lua_getfield(L, 2, "optimizer") != LUA_TNIL)
		read_optimizer(L, -1, &m->opt_spec, "compile");
	lua_pop(L, 1);
	if (lua_getfield(L, 2, "loss") != LUA_TNIL) {
		const char *loss = lua_tostring(L, -1);
		if (!loss || strcmp(loss, "categorical_crossentropy") != 0)
			return luaL_error(L, "compile: unknown loss '%s' (known: categorical_crossentropy)",
			                  loss ? loss : luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	if (lua_getfield(L, 2, "metrics") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			return luaL_error(L, "compile: metrics must be a list, e.g. {\"accuracy\"}");
		for (int i = 1; i <= (int)luaL_len(L, -1); i++) {
			lua_rawgeti(L, -1, i);
			const char *mt = lua_tostring(L, -1);
			if (!mt || strcmp(mt, "accuracy") != 0)
				return luaL_error(L, "compile: unknown metric '%s' (known: accuracy)",
				                  mt ? mt : luaL_typename(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	m->compiled = 1;
	if (m->built) {
		struct winit_error err = { 0 };
		if (winit_trainer_set_optimizer(&m->trainer, &m->opt_spec, &err))
			return luaL_error(L, "compile: %s", err.msg);
	}
	lua_settop(L, 1);
	return 1;
}

/* Initialise the weights on first use.  With training data (ds, rows [0, n_train)) the
 * data-aware initializers also adapt to it; without, only their fill runs. */
static void ensure_built(lua_State *L, struct lmodel *m, const struct winit_dataset *ds,
                         int64_t n_train)
{
	if (m->built)
		return;
	struct winit_error err = { 0 };
	if (winit_trainer_init(&m->trainer, &m->spec, &m->opt_spec, m->seed, &err))
		luaL_error(L, "%s", err.msg);
	m->built = 1;
	if (ds && winit_trainer_adapt(&m->trainer, ds, n_train, &err))
		luaL_error(L, "%s", err.msg);
}

/* The fit settings among the fields of table t; the caller has checked t's keys. */
static void read_fit(lua_State *L, int t, struct winit_fit_spec *f, const char *fn)
{
	*f = winit_fit_default();
	if (lua_isnoneornil(L, t))
		return;
	luaL_checktype(L, t, LUA_TTABLE);
	f->epochs = (int32_t)opt_int(L, t, "epochs", f->epochs, 0, fn);
	f->batch_size = (int32_t)opt_int(L, t, "batch_size", f->batch_size, 1, fn);
	f->validation_split = opt_num(L, t, "validation_split", 0, fn);
	if (!(f->validation_split >= 0 && f->validation_split < 1))
		luaL_error(L, "%s: validation_split must be in [0, 1) (got %f)", fn, f->validation_split);
	f->shuffle = opt_bool(L, t, "shuffle", 1, fn);
	f->eval_batch_size = (int32_t)opt_int(L, t, "eval_batch_size", 256, 1, fn);
}

static void push_history(lua_State *L, const struct winit_epoch_stats *h, int n)
{
	static const char *const names[] = { "loss", "accuracy", "val_loss", "val_accuracy", "seconds" };
	lua_createtable(L, 0, 5);
	for (int k = 0; k < 5; k++) {
		if (k >= 2 && k <= 3 && (n == 0 || !h[0].has_val))
			continue;
		lua_createtable(L, n, 0);
		for (int e = 0; e < n; e++) {
			double v = k == 0 ? h[e].loss : k == 1 ? h[e].accuracy : k == 2 ? h[e].val_loss :
			           k == 3 ? h[e].val_accuracy : h[e].seconds;
			lua_pushnumber(L, v);
			lua_rawseti(L, -2, e + 1);
		}
		lua_setfield(L, -2, names[k]);
	}
}

/* ---------------------------------------------------------------- interrupts */

/* While training, SIGINT and SIGTERM request a stop (winit/cancel.h): the trainer stops
 * between two steps and finished runs are kept.  The handler resets itself, so a second
 * signal acts as usual (kills). */
static void on_signal(int sig)
{
	winit_cancel(sig);
}

struct sigguard {
	struct sigaction old_int, old_term;
};

static void sigguard_on(struct sigguard *g)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	winit_cancel_reset();
	sigaction(SIGINT, &sa, &g->old_int);
	sigaction(SIGTERM, &sa, &g->old_term);
}

static void sigguard_off(struct sigguard *g)
{
	sigaction(SIGINT, &g->old_int, NULL);
	sigaction(SIGTERM, &g->old_term, NULL);
}

/* The error a cancelled fit or study raises. */
static int interrupted_error(lua_State *L, const char *saved)
{
	int sig = winit_cancelled();
	return luaL_error(L, "interrupted by %s%s%s", sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "a stop request",
	                  saved ? "; finished runs saved to " : "", saved ? saved : "");
}

static int stdout_is_tty(void)
{
	return isatty(STDOUT_FILENO) && !getenv("WINIT_NO_PROGRESS");
}

/* model:fit(ds, {epochs = 5, batch_size = 64, validation_split = 0.2, verbose = 1})
 * -> history {loss = {...}, accuracy = {...}, val_loss = {...}, val_accuracy = {...}}
 * The model's trainer is the same lifecycle a study run goes through: a model whose seed
 * is a run's seed, fitted with the run's settings, ends with that run's weights. */
static int model_fit(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	struct ldataset *d = check_dataset(L, 2);
	static const char *const keys[] = { "epochs", "batch_size", "validation_split", "shuffle",
		"eval_batch_size", "verbose", NULL };
	if (lua_istable(L, 3))
		check_keys(L, 3, keys, "fit", 0);
	struct winit_fit_spec f;
	read_fit(L, 3, &f, "fit");
	int verbose = lua_istable(L, 3) ? (int)opt_int(L, 3, "verbose", 1, 0, "fit") : 1;
	ensure_built(L, m, NULL, 0);
	struct winit_run_spec spec;
	memset(&spec, 0, sizeof spec);
	snprintf(spec.name, sizeof spec.name, "fit");
	spec.fit = f;
	struct winit_progress *p = verbose ? winit_progress_new(stdout, &spec, 1, stdout_is_tty()) : NULL;
	struct winit_observer obs = { 0 };
	if (p)
		winit_progress_observer(p, &obs);
	struct winit_history hist = { 0 };
	struct sigguard g;
	sigguard_on(&g);
	struct winit_error err = { 0 };
	int rc = winit_trainer_fit(&m->trainer, &d->ds, &f, &obs, 0, &hist, &err);
	sigguard_off(&g);
	if (p)
		winit_progress_free(p);
	if (rc) {
		winit_history_free(&hist);
		if (rc == WINIT_ERR_CANCELLED)
			return interrupted_error(L, NULL);
		return luaL_error(L, "fit: %s", err.msg);
	}
	push_history(L, hist.epochs, hist.n);
	winit_history_free(&hist);
	return 1;
}

/* model:evaluate(ds [, {batch_size = 256}]) -> loss, accuracy */
static int model_evaluate(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	struct ldataset *d = check_dataset(L, 2);
	lua_Integer bs = 256;
	if (lua_istable(L, 3)) {
		static const char *const keys[] = { "batch_size", "verbose", NULL };
		check_keys(L, 3, keys, "evaluate", 0);
		bs = opt_int(L, 3, "batch_size", 256, 1, "evaluate");
	}
	ensure_built(L, m, NULL, 0);
	double loss, acc;
	struct winit_error err = { 0 };
	if (winit_evaluate(&m->trainer.model, &d->ds, 0, d->ds.n, (int32_t)bs, &loss, &acc, &err))
		return luaL_error(L, "evaluate: %s", err.msg);
	lua_pushnumber(L, loss);
	lua_pushnumber(L, acc);
	return 2;
}

/* model:predict(ds [, first [, count]]) -> {{p1, ..., pC}, ...} for samples first.. */
static int model_predict(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	struct ldataset *d = check_dataset(L, 2);
	lua_Integer first = luaL_optinteger(L, 3, 1);
	lua_Integer count = luaL_optinteger(L, 4, d->ds.n - first + 1);
	luaL_argcheck(L, first >= 1 && first <= d->ds.n, 3, "first sample out of range");
	luaL_argcheck(L, count >= 1 && first - 1 + count <= d->ds.n, 4, "count out of range");
	ensure_built(L, m, NULL, 0);
	int64_t c = winit_model_outputs(&m->trainer.model);
	float *out = malloc((size_t)(count * c) * sizeof(float));
	if (!out)
		return luaL_error(L, "predict: out of memory for %d outputs", (int)(count * c));
	struct winit_error err = { 0 };
	if (winit_predict(&m->trainer.model, &d->ds, first - 1, first - 1 + count, 256, out, &err)) {
		free(out);
		return luaL_error(L, "predict: %s", err.msg);
	}
	lua_createtable(L, (int)count, 0);
	for (lua_Integer i = 0; i < count; i++) {
		lua_createtable(L, (int)c, 0);
		for (int64_t j = 0; j < c; j++) {
			lua_pushnumber(L, out[i * c + j]);
			lua_rawseti(L, -2, j + 1);
		}
		lua_rawseti(L, -2, i + 1);
	}
	free(out);
	return 1;
}

/* model:count_params() */
static int model_count_params(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	lua_pushinteger(L, winit_model_spec_params(&m->spec));
	return 1;
}

/* model:summary(): Keras-like table on stdout. */
static int model_summary(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	printf("%-24s %-14s %10s  %-16s %s\n", "Layer", "Output shape", "Param #", "Activation",
	       "Kernel initializer");
	printf("%-24s (None, %lld)%*s %10d\n", "flatten (Flatten)", (long long)m->spec.n_inputs, 3,
	       "", 0);
	for (int i = 0; i < m->spec.n_layers; i++) {
		const struct winit_layer_spec *l = &m->spec.layers[i];
		int64_t p = winit_model_spec_layer_params(&m->spec, i);
		char name[32], shape[32];
		snprintf(name, sizeof name, "dense_%d (Dense)", i + 1);
		snprintf(shape, sizeof shape, "(None, %lld)", (long long)l->units);
		printf("%-24s %-14s %10lld  %-16s %s\n", name, shape, (long long)p, l->activation.info->name,
		       l->kernel_initializer.info->name);
	}
	printf("Total params: %lld\n", (long long)winit_model_spec_params(&m->spec));
	return 0;
}

struct stats_acc {
	int n_layers;
	double pre_sum[WINIT_MAX_LAYERS], pre_ss[WINIT_MAX_LAYERS];
	double act_sum[WINIT_MAX_LAYERS], act_ss[WINIT_MAX_LAYERS];
	int64_t zeros[WINIT_MAX_LAYERS], count[WINIT_MAX_LAYERS];
};

static void stats_hook(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                       int64_t cols)
{
	struct stats_acc *s = ctx;
	for (int64_t i = 0; i < rows * cols; i++) {
		s->pre_sum[layer] += z[i];
		s->pre_ss[layer] += (double)z[i] * z[i];
		s->act_sum[layer] += a[i];
		s->act_ss[layer] += (double)a[i] * a[i];
		s->zeros[layer] += a[i] == 0.0f;
	}
	s->count[layer] += rows * cols;
}

/* model:activation_stats(ds [, {rows = 512}]) -> per layer
 *   { pre_mean, pre_var, act_mean, act_var, zero_fraction }
 * over the first `rows` samples of ds.  An untrained model is initialised first, and its
 * data-aware initializers see ds. */
static int model_activation_stats(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	struct ldataset *d = check_dataset(L, 2);
	lua_Integer rows = 512;
	if (lua_istable(L, 3)) {
		static const char *const keys[] = { "rows", NULL };
		check_keys(L, 3, keys, "activation_stats", 0);
		rows = opt_int(L, 3, "rows", 512, 1, "activation_stats");
	}
	if (rows > d->ds.n)
		rows = d->ds.n;
	ensure_built(L, m, &d->ds, d->ds.n);
	struct stats_acc acc;
	memset(&acc, 0, sizeof acc);
	struct winit_layer_hooks keep = m->trainer.model.hooks;
	m->trainer.model.hooks.ctx = &acc;
	m->trainer.model.hooks.forward = stats_hook;
	m->trainer.model.hooks.backward = NULL;
	float *out = malloc((size_t)(rows * winit_model_outputs(&m->trainer.model)) * sizeof *out);
	struct winit_error err = { 0 };
	int rc = out ? winit_predict(&m->trainer.model, &d->ds, 0, rows, 256, out, &err) : WINIT_ERR_NOMEM;
	m->trainer.model.hooks = keep;
	free(out);
	if (rc)
		return luaL_error(L, "activation_stats: %s", err.msg[0] ? err.msg : "out of memory");
	lua_createtable(L, m->spec.n_layers, 0);
	for (int i = 0; i < m->spec.n_layers; i++) {
		double n = (double)acc.count[i];
		double pm = acc.pre_sum[i] / n, am = acc.act_sum[i] / n;
		lua_createtable(L, 0, 5);
		lua_pushnumber(L, pm);
		lua_setfield(L, -2, "pre_mean");
		lua_pushnumber(L, acc.pre_ss[i] / n - pm * pm);
		lua_setfield(L, -2, "pre_var");
		lua_pushnumber(L, am);
		lua_setfield(L, -2, "act_mean");
		lua_pushnumber(L, acc.act_ss[i] / n - am * am);
		lua_setfield(L, -2, "act_var");
		lua_pushnumber(L, (double)acc.zeros[i] / n);
		lua_setfield(L, -2, "zero_fraction");
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/* model:get_weights(layer) -> kernel (table of rows), bias (table) */
static int model_get_weights(lua_State *L)
{
	struct lmodel *m = check_model(L, 1);
	lua_Integer li = luaL_checkinteger(L, 2);
	luaL_argcheck(L, li >= 1 && li <= m->spec.n_layers, 2, "layer index out of range");
	ensure_built(L, m, NULL, 0);
	const struct winit_dense *d = &m->trainer.model.layer[li - 1];
	lua_createtable(L, (int)d->n_in, 0);
	for (int64_t r = 0; r < d->n_in; r++) {
		lua_createtable(L, (int)d->n_out, 0);
		for (int64_t c = 0; c < d->n_out; c++) {
			lua_pushnumber(L, d->w[r * d->n_out + c]);
			lua_rawseti(L, -2, c + 1);
		}
		lua_rawseti(L, -2, r + 1);
	}
	if (!d->b)
		return 1;
	lua_createtable(L, (int)d->n_out, 0);
	for (int64_t c = 0; c < d->n_out; c++) {
		lua_pushnumber(L, d->b[c]);
		lua_rawseti(L, -2, c + 1);
	}
	return 2;
}

/* ---------------------------------------------------------------- studies */

struct lstudy {
	char name[128];
	uint64_t seed;
	size_t n, cap;
	struct winit_run_spec *runs;
};

struct lresults {
	char name[128];
	uint64_t seed;
	size_t n;
	struct winit_run_spec *runs;
	struct winit_run_result *results;
};

static struct lstudy *check_study(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_STUDY);
}

static int study_gc(lua_State *L)
{
	struct lstudy *s = check_study(L, 1);
	free(s->runs);
	s->runs = NULL;
	s->n = s->cap = 0;
	return 0;
}

/* winit.Study{name = "compare_inits", seed = 42} */
static int l_study(lua_State *L)
{
	static const char *const keys[] = { "name", "seed", NULL };
	lua_settop(L, 1);
	if (lua_isnil(L, 1)) {
		lua_newtable(L);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, keys, "Study", 0);
	struct lstudy *s = lua_newuserdatauv(L, sizeof *s, 1);
	memset(s, 0, sizeof *s);
	luaL_setmetatable(L, MT_STUDY);
	lua_newtable(L); /* keeps datasets alive */
	lua_setiuservalue(L, -2, 1);
	lua_getfield(L, 1, "name");
	snprintf(s->name, sizeof s->name, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "study");
	lua_pop(L, 1);
	s->seed = (uint64_t)opt_int(L, 1, "seed", (lua_Integer)module_seed(L), 0, "Study");
	return 1;
}

static void keep_alive(lua_State *L, int study, int value)
{
	value = lua_absindex(L, value);
	lua_getiuservalue(L, study, 1);
	lua_pushvalue(L, value);
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	lua_pop(L, 1);
}

/* study:add{name = "he_normal", label = "he_normal", model = m, train = ds, test = ds,
 *           epochs = 5, batch_size = 64, validation_split = 0.2, replicate = 0} */
static int study_add(lua_State *L)
{
	static const char *const keys[] = { "name", "label", "model", "train", "test", "epochs",
		"batch_size", "validation_split", "shuffle", "eval_batch_size", "replicate", "seed",
		NULL };
	struct lstudy *s = check_study(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, keys, "Study:add", 0);
	lua_getfield(L, 2, "name");
	const char *name = lua_tostring(L, -1);
	if (!name || !*name)
		return luaL_error(L, "Study:add: every run needs a name (its key in the results)");
	if (strlen(name) >= WINIT_RUN_NAME_MAX)
		return luaL_error(L, "Study:add: run name longer than %d characters", WINIT_RUN_NAME_MAX - 1);
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->runs[i].name, name) == 0)
			return luaL_error(L, "Study:add: a run named '%s' already exists; run names are keys and must be unique", name);
	lua_getfield(L, 2, "model");
	struct lmodel *m = luaL_testudata(L, -1, MT_MODEL);
	if (!m)
		return luaL_error(L, "Study:add: 'model' must be a model from winit.Sequential");
	lua_getfield(L, 2, "train");
	struct ldataset *train = luaL_testudata(L, -1, MT_DATASET);
	if (!train)
		return luaL_error(L, "Study:add: 'train' must be a dataset");
	keep_alive(L, 1, -1);
	lua_getfield(L, 2, "test");
	struct ldataset *test = lua_isnil(L, -1) ? NULL : luaL_testudata(L, -1, MT_DATASET);
	if (!lua_isnil(L, -1) && !test)
		return luaL_error(L, "Study:add: 'test' must be a dataset");
	if (test)
		keep_alive(L, 1, -1);
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		void *p = realloc(s->runs, cap * sizeof *s->runs);
		if (!p)
			return luaL_error(L, "out of memory");
		s->runs = p;
		s->cap = cap;
	}
	struct winit_run_spec *r = &s->runs[s->n];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	lua_getfield(L, 2, "label");
	snprintf(r->label, sizeof r->label, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : name);
	lua_pop(L, 1);
	r->replicate = (int32_t)opt_int(L, 2, "replicate", 0, 0, "Study:add");
	r->seed = (uint64_t)opt_int(L, 2, "seed", (lua_Integer)s->seed, 0, "Study:add");
	r->model = m->spec;
	r->optimizer = m->opt_spec;
	read_fit(L, 2, &r->fit, "Study:add");
	r->train = &train->ds;
	r->test = test ? &test->ds : NULL;
	snprintf(r->train_source, sizeof r->train_source, "%s", train->source);
	if (test)
		snprintf(r->test_source, sizeof r->test_source, "%s", test->source);
	s->n++;
	lua_settop(L, 1);
	return 1;
}

static int study_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_study(L, 1)->n);
	return 1;
}

/* Reports progress and saves the results file after every finished run, so nothing
 * computed is lost if a later run fails or the user interrupts. */
struct run_obs {
	struct winit_observer inner;
	pthread_mutex_t lock;
	const char *save;
	const char *study;
	uint64_t seed;
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	struct winit_run_result *snapshot;
	size_t n;
	int save_failed;
	struct winit_error save_err;
};

static void obs_start(void *ctx, size_t i, const struct winit_run_spec *s)
{
	struct run_obs *o = ctx;
	if (o->inner.run_start)
		o->inner.run_start(o->inner.ctx, i, s);
}

static void obs_batch(void *ctx, size_t i, int32_t e, int64_t st, int64_t sts, double l, double a)
{
	struct run_obs *o = ctx;
	if (o->inner.batch_end)
		o->inner.batch_end(o->inner.ctx, i, e, st, sts, l, a);
}

static void obs_epoch(void *ctx, size_t i, const struct winit_epoch_stats *st)
{
	struct run_obs *o = ctx;
	if (o->inner.epoch_end)
		o->inner.epoch_end(o->inner.ctx, i, st);
}

static void obs_end(void *ctx, size_t i, const struct winit_run_spec *s,
                    const struct winit_run_result *r)
{
	struct run_obs *o = ctx;
	if (o->inner.run_end)
		o->inner.run_end(o->inner.ctx, i, s, r);
	pthread_mutex_lock(&o->lock);
	o->snapshot[i] = *r;
	if (o->save && !o->save_failed) {
		struct winit_error err = { 0 };
		if (winit_results_write_json(o->save, o->study, o->seed, o->runs, o->snapshot, o->n, &err)) {
			o->save_failed = 1;
			o->save_err = err;
		}
	}
	pthread_mutex_unlock(&o->lock);
}

static int results_gc(lua_State *L);

/* study:run{jobs = 0, save = "results/x.json", verbose = 1} -> results */
static int study_run(lua_State *L)
{
	static const char *const keys[] = { "jobs", "save", "verbose", NULL };
	struct lstudy *s = check_study(L, 1);
	lua_settop(L, 2);
	if (lua_isnil(L, 2)) {
		lua_newtable(L);
		lua_replace(L, 2);
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	check_keys(L, 2, keys, "Study:run", 0);
	lua_getfield(L, LUA_REGISTRYINDEX, "winit.jobs");
	lua_Integer def_jobs = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
	lua_pop(L, 1);
	int jobs = (int)opt_int(L, 2, "jobs", def_jobs, 0, "Study:run");
	int verbose = (int)opt_int(L, 2, "verbose", 1, 0, "Study:run");
	lua_getfield(L, 2, "save");
	const char *save = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	if (s->n == 0)
		return luaL_error(L, "Study:run: the study has no runs; add some with study:add{...}");
	if (save) {
		/* Fail before training, not after the first run. */
		struct winit_error werr = { 0 };
		if (winit_results_check_writable(save, &werr))
			return luaL_error(L, "Study:run: %s", werr.msg);
	}

	struct lresults *res = lua_newuserdatauv(L, sizeof *res, 1);
	memset(res, 0, sizeof *res);
	luaL_setmetatable(L, MT_RESULTS);
	lua_getiuservalue(L, 1, 1); /* the results keep the datasets alive too */
	lua_setiuservalue(L, -2, 1);
	snprintf(res->name, sizeof res->name, "%s", s->name);
	res->seed = s->seed;
	res->n = s->n;
	res->runs = malloc(s->n * sizeof *res->runs);
	res->results = calloc(s->n, sizeof *res->results);
	struct run_obs o;
	memset(&o, 0, sizeof o);
	o.snapshot = calloc(s->n, sizeof *o.snapshot);
	if (!res->runs || !res->results || !o.snapshot) {
		free(o.snapshot);
		return luaL_error(L, "out of memory");
	}
	memcpy(res->runs, s->runs, s->n * sizeof *res->runs);

	struct winit_progress *p = verbose ?
		winit_progress_new(stdout, res->runs, res->n, stdout_is_tty()) : NULL;
	if (p)
		winit_progress_observer(p, &o.inner);
	pthread_mutex_init(&o.lock, NULL);
	o.save = save;
	o.study = res->name;
	o.seed = res->seed;
	o.runs = res->runs;
	o.results = res->results;
	o.n = res->n;
	struct winit_observer obs = {
		.ctx = &o, .run_start = obs_start, .batch_end = obs_batch, .epoch_end = obs_epoch,
		.run_end = obs_end,
	};
	struct sigguard g;
	sigguard_on(&g);
	winit_study_execute(res->runs, res->n, jobs, res->results, &obs);
	sigguard_off(&g);
	if (p)
		winit_progress_free(p);
	pthread_mutex_destroy(&o.lock);
	free(o.snapshot);
	if (o.save_failed)
		return luaL_error(L, "Study:run: %s", o.save_err.msg);
	if (winit_cancelled())
		return interrupted_error(L, save);
	return 1;
}

static struct lresults *check_results(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_RESULTS);
}

static int results_gc(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	for (size_t i = 0; r->results && i < r->n; i++)
		winit_run_result_free(&r->results[i]);
	free(r->results);
	free(r->runs);
	r->results = NULL;
	r->runs = NULL;
	r->n = 0;
	return 0;
}

/* results:print_table() */
static int results_print_table(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	winit_results_print_table(stdout, r->runs, r->results, r->n);
	fflush(stdout);
	return 0;
}

/* results:save(path) */
static int results_save(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	const char *path = luaL_checkstring(L, 2);
	struct winit_error err = { 0 };
	if (winit_results_write_json(path, r->name, r->seed, r->runs, r->results, r->n, &err))
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* results:runs() -> { {name=, label=, status=, test_accuracy=, test_loss=, history=...}, ... } */
static int results_runs(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	lua_createtable(L, (int)r->n, 0);
	for (size_t i = 0; i < r->n; i++) {
		const struct winit_run_result *x = &r->results[i];
		lua_createtable(L, 0, 8);
		lua_pushstring(L, r->runs[i].name);
		lua_setfield(L, -2, "name");
		lua_pushstring(L, r->runs[i].label);
		lua_setfield(L, -2, "label");
		lua_pushinteger(L, r->runs[i].replicate);
		lua_setfield(L, -2, "replicate");
		lua_pushstring(L, !x->done ? "not run" : x->status ? "failed" : "ok");
		lua_setfield(L, -2, "status");
		if (x->status) {
			lua_pushstring(L, x->error);
			lua_setfield(L, -2, "error");
		}
		if (x->has_test) {
			lua_pushnumber(L, x->test_accuracy);
			lua_setfield(L, -2, "test_accuracy");
			lua_pushnumber(L, x->test_loss);
			lua_setfield(L, -2, "test_loss");
		}
		lua_pushnumber(L, x->seconds);
		lua_setfield(L, -2, "seconds");
		push_history(L, x->history.epochs, x->history.n);
		lua_setfield(L, -2, "history");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int results_failed(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	lua_Integer n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->results[i].done && r->results[i].status != 0;
	lua_pushinteger(L, n);
	return 1;
}

/* ---------------------------------------------------------------- Lua initializers */

/* An initializer written in Lua: a host-made descriptor whose fill calls the script's
 * function.  Runs may fill from worker threads; calls into the (single) Lua state are
 * serialised by this lock, and the thread that owns the state is then blocked in C. */
static pthread_mutex_t lua_callback_lock = PTHREAD_MUTEX_INITIALIZER;

#define MT_LUA_INIT "winit.LuaInitializer"
#define MT_RNG "winit.Rng"

struct lua_init {
	struct winit_initializer desc; /* first: args->self points here */
	char name[64];
	char summary[160];
	lua_State *L;
	int fill_ref;
};

struct lrng {
	const struct winit_host *host;
	void *rng; /* valid only during the fill call */
};

static struct lrng *check_rng(lua_State *L)
{
	struct lrng *r = luaL_checkudata(L, 1, MT_RNG);
	if (!r->rng)
		luaL_error(L, "this random stream belonged to a finished fill; use the one passed in");
	return r;
}

static int rng_uniform(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_pushnumber(L, r->host->uniform(r->rng));
	return 1;
}

static int rng_normal(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_pushnumber(L, r->host->normal(r->rng));
	return 1;
}

/* rng:integer(n) -> uniform in [1, n] */
static int rng_integer(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n >= 1, 2, "n must be >= 1");
	lua_pushinteger(L, (lua_Integer)(r->host->next_u64(r->rng) % (uint64_t)n) + 1);
	return 1;
}

static int lua_init_fill(float *w, const struct winit_fill_args *a, char *err, size_t errlen)
{
	const struct lua_init *li = (const struct lua_init *)a->self;
	lua_State *L = li->L;
	int rc = 0;
	pthread_mutex_lock(&lua_callback_lock);
	int top = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, li->fill_ref);
	lua_createtable(L, 0, 6);
	lua_createtable(L, (int)a->n_dims, 0);
	for (uint32_t i = 0; i < a->n_dims; i++) {
		lua_pushinteger(L, a->dims[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "shape");
	lua_pushinteger(L, a->n);
	lua_setfield(L, -2, "n");
	lua_pushinteger(L, a->fan_in);
	lua_setfield(L, -2, "fan_in");
	lua_pushinteger(L, a->fan_out);
	lua_setfield(L, -2, "fan_out");
	lua_pushnumber(L, a->gain);
	lua_setfield(L, -2, "gain");
	struct lrng *r = lua_newuserdatauv(L, sizeof *r, 0);
	r->host = a->host;
	r->rng = a->rng;
	luaL_setmetatable(L, MT_RNG);
	if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
		snprintf(err, errlen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error in fill");
		rc = 1;
	} else if (!lua_istable(L, -1) || luaL_len(L, -1) != a->n) {
		snprintf(err, errlen, "the Lua fill function must return a table of %lld numbers "
		         "(row-major), got %s of length %lld", (long long)a->n, luaL_typename(L, -1),
		         lua_istable(L, -1) ? (long long)luaL_len(L, -1) : 0LL);
		rc = 1;
	} else {
		for (int64_t i = 0; i < a->n && !rc; i++) {
			lua_rawgeti(L, -1, i + 1);
			int isnum;
			lua_Number v = lua_tonumberx(L, -1, &isnum);
			if (!isnum) {
				snprintf(err, errlen, "value %lld of the returned table is a %s, expected a number",
				         (long long)i + 1, luaL_typename(L, -1));
				rc = 1;
			}
			w[i] = (float)v;
			lua_pop(L, 1);
		}
	}
	r->rng = NULL;
	lua_settop(L, top);
	pthread_mutex_unlock(&lua_callback_lock);
	return rc;
}

/* winit.initializer { name = "...", fill = function(t, rng) ... end, summary = "..." }
 * -> name.  t = { shape = {fan_in, fan_out}, n, fan_in, fan_out, gain }; fill returns a
 * table of t.n numbers, row-major; rng:uniform(), rng:normal(), rng:integer(n) draw from
 * the run's own stream, so results stay reproducible. */
static int l_initializer(lua_State *L)
{
	static const char *const keys[] = { "name", "fill", "summary", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	check_keys(L, 1, keys, "initializer", 0);
	lua_getfield(L, 1, "name");
	const char *name = lua_tostring(L, -1);
	if (!name || !*name || strlen(name) >= 64)
		return luaL_error(L, "initializer: 'name' must be a string of 1 to 63 characters");
	lua_getfield(L, 1, "fill");
	if (!lua_isfunction(L, -1))
		return luaL_error(L, "initializer: 'fill' must be a function(t, rng) returning the values");
	struct lua_init *li = lua_newuserdatauv(L, sizeof *li, 0);
	memset(li, 0, sizeof *li);
	luaL_setmetatable(L, MT_LUA_INIT);
	snprintf(li->name, sizeof li->name, "%s", name);
	lua_getfield(L, 1, "summary");
	snprintf(li->summary, sizeof li->summary, "%s",
	         lua_isstring(L, -1) ? lua_tostring(L, -1) : "initializer written in Lua");
	lua_pop(L, 1);
	lua_State *main = L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
	main = lua_tothread(L, -1);
	lua_pop(L, 1);
	li->L = main;
	lua_pushvalue(L, -2); /* the function */
	li->fill_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	li->desc.info = (struct winit_plugin_info){
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.name = li->name,
		.summary = li->summary,
		.formula = "defined by a Lua function",
	};
	li->desc.fill = lua_init_fill;
	/* Keep it alive for the state's lifetime: descriptors must outlive the registry. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, KEY_LUA_INITS);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	lua_pop(L, 1);
	luaL_where(L, 1);
	char origin[256];
	snprintf(origin, sizeof origin, "Lua %s", lua_tostring(L, -1));
	size_t ol = strlen(origin);
	while (ol > 0 && (origin[ol - 1] == ' ' || origin[ol - 1] == ':'))
		origin[--ol] = '\0';
	struct winit_error err = { 0 };
	if (winit_registry_add(get_registry(L), &li->desc.info, origin, &err))
		return luaL_error(L, "initializer: %s", err.msg);
	lua_pushstring(L, li->name);
	return 1;
}

/* ---------------------------------------------------------------- misc */

/* winit.set_seed(n): the default seed of models and studies made afterwards. */
static int l_set_seed(lua_State *L)
{
	lua_Integer s = luaL_checkinteger(L, 1);
	luaL_argcheck(L, s >= 0, 1, "seed must be >= 0");
	lua_pushinteger(L, s);
	lua_setfield(L, LUA_REGISTRYINDEX, "winit.seed");
	return 0;
}

/* winit.set_jobs(n): default number of concurrent runs for Study:run (0 = all cores). */
static int l_set_jobs(lua_State *L)
{
	lua_Integer j = luaL_checkinteger(L, 1);
	luaL_argcheck(L, j >= 0, 1, "jobs must be >= 0");
	lua_pushinteger(L, j);
	lua_setfield(L, LUA_REGISTRYINDEX, "winit.jobs");
	return 0;
}

static int l_cpu_count(lua_State *L)
{
	lua_pushinteger(L, winit_cpu_count());
	return 1;
}

/* winit.parse_args(arg, {seed = 42, out = "x.json", jobs = 0}) -> options
 * Accepts --name value and --name=value for every key of the defaults table; the type of
 * each default (integer, number, string, boolean) is the type expected. */
static int l_parse_args(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TTABLE);
	lua_newtable(L);
	int out = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, out);
	}
	if (lua_isnoneornil(L, 1))
		return 1;
	luaL_checktype(L, 1, LUA_TTABLE);
	int n = (int)luaL_len(L, 1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		const char *a = lua_tostring(L, -1);
		if (!a || strncmp(a, "--", 2) != 0)
			return luaL_error(L, "argument %d: expected --option, got '%s'", i, a ? a : "?");
		char key[64];
		const char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (klen == 0 || klen >= sizeof key)
			return luaL_error(L, "argument %d: bad option '%s'", i, a);
		memcpy(key, a + 2, klen);
		key[klen] = '\0';
		for (char *c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		int ty = lua_getfield(L, 2, key);
		lua_pop(L, 1);
		if (ty == LUA_TNIL) {
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			lua_pushnil(L);
			int first = 1;
			while (lua_next(L, 2)) {
				lua_pop(L, 1);
				if (!first)
					luaL_addstring(&b, ", ");
				first = 0;
				luaL_addstring(&b, "--");
				luaL_addstring(&b, lua_tostring(L, -1));
			}
			luaL_pushresult(&b);
			return luaL_error(L, "unknown option '--%s' (known: %s)", key, lua_tostring(L, -1));
		}
		const char *val;
		if (eq)
			val = eq + 1;
		else if (ty == LUA_TBOOLEAN)
			val = "true";
		else {
			lua_rawgeti(L, 1, ++i);
			val = lua_tostring(L, -1);
			if (!val)
				return luaL_error(L, "option '--%s' needs a value", key);
		}
		if (ty == LUA_TBOOLEAN) {
			if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "1") && strcmp(val, "0"))
				return luaL_error(L, "option '--%s' expects true or false, got '%s'", key, val);
			lua_pushboolean(L, strcmp(val, "true") == 0 || strcmp(val, "1") == 0);
		} else if (ty == LUA_TNUMBER) {
			lua_getfield(L, 2, key);
			int want_int = lua_isinteger(L, -1);
			lua_pop(L, 1);
			if (!lua_stringtonumber(L, val))
				return luaL_error(L, "option '--%s' expects a number, got '%s'", key, val);
			if (want_int && !lua_isinteger(L, -1))
				return luaL_error(L, "option '--%s' expects an integer, got '%s'", key, val);
		} else {
			lua_pushstring(L, val);
		}
		lua_setfield(L, out, key);
		lua_settop(L, out);
	}
	return 1;
}

static const luaL_Reg dataset_methods[] = {
	{ "__gc", dataset_gc },
	{ "__close", dataset_gc },
	{ "__len", dataset_len },
	{ "__index", dataset_index },
	{ "__tostring", dataset_tostring },
	{ "label", dataset_label },
	{ NULL, NULL }
};

static const luaL_Reg model_methods[] = {
	{ "compile", model_compile },
	{ "fit", model_fit },
	{ "evaluate", model_evaluate },
	{ "predict", model_predict },
	{ "summary", model_summary },
	{ "count_params", model_count_params },
	{ "get_weights", model_get_weights },
	{ "activation_stats", model_activation_stats },
	{ NULL, NULL }
};

static const luaL_Reg study_methods[] = {
	{ "add", study_add },
	{ "run", study_run },
	{ NULL, NULL }
};

static const luaL_Reg results_methods[] = {
	{ "print_table", results_print_table },
	{ "save", results_save },
	{ "runs", results_runs },
	{ "failed", results_failed },
	{ NULL, NULL }
};

static void new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc)
{
	luaL_newmetatable(L, name);
	if (methods) {
		lua_newtable(L);
		luaL_setfuncs(L, methods, 0);
		lua_setfield(L, -2, "__index");
	}
	if (gc) {
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__gc");
		lua_pushcfunction(L, gc);
		lua_setfield(L, -2, "__close");
	}
	lua_pop(L, 1);
}

static const luaL_Reg module_funcs[] = {
	{ "Sequential", l_sequential },
	{ "Study", l_study },
	{ "plugins", l_plugins },
	{ "load_idx", l_load_idx },
	{ "set_seed", l_set_seed },
	{ "set_jobs", l_set_jobs },
	{ "cpu_count", l_cpu_count },
	{ "parse_args", l_parse_args },
	{ "initializer", l_initializer },
	{ NULL, NULL }
};

int luaopen_winit(lua_State *L)
{
	luaL_newmetatable(L, MT_DATASET);
	luaL_setfuncs(L, dataset_methods, 0);
	lua_pop(L, 1);
	new_class(L, MT_LAYER, NULL, NULL);
	new_class(L, MT_MODEL, model_methods, model_gc);
	new_class(L, MT_STUDY, study_methods, study_gc);
	luaL_getmetatable(L, MT_STUDY);
	lua_pushcfunction(L, study_len);
	lua_setfield(L, -2, "__len");
	lua_pop(L, 1);
	new_class(L, MT_RESULTS, results_methods, results_gc);
	new_class(L, MT_REGISTRY, NULL, registry_gc);
	new_class(L, MT_LUA_INIT, NULL, NULL);
	static const luaL_Reg rng_methods[] = {
		{ "uniform", rng_uniform },
		{ "normal", rng_normal },
		{ "integer", rng_integer },
		{ NULL, NULL }
	};
	new_class(L, MT_RNG, rng_methods, NULL);

	luaL_newlib(L, module_funcs);
	lua_pushstring(L, PACKAGE_VERSION);
	lua_setfield(L, -2, "version");
	/* winit.layers */
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_dense);
	lua_setfield(L, -2, "Dense");
	lua_pushcfunction(L, l_flatten);
	lua_setfield(L, -2, "Flatten");
	lua_setfield(L, -2, "layers");
	/* winit.optimizers */
	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, l_adam);
	lua_setfield(L, -2, "Adam");
	lua_pushcfunction(L, l_sgd);
	lua_setfield(L, -2, "SGD");
	lua_setfield(L, -2, "optimizers");
	/* winit.datasets.fashion_mnist */
	lua_createtable(L, 0, 1);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, l_fashion_mnist_load);
	lua_setfield(L, -2, "load_data");
	lua_setfield(L, -2, "fashion_mnist");
	lua_setfield(L, -2, "datasets");
	return 1;
}
