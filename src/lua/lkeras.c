/* src/lua/lkeras.c -- Keras's class names for plugins: winit.initializers (HeNormal,
 * RandomNormal{mean = 0, stddev = 1}, ...) and winit.activations (ReLU, LeakyReLU, ...).
 *
 * A class call returns the plain plugin reference winit already takes ({"he_normal"},
 * {"random_normal", mean = 0, stddev = 1}), so it is data like any other and goes wherever
 * a plugin name goes; the class name as a string ("HeNormal", {"HeNormal", ...}) is
 * translated the same way wherever a plugin reference is read (winit_lua_check_plugin_use). */
#include "config.h"

#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

struct keras_class {
	const char *cls;    /* Keras's class name */
	uint32_t kind;      /* WINIT_KIND_* */
	const char *plugin; /* the winit plugin it maps to */
	/* Keras's positional arguments, in order (NULL-terminated; `seed` is refused). */
	const char *positional[4];
	/* A default of Keras's class that differs from the plugin's (NULL: none). */
	const char *def_key;
	double def_value;
};

static const struct keras_class classes[] = {
	{ "Zeros", WINIT_KIND_INITIALIZER, "zeros", { NULL }, NULL, 0 },
	{ "Ones", WINIT_KIND_INITIALIZER, "ones", { NULL }, NULL, 0 },
	{ "Constant", WINIT_KIND_INITIALIZER, "constant", { "value", NULL }, NULL, 0 },
	{ "RandomNormal", WINIT_KIND_INITIALIZER, "random_normal", { "mean", "stddev", NULL }, NULL, 0 },
	{ "RandomUniform", WINIT_KIND_INITIALIZER, "random_uniform", { "minval", "maxval", NULL }, NULL, 0 },
	{ "TruncatedNormal", WINIT_KIND_INITIALIZER, "truncated_normal", { "mean", "stddev", NULL }, NULL, 0 },
	{ "GlorotNormal", WINIT_KIND_INITIALIZER, "glorot_normal", { NULL }, NULL, 0 },
	{ "GlorotUniform", WINIT_KIND_INITIALIZER, "glorot_uniform", { NULL }, NULL, 0 },
	{ "HeNormal", WINIT_KIND_INITIALIZER, "he_normal", { NULL }, NULL, 0 },
	{ "HeUniform", WINIT_KIND_INITIALIZER, "he_uniform", { NULL }, NULL, 0 },
	{ "LecunNormal", WINIT_KIND_INITIALIZER, "lecun_normal", { NULL }, NULL, 0 },
	{ "LecunUniform", WINIT_KIND_INITIALIZER, "lecun_uniform", { NULL }, NULL, 0 },
	{ "VarianceScaling", WINIT_KIND_INITIALIZER, "variance_scaling", { "scale", "mode", "distribution", NULL }, NULL, 0 },
	{ "Orthogonal", WINIT_KIND_INITIALIZER, "orthogonal", { "gain", NULL }, NULL, 0 },
	{ "Identity", WINIT_KIND_INITIALIZER, "identity", { "gain", NULL }, NULL, 0 },
	/* Keras's activation layers with a winit activation behind them. */
	{ "ReLU", WINIT_KIND_ACTIVATION, "relu", { NULL }, NULL, 0 },
	{ "LeakyReLU", WINIT_KIND_ACTIVATION, "leaky_relu", { "alpha", NULL }, "alpha", 0.3 },
	{ "ELU", WINIT_KIND_ACTIVATION, "elu", { "alpha", NULL }, NULL, 0 },
	{ "Softmax", WINIT_KIND_ACTIVATION, "softmax", { NULL }, NULL, 0 },
};

static const struct keras_class *find_class(uint32_t kind, const char *name)
{
	for (size_t i = 0; name && i < sizeof classes / sizeof classes[0]; i++)
		if (classes[i].kind == kind && strcmp(classes[i].cls, name) == 0)
			return &classes[i];
	return NULL;
}

static int n_positional(const struct keras_class *c)
{
	int n = 0;
	while (c->positional[n])
		n++;
	return n;
}

