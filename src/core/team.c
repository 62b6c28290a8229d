/* src/core/team.c -- a team of threads sharing one run's work (winit/team.h).
 *
 * Jobs.  `state` holds the current job's number (high 32 bits), a closed flag and the
 * number of workers inside it.  The caller resets the phases, publishes fn/ctx with a new
 * job number and wakes sleeping workers; a worker joins by incrementing the count only
 * while the job is the one it saw and is still open, so a worker that wakes late never
 * touches a finished job.  The caller runs fn as member 0; when it returns every chunk is
 * done (fn ends with a wait), so it closes the job and waits for the workers still inside
 * to leave.
 *
 * Waking.  Workers spin on `job` for a while, then sleep on a condition variable; the
 * caller broadcasts only when someone sleeps (`sleepers` and `job` are sequentially
 * consistent on both sides: a worker about to sleep either sees the new job under the
 * mutex or is counted and woken).
 *
 * Phases.  Each phase has a bit per chunk (claimed) and a count of chunks done.  A member
 * claims its own bit first, then the lowest free one.  Waits spin, then yield, so an
 * oversubscribed machine makes a team slow, never stuck.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <winit/team.h>

/* Pause iterations before an idle worker sleeps / a waiting member yields: tens of
 * microseconds, longer than the serial gaps of a training step. */
#define SPIN_SLEEP 20000
#define SPIN_YIELD 1000

#define CLOSED (UINT64_C(1) << 31)
#define COUNT_MASK (CLOSED - 1)

struct phase {
	_Alignas(64) atomic_uint_fast64_t claimed; /* bit c: chunk c is taken */
	atomic_int done;                           /* chunks finished */
};

struct winit_team {
	int n; /* members, the caller included */
	pthread_t *tid;
	void (*fn)(void *ctx, int id, int n);
	void *ctx;
	uint64_t jobs;
	atomic_uint_fast64_t steals;
	_Alignas(64) atomic_uint job;            /* bumped for every job and at shutdown */
	_Alignas(64) atomic_uint_fast64_t state; /* job << 32 | CLOSED? | workers inside */
	_Alignas(64) atomic_int sleepers;
	atomic_int stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct phase *phase; /* cap_phases, 64-byte aligned; grown between jobs */
	int cap_phases;
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

/* Room for n phases, zeroed (between jobs only: no worker is inside one).  0 or -1. */
static int grow_phases(struct winit_team *t, int n)
{
	if (n <= t->cap_phases)
		return 0;
	struct phase *p;
	if (n > (1 << 24) || posix_memalign((void **)&p, 64, (size_t)n * sizeof *p))
		return -1;
	for (int i = 0; i < n; i++) {
		atomic_init(&p[i].claimed, 0);
		atomic_init(&p[i].done, 0);
	}
	free(t->phase);
	t->phase = p;
	t->cap_phases = n;
	return 0;
}

/* Enter job `job` unless it has moved on or closed. */
static int join(struct winit_team *t, unsigned job)
{
	uint_fast64_t s = atomic_load(&t->state);
	for (;;) {
		if ((unsigned)(s >> 32) != job || (s & CLOSED))
			return 0;
		if (atomic_compare_exchange_weak(&t->state, &s, s + 1))
			return 1;
	}
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
		if (atomic_load(&t->stop))
			break;
		if (join(t, j)) {
			t->fn(t->ctx, id, t->n);
			atomic_fetch_sub(&t->state, 1);
		}
	}
	return NULL;
}

/* Make a new job number visible to every worker, waking the sleeping ones. */
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

	if (n > WINIT_TEAM_MAX)
		n = WINIT_TEAM_MAX;
	if (posix_memalign((void **)&t, 64, sizeof *t))
		return NULL;
	t->n = 1;
	t->jobs = 0;
	t->fn = NULL;
	t->ctx = NULL;
	atomic_init(&t->steals, 0);
	atomic_init(&t->job, 0);
	atomic_init(&t->state, 0);
	atomic_init(&t->sleepers, 0);
	atomic_init(&t->stop, 0);
	t->phase = NULL;
	t->cap_phases = 0;
	t->tid = n > 1 ? malloc((size_t)(n - 1) * sizeof *t->tid) : NULL;
	if ((n > 1 && !t->tid) || grow_phases(t, WINIT_TEAM_MAX_PHASES) ||
	    pthread_mutex_init(&t->mu, NULL)) {
		free(t->phase);
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
	free(t->phase);
	free(t->tid);
	free(t);
}

int winit_team_size(const struct winit_team *t)
{
	return t ? t->n : 1;
}

void winit_team_run(struct winit_team *t, void (*fn)(void *ctx, int id, int n), void *ctx)
{
	winit_team_run_phases(t, fn, ctx, WINIT_TEAM_MAX_PHASES);
}

void winit_team_run_phases(struct winit_team *t, void (*fn)(void *ctx, int id, int n), void *ctx,
                           int n_phases)
{
	/* No room for the job's phases (no memory): the caller alone, the same numbers. */
	if (!t || t->n == 1 || (n_phases > t->cap_phases && grow_phases(t, n_phases))) {
		fn(ctx, 0, 1);
		return;
	}
	for (int p = 0; p < n_phases; p++) {
		atomic_store_explicit(&t->phase[p].claimed, 0, memory_order_relaxed);
		atomic_store_explicit(&t->phase[p].done, 0, memory_order_relaxed);
	}
	t->fn = fn;
	t->ctx = ctx;
	t->jobs++;
	unsigned job = atomic_load(&t->job) + 1;
	atomic_store(&t->state, (uint_fast64_t)job << 32);
	publish(t);
	fn(ctx, 0, t->n);
	/* Every chunk is done: no one may join any more; wait for those inside to leave. */
	atomic_fetch_or(&t->state, CLOSED);
	for (int i = 0; atomic_load(&t->state) & COUNT_MASK; i++) {
		if (i < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

int winit_team_claim(struct winit_team *t, int phase, int id, int prev)
{
	if (!t || t->n == 1)
		return prev < 0 ? 0 : -1;
	atomic_uint_fast64_t *claimed = &t->phase[phase].claimed;
	const uint_fast64_t all = t->n == 64 ? ~(uint_fast64_t)0 : ((uint_fast64_t)1 << t->n) - 1;
	uint_fast64_t own = (uint_fast64_t)1 << id;
	uint_fast64_t c = atomic_load_explicit(claimed, memory_order_relaxed);
	if (prev < 0 && !(c & own)) {
		c = atomic_fetch_or_explicit(claimed, own, memory_order_acq_rel);
		if (!(c & own))
			return id;
	}
	while ((c & all) != all) {
		int k = __builtin_ctzll((unsigned long long)(~c & all));
		uint_fast64_t bit = (uint_fast64_t)1 << k;
		c = atomic_fetch_or_explicit(claimed, bit, memory_order_acq_rel);
		if (!(c & bit)) {
			atomic_fetch_add_explicit(&t->steals, 1, memory_order_relaxed);
			return k;
		}
	}
	return -1;
}

void winit_team_done(struct winit_team *t, int phase)
{
	if (t && t->n > 1)
		atomic_fetch_add_explicit(&t->phase[phase].done, 1, memory_order_release);
}

void winit_team_wait(struct winit_team *t, int phase)
{
	if (!t || t->n == 1)
		return;
	atomic_int *done = &t->phase[phase].done;
	for (int i = 0; atomic_load_explicit(done, memory_order_acquire) < t->n; i++) {
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

uint64_t winit_team_steals(const struct winit_team *t)
{
	return t ? atomic_load(&((struct winit_team *)t)->steals) : 0;
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
