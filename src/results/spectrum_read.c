/* src/results/spectrum_read.c -- the results file's "spectra" read back from a tree the
 * schema validated (src/results/results_schema.c: sizes, types, ranges and the rules
 * across members are checked there, so this only copies). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results/spectrum.h"

/* A validated number, or NaN for null. */
static double num(const json_t *o, const char *key)
{
	const json_t *x = json_object_get(o, key);
	return json_is_number(x) ? json_number_value(x) : NAN;
}

static void read_one(const json_t *o, struct winit_spectrum *s)
{
	snprintf(s->name, sizeof s->name, "%s", json_string_value(json_object_get(o, "name")));
	snprintf(s->activation, sizeof s->activation, "%s",
	         json_string_value(json_object_get(o, "activation")));
	snprintf(s->weights, sizeof s->weights, "%s", json_string_value(json_object_get(o, "weights")));
	s->sigma_w = num(o, "sigma_w");
	s->sigma_b = num(o, "sigma_b");
	s->q_star = num(o, "q_star");
	s->chi_1 = num(o, "chi_1");
	s->v_w = num(o, "v_w");
	s->v_d = num(o, "v_d");
	s->width = (int32_t)json_integer_value(json_object_get(o, "width"));
	s->examples = (int32_t)json_integer_value(json_object_get(o, "examples"));
	const json_t *range = json_object_get(o, "hist_log10_range");
	s->hist_lo = json_number_value(json_array_get(range, 0));
	s->hist_hi = json_number_value(json_array_get(range, 1));
	const json_t *depths = json_object_get(o, "depths");
	for (int32_t d = 0; d < s->n_depths; d++) {
		const json_t *y = json_array_get(depths, (size_t)d);
		struct winit_spectrum_depth *t = &s->depths[d];
		t->depth = (int32_t)json_integer_value(json_object_get(y, "depth"));
		t->values = json_integer_value(json_object_get(y, "values"));
		t->mean_sq = num(y, "mean_sq");
		t->var_sq = num(y, "var_sq");
		t->norm_var = num(y, "norm_var");
		t->max = num(y, "max");
		t->min = num(y, "min");
		t->theory_mean_sq = num(y, "theory_mean_sq");
		t->theory_var_sq = num(y, "theory_var_sq");
		t->theory_norm_var = num(y, "theory_norm_var");
		const json_t *m = json_object_get(y, "mean_sq_per_network"), *h = json_object_get(y, "hist_counts");
		for (int32_t k = 0; k < s->networks; k++)
			t->mean_sq_per_network[k] = json_number_value(json_array_get(m, (size_t)k));
		for (int32_t b = 0; b < s->hist_bins; b++)
			t->hist_counts[b] = json_integer_value(json_array_get(h, (size_t)b));
	}
}

int winit_spectra_read(const json_t *root, const char *path, struct winit_spectrum **out,
                       size_t *n, struct winit_error *err)
{
	const json_t *a = json_object_get(root, "spectra");
	size_t m = json_array_size(a);
	*out = NULL;
	*n = 0;
	if (m == 0)
		return WINIT_OK;
	struct winit_spectrum *ss = calloc(m, sizeof *ss);
	if (!ss)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the spectra", path);
	for (size_t i = 0; i < m; i++) {
		const json_t *o = json_array_get(a, i);
		if (winit_spectrum_alloc(&ss[i], (int32_t)json_array_size(json_object_get(o, "depths")),
		                         (int32_t)json_integer_value(json_object_get(o, "networks")),
		                         (int32_t)json_integer_value(json_object_get(o, "hist_bins")), err)) {
			winit_spectra_free(ss, i);
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the spectra", path);
		}
		read_one(o, &ss[i]);
	}
	*out = ss;
	*n = m;
	return WINIT_OK;
}
