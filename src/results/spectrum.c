/* src/results/spectrum.c -- a Jacobian spectrum (winit/spectrum.h): its memory, its rules,
 * and its place in the results file ("spectra", written after "coord_checks" and before
 * "runs", so it is part of the header the journal keeps; docs/results-format.md). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/spectrum.h>

#include "results/json.h"
#include "results/spectrum.h"

void winit_spectrum_free(struct winit_spectrum *s)
{
	if (!s)
		return;
	for (int32_t d = 0; s->depths && d < s->n_depths; d++) {
		free(s->depths[d].mean_sq_per_network);
		free(s->depths[d].hist_counts);
	}
	free(s->depths);
	memset(s, 0, sizeof *s);
}

int winit_spectrum_alloc(struct winit_spectrum *s, int32_t n_depths, int32_t networks,
                         int32_t hist_bins, struct winit_error *err)
{
	memset(s, 0, sizeof *s);
	if (n_depths < 0 || networks < 0 || hist_bins < 0)
		return winit_error_set(err, WINIT_ERR_ARG, "spectrum: negative sizes");
	s->networks = networks;
	s->hist_bins = hist_bins;
	s->depths = calloc(n_depths ? (size_t)n_depths : 1, sizeof *s->depths);
	int ok = s->depths != NULL;
	if (ok)
		s->n_depths = n_depths;
	for (int32_t d = 0; ok && d < n_depths; d++) {
		struct winit_spectrum_depth *y = &s->depths[d];
		y->mean_sq_per_network = calloc(networks ? (size_t)networks : 1, sizeof(double));
		y->hist_counts = calloc(hist_bins ? (size_t)hist_bins : 1, sizeof(int64_t));
		ok = y->mean_sq_per_network && y->hist_counts;
	}
	if (!ok) {
		winit_spectrum_free(s);
		return winit_error_set(err, WINIT_ERR_NOMEM, "spectrum: out of memory");
	}
	return WINIT_OK;
}

int winit_spectrum_copy(struct winit_spectrum *dst, const struct winit_spectrum *src,
                        struct winit_error *err)
{
	int rc = winit_spectrum_alloc(dst, src->n_depths, src->networks, src->hist_bins, err);
	if (rc)
		return rc;
	struct winit_spectrum_depth *keep = dst->depths;
	*dst = *src;
	dst->depths = keep;
	for (int32_t d = 0; d < src->n_depths; d++) {
		struct winit_spectrum_depth *y = &dst->depths[d];
		double *m = y->mean_sq_per_network;
		int64_t *h = y->hist_counts;
		*y = src->depths[d];
		y->mean_sq_per_network = m;
		y->hist_counts = h;
		memcpy(m, src->depths[d].mean_sq_per_network, (size_t)src->networks * sizeof *m);
		memcpy(h, src->depths[d].hist_counts, (size_t)src->hist_bins * sizeof *h);
	}
	return WINIT_OK;
}

static int named(const char *s, size_t size)
{
	return s[0] && memchr(s, '\0', size);
}

/* x is finite and >= 0 (nan_ok: or NaN). */
static int nonneg(double x, int nan_ok)
{
	return (nan_ok && isnan(x)) || (isfinite(x) && x >= 0);
}

