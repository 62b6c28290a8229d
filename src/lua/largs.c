/* src/lua/largs.c -- winit.parse_args: a script's --options, typed by their defaults
 * (a list default, {{4, 16}, "..."}, takes comma-separated values of its elements' type),
 * each with an optional description from which `--help` prints the script's usage. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

#define MT_EXIT "winit.ExitRequest"
#define MAX_OPTS 128

/* One declared option: its name, its default (at stack index `def`) and its help text. */
struct opt {
	const char *name;
	int def;
	const char *help;
};

static int cmp_opt(const void *a, const void *b)
{
	return strcmp(((const struct opt *)a)->name, ((const struct opt *)b)->name);
}

/* A list default's element type: strings, or numbers (integers when every element of
 * the default is one; an empty list takes strings). */
static int list_type(lua_State *L, int idx, int *want_int)
{
	lua_rawgeti(L, idx, 1);
	int ty = lua_type(L, -1) == LUA_TNUMBER ? LUA_TNUMBER : LUA_TSTRING;
	lua_pop(L, 1);
	*want_int = ty == LUA_TNUMBER;
	for (lua_Integer k = 1; *want_int && k <= luaL_len(L, idx); k++) {
		lua_rawgeti(L, idx, k);
		*want_int = lua_isinteger(L, -1);
		lua_pop(L, 1);
	}
	return ty;
}

/* The metavariable shown after --name in the usage text. */
static const char *metavar(lua_State *L, int idx)
{
	int want_int;
	switch (lua_type(L, idx)) {
	case LUA_TTABLE:
		return list_type(L, idx, &want_int) == LUA_TSTRING ? " TEXT,..." : want_int ? " N,N,..." : " X,X,...";
	case LUA_TBOOLEAN:
		return "[=true|false]";
	case LUA_TNUMBER:
		return lua_isinteger(L, idx) ? " N" : " X";
	default:
		return " TEXT";
	}
}

/* Push the list "--a, --b, ..." of the declared options. */
static void push_known(lua_State *L, const struct opt *o, int n)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int i = 0; i < n; i++) {
		luaL_addstring(&b, i ? ", --" : "--");
		luaL_addstring(&b, o[i].name);
	}
	luaL_addstring(&b, n ? ", --help" : "--help");
	luaL_pushresult(&b);
}

/* Print the usage text generated from the declarations to stdout. */
static void print_usage(lua_State *L, const struct opt *o, int n, const char *about)
{
	const char *script = "SCRIPT";
	if (lua_istable(L, 1) && lua_rawgeti(L, 1, 0) == LUA_TSTRING) {
		script = lua_tostring(L, -1);
		const char *slash = strrchr(script, '/');
		if (slash)
			script = slash + 1;
	}
	printf("Usage: winit run %s [OPTIONS]\n", script);
	if (about)
		printf("\n%s\n", about);
	printf("\nOptions:\n");
	for (int i = 0; i < n; i++) {
		char head[96];
		snprintf(head, sizeof head, "--%s%s", o[i].name, metavar(L, o[i].def));
		const char *dv;
		if (lua_istable(L, o[i].def)) { /* a list: its elements, comma-separated */
			luaL_Buffer b;
			luaL_buffinit(L, &b);
			for (lua_Integer k = 1; k <= luaL_len(L, o[i].def); k++) {
				if (k > 1)
					luaL_addchar(&b, ',');
				lua_rawgeti(L, o[i].def, k);
				luaL_addvalue(&b);
			}
			luaL_pushresult(&b);
			dv = lua_tostring(L, -1);
		} else {
			dv = luaL_tolstring(L, o[i].def, NULL);
		}
		int quote = lua_type(L, o[i].def) == LUA_TSTRING;
		printf("  %-24s %s%s(default %s%s%s)\n", head, o[i].help ? o[i].help : "",
		       o[i].help ? " " : "", quote ? "\"" : "", dv, quote ? "\"" : "");
		lua_pop(L, 1);
	}
	printf("  %-24s %s\n", "--help", "show this help and exit");
	printf("\nOptions take --name VALUE or --name=VALUE; '-' and '_' in names are the same.\n");
	fflush(stdout);
	if (lua_istable(L, 1))
		lua_pop(L, 1);
}

