/* winit/cancel.h -- cancellation with one owner: a process-wide stop flag.
 *
 * Whoever wants training to stop (a SIGINT or SIGTERM handler installed by the CLI or the
 * Lua binding, a GUI, a test) calls winit_cancel().  The trainer polls the flag between
 * batches and the study executor before starting each run, so a stop request takes effect
 * within one training step whatever is or is not printed.  Finished runs are kept.
 */
#ifndef WINIT_CANCEL_H
#define WINIT_CANCEL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Request a stop.  `reason` is the signal number that caused it (SIGINT, SIGTERM), or
 * any other non-zero value (e.g. -1) for a stop that is not a signal.  The first reason
 * is kept.  Async-signal-safe and thread-safe. */
void winit_cancel(int reason);

/* Reasons that are not signals: negative, so they never collide with a signal number. */
#define WINIT_CANCEL_REQUESTED (-1)   /* a caller's own stop (a GUI, a test) */
#define WINIT_CANCEL_SAVE_FAILED (-2) /* the results file could not be written: the study \
	                               * stops rather than train runs it cannot keep */

/* 0 while no stop was requested, else the first reason given to winit_cancel. */
int winit_cancelled(void);

/* Clear the flag (before starting new work). */
void winit_cancel_reset(void);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_CANCEL_H */