int winit_spectrum_validate(const struct winit_spectrum *s, struct winit_error *err)
{
	char what[160] = "";
	if (!named(s->name, sizeof s->name))
		snprintf(what, sizeof what, "a name (1 to %d bytes)", WINIT_SPECTRUM_NAME_MAX - 1);
	else if (!named(s->activation, sizeof s->activation) || !named(s->weights, sizeof s->weights))
		snprintf(what, sizeof what, "an activation and weights (1 to %d bytes each)",
		         WINIT_SPECTRUM_WORD_MAX - 1);
	else if (!nonneg(s->sigma_w, 0) || !nonneg(s->sigma_b, 0) || !nonneg(s->chi_1, 0) ||
	         !nonneg(s->v_w, 0) || !nonneg(s->v_d, 0))
		snprintf(what, sizeof what, "sigma_w, sigma_b, chi_1, v_w and v_d finite and >= 0");
	else if (!nonneg(s->q_star, 1))
		snprintf(what, sizeof what, "q_star finite and >= 0, or none (NaN)");
	else if (s->width < 1 || s->networks < 1 || s->examples < 1 || s->hist_bins < 1)
		snprintf(what, sizeof what, "width, networks, examples and hist_bins >= 1");
	else if (!isfinite(s->hist_lo) || !isfinite(s->hist_hi) || !(s->hist_lo < s->hist_hi))
		snprintf(what, sizeof what, "hist_log10_range [lo, hi], finite, lo < hi");
	else if (s->n_depths < 1)
		snprintf(what, sizeof what, "at least one depth");
	for (int32_t d = 0; !what[0] && d < s->n_depths; d++) {
		const struct winit_spectrum_depth *y = &s->depths[d];
		int64_t sum = 0;
		for (int32_t b = 0; b < s->hist_bins && sum >= 0; b++)
			sum = y->hist_counts[b] < 0 ? -1 : sum + y->hist_counts[b];
		int means_ok = 1;
		for (int32_t k = 0; k < s->networks; k++)
			means_ok &= nonneg(y->mean_sq_per_network[k], 0);
		if (y->depth < 1 || (d > 0 && y->depth <= s->depths[d - 1].depth))
			snprintf(what, sizeof what, "depths[%d].depth >= 1, increasing", (int)d);
		else if (y->values < 1)
			snprintf(what, sizeof what, "depths[%d].values >= 1", (int)d);
		else if (!nonneg(y->mean_sq, 0) || !nonneg(y->var_sq, 0) || !nonneg(y->norm_var, 0) ||
		         !nonneg(y->max, 0) || !nonneg(y->min, 0) || !means_ok)
			snprintf(what, sizeof what, "depths[%d]: mean_sq, mean_sq_per_network, var_sq, "
			                            "norm_var, max and min finite and >= 0",
			         (int)d);
		else if (y->min > y->max)
			snprintf(what, sizeof what, "depths[%d]: min <= max", (int)d);
		else if (isinf(y->theory_mean_sq) || isinf(y->theory_var_sq) || isinf(y->theory_norm_var))
			snprintf(what, sizeof what, "depths[%d]: theory's values finite or none (NaN)", (int)d);
		else if (sum != y->values)
			snprintf(what, sizeof what, "depths[%d].hist_counts >= 0 summing to values (%lld)",
			         (int)d, (long long)y->values);
	}
	if (what[0])
		return winit_error_set(err, WINIT_ERR_ARG, "spectrum '%.*s': expected %s",
		                       (int)strnlen(s->name, sizeof s->name - 1), s->name, what);
	return WINIT_OK;
}

void winit_spectra_write(struct json *j, const struct winit_spectrum *ss, size_t n)
{
	if (n == 0)
		return;
	json_key(j, "spectra");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		const struct winit_spectrum *s = &ss[i];
		json_begin_object(j);
		json_string_at(j, "name", s->name);
		json_string_at(j, "activation", s->activation);
		json_string_at(j, "weights", s->weights);
		json_number_at(j, "sigma_w", s->sigma_w);
		json_number_at(j, "sigma_b", s->sigma_b);
		json_number_at(j, "q_star", s->q_star);
		json_number_at(j, "chi_1", s->chi_1);
		json_number_at(j, "v_w", s->v_w);
		json_number_at(j, "v_d", s->v_d);
		json_int_at(j, "width", s->width);
		json_int_at(j, "networks", s->networks);
		json_int_at(j, "examples", s->examples);
		json_key(j, "hist_log10_range");
		json_begin_array(j);
		json_number(j, s->hist_lo);
		json_number(j, s->hist_hi);
		json_end_array(j);
		json_int_at(j, "hist_bins", s->hist_bins);
		json_key(j, "depths");
		json_begin_array(j);
		for (int32_t d = 0; d < s->n_depths; d++) {
			const struct winit_spectrum_depth *y = &s->depths[d];
			json_begin_object(j);
			json_int_at(j, "depth", y->depth);
			json_int_at(j, "values", y->values);
			json_number_at(j, "mean_sq", y->mean_sq);
			json_key(j, "mean_sq_per_network");
			json_begin_array(j);
			for (int32_t k = 0; k < s->networks; k++)
				json_number(j, y->mean_sq_per_network[k]);
			json_end_array(j);
			json_number_at(j, "var_sq", y->var_sq);
			json_number_at(j, "norm_var", y->norm_var);
			json_number_at(j, "max", y->max);
			json_number_at(j, "min", y->min);
			json_number_at(j, "theory_mean_sq", y->theory_mean_sq);
			json_number_at(j, "theory_var_sq", y->theory_var_sq);
			json_number_at(j, "theory_norm_var", y->theory_norm_var);
			json_key(j, "hist_counts");
			json_begin_array(j);
			for (int32_t b = 0; b < s->hist_bins; b++)
				json_int(j, y->hist_counts[b]);
			json_end_array(j);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

int winit_spectra_check(const struct winit_spectrum *s, size_t n, const char *path,
                        struct winit_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct winit_error e = { 0 };
		if (winit_spectrum_validate(&s[i], &e))
			return winit_error_set(err, WINIT_ERR_ARG, "%s: %s", path, e.msg);
		for (size_t k = 0; k < i; k++)
			if (strcmp(s[k].name, s[i].name) == 0)
				return winit_error_set(err, WINIT_ERR_ARG, "%s: spectrum '%s' is given twice", path,
				                       s[i].name);
	}
	return WINIT_OK;
}

void winit_spectra_free(struct winit_spectrum *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		winit_spectrum_free(&s[i]);
	free(s);
}
