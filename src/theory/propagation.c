/* src/theory/propagation.c -- the signal-propagation recursion (winit/theory.h) and the
 * Gauss-Hermite quadrature it integrates with. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/plugin_call.h>
#include <winit/theory.h>

#include "core/guard.h"
#include "layers/kind.h"
#include "theory/theory_internal.h"

int winit_gauss_hermite(int n, double *x, double *w)
{
	const double pim4 = 0.7511255444649425; /* pi^(-1/4) */
	if (n < 1 || n > WINIT_GH_MAX)
		return -1;
	int m = (n + 1) / 2;
	double z = 0, pp = 0;
	for (int i = 0; i < m; i++) {
		/* Initial guesses for the largest roots first (Numerical Recipes, gauher). */
		if (i == 0)
			z = sqrt(2.0 * n + 1) - 1.85575 * pow(2.0 * n + 1, -0.16667);
		else if (i == 1)
			z -= 1.14 * pow((double)n, 0.426) / z;
		else if (i == 2)
			z = 1.86 * z - 0.86 * x[0];
		else if (i == 3)
			z = 1.91 * z - 0.91 * x[1];
		else
			z = 2.0 * z - x[i - 2];
		int it;
		for (it = 0; it < 100; it++) {
			/* p1 = the orthonormal Hermite function of degree n at z, p2 of degree n-1. */
			double p1 = pim4, p2 = 0;
			for (int j = 1; j <= n; j++) {
				double p3 = p2;
				p2 = p1;
				p1 = z * sqrt(2.0 / j) * p2 - sqrt((double)(j - 1) / j) * p3;
			}
			pp = sqrt(2.0 * n) * p2;
			double z1 = z;
			z = z1 - p1 / pp;
			if (fabs(z - z1) <= 1e-14 * (1 + fabs(z)))
				break;
		}
		if (it == 100)
			return -1;
		x[i] = z;
		x[n - 1 - i] = -z;
		w[i] = w[n - 1 - i] = 2.0 / (pp * pp);
	}
	if (n % 2)
		x[m - 1] = 0;
	/* A skipped or repeated root shows here: never return nodes that are wrong. */
	double sum = 0;
	for (int i = 0; i < n; i++) {
		if (i + 1 < n && !(x[i] > x[i + 1]))
			return -1;
		sum += w[i];
	}
	return fabs(sum / sqrt(M_PI) - 1) <= 1e-10 ? 0 : -1;
}

/* The quadrature's values, each array between guard zones. */
struct gh_bufs {
	float g0[WINIT_GUARD], z[WINIT_GH_POINTS];
	float g1[WINIT_GUARD], one[WINIT_GH_POINTS];
	float g2[WINIT_GUARD], y[WINIT_GH_POINTS];
	float g3[WINIT_GUARD], d[WINIT_GH_POINTS];
	float g4[WINIT_GUARD];
};

/* Its output's zones first (the zone after y is also the one before dx, intact after the
 * forward), then its inputs'. */
int winit_theory_act_intact(const float *const zone[5], const struct winit_activation *act,
                            int backward, const char *during, char *fault, size_t size)
{
	struct around {
		const float *pre, *post;
		const char *name;
	};
	const struct around out_y = { zone[2], zone[3], "its output y" },
			    out_dx = { zone[3], zone[4], "its output dx" };
	const struct around arrays[] = {
		backward ? out_dx : out_y,
		{ zone[0], zone[1], "its input z" },
		{ zone[1], zone[2], "its input dy" },
	};
	const char *callback = backward ? "backward" : "forward";
	for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++) {
		struct winit_guard_hit hit;
		if (winit_guard_zones_check(arrays[k].pre, arrays[k].post, &hit)) {
			char where[96];
			winit_guard_describe(&hit, where, sizeof where);
			snprintf(fault, size,
			         "activation '%s' wrote outside its buffers in its %s%s: %s of %s; %s "
			         "must write only its rows * cols values",
			         act->info.name, callback, during, where, arrays[k].name, callback);
			return 0;
		}
	}
	return 1;
}

