/* src/study/mpi.c -- a study across MPI ranks (winit/dist.h).
 *
 * Rank 0 holds the run list.  Its main thread is the dispatcher: it answers each request
 * of another rank with the index of the next run not yet handed out (or -1: stop), and
 * its local threads take runs from the same list.  A request carries the result of the
 * run the asking thread just finished (src/study/wire.c), so a rank asks for the next run
 * when it finishes one and fast and slow runs balance.  Rank 0 hands each result received
 * to its observer (run_start, every epoch_end, run_end), which prints and saves as for a
 * local run.  At the end rank 0 sends every result to every rank (one message each),
 * so each rank's script sees the same Results.
 *
 * Other ranks call MPI only from one thread at a time (MPI_THREAD_SERIALIZED): each
 * training thread sends its request and waits for the answer, and the heartbeat thread
 * sends its beat, under one lock.  Both sides poll (MPI_Iprobe or MPI_Testall, then a
 * short sleep) rather than block in MPI_Recv, which in Open MPI spins and would take a
 * core from the training threads, and which could not give up on a silent peer.
 *
 * Liveness: while a rank's training threads take part in a study, another thread of it
 * sends rank 0 an empty heartbeat every timeout / 4 seconds (at most 5 s).  When a rank
 * that holds runs has sent nothing for the rank timeout (winit_dist_configure), rank 0
 * counts it lost: it names the rank (host, pid) and its runs, hands those runs to the
 * other ranks (a run's numbers do not depend on where it trains) and ignores whatever
 * the lost rank sends later.  MPI cannot take a rank back, so the results are then
 * shared point to point with the live ranks only, and the job ends with MPI_Abort once
 * rank 0's script is done (winit_dist_finalize).  The other way round, a rank waits for
 * rank 0's answer at most the rank timeout, then names rank 0 and ends the job.  When a
 * stop signal reaches rank 0 (mpirun terminating the job after a rank died), rank 0
 * names each rank of its host whose process is gone, with the runs it held.
 *
 * Every run's numbers depend only on its description and its run seed (from the study
 * seed and the replicate in the paired design, the run's name in the independent one:
 * winit/stream.h), never on the rank or thread that trains it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/cancel.h>
#include <winit/dist.h>

#ifdef WINIT_HAVE_MPI
#include <errno.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "study/wire.h"
#endif

static size_t stat_received;
static double stat_busy, stat_max;
static double rank_timeout = WINIT_DIST_DEFAULT_TIMEOUT;
static FILE *notices;
static int lost_ranks; /* ranks this process knows to be lost */

void winit_dist_configure(double timeout_seconds, FILE *notice_stream)
{
	rank_timeout = timeout_seconds > 0 ? timeout_seconds : 0;
	notices = notice_stream;
}

int winit_dist_lost(void)
{
	return lost_ranks;
}

void winit_dist_stats(size_t *received, double *busy_seconds, double *max_seconds)
{
	*received = stat_received;
	*busy_seconds = stat_busy;
	*max_seconds = stat_max;
}

#ifdef WINIT_HAVE_MPI
static int rank0_lost;  /* on another rank: rank 0 stopped answering */
struct peer;
static struct peer *known; /* every rank's host and pid, from the last study */
static int active;      /* MPI initialised by us and usable */
static int initialised; /* by winit_dist_init (so finalize is ours) */
static int thread_level;
static int rank, size = 1;
#endif

int winit_dist_built(void)
{
#ifdef WINIT_HAVE_MPI
	return 1;
#else
	return 0;
#endif
}

#ifdef WINIT_HAVE_MPI
/* Started by an MPI launcher (mpirun, srun)?  A plain `winit run` in an MPI build stays a
 * process of its own, without the cost of a singleton MPI start. */
static int under_launcher(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
		                            "PMI_RANK" };
	for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
		if (getenv(vars[k]))
			return 1;
	return 0;
}
#endif

#ifdef WINIT_HAVE_MPI
/* Open MPI's point-to-point layer: ob1 unless the user chose one (mpirun --mca pml X and
 * OMPI_MCA_pml both reach us as OMPI_MCA_pml).  winit sends a request and a result of a
 * few KiB per run, seconds apart, which ob1 (shared memory, TCP) carries as well as any;
 * selecting among the fabric PMLs (cm over PSM/PSM2, UCX) probes for their hardware, and
 * on a machine without it that probing kept each rank's MPI_Init waiting ~0.25 s of
 * wall time (1-rank MPI_Init 0.37-0.45 s -> 0.15 s; docs/cluster.md). */
static void choose_pml(void)
{
	if (getenv("OMPI_COMM_WORLD_SIZE") && !getenv("OMPI_MCA_pml"))
		setenv("OMPI_MCA_pml", "ob1", 0);
}
#endif

