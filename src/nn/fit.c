/* src/nn/fit.c -- the training loop with Keras fit semantics (winit_trainer_fit,
 * winit_trainer_fit_val_hooks), evaluate and predict.
 *
 * fit(epochs, batch_size, validation_split): the validation rows are the tail of the
 * data in file order, split off before any shuffling; the training rows are reshuffled
 * every epoch; the last batch may be partial; a batch_size above the rows is one batch of
 * all of them (Keras).  Loss and accuracy are running means over the epoch's samples;
 * validation metrics are computed at each epoch's end (on the tail, or on separate
 * validation data).  Hooks (winit_fit_hooks) may set the learning rate before each step
 * or epoch and stop after an epoch.
 *
 * Diagnostics (diagnostics.c) are taken between steps, on the probe batch (and the
 * validation split's first rows) with scratch buffers of their own: the loop's numbers
 * are the same with them on or off.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winit/cancel.h>
#include <winit/data.h>
#include <winit/diagnostics.h>
#include <winit/theory.h>
#include <winit/train.h>

#include "core/clock.h"
#include "core/guard.h"
#include "theory/theory_internal.h"

/* Ask for the cache line at p.  GCC 12 deletes a loop of __builtin_prefetch once it is
 * inlined (the builtin touches no memory as far as its optimisers know): on x86 the
 * instruction is written out. */
static inline void prefetch_line(const char *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0"
	                 :
	                 : "m"(*p));
#else
	__builtin_prefetch(p, 0, 3);
#endif
}

/* Ask for the next batch's rows while this one computes: they are scattered over the
 * whole dataset, so each would otherwise be a cache miss when gathered. */
static void prefetch_rows(const struct winit_dataset *ds, const uint32_t *idx, int64_t n)
{
	const int64_t f = ds->n_features;
	for (int64_t i = 0; i < n; i++) {
		const char *row = ds->xf ? (const char *)(ds->xf + (size_t)idx[i] * (size_t)f) :
		                           (const char *)(ds->x + (size_t)idx[i] * (size_t)f);
		int64_t bytes = ds->xf ? f * (int64_t)sizeof(float) : f;
		for (int64_t j = 0; j < bytes; j += 64)
			prefetch_line(row + j);
	}
}

struct batch_buf {
	float *x;      /* (cap, n_inputs) */
	uint8_t *y;    /* (cap) */
	float *dz;     /* (cap, n_outputs) */
	uint32_t *idx; /* row indices */
};

static void batch_free(struct batch_buf *b)
{
	free(b->x);
	free(b->y);
	winit_guarded_free(b->dz);
	free(b->idx);
	memset(b, 0, sizeof *b);
}

static int batch_alloc(struct batch_buf *b, const struct winit_model *m, int64_t cap,
                       int64_t n_idx, struct winit_error *err)
{
	memset(b, 0, sizeof *b);
	size_t xs = (size_t)(cap * m->spec.n_inputs * 4 + 63) / 64 * 64;
	b->x = aligned_alloc(64, xs);
	b->y = malloc((size_t)cap);
	/* Guarded: the output activation's backward writes it (step_update checks it). */
	b->dz = winit_guarded_alloc(cap * winit_model_outputs(m));
	b->idx = malloc((size_t)(n_idx > 0 ? n_idx : 1) * sizeof(uint32_t));
	if (!b->x || !b->y || !b->dz || !b->idx) {
		batch_free(b);
		return winit_error_set(err, WINIT_ERR_NOMEM, "cannot allocate batch buffers");
	}
	return WINIT_OK;
}

/* The data's rows against the model's inputs; with labels, its classes against the
 * model's outputs too. */
static int check_data(const struct winit_model *m, const struct winit_dataset *ds, int with_labels,
                      struct winit_error *err)
{
	if (ds->n_features != m->spec.n_inputs)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "data has %lld features per sample but the model expects %lld inputs",
		                       (long long)ds->n_features, (long long)m->spec.n_inputs);
	if (with_labels && ds->n_classes != winit_model_outputs(m))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "data has %d classes but the model's last layer has %lld units",
		                       (int)ds->n_classes, (long long)winit_model_outputs(m));
	return WINIT_OK;
}

/* What evaluate and predict (`who`) do before their passes: the data and the rows
 * [begin, end) checked, the batch size settled (<= 0: the default; above the rows: one
 * batch of all of them, as fit does) and the buffers for it allocated. */
