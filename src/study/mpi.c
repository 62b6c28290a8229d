/* src/study/mpi.c -- a study across MPI ranks (winit/dist.h).
 *
 * Rank 0 holds the run list.  Its main thread is the dispatcher: it answers each request
 * of another rank with the index of the next run not yet handed out (or -1: stop), and
 * its local threads take runs from the same list.  A request carries the result of the
 * run the asking thread just finished (src/study/wire.c), so a rank asks for the next run
 * when it finishes one and fast and slow runs balance.  Rank 0 hands each result received
 * to its observer (run_start, every epoch_end, run_end), which prints and saves as for a
 * local run.  At the end rank 0 broadcasts every result, so each rank's script sees the
 * same Results.
 *
 * Other ranks call MPI only from one thread at a time (MPI_THREAD_SERIALIZED): each
 * training thread sends its request and receives the answer under one lock.  The
 * dispatcher polls (MPI_Iprobe, then a 1 ms sleep) rather than blocking in MPI_Recv,
 * which in Open MPI spins and would take a core from rank 0's own training threads.
 *
 * Every run's numbers depend only on its run seed (winit_run_seed: the study seed and the
 * replicate in the paired design, the study seed and the run name in the independent
 * one), never on the rank or thread that trains it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <winit/cancel.h>
#include <winit/dist.h>

#ifdef WINIT_HAVE_MPI
#include <mpi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "core/clock.h"
#include "study/wire.h"
#endif

static size_t stat_received;
static double stat_busy, stat_max;

void winit_dist_stats(size_t *received, double *busy_seconds, double *max_seconds)
{
	*received = stat_received;
	*busy_seconds = stat_busy;
	*max_seconds = stat_max;
}

#ifdef WINIT_HAVE_MPI
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
	if (abort_job && size > 1)
		MPI_Abort(MPI_COMM_WORLD, abort_job);
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
enum { TAG_REQUEST = 1,
       TAG_RUN = 2 };

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

/* ---- rank 0 ---- */

struct master {
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	size_t n, next;
	pthread_mutex_t lock;
	const struct winit_observer *obs;
	int *owner; /* the rank a run was handed to */
};

