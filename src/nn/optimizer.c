/* src/nn/optimizer.c -- Adam and SGD with Keras defaults and semantics. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/kernels.h>
#include <winit/train.h>

struct winit_optimizer_spec winit_optimizer_default(int32_t kind)
{
	struct winit_optimizer_spec s = { .kind = kind };
	if (kind == WINIT_OPT_SGD) {
		s.learning_rate = 0.01;
	} else {
		s.kind = WINIT_OPT_ADAM;
		s.learning_rate = 0.001;
		s.beta_1 = 0.9;
		s.beta_2 = 0.999;
		s.epsilon = 1e-7;
	}
	return s;
}

int winit_optimizer_init(struct winit_optimizer *opt, const struct winit_optimizer_spec *spec,
                         int64_t n_params, struct winit_error *err)
{
	memset(opt, 0, sizeof *opt);
	opt->spec = *spec;
	opt->n = n_params;
	if (spec->kind != WINIT_OPT_ADAM && spec->kind != WINIT_OPT_SGD)
		return winit_error_set(err, WINIT_ERR_ARG, "optimizer: unknown kind %d", (int)spec->kind);
	if (!(spec->learning_rate > 0))
		return winit_error_set(err, WINIT_ERR_ARG, "optimizer: learning_rate must be > 0 (got %g)",
		                       spec->learning_rate);
	if (spec->kind == WINIT_OPT_ADAM) {
		if (!(spec->beta_1 >= 0 && spec->beta_1 < 1) || !(spec->beta_2 >= 0 && spec->beta_2 < 1))
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "optimizer: Adam betas must be in [0, 1) (got %g, %g)",
			                       spec->beta_1, spec->beta_2);
		if (!(spec->epsilon > 0))
			return winit_error_set(err, WINIT_ERR_ARG, "optimizer: epsilon must be > 0 (got %g)",
			                       spec->epsilon);
		opt->v = calloc((size_t)n_params, sizeof(float));
	}
	if (spec->kind == WINIT_OPT_ADAM || spec->momentum != 0)
		opt->m = calloc((size_t)n_params, sizeof(float));
	if ((spec->kind == WINIT_OPT_ADAM && (!opt->m || !opt->v)) ||
	    (spec->kind == WINIT_OPT_SGD && spec->momentum != 0 && !opt->m)) {
		winit_optimizer_free(opt);
		return winit_error_set(err, WINIT_ERR_NOMEM, "optimizer: cannot allocate state");
	}
	return WINIT_OK;
}

void winit_optimizer_step(struct winit_optimizer *opt, float *w, const float *g)
{
	const struct winit_optimizer_spec *s = &opt->spec;
	opt->t++;
	if (s->kind == WINIT_OPT_ADAM) {
		double t = (double)opt->t;
		double alpha = s->learning_rate * sqrt(1 - pow(s->beta_2, t)) / (1 - pow(s->beta_1, t));
		winit_adam_update(w, opt->m, opt->v, g, opt->n, (float)alpha, (float)s->beta_1,
		                  (float)s->beta_2, (float)s->epsilon);
		return;
	}
	float lr = (float)s->learning_rate, mu = (float)s->momentum;
	if (!opt->m) {
		for (int64_t i = 0; i < opt->n; i++)
			w[i] -= lr * g[i];
		return;
	}
	/* Keras SGD: velocity = mu v - lr g; w += velocity (nesterov: w += mu v - lr g). */
	for (int64_t i = 0; i < opt->n; i++) {
		float v = mu * opt->m[i] - lr * g[i];
		opt->m[i] = v;
		w[i] += s->nesterov ? mu * v - lr * g[i] : v;
	}
}

void winit_optimizer_free(struct winit_optimizer *opt)
{
	free(opt->m);
	free(opt->v);
	opt->m = opt->v = NULL;
}
