/* src/nn/early_stopping.c -- Keras's EarlyStopping (winit/train.h): the monitored
 * statistics by name, and the rule itself, run by fit for a run's
 * winit_fit_spec.early_stopping and by the Lua callback winit.callbacks.EarlyStopping
 * through the trainer's hooks. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/train.h>

static const char *const monitors[] = { "loss", "accuracy", "val_loss", "val_accuracy" };
static const char *const modes[] = { "auto", "min", "max" };

#define COUNT(a) ((int32_t)(sizeof(a) / sizeof((a)[0])))

/* Entry k of names (n entries), or NULL; the index of name among them, or -1. */
static const char *name_at(const char *const *names, int32_t n, int32_t k)
{
	return k >= 0 && k < n ? names[k] : NULL;
}

static int32_t index_of(const char *const *names, int32_t n, const char *name)
{
	for (int32_t k = 0; name && k < n; k++)
		if (strcmp(name, names[k]) == 0)
			return k;
	return -1;
}

const char *winit_monitor_name(int32_t monitor)
{
	return name_at(monitors, COUNT(monitors), monitor);
}

int32_t winit_monitor_parse(const char *name)
{
	return index_of(monitors, COUNT(monitors), name);
}

double winit_monitor_value(const struct winit_epoch_stats *st, int32_t monitor)
{
	switch (monitor) {
	case WINIT_MONITOR_LOSS:
		return st->loss;
	case WINIT_MONITOR_ACCURACY:
		return st->accuracy;
	case WINIT_MONITOR_VAL_LOSS:
		return st->val_loss;
	default:
		return st->val_accuracy;
	}
}

const char *winit_monitor_mode_name(int32_t mode)
{
	return name_at(modes, COUNT(modes), mode);
}

int32_t winit_monitor_mode_parse(const char *name)
{
	return index_of(modes, COUNT(modes), name);
}

struct winit_early_stopping winit_early_stopping_default(void)
{
	struct winit_early_stopping e = {
		.enabled = 1,
		.monitor = WINIT_MONITOR_VAL_LOSS,
		.mode = WINIT_MODE_AUTO,
	};
	return e;
}

int winit_early_stopping_check(const struct winit_early_stopping *e, struct winit_error *err)
{
	if (!e->enabled)
		return WINIT_OK;
	if (!winit_monitor_name(e->monitor))
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: monitor must be one of loss, accuracy, val_loss, val_accuracy (got %d)",
		                       (int)e->monitor);
	if (!winit_monitor_mode_name(e->mode))
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: mode must be \"auto\", \"min\" or \"max\" (got %d)",
		                       (int)e->mode);
	if (!isfinite(e->min_delta))
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: min_delta must be a finite number (got %g)",
		                       e->min_delta);
	if (e->patience < 0)
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: patience must be >= 0 (got %d)",
		                       (int)e->patience);
	if (e->has_baseline && !isfinite(e->baseline))
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: baseline must be a finite number (got %g)",
		                       e->baseline);
	return WINIT_OK;
}

int winit_early_stopper_init(struct winit_early_stopper *s, const struct winit_early_stopping *e,
                             int64_t n_params, float *buffer, struct winit_error *err)
{
	memset(s, 0, sizeof *s);
	int rc = winit_early_stopping_check(e, err);
	if (rc)
		return rc;
	s->spec = *e;
	s->spec.min_delta = fabs(e->min_delta); /* Keras uses its absolute value */
	s->maximize = e->mode == WINIT_MODE_AUTO ? e->monitor % 2 == 1 : e->mode == WINIT_MODE_MAX;
	s->best = s->maximize ? -INFINITY : INFINITY;
	s->n_params = n_params;
	if (!e->restore_best_weights)
		return WINIT_OK;
	s->best_weights = buffer;
	if (!buffer) {
		s->best_weights = malloc((size_t)(n_params > 0 ? n_params : 1) * sizeof(float));
		if (!s->best_weights)
			return winit_error_set(err, WINIT_ERR_NOMEM, "EarlyStopping: no memory for the best weights");
		s->owns_weights = 1;
	}
	return WINIT_OK;
}

/* Whether v improves on ref by more than min_delta (Keras's _is_improvement). */
static int improves(const struct winit_early_stopper *s, double v, double ref)
{
	return s->maximize ? v - s->spec.min_delta > ref : v + s->spec.min_delta < ref;
}

int winit_early_stopper_epoch_end(struct winit_early_stopper *s, const struct winit_epoch_stats *st,
                                  float *params, int *stop, struct winit_error *err)
{
	const struct winit_early_stopping *e = &s->spec;
	if (e->monitor >= WINIT_MONITOR_VAL_LOSS && !st->has_val)
		return winit_error_set(err, WINIT_ERR_ARG, "EarlyStopping: monitor '%s' is not available: this fit has no validation (give validation_split or validation_data, or monitor loss or accuracy)",
		                       winit_monitor_name(e->monitor));
	double v = winit_monitor_value(st, e->monitor);
	size_t bytes = (size_t)s->n_params * sizeof(float);
	s->wait++;
	if (improves(s, v, s->best)) {
		s->best = v;
		s->best_epoch = st->epoch;
		if (s->best_weights)
			memcpy(s->best_weights, params, bytes);
		s->have_best = 1;
		/* Only restart wait if it beats both the baseline and the best (Keras). */
		if (!e->has_baseline || improves(s, v, e->baseline))
			s->wait = 0;
	}
	if (s->wait >= e->patience && st->epoch > 1) {
		*stop = 1;
		s->stopped_epoch = st->epoch;
		if (s->best_weights && s->have_best)
			memcpy(params, s->best_weights, bytes);
	}
	return WINIT_OK;
}

void winit_early_stopper_free(struct winit_early_stopper *s)
{
	if (s->owns_weights)
		free(s->best_weights);
	memset(s, 0, sizeof *s);
}
