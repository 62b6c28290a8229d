/* src/plugin/conformance_child.c -- running conformance checks in a child process, so a
 * plugin that crashes or never returns fails its check instead of taking `winit
 * check-plugin` down with it.
 *
 * The child gets the checker's counts and the "current call" in a shared anonymous
 * mapping and its report lines through a pipe; the parent forwards the lines as they
 * come, waits at most the time limit, kills a child that overruns it, and turns a death
 * by signal or a timeout into one FAIL line naming the setting and the call. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <winit/plugin_call.h>

#include "core/clock.h"
#include "plugin/conformance_internal.h"
#include "plugin/plugin_internal.h"

struct shared {
	struct checker c;         /* the child's copy: counts as they happen */
	char call[CONF_CALL_MAX]; /* conf_calling's record */
	int finished;             /* fn returned */
};

static char *call_slot; /* the shared record, in a child only */
static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;

void conf_calling(const char *fmt, ...)
{
	if (!call_slot)
		return;
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&call_lock);
	vsnprintf(call_slot, CONF_CALL_MAX, fmt, ap);
	pthread_mutex_unlock(&call_lock);
	va_end(ap);
}

/* Forward what the child wrote until it closes the pipe or the deadline passes.
 * Returns 0 at end of file, -1 at the deadline. */
static int forward(int fd, FILE *out, double deadline)
{
	char buf[4096];
	for (;;) {
		double left = deadline - winit_clock_seconds();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue; /* the deadline is checked above */
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (out)
			fwrite(buf, 1, (size_t)n, out);
	}
}

/* waitpid until the deadline; then SIGKILL.  Returns 1 when it had to kill. */
static int reap(pid_t pid, int *status, double deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return 0;
		if (winit_clock_seconds() >= deadline)
			break;
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 1;
}

static void run_child(struct shared *sh, int fd, void (*fn)(struct checker *c, void *ctx),
                      void *ctx)
{
	/* A crash must end the child by its signal, silently, whatever handler the host or
	 * a sanitizer installed (and the loader's own is not installed again in here). */
	winit_plugin_crash_report_install();
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], SIG_DFL);
	call_slot = sh->call;
	FILE *out = NULL;
	if (sh->c.out) {
		out = fdopen(fd, "w");
		if (out)
			setvbuf(out, NULL, _IOLBF, 0);
	}
	sh->c.out = out;
	fn(&sh->c, ctx);
	sh->finished = 1;
	if (out)
		fflush(out);
	_exit(0);
}

int conf_isolated(struct checker *c, double timeout, const char *what,
                  void (*fn)(struct checker *c, void *ctx), void *ctx)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	                         -1, 0);
	int fds[2] = { -1, -1 };
	if (sh == MAP_FAILED || pipe(fds) != 0) {
		if (sh != MAP_FAILED)
			munmap(sh, sizeof *sh);
		conf_note(c, "info", 1, "cannot isolate the checks (%s): running them in this process",
		          strerror(errno));
		fn(c, ctx);
		return 0;
	}
	memset(sh, 0, sizeof *sh);
	sh->c = *c;
	sh->c.n_checks = sh->c.n_failed = sh->c.d_checks = sh->c.d_failed = 0;
	if (c->out)
		fflush(c->out);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		run_child(sh, fds[1], fn, ctx);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		munmap(sh, sizeof *sh);
		conf_note(c, "info", 1, "cannot isolate the checks (fork: %s): running them in this "
		                        "process",
		          strerror(errno));
		fn(c, ctx);
		return 0;
	}
	double deadline = winit_clock_seconds() + timeout;
	int late = forward(fds[0], c->out, deadline) != 0;
	close(fds[0]);
	int status = 0;
	late |= reap(pid, &status, deadline);
	/* The checks the child finished count, whatever happened after them. */
	c->n_checks += sh->c.n_checks;
	c->n_failed += sh->c.n_failed;
	c->d_checks += sh->c.d_checks;
	c->d_failed += sh->c.d_failed;
	const char *call = sh->call[0] ? sh->call : what;
	int rc = 0;
	if (late) {
		conf_result(c, 0, "no answer within %g s (a hang?) during %s: killed", timeout, call);
		rc = -1;
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		conf_result(c, 0, "crashed with %s (signal %d) during %s", winit_signal_name(sig), sig,
		            call);
		rc = -1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sh->finished) {
		conf_result(c, 0, "the checking process exited with status %d during %s",
		            WIFEXITED(status) ? WEXITSTATUS(status) : -1, call);
		rc = -1;
	}
	munmap(sh, sizeof *sh);
	return rc;
}