/* Set the value at the top of the stack as parameter `pos` (1-based) of c in table t. */
static void set_positional(lua_State *L, int t, const struct keras_class *c, lua_Integer pos)
{
	if (pos < 1 || pos > n_positional(c))
		luaL_error(L, "%s: takes %d positional argument%s%s%s (got one at position %d)", c->cls,
		           n_positional(c), n_positional(c) == 1 ? "" : "s",
		           n_positional(c) ? ": " : "", n_positional(c) ? c->positional[0] : "", (int)pos);
	lua_setfield(L, t, c->positional[pos - 1]);
}

/* Push {plugin, params...} for class c called with the arguments first..last: a table of
 * options (positional entries in Keras's order) or the positional values themselves. */
static void push_reference(lua_State *L, const struct keras_class *c, int first, int last)
{
	lua_newtable(L);
	int t = lua_gettop(L);
	lua_pushstring(L, c->plugin);
	lua_rawseti(L, t, 1);
	if (c->def_key) {
		lua_pushnumber(L, c->def_value);
		lua_setfield(L, t, c->def_key);
	}
	if (first == last && lua_istable(L, first)) {
		lua_pushnil(L);
		while (lua_next(L, first)) {
			if (lua_type(L, -2) == LUA_TNUMBER) {
				set_positional(L, t, c, lua_tointeger(L, -2));
				continue;
			}
			if (lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), "seed") == 0)
				luaL_error(L, "%s: winit takes no per-initializer seed: every initializer draws from "
				              "the run's own stream, set with winit.set_seed or the Study's seed",
				           c->cls);
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_settable(L, t);
		}
	} else {
		for (int i = first; i <= last; i++) {
			lua_pushvalue(L, i);
			set_positional(L, t, c, i - first + 1);
		}
	}
}

/* winit.initializers.HeNormal(), RandomNormal{mean = 0, stddev = 1}, Constant(0.5), ... */
static int l_class_call(lua_State *L)
{
	const struct keras_class *c = lua_touserdata(L, lua_upvalueindex(1));
	int top = lua_gettop(L);
	push_reference(L, c, 1, top);
	/* Checked now, so that a bad parameter is reported at the line that wrote it. */
	struct winit_plugin_use use;
	winit_lua_check_plugin_use(L, -1, c->kind, c->cls, &use);
	return 1;
}

int winit_lua_keras_translate(lua_State *L, int idx, uint32_t kind)
{
	idx = lua_absindex(L, idx);
	const struct keras_class *c;
	if (lua_type(L, idx) == LUA_TSTRING) {
		if (!(c = find_class(kind, lua_tostring(L, idx))))
			return 0;
		push_reference(L, c, 1, 0);
		return 1;
	}
	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	lua_rawgeti(L, idx, 1);
	c = find_class(kind, lua_tostring(L, -1));
	lua_pop(L, 1);
	if (!c)
		return 0;
	/* {"HeNormal", k = v}: the same as HeNormal{k = v}, without the name. */
	lua_newtable(L);
	int copy = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -2) == LUA_TNUMBER && lua_tointeger(L, -2) == 1) {
			lua_pop(L, 1);
			continue;
		}
		lua_Integer k = lua_type(L, -2) == LUA_TNUMBER ? lua_tointeger(L, -2) - 1 : 0;
		if (k) {
			lua_rawseti(L, copy, k);
			continue;
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, copy);
	}
	push_reference(L, c, copy, copy);
	lua_remove(L, copy);
	return 1;
}

static void open_kind(lua_State *L, int module_index, uint32_t kind, const char *field)
{
	lua_newtable(L);
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		if (classes[i].kind != kind)
			continue;
		lua_pushlightuserdata(L, (void *)&classes[i]);
		lua_pushcclosure(L, l_class_call, 1);
		lua_setfield(L, -2, classes[i].cls);
	}
	lua_setfield(L, module_index, field);
}

void winit_lua_open_keras(lua_State *L, int module_index)
{
	open_kind(L, module_index, WINIT_KIND_INITIALIZER, "initializers");
	open_kind(L, module_index, WINIT_KIND_ACTIVATION, "activations");
}
