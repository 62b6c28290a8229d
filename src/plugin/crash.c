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
 * saved after each run).  Outside a plugin call it says nothing.  An exit() from inside a
 * plugin call is named the same way, by an atexit handler.
 *
 * The time limit: an initializer's fill or adapt runs as a guarded call
 * (winit_plugin_call_guarded).  A per-thread timer (timer_create, delivered to that
 * thread) ticks every 100 ms while it runs; a tick that finds a stop requested
 * (winit/cancel.h: Ctrl-C) or the call older than the limit (WINIT_PLUGIN_TIMEOUT,
 * `winit run --plugin-timeout`, default 60 s) leaves the plugin with siglongjmp back to
 * the host, which fails the run, naming the plugin.  The plugin's own state is then
 * whatever it was: the contract is that calls return promptly. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winit/cancel.h>
#include <winit/error.h>
#include <winit/plugin_call.h>

#include "core/fileio.h"
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

/* Async-signal-safe: for the signal handlers' reports. */
static void put(const char *s)
{
	(void)winit_write_all(STDERR_FILENO, s, strlen(s));
}

/* What was installed before ours, to hand the signal on to. */
static struct sigaction previous[sizeof fatal_signals / sizeof fatal_signals[0]];

/* exit() called inside a plugin call (a plugin's fill calling exit(3)): say which one.
 * The results file holds every finished run already (it is saved after each run). */
static void on_exit_in_plugin(void)
{
	const struct winit_plugin_call c = current;
	if (c.plugin) {
		put("\nwinit: plugin '");
		put(c.plugin);
		put("' called exit() during its ");
		put(c.callback ? c.callback : "callback");
		put("; stopping (finished runs are saved)\n");
	}
}

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
	atexit(on_exit_in_plugin);
}

/* ---- The time limit of a guarded call ---- */

#define GUARD_SIGNAL (SIGRTMIN + 2)
#define GUARD_TICK_NS 100000000L /* 100 ms: a stop request ends a call within this */
#define DEFAULT_TIMEOUT 60.0

enum { LEFT_NOT = 0, LEFT_TIMEOUT, LEFT_STOP };

struct guard {
	sigjmp_buf jb;
	volatile sig_atomic_t armed; /* a tick may leave the call by jumping to jb */
	volatile sig_atomic_t left;  /* why it did: LEFT_* */
	volatile sig_atomic_t busy;  /* a guarded call is running (armed or cooperative) */
	struct timespec start;
	double limit; /* seconds; 0: none */
	int have_timer;
	timer_t timer;
};
static _Thread_local struct guard guard;
static pthread_key_t guard_key;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_ready;

static double elapsed_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

static void on_tick(int sig)
{
	(void)sig;
	int saved_errno = errno;
	struct guard *g = &guard;
	if (g->armed) {
		int why = winit_cancelled() ? LEFT_STOP :
		          g->limit > 0 && elapsed_since(&g->start) >= g->limit ? LEFT_TIMEOUT :
		                                                               LEFT_NOT;
		if (why != LEFT_NOT) {
			g->armed = 0;
			g->left = why;
			siglongjmp(g->jb, 1); /* restores the mask saved by sigsetjmp */
		}
	}
	errno = saved_errno;
}

static void drop_timer(void *p)
{
	struct guard *g = p;
	if (g && g->have_timer)
		timer_delete(g->timer);
}

static void guard_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	guard_ready = pthread_key_create(&guard_key, drop_timer) == 0 &&
	              sigaction(GUARD_SIGNAL, &sa, NULL) == 0;
}

/* This thread's timer, made on its first guarded call; 0 when there is none. */
static int guard_timer(struct guard *g)
{
	pthread_once(&guard_once, guard_setup);
	if (!guard_ready)
		return 0;
	if (!g->have_timer) {
		struct sigevent sev;
		memset(&sev, 0, sizeof sev);
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = GUARD_SIGNAL;
#ifdef sigev_notify_thread_id
		sev.sigev_notify_thread_id = gettid();
#else
		sev._sigev_un._tid = gettid();
#endif
		if (timer_create(CLOCK_MONOTONIC, &sev, &g->timer) != 0)
			return 0;
		g->have_timer = 1;
		pthread_setspecific(guard_key, g);
	}
	return 1;
}

static void set_timer(struct guard *g, long ns)
{
	struct itimerspec it;
	memset(&it, 0, sizeof it);
	it.it_value.tv_nsec = ns;
	it.it_interval.tv_nsec = ns;
	timer_settime(g->timer, 0, &it, NULL);
}

double winit_plugin_timeout(void)
{
	const char *v = getenv("WINIT_PLUGIN_TIMEOUT");
	if (!v || !*v)
		return DEFAULT_TIMEOUT;
	char *end;
	double t = strtod(v, &end);
	return *end || !(t >= 0) || !isfinite(t) ? DEFAULT_TIMEOUT : t;
}

int winit_plugin_call_guarded(const char *plugin, const char *callback, void (*fn)(void *),
                              void *ctx, const char *what, struct winit_error *err)
{
	struct guard *g = &guard;
	if (g->busy) { /* a plugin call inside a plugin call: the outer guard holds */
		struct winit_plugin_call saved = winit_plugin_call_enter(plugin, callback);
		fn(ctx);
		winit_plugin_call_leave(saved);
		return WINIT_OK;
	}
	struct winit_plugin_call saved = winit_plugin_call_enter(plugin, callback);
	const int timed = guard_timer(g);
	g->limit = winit_plugin_timeout();
	g->left = LEFT_NOT;
	g->busy = 1;
	clock_gettime(CLOCK_MONOTONIC, &g->start);
	if (sigsetjmp(g->jb, 1) == 0) {
		if (timed) {
			g->armed = 1;
			set_timer(g, GUARD_TICK_NS);
		}
		fn(ctx);
		g->armed = 0;
	}
	if (timed)
		set_timer(g, 0);
	g->busy = 0;
	winit_plugin_call_leave(saved);
	switch (g->left) {
	case LEFT_TIMEOUT:
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: plugin '%s' (%s) did not return within %g s, the "
		                       "plugin time limit (winit run --plugin-timeout, "
		                       "WINIT_PLUGIN_TIMEOUT); plugin calls must return promptly",
		                       what, plugin, callback, g->limit);
	case LEFT_STOP: {
		int sig = winit_cancelled();
		return winit_error_set(err, WINIT_ERR_CANCELLED, "%s: interrupted by %s inside plugin "
		                                                 "'%s' (%s)",
		                       what, sig > 0 ? winit_signal_name(sig) : "a stop request",
		                       plugin, callback);
	}
	default:
		return WINIT_OK;
	}
}

void winit_plugin_call_cooperative(void)
{
	guard.armed = 0;
}

int winit_plugin_call_overdue(double *limit)
{
	const struct guard *g = &guard;
	if (limit)
		*limit = g->limit;
	return g->busy && g->limit > 0 && elapsed_since(&g->start) >= g->limit;
}
