/* src/lua/linit.c -- initializers written in Lua (winit.initializer): a host-made
 * descriptor, added to the registry, whose fill calls the script's function with an rng
 * userdata drawing from the run's own stream. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/plugin_call.h>

#include "lua/lbinding.h"

/* An initializer written in Lua: a host-made descriptor whose fill calls the script's
 * function.  Runs may fill from worker threads; calls into the (single) Lua state are
 * serialised by this lock, and the thread that owns the state is then blocked in C. */
static pthread_mutex_t lua_callback_lock = PTHREAD_MUTEX_INITIALIZER;

struct lua_init {
	struct winit_initializer desc; /* first: args->self points here */
	char name[64];
	char summary[160];
	lua_State *L;
	int fill_ref;
};

struct lrng {
	const struct winit_host *host;
	void *rng; /* valid only during the fill call */
};

static struct lrng *check_rng(lua_State *L)
{
	struct lrng *r = luaL_checkudata(L, 1, MT_RNG);
	if (!r->rng)
		luaL_error(L, "this random stream belonged to a finished fill; use the one passed in");
	return r;
}

static int rng_uniform(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_pushnumber(L, r->host->uniform(r->rng));
	return 1;
}

static int rng_normal(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_pushnumber(L, r->host->normal(r->rng));
	return 1;
}

/* Uniform in [0, n), n >= 1, from the host's stream: the algorithm of winit_rng_below
 * (Lemire's multiply-and-reject), so no value is favoured as next_u64() % n favours the
 * low ones, and the same stream state gives the same value. */