static int gh_intact(const struct gh_bufs *b, const struct winit_activation *act, int backward,
                     char *fault, size_t size)
{
	const float *const zone[5] = { b->g0, b->g1, b->g2, b->g3, b->g4 };
	return winit_theory_act_intact(zone, act, backward, " during the theory pass", fault, size);
}

double winit_gauss_expect_checked(const struct winit_activation *act, const double *params,
                                  double q, int deriv, char *fault, size_t size)
{
	/* Recomputed per call (a few microseconds): no shared state between threads. */
	double nodes[WINIT_GH_POINTS], weights[WINIT_GH_POINTS];
	if (winit_gauss_hermite(WINIT_GH_POINTS, nodes, weights))
		return NAN;
	struct gh_bufs b;
	winit_guard_zone_set(b.g0);
	winit_guard_zone_set(b.g1);
	winit_guard_zone_set(b.g2);
	winit_guard_zone_set(b.g3);
	winit_guard_zone_set(b.g4);
	double s = sqrt(2.0 * (q > 0 ? q : 0));
	for (int i = 0; i < WINIT_GH_POINTS; i++) {
		b.z[i] = (float)(s * nodes[i]);
		b.one[i] = 1.0f;
	}
	/* Through the host's wrappers: a crash in the plugin names it, as in training. */
	winit_activation_forward(act, b.y, b.z, 1, WINIT_GH_POINTS, params);
	if (!gh_intact(&b, act, 0, fault, size))
		return NAN;
	const float *v = b.y;
	if (deriv) {
		winit_activation_backward(act, b.d, b.one, b.z, b.y, 1, WINIT_GH_POINTS, params);
		if (!gh_intact(&b, act, 1, fault, size))
			return NAN;
		v = b.d;
	}
	double e = 0;
	for (int i = 0; i < WINIT_GH_POINTS; i++)
		e += weights[i] * (double)v[i] * v[i];
	return e / sqrt(M_PI);
}

double winit_gauss_max_moment_checked(const struct winit_activation *act, const double *params,
                                      double q, int power, int64_t k, char *fault, size_t size)
{
	double nodes[WINIT_GH_POINTS], weights[WINIT_GH_POINTS];
	if (winit_gauss_hermite(WINIT_GH_POINTS, nodes, weights))
		return NAN;
	struct gh_bufs b;
	winit_guard_zone_set(b.g0);
	winit_guard_zone_set(b.g1);
	winit_guard_zone_set(b.g2);
	winit_guard_zone_set(b.g3);
	winit_guard_zone_set(b.g4);
	double s = sqrt(2.0 * (q > 0 ? q : 0));
	for (int i = 0; i < WINIT_GH_POINTS; i++) {
		b.z[i] = (float)(s * nodes[i]);
		b.one[i] = 1.0f;
	}
	winit_activation_forward(act, b.y, b.z, 1, WINIT_GH_POINTS, params);
	if (!gh_intact(&b, act, 0, fault, size))
		return NAN;
	double e = 0;
	for (int i = 0; i < WINIT_GH_POINTS; i++) {
		/* z = sqrt(2) x: the max's density over the Gaussian's is k Phi(z)^(k-1). */
		double w = weights[i];
		if (k > 1)
			w *= (double)k * pow(0.5 * erfc(-nodes[i]), (double)(k - 1));
		e += w * (power == 1 ? (double)b.y[i] : (double)b.y[i] * b.y[i]);
	}
	return e / sqrt(M_PI);
}

double winit_gauss_expect(const struct winit_activation *act, const double *params, double q,
                          int deriv)
{
	char fault[256];
	return winit_gauss_expect_checked(act, params, q, deriv, fault, sizeof fault);
}

__attribute__((format(printf, 2, 3))) static void not_applies(struct winit_theory *out,
                                                              const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out->applies = 0;
	vsnprintf(out->reason, sizeof out->reason, fmt, ap);
	va_end(ap);
}