static int pass_prepare(struct winit_model *m, const struct winit_dataset *ds, int with_labels,
                        int64_t begin, int64_t end, int32_t *batch_size, struct batch_buf *b,
                        const char *who, struct winit_error *err)
{
	memset(b, 0, sizeof *b);
	int rc = check_data(m, ds, with_labels, err);
	if (rc)
		return rc;
	if (begin < 0 || end > ds->n || begin >= end)
		return winit_error_set(err, WINIT_ERR_ARG, "%s: empty or invalid range [%lld, %lld) of %lld samples",
		                       who, (long long)begin, (long long)end, (long long)ds->n);
	if (*batch_size <= 0)
		*batch_size = WINIT_EVAL_BATCH_DEFAULT;
	if (*batch_size > end - begin)
		*batch_size = (int32_t)(end - begin);
	if ((rc = batch_alloc(b, m, *batch_size, *batch_size, err)) ||
	    (rc = winit_model_reserve(m, *batch_size, err)))
		batch_free(b);
	return rc;
}

/* Rows [s, s + n) of ds into the batch (labels too when y is wanted). */
static void gather_rows(struct batch_buf *b, const struct winit_dataset *ds, int64_t s, int64_t n,
                        int with_labels)
{
	for (int64_t i = 0; i < n; i++)
		b->idx[i] = (uint32_t)(s + i);
	winit_dataset_gather(b->x, with_labels ? b->y : NULL, ds, b->idx, n);
}

int winit_evaluate(struct winit_model *m, const struct winit_dataset *ds, int64_t begin,
                   int64_t end, int32_t batch_size, double *loss, double *accuracy,
                   struct winit_error *err)
{
	struct batch_buf b;
	int rc = pass_prepare(m, ds, 1, begin, end, &batch_size, &b, "evaluate", err);
	if (rc)
		return rc;
	double total = 0;
	int64_t hits = 0;
	for (int64_t s = begin; s < end; s += batch_size) {
		int64_t n = end - s < batch_size ? end - s : batch_size;
		gather_rows(&b, ds, s, n, 1);
		winit_model_forward_train(m, b.x, n);
		int64_t c = 0;
		total += winit_model_loss(m, b.y, n, NULL, 0, &c);
		hits += c;
	}
	batch_free(&b);
	if ((rc = winit_model_fault(m, err)))
		return rc;
	*loss = total / (double)(end - begin);
	*accuracy = (double)hits / (double)(end - begin);
	return WINIT_OK;
}

int winit_predict(struct winit_model *m, const struct winit_dataset *ds, int64_t begin,
                  int64_t end, int32_t batch_size, float *out, struct winit_error *err)
{
	struct batch_buf b;
	int rc = pass_prepare(m, ds, 0, begin, end, &batch_size, &b, "predict", err);
	if (rc)
		return rc;
	int64_t c = winit_model_outputs(m);
	for (int64_t s = begin; s < end; s += batch_size) {
		int64_t n = end - s < batch_size ? end - s : batch_size;
		gather_rows(&b, ds, s, n, 0);
		const float *y = winit_model_forward(m, b.x, n);
		memcpy(out + (s - begin) * c, y, (size_t)(n * c) * sizeof(float));
	}
	batch_free(&b);
	return winit_model_fault(m, err);
}

int64_t winit_fit_train_rows(int64_t n, double validation_split)
{
	return (int64_t)floor((double)n * (1.0 - validation_split));
}

struct winit_fit_spec winit_fit_default(void)
{
	struct winit_fit_spec f = {
		.epochs = 1,
		.batch_size = 32,
		.validation_split = 0,
		.shuffle = 1,
		.eval_batch_size = WINIT_EVAL_BATCH_DEFAULT,
		.diagnostics = { .init = 1, .early = 1, .epochs = 1 },
	};
	return f;
}

/* The team timing trial (below), an observer of the step. */
struct team_trial {
	struct winit_team *team; /* the model's while it is on trial; NULL: nothing to decide */
	int64_t step;            /* steps seen by the trial */
	double with, without;    /* seconds of the timed steps */
	double t0;               /* when the current step began */
};

