/* tests/luatest.h -- the fixture the Lua suites share (check_lua.c, check_keras.c): small
 * generated IDX data in a fresh directory (DIR in Lua), a state with the winit module, and
 * running chunks that must succeed (RUN_OK) or fail with given words (RUN_ERR). */
#ifndef WINIT_LUATEST_H
#define WINIT_LUATEST_H

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua/lwinit.h"
#include "testutil.h"

static char dir[256];

/* 4x4 images of three classes: class c brightens rows c. */
static inline void make_data(const char *name, uint32_t n, uint64_t seed)
{
	uint8_t *x = malloc(n * 16), *y = malloc(n);
	struct winit_rng rng;
	winit_rng_seed(&rng, seed, 0);
	for (uint32_t i = 0; i < n; i++) {
		int c = (int)winit_rng_below(&rng, 3);
		y[i] = (uint8_t)c;
		for (int k = 0; k < 16; k++)
			x[i * 16 + k] = (uint8_t)(winit_rng_below(&rng, 140) + (k / 4 == c ? 110 : 0));
	}
	char path[512];
	uint32_t d3[3] = { n, 4, 4 }, d1[1] = { n };
	snprintf(path, sizeof path, "%s/%s-images", dir, name);
	tu_write_idx(path, 0, 3, d3, x, n * 16);
	snprintf(path, sizeof path, "%s/%s-labels", dir, name);
	tu_write_idx(path, 0, 1, d1, y, n);
	free(x);
	free(y);
}

static lua_State *L;

static inline void setup(void)
{
	snprintf(dir, sizeof dir, "%s", tu_tmpdir());
	make_data("train", 600, 1);
	make_data("test", 200, 2);
	L = luaL_newstate();
	luaL_openlibs(L);
	luaL_requiref(L, "winit", luaopen_winit, 1);
	lua_pop(L, 1);
	lua_pushstring(L, dir);
	lua_setglobal(L, "DIR");
	setenv("WINIT_NO_PROGRESS", "1", 1);
}

static inline void teardown(void)
{
	lua_close(L);
}

/* Run a chunk named "=test.lua"; returns NULL on success or the error message. */
static inline const char *run(const char *code)
{
	lua_settop(L, 0);
	if (luaL_loadbuffer(L, code, strlen(code), "=test.lua") != LUA_OK ||
	    lua_pcall(L, 0, 0, 0) != LUA_OK)
		return lua_tostring(L, -1);
	return NULL;
}

/* Run a chunk that must succeed with stdout sent to a file; returns what it printed. */
static inline const char *run_stdout(const char *code)
{
	static char out[8192];
	char path[512];
	snprintf(path, sizeof path, "%s/stdout.txt", dir);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	FILE *f = fopen(path, "w");
	ck_assert_msg(saved >= 0 && f, "cannot redirect stdout to %s", path);
	dup2(fileno(f), STDOUT_FILENO);
	const char *e = run(code);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	fclose(f);
	ck_assert_msg(e == NULL, "script failed: %s", e);
	f = fopen(path, "r");
	size_t n = fread(out, 1, sizeof out - 1, f);
	fclose(f);
	out[n] = '\0';
	return out;
}

#define RUN_OK(code)                                                \
	do {                                                        \
		const char *e_ = run(code);                         \
		ck_assert_msg(e_ == NULL, "script failed: %s", e_); \
	} while (0)

#define RUN_ERR(code, ...)                                                                            \
	do {                                                                                          \
		const char *e_ = run(code);                                                           \
		ck_assert_msg(e_ != NULL, "script should have failed");                               \
		const char *want_[] = { __VA_ARGS__ };                                                \
		for (size_t i_ = 0; i_ < sizeof want_ / sizeof want_[0]; i_++)                        \
			ck_assert_msg(strstr(e_, want_[i_]), "error '%s' lacks '%s'", e_, want_[i_]); \
	} while (0)

static const char model_src[] =
	"local winit = require 'winit'\n"
	"train = winit.load_idx(DIR .. '/train-images', DIR .. '/train-labels', 3)\n"
	"test = winit.load_idx(DIR .. '/test-images', DIR .. '/test-labels', 3)\n"
	"function build(init)\n"
	"  local m = winit.Sequential {\n"
	"    winit.layers.Flatten { input_shape = {4, 4} },\n"
	"    winit.layers.Dense { 16, activation = 'relu', kernel_initializer = init },\n"
	"    winit.layers.Dense { 3, activation = 'softmax' },\n"
	"  }\n"
	"  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },\n"
	"              loss = 'categorical_crossentropy', metrics = {'accuracy'} }\n"
	"  return m\n"
	"end\n";

#endif /* WINIT_LUATEST_H */