/* A fault found in layer i's activation: the prediction does not apply, and the run
 * fails with it. */
static int layer_fault(struct winit_theory *out, int i, const char *fault,
                       struct winit_error *err)
{
	not_applies(out, "layer %d: an activation wrote outside its buffers", i + 1);
	return winit_error_set(err, WINIT_ERR_PLUGIN, "layer %d: %s", i + 1, fault);
}

int winit_theory_alloc(struct winit_theory *t, int32_t n_layers)
{
	winit_theory_free(t);
	size_t n = n_layers > 0 ? (size_t)n_layers : 1;
	t->pre_var = calloc(n, sizeof *t->pre_var);
	t->grad_var = calloc(n, sizeof *t->grad_var);
	if (!t->pre_var || !t->grad_var) {
		winit_theory_free(t);
		return WINIT_ERR_NOMEM;
	}
	t->n_layers = n_layers;
	return WINIT_OK;
}

void winit_theory_free(struct winit_theory *t)
{
	free(t->pre_var);
	free(t->grad_var);
	memset(t, 0, sizeof *t);
}

/* The recursion's scratch: per layer its view (sizes, inputs, multiplier), its tensors'
 * variances, its output's second moment and its activation's E[f'(z)^2]. */
struct recursion {
	struct winit_layer *d;
	struct winit_shape *shape;
	int32_t *src;
	double *var; /* WINIT_MAX_LAYER_TENSORS per layer */
	double *m2, *d2;
	int32_t *consumed;
	struct winit_theory_in *val; /* each layer's output, as its consumers see it */
	struct winit_theory_in *in;  /* one layer's inputs */
};

static void recursion_free(struct recursion *r)
{
	free(r->d);
	free(r->shape);
	free(r->src);
	free(r->var);
	free(r->m2);
	free(r->d2);
	free(r->consumed);
	free(r->val);
	free(r->in);
}

static int recursion_alloc(struct recursion *r, const struct winit_model_spec *spec)
{
	memset(r, 0, sizeof *r);
	size_t n = (size_t)spec->n_layers, edges = 0;
	for (int32_t i = 0; i < spec->n_layers; i++)
		edges += (size_t)winit_model_spec_layer_inputs(spec, i, NULL, 0);
	r->d = calloc(n, sizeof *r->d);
	r->shape = calloc(n, sizeof *r->shape);
	r->src = calloc(edges + 1, sizeof *r->src);
	r->var = calloc(n * WINIT_MAX_LAYER_TENSORS, sizeof *r->var);
	r->m2 = calloc(n, sizeof *r->m2);
	r->d2 = calloc(n, sizeof *r->d2);
	r->consumed = calloc(n, sizeof *r->consumed);
	r->val = calloc(n, sizeof *r->val);
	r->in = calloc(edges + 1, sizeof *r->in);
	if (!r->d || !r->shape || !r->src || !r->var || !r->m2 || !r->d2 || !r->consumed ||
	    !r->val || !r->in) {
		recursion_free(r);
		return -1;
	}
	return 0;
}

/* Layer i's view (kind, sizes, inputs at *e, advanced; activation; output multiplier). */
static void layer_view(struct recursion *r, const struct winit_model_spec *spec, int32_t i,
                       int32_t **e, struct winit_shape *in)
{
	const struct winit_layer_spec *l = &spec->layers[i];
	struct winit_layer *d = &r->d[i];
	d->kind = winit_layer_kind_get(l->kind);
	d->n_src = winit_model_spec_layer_inputs(spec, i, *e, INT32_MAX);
	d->src = *e;
	for (int32_t k = 0; k < d->n_src; k++)
		if (d->src[k] != WINIT_MODEL_INPUT)
			r->consumed[d->src[k]] = 1;
	*e += d->n_src;
	*in = d->src[0] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : r->shape[d->src[0]];
	d->n_in = winit_shape_elements(in);
	d->in_shape = *in;
	d->units = r->shape[i].dim[r->shape[i].rank - 1];
	d->n_out = winit_shape_elements(&r->shape[i]);
	d->out_mult = l->mult_set ? (float)l->out_mult : 1.0f;
	if (d->kind->has_activation) {
		d->act = (const struct winit_activation *)l->activation.info;
		d->act_params = l->activation.params;
	}
}

