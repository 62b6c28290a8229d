/* src/results/fields.c -- the members of a run's status and outcome, an epoch, a
 * snapshot, a divergence and how fast a run learned, one row each (fields.h says what a
 * row holds and who reads it). */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/error.h>
#include <winit/results.h>

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
#define BOTH(E, P, m) offsetof(E, m), NONE, offsetof(P, m), NONE, NULL
#define BOTH_IF(E, P, m, when) offsetof(E, m), offsetof(E, when), offsetof(P, m), offsetof(P, when), NULL
#define ONLY(E, m) offsetof(E, m), NONE, NONE, NONE, NULL
#define ONLY_IF(E, m, when) offsetof(E, m), offsetof(E, when), NONE, NONE, NULL
/* A string reached through functions (code: the engine's int32_t member they map). */
#define BY(text) NONE, NONE, NONE, NONE, &text
#define BY_CODE(E, m, text) offsetof(E, m), NONE, NONE, NONE, &text

#define F64 WINIT_FIELD_F64
#define I64 WINIT_FIELD_I64
#define INT WINIT_FIELD_I32
#define WITNESS WINIT_FIELD_WITNESS
#define NAN_NIL WINIT_FIELD_NAN_NIL
#define END                                                                      \
	{                                                                        \
		NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NONE, NONE, NONE, NONE, NULL \
	}

#define SNAP(m) BOTH(struct winit_diag_snapshot, struct winit_report_snapshot, m)

