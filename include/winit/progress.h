/* winit/progress.h -- a study's progress on the terminal, as an observer of its runs. */
#ifndef WINIT_PROGRESS_H
#define WINIT_PROGRESS_H

#include <stddef.h>
#include <stdio.h>
#include <winit/study.h>

#ifdef __cplusplus
extern "C" {
#endif

struct winit_progress; /* opaque */

/* Keras-like per-epoch lines on `out` ("[he_normal] Epoch 2/5 - 1.3s - loss: ... -
 * accuracy: ... - val_loss: ... - val_accuracy: ..."), and, when `live` is non-zero
 * (stdout is a terminal), a progress line redrawn in place at most ten times a second:
 * the study's ("run 37 of 450, 2 in flight, 3m10s, ETA 35m": runs begun or done, runs
 * training now, time since the first started, and the time left at the rate so far),
 * then each running run's epoch, step, loss, accuracy and ETA.
 * It only reports: stopping is winit/cancel.h's business. */
struct winit_progress *winit_progress_new(FILE *out, const struct winit_run_spec *runs,
                                          size_t n_runs, int live);
/* The study's results (winit_study_run's `results`), so that the live line counts the
 * runs already done when the first run starts (resumed, or another shard's) as done:
 * "run 402 of 450".  Without it every run counts as to do. */
void winit_progress_results(struct winit_progress *p, const struct winit_run_result *results);
/* Fill obs with callbacks that report to p. */
void winit_progress_observer(struct winit_progress *p, struct winit_observer *obs);
void winit_progress_free(struct winit_progress *p);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PROGRESS_H */
