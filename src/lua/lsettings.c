/* src/lua/lsettings.c -- the module-wide settings: what a script sets with winit.set_seed
 * and winit.set_jobs (and reads with winit.cpu_count), and what the host sets before the
 * script runs (the CLI's -j, --shard, --resume/--prune and --force, through lwinit.h).
 * They live in the Lua registry under keys private to this file; every other part of the
 * binding reads them through the functions lbinding.h declares, and sets none. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/winit.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

/* Keys of the Lua registry (distinct from metatable names). */
#define KEY_SEED "winit.seed"
#define KEY_JOBS "winit.jobs"
#define KEY_SHARD "winit.shard" /* I * 2^32 + N when the CLI runs one shard, else absent */
#define KEY_RESUME "winit.resume"
#define KEY_OVERWRITE "winit.overwrite" /* the CLI's --force */
#define KEY_TEAMS "winit.teams"         /* size -> team userdata */
#define TEAM_MT "winit.Team"

/* The default seed of models and studies: winit.set_seed's, else 0. */
uint64_t winit_lua_default_seed(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_SEED);
	uint64_t s = lua_isinteger(L, -1) ? (uint64_t)lua_tointeger(L, -1) : 0;
	lua_pop(L, 1);
	return s;
}

/* The default job count of Study:run: winit.set_jobs's (or the CLI's -j), else 0. */
int winit_lua_default_jobs(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_JOBS);
	lua_Integer j = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
	lua_pop(L, 1);
	return (int)j;
}

static int team_gc(lua_State *L)
{
	struct winit_team **t = luaL_checkudata(L, 1, TEAM_MT);
	winit_team_free(*t);
	*t = NULL;
	return 0;
}

struct winit_team *winit_lua_team(lua_State *L)
{
	int n = winit_lua_default_jobs(L);
	if (n <= 0)
		n = winit_cpu_count();
	if (n == 1)
		return NULL;
	if (lua_getfield(L, LUA_REGISTRYINDEX, KEY_TEAMS) != LUA_TTABLE) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, KEY_TEAMS);
	}
	struct winit_team *team = NULL;
	if (lua_rawgeti(L, -1, n) == LUA_TUSERDATA) {
		team = *(struct winit_team **)lua_touserdata(L, -1);
	} else {
		lua_pop(L, 1);
		struct winit_team **u = lua_newuserdatauv(L, sizeof *u, 0);
		*u = NULL;
		if (luaL_newmetatable(L, TEAM_MT)) {
			lua_pushcfunction(L, team_gc);
			lua_setfield(L, -2, "__gc");
		}
		lua_setmetatable(L, -2);
		/* Out of memory for a team: the calling thread alone, the same numbers. */
		*u = team = winit_team_new(n);
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, n);
	}
	lua_pop(L, 2);
	return team;
}

void winit_lua_set_default_jobs(lua_State *L, int jobs)
{
	lua_pushinteger(L, jobs);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_JOBS);
}

void winit_lua_set_shard(lua_State *L, int index, int count)
{
	lua_pushinteger(L, (lua_Integer)index * ((lua_Integer)1 << 32) + count);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_SHARD);
}

void winit_lua_shard(lua_State *L, int *index, int *count)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_SHARD);
	if (lua_isinteger(L, -1)) {
		lua_Integer v = lua_tointeger(L, -1);
		*index = (int)(v >> 32);
		*count = (int)(v & 0xffffffff);
	}
	lua_pop(L, 1);
	if (*count < 1 || *index < 0 || *index >= *count) {
		*index = 0;
		*count = 1;
	}
}

/* study:run's resume default: the CLI's --resume (1) or --prune (2), else off (0). */
int winit_lua_default_resume(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_RESUME);
	int r = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return r;
}

void winit_lua_set_default_resume(lua_State *L, int resume)
{
	lua_pushinteger(L, resume);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_RESUME);
}

void winit_lua_set_default_overwrite(lua_State *L, int overwrite)
{
	lua_pushboolean(L, overwrite);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_OVERWRITE);
}

unsigned winit_lua_write_flags(lua_State *L, int t, const char *fn)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_OVERWRITE);
	int def = lua_toboolean(L, -1);
	lua_pop(L, 1);
	if (t != 0 && lua_type(L, t) == LUA_TTABLE)
		def = winit_lua_opt_bool(L, t, "overwrite", def, fn);
	return def ? WINIT_WRITE_FORCE : 0;
}

/* winit.set_seed(n): the default seed of models and studies made afterwards. */
static int l_set_seed(lua_State *L)
{
	uint64_t seed;
	if (lua_type(L, 1) == LUA_TSTRING) {
		/* A 64-bit seed written as a decimal string (results files, results:runs()). */
		const char *txt = lua_tostring(L, 1);
		char *end;
		errno = 0;
		unsigned long long v = strtoull(txt, &end, 10);
		luaL_argcheck(L, *txt >= '0' && *txt <= '9' && !*end && errno == 0, 1,
		              "seed string must be a decimal number in [0, 2^64)");
		seed = (uint64_t)v;
	} else {
		lua_Integer s = luaL_checkinteger(L, 1);
		luaL_argcheck(L, s >= 0, 1, "seed must be >= 0");
		seed = (uint64_t)s;
	}
	lua_pushinteger(L, (lua_Integer)seed);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_SEED);
	return 0;
}

/* winit.set_jobs(n): the default number of threads (0 = all cores): of Study:run, and of
 * a model's fit, evaluate and predict outside studies. */
static int l_set_jobs(lua_State *L)
{
	lua_Integer j = luaL_checkinteger(L, 1);
	/* Stored as an int: a larger count would wrap (2^53 became 0, every core). */
	luaL_argcheck(L, j >= 0 && j <= INT32_MAX, 1, "jobs must be in [0, 2147483647]");
	lua_pushinteger(L, j);
	lua_setfield(L, LUA_REGISTRYINDEX, KEY_JOBS);
	return 0;
}

static int l_cpu_count(lua_State *L)
{
	lua_pushinteger(L, winit_cpu_count());
	return 1;
}

void winit_lua_open_settings(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "set_seed", l_set_seed },
		{ "set_jobs", l_set_jobs },
		{ "cpu_count", l_cpu_count },
		{ NULL, NULL }
	};
	winit_lua_set_funcs(L, module_index, funcs);
}
