/* src/lua/lsignal.c -- the interrupt flag and the SIGINT guard: while a fit or a study
 * runs, Ctrl-C sets the flag (polled by training) instead of killing the process, so
 * finished runs can still be saved; the previous handler comes back afterwards. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "lua/lbinding.h"

volatile sig_atomic_t winit_lua_interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	winit_lua_interrupted = 1;
}

void winit_lua_sigguard_on(struct winit_lua_sigguard *g)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	winit_lua_interrupted = 0;
	sigaction(SIGINT, &sa, &g->old);
}

void winit_lua_sigguard_off(struct winit_lua_sigguard *g)
{
	sigaction(SIGINT, &g->old, NULL);
}
