/* src/lua/llayers.c -- the layer objects: winit.layers.Flatten, Dense, Reshape, Add,
 * Concatenate, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Dropout,
 * BatchNormalization, LayerNormalization and winit's Scale, with Keras's arguments
 * (positional or by name) and defaults: plain descriptions (the Layer userdata) that
 * winit.Sequential assembles into a model, or that a script calls on tensors (lgraph.c);
 * every layer's `name`, Dense's `multipliers`. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* The largest layer width and input size the binding accepts: far above anything a
 * CPU trains, well inside the 64-bit products of shapes. */
#define MAX_UNITS (1 << 24)
#define MAX_INPUTS INT32_MAX

/* A layer width: a number with an integer value in [1, MAX_UNITS] (not a string). */
static lua_Integer check_units(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TNUMBER)
		luaL_error(L, "Dense: the number of units must come first, e.g. Dense{128, activation = "
		              "\"relu\"} (got %s)",
		           luaL_typename(L, idx));
	int ok;
	lua_Integer units = lua_tointegerx(L, idx, &ok);
	if (!ok) {
		double d = lua_tonumber(L, idx);
		if (d != d)
			luaL_error(L, "Dense: units must be an integer, got nan");
		if (d != floor(d))
			luaL_error(L, "Dense: units must be an integer, got %f", d);
		luaL_error(L, "Dense: units must be an integer in [1, %d] (got %f)", MAX_UNITS, d);
	}
	if (units < 1 || units > MAX_UNITS)
		luaL_error(L, "Dense: units must be an integer in [1, %d] (got %I)",
		           MAX_UNITS, units);
	return units;
}

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
	lua_Integer size = 1;
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, -1, i + 1);
		int ok = 0;
		lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || v <= 0 || v > MAX_UNITS)
			luaL_error(L, "%s: input_shape[%d] must be an integer in [1, %d]", fn, i + 1, MAX_UNITS);
		size *= v; /* at most 3 factors of 2^24: no overflow in 64 bits before the check */
		if (size > MAX_INPUTS)
			luaL_error(L, "%s: input_shape has more than %d values per sample", fn, MAX_INPUTS);
		l->shape[i] = v;
		lua_pop(L, 1);
	}
	l->n_dims = n;
	lua_pop(L, 1);
}

void winit_lua_check_layer_name(lua_State *L, int idx, char *out, const char *fn)
{
	size_t n = 0;
	const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &n) : NULL;
	if (!s)
		luaL_error(L, "%s: name must be a string, got %s", fn, luaL_typename(L, idx));
	if (n == 0 || n > 47)
		luaL_error(L, "%s: name must have 1 to 47 characters (got %d)", fn, (int)n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			luaL_error(L, "%s: name '%s' may hold only letters, digits, '_', '.' and '-'", fn, s);
	}
	memcpy(out, s, n + 1);
}

/* A new layer of that kind (the userdata, pushed), with the options every layer takes
 * (name; input_shape) read from table t (0: none). */
static struct llayer *new_layer(lua_State *L, int32_t kind, int t, const char *fn)
{
	struct llayer *l = lua_newuserdatauv(L, sizeof *l, 0);
	memset(l, 0, sizeof *l);
	l->spec.kind = kind;
	luaL_setmetatable(L, MT_LAYER);
	if (t) {
		if (lua_getfield(L, t, "name") != LUA_TNIL)
			winit_lua_check_layer_name(L, -1, l->spec.name, fn);
		lua_pop(L, 1);
		read_shape(L, t, l, fn);
	}
	return l;
}

/* The options table of a layer that takes only options: none, nil or a table, checked
 * against keys; returns its index or 0. */
static int options(lua_State *L, const char *const keys[], const char *fn)
{
	if (lua_gettop(L) > 1)
		luaL_error(L, "%s: takes one options table (got %d arguments)", fn, lua_gettop(L));
	if (lua_isnoneornil(L, 1))
		return 0;
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, fn, 0);
	return 1;
}

/* winit.layers.Flatten{input_shape = {28, 28}, name = ...} */
static int l_flatten(lua_State *L)
{
	static const char *const keys[] = { "input_shape", "name", NULL };
	new_layer(L, WINIT_LAYER_FLATTEN, options(L, keys, "Flatten"), "Flatten");
	return 1;
}

/* winit.layers.Add{name = ...}: the sum of its inputs (a list of tensors of one shape). */
static int l_add(lua_State *L)
{
	static const char *const keys[] = { "name", NULL };
	new_layer(L, WINIT_LAYER_ADD, options(L, keys, "Add"), "Add");
	return 1;
}

