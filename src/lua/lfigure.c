/* src/lua/lfigure.c -- figures a script adds to its report: results:report(path,
 * { figures = { {title, xlabel, ylabel, xlog, ylog, caption, series = {...},
 * markers = {...}}, ... } }), each drawn by src/plot/winit_plot_xy.c as an x-y plot in a
 * "Figures" section after the report's summary. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/plot.h>

#include "lua/lbinding.h"

/* Memory for the figures lives in userdata kept in an anchor table (on the stack while the
 * report is written); strings are the figures table's own. */
static void *anchored(lua_State *L, int anchor, size_t size)
{
	void *p = lua_newuserdatauv(L, size ? size : 1, 0);
	lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
	memset(p, 0, size ? size : 1);
	return p;
}

static const char *opt_str(lua_State *L, int t, const char *key, const char *where)
{
	int ty = lua_getfield(L, t, key);
	const char *s = NULL;
	if (ty == LUA_TSTRING)
		s = lua_tostring(L, -1);
	else if (ty != LUA_TNIL)
		luaL_error(L, "results:report: %s: '%s' must be a string, got %s", where, key,
		           luaL_typename(L, -1));
	lua_pop(L, 1); /* the string stays alive in the table */
	return s;
}

/* The list t[key] of numbers: n of them, copied into anchored memory. */
static const double *numbers(lua_State *L, int anchor, int t, const char *key, size_t *n,
                             const char *where)
{
	if (lua_getfield(L, t, key) != LUA_TTABLE)
		luaL_error(L, "results:report: %s: '%s' must be a list of numbers", where, key);
	size_t len = (size_t)lua_rawlen(L, -1);
	double *v = anchored(L, anchor, len * sizeof *v);
	for (size_t i = 0; i < len; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		int isnum;
		v[i] = (double)lua_tonumberx(L, -1, &isnum);
		if (!isnum)
			luaL_error(L, "results:report: %s: %s[%d] must be a number, got %s", where, key,
			           (int)i + 1, luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	*n = len;
	return v;
}

static void check_series(lua_State *L, int anchor, int t, struct winit_plot_xy_series *s, const char *where)
{
	char w[96];
	snprintf(w, sizeof w, "%s series", where);
	if (!lua_istable(L, t))
		luaL_error(L, "results:report: %s must be a table {label =, x = {...}, y = {...}}", w);
	s->label = opt_str(L, t, "label", w);
	size_t nx, ny;
	s->x = numbers(L, anchor, t, "x", &nx, w);
	s->y = numbers(L, anchor, t, "y", &ny, w);
	if (nx != ny)
		luaL_error(L, "results:report: %s '%s': x has %d values, y %d", w, s->label ? s->label : "",
		           (int)nx, (int)ny);
	s->n = nx;
	s->dashed = winit_lua_opt_bool(L, t, "dashed", 0, "results:report (a series)");
	s->color = (int)winit_lua_opt_int(L, t, "color", 0, 0, 16, "results:report (a series)");
}

static void check_figure(lua_State *L, int anchor, int t, struct winit_plot_xy *p, const char **caption,
                         size_t k)
{
	static const char *const keys[] = { "title", "xlabel", "ylabel", "xlog", "ylog", "caption",
		                            "series", "markers", NULL };
	char where[48];
	snprintf(where, sizeof where, "figure %d", (int)k + 1);
	if (!lua_istable(L, t))
		luaL_error(L, "results:report: %s must be a table", where);
	winit_lua_check_keys(L, t, keys, "results:report (a figure)", 0);
	p->title = opt_str(L, t, "title", where);
	p->xlabel = opt_str(L, t, "xlabel", where);
	p->ylabel = opt_str(L, t, "ylabel", where);
	*caption = opt_str(L, t, "caption", where);
	p->xlog = winit_lua_opt_bool(L, t, "xlog", 0, "results:report (a figure)");
	p->ylog = winit_lua_opt_bool(L, t, "ylog", 0, "results:report (a figure)");
	if (lua_getfield(L, t, "series") != LUA_TTABLE)
		luaL_error(L, "results:report: %s: 'series' must be a list of {label =, x = {...}, y = {...}}",
		           where);
	int st = lua_gettop(L);
	p->n_series = (size_t)lua_rawlen(L, st);
	struct winit_plot_xy_series *se = anchored(L, anchor, p->n_series * sizeof *se);
	for (size_t i = 0; i < p->n_series; i++) {
		lua_rawgeti(L, st, (lua_Integer)i + 1);
		check_series(L, anchor, lua_gettop(L), &se[i], where);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	p->series = se;
	int ty = lua_getfield(L, t, "markers");
	if (ty != LUA_TNIL && ty != LUA_TTABLE)
		luaL_error(L, "results:report: %s: 'markers' must be a list of {x =, label =}", where);
	int mt = lua_gettop(L);
	p->n_markers = ty == LUA_TTABLE ? (size_t)lua_rawlen(L, mt) : 0;
	struct winit_plot_xy_marker *m = anchored(L, anchor, p->n_markers * sizeof *m);
	for (size_t i = 0; i < p->n_markers; i++) {
		lua_rawgeti(L, mt, (lua_Integer)i + 1);
		int mi = lua_gettop(L);
		if (!lua_istable(L, mi) || lua_getfield(L, mi, "x") != LUA_TNUMBER)
			luaL_error(L, "results:report: %s: marker %d must be a table {x = number, label =}", where,
			           (int)i + 1);
		m[i].x = (double)lua_tonumber(L, -1);
		lua_pop(L, 1);
		m[i].label = opt_str(L, mi, "label", where);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	p->markers = m;
	const char *bad = winit_plot_xy_check(p);
	if (bad)
		luaL_error(L, "results:report: %s: %s", where, bad);
}

size_t winit_lua_check_figures(lua_State *L, int opts, struct winit_lua_figures *out)
{
	memset(out, 0, sizeof *out);
	lua_newtable(L); /* the anchor, left on the stack for the caller */
	int anchor = lua_gettop(L);
	if (lua_isnoneornil(L, opts))
		return 0;
	luaL_checktype(L, opts, LUA_TTABLE);
	static const char *const keys[] = { "figures", "overwrite", NULL };
	winit_lua_check_keys(L, opts, keys, "results:report", 0);
	int ty = lua_getfield(L, opts, "figures"); /* opts stays on the stack: its strings live */
	if (ty != LUA_TNIL && ty != LUA_TTABLE)
		luaL_error(L, "results:report: 'figures' must be a list of figure tables, got %s",
		           luaL_typename(L, -1));
	int ft = lua_gettop(L);
	out->n = ty == LUA_TTABLE ? (size_t)lua_rawlen(L, ft) : 0;
	out->figs = anchored(L, anchor, out->n * sizeof *out->figs);
	out->captions = anchored(L, anchor, out->n * sizeof *out->captions);
	for (size_t k = 0; k < out->n; k++) {
		lua_rawgeti(L, ft, (lua_Integer)k + 1);
		check_figure(L, anchor, lua_gettop(L), &out->figs[k], &out->captions[k], k);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return out->n;
}

void winit_lua_write_figures(FILE *f, void *ctx)
{
	const struct winit_lua_figures *fg = ctx;
	if (!fg->n)
		return;
	fputs("<h2>Figures</h2>\n", f);
	for (size_t k = 0; k < fg->n; k++) {
		fputs("<div class=\"figure\">\n", f);
		winit_plot_xy_svg(f, &fg->figs[k]);
		if (fg->captions[k]) {
			fputs("<p>", f);
			winit_svg_escape(f, fg->captions[k]);
			fputs("</p>\n", f);
		}
		fputs("</div>\n", f);
	}
}
