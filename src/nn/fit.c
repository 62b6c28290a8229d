/* src/nn/fit.c -- the training loop with Keras fit semantics (winit_trainer_fit),
 * evaluate and predict.
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

/* Ask for the cache line at p.  GCC 12 deletes a loop of __builtin_prefetch once it is
 * inlined (the builtin touches no memory as far as its optimisers know): on x86 the
 * instruction is written out. */
static inline void prefetch_line(const char *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m"(*p));
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
	free(b->dz);
	free(b->idx);
	memset(b, 0, sizeof *b);
}

static int batch_alloc(struct batch_buf *b, const struct winit_model *m, int64_t cap,
                       int64_t n_idx, struct winit_error *err)
{
	memset(b, 0, sizeof *b);
	size_t xs = (size_t)(cap * m->spec.n_inputs * 4 + 63) / 64 * 64;
	size_t ds = (size_t)(cap * winit_model_outputs(m) * 4 + 63) / 64 * 64;
	b->x = aligned_alloc(64, xs);
	b->y = malloc((size_t)cap);
	b->dz = aligned_alloc(64, ds);
	b->idx = malloc((size_t)(n_idx > 0 ? n_idx : 1) * sizeof(uint32_t));
	if (!b->x || !b->y || !b->dz || !b->idx) {
		batch_free(b);
		return winit_error_set(err, WINIT_ERR_NOMEM, "cannot allocate batch buffers");
	}
	return WINIT_OK;
}

static int check_shapes(const struct winit_model *m, const struct winit_dataset *ds,
                        struct winit_error *err)
{
	if (ds->n_features != m->spec.n_inputs)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "data has %lld features per sample but the model expects %lld inputs",
		                       (long long)ds->n_features, (long long)m->spec.n_inputs);
	if (ds->n_classes != winit_model_outputs(m))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "data has %d classes but the model's last layer has %lld units",
		                       (int)ds->n_classes, (long long)winit_model_outputs(m));
	return WINIT_OK;
}

int winit_evaluate(struct winit_model *m, const struct winit_dataset *ds, int64_t begin,
                   int64_t end, int32_t batch_size, double *loss, double *accuracy,
                   struct winit_error *err)
{
	int rc = check_shapes(m, ds, err);
	if (rc)
		return rc;
	if (begin < 0 || end > ds->n || begin >= end)
		return winit_error_set(err, WINIT_ERR_ARG, "evaluate: empty or invalid range [%lld, %lld) of %lld samples",
		                       (long long)begin, (long long)end, (long long)ds->n);
	if (batch_size <= 0)
		batch_size = WINIT_EVAL_BATCH_DEFAULT;
	if (batch_size > end - begin) /* as fit does: one batch of all the rows */
		batch_size = (int32_t)(end - begin);
	struct batch_buf b;
	if ((rc = batch_alloc(&b, m, batch_size, batch_size, err)) ||
	    (rc = winit_model_reserve(m, batch_size, err))) {
		batch_free(&b);
		return rc;
	}
	double total = 0;
	int64_t hits = 0;
	for (int64_t s = begin; s < end; s += batch_size) {
		int64_t n = end - s < batch_size ? end - s : batch_size;
		for (int64_t i = 0; i < n; i++)
			b.idx[i] = (uint32_t)(s + i);
		winit_dataset_gather(b.x, b.y, ds, b.idx, n);
		winit_model_forward_train(m, b.x, n);
		int64_t c = 0;
		total += winit_model_loss(m, b.y, n, NULL, 0, &c);
		hits += c;
	}
	batch_free(&b);
	*loss = total / (double)(end - begin);
	*accuracy = (double)hits / (double)(end - begin);
	return WINIT_OK;
}

