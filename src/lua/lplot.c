/* src/lua/lplot.c -- winit.plot: generic plots for scripts (src/plot/plot.c, plot_xy.c).
 * winit.plot.heatmap{...} and winit.plot.xy{...} return an SVG element as a string;
 * winit.plot.page(path, {...}) writes a self-contained HTML page of text and such plots. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/plot.h>

#include "lua/lbinding.h"

#define MAX_GRID 4096    /* x or y values of a heat map */
#define MAX_LINES 16     /* lines over a heat map */
#define MAX_POINTS 65536 /* points of one line */
#define MAX_PARTS 4096   /* parts of a page */

/* A list of numbers at t[key] (t at index t) into a new userdata (kept on the stack);
 * returns its length.  Non-numbers are errors naming key and position. */
static double *num_list(lua_State *L, int t, const char *key, size_t max, size_t *n, int required,
                        const char *fn)
{
	int ty = lua_getfield(L, t, key);
	if (ty == LUA_TNIL && !required) {
		lua_pop(L, 1);
		*n = 0;
		lua_newuserdatauv(L, 1, 0);
		return lua_touserdata(L, -1);
	}
	if (ty != LUA_TTABLE)
		luaL_error(L, "%s: '%s' must be a list of numbers, got %s", fn, key, luaL_typename(L, -1));
	size_t len = lua_rawlen(L, -1);
	if (len > max)
		luaL_error(L, "%s: '%s' has %d values, at most %d are drawn", fn, key, (int)len, (int)max);
	double *v = lua_newuserdatauv(L, (len ? len : 1) * sizeof *v, 0);
	for (size_t i = 0; i < len; i++) {
		lua_rawgeti(L, -2, (lua_Integer)i + 1);
		int isnum;
		v[i] = lua_tonumberx(L, -1, &isnum);
		if (!isnum)
			luaL_error(L, "%s: '%s'[%d] must be a number, got %s", fn, key, (int)i + 1,
			           luaL_typename(L, -1));
		lua_pop(L, 1);
	}
	lua_remove(L, -2); /* the list; the userdata stays */
	*n = len;
	return v;
}

static const char *opt_str(lua_State *L, int t, const char *key, const char *fn)
{
	int ty = lua_getfield(L, t, key);
	const char *s = NULL;
	if (ty == LUA_TSTRING)
		s = lua_tostring(L, -1);
	else if (ty != LUA_TNIL)
		luaL_error(L, "%s: '%s' must be a string, got %s", fn, key, luaL_typename(L, -1));
	lua_pop(L, 1); /* the string stays alive in the table */
	return s;
}

/* The SVG that draw(f, what) writes, pushed as a string. */
static int push_svg(lua_State *L, const char *fn, void (*draw)(FILE *, const void *),
                    const void *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return luaL_error(L, "%s: out of memory", fn);
	draw(f, what);
	int err = ferror(f);
	if (fclose(f) != 0 || err) {
		free(buf);
		return luaL_error(L, "%s: out of memory", fn);
	}
	lua_pushlstring(L, buf, len);
	free(buf);
	return 1;
}

/* The heat map's colour scale from the table at 1: colors, zmin and zmax (together, for
 * the sequential scale), values (the decimals each cell's value is written with). */
static void heatmap_scale(lua_State *L, struct winit_plot_heatmap *h, const char *fn)
{
	const char *colors = opt_str(L, 1, "colors", fn);
	if (!colors || strcmp(colors, "diverging") == 0)
		h->colors = WINIT_PLOT_DIVERGING;
	else if (strcmp(colors, "sequential") == 0)
		h->colors = WINIT_PLOT_SEQUENTIAL;
	else
		luaL_error(L, "%s: colors must be \"diverging\" or \"sequential\", got \"%s\"", fn, colors);
	/* zmin and zmax go together; neither: the values' range. */
	int has_lo = lua_getfield(L, 1, "zmin") != LUA_TNIL, has_hi = lua_getfield(L, 1, "zmax") != LUA_TNIL;
	lua_pop(L, 2);
	if (has_lo != has_hi)
		luaL_error(L, "%s: zmin and zmax go together (neither: the values' range)", fn);
	if (has_lo && h->colors != WINIT_PLOT_SEQUENTIAL)
		luaL_error(L, "%s: zmin and zmax set the sequential scale (colors = \"sequential\")", fn);
	h->zmin = winit_lua_opt_num(L, 1, "zmin", 0, fn);
	h->zmax = winit_lua_opt_num(L, 1, "zmax", 0, fn);
	if (has_lo && !(h->zmin < h->zmax))
		luaL_error(L, "%s: zmin must be below zmax", fn);
	/* values: the number of decimals each cell's value is written with (none: not written). */
	lua_Integer digits = winit_lua_opt_int(L, 1, "values", -1, 0, 6, fn);
	h->values = digits >= 0;
	h->digits = h->values ? (int)digits : 0;
}

