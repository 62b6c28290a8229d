/* tests/luatest.h -- the fixture the Lua suites share (check_lua.c, check_keras.c): small
 * generated IDX data in a fresh directory (DIR in Lua), a state with the winit module, and
 * running chunks that must succeed (RUN_OK) or fail with given words (RUN_ERR).  Longer
 * scripts are files, tests/lua/suites/NAME.lua, run by RUN_FILE_OK("NAME"); model.lua
 * there defines the data (train, test) and build(init) most tests start from. */
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

/* Run tests/lua/suites/NAME.lua, found through $top_srcdir (make check sets it), as a
 * chunk named NAME.lua (errors say "NAME.lua:LINE:").  Returns NULL on success or the
 * error message. */
static inline const char *run_file(const char *name)
{
	const char *top = getenv("top_srcdir");
	ck_assert_msg(top && *top, "top_srcdir is not set (make check sets it)");
	char path[1024], chunk[256];
	snprintf(path, sizeof path, "%s/tests/lua/suites/%s.lua", top, name);
	snprintf(chunk, sizeof chunk, "@%s.lua", name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static char code[16384];
	size_t n = fread(code, 1, sizeof code, f);
	ck_assert_msg(!ferror(f) && n < sizeof code, "%s: unreadable, or over %zu bytes", path,
	              sizeof code - 1);
	fclose(f);
	lua_settop(L, 0);
	if (luaL_loadbufferx(L, code, n, chunk, "t") != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK)
		return lua_tostring(L, -1);
	return NULL;
}

#define RUN_FILE_OK(name)                                                       \
	do {                                                                    \
		const char *e_ = run_file(name);                                \
		ck_assert_msg(e_ == NULL, "tests/lua/suites/%s.lua failed: %s", \
		              name, e_);                                        \
	} while (0)

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

#endif /* WINIT_LUATEST_H */
