/* src/lua/lsignal.c -- stopping from the keyboard or the system: while a fit or a study
 * runs, SIGINT and SIGTERM request a stop through winit/cancel.h (the trainer polls it
 * between steps, whether or not anything is printed) instead of killing the process, so
 * finished runs are saved; the previous handlers come back afterwards.
 *
 * Lua code run inside a fit or a study (a callback, an initializer written in Lua) gets a
 * count hook that polls the flag, so `while true do end` there ends too, with the error
 * "interrupted by SIGINT"; plugin calls are left by their guard (src/plugin/crash.c).  A
 * second signal while the first is being handled exits at once, by that signal: the
 * results file is written whole after each finished run (temporary file and rename), so
 * what it holds is kept. */
#include "config.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <winit/cancel.h>
#include <winit/plugin_call.h>
#include <winit/safe_write.h>

#include "lua/lbinding.h"

static atomic_int guards; /* sigguards on: the hook acts only inside a fit or a study */
static volatile sig_atomic_t signalled;

/* Async-signal-safe: for the signal handlers' reports. */
static void put(const char *s)
{
	(void)winit_write_all(STDERR_FILENO, s, strlen(s));
}

static void on_signal(int sig)
{
	if (signalled) {
		/* Async-signal-safe only: write, signal, raise. */
		put("\nwinit: ");
		put(sig == SIGTERM ? "SIGTERM" : "SIGINT");
		put(" again: exiting now (finished runs are saved)\n");
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	signalled = 1;
	winit_cancel(sig);
}

void winit_lua_sigguard_on(struct winit_lua_sigguard *g)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	winit_cancel_reset();
	signalled = 0;
	atomic_fetch_add(&guards, 1);
	sigaction(SIGINT, &sa, &g->old_int);
	sigaction(SIGTERM, &sa, &g->old_term);
}

void winit_lua_sigguard_off(struct winit_lua_sigguard *g)
{
	sigaction(SIGINT, &g->old_int, NULL);
	sigaction(SIGTERM, &g->old_term, NULL);
	atomic_fetch_sub(&guards, 1);
}

/* Every 1000 VM instructions inside a fit or a study: a stop request, or an initializer
 * written in Lua past the plugin time limit, raises an error in the running Lua code. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	if (atomic_load_explicit(&guards, memory_order_relaxed) == 0)
		return;
	if (winit_cancelled())
		winit_lua_interrupted_error(L, NULL);
	double limit;
	if (winit_plugin_call_overdue(&limit)) {
		char s[32];
		snprintf(s, sizeof s, "%g", limit);
		luaL_error(L, "did not return within %s s, the plugin time limit (winit run "
		              "--plugin-timeout, WINIT_PLUGIN_TIMEOUT); a fill must return promptly",
		           s);
	}
}

int winit_lua_stop_hook_on(lua_State *L)
{
	if (lua_gethook(L) != NULL)
		return 0; /* the script's own hook (debug.sethook) stays */
	lua_sethook(L, stop_hook, LUA_MASKCOUNT, 1000);
	return 1;
}

void winit_lua_stop_hook_off(lua_State *L, int on)
{
	if (on)
		lua_sethook(L, NULL, 0, 0);
}

int winit_lua_interrupted_error(lua_State *L, const char *saved)
{
	int sig = winit_cancelled();
	const char *why = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" :
	                                                               "a stop request";
	return luaL_error(L, "interrupted by %s%s%s", why, saved ? "; finished runs saved to " : "",
	                  saved ? saved : "");
}