/* The layers' views and their tensors' variances at initialization; 0, or 1 when the
 * prediction does not apply (out says why). */
static int layer_variances(struct winit_theory *out, const struct winit_model_spec *spec,
                           struct recursion *r)
{
	struct winit_error err;
	if (winit_model_spec_shapes(spec, r->shape, &err)) {
		not_applies(out, "%s", err.msg);
		return 1;
	}
	int32_t *e = r->src;
	struct winit_shape in;
	for (int32_t i = 0; i < spec->n_layers; i++)
		layer_view(r, spec, i, &e, &in);
	for (int32_t i = 0; i < spec->n_layers; i++) {
		const struct winit_layer *d = &r->d[i];
		in = d->src[0] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : r->shape[d->src[0]];
		if (!d->kind->theory_q) {
			not_applies(out, "layer %d: the recursion has no step for %s layers", i + 1, d->kind->name);
			return 1;
		}
		double gain = d->act ? winit_activation_gain(d->act, d->act_params) : 1.0;
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		int32_t nt = d->kind->declare ? d->kind->declare(&spec->layers[i], &in, decl) : 0;
		if (nt > 0) {
			int64_t size = 1;
			for (int32_t k = 0; k < decl[0].rank; k++)
				size *= decl[0].dims[k];
			r->d[i].k_rows = size / d->units;
		}
		for (int32_t t = 0; t < nt; t++) {
			if (!decl[t].init) /* a constant: no spread */
				continue;
			const struct winit_initializer *k = (const struct winit_initializer *)decl[t].init->info;
			if (t == 0 && winit_initializer_adapter(k)) {
				not_applies(out, "layer %d %s: initializer '%s' is data-aware", i + 1, decl[t].name,
				            k->info.name);
				return 1;
			}
			double sd = winit_initializer_stddev(k, decl[t].dims, (uint32_t)decl[t].rank, gain,
			                                     decl[t].init->params);
			if (!isfinite(sd)) {
				not_applies(out, "layer %d %s: initializer '%s' declares no standard deviation",
				            i + 1, decl[t].name, k->info.name);
				return 1;
			}
			double mult = winit_layer_mult(&spec->layers[i], t).init;
			r->var[i * WINIT_MAX_LAYER_TENSORS + t] = mult == 1.0 ? sd * sd : sd * sd * mult * mult;
		}
		if (r->consumed[i] && d->act && (d->act->flags & WINIT_ACT_ROWWISE)) {
			not_applies(out, "layer %d: activation '%s' is row-wise; the recursion is element-wise",
			            i + 1, d->act->info.name);
			return 1;
		}
	}
	return 0;
}

/* The recursion itself, through each layer kind's theory step (src/layers/kind.h): the
 * second moments forward from the input's, the gradients' variances backward from the
 * output's (summed over a layer's consumers). */
