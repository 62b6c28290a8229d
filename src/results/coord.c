/* src/results/coord.c -- a coordinate check (winit/coord.h): its memory, its rules, and
 * its place in the results file ("coord_checks", written before "runs", so it is part of
 * the header the journal keeps; docs/results-format.md). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/coord.h>
#include <winit/parametrization.h>

#include "results/coord.h"
#include "results/json.h"

const char *winit_coord_of_name(int32_t of)
{
	return of == WINIT_COORD_PRE_ACTIVATION ? "pre_activation" : "activation";
}

void winit_coord_check_free(struct winit_coord_check *c)
{
	if (!c)
		return;
	for (int32_t l = 0; c->layers && l < c->n_layers; l++) {
		free(c->layers[l].mean_abs);
		free(c->layers[l].change);
	}
	free(c->layers);
	free(c->widths);
	free(c->seeds);
	memset(c, 0, sizeof *c);
}

int winit_coord_check_alloc(struct winit_coord_check *c, int32_t n_widths, int32_t n_seeds,
                            int32_t steps, int32_t n_layers, struct winit_error *err)
{
	memset(c, 0, sizeof *c);
	if (n_widths < 0 || n_seeds < 0 || steps < 0 || n_layers < 0)
		return winit_error_set(err, WINIT_ERR_ARG, "coordinate check: negative sizes");
	size_t cells = (size_t)(steps + 1) * (size_t)n_widths;
	c->n_widths = n_widths;
	c->n_seeds = n_seeds;
	c->steps = steps;
	c->widths = calloc(n_widths ? (size_t)n_widths : 1, sizeof *c->widths);
	c->seeds = calloc(n_seeds ? (size_t)n_seeds : 1, sizeof *c->seeds);
	c->layers = calloc(n_layers ? (size_t)n_layers : 1, sizeof *c->layers);
	int ok = c->widths && c->seeds && c->layers;
	if (c->layers)
		c->n_layers = n_layers;
	for (int32_t l = 0; ok && l < n_layers; l++) {
		c->layers[l].mean_abs = calloc(cells ? cells : 1, sizeof(double));
		c->layers[l].change = calloc(cells ? cells : 1, sizeof(double));
		ok = c->layers[l].mean_abs && c->layers[l].change;
	}
	if (!ok) {
		winit_coord_check_free(c);
		return winit_error_set(err, WINIT_ERR_NOMEM, "coordinate check: out of memory");
	}
	return WINIT_OK;
}

int winit_coord_check_copy(struct winit_coord_check *dst, const struct winit_coord_check *src,
                           struct winit_error *err)
{
	int rc = winit_coord_check_alloc(dst, src->n_widths, src->n_seeds, src->steps,
	                                 src->n_layers, err);
	if (rc)
		return rc;
	size_t cells = (size_t)(src->steps + 1) * (size_t)src->n_widths;
	memcpy(dst->name, src->name, sizeof dst->name);
	memcpy(dst->parametrization, src->parametrization, sizeof dst->parametrization);
	dst->batch_size = src->batch_size;
	memcpy(dst->widths, src->widths, (size_t)src->n_widths * sizeof *dst->widths);
	memcpy(dst->seeds, src->seeds, (size_t)src->n_seeds * sizeof *dst->seeds);
	for (int32_t l = 0; l < src->n_layers; l++) {
		memcpy(dst->layers[l].name, src->layers[l].name, sizeof dst->layers[l].name);
		dst->layers[l].of = src->layers[l].of;
		memcpy(dst->layers[l].mean_abs, src->layers[l].mean_abs, cells * sizeof(double));
		memcpy(dst->layers[l].change, src->layers[l].change, cells * sizeof(double));
	}
	return WINIT_OK;
}

int winit_coord_check_validate(const struct winit_coord_check *c, struct winit_error *err)
{
	enum winit_parametrization p;
	const char *what = NULL;
	if (!c->name[0] || !memchr(c->name, '\0', sizeof c->name))
		what = "a name (1 to 127 bytes)";
	else if (!memchr(c->parametrization, '\0', sizeof c->parametrization) ||
	         winit_parametrization_from_name(c->parametrization, &p, NULL))
		what = "a parametrization: \"standard\", \"ntk\" or \"mup\"";
	else if (c->n_widths < 1 || c->n_seeds < 1 || c->n_layers < 1)
		what = "at least one width, one seed and one layer";
	else if (c->steps < 0 || c->batch_size < 1)
		what = "steps >= 0 and batch_size >= 1";
	for (int32_t w = 0; !what && w < c->n_widths; w++)
		if (c->widths[w] < 1 || (w > 0 && c->widths[w] <= c->widths[w - 1]))
			what = "widths >= 1, increasing";
	for (int32_t s = 0; !what && s < c->n_seeds; s++)
		if (c->seeds[s] < 0)
			what = "seeds >= 0";
	size_t cells = (size_t)(c->steps + 1) * (size_t)c->n_widths;
	for (int32_t l = 0; !what && l < c->n_layers; l++) {
		const struct winit_coord_layer *y = &c->layers[l];
		if (!y->name[0] || !memchr(y->name, '\0', sizeof y->name))
			what = "every layer named (1 to 47 bytes)";
		else if (y->of != WINIT_COORD_ACTIVATION && y->of != WINIT_COORD_PRE_ACTIVATION)
			what = "every layer's values of its activation or pre-activation";
		for (size_t k = 0; !what && k < cells; k++)
			if (y->mean_abs[k] < 0 || y->change[k] < 0)
				what = "mean |x| and its change >= 0 (or NaN)";
	}
	if (what)
		return winit_error_set(err, WINIT_ERR_ARG, "coordinate check '%.*s': expected %s",
		                       (int)strnlen(c->name, sizeof c->name - 1), c->name, what);
	return WINIT_OK;
}

/* A [step][width] table: an array per step of one number per width. */
static void write_table(struct json *j, const char *key, const double *v, int32_t steps,
                        int32_t n_widths)
{
	json_key(j, key);
	json_begin_array(j);
	for (int32_t t = 0; t <= steps; t++) {
		json_begin_array(j);
		for (int32_t w = 0; w < n_widths; w++)
			json_number(j, v[(size_t)t * (size_t)n_widths + (size_t)w]);
		json_end_array(j);
	}
	json_end_array(j);
}

