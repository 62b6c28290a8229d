/* src/results/coord_read.c -- the results file's "coord_checks" read back from a tree the
 * schema validated (src/results/results_schema.c: sizes, types and ranges are checked
 * there, so this only copies). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results/coord.h"

/* A validated [step][width] table into v (null: NaN). */
static void read_table(const json_t *t, double *v, int32_t steps, int32_t n_widths)
{
	for (int32_t s = 0; s <= steps; s++) {
		const json_t *row = json_array_get(t, (size_t)s);
		for (int32_t w = 0; w < n_widths; w++) {
			const json_t *x = json_array_get(row, (size_t)w);
			v[(size_t)s * (size_t)n_widths + (size_t)w] = json_is_number(x) ? json_number_value(x) : NAN;
		}
	}
}

int winit_coord_checks_read(const json_t *root, const char *path, struct winit_coord_check **out,
                            size_t *n, struct winit_error *err)
{
	const json_t *a = json_object_get(root, "coord_checks");
	size_t m = json_array_size(a);
	*out = NULL;
	*n = 0;
	if (m == 0)
		return WINIT_OK;
	struct winit_coord_check *cs = calloc(m, sizeof *cs);
	if (!cs)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the coordinate checks", path);
	for (size_t i = 0; i < m; i++) {
		const json_t *o = json_array_get(a, i), *widths = json_object_get(o, "widths"),
		             *seeds = json_object_get(o, "seeds"), *layers = json_object_get(o, "layers");
		struct winit_coord_check *c = &cs[i];
		int32_t steps = (int32_t)json_integer_value(json_object_get(o, "steps"));
		if (winit_coord_check_alloc(c, (int32_t)json_array_size(widths), (int32_t)json_array_size(seeds),
		                            steps, (int32_t)json_array_size(layers), err)) {
			winit_coord_checks_free(cs, i);
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the coordinate checks", path);
		}
		snprintf(c->name, sizeof c->name, "%s", json_string_value(json_object_get(o, "name")));
		snprintf(c->parametrization, sizeof c->parametrization, "%s",
		         json_string_value(json_object_get(o, "parametrization")));
		c->batch_size = (int32_t)json_integer_value(json_object_get(o, "batch_size"));
		for (int32_t w = 0; w < c->n_widths; w++)
			c->widths[w] = json_integer_value(json_array_get(widths, (size_t)w));
		for (int32_t s = 0; s < c->n_seeds; s++)
			c->seeds[s] = json_integer_value(json_array_get(seeds, (size_t)s));
		for (int32_t l = 0; l < c->n_layers; l++) {
			const json_t *y = json_array_get(layers, (size_t)l);
			snprintf(c->layers[l].name, sizeof c->layers[l].name, "%s",
			         json_string_value(json_object_get(y, "name")));
			c->layers[l].of = strcmp(json_string_value(json_object_get(y, "of")), "pre_activation") == 0 ?
			                          WINIT_COORD_PRE_ACTIVATION :
			                          WINIT_COORD_ACTIVATION;
			read_table(json_object_get(y, "mean_abs"), c->layers[l].mean_abs, steps, c->n_widths);
			read_table(json_object_get(y, "change"), c->layers[l].change, steps, c->n_widths);
		}
	}
	*out = cs;
	*n = m;
	return WINIT_OK;
}