/* The next run to hand out, or -1 when none is left (or a stop was requested). */
static int64_t take_next(struct master *m, int to_rank)
{
	int64_t i = -1;
	pthread_mutex_lock(&m->lock);
	while (m->next < m->n && m->results[m->next].done)
		m->next++;
	if (m->next < m->n && !winit_cancelled()) {
		i = (int64_t)m->next++;
		m->owner[i] = to_rank;
	}
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

/* A result from another rank: check it and store it.  *index is the run it belongs to. */
static int store_result(struct master *m, int from, const unsigned char *buf, size_t len,
                        uint64_t *index, struct winit_error *err)
{
	uint64_t i;
	struct winit_run_result r;
	int rc = winit_wire_unpack(buf, len, &i, &r, err);
	if (rc)
		return rc;
	if (i >= m->n || m->owner[i] != from || m->results[i].done) {
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

static int dispatch(struct master *m, int remote_slots, struct winit_error *err)
{
	int stopped = 0;
	stat_received = 0;
	stat_busy = stat_max = 0;
	while (stopped < remote_slots) {
		int flag = 0;
		MPI_Status st;
		if (MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
			return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot poll for requests");
		if (!flag) {
			if (winit_cancelled())
				return WINIT_ERR_CANCELLED;
			struct timespec ms = { 0, 1000000 };
			nanosleep(&ms, NULL);
			continue;
		}
		int count = 0;
		MPI_Get_count(&st, MPI_BYTE, &count);
		unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
		if (!buf)
			return winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for a message of %d bytes",
			                       count);
		int src = st.MPI_SOURCE;
		if (MPI_Recv(buf, count, MPI_BYTE, src, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
		    MPI_SUCCESS) {
			free(buf);
			return winit_error_set(err, WINIT_ERR_IO, "MPI: lost a message from rank %d", src);
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
			return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot reach rank %d", src);
		stopped += next < 0;
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
	atomic_int failed;    /* an MPI call failed: stop */
};

static void *slot_worker(void *arg)
{
	struct slot_ctx *c = arg;
	unsigned char *buf = NULL;
	size_t len = 0;
	while (!atomic_load(&c->failed)) {
		int64_t next = -1;
		pthread_mutex_lock(&c->lock);
		int rc = MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
		if (rc == MPI_SUCCESS)
			rc = MPI_Recv(&next, 1, MPI_INT64_T, 0, TAG_RUN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		pthread_mutex_unlock(&c->lock);
		free(buf);
		buf = NULL;
		len = 0;
		if (rc != MPI_SUCCESS) {
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

/* Every rank ends with rank 0's results. */
static int share_results(struct winit_run_result *results, size_t n, struct winit_error *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char *buf = NULL;
		size_t len = 0;
		uint64_t msg_len = 0;
		if (rank == 0 && results[i].done) {
			if (winit_wire_pack(i, &results[i], &buf, &len, err))
				len = 0;
			msg_len = len;
		}
		if (MPI_Bcast(&msg_len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
			return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot share the results");
		if (rank != 0 && msg_len > 0 && !(buf = malloc(msg_len)))
			return winit_error_set(err, WINIT_ERR_NOMEM, "MPI: no memory for the results");
		if (msg_len > 0 &&
		    MPI_Bcast(buf, (int)msg_len, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
			free(buf);
			return winit_error_set(err, WINIT_ERR_IO, "MPI: cannot share the results");
		}
		if (rank != 0) {
			uint64_t k;
			winit_run_result_free(&results[i]);
			memset(&results[i], 0, sizeof results[i]);
			if (msg_len > 0 && winit_wire_unpack(buf, msg_len, &k, &results[i], err)) {
				free(buf);
				return WINIT_ERR_FORMAT;
			}
		}
		free(buf);
	}
	return WINIT_OK;
}

static size_t execute_mpi(const struct winit_run_spec *runs, size_t n, int jobs,
                          struct winit_run_result *results, const struct winit_observer *obs,
                          struct winit_error *err)
{
	if (jobs <= 0)
		jobs = default_jobs();
	if (jobs > 256) {
		winit_error_set(err, WINIT_ERR_ARG, "%d jobs per rank: at most 256", jobs);
		return n;
	}
	if (rank > 0 && thread_level < MPI_THREAD_SERIALIZED)
		jobs = 1; /* the MPI library cannot take calls from several threads */
	int *slots = rank == 0 ? calloc((size_t)size, sizeof *slots) : NULL;
	if (rank == 0 && !slots) {
		winit_error_set(err, WINIT_ERR_NOMEM, "MPI: out of memory");
		return n;
	}
	if (MPI_Gather(&jobs, 1, MPI_INT, slots, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
		free(slots);
		winit_error_set(err, WINIT_ERR_IO, "MPI: the ranks could not meet (MPI_Gather)");
		return n;
	}
	pthread_t tid[256];
	int started = 0, rc = WINIT_OK;
	if (rank == 0) {
		struct master m = { .runs = runs, .results = results, .n = n, .obs = obs };
		m.owner = calloc(n ? n : 1, sizeof *m.owner);
		if (!m.owner) {
			free(slots);
			winit_error_set(err, WINIT_ERR_NOMEM, "MPI: out of memory");
			return n;
		}
		pthread_mutex_init(&m.lock, NULL);
		int remote = 0;
		for (int r = 1; r < size; r++)
			remote += slots[r];
		for (int t = 0; t < jobs; t++)
			if (pthread_create(&tid[started], NULL, local_worker, &m) == 0)
				started++;
		rc = dispatch(&m, remote, err);
		if (started == 0 && rc == WINIT_OK)
			local_worker(&m); /* no thread could start: train here */
		for (int t = 0; t < started; t++)
			pthread_join(tid[t], NULL);
		/* Runs out on other ranks when dispatching stopped are lost with them: they
		 * stay not run, and the saved file never held them. */
		if (rc == WINIT_ERR_CANCELLED)
			winit_error_set(err, rc, "interrupted while other ranks were training");
		pthread_mutex_destroy(&m.lock);
		free(m.owner);
	} else {
		struct slot_ctx c = { .runs = runs, .results = results };
		pthread_mutex_init(&c.lock, NULL);
		atomic_init(&c.failed, 0);
		for (int t = 1; t < jobs; t++)
			if (pthread_create(&tid[started], NULL, slot_worker, &c) == 0)
				started++;
		slot_worker(&c);
		for (int t = 0; t < started; t++)
			pthread_join(tid[t], NULL);
		if (atomic_load(&c.failed))
			rc = winit_error_set(err, WINIT_ERR_IO, "MPI: rank %d lost contact with rank 0", rank);
		pthread_mutex_destroy(&c.lock);
	}
	free(slots);
	if (rc == WINIT_OK)
		share_results(results, n, err);
	return count_failed(results, n);
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