/* Diagnostics (below), an observer of the step. */
struct diag_watch {
	struct winit_diag_probe *probe; /* NULL: this fit takes no snapshot */
	int snap;                       /* a snapshot is due after the current step */
};

/* One fit: what `fit_prepare` sets up and every epoch and step reads.  The fit reads top
 * to bottom in winit_trainer_fit_val_hooks: check, prepare, then per epoch (fit_epoch:
 * the steps, then the end of the epoch), then fit_finish. */
struct fit {
	struct winit_trainer *t;
	struct winit_model *m;
	const struct winit_dataset *ds; /* training rows [0, n_train) */
	const struct winit_fit_spec *spec;
	const struct winit_fit_hooks *hooks;      /* may be NULL */
	const struct winit_observer *obs;         /* may be NULL */
	const struct winit_lr_schedule *schedule; /* the hooks', else the optimizer's; NULL: none */
	size_t run;
	struct winit_history *history;   /* may be NULL */
	const struct winit_dataset *vds; /* validation rows [v_begin, vds->n): n_val of them */
	int64_t v_begin, n_val;
	int64_t n_train, bs, steps; /* training rows, batch size, steps per epoch */
	struct batch_buf b;         /* b.idx: this epoch's order of the training rows */
	struct winit_param_update update;
	/* The step's observers: they never change a number. */
	struct team_trial trial;
	struct diag_watch diag;
	/* The spec's early stopping, when enabled. */
	struct winit_early_stopper early;
	int has_early;
	/* The current epoch's running sums. */
	double loss_sum;
	int64_t hits, seen;
};

/* ---- The team timing trial: an observer of the step ----
 *
 * Whether the model's team pays, decided by timing the training steps: the numbers are
 * the same with and without it (winit/team.h), only the speed differs, and where moving
 * cache lines between cores is slow (some virtual machines) splitting a small step costs
 * more than it saves.  After TRIAL_WARM steps on the team, TRIAL_STEPS are timed on it and
 * TRIAL_STEPS without it; the faster way trains the rest of the run, and the verdict stays
 * with the trainer (t->team_verdict) for its later fits and evaluations. */
enum { TRIAL_WARM = 16,
       TRIAL_STEPS = 32 };

static void trial_start(struct team_trial *tt, struct winit_trainer *t)
{
	memset(tt, 0, sizeof *tt);
	if (t->team_verdict == WINIT_TEAM_UNTRIED && winit_team_size(t->model.team) > 1)
		tt->team = t->model.team;
	if (t->team_verdict == WINIT_TEAM_DROPPED)
		t->model.team = NULL;
}

static void trial_before_step(struct team_trial *tt)
{
	if (tt->team)
		tt->t0 = winit_clock_seconds();
}

/* After the step's computation (forward, loss, backward and update). */
static void trial_after_step(struct team_trial *tt, struct winit_trainer *t)
{
	if (!tt->team)
		return;
	double seconds = winit_clock_seconds() - tt->t0;
	int64_t s = tt->step++;
	if (s >= TRIAL_WARM + TRIAL_STEPS)
		tt->without += seconds;
	else if (s >= TRIAL_WARM)
		tt->with += seconds;
	if (s + 1 == TRIAL_WARM + TRIAL_STEPS)
		t->model.team = NULL;
	if (s + 1 == TRIAL_WARM + 2 * TRIAL_STEPS) {
		t->team_verdict = tt->with < tt->without ? WINIT_TEAM_KEPT : WINIT_TEAM_DROPPED;
		t->model.team = t->team_verdict == WINIT_TEAM_KEPT ? tt->team : NULL;
		tt->team = NULL;
	}
}

/* A trial cut short (a short fit, an error): the model keeps its team and the next fit
 * tries again. */
static void trial_end(struct team_trial *tt, struct winit_trainer *t)
{
	if (tt->team)
		t->model.team = tt->team;
}

/* ---- Diagnostics and theory: observers of the fit's start and of the step ---- */

/* The probe batch, when this fit takes any snapshot; the snapshot at initialization (the
 * first fit's, before any step) and the theory anchored at it. */
