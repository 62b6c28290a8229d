/* src/nn/optimizer.c -- Adam and SGD with Keras defaults and semantics. */
#include "config.h"

#include <math.h>
#include <stdio.h>
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

/* A hyper-parameter as the messages show it: "NaN" rather than the C library's "-nan". */
static const char *num(char buf[32], double x)
{
	if (isnan(x))
		return "NaN";
	snprintf(buf, 32, "%g", x);
	return buf;
}

int winit_optimizer_init(struct winit_optimizer *opt, const struct winit_optimizer_spec *spec,
                         int64_t n_params, struct winit_error *err)
{
	memset(opt, 0, sizeof *opt);
	opt->spec = *spec;
	opt->n = n_params;
	if (spec->kind != WINIT_OPT_ADAM && spec->kind != WINIT_OPT_SGD)
		return winit_error_set(err, WINIT_ERR_ARG, "optimizer: unknown kind %d", (int)spec->kind);
	char b[32];
	/* Every hyper-parameter is finite and in its range; !(x >= lo) also refuses NaN. */
	if (!(spec->learning_rate > 0) || !isfinite(spec->learning_rate))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "optimizer: learning_rate must be a finite number > 0 (got %s)",
		                       num(b, spec->learning_rate));
	if (spec->schedule.kind != WINIT_LR_CONSTANT) {
		int rc = winit_lr_schedule_check(&spec->schedule, err);
		if (rc)
			return winit_error_prefix(err, "optimizer: ");
	}
	if (spec->kind == WINIT_OPT_SGD && !(spec->momentum >= 0 && spec->momentum < 1))
		return winit_error_set(err, WINIT_ERR_ARG, "optimizer: SGD momentum must be in [0, 1) (got %s)",
		                       num(b, spec->momentum));
	if (spec->kind == WINIT_OPT_ADAM) {
		if (!(spec->beta_1 >= 0 && spec->beta_1 < 1))
			return winit_error_set(err, WINIT_ERR_ARG, "optimizer: Adam beta_1 must be in [0, 1) (got %s)",
			                       num(b, spec->beta_1));
		if (!(spec->beta_2 >= 0 && spec->beta_2 < 1))
			return winit_error_set(err, WINIT_ERR_ARG, "optimizer: Adam beta_2 must be in [0, 1) (got %s)",
			                       num(b, spec->beta_2));
		if (!(spec->epsilon > 0) || !isfinite(spec->epsilon))
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "optimizer: Adam epsilon must be a finite number > 0 (got %s)",
			                       num(b, spec->epsilon));
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

void winit_optimizer_begin(struct winit_optimizer *opt)
{
	const struct winit_optimizer_spec *s = &opt->spec;
	opt->t++;
	if (s->kind == WINIT_OPT_ADAM) {
		double t = (double)opt->t;
		opt->alpha_t = (float)(s->learning_rate * sqrt(1 - pow(s->beta_2, t)) /
		                       (1 - pow(s->beta_1, t)));
	}
}

/* SGD on n parameters (Keras): w -= lr g, or with momentum velocity = mu v - lr g and
 * w += velocity (nesterov: w += mu v - lr g). */
static void sgd(const struct winit_optimizer_spec *s, float *w, float *vel, const float *g,
                int64_t n, float lr_mult)
{
	float lr = (float)s->learning_rate * lr_mult, mu = (float)s->momentum;
	if (!vel) {
		for (int64_t i = 0; i < n; i++)
			w[i] -= lr * g[i];
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		float v = mu * vel[i] - lr * g[i];
		vel[i] = v;
		w[i] += s->nesterov ? mu * v - lr * g[i] : v;
	}
}

void winit_optimizer_apply(const struct winit_optimizer *opt, float *params, const float *grads,
                           int64_t off, int64_t rows, int64_t cols, int64_t stride, float lr_mult)
{
	const struct winit_optimizer_spec *s = &opt->spec;
	/* A multiplier of 1 gives the same bits as none: x * 1.0f is x. */
	if (s->kind == WINIT_OPT_ADAM) {
		winit_adam_update_block(params + off, opt->m + off, opt->v + off, grads + off, rows, cols,
		                        stride, opt->alpha_t * lr_mult, (float)s->beta_1,
		                        (float)s->beta_2, (float)s->epsilon);
		return;
	}
	for (int64_t r = 0; r < rows; r++) {
		int64_t o = off + r * stride;
		sgd(s, params + o, opt->m ? opt->m + o : NULL, grads + o, cols, lr_mult);
	}
}

void winit_optimizer_step(struct winit_optimizer *opt, float *params, const float *grads)
{
	winit_optimizer_begin(opt);
	winit_optimizer_apply(opt, params, grads, 0, 1, opt->n, opt->n, 1.0f);
}

void winit_optimizer_free(struct winit_optimizer *opt)
{
	free(opt->m);
	free(opt->v);
	opt->m = opt->v = NULL;
}