/* winit.layers.Concatenate{axis = -1, name = ...}: its inputs joined along axis (Keras
 * counts the batch as axis 0, so the last axis is -1 or the rank of one example). */
static int l_concatenate(lua_State *L)
{
	static const char *const keys[] = { "axis", "name", NULL };
	int t = options(L, keys, "Concatenate");
	struct llayer *l = new_layer(L, WINIT_LAYER_CONCATENATE, t, "Concatenate");
	l->spec.axis = t ? (int32_t)winit_lua_opt_int(L, t, "axis", -1, -WINIT_MAX_RANK - 1,
	                                              WINIT_MAX_RANK, "Concatenate") :
	                   -1;
	return 1;
}

/* winit.layers.Reshape{target_shape = {28, 28, 1}} (or Reshape{{28, 28, 1}}): one
 * example's shape after it; one dim may be -1, the number the input's size leaves. */
static int l_reshape(lua_State *L)
{
	static const char *const keys[] = { "target_shape", "input_shape", "name", NULL };
	if (lua_gettop(L) != 1 || !lua_istable(L, 1))
		return luaL_error(L, "Reshape: takes one table, e.g. Reshape{target_shape = {28, 28, 1}}");
	winit_lua_check_keys(L, 1, keys, "Reshape", 1);
	int pos = lua_rawgeti(L, 1, 1) != LUA_TNIL;
	if (lua_rawgeti(L, 1, 2) != LUA_TNIL)
		return luaL_error(L, "Reshape: the target shape is one table, e.g. Reshape{{28, 28, 1}}");
	lua_pop(L, 1);
	if (lua_getfield(L, 1, "target_shape") != LUA_TNIL && pos)
		return luaL_error(L, "Reshape: target_shape given twice (first entry and target_shape =)");
	if (pos)
		lua_pop(L, 1);
	int ts = lua_gettop(L);
	if (!lua_istable(L, ts))
		return luaL_error(L, "Reshape: target_shape must be a table of 1 to %d integers, e.g. "
		                     "{28, 28, 1} (got %s)",
		                  WINIT_MAX_RANK, luaL_typename(L, ts));
	struct llayer *l = new_layer(L, WINIT_LAYER_RESHAPE, 1, "Reshape");
	int n = (int)luaL_len(L, ts), unknown = 0;
	if (n < 1 || n > WINIT_MAX_RANK)
		return luaL_error(L, "Reshape: target_shape must have 1 to %d dimensions (got %d)",
		                  WINIT_MAX_RANK, n);
	for (int i = 0; i < n; i++) {
		lua_rawgeti(L, ts, i + 1);
		int ok = 0;
		lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || v == 0 || v < -1 || v > MAX_UNITS)
			return luaL_error(L, "Reshape: target_shape[%d] must be an integer in [1, %d], or -1 "
			                     "for the size the input leaves",
			                  i + 1, MAX_UNITS);
		if (v == -1 && unknown++)
			return luaL_error(L, "Reshape: target_shape may have only one -1");
		l->target[i] = v;
		lua_pop(L, 1);
	}
	l->target_rank = n;
	return 1;
}

void winit_lua_layer_resolve(lua_State *L, const struct llayer *l, const struct winit_shape *in,
                             struct winit_layer_spec *out, const char *fn)
{
	*out = l->spec;
	if (l->spec.kind != WINIT_LAYER_RESHAPE)
		return;
	int64_t dims[WINIT_MAX_RANK], known = 1, size = winit_shape_elements(in);
	int unknown = -1;
	for (int i = 0; i < l->target_rank; i++) {
		dims[i] = l->target[i];
		if (dims[i] == -1)
			unknown = i;
		else
			known *= dims[i];
	}
	if (unknown >= 0) {
		if (size % known != 0) {
			char s[96];
			luaL_error(L, "%s: cannot reshape %s (%I values) to a shape with %I values per -1 "
			              "(the other dims' product does not divide the input's size)",
			           fn, winit_shape_format(in, s, sizeof s), (lua_Integer)size,
			           (lua_Integer)known);
		}
		dims[unknown] = size / known;
	}
	if (winit_shape_set(&out->target_shape, l->target_rank, dims))
		luaL_error(L, "%s: target_shape is too large", fn);
}

/* Whether the value at idx is an activation reference rather than an options table: a
 * string, or a table whose first entry is the plugin name ({"leaky_relu", alpha = 0.1}). */
