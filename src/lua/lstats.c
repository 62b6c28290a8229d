/* src/lua/lstats.c -- winit.stats: the statistics the study table reports (winit/stats.h),
 * for scripts that summarize their own measurements: a condition's mean with its Student-t
 * interval, a paired comparison of two conditions, and Student's t quantile.  One
 * implementation for the table and for every script (theory scripts had copies of a
 * quantile table, each with its own cut-off). */
#include "config.h"

#include <math.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/stats.h>

#include "lua/lbinding.h"

/* The numbers of the list at arg (a sequence of numbers; NaN and infinities allowed), in
 * a block Lua owns (a userdata left on the stack: an error frees it too); *n their count. */
static double *check_numbers(lua_State *L, int arg, const char *fn, size_t *n)
{
	luaL_checktype(L, arg, LUA_TTABLE);
	lua_Integer len = luaL_len(L, arg);
	double *x = lua_newuserdatauv(L, (len > 0 ? (size_t)len : 1) * sizeof *x, 0);
	for (lua_Integer i = 1; i <= len; i++) {
		int isnum = 0;
		lua_geti(L, arg, i);
		x[i - 1] = lua_tonumberx(L, -1, &isnum);
		lua_pop(L, 1);
		if (!isnum)
			luaL_error(L, "%s: argument #%d: element %d is not a number", fn, arg, (int)i);
	}
	*n = (size_t)len;
	return x;
}

static void set_number(lua_State *L, const char *key, double v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

/* winit.stats.summary(xs) -> { n, mean, sd, min, max, ci_lo, ci_hi, half }: the 95%
 * Student-t interval of the mean (ci_lo, ci_hi, and half its width) is nil below two
 * values or when the mean is not finite; sd is 0 below two values. */
static int l_summary(lua_State *L)
{
	size_t n;
	double *x = check_numbers(L, 1, "stats.summary", &n);
	struct winit_summary s;
	winit_summarize(&s, x, n);
	lua_createtable(L, 0, 8);
	lua_pushinteger(L, (lua_Integer)s.n);
	lua_setfield(L, -2, "n");
	if (n == 0)
		return 1;
	set_number(L, "mean", s.mean);
	set_number(L, "sd", s.sd);
	set_number(L, "min", s.min);
	set_number(L, "max", s.max);
	if (n >= 2 && isfinite(s.mean) && isfinite(s.ci_lo) && isfinite(s.ci_hi)) {
		set_number(L, "ci_lo", s.ci_lo);
		set_number(L, "ci_hi", s.ci_hi);
		set_number(L, "half", (s.ci_hi - s.ci_lo) / 2);
	}
	return 1;
}

/* winit.stats.paired(xs, base) -> { n, diff, ci_lo, ci_hi, half, t, df, p, d_z }: the
 * paired t-test on d[i] = xs[i] - base[i] (replicate i of each), as the study table does
 * it; what is undefined (fewer than two pairs, a zero sd) is nil. */
static int l_paired(lua_State *L)
{
	size_t n, nb;
	double *x = check_numbers(L, 1, "stats.paired", &n);
	double *b = check_numbers(L, 2, "stats.paired", &nb);
	if (n != nb)
		return luaL_error(L, "stats.paired: %d values against %d: each value needs its pair", (int)n,
		                  (int)nb);
	struct winit_comparison c;
	winit_compare_paired(&c, x, b, n);
	lua_createtable(L, 0, 9);
	lua_pushinteger(L, (lua_Integer)c.n);
	lua_setfield(L, -2, "n");
	const struct {
		const char *key;
		double v;
	} f[] = { { "diff", c.diff }, { "ci_lo", c.ci_lo }, { "ci_hi", c.ci_hi },
		  { "half", (c.ci_hi - c.ci_lo) / 2 }, { "t", c.t }, { "df", c.df },
		  { "p", c.p }, { "d_z", c.effect } };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (!isnan(f[i].v))
			set_number(L, f[i].key, f[i].v);
	return 1;
}

/* winit.stats.t_quantile(q, df): the q-quantile of Student's t, 0 < q < 1, df > 0. */
static int l_t_quantile(lua_State *L)
{
	double q = luaL_checknumber(L, 1), df = luaL_checknumber(L, 2);
	luaL_argcheck(L, q > 0 && q < 1, 1, "stats.t_quantile: q must be in (0, 1)");
	luaL_argcheck(L, df > 0 && isfinite(df), 2, "stats.t_quantile: df must be a finite number > 0");
	lua_pushnumber(L, winit_student_t_quantile(q, df));
	return 1;
}

void winit_lua_open_stats(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "summary", l_summary },
		{ "paired", l_paired },
		{ "t_quantile", l_t_quantile },
		{ NULL, NULL }
	};
	luaL_newlib(L, funcs);
	lua_setfield(L, module_index, "stats");
}
