/* winit/dist.h -- studies across processes: MPI ranks (optional build) and shards.
 *
 * Built with `./configure --with-mpi`, a study runs across the ranks of `mpirun -np N`:
 * rank 0 holds the run list and hands runs out one at a time as ranks ask for them; every
 * rank trains on its local threads and sends each finished run back as data
 * (src/study/wire.c); rank 0 alone reports and saves.  Without MPI (or outside mpirun)
 * these functions describe a single process of rank 0 and the executor is
 * winit_study_execute.  No MPI type appears here: the API is the same in both builds. */
#ifndef WINIT_DIST_H
#define WINIT_DIST_H

#include <stddef.h>
#include <winit/error.h>
#include <winit/study.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when libwinit was built with MPI, else 0. */
int winit_dist_built(void);

/* Initialise MPI (MPI_Init_thread; a process started without mpirun becomes a singleton
 * of one rank).  Without MPI: does nothing.  Returns WINIT_OK or fills err. */
int winit_dist_init(int *argc, char ***argv, struct winit_error *err);
/* Finalise MPI when winit_dist_init initialised it; `abort_job` non-zero aborts every
 * rank instead (MPI_Abort), for a rank that cannot take part any more. */
void winit_dist_finalize(int abort_job);

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int winit_dist_rank(void);
int winit_dist_size(void);

/* winit_study_execute across every rank: call it on every rank with the same runs (the
 * script runs on every rank as written).  Rank 0 dispatches and its observer sees every
 * run: its own as they happen, and other ranks' when they come back (run_start, each
 * epoch_end, run_end in that order).  Other ranks' observers see nothing.  On return,
 * every rank holds every result.  Runs already marked done are skipped.  Returns the
 * number of failed runs.  An MPI call that fails, or a malformed message, fills err
 * (status non-zero) and ends the call early: runs other ranks held stay not run (done =
 * 0), and the caller should end the job (winit_dist_finalize(1)).  A rank that dies is
 * normally noticed by the launcher first, which ends the job (docs/cluster.md). */
size_t winit_study_execute_dist(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                                struct winit_run_result *results,
                                const struct winit_observer *obs, struct winit_error *err);

/* What rank 0's dispatcher spent in the last winit_study_execute_dist of this process:
 * the results it received from other ranks and, in seconds, the total and the longest
 * time from a result's arrival to the answer sent back (unpacking, the observer's
 * printing and saving, choosing the next run).  All zero on other ranks and without MPI.
 * This service time per run bounds how many ranks one dispatcher can feed
 * (docs/cluster.md). */
void winit_dist_stats(size_t *received, double *busy_seconds, double *max_seconds);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_DIST_H */
