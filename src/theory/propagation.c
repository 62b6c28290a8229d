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

static int predict(struct winit_theory *out, const struct winit_model_spec *spec, double input_m2,
                   double output_grad_var, double *var_w, double *var_b,
                   const struct winit_activation **acts, struct winit_error *err);

int winit_theory_predict_checked(struct winit_theory *out, const struct winit_model_spec *spec,
                                 double input_m2, double output_grad_var, struct winit_error *err)
{
	size_t n = spec->n_layers > 0 ? (size_t)spec->n_layers : 1;
	double *var_w = malloc(n * sizeof *var_w), *var_b = malloc(n * sizeof *var_b);
	const struct winit_activation **acts = malloc(n * sizeof *acts);
	int rc = WINIT_OK;
	if (winit_theory_alloc(out, spec->n_layers) || !var_w || !var_b || !acts) {
		winit_theory_free(out);
		out->computed = 1;
		not_applies(out, "no memory for the predictions of %d layers", (int)spec->n_layers);
	} else {
		out->computed = 1;
		rc = predict(out, spec, input_m2, output_grad_var, var_w, var_b, acts, err);
	}
	free(var_w);
	free(var_b);
	free(acts);
	return rc;
}

/* The recursion itself, into out's arrays, with scratch of spec->n_layers entries each. */
static int predict(struct winit_theory *out, const struct winit_model_spec *spec, double input_m2,
                   double output_grad_var, double *var_w, double *var_b,
                   const struct winit_activation **acts, struct winit_error *err)
{
	char fault[256] = "";
	int64_t n_in = spec->n_inputs;
	for (int i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		const struct winit_activation *act = (const struct winit_activation *)l->activation.info;
		const struct winit_initializer *k =
			(const struct winit_initializer *)l->kernel_initializer.info;
		double gain = winit_activation_gain(act, l->activation.params);
		if (winit_initializer_adapter(k)) {
			not_applies(out, "layer %d kernel: initializer '%s' is data-aware", i + 1,
			            k->info.name);
			return WINIT_OK;
		}
		int64_t kdims[2] = { n_in, l->units };
		double sd = winit_initializer_stddev(k, kdims, 2, gain, l->kernel_initializer.params);
		if (!isfinite(sd)) {
			not_applies(out, "layer %d kernel: initializer '%s' declares no standard deviation",
			            i + 1, k->info.name);
			return WINIT_OK;
		}
		var_w[i] = sd * sd;
		var_b[i] = 0;
		if (l->use_bias) {
			const struct winit_initializer *b =
				(const struct winit_initializer *)l->bias_initializer.info;
			int64_t bdims[1] = { l->units };
			double bsd = winit_initializer_stddev(b, bdims, 1, gain, l->bias_initializer.params);
			if (!isfinite(bsd)) {
				not_applies(out, "layer %d bias: initializer '%s' declares no standard deviation",
				            i + 1, b->info.name);
				return WINIT_OK;
			}
			var_b[i] = bsd * bsd;
		}
		if (i + 1 < spec->n_layers && (act->flags & WINIT_ACT_ROWWISE)) {
			not_applies(out, "layer %d: activation '%s' is row-wise; the recursion is element-wise",
			            i + 1, act->info.name);
			return WINIT_OK;
		}
		n_in = l->units;
	}
	for (int i = 0; i < spec->n_layers; i++)
		acts[i] = (const struct winit_activation *)spec->layers[i].activation.info;
	n_in = spec->n_inputs;
	double m2 = input_m2;
	for (int i = 0; i < spec->n_layers; i++) {
		out->pre_var[i] = (double)n_in * var_w[i] * m2 + var_b[i];
		if (i + 1 < spec->n_layers)
			m2 = winit_gauss_expect_checked(acts[i], spec->layers[i].activation.params,
			                                out->pre_var[i], 0, fault, sizeof fault);
		if (fault[0])
			return layer_fault(out, i, fault, err);
		n_in = spec->layers[i].units;
	}
	int last = spec->n_layers - 1;
	out->grad_var[last] = output_grad_var;
	for (int i = last - 1; i >= 0; i--) {
		double d2 = winit_gauss_expect_checked(acts[i], spec->layers[i].activation.params,
		                                       out->pre_var[i], 1, fault, sizeof fault);
		if (fault[0])
			return layer_fault(out, i, fault, err);
		out->grad_var[i] = (double)spec->layers[i + 1].units * var_w[i + 1] * d2 *
		                   out->grad_var[i + 1];
	}
	out->applies = 1;
	return WINIT_OK;
}

void winit_theory_predict(struct winit_theory *out, const struct winit_model_spec *spec,
                          double input_m2, double output_grad_var)
{
	struct winit_error err;
	winit_theory_predict_checked(out, spec, input_m2, output_grad_var, &err);
}