int winit_dist_init(int *argc, char ***argv, struct winit_error *err)
{
#ifdef WINIT_HAVE_MPI
	int done = 0;
	MPI_Initialized(&done);
	if (!done) {
		if (!under_launcher())
			return WINIT_OK;
		choose_pml();
		if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &thread_level) != MPI_SUCCESS)
			return winit_error_set(err, WINIT_ERR_IO, "MPI_Init_thread failed");
		initialised = 1;
	} else {
		MPI_Query_thread(&thread_level);
	}
	/* Errors come back as statuses: a lost rank must not leave rank 0 waiting. */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	active = 1;
#else
	(void)argc;
	(void)argv;
	(void)err;
#endif
	return WINIT_OK;
}

void winit_dist_finalize(int abort_job)
{
#ifdef WINIT_HAVE_MPI
	if (!initialised)
		return;
	initialised = active = 0;
	free(known);
	known = NULL;
	if (lost_ranks && rank > 0 && !rank0_lost) {
		/* Rank 0 ends the job with MPI_Abort.  Waiting in MPI_Finalize meanwhile is no
		 * good: Open MPI 4.1's mpirun then hangs or crashes in most trials (a rank in
		 * MPI_Finalize while another aborts); a rank that just waits is ended cleanly. */
		for (;;)
			sleep(1);
	} else if ((abort_job || lost_ranks) && size > 1)
		MPI_Abort(MPI_COMM_WORLD, abort_job ? abort_job : 1);
	else
		MPI_Finalize();
#else
	(void)abort_job;
#endif
}

int winit_dist_rank(void)
{
#ifdef WINIT_HAVE_MPI
	return active ? rank : 0;
#else
	return 0;
#endif
}

int winit_dist_size(void)
{
#ifdef WINIT_HAVE_MPI
	return active ? size : 1;
#else
	return 1;
#endif
}

#ifdef WINIT_HAVE_MPI
enum { TAG_REQUEST = 1, /* rank > 0 -> 0: the result of the run just finished (or nothing) */
       TAG_RUN = 2,     /* 0 -> rank: the next run's index, or -1: stop */
       TAG_BEAT = 3,    /* rank > 0 -> 0: an empty heartbeat */
       TAG_SHARE = 4,   /* 0 -> rank: every result, at the end */
       TAG_BYE = 5,     /* rank > 0 -> 0: at the end of the script (winit_dist_settle) */
       TAG_VERDICT = 6 }; /* 0 -> rank: then the ranks lost (0: finalise, else wait) */

/* What rank 0 knows of each rank, gathered when a study starts. */
struct peer {
	int32_t jobs;  /* training threads */
	int32_t pid;   /* its process, for the messages */
	int32_t beats; /* it sends heartbeats (it may call MPI from a second thread) */
	char host[64];
};

static size_t count_failed(const struct winit_run_result *results, size_t n)
{
	size_t f = 0;
	for (size_t i = 0; i < n; i++)
		f += results[i].done && results[i].status != 0;
	return f;
}

/* Threads per rank when the script gives none: the node's cores shared among the ranks
 * placed on it. */
static int default_jobs(void)
{
	const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
	int per_node = local ? atoi(local) : 1;
	int j = winit_cpu_count() / (per_node > 0 ? per_node : 1);
	return j > 0 ? j : 1;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&t, NULL);
}

__attribute__((format(printf, 1, 2))) static void notice(const char *fmt, ...)
{
	if (!notices)
		return;
	/* One write: mpirun interleaves rank 0's stdout and stderr by what it reads. */
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(notices, "winit: %s\n", line);
	fflush(notices);
}

/* ---- rank 0 ---- */

struct master {
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	size_t n, next;
	pthread_mutex_t lock;
	const struct winit_observer *obs;
	int *owner;        /* the rank a run was handed to; -1: not handed out (or handed back) */
	int ending;        /* hand out nothing more (dispatching failed) */
	int local_running; /* rank 0's threads still taking runs */
	pthread_t *tid;    /* rank 0's training threads */
	int n_tid, max_tid;
	const struct peer *peers;
	double *heard;       /* when each rank last sent anything */
	int *open;           /* each rank's threads not yet told to stop */
	unsigned char *lost; /* ranks counted lost */
};

/* The next run to hand out, or -1 when none is left (or a stop was requested). */
static int64_t take_next(struct master *m, int to_rank)
{
	int64_t i = -1;
	pthread_mutex_lock(&m->lock);
	while (m->next < m->n && (m->results[m->next].done || m->owner[m->next] >= 0))
		m->next++;
	if (m->next < m->n && !m->ending && !winit_cancelled()) {
		i = (int64_t)m->next++;
		m->owner[i] = to_rank;
	}
	if (i < 0 && to_rank == 0)
		m->local_running--;
	pthread_mutex_unlock(&m->lock);
	return i;
}

static void *local_worker(void *arg)
{
	struct master *m = arg;
	int64_t i;
	while ((i = take_next(m, 0)) >= 0)
		winit_run_execute(&m->runs[i], &m->results[i], m->obs, (size_t)i);
	return NULL;
}