/* key, CSV column, type, need, flags, range, default, choices, places */
const struct winit_field winit_fields_snapshot[] = {
	{ "step", NULL, I64, RS_ALL, 0, COUNT, 0, NULL, SNAP(step) },
	{ "epoch", NULL, INT, RS_V2, 0, EPOCH0, 0, NULL, SNAP(epoch) },
	{ "probe_loss", NULL, F64, RS_OPTIONAL, NAN_NIL, ANY, NAN, NULL, SNAP(probe_loss) },
	{ "probe_accuracy", NULL, F64, RS_OPTIONAL, NAN_NIL, UNIT, NAN, NULL, SNAP(probe_accuracy) },
	{ "probe_rows", NULL, I64, RS_OPTIONAL, 0, COUNT, 0, NULL, SNAP(probe_rows) },
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

/* ---- the run's status, its error and its kernel set: strings each place stores its own
 * way (an int code and a message array in the engine's struct, ok/diverged flags and
 * allocated strings in the page model) */

_Static_assert(sizeof(int) == sizeof(int32_t), "the status travels as an int32_t");

static int put_copy(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
	return v && !*dst ? WINIT_ERR_NOMEM : WINIT_OK;
}

static const char *status_get(const void *s, int page)
{
	if (page) {
		const struct winit_report_run *r = s;
		return r->ok ? "ok" : r->diverged ? "diverged" : "failed";
	}
	const struct winit_run_result *r = s;
	return r->status == WINIT_ERR_DIVERGED ? "diverged" : r->status ? "failed" : "ok";
}

/* "ok", "diverged", anything else (a later writer's word too) a failure. */
static int status_put(void *s, int page, const char *v)
{
	int ok = v && strcmp(v, "ok") == 0, diverged = v && strcmp(v, "diverged") == 0;
	if (page) {
		struct winit_report_run *r = s;
		r->ok = ok;
		r->diverged = diverged;
	} else {
		struct winit_run_result *r = s;
		r->status = ok ? WINIT_OK : diverged ? WINIT_ERR_DIVERGED : -1;
	}
	return WINIT_OK;
}

/* The failure's message: the engine's is written when the status is not WINIT_OK. */
static const char *error_get(const void *s, int page)
{
	if (page)
		return ((const struct winit_report_run *)s)->error;
	const struct winit_run_result *r = s;
	return r->status ? r->error : NULL;
}

static int error_put(void *s, int page, const char *v)
{
	if (page)
		return put_copy(&((struct winit_report_run *)s)->error, v);
	struct winit_run_result *r = s;
	snprintf(r->error, sizeof r->error, "%s", v ? v : "");
	return WINIT_OK;
}

/* The kernel sets of winit/kernels.h: the engine's result points to a static name. */
static const char *const kernel_sets[] = { "generic", "avx2", "avx512", NULL };

static const char *kernels_get(const void *s, int page)
{
	if (page)
		return ((const struct winit_report_run *)s)->kernels;
	const char *k = ((const struct winit_run_result *)s)->kernels;
	return k ? k : "";
}

/* The engine's result takes this process's copy of a known set's name, else "unknown"
 * (winit_results_run keeps the file's text as it is: resume gives that back). */
static int kernels_put(void *s, int page, const char *v)
{
	if (page)
		return put_copy(&((struct winit_report_run *)s)->kernels, v);
	struct winit_run_result *r = s;
	r->kernels = "unknown";
	for (size_t k = 0; v && kernel_sets[k]; k++)
		if (strcmp(v, kernel_sets[k]) == 0)
			r->kernels = kernel_sets[k];
	return WINIT_OK;
}

static const struct winit_field_text status_text = { status_get, status_put };
static const struct winit_field_text error_text = { error_get, error_put };
static const struct winit_field_text kernels_text = { kernels_get, kernels_put };

static const char *const status_choices[] = { "ok", "failed", "diverged", NULL };

#define TEXT WINIT_FIELD_TEXT
#define STATUS_BYTES (sizeof((struct winit_results_run *)0)->status - 1)
#define KERNELS_BYTES (sizeof((struct winit_results_run *)0)->kernels - 1)

/* The status is "ok", "failed" or "diverged" (a reader takes any string of at most 15
 * bytes, a later writer's word, as a failure); the error is there when it is not "ok". */
const struct winit_field winit_fields_status[] = {
	{ "status", "status", TEXT, RS_ALL, 0, 0, STATUS_BYTES, 0, status_choices,
	  BY_CODE(struct winit_run_result, status, status_text) },
	{ "error", NULL, TEXT, RS_OPTIONAL, 0, 0, 0, 0, NULL, BY(error_text) },
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
	{ "kernels", NULL, TEXT, RS_V2, WINIT_FIELD_NO_LUA, 0, KERNELS_BYTES, 0, kernel_sets, BY(kernels_text) },
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
	  offsetof(struct winit_report_run, target), NONE, NULL },
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

const char *winit_field_text(const struct winit_field *f, const void *s, int page)
{
	if (f->type == WINIT_FIELD_TEXT)
		return f->text->get(s, page);
	if (f->type != WINIT_FIELD_CHOICE || (page ? f->at_page : f->at) == NONE)
		return NULL;
	struct winit_field g = *f;
	g.at = page ? f->at_page : f->at;
	int64_t k = winit_field_int(&g, s), n = 0;
	while (f->choices[n])
		n++;
	return f->choices[k >= 0 && k < n ? k : 0];
}

int winit_field_put_text(const struct winit_field *f, void *s, int page, const char *v)
{
	if (f->type == WINIT_FIELD_TEXT)
		return f->text->put(s, page, v);
	int64_t k = 0;
	while (f->choices[k] && !(v && strcmp(v, f->choices[k]) == 0))
		k++;
	winit_field_put_int(f, s, page, f->choices[k] ? k : (int64_t)f->dflt);
	return WINIT_OK;
}

int winit_field_present(const struct winit_field *f, const void *s, int page)
{
	if (f->type == WINIT_FIELD_TEXT)
		return f->text->get(s, page) != NULL;
	ptrdiff_t when = page ? f->when_page : f->when;
	int32_t on = 1;
	if (when != NONE)
		memcpy(&on, (const char *)s + when, sizeof on);
	return on != 0;
}

int winit_field_missing(const struct winit_field *f, const void *s)
{
	if (f->type == WINIT_FIELD_TEXT)
		return 0;
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
