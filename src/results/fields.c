/* src/results/fields.c -- the scalar members of a run's outcome, an epoch, a snapshot and
 * a divergence, one row each (fields.h says what a row holds and who reads it). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <winit/diagnostics.h>
#include <winit/learning.h>
#include <winit/report_page.h>
#include <winit/study.h>
#include <winit/train.h>

#include "results/fields.h"

#define NONE WINIT_FIELD_NONE
#define BIG INFINITY
#define I32 ((double)INT32_MAX)

/* Ranges. */
#define ANY -BIG, BIG
#define UNIT 0, 1
#define COUNT 0, BIG
#define EPOCH0 0, I32 /* 0: at initialization */
#define EPOCH1 1, I32

/* A member of the engine's struct E that the page model's struct P has too, and one it
 * has not; each present always, or when the int32_t member `when` is set. */
#define BOTH(E, P, m) offsetof(E, m), NONE, offsetof(P, m), NONE
#define BOTH_IF(E, P, m, when) offsetof(E, m), offsetof(E, when), offsetof(P, m), offsetof(P, when)
#define ONLY(E, m) offsetof(E, m), NONE, NONE, NONE
#define ONLY_IF(E, m, when) offsetof(E, m), offsetof(E, when), NONE, NONE

#define F64 WINIT_FIELD_F64
#define I64 WINIT_FIELD_I64
#define INT WINIT_FIELD_I32
#define WITNESS WINIT_FIELD_WITNESS
#define NAN_NIL WINIT_FIELD_NAN_NIL
#define END                                                                \
	{                                                                  \
		NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NONE, NONE, NONE, NONE \
	}

#define SNAP(m) BOTH(struct winit_diag_snapshot, struct winit_report_snapshot, m)

/* key, CSV column, type, need, flags, range, default, choices, places */
const struct winit_field winit_fields_snapshot[] = {
	{ "step", NULL, I64, RS_ALL, 0, COUNT, 0, NULL, SNAP(step) },
	{ "epoch", NULL, INT, RS_V2, 0, EPOCH0, 0, NULL, SNAP(epoch) },
	{ "probe_loss", NULL, F64, RS_OPTIONAL, NAN_NIL, ANY, NAN, NULL, SNAP(probe_loss) },
	{ "probe_accuracy", NULL, F64, RS_OPTIONAL, NAN_NIL, UNIT, NAN, NULL, SNAP(probe_accuracy) },
	{ "val_rows", NULL, I64, RS_OPTIONAL, 0, COUNT, 0, NULL, SNAP(val_rows) },
	{ "val_loss", NULL, F64, RS_OPTIONAL, NAN_NIL, ANY, NAN, NULL, SNAP(val_loss) },
	{ "val_accuracy", NULL, F64, RS_OPTIONAL, NAN_NIL, UNIT, NAN, NULL, SNAP(val_accuracy) },
	END,
};

#define EPOCH(m) BOTH(struct winit_epoch_stats, struct winit_report_epoch, m)
#define EPOCH_VAL(m) BOTH_IF(struct winit_epoch_stats, struct winit_report_epoch, m, has_val)

/* The validation metrics are there when a validation split was held out (has_val), which
 * a reader knows from "val_loss". */
const struct winit_field winit_fields_epoch[] = {
	{ "epoch", "epoch", INT, RS_V2, 0, EPOCH1, 0, NULL, EPOCH(epoch) },
	{ "loss", "loss", F64, RS_ALL, 0, ANY, NAN, NULL, EPOCH(loss) },
	{ "accuracy", "accuracy", F64, RS_ALL, 0, UNIT, NAN, NULL, EPOCH(accuracy) },
	{ "val_loss", "val_loss", F64, RS_OPTIONAL, WITNESS, ANY, NAN, NULL, EPOCH_VAL(val_loss) },
	{ "val_accuracy", "val_accuracy", F64, RS_OPTIONAL, 0, UNIT, NAN, NULL, EPOCH_VAL(val_accuracy) },
	{ "seconds", "epoch_seconds", F64, RS_V2, 0, COUNT, NAN, NULL, EPOCH(seconds) },
	END,
};

#define RUN(m) BOTH(struct winit_run_result, struct winit_report_run, m)
#define RUN_TEST(m) BOTH_IF(struct winit_run_result, struct winit_report_run, m, has_test)

/* The test metrics are there when the run was evaluated on a test set (has_test), which a
 * reader knows from "test_accuracy". */
const struct winit_field winit_fields_outcome[] = {
	{ "test_loss", "test_loss", F64, RS_OPTIONAL, 0, ANY, NAN, NULL, RUN_TEST(test_loss) },
	{ "test_accuracy", "test_accuracy", F64, RS_OPTIONAL, WITNESS, UNIT, NAN, NULL,
	  RUN_TEST(test_accuracy) },
	{ "seconds", NULL, F64, RS_V2, 0, COUNT, NAN, NULL, RUN(seconds) },
	END,
};

static const char *const what_choices[] = { "loss", "parameters", NULL };

#define DIV(m) ONLY(struct winit_divergence, m)
#define DIV_LAST(m) ONLY_IF(struct winit_divergence, m, has_last)

