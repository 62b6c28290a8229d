/* src/core/team.c -- a team of threads sharing one run's work (winit/team.h).
 *
 * Starting a job: the caller publishes fn/ctx, sets `busy` to the number of workers and
 * bumps `job`; workers waiting for a new `job` value spin for a while, then sleep on a
 * condition variable (the caller broadcasts only when someone sleeps: `sleepers` and
 * `job` are sequentially consistent on both sides, so a worker that is about to sleep
 * either sees the new job under the mutex or is counted and woken).  Each worker
 * decrements `busy` when its call returns; the caller, having run its own share, waits
 * for zero.  The barrier is a central counter with a generation number.  Waits that
 * spin long yield the CPU, so a team on an oversubscribed machine is slow, never stuck.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <winit/team.h>

/* Pause iterations before a waiting worker sleeps / a waiting member yields: a few tens
 * of microseconds, longer than the serial gaps of a training step. */
#define SPIN_SLEEP 20000
#define SPIN_YIELD 2000

struct winit_team {
	int n; /* members, the caller included */
	pthread_t *tid;
	void (*fn)(void *ctx, int id, int n);
	void *ctx;
	uint64_t jobs;                /* run on more than one member */
	_Alignas(64) atomic_uint job; /* bumped for every job and at shutdown */
	_Alignas(64) atomic_int busy; /* workers still in the current job */
	_Alignas(64) atomic_uint bar_arrived;
	atomic_uint bar_gen;
	_Alignas(64) atomic_int sleepers;
	atomic_int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct member {
	struct winit_team *team;
	int id;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void *worker(void *arg)
{
	struct member *me = arg;
	struct winit_team *t = me->team;
	const int id = me->id;
	unsigned seen = 0;

	free(me);
	for (;;) {
		unsigned j = atomic_load_explicit(&t->job, memory_order_acquire);
		for (int i = 0; j == seen && i < SPIN_SLEEP; i++) {
			cpu_relax();
			j = atomic_load_explicit(&t->job, memory_order_acquire);
		}
		if (j == seen) {
			pthread_mutex_lock(&t->mu);
			atomic_fetch_add(&t->sleepers, 1);
			while ((j = atomic_load(&t->job)) == seen)
				pthread_cond_wait(&t->cv, &t->mu);
			atomic_fetch_sub(&t->sleepers, 1);
			pthread_mutex_unlock(&t->mu);
		}
		seen = j;
		if (atomic_load_explicit(&t->stop, memory_order_acquire))
			break;
		t->fn(t->ctx, id, t->n);
		atomic_fetch_sub_explicit(&t->busy, 1, memory_order_release);
	}
	return NULL;
}

/* Make a new job value visible to every worker, waking the sleeping ones. */
static void publish(struct winit_team *t)
{
	atomic_fetch_add(&t->job, 1);
	if (atomic_load(&t->sleepers) > 0) {
		pthread_mutex_lock(&t->mu);
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
	}
}

struct winit_team *winit_team_new(int n)
{
	struct winit_team *t;

	if (posix_memalign((void **)&t, 64, sizeof *t))
		return NULL;
	t->n = 1;
	t->jobs = 0;
	t->fn = NULL;
	t->ctx = NULL;
	atomic_init(&t->job, 0);
	atomic_init(&t->busy, 0);
	atomic_init(&t->bar_arrived, 0);
	atomic_init(&t->bar_gen, 0);
	atomic_init(&t->sleepers, 0);
	atomic_init(&t->stop, 0);
	t->tid = n > 1 ? malloc((size_t)(n - 1) * sizeof *t->tid) : NULL;
	if (n > 1 && !t->tid) {
		free(t);
		return NULL;
	}
	if (pthread_mutex_init(&t->mu, NULL)) {
		free(t->tid);
		free(t);
		return NULL;
	}
	if (pthread_cond_init(&t->cv, NULL)) {
		pthread_mutex_destroy(&t->mu);
		free(t->tid);
		free(t);
		return NULL;
	}
	/* A worker refused by the system leaves a smaller team, which changes no number. */
	for (int i = 1; i < n; i++) {
		struct member *me = malloc(sizeof *me);
		if (!me)
			break;
		me->team = t;
		me->id = i;
		if (pthread_create(&t->tid[i - 1], NULL, worker, me)) {
			free(me);
			break;
		}
		t->n = i + 1;
	}
	return t;
}

void winit_team_free(struct winit_team *t)
{
	if (!t)
		return;
	atomic_store(&t->stop, 1);
	publish(t);
	for (int i = 1; i < t->n; i++)
		pthread_join(t->tid[i - 1], NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	free(t->tid);
	free(t);
}

int winit_team_size(const struct winit_team *t)
{
	return t ? t->n : 1;
}

void winit_team_run(struct winit_team *t, void (*fn)(void *ctx, int id, int n), void *ctx)
{
	if (!t || t->n == 1) {
		fn(ctx, 0, 1);
		return;
	}
	t->fn = fn;
	t->ctx = ctx;
	t->jobs++;
	atomic_store_explicit(&t->busy, t->n - 1, memory_order_relaxed);
	publish(t);
	fn(ctx, 0, t->n);
	for (int i = 0; atomic_load_explicit(&t->busy, memory_order_acquire) > 0; i++) {
		if (i < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

uint64_t winit_team_jobs(const struct winit_team *t)
{
	return t ? t->jobs : 0;
}

void winit_team_barrier(struct winit_team *t)
{
	if (!t || t->n == 1)
		return;
	unsigned gen = atomic_load_explicit(&t->bar_gen, memory_order_acquire);
	if (atomic_fetch_add_explicit(&t->bar_arrived, 1, memory_order_acq_rel) == (unsigned)t->n - 1) {
		atomic_store_explicit(&t->bar_arrived, 0, memory_order_relaxed);
		atomic_fetch_add_explicit(&t->bar_gen, 1, memory_order_release);
		return;
	}
	for (int i = 0; atomic_load_explicit(&t->bar_gen, memory_order_acquire) == gen; i++) {
		if (i < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

void winit_team_share(int64_t len, int64_t quantum, int id, int n, int64_t *begin, int64_t *end)
{
	if (quantum < 1)
		quantum = 1;
	int64_t chunk = (len + n - 1) / n;
	chunk = (chunk + quantum - 1) / quantum * quantum;
	int64_t b = (int64_t)id * chunk, e = b + chunk;
	*begin = b < len ? b : len;
	*end = e < len ? e : len;
}
