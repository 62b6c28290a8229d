/* src/plugin/crash.c -- naming the plugin a fatal signal came from.
 *
 * Every host call into a plugin (fill, stddev, adapt through <winit/plugin_call.h>, an
 * activation's gain, forward and backward, describe() while loading) records, per
 * thread, which plugin and callback is running.  When the loader first opens a plugin
 * object it installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT.  The
 * handler writes one line with write(2) only -- "winit: fatal signal SIGSEGV in plugin
 * 'x' (initializer fill); stopping" -- then hands the signal to the handler that was
 * there before (a host's, a sanitizer's), or restores the default action and re-raises,
 * so the process still dies of the same signal (finished runs are on disk: results are
 * saved after each run).  Outside a plugin call it says nothing. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <winit/plugin_call.h>

#include "plugin/plugin_internal.h"

static _Thread_local struct winit_plugin_call current;

struct winit_plugin_call winit_plugin_call_enter(const char *plugin, const char *callback)
{
	struct winit_plugin_call saved = current;
	current.plugin = plugin;
	current.callback = callback;
	return saved;
}

void winit_plugin_call_leave(struct winit_plugin_call saved)
{
	current = saved;
}

const char *winit_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGABRT: return "SIGABRT";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTRAP: return "SIGTRAP";
	case SIGSYS: return "SIGSYS";
	default: return "a signal";
	}
}

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* What was installed before ours, to hand the signal on to. */
static struct sigaction previous[sizeof fatal_signals / sizeof fatal_signals[0]];

static void on_fatal(int sig, siginfo_t *info, void *uctx)
{
	/* Async-signal-safe only: strlen, write, sigaction, signal, raise. */
	const struct winit_plugin_call c = current;
	if (c.plugin) {
		put("\nwinit: fatal signal ");
		put(winit_signal_name(sig));
		put(" in plugin '");
		put(c.plugin);
		put("' (");
		put(c.callback ? c.callback : "a callback");
		put("); stopping\n");
	}
	size_t i = 0;
	while (i < sizeof fatal_signals / sizeof fatal_signals[0] && fatal_signals[i] != sig)
		i++;
	if (i < sizeof fatal_signals / sizeof fatal_signals[0]) {
		const struct sigaction *old = &previous[i];
		/* A handler the host (or a sanitizer) installed gets the signal next. */
		if (old->sa_flags & SA_SIGINFO) {
			sigaction(sig, old, NULL);
			old->sa_sigaction(sig, info, uctx);
			return;
		}
		if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
			sigaction(sig, old, NULL);
			old->sa_handler(sig);
			return;
		}
	}
	signal(sig, SIG_DFL);
	raise(sig); /* delivered when the handler returns (it is blocked in here) */
}

void winit_plugin_crash_report_install(void)
{
	static int installed;
	if (__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_fatal;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(fatal_signals[i], &sa, &previous[i]);
	}
}
