/* src/analysis/learning.c -- how fast a run learned, from its validation history: the best
 * epoch, the first epoch at a stated validation accuracy, the area under the curve; and
 * from its diagnostics snapshots, the first step at that accuracy. */
#include "config.h"

#include <math.h>

#include <winit/learning.h>

void winit_learning_metrics(struct winit_learning *out, const struct winit_history *h,
                            const struct winit_diagnostics *diag, double target)
{
	out->target = target;
	out->has_target = target > 0;
	out->val_snapshots = 0;
	out->steps_to_target = -1;
	for (int32_t i = 0; diag && i < diag->n; i++) {
		const struct winit_diag_snapshot *s = &diag->snaps[i];
		if (s->val_rows <= 0 || isnan(s->val_accuracy))
			continue;
		out->val_snapshots++;
		if (target > 0 && out->steps_to_target < 0 && s->val_accuracy >= target)
			out->steps_to_target = s->step;
	}
	out->best_epoch = 0;
	out->best_val_accuracy = NAN;
	out->epochs_to_target = 0;
	out->val_auc = NAN;
	double sum = 0;
	int32_t n = 0;
	for (int32_t e = 0; e < h->n; e++) {
		const struct winit_epoch_stats *st = &h->epochs[e];
		if (!st->has_val || isnan(st->val_accuracy))
			continue;
		if (out->best_epoch == 0 || st->val_accuracy > out->best_val_accuracy) {
			out->best_epoch = st->epoch;
			out->best_val_accuracy = st->val_accuracy;
		}
		if (target > 0 && out->epochs_to_target == 0 && st->val_accuracy >= target)
			out->epochs_to_target = st->epoch;
		sum += st->val_accuracy;
		n++;
	}
	if (n > 0)
		out->val_auc = sum / n;
	out->has_steps = out->has_target && out->val_snapshots > 0;
}