static int is_activation(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return 1;
	if (lua_type(L, idx) != LUA_TTABLE)
		return 0;
	int s = lua_rawgeti(L, idx, 1) == LUA_TSTRING;
	lua_pop(L, 1);
	return s;
}

/* Dense's option `key` of t, else the engine's default `def` (WINIT_DENSE_DEFAULT_*),
 * resolved by name as a script's own would be (shadowing warned about alike). */
static void dense_plugin(lua_State *L, int t, const char *key, const char *def, uint32_t kind,
                         struct winit_plugin_use *out)
{
	char what[64];
	snprintf(what, sizeof what, "Dense: %s", key);
	if (lua_getfield(L, t, key) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushstring(L, def);
	}
	winit_lua_check_plugin_use(L, -1, kind, what, out);
	lua_pop(L, 1);
}

/* One tensor's multipliers {init = x, lr = y} at idx into *m (each a finite number >= 0). */
static void read_mult(lua_State *L, int idx, struct winit_param_mult *m, const char *what)
{
	static const char *const keys[] = { "init", "lr", NULL };
	char fn[64];
	snprintf(fn, sizeof fn, "Dense: multipliers.%s", what);
	if (!lua_istable(L, idx))
		luaL_error(L, "%s must be a table {init = x, lr = y}, got %s", fn, luaL_typename(L, idx));
	winit_lua_check_keys(L, idx, keys, fn, 0);
	m->init = winit_lua_opt_num(L, idx, "init", 1.0, fn);
	m->lr = winit_lua_opt_num(L, idx, "lr", 1.0, fn);
	if (!isfinite(m->init) || m->init < 0)
		luaL_error(L, "%s: init must be a finite number >= 0 (got %f)", fn, m->init);
	if (!isfinite(m->lr) || m->lr < 0)
		luaL_error(L, "%s: lr must be a finite number >= 0 (got %f)", fn, m->lr);
}

/* Dense's multipliers = {kernel = {init =, lr =}, bias = {init =, lr =}, output = z}, all
 * 1 unless given; the spec records them only when one is not 1 (all 1 is the layer
 * without them, its results files unchanged). */
