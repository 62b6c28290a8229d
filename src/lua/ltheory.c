/* src/lua/ltheory.c -- winit.theory: the mean-field fixed point q*, chi_1 and its depth
 * scale, and the edge of chaos, for any element-wise activation plugin (winit/theory.h). */
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

void winit_lua_open_theory(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "fixed_point", l_fixed_point },
		{ "critical_sigma_w", l_critical_sigma_w },
		{ NULL, NULL }
	};
	luaL_newlib(L, funcs);
	lua_setfield(L, module_index, "theory");
}