static int exit_tostring(lua_State *L)
{
	lua_pushliteral(L, "usage shown (winit.parse_args --help)");
	return 1;
}

/* Raise the error object that asks the host to end the script with `status` and no
 * message (the CLI exits with it; a stock lua5.4 prints its __tostring). */
static int raise_exit(lua_State *L, int status)
{
	lua_createtable(L, 0, 1);
	lua_pushinteger(L, status);
	lua_setfield(L, -2, "status");
	if (luaL_newmetatable(L, MT_EXIT)) {
		lua_pushcfunction(L, exit_tostring);
		lua_setfield(L, -2, "__tostring");
	}
	lua_setmetatable(L, -2);
	return lua_error(L);
}

int winit_lua_exit_request(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return -1;
	luaL_getmetatable(L, MT_EXIT);
	int is_exit = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	if (!is_exit)
		return -1;
	lua_getfield(L, idx, "status");
	int status = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return status;
}

/* winit.parse_args(arg, spec [, about]) -> options
 * spec maps each option to its default, or to {default, "description"}: the type of the
 * default (integer, number, string, boolean) is the type expected.  Accepts --name value
 * and --name=value; --help prints the usage (from the descriptions and `about`) and ends
 * the script with status 0; an unknown option is an error listing the known ones. */
/* Whether the list at idx holds numbers only or strings only (its own elements 1..n). */
static int list_ok(lua_State *L, int idx)
{
	lua_Integer n = luaL_len(L, idx);
	int first = LUA_TNIL;
	for (lua_Integer k = 1; k <= n; k++) {
		int ty = lua_rawgeti(L, idx, k);
		lua_pop(L, 1);
		if ((ty != LUA_TNUMBER && ty != LUA_TSTRING) || (k > 1 && ty != first))
			return 0;
		first = ty;
	}
	return 1;
}

/* Push the list option d's value val, "a,b,c" (spaces around elements allowed), each
 * element of the default's type; an empty element or one of another type is an error
 * naming the option and the element. */
static void push_list(lua_State *L, const struct opt *d, const char *val)
{
	int want_int, ty = list_type(L, d->def, &want_int);
	const char *what = ty == LUA_TSTRING ? "texts" : want_int ? "integers" : "numbers";
	lua_newtable(L);
	int k = 0;
	for (const char *p = val;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		k++;
		if (len == 0)
			luaL_error(L, "option '--%s' expects a comma-separated list of %s, element %d of '%s' is empty",
			           d->name, what, k, val);
		lua_pushlstring(L, p, len);
		if (ty == LUA_TNUMBER) {
			const char *e = lua_tostring(L, -1);
			if (!lua_stringtonumber(L, e) || (want_int && !lua_isinteger(L, -1)))
				luaL_error(L, "option '--%s' expects a comma-separated list of %s, element %d is '%s'",
				           d->name, what, k, e);
			lua_remove(L, -2);
		}
		lua_rawseti(L, -2, k);
		if (!comma)
			break;
		p = comma + 1;
	}
}

/* Read the declarations of spec (index 2) into o (their defaults pushed once, so o[i].def
 * stays valid), sorted by name; returns how many. */