/* The running means before the first non-finite value are there unless the very first
 * step diverged (has_last), which a reader knows from "last_loss". */
const struct winit_field winit_fields_divergence[] = {
	{ "epoch", NULL, INT, RS_OPTIONAL, 0, EPOCH0, 0, NULL, DIV(epoch) },
	{ "step", NULL, I64, RS_OPTIONAL, 0, COUNT, 0, NULL, DIV(step) },
	{ "what", NULL, WINIT_FIELD_CHOICE, RS_OPTIONAL, 0, 0, 0, 0, what_choices, DIV(in_params) },
	{ "last_loss", NULL, F64, RS_OPTIONAL, WITNESS, ANY, NAN, NULL, DIV_LAST(last_loss) },
	{ "last_accuracy", NULL, F64, RS_OPTIONAL, 0, UNIT, NAN, NULL, DIV_LAST(last_accuracy) },
	END,
};

#define LEARN(m) ONLY(struct winit_learning, m)
#define LEARN_IF(m, when) ONLY_IF(struct winit_learning, m, when)
#define MISS0 WINIT_FIELD_MISS_NONPOS
#define MISSNEG WINIT_FIELD_MISS_NEG

/* How fast the run learned (winit_learning_metrics), in runs.csv's order; the results
 * file writes val_auc last (WINIT_FIELD_LAST), the order of its first writer.  The target
 * and the epochs to reach it are there when a target was asked for (has_target), the steps
 * to reach it when some snapshot also measured validation accuracy (has_steps), which a
 * reader knows from "steps_to_target".  Missing: best_epoch 0 (written as such),
 * epochs_to_target 0, steps_to_target -1, NaN. */
const struct winit_field winit_fields_learning[] = {
	{ "best_epoch", "best_epoch", INT, RS_OPTIONAL, MISS0 | WINIT_FIELD_KEEP, 0, I32, 0, NULL,
	  LEARN(best_epoch) },
	{ "best_val_accuracy", NULL, F64, RS_OPTIONAL, WINIT_FIELD_NO_LUA, UNIT, NAN, NULL,
	  LEARN(best_val_accuracy) },
	{ "val_auc", "val_auc", F64, RS_OPTIONAL, NAN_NIL | WINIT_FIELD_LAST, UNIT, NAN, NULL, LEARN(val_auc) },
	{ "target", "target", F64, RS_OPTIONAL, MISS0 | WINIT_FIELD_KEEP | WINIT_FIELD_NO_LUA, UNIT, NAN, NULL,
	  offsetof(struct winit_learning, target), offsetof(struct winit_learning, has_target),
	  offsetof(struct winit_report_run, target), NONE },
	{ "epochs_to_target", "epochs_to_target", INT, RS_OPTIONAL, MISS0, EPOCH1, 0, NULL,
	  LEARN_IF(epochs_to_target, has_target) },
	{ "steps_to_target", "steps_to_target", I64, RS_OPTIONAL, MISSNEG | WITNESS, COUNT, -1, NULL,
	  BOTH_IF(struct winit_learning, struct winit_report_run, steps_to_target, has_steps) },
	END,
};

double winit_field_f64(const struct winit_field *f, const void *s)
{
	double v;
	memcpy(&v, (const char *)s + f->at, sizeof v);
	return v;
}

int64_t winit_field_int(const struct winit_field *f, const void *s)
{
	const char *p = (const char *)s + f->at;
	if (f->type == WINIT_FIELD_I64) {
		int64_t v;
		memcpy(&v, p, sizeof v);
		return v;
	}
	int32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

int winit_field_present(const struct winit_field *f, const void *s, int page)
{
	ptrdiff_t when = page ? f->when_page : f->when;
	int32_t on = 1;
	if (when != NONE)
		memcpy(&on, (const char *)s + when, sizeof on);
	return on != 0;
}

int winit_field_missing(const struct winit_field *f, const void *s)
{
	double v = f->type == WINIT_FIELD_F64 ? winit_field_f64(f, s) : (double)winit_field_int(f, s);
	return isnan(v) || ((f->flags & WINIT_FIELD_MISS_NONPOS) && v <= 0) ||
	       ((f->flags & WINIT_FIELD_MISS_NEG) && v < 0);
}

void winit_field_put_f64(const struct winit_field *f, void *s, int page, double v)
{
	ptrdiff_t at = page ? f->at_page : f->at;
	if (at != NONE)
		memcpy((char *)s + at, &v, sizeof v);
}

void winit_field_put_int(const struct winit_field *f, void *s, int page, int64_t v)
{
	ptrdiff_t at = page ? f->at_page : f->at;
	int32_t v32 = (int32_t)v;
	if (at == NONE)
		return;
	if (f->type == WINIT_FIELD_I64)
		memcpy((char *)s + at, &v, sizeof v);
	else
		memcpy((char *)s + at, &v32, sizeof v32);
}

void winit_field_mark(const struct winit_field *f, void *s, int page, int on)
{
	ptrdiff_t when = page ? f->when_page : f->when;
	int32_t v = on;
	if (when != NONE)
		memcpy((char *)s + when, &v, sizeof v);
}