/* A thread of rank 0 that trains; 0 when none could start. */
static int start_local(struct master *m)
{
	if (m->n_tid >= m->max_tid)
		return 0;
	pthread_mutex_lock(&m->lock);
	m->local_running++;
	pthread_mutex_unlock(&m->lock);
	if (pthread_create(&m->tid[m->n_tid], NULL, local_worker, m) != 0) {
		pthread_mutex_lock(&m->lock);
		m->local_running--;
		pthread_mutex_unlock(&m->lock);
		return 0;
	}
	m->n_tid++;
	return 1;
}

/* "rank 2 (node7, pid 4321)" */
static const char *who(const struct master *m, int r, char *buf, size_t cap)
{
	snprintf(buf, cap, "rank %d (%s, pid %d)", r, m->peers[r].host, (int)m->peers[r].pid);
	return buf;
}

/* The names of the runs rank r holds, comma-separated; "" when none. */
static const char *runs_held(struct master *m, int r, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n && len + 1 < cap; i++) {
		if (m->owner[i] != r || m->results[i].done)
			continue;
		int k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", m->runs[i].name);
		len = k < 0 ? len : len + (size_t)k < cap ? len + (size_t)k : cap - 1;
	}
	pthread_mutex_unlock(&m->lock);
	return buf;
}

enum proc_state { PROC_UNKNOWN, PROC_ALIVE, PROC_STOPPED, PROC_GONE };

/* What this process can tell of another rank's process `p`: only one on its own host
 * (`here`) can be seen. */
static enum proc_state peer_state(const struct peer *p, const char *here)
{
	if (strcmp(p->host, here) != 0 || p->pid <= 0)
		return PROC_UNKNOWN;
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)p->pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		if (kill((pid_t)p->pid, 0) != 0 && errno == ESRCH)
			return PROC_GONE;
		return PROC_UNKNOWN;
	}
	size_t got = fread(line, 1, sizeof line - 1, f);
	fclose(f);
	line[got] = '\0';
	const char *paren = strrchr(line, ')'); /* "pid (comm) S ...": comm may hold spaces */
	if (!paren || paren[1] != ' ')
		return PROC_UNKNOWN;
	switch (paren[2]) {
	case 'Z':
	case 'X':
	case 'x':
		return PROC_GONE; /* a zombie: dead, not yet reaped */
	case 'T':
	case 't':
		return PROC_STOPPED;
	default:
		return PROC_ALIVE;
	}
}

static enum proc_state proc_state(const struct master *m, int r)
{
	return peer_state(&m->peers[r], m->peers[0].host);
}

static const char *state_note(enum proc_state s)
{
	return s == PROC_STOPPED ? " (its process is stopped)" :
	       s == PROC_GONE    ? " (its process is gone)" :
	                           "";
}

/* Rank r has been silent for `quiet` seconds: count it lost and hand its runs back. */
static void lose_rank(struct master *m, int r, double quiet, int *remaining)
{
	char name[128], held[512];
	who(m, r, name, sizeof name);
	runs_held(m, r, held, sizeof held);
	enum proc_state st = proc_state(m, r);
	m->lost[r] = 1;
	lost_ranks++;
	/* If it comes back, each of its threads finds a stop waiting for its next request
	 * (eager: sent whether or not it runs), and none mistakes rank 0's silence after
	 * this study for a stopped rank 0. */
	static const int64_t stop = -1;
	for (int k = 0; k < m->open[r]; k++) {
		MPI_Request q;
		if (MPI_Isend(&stop, 1, MPI_INT64_T, r, TAG_RUN, MPI_COMM_WORLD, &q) == MPI_SUCCESS)
			MPI_Request_free(&q);
	}
	*remaining -= m->open[r];
	m->open[r] = 0;
	size_t back = 0;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		if (m->owner[i] != r || m->results[i].done)
			continue;
		m->owner[i] = -1;
		m->next = i < m->next ? i : m->next;
		back++;
	}
	int idle = m->local_running == 0;
	pthread_mutex_unlock(&m->lock);
	notice("%s has not been heard from for %.1f s%s%s%s; %s; MPI cannot take a rank back, so "
	       "the job ends (MPI_Abort) once the script is done",
	       name, quiet, held[0] ? " while running " : "", held, state_note(st),
	       back == 0 ? "it held no run" :
	       back == 1 ? "its run goes to another rank" :
	                   "its runs go to other ranks");
	/* Rank 0's own threads may have run out of work: one more takes the runs back. */
	if (back && idle)
		start_local(m);
}

/* Ranks silent for the rank timeout, among those that still hold runs. */
static void check_silence(struct master *m, int *remaining)
{
	if (rank_timeout <= 0)
		return;
	double now = winit_clock_seconds();
	for (int r = 1; r < size; r++)
		if (!m->lost[r] && m->open[r] > 0 && m->peers[r].beats && now - m->heard[r] >= rank_timeout)
			lose_rank(m, r, now - m->heard[r], remaining);
}

