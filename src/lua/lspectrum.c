/* src/lua/lspectrum.c -- a Jacobian spectrum (winit/spectrum.h) from the Lua table a script
 * built (study:add_spectrum's argument): every member checked for its type and size before
 * anything is allocated, then copied, then held to the results file's rules
 * (winit_spectrum_validate). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/spectrum.h>

#include "lua/lbinding.h"

#define ADD "Study:add_spectrum"

static const char *const spectrum_keys[] = {
	"name", "activation", "weights", "sigma_w", "sigma_b", "q_star", "chi_1", "v_w", "v_d",
	"width", "networks", "examples", "hist_log10_range", "hist_bins", "depths", NULL
};
static const char *const depth_keys[] = {
	"depth", "values", "mean_sq", "mean_sq_per_network", "var_sq", "norm_var", "max", "min",
	"theory_mean_sq", "theory_var_sq", "theory_norm_var", "hist_counts", NULL
};

/* Pushes t[key] (raw) and returns its type. */
static int rawfield(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

/* t[key], a non-empty string of fewer than size bytes, copied into out. */
static void str_field(lua_State *L, int t, const char *key, char *out, size_t size)
{
	if (rawfield(L, t, key) != LUA_TSTRING || lua_rawlen(L, -1) == 0 || lua_rawlen(L, -1) >= size)
		luaL_error(L, ADD ": '%s' must be a string of 1 to %d bytes (got %s)", key, (int)size - 1,
		           luaL_typename(L, -1));
	snprintf(out, size, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
}

/* t[key] a number (nil_ok: or nil, NaN); `where` prefixes the key in the message. */
static double num_field(lua_State *L, int t, const char *where, const char *key, int nil_ok)
{
	int type = rawfield(L, t, key);
	if (type == LUA_TNIL && nil_ok) {
		lua_pop(L, 1);
		return NAN;
	}
	if (type != LUA_TNUMBER)
		luaL_error(L, ADD ": '%s%s' must be a number%s (got %s)", where, key, nil_ok ? " or nil" : "",
		           luaL_typename(L, -1));
	double v = (double)lua_tonumber(L, -1);
	lua_pop(L, 1);
	return v;
}

/* t[key] an integer in [lo, hi]. */
static lua_Integer int_field(lua_State *L, int t, const char *where, const char *key, lua_Integer lo,
                             lua_Integer hi)
{
	int isint = 0;
	rawfield(L, t, key);
	lua_Integer v = lua_tointegerx(L, -1, &isint);
	if (!isint || lua_type(L, -1) != LUA_TNUMBER || v < lo || v > hi)
		luaL_error(L, ADD ": '%s%s' must be an integer in [%I, %I]", where, key, lo, hi);
	lua_pop(L, 1);
	return v;
}

/* Pushes t[key], a list of exactly n numbers (integers: integers), or raises. */
static void push_list(lua_State *L, int t, const char *where, const char *key, lua_Integer n,
                      const char *what, int integers)
{
	if (rawfield(L, t, key) != LUA_TTABLE || (lua_Integer)lua_rawlen(L, -1) != n)
		luaL_error(L, ADD ": '%s%s' must be a list of %I %s", where, key, (lua_Integer)n, what);
	for (lua_Integer i = 1; i <= n; i++) {
		int isint = 0;
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TNUMBER || (integers && (lua_tointegerx(L, -1, &isint), !isint)))
			luaL_error(L, ADD ": '%s%s[%I]' must be %s", where, key, (lua_Integer)i,
			           integers ? "an integer" : "a number");
		lua_pop(L, 1);
	}
}

/* The record's scalars (everything but its depths) from the table at t into s. */
static void read_scalars(lua_State *L, int t, struct winit_spectrum *s)
{
	memset(s, 0, sizeof *s);
	str_field(L, t, "name", s->name, sizeof s->name);
	str_field(L, t, "activation", s->activation, sizeof s->activation);
	str_field(L, t, "weights", s->weights, sizeof s->weights);
	s->sigma_w = num_field(L, t, "", "sigma_w", 0);
	s->sigma_b = num_field(L, t, "", "sigma_b", 0);
	s->q_star = num_field(L, t, "", "q_star", 1);
	s->chi_1 = num_field(L, t, "", "chi_1", 0);
	s->v_w = num_field(L, t, "", "v_w", 0);
	s->v_d = num_field(L, t, "", "v_d", 0);
	s->width = (int32_t)int_field(L, t, "", "width", 1, INT32_MAX);
	s->networks = (int32_t)int_field(L, t, "", "networks", 1, INT32_MAX);
	s->examples = (int32_t)int_field(L, t, "", "examples", 1, INT32_MAX);
	s->hist_bins = (int32_t)int_field(L, t, "", "hist_bins", 1, INT32_MAX);
	push_list(L, t, "", "hist_log10_range", 2, "numbers {lo, hi}", 0);
	lua_rawgeti(L, -1, 1);
	lua_rawgeti(L, -2, 2);
	s->hist_lo = (double)lua_tonumber(L, -2);
	s->hist_hi = (double)lua_tonumber(L, -1);
	lua_pop(L, 3);
}

/* Check depths[d] (of the list at index depths) for a record of scalars s: raises, naming
 * the member, before anything is allocated. */
static void check_depth(lua_State *L, int depths, lua_Integer d, const struct winit_spectrum *s)
{
	char where[48];
	snprintf(where, sizeof where, "depths[%lld].", (long long)d);
	if (lua_rawgeti(L, depths, d) != LUA_TTABLE)
		luaL_error(L, ADD ": 'depths[%I]' must be a table", (lua_Integer)d);
	int y = lua_gettop(L);
	winit_lua_check_keys(L, y, depth_keys, ADD, 0);
	int_field(L, y, where, "depth", 1, INT32_MAX);
	int_field(L, y, where, "values", 1, LUA_MAXINTEGER);
	static const char *const nums[] = { "mean_sq", "var_sq", "norm_var", "max", "min" };
	for (size_t k = 0; k < sizeof nums / sizeof *nums; k++)
		num_field(L, y, where, nums[k], 0);
	num_field(L, y, where, "theory_mean_sq", 1);
	num_field(L, y, where, "theory_var_sq", 1);
	num_field(L, y, where, "theory_norm_var", 1);
	push_list(L, y, where, "mean_sq_per_network", s->networks, "numbers (one per network)", 0);
	push_list(L, y, where, "hist_counts", s->hist_bins, "integers (hist_bins of them)", 1);
	lua_pop(L, 3);
}

/* Copy the checked depths[d] into o (its lists have room for networks and bins values). */
static void read_depth(lua_State *L, int depths, lua_Integer d, int32_t networks, int32_t bins,
                       struct winit_spectrum_depth *o)
{
	lua_rawgeti(L, depths, d);
	int y = lua_gettop(L);
	o->depth = (int32_t)int_field(L, y, "", "depth", 1, INT32_MAX);
	o->values = (int64_t)int_field(L, y, "", "values", 1, LUA_MAXINTEGER);
	o->mean_sq = num_field(L, y, "", "mean_sq", 0);
	o->var_sq = num_field(L, y, "", "var_sq", 0);
	o->norm_var = num_field(L, y, "", "norm_var", 0);
	o->max = num_field(L, y, "", "max", 0);
	o->min = num_field(L, y, "", "min", 0);
	o->theory_mean_sq = num_field(L, y, "", "theory_mean_sq", 1);
	o->theory_var_sq = num_field(L, y, "", "theory_var_sq", 1);
	o->theory_norm_var = num_field(L, y, "", "theory_norm_var", 1);
	rawfield(L, y, "mean_sq_per_network");
	winit_lua_copy_numbers(L, o->mean_sq_per_network, networks);
	lua_pop(L, 1);
	rawfield(L, y, "hist_counts");
	winit_lua_copy_integers(L, o->hist_counts, bins);
	lua_pop(L, 2);
}

void winit_lua_spectrum_from_table(lua_State *L, int t, struct winit_spectrum *out)
{
	t = lua_absindex(L, t);
	luaL_checktype(L, t, LUA_TTABLE);
	winit_lua_check_keys(L, t, spectrum_keys, ADD, 0);
	struct winit_spectrum s; /* the scalars, before anything is allocated */
	read_scalars(L, t, &s);
	if (rawfield(L, t, "depths") != LUA_TTABLE || lua_rawlen(L, -1) == 0)
		luaL_error(L, ADD ": 'depths' must be a non-empty list of tables (one per depth)");
	int depths = lua_gettop(L);
	lua_Integer n_depths = (lua_Integer)lua_rawlen(L, depths);
	if (n_depths > INT32_MAX)
		luaL_error(L, ADD ": too many depths");
	for (lua_Integer d = 1; d <= n_depths; d++)
		check_depth(L, depths, d, &s);
	/* Checked: from here on nothing raises until the copy is whole. */
	struct winit_error err = { 0 };
	if (winit_spectrum_alloc(out, (int32_t)n_depths, s.networks, s.hist_bins, &err))
		luaL_error(L, ADD ": %s", err.msg);
	struct winit_spectrum_depth *room = out->depths;
	*out = s;
	out->depths = room;
	out->n_depths = (int32_t)n_depths;
	for (lua_Integer d = 1; d <= n_depths; d++)
		read_depth(L, depths, d, s.networks, s.hist_bins, &out->depths[d - 1]);
	lua_pop(L, 1); /* depths */
	if (winit_spectrum_validate(out, &err)) {
		winit_spectrum_free(out);
		luaL_error(L, ADD ": %s", err.msg);
	}
}
