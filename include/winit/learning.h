/* winit/learning.h -- how fast a run learned: learning-speed metrics from its history and
 * diagnostics snapshots. */
#ifndef WINIT_LEARNING_H
#define WINIT_LEARNING_H

#include <stdint.h>
#include <winit/diagnostics.h>
#include <winit/train.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How fast a run learned, from its per-epoch validation accuracy. */
struct winit_learning {
	int32_t best_epoch;       /* 1-based epoch of the highest validation accuracy (the first
	                           * such); 0 without validation */
	double best_val_accuracy; /* its value; NaN without validation */
	int32_t epochs_to_target; /* first epoch whose validation accuracy >= target; 0: never
	                           * reached, or no target (target <= 0) */
	double val_auc;           /* area under the validation-accuracy curve with the epochs
	                           * scaled to [0, 1]: the mean validation accuracy over the epochs
	                           * (1 = perfect from the first epoch); NaN without validation */
	int32_t val_snapshots;    /* diagnostics snapshots that measured validation accuracy
	                           * (winit_diag_snapshot.val_rows > 0) */
	int64_t steps_to_target;  /* the step of the first such snapshot, in the order taken,
	                           * whose val_accuracy >= target (no interpolation between
	                           * snapshots: steps 0, 1, 2, 4, ..., 512, then each epoch's
	                           * last); -1: never reached, no target, or no such snapshot */
	double target;            /* the target asked for (<= 0: none) */
	int32_t has_target;       /* target > 0: epochs_to_target means something */
	int32_t has_steps;        /* has_target and val_snapshots > 0: steps_to_target too */
};

/* The learning metrics of a run from its per-epoch history and, for steps_to_target, its
 * diagnostics snapshots (diag may be NULL: none).  target <= 0: no target. */
void winit_learning_metrics(struct winit_learning *out, const struct winit_history *history,
                            const struct winit_diagnostics *diag, double target);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_LEARNING_H */