/* Stopped by a signal (mpirun ends the job this way when a rank dies): name the ranks of
 * this host whose process is gone, and the runs they held. */
static void name_gone(struct master *m)
{
	for (int r = 1; r < size; r++) {
		if (m->lost[r] || proc_state(m, r) != PROC_GONE)
			continue;
		char name[128], held[512];
		who(m, r, name, sizeof name);
		runs_held(m, r, held, sizeof held);
		if (held[0])
			notice("%s died while running %s", name, held);
		else
			notice("%s died (it held no run)", name);
	}
}

/* A failed MPI call with rank r: the error names it, its runs and its process. */
static int peer_error(struct master *m, int r, const char *what, struct winit_error *err)
{
	char name[128], held[512];
	who(m, r, name, sizeof name);
	runs_held(m, r, held, sizeof held);
	return winit_error_set(err, WINIT_ERR_IO, "MPI: %s %s%s%s%s", what, name,
	                       held[0] ? ", which was running " : "", held,
	                       state_note(proc_state(m, r)));
}

/* A result from another rank: check it and store it.  *index is the run it belongs to. */
static int store_result(struct master *m, int from, const unsigned char *buf, size_t len,
                        uint64_t *index, struct winit_error *err)
{
	uint64_t i;
	struct winit_run_result r;
	int rc = winit_wire_unpack(buf, len, &i, &r, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&m->lock);
	int given = i < m->n && m->owner[i] == from && !m->results[i].done;
	pthread_mutex_unlock(&m->lock);
	if (!given) {
		winit_run_result_free(&r);
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "rank %d sent a result for run %llu, which it was not given", from,
		                       (unsigned long long)i);
	}
	m->results[i] = r;
	*index = i;
	return WINIT_OK;
}

/* Show a stored result to the observer as if the run had trained here (it prints, and
 * saves the results file). */
static void show_result(struct master *m, uint64_t i)
{
	const struct winit_observer *o = m->obs;
	const struct winit_run_result *r = &m->results[i];
	if (o && o->run_start)
		o->run_start(o->ctx, i, &m->runs[i]);
	for (int32_t e = 0; o && o->epoch_end && e < r->history.n; e++)
		o->epoch_end(o->ctx, i, &r->history.epochs[e]);
	if (o && o->run_end)
		o->run_end(o->ctx, i, &m->runs[i], r);
}