static int read_spec(lua_State *L, struct opt *o)
{
	int n = 0;
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			return luaL_argerror(L, 2, "option names must be strings");
		luaL_checkstack(L, 4, "too many options");
		if (n == MAX_OPTS)
			return luaL_argerror(L, 2, "too many options (at most 128)");
		const char *name = lua_tostring(L, -2);
		const char *help = NULL;
		if (lua_istable(L, -1)) {
			int d = lua_gettop(L);
			lua_rawgeti(L, d, 2);
			help = lua_tostring(L, -1);
			if (!lua_isnil(L, -1) && !help)
				return luaL_error(L, "bad argument #2 to 'parse_args' (option '%s': "
				                     "the description must be a string)",
				                  name);
			lua_pop(L, 1);
			lua_rawgeti(L, d, 1);
			lua_replace(L, d);
			if (lua_istable(L, d) && !list_ok(L, d))
				return luaL_error(L, "bad argument #2 to 'parse_args' (option '%s': a list default "
				                     "holds numbers or strings, all of one type)",
				                  name);
		}
		int ty = lua_type(L, -1);
		if (ty != LUA_TNUMBER && ty != LUA_TSTRING && ty != LUA_TBOOLEAN && ty != LUA_TTABLE)
			return luaL_error(L, "bad argument #2 to 'parse_args' (option '%s': the default "
			                     "must be a number, string, boolean or list, got %s)",
			                  name, luaL_typename(L, -1));
		o[n].name = name;
		o[n].def = lua_gettop(L);
		o[n].help = help;
		n++;
		lua_pushvalue(L, -2); /* the key, for lua_next */
	}
	qsort(o, (size_t)n, sizeof o[0], cmp_opt);
	return n;
}

/* Push option d's value val as its default's type. */
static void push_value(lua_State *L, const struct opt *d, const char *val)
{
	int ty = lua_type(L, d->def);
	if (ty == LUA_TBOOLEAN) {
		if (strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "1") && strcmp(val, "0"))
			luaL_error(L, "option '--%s' expects true or false, got '%s'", d->name, val);
		lua_pushboolean(L, strcmp(val, "true") == 0 || strcmp(val, "1") == 0);
	} else if (ty == LUA_TNUMBER) {
		int want_int = lua_isinteger(L, d->def);
		if (!lua_stringtonumber(L, val))
			luaL_error(L, "option '--%s' expects a number, got '%s'", d->name, val);
		if (want_int && !lua_isinteger(L, -1))
			luaL_error(L, "option '--%s' expects an integer, got '%s'", d->name, val);
	} else if (ty == LUA_TTABLE) {
		push_list(L, d, val);
	} else {
		lua_pushstring(L, val);
	}
}

static int l_parse_args(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TTABLE);
	const char *about = luaL_optstring(L, 3, NULL);
	lua_settop(L, 3);
	struct opt o[MAX_OPTS];
	int n = read_spec(L, o);
	lua_newtable(L);
	int out = lua_gettop(L);
	for (int i = 0; i < n; i++) {
		lua_pushvalue(L, o[i].def);
		lua_setfield(L, out, o[i].name);
	}
	if (lua_isnoneornil(L, 1))
		return 1;
	luaL_checktype(L, 1, LUA_TTABLE);
	int nargs = (int)luaL_len(L, 1);
	for (int i = 1; i <= nargs; i++) {
		lua_rawgeti(L, 1, i);
		const char *a = lua_tostring(L, -1);
		if (!a || strncmp(a, "--", 2) != 0)
			return luaL_error(L, "argument %d: expected --option, got '%s' (see --help)", i,
			                  a ? a : luaL_typename(L, -1));
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
		const struct opt *d = NULL;
		for (int k = 0; k < n && !d; k++)
			if (strcmp(o[k].name, key) == 0)
				d = &o[k];
		if (!d && strcmp(key, "help") == 0 && !eq) {
			print_usage(L, o, n, about);
			return raise_exit(L, 0);
		}
		if (!d) {
			lua_pushlstring(L, a, klen + 2);
			push_known(L, o, n);
			return luaL_error(L, "unknown option '%s' (known: %s)", lua_tostring(L, -2),
			                  lua_tostring(L, -1));
		}
		const char *val;
		if (eq)
			val = eq + 1;
		else if (lua_type(L, d->def) == LUA_TBOOLEAN)
			val = "true";
		else {
			lua_rawgeti(L, 1, ++i);
			val = lua_tostring(L, -1);
			if (!val)
				return luaL_error(L, "option '--%s' needs a value", d->name);
		}
		push_value(L, d, val);
		lua_setfield(L, out, d->name);
		lua_settop(L, out);
	}
	return 1;
}

void winit_lua_open_args(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "parse_args", l_parse_args },
		{ NULL, NULL }
	};
	winit_lua_set_funcs(L, module_index, funcs);
}
