/* tests/fuzz/fuzz_lua.c -- libFuzzer harness for the winit Lua module: each input is a
 * program of generated calls.  A fresh Lua state with the module runs the driver
 * tests/fuzz/fuzz_lua.lua, which reads the input as bytes and turns them into calls of the
 * module's functions and of methods of the objects made so far (and of metamethods), with
 * arguments of every Lua type; every call runs under pcall, so an error is an outcome like
 * any other.  Only what the sanitizers report, a crash, a leak or a hang is a finding.
 *
 * What keeps an input cheap and the machine safe:
 *  - each input runs in a scratch directory (the cwd while it runs; the caller's cwd is
 *    restored after), emptied after each input; the driver never writes a path outside it
 *    (a '/' in a generated string becomes '_');
 *  - Fashion-MNIST is a 30-image copy in that directory (WINIT_FASHION_MNIST_DIR), the
 *    dataset cache is off, progress lines are off and stdout goes to /dev/null while an
 *    input runs;
 *  - a watchdog thread requests a stop (winit_cancel) when an input has run for more than
 *    FUZZ_LUA_BUDGET_MS: training and studies end at the next step, as on Ctrl-C;
 *  - the driver draws mostly small numbers; the extremes it draws are the ones every
 *    function must refuse, or an allocation the library must survive failing (make fuzz runs
 *    with ASan's allocator_may_return_null=1 and max_allocation_size_mb=1024).
 *
 * The driver's path is compiled in (FUZZ_LUA_DRIVER); WINIT_FUZZ_LUA_DRIVER overrides it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <winit/cancel.h>

#include "lua/lwinit.h"

#ifndef FUZZ_LUA_DRIVER
#define FUZZ_LUA_DRIVER "tests/fuzz/fuzz_lua.lua"
#endif
#define FUZZ_LUA_BUDGET_MS 1500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[256]; /* the process's scratch directory */
static char work[300]; /* base/work: the cwd, emptied after every input */
static char *driver;   /* the driver's text */
static size_t driver_len;
static int null_fd = -1; /* /dev/null, stdout while an input runs */

/* The watchdog: an input's start time, and whether one is running. */
static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond = PTHREAD_COND_INITIALIZER;
static struct timespec wd_start;
static int wd_running;
static int wd_quit;            /* set at exit: the watchdog returns */
static unsigned long wd_input; /* bumped per input, so one stop per input */
static pthread_t wd_thread;

static void *watchdog(void *arg)
{
	(void)arg;
	unsigned long stopped = 0;
	pthread_mutex_lock(&wd_lock);
	for (;;) {
		struct timespec now, until;
		clock_gettime(CLOCK_REALTIME, &now);
		until = now;
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd_cond, &wd_lock, &until);
		if (wd_quit)
			break;
		if (!wd_running || stopped == wd_input)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - wd_start.tv_sec) * 1000 + (now.tv_nsec - wd_start.tv_nsec) / 1000000;
		if (ms > FUZZ_LUA_BUDGET_MS) {
			winit_cancel(WINIT_CANCEL_REQUESTED);
			stopped = wd_input;
		}
	}
	pthread_mutex_unlock(&wd_lock);
	return NULL;
}

static int remove_all(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* At exit: the watchdog ends and the scratch directory goes, whatever the inputs left. */
static void at_exit(void)
{
	pthread_mutex_lock(&wd_lock);
	wd_quit = 1;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	pthread_join(wd_thread, NULL);
	nftw(base, remove_all, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup_once(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof base, "%s/winit-fuzz-lua-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(base))
		__builtin_trap();
	snprintf(work, sizeof work, "%s/work", base);
	char fm[300];
	snprintf(fm, sizeof fm, "%s/fm", base);
	if (mkdir(work, 0700) || mkdir(fm, 0700))
		__builtin_trap();
	setenv("WINIT_FASHION_MNIST_DIR", fm, 1);
	setenv("WINIT_NO_CACHE", "1", 1);
	setenv("WINIT_NO_PROGRESS", "1", 1);
	setenv("TMPDIR", work, 1);
	const char *path = getenv("WINIT_FUZZ_LUA_DRIVER");
	FILE *f = fopen(path ? path : FUZZ_LUA_DRIVER, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_lua: cannot open the driver %s\n", path ? path : FUZZ_LUA_DRIVER);
		__builtin_trap();
	}
	static char buf[1 << 17];
	driver_len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	driver = buf;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		__builtin_trap();
	if (pthread_create(&wd_thread, NULL, watchdog, NULL))
		__builtin_trap();
	atexit(at_exit);
	/* The driver's first run with an empty input writes the Fashion-MNIST copy. */
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	if (luaL_loadbuffer(L, driver, driver_len, "=fuzz_lua.lua") != LUA_OK) {
		fprintf(stderr, "fuzz_lua: %s\n", lua_tostring(L, -1));
		__builtin_trap();
	}
	lua_pushnil(L);
	lua_pushstring(L, base);
	lua_pushstring(L, "setup");
	if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
		fprintf(stderr, "fuzz_lua: setup: %s\n", lua_tostring(L, -1));
		__builtin_trap();
	}
	lua_close(L);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!driver)
		setup_once();
	winit_cancel_reset();
	pthread_mutex_lock(&wd_lock);
	clock_gettime(CLOCK_MONOTONIC, &wd_start);
	wd_input++;
	wd_running = 1;
	pthread_mutex_unlock(&wd_lock);

	fflush(stdout);
	int out = dup(STDOUT_FILENO);
	if (out < 0 || dup2(null_fd, STDOUT_FILENO) < 0)
		__builtin_trap();
	int home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home < 0 || chdir(work))
		__builtin_trap();
	lua_State *L = luaL_newstate();
	if (!L)
		__builtin_trap();
	luaL_openlibs(L);
	luaL_requiref(L, "winit", luaopen_winit, 1);
	lua_pop(L, 1);
	if (luaL_loadbuffer(L, driver, driver_len, "=fuzz_lua.lua") != LUA_OK)
		__builtin_trap();
	lua_pushlstring(L, (const char *)data, size);
	lua_pushstring(L, base);
	lua_pushstring(L, "run");
	if (lua_pcall(L, 3, 0, 0) != LUA_OK) {
		/* The driver catches every call's error; one reaching here is the driver's own. */
		const char *msg = lua_tostring(L, -1);
		if (!msg || !strstr(msg, "not enough memory")) {
			fprintf(stderr, "fuzz_lua: the driver failed: %s\n", msg ? msg : "(not a string)");
			__builtin_trap();
		}
	}
	lua_close(L);

	pthread_mutex_lock(&wd_lock);
	wd_running = 0;
	pthread_mutex_unlock(&wd_lock);
	winit_cancel_reset();
	chmod(work, 0700);
	nftw(work, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (fchdir(home))
		__builtin_trap();
	close(home);
	fflush(stdout);
	dup2(out, STDOUT_FILENO);
	close(out);
	return 0;
}