/* The table at 1's z, ny rows of nx numbers, into a userdata left on the stack. */
static const double *heatmap_z(lua_State *L, const struct winit_plot_heatmap *h, const char *fn)
{
	if (lua_getfield(L, 1, "z") != LUA_TTABLE || lua_rawlen(L, -1) != h->ny)
		luaL_error(L, "%s: 'z' must be a list of %d rows (one per y value) of %d numbers", fn, (int)h->ny,
		           (int)h->nx);
	int zt = lua_gettop(L);
	double *z = lua_newuserdatauv(L, h->nx * h->ny * sizeof *z, 0);
	for (size_t j = 0; j < h->ny; j++) {
		lua_rawgeti(L, zt, (lua_Integer)j + 1);
		if (!lua_istable(L, -1) || lua_rawlen(L, -1) != h->nx)
			luaL_error(L, "%s: z[%d] must be a list of %d numbers (one per x value)", fn, (int)j + 1,
			           (int)h->nx);
		for (size_t i = 0; i < h->nx; i++) {
			lua_rawgeti(L, -1, (lua_Integer)i + 1);
			int isnum;
			z[j * h->nx + i] = lua_tonumberx(L, -1, &isnum);
			if (!isnum)
				luaL_error(L, "%s: z[%d][%d] must be a number (0/0 for no value), got %s", fn, (int)j + 1,
				           (int)i + 1, luaL_typename(L, -1));
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	return z;
}

/* The table at 1's lines (none: 0) into lines[MAX_LINES]; their userdata stay on the
 * stack until the SVG is written. */
static size_t heatmap_lines(lua_State *L, struct winit_plot_line *lines, const char *fn)
{
	int lt = lua_getfield(L, 1, "lines");
	if (lt == LUA_TNIL)
		return 0;
	if (lt != LUA_TTABLE)
		luaL_error(L, "%s: 'lines' must be a list of tables, got %s", fn, luaL_typename(L, -1));
	int li = lua_gettop(L);
	size_t n = lua_rawlen(L, li);
	if (n > MAX_LINES)
		luaL_error(L, "%s: at most %d lines", fn, MAX_LINES);
	for (size_t k = 0; k < n; k++) {
		if (lua_rawgeti(L, li, (lua_Integer)k + 1) != LUA_TTABLE)
			luaL_error(L, "%s: lines[%d] must be a table {x = {...}, y = {...}, label = ...}", fn, (int)k + 1);
		int one = lua_gettop(L);
		size_t ny;
		lines[k].label = opt_str(L, one, "label", fn);
		lines[k].dash = winit_lua_opt_bool(L, one, "dash", 0, fn);
		lines[k].x = num_list(L, one, "x", MAX_POINTS, &lines[k].n, 1, fn);
		lines[k].y = num_list(L, one, "y", MAX_POINTS, &ny, 1, fn);
		if (ny != lines[k].n)
			luaL_error(L, "%s: lines[%d] has %d x and %d y values", fn, (int)k + 1, (int)lines[k].n, (int)ny);
	}
	return n;
}

static void draw_heatmap(FILE *f, const void *h)
{
	winit_plot_heatmap_svg(f, h);
}

/* winit.plot.heatmap { x = {...}, y = {...}, z = {{...}, ...}, title, xlabel, ylabel, zlabel,
 *   colors = "diverging", center = 0, range = 0, zmin, zmax, values = nil, xlog, ylog,
 *   lines = { { x = {...}, y = {...}, label = "...", dash = false }, ... } } -> svg */
static int l_heatmap(lua_State *L)
{
	const char *fn = "plot.heatmap";
	static const char *const keys[] = { "x", "y", "z", "title", "xlabel", "ylabel", "zlabel",
		                            "center", "range", "lines", "colors", "zmin", "zmax", "values", "xlog",
		                            "ylog", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, fn, 0);
	struct winit_plot_heatmap h = { 0 };
	h.title = opt_str(L, 1, "title", fn);
	h.xlabel = opt_str(L, 1, "xlabel", fn);
	h.ylabel = opt_str(L, 1, "ylabel", fn);
	h.zlabel = opt_str(L, 1, "zlabel", fn);
	h.center = winit_lua_opt_num(L, 1, "center", 0, fn);
	h.range = winit_lua_opt_num(L, 1, "range", 0, fn);
	heatmap_scale(L, &h, fn);
	h.xlog = winit_lua_opt_bool(L, 1, "xlog", 0, fn);
	h.ylog = winit_lua_opt_bool(L, 1, "ylog", 0, fn);
	h.x = num_list(L, 1, "x", MAX_GRID, &h.nx, 1, fn);
	h.y = num_list(L, 1, "y", MAX_GRID, &h.ny, 1, fn);
	const char *bad = winit_plot_heatmap_check(&h);
	if (bad)
		return luaL_error(L, "%s: %s", fn, bad);
	h.z = heatmap_z(L, &h, fn);
	struct winit_plot_line lines[MAX_LINES];
	h.n_lines = heatmap_lines(L, lines, fn);
	h.lines = h.n_lines ? lines : NULL;
	return push_svg(L, fn, draw_heatmap, &h);
}


static void draw_xy(FILE *f, const void *p)
{
	winit_plot_xy_svg(f, p);
}

/* winit.plot.xy { series = { { x = {...}, y = {...}, label = "...", dashed = false,
 *   color = 0 }, ... }, title, xlabel,
 *   ylabel, xlog = false, ylog = false, markers = { { x = ..., label = "..." }, ... } }
 *   -> svg */
static int l_xy(lua_State *L)
{
	const char *fn = "plot.xy";
	static const char *const keys[] = { "series", "title", "xlabel", "ylabel", "xlog", "ylog",
		                            "markers", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, fn, 0);
	/* Each series keeps its table and two lists on the stack, each marker its table. */
	luaL_checkstack(L, 4 * MAX_LINES + 8, fn);
	struct winit_plot_xy p = { 0 };
	p.title = opt_str(L, 1, "title", fn);
	p.xlabel = opt_str(L, 1, "xlabel", fn);
	p.ylabel = opt_str(L, 1, "ylabel", fn);
	p.xlog = winit_lua_opt_bool(L, 1, "xlog", 0, fn);
	p.ylog = winit_lua_opt_bool(L, 1, "ylog", 0, fn);
	struct winit_plot_xy_series series[MAX_LINES];
	if (lua_getfield(L, 1, "series") != LUA_TTABLE)
		return luaL_error(L, "%s: 'series' must be a list of {x = {...}, y = {...}, label = ...}",
		                  fn);
	int st = lua_gettop(L);
	p.n_series = lua_rawlen(L, st);
	if (p.n_series > MAX_LINES)
		return luaL_error(L, "%s: at most %d series", fn, MAX_LINES);
	for (size_t k = 0; k < p.n_series; k++) {
		if (lua_rawgeti(L, st, (lua_Integer)k + 1) != LUA_TTABLE)
			return luaL_error(L, "%s: series[%d] must be a table {x = {...}, y = {...}, label = ...}",
			                  fn, (int)k + 1);
		int one = lua_gettop(L);
		size_t ny;
		series[k].label = opt_str(L, one, "label", fn);
		series[k].x = num_list(L, one, "x", MAX_POINTS, &series[k].n, 1, fn);
		series[k].y = num_list(L, one, "y", MAX_POINTS, &ny, 1, fn);
		if (ny != series[k].n)
			return luaL_error(L, "%s: series[%d] has %d x and %d y values", fn, (int)k + 1,
			                  (int)series[k].n, (int)ny);
		series[k].dashed = winit_lua_opt_bool(L, one, "dashed", 0, fn);
		series[k].color = (int)winit_lua_opt_int(L, one, "color", 0, 0, 16, fn);
		/* The userdata stay on the stack until the SVG is written. */
	}
	p.series = series;
	struct winit_plot_xy_marker markers[MAX_LINES];
	int mt = lua_getfield(L, 1, "markers");
	if (mt == LUA_TTABLE) {
		int mi = lua_gettop(L);
		p.n_markers = lua_rawlen(L, mi);
		if (p.n_markers > MAX_LINES)
			return luaL_error(L, "%s: at most %d markers", fn, MAX_LINES);
		for (size_t k = 0; k < p.n_markers; k++) {
			if (lua_rawgeti(L, mi, (lua_Integer)k + 1) != LUA_TTABLE ||
			    lua_getfield(L, -1, "x") != LUA_TNUMBER)
				return luaL_error(L, "%s: markers[%d] must be a table {x = number, label = ...}",
				                  fn, (int)k + 1);
			markers[k].x = lua_tonumber(L, -1);
			lua_pop(L, 1);
			markers[k].label = opt_str(L, lua_gettop(L), "label", fn);
		}
		p.markers = markers;
	} else if (mt != LUA_TNIL) {
		return luaL_error(L, "%s: 'markers' must be a list of tables, got %s", fn,
		                  luaL_typename(L, -1));
	}
	const char *bad = winit_plot_xy_check(&p);
	if (bad)
		return luaL_error(L, "%s: %s", fn, bad);
	return push_svg(L, fn, draw_xy, &p);
}

/* winit.plot.page(path, { title = "...", "a paragraph", { heading = "..." },
 *   { pre = "..." }, { svg = <a winit.plot result> }, ... }) -> path */
static int l_page(lua_State *L)
{
	const char *fn = "plot.page";
	const char *path = winit_lua_check_path(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	const char *title = opt_str(L, 2, "title", fn);
	unsigned flags = winit_lua_write_flags(L, 2, fn);
	size_t n = lua_rawlen(L, 2);
	if (n > MAX_PARTS)
		return luaL_error(L, "%s: at most %d parts", fn, MAX_PARTS);
	struct winit_plot_part *parts = lua_newuserdatauv(L, (n ? n : 1) * sizeof *parts, 0);
	static const char *const kinds[] = { "heading", "pre", "svg" };
	static const int kind_of[] = { WINIT_PLOT_HEADING, WINIT_PLOT_PRE, WINIT_PLOT_SVG };
	for (size_t i = 0; i < n; i++) {
		int ty = lua_rawgeti(L, 2, (lua_Integer)i + 1);
		if (ty == LUA_TSTRING) {
			parts[i].kind = WINIT_PLOT_PARAGRAPH;
			parts[i].text = lua_tostring(L, -1);
		} else if (ty == LUA_TTABLE) {
			int found = 0;
			for (int k = 0; k < 3; k++) {
				if (lua_getfield(L, -1, kinds[k]) == LUA_TSTRING) {
					parts[i].kind = kind_of[k];
					parts[i].text = lua_tostring(L, -1);
					found++;
				}
				lua_pop(L, 1);
			}
			if (found != 1)
				return luaL_error(L, "%s: part %d must have exactly one of heading, pre, svg (a string)",
				                  fn, (int)i + 1);
			if (parts[i].kind == WINIT_PLOT_SVG && strncmp(parts[i].text, "<svg", 4) != 0)
				return luaL_error(L, "%s: part %d: svg must be an <svg> element made by winit.plot",
				                  fn, (int)i + 1);
		} else {
			return luaL_error(L, "%s: part %d must be a string or a table, got %s", fn, (int)i + 1,
			                  luaL_typename(L, -1));
		}
		lua_pop(L, 1); /* the strings stay alive in the table */
	}
	struct winit_error err = { 0 };
	if (winit_plot_page_write(path, title ? title : "winit", parts, n, flags, &err))
		return luaL_error(L, "%s: %s", fn, err.msg);
	lua_pushvalue(L, 1);
	return 1;
}

void winit_lua_open_plot(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "heatmap", l_heatmap },
		{ "xy", l_xy },
		{ "page", l_page },
		{ NULL, NULL }
	};
	luaL_newlib(L, funcs);
	lua_setfield(L, module_index, "plot");
}