static void read_multipliers(lua_State *L, int t, struct winit_layer_spec *l)
{
	static const char *const keys[] = { "kernel", "bias", "output", NULL };
	if (lua_getfield(L, t, "multipliers") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	int m = lua_gettop(L);
	if (!lua_istable(L, m))
		luaL_error(L, "Dense: multipliers must be a table {kernel = {init = x, lr = y}, bias = "
		              "{...}, output = z}, got %s",
		           luaL_typename(L, m));
	winit_lua_check_keys(L, m, keys, "Dense: multipliers", 0);
	struct winit_param_mult mult[2] = { { 1.0, 1.0 }, { 1.0, 1.0 } };
	if (lua_getfield(L, m, "kernel") != LUA_TNIL)
		read_mult(L, -1, &mult[0], "kernel");
	lua_pop(L, 1);
	if (lua_getfield(L, m, "bias") != LUA_TNIL) {
		if (!l->use_bias)
			luaL_error(L, "Dense: multipliers.bias given, but the layer has no bias (use_bias = false)");
		read_mult(L, -1, &mult[1], "bias");
	}
	lua_pop(L, 1);
	double out = winit_lua_opt_num(L, m, "output", 1.0, "Dense: multipliers");
	if (!isfinite(out) || out <= 0)
		luaL_error(L, "Dense: multipliers.output must be a finite number > 0 (got %f)", out);
	lua_pop(L, 1);
	if (mult[0].init == 1 && mult[0].lr == 1 && mult[1].init == 1 && mult[1].lr == 1 && out == 1)
		return;
	l->mult_set = 1;
	l->mult[0] = mult[0];
	l->mult[1] = mult[1];
	l->out_mult = out;
}

/* Keras's forms, all meaning the same layer:
 *   winit.layers.Dense{128, "relu", kernel_initializer = ...}
 *   winit.layers.Dense{128, activation = "relu", ...}   (or units = 128)
 *   winit.layers.Dense(128), Dense(128, "relu"), Dense(128, "relu", {kernel_initializer = ...})
 *   winit.layers.Dense(128, {activation = "relu", ...})
 * The table's positional entries (units, activation) and the keys must not say one thing
 * twice.  What is not given is Keras's default, the engine's (dense_plugin). */
static int l_dense(lua_State *L)
{
	static const char *const keys[] = { "units", "activation", "kernel_initializer",
		                            "bias_initializer", "use_bias", "input_shape", "name",
		                            "multipliers", NULL };
	int t, act = 0; /* the options table; the positional activation (0: none) */
	lua_Integer units;
	if (lua_type(L, 1) == LUA_TNUMBER) {
		units = check_units(L, 1);
		int opts = 2;
		if (is_activation(L, 2)) {
			act = 2;
			opts = 3;
		} else if (!lua_isnoneornil(L, 3)) {
			return luaL_argerror(L, 2, "activation expected (a name or {\"name\", ...}) before the options table");
		}
		if (lua_gettop(L) > opts)
			return luaL_error(L, "Dense: takes units, activation and an options table (got %d arguments)",
			                  lua_gettop(L));
		if (lua_isnoneornil(L, opts)) {
			lua_settop(L, opts);
			lua_newtable(L);
			lua_replace(L, opts);
		}
		luaL_checktype(L, opts, LUA_TTABLE);
		t = opts;
		if (lua_getfield(L, t, "units") != LUA_TNIL)
			return luaL_error(L, "Dense: units given twice (as the first argument and as units =)");
		lua_pop(L, 1);
		winit_lua_check_keys(L, t, keys, "Dense", 0);
	} else {
		luaL_checktype(L, 1, LUA_TTABLE);
		t = 1;
		/* units: the first entry, else the units key (not both) */
		int pos = lua_rawgeti(L, 1, 1) != LUA_TNIL;
		lua_getfield(L, 1, "units");
		if (pos && !lua_isnil(L, -1))
			return luaL_error(L, "Dense: units given twice (first entry and units =)");
		if (pos)
			lua_pop(L, 1);
		units = check_units(L, -1);
		lua_pop(L, pos ? 1 : 2);
		if (lua_rawgeti(L, 1, 2) != LUA_TNIL)
			act = lua_gettop(L);
		else
			lua_pop(L, 1);
		if (lua_rawgeti(L, 1, 3) != LUA_TNIL)
			return luaL_error(L, "Dense: takes at most two positional entries, units and activation");
		lua_pop(L, 1);
		winit_lua_check_keys(L, t, keys, "Dense", 1);
	}
	if (act && lua_getfield(L, t, "activation") != LUA_TNIL)
		return luaL_error(L, "Dense: activation given twice (by position and as activation =)");
	if (act)
		lua_pop(L, 1);
	struct llayer *l = new_layer(L, WINIT_LAYER_DENSE, t, "Dense");
	int ud = lua_gettop(L);
	l->spec.units = units;
	l->spec.use_bias = winit_lua_opt_bool(L, t, "use_bias", WINIT_DENSE_DEFAULT_USE_BIAS, "Dense");
	read_multipliers(L, t, &l->spec);
	if (act) {
		lua_pushvalue(L, act);
		winit_lua_check_plugin_use(L, -1, WINIT_KIND_ACTIVATION, "Dense: activation", &l->spec.activation);
		lua_pop(L, 1);
	} else {
		dense_plugin(L, t, "activation", WINIT_DENSE_DEFAULT_ACTIVATION, WINIT_KIND_ACTIVATION,
		             &l->spec.activation);
	}
	dense_plugin(L, t, "kernel_initializer", WINIT_DENSE_DEFAULT_KERNEL_INITIALIZER,
	             WINIT_KIND_INITIALIZER, &l->spec.kernel_initializer);
	dense_plugin(L, t, "bias_initializer", WINIT_DENSE_DEFAULT_BIAS_INITIALIZER,
	             WINIT_KIND_INITIALIZER, &l->spec.bias_initializer);
	lua_pushvalue(L, ud);
	return 1;
}

/* ---------------------------------------------------------------- Keras's image layers */

/* Keras's positional arguments and keywords, gathered into one fresh options table (pushed;
 * its index returned): Conv2D(32, 3), Conv2D(32, {3, 3}, {activation = "relu"}),
 * Conv2D{32, 3, activation = "relu"}, Dropout(0.5), MaxPooling2D(), MaxPooling2D{2} all
 * name `pos` in order.  A table argument with no positional entry (or none at all: {}) is
 * the options table and comes last; a positional value given by key as well is refused. */
static int gather_args(lua_State *L, const char *const pos[], const char *const keys[],
                       const char *fn, const char *example)
{
	int top = lua_gettop(L), opts = 0, npos = 0;
	while (top > 0 && lua_isnil(L, top)) /* Conv2D(32, 3, opts) with opts nil */
		top--;
	lua_settop(L, top);
	while (pos[npos])
		npos++;
	lua_newtable(L);
	int o = lua_gettop(L);
	if (top == 1 && lua_istable(L, 1)) {
		opts = 1; /* Conv2D{32, 3, ...}: its positional entries are the arguments */
		winit_lua_check_keys(L, 1, keys, fn, 1);
		int n = (int)lua_rawlen(L, 1);
		if (n > npos)
			luaL_error(L, "%s: takes at most %d positional entr%s (%s...), got %d; e.g. %s", fn,
			           npos, npos == 1 ? "y" : "ies", pos[0], n, example);
		for (int i = 1; i <= n; i++) {
			lua_rawgeti(L, 1, i);
			lua_setfield(L, o, pos[i - 1]);
		}
	} else {
		int k = 0;
		for (int i = 1; i <= top; i++) {
			int is_opts = lua_istable(L, i) && lua_rawlen(L, i) == 0;
			if (is_opts) {
				if (i != top)
					luaL_error(L, "%s: the options table must be the last argument; e.g. %s", fn,
					           example);
				winit_lua_check_keys(L, i, keys, fn, 0);
				opts = i;
				break;
			}
			if (k >= npos)
				luaL_error(L, "%s: takes at most %d positional argument%s (%s...) and an options "
				              "table, got %d arguments; e.g. %s",
				           fn, npos, npos == 1 ? "" : "s", pos[0], top, example);
			lua_pushvalue(L, i);
			lua_setfield(L, o, pos[k++]);
		}
	}
	if (opts) {
		lua_pushnil(L);
		while (lua_next(L, opts)) {
			if (lua_type(L, -2) == LUA_TSTRING) {
				if (lua_getfield(L, o, lua_tostring(L, -2)) != LUA_TNIL)
					luaL_error(L, "%s: %s given twice (by position and as %s =)", fn,
					           lua_tostring(L, -3), lua_tostring(L, -3));
				lua_pop(L, 1);
				lua_pushvalue(L, -2);
				lua_insert(L, -2);
				lua_settable(L, o);
			} else {
				lua_pop(L, 1);
			}
		}
	}
	return o;
}

/* An integer value at idx in [1, MAX_UNITS], or -1 when it is not one. */
static lua_Integer pos_int(lua_State *L, int idx)
{
	int ok = 0;
	lua_Integer v = lua_type(L, idx) == LUA_TNUMBER ? lua_tointegerx(L, idx, &ok) : 0;
	return ok && v >= 1 && v <= MAX_UNITS ? v : -1;
}

/* Option `key` of t: an integer or a {h, w} pair of integers in [1, MAX_UNITS], into
 * out[2]; def (>= 1) when absent, returns 0 then, else 1. */
static int opt_pair(lua_State *L, int t, const char *key, int32_t def, int32_t out[2],
                    const char *fn)
{
	int ty = lua_getfield(L, t, key);
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		out[0] = out[1] = def;
		return 0;
	}
	lua_Integer v = pos_int(L, -1);
	if (v > 0) {
		out[0] = out[1] = (int32_t)v;
	} else {
		int ok = ty == LUA_TTABLE && lua_rawlen(L, -1) == 2;
		for (int i = 0; ok && i < 2; i++) {
			lua_rawgeti(L, -1, i + 1);
			lua_Integer e = pos_int(L, -1);
			lua_pop(L, 1);
			ok = e > 0;
			out[i] = (int32_t)e;
		}
		if (!ok)
			luaL_error(L, "%s: %s must be an integer in [1, %d] or a pair {height, width} of them "
			              "(got %s)",
			           fn, key, MAX_UNITS,
			           ty == LUA_TNUMBER || ty == LUA_TSTRING ? lua_tostring(L, -1) :
			                                                     luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	return 1;
}

/* Option "padding": "valid", "same" or, when circular is allowed, "circular". */
static int32_t opt_padding(lua_State *L, int t, int circular, const char *fn)
{
	int32_t p = WINIT_PADDING_VALID;
	if (lua_getfield(L, t, "padding") != LUA_TNIL) {
		const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		if (s && strcmp(s, "valid") == 0)
			p = WINIT_PADDING_VALID;
		else if (s && strcmp(s, "same") == 0)
			p = WINIT_PADDING_SAME;
		else if (s && circular && strcmp(s, "circular") == 0)
			p = WINIT_PADDING_CIRCULAR;
		else
			luaL_error(L, "%s: padding must be \"valid\" or \"same\"%s (got %s%s%s)", fn,
			           circular ? " or \"circular\" (winit's)" : "", s ? "\"" : "",
			           s ? s : luaL_typename(L, -1), s ? "\"" : "");
	}
	lua_pop(L, 1);
	return p;
}

/* Option `key` of t: a plugin reference of `kind`, else def. */
static void opt_plugin(lua_State *L, int t, const char *key, const char *def, uint32_t kind,
                       struct winit_plugin_use *out, const char *fn)
{
	char what[64];
	snprintf(what, sizeof what, "%s: %s", fn, key);
	if (lua_getfield(L, t, key) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushstring(L, def);
	}
	winit_lua_check_plugin_use(L, -1, kind, what, out);
	lua_pop(L, 1);
}

/* A number option of t in [lo, hi] (lo_open/hi_open: the bound excluded). */
static double opt_range(lua_State *L, int t, const char *key, double def, double lo, int lo_open,
                        double hi, int hi_open, const char *fn)
{
	double v = winit_lua_opt_num(L, t, key, def, fn);
	if (!(v == v) || (lo_open ? v <= lo : v < lo) || (hi_open ? v >= hi : v > hi)) {
		char msg[160]; /* %g: lua_pushfstring has none */
		snprintf(msg, sizeof msg, "%s: %s must be in %s%g, %g%s (got %g)", fn, key,
		         lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]", v);
		luaL_error(L, "%s", msg);
	}
	return v;
}

/* winit.layers.Conv2D{filters, kernel_size, strides = 1, padding = "valid", dilation_rate = 1,
 * activation = "linear", use_bias = true, kernel_initializer = "glorot_uniform",
 * bias_initializer = "zeros", input_shape, name} (and Conv2D(32, 3), Conv2D(32, {3, 3},
 * {activation = "relu"})); padding "circular" is winit's (the image wrapped around). */
static int l_conv2d(lua_State *L)
{
	static const char *const pos[] = { "filters", "kernel_size", NULL };
	static const char *const keys[] = { "filters", "kernel_size", "strides", "padding",
		                            "dilation_rate", "activation", "use_bias",
		                            "kernel_initializer", "bias_initializer", "input_shape",
		                            "name", NULL };
	const char *fn = "Conv2D";
	int t = gather_args(L, pos, keys, fn, "Conv2D{32, 3, activation = \"relu\"}");
	if (lua_getfield(L, t, "filters") == LUA_TNIL)
		return luaL_error(L, "Conv2D: filters must come first, e.g. Conv2D{32, 3, activation = "
		                     "\"relu\"}");
	lua_Integer filters = pos_int(L, -1);
	if (filters < 0)
		return luaL_error(L, "Conv2D: filters must be an integer in [1, %d] (got %s)", MAX_UNITS,
		                  luaL_tolstring(L, -1, NULL));
	lua_pop(L, 1);
	struct llayer *l = new_layer(L, WINIT_LAYER_CONV2D, t, fn);
	int ud = lua_gettop(L);
	l->spec.units = filters;
	if (!opt_pair(L, t, "kernel_size", 1, l->spec.kernel_size, fn))
		return luaL_error(L, "Conv2D: kernel_size is required, e.g. Conv2D{32, 3} or "
		                     "Conv2D{32, {3, 3}}");
	opt_pair(L, t, "strides", 1, l->spec.strides, fn);
	opt_pair(L, t, "dilation_rate", 1, l->spec.dilation, fn);
	if ((l->spec.strides[0] > 1 || l->spec.strides[1] > 1) &&
	    (l->spec.dilation[0] > 1 || l->spec.dilation[1] > 1))
		return luaL_error(L, "Conv2D: strides > 1 and dilation_rate > 1 cannot be combined (as "
		                     "in Keras)");
	l->spec.padding = opt_padding(L, t, 1, fn);
	l->spec.use_bias = winit_lua_opt_bool(L, t, "use_bias", 1, fn);
	opt_plugin(L, t, "activation", WINIT_DENSE_DEFAULT_ACTIVATION, WINIT_KIND_ACTIVATION,
	           &l->spec.activation, fn);
	opt_plugin(L, t, "kernel_initializer", WINIT_DENSE_DEFAULT_KERNEL_INITIALIZER,
	           WINIT_KIND_INITIALIZER, &l->spec.kernel_initializer, fn);
	opt_plugin(L, t, "bias_initializer", WINIT_DENSE_DEFAULT_BIAS_INITIALIZER,
	           WINIT_KIND_INITIALIZER, &l->spec.bias_initializer, fn);
	lua_pushvalue(L, ud);
	return 1;
}

/* MaxPooling2D / AveragePooling2D{pool_size = 2, strides = pool_size, padding = "valid"}. */
static int pooling(lua_State *L, int32_t kind, const char *fn, const char *example)
{
	static const char *const pos[] = { "pool_size", "strides", "padding", NULL };
	static const char *const keys[] = { "pool_size", "strides", "padding", "input_shape",
		                            "name", NULL };
	int t = gather_args(L, pos, keys, fn, example);
	struct llayer *l = new_layer(L, kind, t, fn);
	opt_pair(L, t, "pool_size", 2, l->spec.kernel_size, fn);
	/* Keras: strides None means pool_size */
	if (!opt_pair(L, t, "strides", 1, l->spec.strides, fn)) {
		l->spec.strides[0] = l->spec.kernel_size[0];
		l->spec.strides[1] = l->spec.kernel_size[1];
	}
	l->spec.padding = opt_padding(L, t, 0, fn);
	return 1;
}

static int l_max_pooling2d(lua_State *L)
{
	return pooling(L, WINIT_LAYER_MAX_POOLING2D, "MaxPooling2D", "MaxPooling2D{2} or "
	                                                             "MaxPooling2D{pool_size = {2, 2}}");
}

static int l_average_pooling2d(lua_State *L)
{
	return pooling(L, WINIT_LAYER_AVERAGE_POOLING2D, "AveragePooling2D",
	               "AveragePooling2D{2} or AveragePooling2D{pool_size = {2, 2}}");
}

/* winit.layers.GlobalAveragePooling2D{}: each channel's mean over the image. */
static int l_global_average_pooling2d(lua_State *L)
{
	static const char *const keys[] = { "input_shape", "name", NULL };
	new_layer(L, WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D, options(L, keys, "GlobalAveragePooling2D"),
	          "GlobalAveragePooling2D");
	return 1;
}

/* winit.layers.Dropout(0.5) or Dropout{rate = 0.5}: rate in [0, 1), no default (Keras). */
static int l_dropout(lua_State *L)
{
	static const char *const pos[] = { "rate", NULL };
	static const char *const keys[] = { "rate", "input_shape", "name", NULL };
	int t = gather_args(L, pos, keys, "Dropout", "Dropout(0.5) or Dropout{rate = 0.5}");
	if (lua_getfield(L, t, "rate") == LUA_TNIL)
		return luaL_error(L, "Dropout: rate is required, e.g. Dropout(0.5) or Dropout{rate = 0.5}");
	lua_pop(L, 1);
	struct llayer *l = new_layer(L, WINIT_LAYER_DROPOUT, t, "Dropout");
	l->spec.rate = opt_range(L, t, "rate", 0, 0, 0, 1, 1, "Dropout");
	return 1;
}

/* Keras's axis: -1 (the last) only, the axis the engine normalizes over. */
static void check_axis(lua_State *L, int t, const char *fn)
{
	if (lua_getfield(L, t, "axis") != LUA_TNIL) {
		int ok = 0;
		lua_Integer a = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || a != -1)
			luaL_error(L, "%s: only axis = -1 (the last axis, the channels) is supported (got %s)",
			           fn, luaL_tolstring(L, -1, NULL));
	}
	lua_pop(L, 1);
}

/* The two normalizations' gamma and beta initializers (kernel's and bias's slots). */
static void norm_initializers(lua_State *L, int t, struct llayer *l, const char *fn)
{
	opt_plugin(L, t, "gamma_initializer", "ones", WINIT_KIND_INITIALIZER,
	           &l->spec.kernel_initializer, fn);
	opt_plugin(L, t, "beta_initializer", "zeros", WINIT_KIND_INITIALIZER,
	           &l->spec.bias_initializer, fn);
}

/* winit.layers.BatchNormalization{axis = -1, momentum = 0.99, epsilon = 1e-3,
 * gamma_initializer = "ones", beta_initializer = "zeros"} */
static int l_batch_normalization(lua_State *L)
{
	static const char *const keys[] = { "axis", "momentum", "epsilon", "gamma_initializer",
		                            "beta_initializer", "input_shape", "name", NULL };
	const char *fn = "BatchNormalization";
	int t = options(L, keys, fn);
	if (!t) {
		lua_newtable(L);
		t = lua_gettop(L);
	}
	check_axis(L, t, fn);
	struct llayer *l = new_layer(L, WINIT_LAYER_BATCH_NORMALIZATION, t, fn);
	int ud = lua_gettop(L);
	l->spec.momentum = opt_range(L, t, "momentum", 0.99, 0, 0, 1, 0, fn);
	l->spec.epsilon = opt_range(L, t, "epsilon", 1e-3, 0, 1, HUGE_VAL, 1, fn);
	norm_initializers(L, t, l, fn);
	lua_pushvalue(L, ud);
	return 1;
}

/* winit.layers.LayerNormalization{axis = -1, epsilon = 1e-3, gamma_initializer = "ones",
 * beta_initializer = "zeros"} */
static int l_layer_normalization(lua_State *L)
{
	static const char *const keys[] = { "axis", "epsilon", "gamma_initializer",
		                            "beta_initializer", "input_shape", "name", NULL };
	const char *fn = "LayerNormalization";
	int t = options(L, keys, fn);
	if (!t) {
		lua_newtable(L);
		t = lua_gettop(L);
	}
	check_axis(L, t, fn);
	struct llayer *l = new_layer(L, WINIT_LAYER_LAYER_NORMALIZATION, t, fn);
	int ud = lua_gettop(L);
	l->spec.epsilon = opt_range(L, t, "epsilon", 1e-3, 0, 1, HUGE_VAL, 1, fn);
	norm_initializers(L, t, l, fn);
	lua_pushvalue(L, ud);
	return 1;
}

/* winit.layers.Scale{initializer = "ones", per_channel = false} (winit's): its input times
 * a trained multiplier alpha, one for all values or one per channel (the last axis). */
static int l_scale(lua_State *L)
{
	static const char *const keys[] = { "initializer", "per_channel", "input_shape", "name",
		                            NULL };
	int t = options(L, keys, "Scale");
	if (!t) {
		lua_newtable(L);
		t = lua_gettop(L);
	}
	struct llayer *l = new_layer(L, WINIT_LAYER_SCALE, t, "Scale");
	int ud = lua_gettop(L);
	l->spec.per_channel = winit_lua_opt_bool(L, t, "per_channel", 0, "Scale");
	opt_plugin(L, t, "initializer", "ones", WINIT_KIND_INITIALIZER, &l->spec.kernel_initializer,
	           "Scale");
	lua_pushvalue(L, ud);
	return 1;
}

/* tostring(layer): "Dense(dense_1: 128 units, relu)", "Conv2D(conv2d_1: 32 filters 3x3,
 * relu)", "Add(my_sum)" -- its own name, the one it took when called on a tensor, or its
 * kind's prefix before. */
static int layer_tostring(lua_State *L)
{
	const struct llayer *l = luaL_checkudata(L, 1, MT_LAYER);
	const char *name = l->spec.name[0] ? l->spec.name :
	                   l->called   ? l->called_name :
	                                 winit_layer_kind_prefix(l->spec.kind);
	if (l->spec.kind == WINIT_LAYER_DENSE)
		lua_pushfstring(L, "Dense(%s: %I units, %s)", name, (lua_Integer)l->spec.units,
		                l->spec.activation.info->name);
	else if (l->spec.kind == WINIT_LAYER_CONV2D)
		lua_pushfstring(L, "Conv2D(%s: %I filters %dx%d, %s)", name, (lua_Integer)l->spec.units,
		                (int)l->spec.kernel_size[0], (int)l->spec.kernel_size[1],
		                l->spec.activation.info->name);
	else
		lua_pushfstring(L, "%s(%s)", winit_layer_kind_name(l->spec.kind), name);
	return 1;
}

void winit_lua_open_layers(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "Dense", l_dense },
		{ "Flatten", l_flatten },
		{ "Reshape", l_reshape },
		{ "Add", l_add },
		{ "Concatenate", l_concatenate },
		{ "Conv2D", l_conv2d },
		{ "MaxPooling2D", l_max_pooling2d },
		{ "AveragePooling2D", l_average_pooling2d },
		{ "GlobalAveragePooling2D", l_global_average_pooling2d },
		{ "Dropout", l_dropout },
		{ "BatchNormalization", l_batch_normalization },
		{ "LayerNormalization", l_layer_normalization },
		{ "Scale", l_scale },
		{ "Input", winit_lua_input }, /* lgraph.c's, Keras's keras.layers.Input */
		{ NULL, NULL }
	};
	winit_lua_new_class(L, MT_LAYER, NULL, NULL);
	luaL_getmetatable(L, MT_LAYER);
	lua_pushcfunction(L, winit_lua_layer_call); /* layer(x): lgraph.c */
	lua_setfield(L, -2, "__call");
	lua_pushcfunction(L, layer_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	lua_createtable(L, 0, 14);
	winit_lua_set_funcs(L, lua_gettop(L), funcs);
	lua_setfield(L, module_index, "layers");
}
