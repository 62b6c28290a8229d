/* src/lua/ltheory.c -- winit.theory: the mean-field fixed point q*, chi_1 and its depth
 * scale, the edge of chaos, and the correlation map with its fixed point c*, chi_c and the
 * depth scales xi_q and xi_c, for any element-wise activation plugin (winit/theory.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

static double check_sigma(lua_State *L, int arg, const char *fn, const char *name)
{
	double v = luaL_checknumber(L, arg);
	if (!isfinite(v) || v < 0) {
		char got[32];
		snprintf(got, sizeof got, "%g", v); /* lua_pushfstring has no %g */
		luaL_error(L, "%s: %s must be a finite number >= 0 (got %s)", fn, name, got);
	}
	return v;
}

/* winit.theory.fixed_point(activation, sigma_w, sigma_b)
 *   -> { q_star = , chi_1 = , depth_scale = } */
static int l_fixed_point(lua_State *L)
{
	const char *fn = "theory.fixed_point";
	struct winit_plugin_use act;
	winit_lua_check_plugin_use(L, 1, WINIT_KIND_ACTIVATION, fn, &act);
	double sw = check_sigma(L, 2, fn, "sigma_w"), sb = check_sigma(L, 3, fn, "sigma_b");
	struct winit_fixed_point fp;
	struct winit_error err = { 0 };
	if (winit_theory_fixed_point(&fp, (const struct winit_activation *)act.info, act.params, sw,
	                             sb, &err))
		return luaL_error(L, "%s: %s", fn, err.msg);
	lua_createtable(L, 0, 3);
	lua_pushnumber(L, fp.q_star);
	lua_setfield(L, -2, "q_star");
	lua_pushnumber(L, fp.chi_1);
	lua_setfield(L, -2, "chi_1");
	lua_pushnumber(L, fp.depth_scale);
	lua_setfield(L, -2, "depth_scale");
	return 1;
}

/* winit.theory.critical_sigma_w(activation, sigma_b [, lo = 0.1 [, hi = 10]])
 *   -> sigma_w, or nil and the reason when chi_1 = 1 is not bracketed by [lo, hi]. */
static int l_critical_sigma_w(lua_State *L)
{
	const char *fn = "theory.critical_sigma_w";
	struct winit_plugin_use act;
	winit_lua_check_plugin_use(L, 1, WINIT_KIND_ACTIVATION, fn, &act);
	double sb = check_sigma(L, 2, fn, "sigma_b");
	double lo = luaL_optnumber(L, 3, 0.1), hi = luaL_optnumber(L, 4, 10);
	if (!(lo > 0) || !(hi > lo) || !isfinite(hi)) {
		char got[64];
		snprintf(got, sizeof got, "[%g, %g]", lo, hi); /* lua_pushfstring has no %g */
		return luaL_error(L, "%s: the range must satisfy 0 < lo < hi < inf (got %s)", fn, got);
	}
	double sw;
	struct winit_error err = { 0 };
	int rc = winit_theory_critical_sigma_w(&sw, (const struct winit_activation *)act.info,
	                                       act.params, sb, lo, hi, &err);
	if (rc == WINIT_ERR_ARG && strstr(err.msg, "bracket")) {
		lua_pushnil(L);
		lua_pushstring(L, err.msg);
		return 2;
	}
	if (rc)
		return luaL_error(L, "%s: %s", fn, err.msg);
	lua_pushnumber(L, sw);
	return 1;
}

static void set_number(lua_State *L, const char *key, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

/* winit.theory.correlation_map(activation, sigma_w, sigma_b, q1, q2, c)
 *   -> c', q12', q1', q2' */
static int l_correlation_map(lua_State *L)
{
	const char *fn = "theory.correlation_map";
	struct winit_plugin_use act;
	winit_lua_check_plugin_use(L, 1, WINIT_KIND_ACTIVATION, fn, &act);
	double sw = check_sigma(L, 2, fn, "sigma_w"), sb = check_sigma(L, 3, fn, "sigma_b");
	double q1 = luaL_checknumber(L, 4), q2 = luaL_checknumber(L, 5), c = luaL_checknumber(L, 6);
	struct winit_correlation m;
	struct winit_error err = { 0 };
	if (winit_theory_correlation_map(&m, (const struct winit_activation *)act.info, act.params,
	                                 sw, sb, q1, q2, c, &err))
		return luaL_error(L, "%s: %s", fn, err.msg);
	lua_pushnumber(L, m.c);
	lua_pushnumber(L, m.q12);
	lua_pushnumber(L, m.q1);
	lua_pushnumber(L, m.q2);
	return 4;
}

/* winit.theory.correlation_fixed_point(activation, sigma_w, sigma_b)
 *   -> { q_star, chi_1, c_star, chi_c, xi_q, xi_c } */
static int l_correlation_fixed_point(lua_State *L)
{
	const char *fn = "theory.correlation_fixed_point";
	struct winit_plugin_use act;
	winit_lua_check_plugin_use(L, 1, WINIT_KIND_ACTIVATION, fn, &act);
	double sw = check_sigma(L, 2, fn, "sigma_w"), sb = check_sigma(L, 3, fn, "sigma_b");
	struct winit_correlation_fixed_point f;
	struct winit_error err = { 0 };
	if (winit_theory_correlation_fixed_point(&f, (const struct winit_activation *)act.info,
	                                         act.params, sw, sb, &err))
		return luaL_error(L, "%s: %s", fn, err.msg);
	lua_createtable(L, 0, 6);
	set_number(L, "q_star", f.q_star);
	set_number(L, "chi_1", f.chi_1);
	set_number(L, "c_star", f.c_star);
	set_number(L, "chi_c", f.chi_c);
	set_number(L, "xi_q", f.xi_q);
	set_number(L, "xi_c", f.xi_c);
	return 1;
}

void winit_lua_open_theory(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "fixed_point", l_fixed_point },
		{ "critical_sigma_w", l_critical_sigma_w },
		{ "correlation_map", l_correlation_map },
		{ "correlation_fixed_point", l_correlation_fixed_point },
		{ NULL, NULL }
	};
	luaL_newlib(L, funcs);
	lua_setfield(L, module_index, "theory");
}