int winit_predict(struct winit_model *m, const struct winit_dataset *ds, int64_t begin,
                  int64_t end, int32_t batch_size, float *out, struct winit_error *err)
{
	if (ds->n_features != m->spec.n_inputs)
		return check_shapes(m, ds, err);
	if (begin < 0 || end > ds->n || begin >= end)
		return winit_error_set(err, WINIT_ERR_ARG, "predict: empty or invalid range [%lld, %lld) of %lld samples",
		                       (long long)begin, (long long)end, (long long)ds->n);
	if (batch_size <= 0)
		batch_size = WINIT_EVAL_BATCH_DEFAULT;
	if (batch_size > end - begin) /* as fit does: one batch of all the rows */
		batch_size = (int32_t)(end - begin);
	struct batch_buf b;
	int rc;
	if ((rc = batch_alloc(&b, m, batch_size, batch_size, err)) ||
	    (rc = winit_model_reserve(m, batch_size, err))) {
		batch_free(&b);
		return rc;
	}
	int64_t c = winit_model_outputs(m);
	for (int64_t s = begin; s < end; s += batch_size) {
		int64_t n = end - s < batch_size ? end - s : batch_size;
		for (int64_t i = 0; i < n; i++)
			b.idx[i] = (uint32_t)(s + i);
		winit_dataset_gather(b.x, NULL, ds, b.idx, n);
		const float *y = winit_model_forward(m, b.x, n);
		memcpy(out + (s - begin) * c, y, (size_t)(n * c) * sizeof(float));
	}
	batch_free(&b);
	return WINIT_OK;
}

int64_t winit_fit_train_rows(int64_t n, double validation_split)
{
	return (int64_t)floor((double)n * (1.0 - validation_split));
}

/* Index of the first non-finite value of p (n), or -1: the parameters after an epoch. */
static int64_t first_non_finite(const float *p, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return i;
	return -1;
}

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

/* Whether the model's team pays, decided by timing the training steps: the numbers are
 * the same with and without it (winit/team.h), only the speed differs, and where moving
 * cache lines between cores is slow (some virtual machines) splitting a small step costs
 * more than it saves.  After TRIAL_WARM steps on the team, TRIAL_STEPS are timed on it and
 * TRIAL_STEPS without it; the faster way trains the rest of the run, and the verdict stays
 * with the trainer (t->team_verdict) for its later fits and evaluations. */
enum { TRIAL_WARM = 16,
       TRIAL_STEPS = 32 };

struct team_trial {
	struct winit_team *team; /* the model's; NULL: nothing to decide */
	int64_t step;            /* steps seen by the trial */
	double with, without;    /* seconds of the timed steps */
};

static void trial_start(struct team_trial *tt, struct winit_trainer *t)
{
	tt->team = t->team_verdict == 0 && winit_team_size(t->model.team) > 1 ? t->model.team : NULL;
	tt->step = 0;
	tt->with = tt->without = 0;
	if (t->team_verdict < 0)
		t->model.team = NULL;
}

/* After a step that took `seconds` of computation. */
static void trial_step(struct team_trial *tt, struct winit_trainer *t, double seconds)
{
	if (!tt->team)
		return;
	int64_t s = tt->step++;
	if (s >= TRIAL_WARM + TRIAL_STEPS)
		tt->without += seconds;
	else if (s >= TRIAL_WARM)
		tt->with += seconds;
	if (s + 1 == TRIAL_WARM + TRIAL_STEPS)
		t->model.team = NULL;
	if (s + 1 == TRIAL_WARM + 2 * TRIAL_STEPS) {
		t->team_verdict = tt->with < tt->without ? 1 : -1;
		t->model.team = t->team_verdict > 0 ? tt->team : NULL;
		tt->team = NULL;
	}
}

/* The trainer's optimizer on a block of parameters (winit_param_update). */
static void optimizer_update(void *ctx, int64_t off, int64_t rows, int64_t cols, int64_t stride)
{
	struct winit_trainer *t = ctx;
	winit_optimizer_apply(&t->opt, t->model.params, t->model.grads, off, rows, cols, stride);
}

int winit_trainer_fit(struct winit_trainer *t, const struct winit_dataset *ds,
                      const struct winit_fit_spec *fit, const struct winit_observer *obs,
                      size_t run, struct winit_history *history, struct winit_error *err)
{
	return winit_trainer_fit_with(t, ds, NULL, fit, NULL, obs, run, history, err);
}