static int diag_start(struct fit *f, struct winit_error *err)
{
	struct winit_trainer *t = f->t;
	const struct winit_diag_cadence *cad = &f->spec->diagnostics;
	int init_due = cad->init && t->steps == 0 && !t->theory.computed;
	if (!init_due && !(cad->early && t->steps < WINIT_DIAG_EARLY_MAX) &&
	    !(cad->epochs && f->spec->epochs > f->spec->initial_epoch))
		return WINIT_OK;
	struct winit_diag_probe *probe = malloc(sizeof *probe);
	if (!probe)
		return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the probe");
	int rc = winit_diag_probe_init(probe, f->m, f->ds, f->n_train, t->seed, err);
	if (rc) {
		free(probe);
		return rc;
	}
	f->diag.probe = probe;
	if (f->n_val > 0 && (rc = winit_diag_probe_validation(probe, f->vds, f->v_begin, f->vds->n, err)))
		return rc;
	if (!init_due)
		return WINIT_OK;
	if ((rc = winit_diag_snapshot(&t->diag, probe, f->m, 0, 0, err)))
		return rc;
	const struct winit_diag_snapshot *s0 = &t->diag.snaps[t->diag.n - 1];
	return winit_theory_predict_checked(&t->theory, &f->m->spec, probe->input_m2,
	                                    probe->input_mean, s0->layers[s0->n_layers - 1].grad_var,
	                                    err);
}

/* Before step s (0-based) of the epoch: whether a snapshot follows it, and if so the
 * weights it starts from. */
static void diag_before_step(struct fit *f, int64_t s)
{
	struct diag_watch *dw = &f->diag;
	int last = s + 1 == f->steps;
	dw->snap = dw->probe && winit_diag_due(&f->spec->diagnostics, f->t->steps + 1, last);
	if (!dw->snap)
		return;
	winit_diag_probe_keep_weights(dw->probe, f->m);
	/* At the epoch's last step the epoch's validation pass measures them all. */
	dw->probe->val_later = last && f->n_val > 0;
}

static int diag_after_step(struct fit *f, int32_t epoch, struct winit_error *err)
{
	if (!f->diag.snap)
		return WINIT_OK;
	return winit_diag_snapshot(&f->t->diag, f->diag.probe, f->m, f->t->steps, epoch, err);
}

/* The epoch-end snapshot (weights unchanged since) gets the epoch's full validation pass. */
static void diag_lend_validation(struct fit *f, const struct winit_epoch_stats *st)
{
	struct winit_diagnostics *d = &f->t->diag;
	struct winit_diag_snapshot *last = d->n ? &d->snaps[d->n - 1] : NULL;
	if (f->diag.probe && last && last->step == f->t->steps && last->epoch == st->epoch &&
	    last->val_rows == 0) {
		last->val_rows = f->n_val;
		last->val_loss = st->val_loss;
		last->val_accuracy = st->val_accuracy;
	}
}

static void diag_end(struct diag_watch *dw)
{
	if (dw->probe) {
		winit_diag_probe_free(dw->probe);
		free(dw->probe);
		dw->probe = NULL;
	}
}

/* ---- Check and prepare ---- */