static uint64_t host_below(const struct winit_host *host, void *rng, uint64_t n)
{
	__uint128_t m = (__uint128_t)host->next_u64(rng) * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		uint64_t t = -n % n;
		while (l < t) {
			m = (__uint128_t)host->next_u64(rng) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* rng:integer(n) -> uniform in [1, n] */
static int rng_integer(lua_State *L)
{
	struct lrng *r = check_rng(L);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n >= 1, 2, "n must be >= 1");
	lua_pushinteger(L, (lua_Integer)host_below(r->host, r->rng, (uint64_t)n) + 1);
	return 1;
}

/* One fill, everything that touches the Lua state: run as a C function under lua_pcall
 * so that any Lua error (in the script's function, a __len or __index metamethod, an
 * allocation) lands in that pcall and never unwinds past the lock or across threads. */
struct fill_call {
	const struct lua_init *li;
	float *w;
	const struct winit_fill_args *a;
	struct lrng *rng; /* the userdata handed to the script, to disarm afterwards */
	int rng_ref;      /* its registry reference: alive until disarmed, whatever the outcome */
};

/* "the Lua fill function defined at script.lua:3": where the script's function is, for the
 * errors about what it returned (raised after it returned, so no line of its own). */
static void fill_where(lua_State *L, int fn, char *buf, size_t len)
{
	lua_Debug ar;
	lua_pushvalue(L, fn);
	if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
		snprintf(buf, len, "the Lua fill function defined at %s:%d", ar.short_src, ar.linedefined);
	else
		snprintf(buf, len, "the Lua fill function");
}

/* "784x128": the shape of the tensor being filled. */
static void fill_shape(const struct winit_fill_args *a, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < a->n_dims && o < len; i++) {
		int k = snprintf(buf + o, len - o, "%s%lld", i ? "x" : "", (long long)a->dims[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

static int fill_protected(lua_State *L)
{
	struct fill_call *c = lua_touserdata(L, 1);
	const struct winit_fill_args *a = c->a;
	lua_rawgeti(L, LUA_REGISTRYINDEX, c->li->fill_ref);
	int fn = lua_gettop(L);
	char where[LUA_IDSIZE + 64], shape[96], msg[LUA_IDSIZE + 400];
	fill_where(L, fn, where, sizeof where);
	fill_shape(a, shape, sizeof shape);
	lua_pushvalue(L, fn);
	lua_createtable(L, 0, 6);
	lua_createtable(L, (int)a->n_dims, 0);
	for (uint32_t i = 0; i < a->n_dims; i++) {
		lua_pushinteger(L, a->dims[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "shape");
	lua_pushinteger(L, a->n);
	lua_setfield(L, -2, "n");
	lua_pushinteger(L, a->fan_in);
	lua_setfield(L, -2, "fan_in");
	lua_pushinteger(L, a->fan_out);
	lua_setfield(L, -2, "fan_out");
	lua_pushnumber(L, a->gain);
	lua_setfield(L, -2, "gain");
	struct lrng *r = lua_newuserdatauv(L, sizeof *r, 0);
	r->host = a->host;
	r->rng = NULL;
	luaL_setmetatable(L, MT_RNG);
	/* Anchored in the registry until lua_init_fill has disarmed it: once the script's
	 * function returns nothing else holds it, and the garbage collector may run at any
	 * allocation after that (the error below, the unwinding of this pcall). */
	lua_pushvalue(L, -1);
	c->rng_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	r->rng = a->rng;
	c->rng = r;
	lua_call(L, 2, 1);
	lua_Integer len = lua_istable(L, -1) ? luaL_len(L, -1) : 0; /* __len may raise */
	if (!lua_istable(L, -1) || len != a->n) {
		char got[64];
		if (lua_istable(L, -1))
			snprintf(got, sizeof got, "table of length %lld", (long long)len);
		else
			snprintf(got, sizeof got, "%s", luaL_typename(L, -1));
		snprintf(msg, sizeof msg, "%s must return a table of %lld number%s (row-major), "
		                          "got %s (the tensor's shape is %s)",
		         where, (long long)a->n, a->n == 1 ? "" : "s", got, shape);
		return luaL_error(L, "%s", msg);
	}
	for (int64_t i = 0; i < a->n; i++) {
		lua_rawgeti(L, -1, i + 1);
		int isnum;
		lua_Number v = lua_tonumberx(L, -1, &isnum);
		if (!isnum) {
			snprintf(msg, sizeof msg, "%s: value %lld of the returned table is a %s, expected "
			                          "a number (%lld numbers for shape %s)",
			         where, (long long)i + 1, luaL_typename(L, -1), (long long)a->n, shape);
			return luaL_error(L, "%s", msg);
		}
		c->w[i] = (float)v;
		lua_pop(L, 1);
	}
	return 0;
}

/* Set while this thread runs a Lua fill: a fill that builds a model (and so fills again)
 * is refused instead of waiting for the lock its own thread holds. */
static _Thread_local int in_lua_fill;

static int lua_init_fill(float *w, const struct winit_fill_args *a, char *err, size_t errlen)
{
	const struct lua_init *li = (const struct lua_init *)a->self;
	lua_State *L = li->L;
	if (in_lua_fill) {
		snprintf(err, errlen, "a Lua initializer cannot fill weights from inside its own fill");
		return 1;
	}
	struct fill_call c = { .li = li, .w = w, .a = a, .rng_ref = LUA_NOREF };
	int rc = 0;
	pthread_mutex_lock(&lua_callback_lock);
	in_lua_fill = 1;
	int top = lua_gettop(L);
	if (!lua_checkstack(L, 2)) {
		snprintf(err, errlen, "no Lua stack space left to call the fill function");
		rc = 1;
	} else {
		/* Neither push can raise: a light C function and a light userdata. */
		lua_pushcfunction(L, fill_protected);
		lua_pushlightuserdata(L, &c);
		/* Stopped by the hook, never by a jump out of the Lua VM (crash.c's guard). */
		winit_plugin_call_cooperative();
		int hook = winit_lua_stop_hook_on(L);
		int st = lua_pcall(L, 1, 0, 0);
		winit_lua_stop_hook_off(L, hook);
		if (st != LUA_OK) {
			const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			snprintf(err, errlen, "%s", msg ? msg : "error in fill (a non-string error value)");
			rc = 1;
		}
	}
	if (c.rng)
		c.rng->rng = NULL; /* the stream is the run's: not usable after the fill */
	/* Only now may the collector take the userdata. */
	luaL_unref(L, LUA_REGISTRYINDEX, c.rng_ref);
	lua_settop(L, top);
	in_lua_fill = 0;
	pthread_mutex_unlock(&lua_callback_lock);
	return rc;
}

/* winit.initializer { name = "...", fill = function(t, rng) ... end, summary = "..." }
 * -> name.  t = { shape = {fan_in, fan_out}, n, fan_in, fan_out, gain }; fill returns a
 * table of t.n numbers, row-major; rng:uniform(), rng:normal(), rng:integer(n) draw from
 * the run's own stream, so results stay reproducible. */
static int l_initializer(lua_State *L)
{
	static const char *const keys[] = { "name", "fill", "summary", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, "initializer", 0);
	/* A string only: a number would be converted (math.huge named "inf"). */
	const char *name = lua_getfield(L, 1, "name") == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (!name || !*name || strlen(name) >= 64)
		return luaL_error(L, "initializer: 'name' must be a string of 1 to 63 characters, got %s",
		                  name ? "a string of another length" : luaL_typename(L, -1));
	lua_getfield(L, 1, "fill");
	if (!lua_isfunction(L, -1))
		return luaL_error(L, "initializer: 'fill' must be a function(t, rng) returning the values");
	struct lua_init *li = lua_newuserdatauv(L, sizeof *li, 0);
	memset(li, 0, sizeof *li);
	luaL_setmetatable(L, MT_LUA_INIT);
	snprintf(li->name, sizeof li->name, "%s", name);
	lua_getfield(L, 1, "summary");
	snprintf(li->summary, sizeof li->summary, "%s",
	         lua_isstring(L, -1) ? lua_tostring(L, -1) : "initializer written in Lua");
	lua_pop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
	lua_State *main = lua_tothread(L, -1);
	lua_pop(L, 1);
	li->L = main;
	lua_pushvalue(L, -2); /* the function */
	li->fill_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	li->desc.info = (struct winit_plugin_info){
		.abi_version = WINIT_PLUGIN_ABI_VERSION,
		.struct_size = sizeof(struct winit_initializer),
		.kind = WINIT_KIND_INITIALIZER,
		.name = li->name,
		.summary = li->summary,
		.formula = "defined by a Lua function",
	};
	li->desc.fill = lua_init_fill;
	/* Keep it alive for the state's lifetime: descriptors must outlive the registry. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, KEY_LUA_INITS);
	lua_pushvalue(L, -2);
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	lua_pop(L, 1);
	luaL_where(L, 1);
	char origin[256];
	snprintf(origin, sizeof origin, "Lua %s", lua_tostring(L, -1));
	size_t ol = strlen(origin);
	while (ol > 0 && (origin[ol - 1] == ' ' || origin[ol - 1] == ':'))
		origin[--ol] = '\0';
	struct winit_error err = { 0 };
	if (winit_registry_add(winit_lua_registry(L), &li->desc.info, origin, &err))
		return luaL_error(L, "initializer: %s", err.msg);
	lua_pushstring(L, li->name);
	return 1;
}

void winit_lua_open_init(lua_State *L, int module_index)
{
	static const luaL_Reg rng_methods[] = {
		{ "uniform", rng_uniform },
		{ "normal", rng_normal },
		{ "integer", rng_integer },
		{ NULL, NULL }
	};
	static const luaL_Reg funcs[] = {
		{ "initializer", l_initializer },
		{ NULL, NULL }
	};
	winit_lua_new_class(L, MT_LUA_INIT, NULL, NULL);
	winit_lua_new_class(L, MT_RNG, rng_methods, NULL);
	winit_lua_set_funcs(L, module_index, funcs);
}
