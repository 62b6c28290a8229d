/* src/nn/trainer.c -- one training run's lifecycle (winit_trainer): the model, its
 * optimizer and the run's random streams, created, adapted and freed together.  The loop
 * itself is winit_trainer_fit in fit.c; the stream plan is winit/stream.h. */
#include "config.h"

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