static int fit_check(struct winit_trainer *t, const struct winit_dataset *ds,
                     const struct winit_dataset *val, const struct winit_fit_spec *fit,
                     const struct winit_fit_hooks *hooks, struct winit_error *err)
{
	int rc = check_data(&t->model, ds, 1, err);
	if (rc || (val && (rc = check_data(&t->model, val, 1, err))))
		return rc;
	if (val && fit->validation_split > 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: give validation data or validation_split, not both");
	if (fit->initial_epoch < 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: initial_epoch must be >= 0 (got %d)",
		                       (int)fit->initial_epoch);
	if (hooks && hooks->schedule && (rc = winit_lr_schedule_check(hooks->schedule, err)))
		return rc;
	if (t->opt.spec.schedule.kind != WINIT_LR_CONSTANT &&
	    (rc = winit_lr_schedule_check(&t->opt.spec.schedule, err)))
		return rc;
	if ((rc = winit_early_stopping_check(&fit->early_stopping, err)))
		return rc;
	if (fit->epochs < 0 || fit->batch_size <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: epochs must be >= 0 and batch_size > 0 (got %d, %d)",
		                       (int)fit->epochs, (int)fit->batch_size);
	if (!(fit->validation_split >= 0 && fit->validation_split < 1))
		return winit_error_set(err, WINIT_ERR_ARG, "fit: validation_split must be in [0, 1) (got %g)",
		                       fit->validation_split);
	/* Keras: split_at = int(n * (1 - validation_split)); the tail is validation. */
	if (winit_fit_train_rows(ds->n, fit->validation_split) <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: no training samples left after validation_split %g of %lld",
		                       fit->validation_split, (long long)ds->n);
	return WINIT_OK;
}

/* The trainer's optimizer on a block of parameters (winit_param_update). */
static void optimizer_update(void *ctx, int64_t off, int64_t rows, int64_t cols, int64_t stride,
                             float lr_mult)
{
	struct winit_trainer *t = ctx;
	winit_optimizer_apply(&t->opt, t->model.params, t->model.grads, off, rows, cols, stride,
	                      lr_mult);
}

/* The rows split, the data-aware initializers run, the buffers allocated, the observers
 * started.  f holds the fit's arguments; on failure fit_finish still frees what was made. */
static int fit_prepare(struct fit *f, const struct winit_dataset *val, struct winit_error *err)
{
	f->n_train = winit_fit_train_rows(f->ds->n, f->spec->validation_split);
	/* Validation: all of val, or the tail of ds. */
	f->vds = val ? val : f->ds;
	f->v_begin = val ? 0 : f->n_train;
	f->n_val = f->vds->n - f->v_begin;
	/* Data-aware initializers see a batch of the training rows (never validation). */
	int rc = winit_trainer_adapt(f->t, f->ds, f->n_train, err);
	if (rc)
		return rc;
	/* Keras: a batch_size above the training rows makes one batch of all of them (the
	 * same numbers as batch_size = n_train); clamped so buffers fit the data. */
	f->bs = f->spec->batch_size < f->n_train ? f->spec->batch_size : f->n_train;
	f->steps = (f->n_train + f->bs - 1) / f->bs;
	if ((rc = batch_alloc(&f->b, f->m, f->bs, f->n_train, err)) ||
	    (rc = winit_model_reserve(f->m, f->bs, err)))
		return rc;
	for (int64_t i = 0; i < f->n_train; i++)
		f->b.idx[i] = (uint32_t)i;
	f->update = (struct winit_param_update){ optimizer_update, f->t };
	if (f->hooks && f->hooks->schedule)
		f->schedule = f->hooks->schedule;
	else if (f->t->opt.spec.schedule.kind != WINIT_LR_CONSTANT)
		f->schedule = &f->t->opt.spec.schedule;
	if (f->spec->early_stopping.enabled) {
		if ((rc = winit_early_stopper_init(&f->early, &f->spec->early_stopping, f->m->n_params,
		                                   NULL, err)))
			return rc;
		f->has_early = 1;
	}
	trial_start(&f->trial, f->t);
	memset(&f->t->diverged, 0, sizeof f->t->diverged);
	return diag_start(f, err);
}

/* ---- The step ---- */

static int diverged(struct winit_trainer *t, struct winit_error *err, int32_t epoch,
                    int64_t step, const char *what)
{
	struct winit_divergence *d = &t->diverged;
	d->epoch = epoch;
	d->step = step;
	if (d->has_last)
		return winit_error_set(err, WINIT_ERR_DIVERGED,
		                       "training diverged in epoch %d, step %lld: %s (last finite: loss %.4g, accuracy %.4f)",
		                       (int)epoch, (long long)step, what, d->last_loss, d->last_accuracy);
	return winit_error_set(err, WINIT_ERR_DIVERGED, "training diverged in epoch %d, step %lld: %s",
	                       (int)epoch, (long long)step, what);
}

/* Step s's rows into the batch (n of them), and a request for the next step's. */
static int64_t step_gather(struct fit *f, int64_t s)
{
	int64_t off = s * f->bs;
	int64_t n = f->n_train - off < f->bs ? f->n_train - off : f->bs;
	winit_dataset_gather(f->b.x, f->b.y, f->ds, f->b.idx + off, n);
	if (s + 1 < f->steps) {
		int64_t rest = f->n_train - off - n;
		prefetch_rows(f->ds, f->b.idx + off + n, rest < f->bs ? rest : f->bs);
	}
	return n;
}

/* The batch's loss (summed, not averaged) into the epoch's running means, and the loss
 * gradient into b.dz; a loss that is not finite stops the fit. */
static int step_loss(struct fit *f, int32_t epoch, int64_t s, int64_t n, struct winit_error *err)
{
	winit_model_forward_train(f->m, f->b.x, n);
	int rc = winit_model_fault(f->m, err);
	if (rc)
		return rc;
	int64_t c = 0;
	double loss = winit_model_loss(f->m, f->b.y, n, f->b.dz, 1.0f / (float)n, &c);
	if (!isfinite(loss))
		return diverged(f->t, err, epoch, s + 1,
		                isnan(loss) ? "the batch loss is NaN" : "the batch loss is infinite");
	f->loss_sum += loss;
	f->hits += c;
	f->seen += n;
	struct winit_divergence *d = &f->t->diverged;
	d->has_last = 1;
	d->last_loss = f->loss_sum / (double)f->seen;
	d->last_accuracy = (double)f->hits / (double)f->seen;
	return WINIT_OK;
}

/* The backward pass, with the optimizer's step inside it: on each block of parameters as
 * soon as its gradient is final. */
static int step_update(struct fit *f, int64_t n, struct winit_error *err)
{
	struct winit_trainer *t = f->t;
	if (f->schedule)
		t->opt.spec.learning_rate = winit_lr_schedule_at(f->schedule, t->opt.t);
	winit_optimizer_begin(&t->opt);
	winit_model_backward_update(f->m, f->b.x, f->b.dz, n, &f->update);
	t->steps++;
	/* b.dz, past the loss, is written only by the output activation's backward (when it
	 * is not fused into the loss); the model's own buffers were checked by the pass. */
	struct winit_guard_hit hit;
	if (winit_guard_check(f->b.dz, &hit)) {
		const int last = f->m->spec.n_layers - 1;
		char where[96];
		winit_guard_describe(&hit, where, sizeof where);
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "layer %d: activation '%s' wrote outside its buffers in its "
		                       "backward: %s of the output gradient; backward must write only "
		                       "its rows * cols values",
		                       last + 1, f->m->layer[last].act->info.name, where);
	}
	return winit_model_fault(f->m, err);
}

