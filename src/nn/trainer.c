/* src/nn/trainer.c -- one training run's lifecycle (winit_trainer): the model, its
 * optimizer and the run's random streams, created, adapted and freed together.  The loop
 * itself is winit_trainer_fit in fit.c; the stream plan is winit/stream.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/stream.h>
#include <winit/train.h>

int winit_trainer_init(struct winit_trainer *t, const struct winit_model_spec *model,
                       const struct winit_optimizer_spec *opt, uint64_t seed,
                       struct winit_error *err)
{
	memset(t, 0, sizeof *t);
	t->seed = seed;
	int rc = winit_model_init(&t->model, model, seed, err);
	if (rc)
		return rc;
	if ((rc = winit_optimizer_init(&t->opt, opt, t->model.n_params, err))) {
		winit_model_free(&t->model);
		return rc;
	}
	winit_stream_open(&t->shuffle, seed, WINIT_STREAM_SHUFFLE, 0);
	return WINIT_OK;
}

void winit_trainer_free(struct winit_trainer *t)
{
	winit_diagnostics_free(&t->diag);
	winit_theory_free(&t->theory);
	winit_optimizer_free(&t->opt);
	winit_model_free(&t->model);
	memset(t, 0, sizeof *t);
}

int winit_trainer_set_optimizer(struct winit_trainer *t, const struct winit_optimizer_spec *spec,
                                struct winit_error *err)
{
	struct winit_optimizer opt;
	int rc = winit_optimizer_init(&opt, spec, t->model.n_params, err);
	if (rc)
		return rc;
	winit_optimizer_free(&t->opt);
	t->opt = opt;
	return WINIT_OK;
}

int winit_trainer_adapt(struct winit_trainer *t, const struct winit_dataset *ds, int64_t n_rows,
                        struct winit_error *err)
{
	if (t->adapted)
		return WINIT_OK;
	int rc = winit_model_adapt(&t->model, ds, n_rows, t->seed, err);
	if (!rc)
		t->adapted = 1;
	return rc;
}

int winit_history_append(struct winit_history *h, const struct winit_epoch_stats *st,
                         struct winit_error *err)
{
	if (h->n == h->cap) {
		int32_t cap = h->cap ? 2 * h->cap : 8;
		void *p = realloc(h->epochs, (size_t)cap * sizeof *h->epochs);
		if (!p)
			return winit_error_set(err, WINIT_ERR_NOMEM, "cannot grow the history to %d epochs",
			                       (int)cap);
		h->epochs = p;
		h->cap = cap;
	}
	h->epochs[h->n++] = *st;
	return WINIT_OK;
}

void winit_history_free(struct winit_history *h)
{
	free(h->epochs);
	memset(h, 0, sizeof *h);
}

double winit_lr_schedule_at(const struct winit_lr_schedule *s, int64_t step)
{
	double p = (double)step / s->decay_steps;
	switch (s->kind) {
	case WINIT_LR_EXPONENTIAL_DECAY:
		return s->initial_learning_rate * pow(s->decay_rate, s->staircase ? floor(p) : p);
	case WINIT_LR_COSINE_DECAY: {
		double c = 0.5 * (1 + cos(3.14159265358979323846 * (p < 1 ? p : 1)));
		return s->initial_learning_rate * ((1 - s->alpha) * c + s->alpha);
	}
	default:
		return s->initial_learning_rate;
	}
}

int winit_lr_schedule_check(const struct winit_lr_schedule *s, struct winit_error *err)
{
	if (s->kind < WINIT_LR_CONSTANT || s->kind > WINIT_LR_COSINE_DECAY)
		return winit_error_set(err, WINIT_ERR_ARG, "learning-rate schedule: unknown kind %d",
		                       (int)s->kind);
	if (!(s->initial_learning_rate > 0 && isfinite(s->initial_learning_rate)))
		return winit_error_set(err, WINIT_ERR_ARG, "learning-rate schedule: initial_learning_rate must be > 0 (got %g)",
		                       s->initial_learning_rate);
	if (s->kind == WINIT_LR_CONSTANT)
		return WINIT_OK;
	if (!(s->decay_steps > 0 && isfinite(s->decay_steps)))
		return winit_error_set(err, WINIT_ERR_ARG, "learning-rate schedule: decay_steps must be > 0 (got %g)",
		                       s->decay_steps);
	if (s->kind == WINIT_LR_EXPONENTIAL_DECAY && !(s->decay_rate > 0 && isfinite(s->decay_rate)))
		return winit_error_set(err, WINIT_ERR_ARG, "learning-rate schedule: decay_rate must be > 0 (got %g)",
		                       s->decay_rate);
	if (s->kind == WINIT_LR_COSINE_DECAY && !(s->alpha >= 0 && s->alpha <= 1))
		return winit_error_set(err, WINIT_ERR_ARG, "learning-rate schedule: alpha must be in [0, 1] (got %g)",
		                       s->alpha);
	return WINIT_OK;
}