/* `remaining`: the other ranks' training threads, each told to stop once. */
static int dispatch(struct master *m, int remaining, struct winit_error *err)
{
	stat_received = 0;
	stat_busy = stat_max = 0;
	while (remaining > 0) {
		int flag = 0;
		MPI_Status st;
		if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
			return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot poll for requests");
		if (!flag) {
			if (winit_cancelled()) {
				name_gone(m);
				return WINIT_ERR_CANCELLED;
			}
			/* Only with nothing waiting: a message queued while rank 0 was busy counts. */
			check_silence(m, &remaining);
			sleep_ms(1);
			continue;
		}
		int src = st.MPI_SOURCE;
		if (src <= 0 || src >= size)
			return winit_error_set(err, WINIT_ERR_FORMAT, "MPI: a message from rank %d", src);
		m->heard[src] = winit_clock_seconds();
		if (st.MPI_TAG == TAG_BEAT) {
			if (MPI_Recv(NULL, 0, MPI_BYTE, src, TAG_BEAT, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
			    MPI_SUCCESS)
				return peer_error(m, src, "lost a heartbeat from", err);
			continue;
		}
		if (st.MPI_TAG != TAG_REQUEST)
			return winit_error_set(err, WINIT_ERR_FORMAT,
			                       "MPI: rank %d sent a message of unknown kind (tag %d)", src,
			                       st.MPI_TAG);
		int count = 0;
		MPI_Get_count(&st, MPI_BYTE, &count);
		unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
		if (!buf)
			return winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for a message of %d bytes",
			                       count);
		if (MPI_Recv(buf, count, MPI_BYTE, src, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
		    MPI_SUCCESS) {
			free(buf);
			return peer_error(m, src, "lost a message from", err);
		}
		if (m->lost[src]) {
			/* Back after it was counted lost: its runs went elsewhere; it stops. */
			free(buf);
			int64_t stop = -1;
			MPI_Send(&stop, 1, MPI_INT64_T, src, TAG_RUN, MPI_COMM_WORLD);
			continue;
		}
		double t0 = winit_clock_seconds();
		uint64_t done = 0;
		int rc = count > 0 ? store_result(m, src, buf, (size_t)count, &done, err) : WINIT_OK;
		free(buf);
		if (rc)
			return rc;
		/* The asking rank gets its next run before the observer prints and saves the
		 * result, so it never waits for rank 0's file. */
		int64_t next = take_next(m, src);
		if (MPI_Send(&next, 1, MPI_INT64_T, src, TAG_RUN, MPI_COMM_WORLD) != MPI_SUCCESS)
			return peer_error(m, src, "cannot reach", err);
		if (next < 0) {
			remaining--;
			m->open[src]--;
		}
		if (count > 0) {
			show_result(m, done);
			double dt = winit_clock_seconds() - t0;
			stat_received++;
			stat_busy += dt;
			stat_max = dt > stat_max ? dt : stat_max;
		}
	}
	return WINIT_OK;
}

/* ---- other ranks ---- */

struct slot_ctx {
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	pthread_mutex_t lock; /* one MPI call sequence at a time */
	atomic_int failed;    /* 1: an MPI call failed, 2: rank 0 did not answer; stop */
	double timeout;       /* for rank 0's answer, 0: none */
	double silent;        /* how long rank 0 left a request unanswered (failed = 2) */
	/* The heartbeat thread: every `beat_every` seconds until beat_stop. */
	pthread_mutex_t beat_lock;
	pthread_cond_t beat_cond;
	int beat_stop;
	double beat_every;
};

/* Send a request (with the result just finished) and wait for rank 0's answer, at most
 * the rank timeout: a stopped rank 0 must not hold every other rank forever.  Polled
 * (rank 0 answers within a millisecond when it runs), which also spares the core that
 * Open MPI's blocking receive would spin on.  0, 1 (an MPI error) or 2 (no answer).
 * A stop can come before rank 0 took the request (this rank was counted lost, and rank 0
 * left a stop for it): the send then stays pending and *pending says so (keep buf). */
static int ask(struct slot_ctx *c, const unsigned char *buf, size_t len, int64_t *next,
               int *pending)
{
	MPI_Request req[2];
	*pending = 0;
	if (MPI_Isend(buf, (int)len, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD, &req[0]) != MPI_SUCCESS)
		return 1;
	if (MPI_Irecv(next, 1, MPI_INT64_T, 0, TAG_RUN, MPI_COMM_WORLD, &req[1]) != MPI_SUCCESS)
		return 1;
	double t0 = winit_clock_seconds();
	for (;;) {
		int flag = 0;
		if (MPI_Test(&req[1], &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			return 1;
		if (flag) {
			/* A run comes only once rank 0 has the request: the send completes. */
			if (*next >= 0)
				return MPI_Wait(&req[0], MPI_STATUS_IGNORE) == MPI_SUCCESS ? 0 : 1;
			if (MPI_Test(&req[0], &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS)
				return 1;
			*pending = !flag;
			return 0;
		}
		double waited = winit_clock_seconds() - t0;
		if (atomic_load(&c->failed) == 2)
			return 2; /* another thread of this rank already gave up on rank 0 */
		if (c->timeout > 0 && waited >= c->timeout) {
			c->silent = waited; /* the requests stay pending: the job ends */
			return 2;
		}
		struct timespec t = { 0, waited < 0.01 ? 50000 : 1000000 };
		nanosleep(&t, NULL);
	}
}

static void *slot_worker(void *arg)
{
	struct slot_ctx *c = arg;
	unsigned char *buf = NULL;
	size_t len = 0;
	while (!atomic_load(&c->failed)) {
		int64_t next = -1;
		int pending = 0;
		pthread_mutex_lock(&c->lock);
		int rc = ask(c, buf, len, &next, &pending);
		pthread_mutex_unlock(&c->lock);
		if (pending)
			return NULL; /* a stop, and buf still in use by the send: kept */
		if (rc == 2) {
			/* Not freed: the pending send may still read it.  This rank's other
			 * threads stop within a training step. */
			atomic_store(&c->failed, 2);
			winit_cancel(WINIT_CANCEL_REQUESTED);
			return NULL;
		}
		free(buf);
		buf = NULL;
		len = 0;
		if (rc != 0) {
			atomic_store(&c->failed, 1);
			break;
		}
		if (next < 0)
			break;
		winit_run_execute(&c->runs[next], &c->results[next], NULL, (size_t)next);
		struct winit_error err = { 0 };
		if (winit_wire_pack((uint64_t)next, &c->results[next], &buf, &len, &err)) {
			atomic_store(&c->failed, 1);
			break;
		}
	}
	free(buf);
	return NULL;
}

static void *beat_worker(void *arg)
{
	struct slot_ctx *c = arg;
	pthread_mutex_lock(&c->beat_lock);
	while (!c->beat_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double t = (double)until.tv_nsec * 1e-9 + c->beat_every;
		until.tv_sec += (time_t)t;
		until.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
		pthread_cond_timedwait(&c->beat_cond, &c->beat_lock, &until);
		if (c->beat_stop)
			break;
		pthread_mutex_lock(&c->lock);
		int rc = MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BEAT, MPI_COMM_WORLD);
		pthread_mutex_unlock(&c->lock);
		if (rc != MPI_SUCCESS)
			break; /* the training threads find out at their next request */
	}
	pthread_mutex_unlock(&c->beat_lock);
	return NULL;
}

/* ---- the end: every live rank gets every result ---- */

static void put_u64(unsigned char **p, uint64_t v)
{
	memcpy(*p, &v, sizeof v);
	*p += sizeof v;
}

/* Rank 0: one message per live rank, [lost ranks][for each run: length, packed result]
 * (length 0: not run).  A rank that does not take it within the rank timeout is lost. */
static int send_results(struct master *m, struct winit_error *err)
{
	size_t n = m->n, total = 8 + 8 * n;
	unsigned char **packed = calloc(n ? n : 1, sizeof *packed);
	size_t *lens = calloc(n ? n : 1, sizeof *lens);
	unsigned char *msg = NULL;
	int rc = WINIT_OK;
	if (!packed || !lens) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for the results");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (m->results[i].done && winit_wire_pack(i, &m->results[i], &packed[i], &lens[i], err)) {
			rc = WINIT_ERR_NOMEM;
			goto out;
		}
		total += lens[i];
	}
	if (total > (size_t)INT32_MAX) {
		rc = winit_error_set(err, WINIT_ERR_ARG, "MPI: the results (%zu bytes) exceed one message",
		                     total);
		goto out;
	}
	if (!(msg = malloc(total))) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for the results");
		goto out;
	}
	for (int r = 1; r < size; r++) {
		if (m->lost[r])
			continue;
		unsigned char *p = msg;
		put_u64(&p, (uint64_t)lost_ranks);
		for (size_t i = 0; i < n; i++) {
			put_u64(&p, lens[i]);
			if (lens[i])
				memcpy(p, packed[i], lens[i]);
			p += lens[i];
		}
		MPI_Request req;
		if (MPI_Isend(msg, (int)total, MPI_BYTE, r, TAG_SHARE, MPI_COMM_WORLD, &req) != MPI_SUCCESS) {
			rc = peer_error(m, r, "cannot send the results to", err);
			goto out;
		}
		double t0 = winit_clock_seconds();
		for (;;) {
			int flag = 0;
			if (MPI_Test(&req, &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
				rc = peer_error(m, r, "cannot send the results to", err);
				goto out;
			}
			if (flag)
				break;
			double quiet = winit_clock_seconds() - t0;
			if (rank_timeout > 0 && quiet >= rank_timeout) {
				/* Its message stays pending: MPI_Abort ends the job anyway. */
				char name[128];
				m->lost[r] = 1;
				lost_ranks++;
				notice("%s has not taken the results for %.1f s after the study%s; the job ends "
				       "(MPI_Abort) once the script is done",
				       who(m, r, name, sizeof name), quiet, state_note(proc_state(m, r)));
				msg = NULL; /* still in use by the pending send */
				if (!(msg = malloc(total))) {
					rc = winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for the results");
					goto out;
				}
				break;
			}
			sleep_ms(1);
		}
	}
out:
	for (size_t i = 0; packed && i < n; i++)
		free(packed[i]);
	free(packed);
	free(lens);
	free(msg);
	return rc;
}

/* Other ranks: rank 0's results replace theirs. */
static int receive_results(struct winit_run_result *results, size_t n, struct winit_error *err)
{
	MPI_Status st;
	int count = 0;
	if (MPI_Probe(0, TAG_SHARE, MPI_COMM_WORLD, &st) != MPI_SUCCESS ||
	    MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS || count < 0)
		return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot receive the results");
	unsigned char *msg = malloc(count > 0 ? (size_t)count : 1);
	if (!msg)
		return winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for the results");
	if (MPI_Recv(msg, count, MPI_BYTE, 0, TAG_SHARE, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
	    MPI_SUCCESS) {
		free(msg);
		return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot receive the results");
	}
	size_t at = 0, len = (size_t)count;
	uint64_t v;
	int rc = WINIT_OK;
	if (len < 8) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "MPI: the results message has %zu bytes", len);
		goto out;
	}
	memcpy(&v, msg, 8);
	at = 8;
	lost_ranks = (int)v;
	for (size_t i = 0; i < n; i++) {
		if (len - at < 8) {
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "MPI: the results message ends at byte %zu, in run %zu", at, i);
			goto out;
		}
		memcpy(&v, msg + at, 8);
		at += 8;
		if (v > len - at) {
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "MPI: run %zu's result at byte %zu claims %llu bytes, %zu remain",
			                     i, at, (unsigned long long)v, len - at);
			goto out;
		}
		uint64_t k;
		winit_run_result_free(&results[i]);
		memset(&results[i], 0, sizeof results[i]);
		if (v > 0 && (rc = winit_wire_unpack(msg + at, (size_t)v, &k, &results[i], err)))
			goto out;
		at += (size_t)v;
	}