/* After the step: its observers (the team trial, diagnostics, the caller's observer). */
static int step_observe(struct fit *f, int32_t epoch, int64_t s, struct winit_error *err)
{
	trial_after_step(&f->trial, f->t);
	int rc = diag_after_step(f, epoch, err);
	if (rc)
		return rc;
	if (f->obs && f->obs->batch_end)
		f->obs->batch_end(f->obs->ctx, f->run, epoch, s + 1, f->steps,
		                  f->loss_sum / (double)f->seen, (double)f->hits / (double)f->seen);
	return WINIT_OK;
}

/* Step s (0-based) of epoch `epoch`: stop if asked, gather, forward and loss, backward
 * and update, observe. */
static int fit_step(struct fit *f, int32_t epoch, int64_t s, struct winit_error *err)
{
	if (winit_cancelled())
		return winit_error_set(err, WINIT_ERR_CANCELLED, "training interrupted in epoch %d, step %lld",
		                       (int)epoch, (long long)s + 1);
	diag_before_step(f, s);
	int64_t n = step_gather(f, s);
	trial_before_step(&f->trial);
	/* The step's two passes train (Dropout drops, by the run's step count); every other
	 * pass is inference. */
	f->m->training = WINIT_PASS_TRAIN;
	f->m->step = f->t->steps;
	int rc = step_loss(f, epoch, s, n, err);
	if (!rc)
		rc = step_update(f, n, err);
	f->m->training = WINIT_PASS_INFERENCE;
	return rc ? rc : step_observe(f, epoch, s, err);
}

/* ---- The end of an epoch ---- */

/* Index of the first non-finite value of p (n), or -1. */
static int64_t first_non_finite(const float *p, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return i;
	return -1;
}

/* The parameters after the epoch's last step: a value that is not finite stops the fit. */
static int check_params(struct fit *f, int32_t epoch, struct winit_error *err)
{
	const struct winit_model *m = f->m;
	int64_t bad = first_non_finite(m->params, m->n_params);
	if (bad < 0)
		return WINIT_OK;
	char what[160];
	snprintf(what, sizeof what, "parameter %lld of %lld is %s after the epoch's last step",
	         (long long)bad, (long long)m->n_params, isnan(m->params[bad]) ? "NaN" : "infinite");
	f->t->diverged.in_params = 1;
	return diverged(f->t, err, epoch, f->steps, what);
}