int winit_trainer_fit_with(struct winit_trainer *t, const struct winit_dataset *ds,
                           const struct winit_dataset *val, const struct winit_fit_spec *fit,
                           const struct winit_fit_hooks *hooks, const struct winit_observer *obs,
                           size_t run, struct winit_history *history, struct winit_error *err)
{
	struct winit_model *m = &t->model;
	int rc = check_shapes(m, ds, err);
	if (rc || (val && (rc = check_shapes(m, val, err))))
		return rc;
	if (val && fit->validation_split > 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: give validation data or validation_split, not both");
	if (fit->initial_epoch < 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: initial_epoch must be >= 0 (got %d)",
		                       (int)fit->initial_epoch);
	if (hooks && hooks->schedule && (rc = winit_lr_schedule_check(hooks->schedule, err)))
		return rc;
	if (fit->epochs < 0 || fit->batch_size <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: epochs must be >= 0 and batch_size > 0 (got %d, %d)",
		                       (int)fit->epochs, (int)fit->batch_size);
	if (!(fit->validation_split >= 0 && fit->validation_split < 1))
		return winit_error_set(err, WINIT_ERR_ARG, "fit: validation_split must be in [0, 1) (got %g)",
		                       fit->validation_split);
	/* Keras: split_at = int(n * (1 - validation_split)); the tail is validation. */
	int64_t n_train = winit_fit_train_rows(ds->n, fit->validation_split);
	/* Validation: all of val, or the tail of ds. */
	const struct winit_dataset *vds = val ? val : ds;
	int64_t v_begin = val ? 0 : n_train;
	int64_t n_val = vds->n - v_begin;
	if (n_train <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "fit: no training samples left after validation_split %g of %lld",
		                       fit->validation_split, (long long)ds->n);
	/* Data-aware initializers see a batch of the training rows (never validation). */
	if ((rc = winit_trainer_adapt(t, ds, n_train, err)))
		return rc;
	/* Keras: a batch_size above the training rows makes one batch of all of them (the
	 * same numbers as batch_size = n_train); clamped so buffers fit the data. */
	int64_t bs = fit->batch_size < n_train ? fit->batch_size : n_train;
	struct batch_buf b;
	if ((rc = batch_alloc(&b, m, bs, n_train, err)) || (rc = winit_model_reserve(m, bs, err))) {
		batch_free(&b);
		return rc;
	}
	for (int64_t i = 0; i < n_train; i++)
		b.idx[i] = (uint32_t)i;
	const struct winit_param_update update = { optimizer_update, t };
	struct team_trial trial;
	trial_start(&trial, t);
	int64_t steps = (n_train + bs - 1) / bs;
	memset(&t->diverged, 0, sizeof t->diverged);
	/* Diagnostics: a probe batch when this fit takes any snapshot. */
	const struct winit_diag_cadence *cad = &fit->diagnostics;
	int init_due = cad->init && t->steps == 0 && !t->theory.computed;
	struct winit_diag_probe *probe = NULL;
	if (init_due || (cad->early && t->steps < WINIT_DIAG_EARLY_MAX) ||
	    (cad->epochs && fit->epochs > fit->initial_epoch)) {
		probe = malloc(sizeof *probe);
		if (!probe) {
			rc = winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the probe");
			goto out;
		}
		if ((rc = winit_diag_probe_init(probe, m, ds, n_train, t->seed, err))) {
			free(probe);
			probe = NULL;
			goto out;
		}
		if (n_val > 0 && (rc = winit_diag_probe_validation(probe, vds, v_begin, vds->n, err)))
			goto out;
	}
	if (init_due) {
		if ((rc = winit_diag_snapshot(&t->diag, probe, m, 0, 0, err)))
			goto out;
		const struct winit_diag_snapshot *s0 = &t->diag.snaps[t->diag.n - 1];
		winit_theory_predict(&t->theory, &m->spec, probe->input_m2,
		                     s0->layers[s0->n_layers - 1].grad_var);
	}
	for (int32_t e = fit->initial_epoch + 1; e <= fit->epochs; e++) {
		double t0 = winit_clock_seconds();
		if (hooks && hooks->epoch_begin &&
		    (rc = hooks->epoch_begin(hooks->ctx, e, &t->opt.spec.learning_rate, err)))
			break;
		if (fit->shuffle)
			winit_rng_shuffle_u32(&t->shuffle, b.idx, (uint32_t)n_train);
		double loss_sum = 0;
		int64_t hits = 0, seen = 0;
		for (int64_t s = 0; s < steps; s++) {
			if (winit_cancelled()) {
				rc = winit_error_set(err, WINIT_ERR_CANCELLED, "training interrupted in epoch %d, step %lld",
				                     (int)e, (long long)s + 1);
				goto out;
			}
			int snap = probe && winit_diag_due(cad, t->steps + 1, s + 1 == steps);
			if (snap) {
				winit_diag_probe_keep_weights(probe, m);
				/* At the epoch's last step the epoch's validation pass measures them all. */
				probe->val_later = s + 1 == steps && n_val > 0;
			}
			int64_t off = s * bs;
			int64_t n = n_train - off < bs ? n_train - off : bs;
			winit_dataset_gather(b.x, b.y, ds, b.idx + off, n);
			if (s + 1 < steps)
				prefetch_rows(ds, b.idx + off + n,
				              n_train - off - n < bs ? n_train - off - n : bs);
			double t_step = trial.team ? winit_clock_seconds() : 0;
			winit_model_forward_train(m, b.x, n);
			int64_t c = 0;
			double loss = winit_model_loss(m, b.y, n, b.dz, 1.0f / (float)n, &c);
			if (!isfinite(loss)) {
				rc = diverged(t, err, e, s + 1,
				              isnan(loss) ? "the batch loss is NaN" : "the batch loss is infinite");
				break;
			}
			loss_sum += loss;
			hits += c;
			seen += n;
			t->diverged.has_last = 1;
			t->diverged.last_loss = loss_sum / (double)seen;
			t->diverged.last_accuracy = (double)hits / (double)seen;
			/* The optimizer's step runs inside the backward pass, on each block of
			 * parameters as soon as its gradient is final. */
			if (hooks && hooks->schedule)
				t->opt.spec.learning_rate = winit_lr_schedule_at(hooks->schedule, t->opt.t);
			winit_optimizer_begin(&t->opt);
			winit_model_backward_update(m, b.x, b.dz, n, &update);
			if (trial.team)
				trial_step(&trial, t, winit_clock_seconds() - t_step);
			t->steps++;
			if (snap && (rc = winit_diag_snapshot(&t->diag, probe, m, t->steps, e, err)))
				goto out;
			if (obs && obs->batch_end)
				obs->batch_end(obs->ctx, run, e, s + 1, steps, loss_sum / (double)seen,
				               (double)hits / (double)seen);
		}
		if (rc)
			break;
		int64_t bad = first_non_finite(m->params, m->n_params);
		if (bad >= 0) {
			char what[160];
			snprintf(what, sizeof what, "parameter %lld of %lld is %s after the epoch's last step",
			         (long long)bad, (long long)m->n_params, isnan(m->params[bad]) ? "NaN" : "infinite");
			t->diverged.in_params = 1;
			rc = diverged(t, err, e, steps, what);
			break;
		}
		struct winit_epoch_stats st = {
			.epoch = e,
			.epochs = fit->epochs,
			.loss = loss_sum / (double)seen,
			.accuracy = (double)hits / (double)seen,
		};
		if (n_val > 0) {
			rc = winit_evaluate(m, vds, v_begin, vds->n, fit->eval_batch_size, &st.val_loss,
			                    &st.val_accuracy, err);
			if (rc)
				break;
			st.has_val = 1;
			/* The epoch-end snapshot (weights unchanged since) gets this full pass. */
			struct winit_diag_snapshot *last = t->diag.n ? &t->diag.snaps[t->diag.n - 1] : NULL;
			if (probe && last && last->step == t->steps && last->epoch == e && last->val_rows == 0) {
				last->val_rows = n_val;
				last->val_loss = st.val_loss;
				last->val_accuracy = st.val_accuracy;
			}
		}
		st.seconds = winit_clock_seconds() - t0;
		if (history && (rc = winit_history_append(history, &st, err)))
			break;
		if (obs && obs->epoch_end)
			obs->epoch_end(obs->ctx, run, &st);
		int stop = 0;
		if (hooks && hooks->epoch_end && (rc = hooks->epoch_end(hooks->ctx, &st, &stop, err)))
			break;
		if (stop)
			break;
	}
out:
	/* A trial cut short (a short fit, an error): the next fit tries again. */
	if (trial.team)
		t->model.team = trial.team;
	if (probe) {
		winit_diag_probe_free(probe);
		free(probe);
	}
	batch_free(&b);
	return rc;
}
