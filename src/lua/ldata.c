/* src/lua/ldata.c -- datasets: the Dataset userdata, winit.load_idx and
 * winit.datasets.fashion_mnist.load_data. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

struct ldataset *winit_lua_check_dataset(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_DATASET);
}

static int dataset_gc(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	winit_dataset_free(&d->ds);
	return 0;
}

static int dataset_len(lua_State *L)
{
	lua_pushinteger(L, winit_lua_check_dataset(L, 1)->ds.n);
	return 1;
}

static int dataset_index(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	const char *k = luaL_checkstring(L, 2);
	if (strcmp(k, "n") == 0)
		lua_pushinteger(L, d->ds.n);
	else if (strcmp(k, "n_features") == 0)
		lua_pushinteger(L, d->ds.n_features);
	else if (strcmp(k, "n_classes") == 0)
		lua_pushinteger(L, d->ds.n_classes);
	else if (strcmp(k, "shape") == 0) {
		lua_createtable(L, 2, 0);
		lua_pushinteger(L, d->ds.height);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, d->ds.width);
		lua_rawseti(L, -2, 2);
	} else if (strcmp(k, "source") == 0)
		lua_pushstring(L, d->source);
	else if (strcmp(k, "label") == 0) {
		luaL_getmetatable(L, MT_DATASET);
		lua_getfield(L, -1, k);
	} else
		lua_pushnil(L);
	return 1;
}

/* ds:label(i) -> class of sample i (1-based, like Lua). */
static int dataset_label(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	lua_Integer i = luaL_checkinteger(L, 2);
	luaL_argcheck(L, i >= 1 && i <= d->ds.n, 2, "sample index out of range");
	lua_pushinteger(L, d->ds.y[i - 1]);
	return 1;
}

static int dataset_tostring(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	lua_pushfstring(L, "Dataset(%d sample%s of %dx%d, %d class%s, from %s)", (int)d->ds.n,
	                d->ds.n == 1 ? "" : "s", (int)d->ds.height, (int)d->ds.width,
	                (int)d->ds.n_classes, d->ds.n_classes == 1 ? "" : "es", d->source);
	return 1;
}

static struct ldataset *new_dataset(lua_State *L)
{
	struct ldataset *d = lua_newuserdatauv(L, sizeof *d, 0);
	memset(d, 0, sizeof *d);
	luaL_setmetatable(L, MT_DATASET);
	return d;
}

/* The source of a Fashion-MNIST split, as results files record it: dir/prefix-*-ubyte.gz
 * or dir/prefix-*-ubyte, naming the files the loader read.  It reads name.gz when that
 * exists and name otherwise (fashion_path in src/data/dataset.c); the same test, made
 * after a successful load, tells which. */
static void fashion_source(char *buf, size_t size, const char *dir, const char *prefix)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
	const char *images = access(path, F_OK) == 0 ? ".gz" : "";
	snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
	const char *labels = access(path, F_OK) == 0 ? ".gz" : "";
	if (strcmp(images, labels) == 0)
		snprintf(buf, size, "%s/%s-*-ubyte%s", dir, prefix, images);
	else
		snprintf(buf, size, "%s/%s-images-idx3-ubyte%s, %s-labels-idx1-ubyte%s", dir, prefix,
		         images, prefix, labels);
}

/* winit.datasets.fashion_mnist.load_data([dir]) -> train, test */
static int l_fashion_mnist_load(lua_State *L)
{
	const char *dir = luaL_optstring(L, 1, NULL);
	if (!dir)
		dir = winit_fashion_mnist_dir();
	struct ldataset *train = new_dataset(L);
	struct ldataset *test = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_fashion_mnist_load(&train->ds, &test->ds, dir, &err))
		return luaL_error(L, "%s", err.msg);
	fashion_source(train->source, sizeof train->source, dir, "train");
	fashion_source(test->source, sizeof test->source, dir, "t10k");
	return 2;
}

/* winit.load_idx(images, labels [, n_classes = 10]) -> dataset
 * The class count's range (1 to 256) is winit_dataset_load_idx's to check: one rule for
 * every caller. */
static int l_load_idx(lua_State *L)
{
	const char *images = luaL_checkstring(L, 1);
	const char *labels = luaL_checkstring(L, 2);
	lua_Integer nc = luaL_optinteger(L, 3, 10);
	luaL_argcheck(L, nc >= INT32_MIN && nc <= INT32_MAX, 3, "class count out of range");
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_load_idx(&d->ds, images, labels, (int32_t)nc, &err))
		return luaL_error(L, "%s", err.msg);
	snprintf(d->source, sizeof d->source, "%s", images);
	return 1;
}

static const luaL_Reg dataset_methods[] = {
	{ "__gc", dataset_gc },
	{ "__close", dataset_gc },
	{ "__len", dataset_len },
	{ "__index", dataset_index },
	{ "__tostring", dataset_tostring },
	{ "label", dataset_label },
	{ NULL, NULL }
};

void winit_lua_open_data(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "load_idx", l_load_idx },
		{ NULL, NULL }
	};
	luaL_newmetatable(L, MT_DATASET);
	luaL_setfuncs(L, dataset_methods, 0);
	lua_pop(L, 1);
	winit_lua_set_funcs(L, module_index, funcs);
	/* winit.datasets.fashion_mnist */
	lua_createtable(L, 0, 1);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, l_fashion_mnist_load);
	lua_setfield(L, -2, "load_data");
	lua_setfield(L, -2, "fashion_mnist");
	lua_setfield(L, module_index, "datasets");
}