/* The epoch's statistics (validation included), then the history, the observer, the
 * hooks and the early stopping see them; a hook or the early stopping may ask to stop. */
static int end_of_epoch(struct fit *f, int32_t epoch, double t0, int *stop, struct winit_error *err)
{
	int rc = check_params(f, epoch, err);
	if (rc)
		return rc;
	struct winit_epoch_stats st = {
		.epoch = epoch,
		.epochs = f->spec->epochs,
		.loss = f->loss_sum / (double)f->seen,
		.accuracy = (double)f->hits / (double)f->seen,
	};
	if (f->n_val > 0) {
		if ((rc = winit_evaluate(f->m, f->vds, f->v_begin, f->vds->n, f->spec->eval_batch_size,
		                         &st.val_loss, &st.val_accuracy, err)))
			return rc;
		st.has_val = 1;
		diag_lend_validation(f, &st);
	}
	st.seconds = winit_clock_seconds() - t0;
	if (f->history && (rc = winit_history_append(f->history, &st, err)))
		return rc;
	if (f->obs && f->obs->epoch_end)
		f->obs->epoch_end(f->obs->ctx, f->run, &st);
	if (f->hooks && f->hooks->epoch_end && (rc = f->hooks->epoch_end(f->hooks->ctx, &st, stop, err)))
		return rc;
	if (f->has_early)
		return winit_early_stopper_epoch_end(&f->early, &st, f->m->params, stop, err);
	return WINIT_OK;
}

/* ---- The epoch ---- */

static int fit_epoch(struct fit *f, int32_t epoch, int *stop, struct winit_error *err)
{
	double t0 = winit_clock_seconds();
	struct winit_trainer *t = f->t;
	int rc;
	if (f->hooks && f->hooks->epoch_begin &&
	    (rc = f->hooks->epoch_begin(f->hooks->ctx, epoch, &t->opt.spec.learning_rate, err)))
		return rc;
	if (f->spec->shuffle)
		winit_rng_shuffle_u32(&t->shuffle, f->b.idx, (uint32_t)f->n_train);
	f->loss_sum = 0;
	f->hits = f->seen = 0;
	for (int64_t s = 0; s < f->steps; s++)
		if ((rc = fit_step(f, epoch, s, err)))
			return rc;
	return end_of_epoch(f, epoch, t0, stop, err);
}

static void fit_finish(struct fit *f)
{
	trial_end(&f->trial, f->t);
	diag_end(&f->diag);
	batch_free(&f->b);
	if (f->has_early)
		winit_early_stopper_free(&f->early);
}

int winit_trainer_fit(struct winit_trainer *t, const struct winit_dataset *ds,
                      const struct winit_fit_spec *fit, const struct winit_observer *obs,
                      size_t run, struct winit_history *history, struct winit_error *err)
{
	return winit_trainer_fit_val_hooks(t, ds, NULL, fit, NULL, obs, run, history, err);
}

int winit_trainer_fit_val_hooks(struct winit_trainer *t, const struct winit_dataset *ds,
                                const struct winit_dataset *val, const struct winit_fit_spec *fit,
                                const struct winit_fit_hooks *hooks,
                                const struct winit_observer *obs, size_t run,
                                struct winit_history *history, struct winit_error *err)
{
	int rc = fit_check(t, ds, val, fit, hooks, err);
	if (rc)
		return rc;
	struct fit f = {
		.t = t,
		.m = &t->model,
		.ds = ds,
		.spec = fit,
		.hooks = hooks,
		.obs = obs,
		.run = run,
		.history = history,
	};
	rc = fit_prepare(&f, val, err);
	int stop = 0;
	for (int32_t e = fit->initial_epoch + 1; !rc && !stop && e <= fit->epochs; e++)
		rc = fit_epoch(&f, e, &stop, err);
	fit_finish(&f);
	return rc;
}

int winit_trainer_fit_with(struct winit_trainer *t, const struct winit_dataset *ds,
                           const struct winit_dataset *val, const struct winit_fit_spec *fit,
                           const struct winit_fit_hooks *hooks, const struct winit_observer *obs,
                           size_t run, struct winit_history *history, struct winit_error *err)
{
	return winit_trainer_fit_val_hooks(t, ds, val, fit, hooks, obs, run, history, err);
}