out:
	free(msg);
	return rc;
}

static size_t execute_mpi(const struct winit_run_spec *runs, size_t n, int jobs,
                          struct winit_run_result *results, const struct winit_observer *obs,
                          struct winit_error *err)
{
	if (lost_ranks) {
		winit_error_set(err, WINIT_ERR_IO, "MPI: %d %s lost in an earlier study of this job, and "
		                "a study across ranks needs every rank; rerun the job (--resume keeps the "
		                "finished runs)", lost_ranks, lost_ranks == 1 ? "rank was" : "ranks were");
		return n;
	}
	if (jobs <= 0)
		jobs = default_jobs();
	if (jobs > 256) {
		winit_error_set(err, WINIT_ERR_ARG, "%d jobs per rank: at most 256", jobs);
		return n;
	}
	/* Rank 0's timeout is everyone's: it decides, the others send heartbeats for it. */
	double timeout = rank_timeout;
	if (MPI_Bcast(&timeout, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
		winit_error_set(err, WINIT_ERR_IO, "MPI: the ranks could not meet (MPI_Bcast)");
		return n;
	}
	if (rank > 0 && thread_level < MPI_THREAD_SERIALIZED)
		jobs = 1; /* the MPI library cannot take calls from several threads */
	struct peer me = { .jobs = jobs,
		           .pid = (int32_t)getpid(),
		           .beats = timeout > 0 && thread_level >= MPI_THREAD_SERIALIZED };
	if (gethostname(me.host, sizeof me.host - 1) != 0)
		snprintf(me.host, sizeof me.host, "?");
	struct peer *peers = calloc((size_t)size, sizeof *peers);
	if (!peers) {
		winit_error_set(err, WINIT_ERR_NOMEM, "MPI: out of memory");
		return n;
	}
	/* Every rank learns every other's host and pid, for the messages. */
	if (MPI_Allgather(&me, (int)sizeof me, MPI_BYTE, peers, (int)sizeof me, MPI_BYTE,
	                  MPI_COMM_WORLD) != MPI_SUCCESS) {
		free(peers);
		winit_error_set(err, WINIT_ERR_IO, "MPI: the ranks could not meet (MPI_Allgather)");
		return n;
	}
	for (int r = 0; r < size; r++)
		peers[r].host[sizeof peers[r].host - 1] = '\0';
	int rc = WINIT_OK;
	if (rank == 0) {
		struct master m = { .runs = runs, .results = results, .n = n, .obs = obs, .peers = peers };
		m.owner = malloc((n ? n : 1) * sizeof *m.owner);
		m.heard = calloc((size_t)size, sizeof *m.heard);
		m.open = calloc((size_t)size, sizeof *m.open);
		m.lost = calloc((size_t)size, 1);
		m.max_tid = jobs + size;
		m.tid = calloc((size_t)m.max_tid, sizeof *m.tid);
		if (!m.owner || !m.heard || !m.open || !m.lost || !m.tid) {
			free(m.owner), free(m.heard), free(m.open), free(m.lost), free(m.tid), free(peers);
			winit_error_set(err, WINIT_ERR_NOMEM, "MPI: out of memory");
			return n;
		}
		for (size_t i = 0; i < n; i++)
			m.owner[i] = -1;
		pthread_mutex_init(&m.lock, NULL);
		int remote = 0;
		double now = winit_clock_seconds();
		for (int r = 1; r < size; r++) {
			remote += m.open[r] = peers[r].jobs;
			m.heard[r] = now;
		}
		for (int t = 0; t < jobs; t++)
			start_local(&m);
		rc = dispatch(&m, remote, err);
		if (rc != WINIT_OK) {
			/* Hand out nothing more; rank 0's threads finish the runs they hold. */
			pthread_mutex_lock(&m.lock);
			m.ending = 1;
			pthread_mutex_unlock(&m.lock);
		}
		/* No thread could start, or runs handed back by a lost rank found none left:
		 * train them here. */
		m.local_running++;
		local_worker(&m);
		for (int t = 0; t < m.n_tid; t++)
			pthread_join(m.tid[t], NULL);
		/* Runs out on other ranks when dispatching stopped are lost with them: they
		 * stay not run, and the saved file never held them. */
		if (rc == WINIT_ERR_CANCELLED)
			winit_error_set(err, rc, "interrupted while other ranks were training");
		if (rc == WINIT_OK)
			rc = send_results(&m, err);
		pthread_mutex_destroy(&m.lock);
		free(m.owner), free(m.heard), free(m.open), free(m.lost), free(m.tid);
	} else {
		struct slot_ctx c = { .runs = runs,
			              .results = results,
			              .timeout = timeout,
			              .beat_every = timeout / 4 };
		if (c.beat_every > 5)
			c.beat_every = 5;
		if (c.beat_every < 0.01)
			c.beat_every = 0.01;
		pthread_mutex_init(&c.lock, NULL);
		pthread_mutex_init(&c.beat_lock, NULL);
		pthread_cond_init(&c.beat_cond, NULL);
		atomic_init(&c.failed, 0);
		pthread_t tid[257];
		int started = 0, beating = 0;
		if (me.beats && pthread_create(&tid[started], NULL, beat_worker, &c) == 0)
			beating = ++started;
		for (int t = 1; t < jobs; t++)
			if (pthread_create(&tid[started], NULL, slot_worker, &c) == 0)
				started++;
		slot_worker(&c);
		for (int t = beating; t < started; t++)
			pthread_join(tid[t], NULL);
		if (beating) {
			pthread_mutex_lock(&c.beat_lock);
			c.beat_stop = 1;
			pthread_cond_signal(&c.beat_cond);
			pthread_mutex_unlock(&c.beat_lock);
			pthread_join(tid[0], NULL);
		}
		if (atomic_load(&c.failed) == 2) {
			/* Rank 0 stopped answering: nothing can be saved from here; the job ends. */
			lost_ranks = rank0_lost = 1;
			notice("rank %d (%s, pid %d) has had no answer from rank 0 (%s, pid %d) for %.1f s%s; "
			       "rank 0 is stopped, hung or unreachable, so the job ends (MPI_Abort); the "
			       "results file keeps the runs rank 0 saved",
			       rank, peers[rank].host, (int)peers[rank].pid, peers[0].host,
			       (int)peers[0].pid, c.silent, state_note(peer_state(&peers[0], me.host)));
			rc = winit_error_set(err, WINIT_ERR_IO, "MPI: rank 0 has not answered rank %d for %.1f s",
			                     rank, c.silent);
		} else if (atomic_load(&c.failed)) {
			rc = winit_error_set(err, WINIT_ERR_IO, "MPI: rank %d lost contact with rank 0", rank);
		}
		pthread_cond_destroy(&c.beat_cond);
		pthread_mutex_destroy(&c.beat_lock);
		pthread_mutex_destroy(&c.lock);
		if (rc == WINIT_OK)
			rc = receive_results(results, n, err);
	}
	free(known);
	known = peers; /* for winit_dist_settle's messages */
	return count_failed(results, n);
}

void winit_dist_settle(void)
{
	if (!active || size < 2 || lost_ranks)
		return;
	if (rank > 0) {
		/* Tell rank 0, then learn from it whether the job ends well (MPI_Finalize) or
		 * with MPI_Abort (a rank lost), for which winit_dist_finalize must wait. */
		int verdict = 0, flag = 0;
		MPI_Request q;
		if (MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD) != MPI_SUCCESS ||
		    MPI_Irecv(&verdict, 1, MPI_INT, 0, TAG_VERDICT, MPI_COMM_WORLD, &q) != MPI_SUCCESS)
			return;
		while (MPI_Test(&q, &flag, MPI_STATUS_IGNORE) == MPI_SUCCESS && !flag)
			sleep_ms(10); /* as long as rank 0's script takes: no timeout here */
		if (flag && verdict > 0)
			lost_ranks = verdict;
		return;
	}
	unsigned char *arrived = calloc((size_t)size, 1);
	if (!arrived)
		return; /* MPI_Finalize waits for them all the same */
	int left = size - 1;
	double t0 = winit_clock_seconds();
	while (left > 0) {
		int flag = 0, count = 0;
		MPI_Status st;
		if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
			break;
		if (flag) {
			/* A heartbeat still in flight, or the end: take it either way. */
			MPI_Get_count(&st, MPI_BYTE, &count);
			unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
			if (!buf)
				break;
			int ok = MPI_Recv(buf, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
			                  MPI_STATUS_IGNORE) == MPI_SUCCESS;
			free(buf);
			if (!ok)
				break;
			int src = st.MPI_SOURCE;
			if (st.MPI_TAG == TAG_BYE && src > 0 && src < size && !arrived[src]) {
				arrived[src] = 1;
				left--;
			}
			continue;
		}
		double waited = winit_clock_seconds() - t0;
		if (rank_timeout > 0 && waited >= rank_timeout) {
			for (int r = 1; r < size; r++) {
				if (arrived[r])
					continue;
				lost_ranks++;
				char name[128] = "";
				if (known) {
					const struct peer *p = &known[r];
					snprintf(name, sizeof name, " (%s, pid %d)", p->host, (int)p->pid);
				}
				notice("rank %d%s has not reached the end of the script %.1f s after rank 0 "
				       "did%s; the job ends (MPI_Abort)",
				       r, name, waited,
				       known ? state_note(peer_state(&known[r], known[0].host)) : "");
			}
			break;
		}
		sleep_ms(1);
	}
	for (int r = 1; r < size; r++)
		if (arrived[r])
			MPI_Send(&lost_ranks, 1, MPI_INT, r, TAG_VERDICT, MPI_COMM_WORLD);
	free(arrived);
}
#else
void winit_dist_settle(void)
{
}
#endif

size_t winit_study_execute_dist(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                                struct winit_run_result *results,
                                const struct winit_observer *obs, struct winit_error *err)
{
#ifdef WINIT_HAVE_MPI
	if (active && size > 1)
		return execute_mpi(runs, n_runs, jobs, results, obs, err);
#endif
	(void)err;
	return winit_study_execute(runs, n_runs, jobs, results, obs);
}
