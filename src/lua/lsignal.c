/* src/lua/lsignal.c -- stopping from the keyboard or the system: while a fit or a study
 * runs, SIGINT and SIGTERM request a stop through winit/cancel.h (the trainer polls it
 * between steps, whether or not anything is printed) instead of killing the process, so
 * finished runs are saved; the previous handlers come back afterwards.  The handler
 * resets itself, so a second signal acts as usual. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <winit/cancel.h>

#include "lua/lbinding.h"

static void on_signal(int sig)
{
	winit_cancel(sig);
}

void winit_lua_sigguard_on(struct winit_lua_sigguard *g)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	winit_cancel_reset();
	sigaction(SIGINT, &sa, &g->old_int);
	sigaction(SIGTERM, &sa, &g->old_term);
}

void winit_lua_sigguard_off(struct winit_lua_sigguard *g)
{
	sigaction(SIGINT, &g->old_int, NULL);
	sigaction(SIGTERM, &g->old_term, NULL);
}

int winit_lua_interrupted_error(lua_State *L, const char *saved)
{
	int sig = winit_cancelled();
	const char *why = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" :
	                                                               "a stop request";
	return luaL_error(L, "interrupted by %s%s%s", why, saved ? "; finished runs saved to " : "",
	                  saved ? saved : "");
}
