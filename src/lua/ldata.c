/* src/lua/ldata.c -- datasets: the Dataset userdata, winit.load_idx,
 * winit.datasets.fashion_mnist.load_data, from_npy (NumPy's .npy files), from_arrays (Lua
 * tables) and gaussian (generated), each with optional input normalisation (statistics
 * from training rows). */
#include "config.h"

#include <float.h>
#include <math.h>
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
	winit_normalizer_free(&d->nz);
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
		lua_createtable(L, 3, 0);
		lua_pushinteger(L, d->ds.height);
		lua_rawseti(L, -2, 1);
		lua_pushinteger(L, d->ds.width);
		lua_rawseti(L, -2, 2);
		if (d->ds.channels > 0) {
			lua_pushinteger(L, d->ds.channels);
			lua_rawseti(L, -2, 3);
		}
	} else if (strcmp(k, "source") == 0)
		lua_pushstring(L, d->source);
	else if (strcmp(k, "label") == 0 || strcmp(k, "features") == 0) {
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

/* ds:features(i) -> sample i's features as the model sees them (pixel / 255 for images,
 * floats as they are), a list of n_features numbers in the order Flatten uses. */
static int dataset_features(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	lua_Integer i = luaL_checkinteger(L, 2);
	luaL_argcheck(L, i >= 1 && i <= d->ds.n, 2, "sample index out of range");
	int64_t f = d->ds.n_features;
	float *row = lua_newuserdatauv(L, (size_t)f * sizeof *row, 0); /* (n_features), freed by the GC */
	uint32_t idx = (uint32_t)(i - 1);
	winit_dataset_gather(row, NULL, &d->ds, &idx, 1);
	lua_createtable(L, f < INT32_MAX ? (int)f : 0, 0);
	for (int64_t j = 0; j < f; j++) {
		lua_pushnumber(L, (lua_Number)row[j]);
		lua_rawseti(L, -2, (lua_Integer)j + 1);
	}
	return 1;
}

static int dataset_tostring(lua_State *L)
{
	struct ldataset *d = winit_lua_check_dataset(L, 1);
	char channels[32] = "";
	if (d->ds.channels > 0)
		snprintf(channels, sizeof channels, "x%d", (int)d->ds.channels);
	lua_pushfstring(L, "Dataset(%d sample%s of %dx%d%s, %d class%s, from %s)", (int)d->ds.n,
	                d->ds.n == 1 ? "" : "s", (int)d->ds.height, (int)d->ds.width, channels,
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

/* Normalise d (and then `other`, may be NULL, with d's statistics) as options table t
 * says: normalize = "scale" | "standardize" | a dataset whose statistics to use, with
 * statistics from d's training rows (validation_split's tail left out). */
static void normalize_opts(lua_State *L, int t, struct ldataset *d, struct ldataset *other,
                           const char *fn)
{
	if (lua_isnoneornil(L, t))
		return;
	double split = winit_lua_opt_num(L, t, "validation_split", 0, fn);
	if (!(split >= 0 && split < 1))
		luaL_error(L, "%s: validation_split must be in [0, 1) (got %f)", fn, split);
	struct winit_error err = { 0 };
	int ty = lua_getfield(L, t, "normalize");
	if (ty == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	struct ldataset *from = luaL_testudata(L, -1, MT_DATASET);
	int32_t kind = WINIT_NORMALIZE_NONE;
	if (from) {
		if (from->nz.kind == WINIT_NORMALIZE_NONE)
			luaL_error(L, "%s: normalize: that dataset was not normalised, so it has no statistics to share", fn);
		if (from->nz.n_features != d->ds.n_features)
			luaL_error(L, "%s: normalize: that dataset has %d features, this one %d", fn,
			           (int)from->nz.n_features, (int)d->ds.n_features);
	} else if (ty == LUA_TSTRING && strcmp(lua_tostring(L, -1), "scale") == 0) {
		kind = WINIT_NORMALIZE_SCALE;
	} else if (ty == LUA_TSTRING && strcmp(lua_tostring(L, -1), "standardize") == 0) {
		kind = WINIT_NORMALIZE_STANDARDIZE;
	} else {
		luaL_error(L, "%s: normalize must be \"scale\", \"standardize\" or a normalised dataset (got %s)",
		           fn, ty == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
	}
	if (!from && winit_normalizer_fit(&d->nz, kind, &d->ds,
	                                  winit_fit_train_rows(d->ds.n, split), &err))
		luaL_error(L, "%s: %s", fn, err.msg);
	const struct winit_normalizer *nz = from ? &from->nz : &d->nz;
	if (winit_dataset_normalize(&d->ds, nz, &err) ||
	    (other && winit_dataset_normalize(&other->ds, nz, &err)))
		luaL_error(L, "%s: %s", fn, err.msg);
	lua_pop(L, 1);
}

/* winit.datasets.fashion_mnist.load_data([dir] [, {normalize = ..., validation_split = 0}])
 * -> train, test (test normalised with train's statistics) */
static int l_fashion_mnist_load(lua_State *L)
{
	int opts = lua_istable(L, 1) ? 1 : 2;
	if (lua_istable(L, opts)) {
		static const char *const keys[] = { "normalize", "validation_split", NULL };
		winit_lua_check_keys(L, opts, keys, "load_data", 0);
	}
	const char *dir = opts == 1 ? NULL : winit_lua_opt_path(L, 1);
	if (!dir)
		dir = winit_fashion_mnist_dir();
	struct ldataset *train = new_dataset(L);
	struct ldataset *test = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_fashion_mnist_load(&train->ds, &test->ds, dir, &err))
		return luaL_error(L, "%s", err.msg);
	fashion_source(train->source, sizeof train->source, dir, "train");
	fashion_source(test->source, sizeof test->source, dir, "t10k");
	if (lua_istable(L, opts))
		normalize_opts(L, opts, train, test, "load_data");
	return 2;
}

/* winit.load_idx(images, labels [, n_classes = 10]) -> dataset
 * The class count's range (1 to 256) is winit_dataset_load_idx's to check: one rule for
 * every caller. */
static int l_load_idx(lua_State *L)
{
	const char *images = winit_lua_check_path(L, 1);
	const char *labels = winit_lua_check_path(L, 2);
	lua_Integer nc = luaL_optinteger(L, 3, 10);
	luaL_argcheck(L, nc >= INT32_MIN && nc <= INT32_MAX, 3, "class count out of range");
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_load_idx(&d->ds, images, labels, (int32_t)nc, &err))
		return luaL_error(L, "%s", err.msg);
	snprintf(d->source, sizeof d->source, "%s", images);
	return 1;
}

/* winit.datasets.from_npy(images, labels [, {n_classes, normalize, validation_split}]):
 * two .npy files as numpy.save writes them (winit_dataset_load_npy); n_classes defaults to
 * the largest label + 1. */
static int l_from_npy(lua_State *L)
{
	static const char *const keys[] = { "n_classes", "normalize", "validation_split", NULL };
	const char *images = winit_lua_check_path(L, 1);
	const char *labels = winit_lua_check_path(L, 2);
	lua_Integer nc = 0;
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, "from_npy", 0);
		nc = winit_lua_opt_int(L, 3, "n_classes", 0, 1, 256, "from_npy");
	}
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_load_npy(&d->ds, images, labels, (int32_t)nc, &err))
		return luaL_error(L, "%s", err.msg);
	snprintf(d->source, sizeof d->source, "%s", images);
	normalize_opts(L, 3, d, NULL, "from_npy");
	return 1;
}