void winit_coord_checks_write(struct json *j, const struct winit_coord_check *cs, size_t n)
{
	if (n == 0)
		return;
	json_key(j, "coord_checks");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		const struct winit_coord_check *c = &cs[i];
		json_begin_object(j);
		json_string_at(j, "name", c->name);
		json_string_at(j, "parametrization", c->parametrization);
		json_key(j, "widths");
		json_begin_array(j);
		for (int32_t w = 0; w < c->n_widths; w++)
			json_int(j, c->widths[w]);
		json_end_array(j);
		json_key(j, "seeds");
		json_begin_array(j);
		for (int32_t s = 0; s < c->n_seeds; s++)
			json_int(j, c->seeds[s]);
		json_end_array(j);
		json_int_at(j, "steps", c->steps);
		json_int_at(j, "batch_size", c->batch_size);
		json_key(j, "layers");
		json_begin_array(j);
		for (int32_t l = 0; l < c->n_layers; l++) {
			json_begin_object(j);
			json_string_at(j, "name", c->layers[l].name);
			json_string_at(j, "of", winit_coord_of_name(c->layers[l].of));
			write_table(j, "mean_abs", c->layers[l].mean_abs, c->steps, c->n_widths);
			write_table(j, "change", c->layers[l].change, c->steps, c->n_widths);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

void winit_coord_checks_free(struct winit_coord_check *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		winit_coord_check_free(&c[i]);
	free(c);
}

int winit_coord_checks_check(const struct winit_coord_check *c, size_t n, const char *path,
                             struct winit_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct winit_error e = { 0 };
		if (winit_coord_check_validate(&c[i], &e))
			return winit_error_set(err, WINIT_ERR_ARG, "%s: %s", path, e.msg);
		for (size_t k = 0; k < i; k++)
			if (strcmp(c[k].name, c[i].name) == 0 && strcmp(c[k].parametrization, c[i].parametrization) == 0)
				return winit_error_set(err, WINIT_ERR_ARG, "%s: coordinate check '%s' (%s) is given twice",
				                       path, c[i].name, c[i].parametrization);
	}
	return WINIT_OK;
}
