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
#include <stdio.h>
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
 * rank instead (MPI_Abort, with `abort_job` as the error code), for a rank that cannot
 * take part any more.  After a lost rank (winit_dist_lost) rank 0 always aborts (error
 * code `abort_job`, or 1) and the other ranks do not return: they wait for that end
 * (not in MPI_Finalize, which Open MPI's mpirun does not survive next to an abort). */
void winit_dist_finalize(int abort_job);

/* The end of a job that ends well, before winit_dist_finalize: every rank other than 0
 * tells rank 0 it got there, and rank 0 waits for them at most the rank timeout
 * (winit_dist_configure), counting the ones that do not come lost (winit_dist_lost, named
 * on the notices), so a rank stopped after its studies does not leave MPI_Finalize
 * waiting forever; then it tells each rank that came whether the job ends well.  The
 * other ranks wait for that word as long as rank 0 takes.  Does nothing without MPI,
 * with one rank, or once a rank is lost. */
void winit_dist_settle(void);

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
 * normally noticed by the launcher first, which ends the job (docs/cluster.md); a rank
 * that stays silent (stopped, hung, unreachable) is counted lost after the rank timeout
 * (winit_dist_configure) and its runs go to the other ranks. */
size_t winit_study_execute_dist(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                                struct winit_run_result *results,
                                const struct winit_observer *obs, struct winit_error *err);

/* Liveness under mpirun (docs/cluster.md).  While a study runs, every rank other than 0
 * sends rank 0 an empty heartbeat every rank_timeout / 4 seconds (at most every 5 s).  A
 * rank that holds runs and has sent nothing for `rank_timeout` seconds is counted lost:
 * rank 0 says so on `notices` (when not NULL), naming the rank, its host and pid and the
 * runs it held, hands those runs to the other ranks (a run's numbers do not depend on
 * where it trains) and ignores whatever the lost rank sends later.  0 turns the check
 * off.  Rank 0's timeout is the one every rank uses.  When a stop signal ends a study on
 * rank 0, the ranks of its host whose process is gone are named on `notices` too, with
 * their runs.  Until called: WINIT_DIST_DEFAULT_TIMEOUT seconds, no notices. */
#define WINIT_DIST_DEFAULT_TIMEOUT 60.0
void winit_dist_configure(double rank_timeout, FILE *notices);

/* How many ranks this process knows to be lost (0 without MPI; other ranks learn it with
 * the results).  A rank other than 0 that waits `rank_timeout` seconds for rank 0's
 * answer counts rank 0 lost: it says so on `notices`, stops its training and ends the
 * study call with an error.  MPI cannot take a rank back: a later study across ranks
 * fails at once, and winit_dist_finalize ends the job with MPI_Abort on rank 0 (or on
 * the rank that lost rank 0) and waits for that end on the others. */
int winit_dist_lost(void);

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