static int predict(struct winit_theory *out, const struct winit_model_spec *spec, double input_m2,
                   double input_mean,
                   double output_grad_var, struct recursion *r, struct winit_error *err)
{
	char fault[256] = "";
	if (layer_variances(out, spec, r))
		return WINIT_OK;
	const int last = spec->n_layers - 1;
	/* The model's input: its measured second moment and mean. */
	const struct winit_theory_in input = { input_m2, input_mean, spec->n_inputs, NULL, NULL, 0 };
	for (int i = 0; i < spec->n_layers; i++) {
		const struct winit_layer *d = &r->d[i];
		for (int32_t k = 0; k < d->n_src; k++)
			r->in[k] = d->src[k] == WINIT_MODEL_INPUT ? input : r->val[d->src[k]];
		const double *var = &r->var[i * WINIT_MAX_LAYER_TENSORS];
		struct winit_theory_out o = { 0, "", "" };
		out->pre_var[i] = d->kind->theory_q(&spec->layers[i], d, r->in, d->n_src, var, &o);
		if (o.fault[0])
			return layer_fault(out, i, o.fault, err);
		if (isnan(out->pre_var[i])) {
			not_applies(out, "layer %d (%s): %s", i + 1, d->kind->name, o.why);
			return WINIT_OK;
		}
		struct winit_theory_in *v = &r->val[i];
		*v = (struct winit_theory_in){ out->pre_var[i], o.mu, d->n_out, NULL, NULL, 0 };
		if (d->act && r->consumed[i]) {
			/* f(z), z ~ N(0, q): its moments, and what a max over them needs. */
			*v = (struct winit_theory_in){ 0, 0, d->n_out, d->act, d->act_params, out->pre_var[i] };
			v->m2 = winit_gauss_expect_checked(d->act, d->act_params, out->pre_var[i], 0, fault,
			                                   sizeof fault);
			if (!fault[0])
				v->mu = winit_gauss_max_moment_checked(d->act, d->act_params, out->pre_var[i], 1,
				                                       1, fault, sizeof fault);
		} else if (d->n_src == 1 && d->kind->theory_q == winit_layer_theory_same) {
			v->act = r->in[0].act; /* moved, not mixed: still f(z) per value */
			v->act_params = r->in[0].act_params;
			v->q = r->in[0].q;
		}
		r->m2[i] = v->m2;
		if (fault[0])
			return layer_fault(out, i, fault, err);
		/* A kind without an activation: its output's variance, what the diagnostics
		 * measure (a Dense layer's pre-activation has mean 0: its q is both). */
		if (!d->act)
			out->pre_var[i] = v->m2 - v->mu * v->mu;
	}
	for (int i = last - 1; i >= 0; i--) {
		const struct winit_layer *d = &r->d[i];
		r->d2[i] = 1.0;
		if (d->act)
			r->d2[i] = winit_gauss_expect_checked(d->act, d->act_params, out->pre_var[i], 1, fault,
			                                      sizeof fault);
		if (fault[0])
			return layer_fault(out, i, fault, err);
		out->grad_var[i] = 0;
	}
	out->grad_var[last] = output_grad_var;
	for (int c = last; c >= 0; c--) { /* every consumer of c comes after it: c is final */
		const struct winit_layer *d = &r->d[c];
		const double *var = &r->var[c * WINIT_MAX_LAYER_TENSORS];
		for (int32_t k = 0; k < d->n_src; k++)
			r->in[k] = d->src[k] == WINIT_MODEL_INPUT ? input : r->val[d->src[k]];
		for (int32_t k = 0; k < d->n_src; k++) {
			int32_t s = d->src[k];
			if (s == WINIT_MODEL_INPUT)
				continue;
			double f = d->kind->theory_grad(&spec->layers[c], d, k, var, r->in);
			out->grad_var[s] += f * r->d2[s] * out->grad_var[c];
		}
	}
	out->applies = 1;
	return WINIT_OK;
}

int winit_theory_predict_checked(struct winit_theory *out, const struct winit_model_spec *spec,
                                 double input_m2, double input_mean, double output_grad_var,
                                 struct winit_error *err)
{
	struct recursion r;
	int rc = WINIT_OK;
	if (winit_theory_alloc(out, spec->n_layers) || recursion_alloc(&r, spec)) {
		winit_theory_free(out);
		out->computed = 1;
		not_applies(out, "no memory for the predictions of %d layers", (int)spec->n_layers);
		return WINIT_OK;
	}
	out->computed = 1;
	rc = predict(out, spec, input_m2, input_mean, output_grad_var, &r, err);
	recursion_free(&r);
	return rc;
}

void winit_theory_predict(struct winit_theory *out, const struct winit_model_spec *spec,
                          double input_m2, double output_grad_var)
{
	struct winit_error err;
	winit_theory_predict_checked(out, spec, input_m2, 0, output_grad_var, &err);
}