/* winit.datasets.from_arrays(features, labels [, {n_classes, normalize, validation_split}])
 * features: a list of rows (each a list of numbers, all of one length); labels: a list of
 * integer classes from 0, as Keras's sparse labels. */
static int l_from_arrays(lua_State *L)
{
	static const char *const keys[] = { "n_classes", "normalize", "validation_split", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, "from_arrays", 0);
	}
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n < 1)
		return luaL_error(L, "from_arrays: features is empty; expected a list of rows");
	if ((lua_Integer)lua_rawlen(L, 2) != n)
		return luaL_error(L, "from_arrays: %d rows of features but %d labels", (int)n,
		                  (int)lua_rawlen(L, 2));
	lua_rawgeti(L, 1, 1);
	if (!lua_istable(L, -1))
		return luaL_error(L, "from_arrays: features[1] must be a list of numbers (got %s)",
		                  luaL_typename(L, -1));
	lua_Integer f = (lua_Integer)lua_rawlen(L, -1);
	lua_pop(L, 1);
	lua_Integer max_label = 0;
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 2, i);
		int ok;
		lua_Integer c = lua_tointegerx(L, -1, &ok);
		if (!ok || c < 0 || c > 255)
			return luaL_error(L, "from_arrays: labels[%d] must be an integer class 0 to 255 (got %s)",
			                  (int)i, luaL_tolstring(L, -1, NULL));
		max_label = c > max_label ? c : max_label;
		lua_pop(L, 1);
	}
	lua_Integer nc = lua_istable(L, 3) ?
	                         winit_lua_opt_int(L, 3, "n_classes", max_label + 1, 1, 256, "from_arrays") :
	                         max_label + 1;
	if (max_label >= nc)
		return luaL_error(L, "from_arrays: label %d is not below n_classes %d", (int)max_label, (int)nc);
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_init_float(&d->ds, n, f, (int32_t)(nc > 256 ? 257 : nc), &err))
		return luaL_error(L, "from_arrays: %s", err.msg);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		if (!lua_istable(L, -1) || (lua_Integer)lua_rawlen(L, -1) != f)
			return luaL_error(L, "from_arrays: features[%d] must be a list of %d numbers (row 1's length)",
			                  (int)i, (int)f);
		for (lua_Integer j = 1; j <= f; j++) {
			lua_rawgeti(L, -1, j);
			int ok;
			lua_Number v = lua_tonumberx(L, -1, &ok);
			if (!ok || !isfinite(v))
				return luaL_error(L, "from_arrays: features[%d][%d] must be a finite number (got %s)",
				                  (int)i, (int)j, luaL_tolstring(L, -1, NULL));
			if (fabs(v) > FLT_MAX) /* a float infinity: training "diverges" on it */
				return luaL_error(L, "from_arrays: features[%d][%d] = %f is beyond the range of a "
				                     "float (|x| <= %f): features are stored as floats",
				                  (int)i, (int)j, v, (lua_Number)FLT_MAX);
			d->ds.xf[(i - 1) * f + (j - 1)] = (float)v;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		lua_rawgeti(L, 2, i);
		d->ds.y[i - 1] = (uint8_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	snprintf(d->source, sizeof d->source, "arrays");
	normalize_opts(L, 3, d, NULL, "from_arrays");
	return 1;
}

/* winit.datasets.gaussian{n = 1000, features = 2, classes = 2, seed = 0, separation = 1,
 * normalize = nil, validation_split = 0} */
static int l_gaussian(lua_State *L)
{
	static const char *const keys[] = { "n", "features", "classes", "seed",
		                            "separation", "normalize", "validation_split", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, "gaussian", 0);
	lua_Integer n = winit_lua_opt_int(L, 1, "n", 1000, 1, 1 << 26, "gaussian");
	lua_Integer f = winit_lua_opt_int(L, 1, "features", 2, 1, 1 << 24, "gaussian");
	lua_Integer c = winit_lua_opt_int(L, 1, "classes", 2, 1, 256, "gaussian");
	lua_Integer seed = winit_lua_opt_int(L, 1, "seed", 0, 0, LUA_MAXINTEGER, "gaussian");
	double sep = winit_lua_opt_num(L, 1, "separation", 1, "gaussian");
	/* The class means are N(0, separation^2) draws stored as floats: a separation beyond
	 * FLT_MAX / 64 could make one infinite (a normal draw is below 64 sd). */
	if (!(sep >= 0 && sep <= FLT_MAX / 64))
		return luaL_error(L, "gaussian: 'separation' must be a finite number in [0, %f] (the class "
		                     "means are N(0, separation^2) floats), got %f",
		                  (lua_Number)(FLT_MAX / 64), sep);
	struct ldataset *d = new_dataset(L);
	struct winit_error err = { 0 };
	if (winit_dataset_gaussian(&d->ds, n, f, (int32_t)c, sep, (uint64_t)seed, &err))
		return luaL_error(L, "gaussian: %s", err.msg);
	snprintf(d->source, sizeof d->source, "gaussian(seed %lld)", (long long)seed);
	normalize_opts(L, 1, d, NULL, "gaussian");
	return 1;
}

static const luaL_Reg dataset_methods[] = {
	{ "__gc", dataset_gc },
	{ "__close", dataset_gc },
	{ "__len", dataset_len },
	{ "__index", dataset_index },
	{ "__tostring", dataset_tostring },
	{ "label", dataset_label },
	{ "features", dataset_features },
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
	/* winit.datasets.fashion_mnist, from_npy, from_arrays, gaussian */
	lua_createtable(L, 0, 4);
	lua_pushcfunction(L, l_from_npy);
	lua_setfield(L, -2, "from_npy");
	lua_pushcfunction(L, l_from_arrays);
	lua_setfield(L, -2, "from_arrays");
	lua_pushcfunction(L, l_gaussian);
	lua_setfield(L, -2, "gaussian");
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, l_fashion_mnist_load);
	lua_setfield(L, -2, "load_data");
	lua_setfield(L, -2, "fashion_mnist");
	lua_setfield(L, module_index, "datasets");
}
