/* src/study/grid.c -- factorial designs (winit/study.h): a grid's runs in their order
 * (every combination of levels, the last factor fastest, then the replicates), their
 * labels, names and cells, and the runs added to a study.  The Lua study:grid converts
 * its tables into a struct winit_grid and calls these; a C program gets the same runs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <winit/study.h>

#define LEVEL_BYTES (sizeof(((struct winit_factor *)0)->value) - 1)

static int check_factor(const struct winit_grid_factor *f, struct winit_error *err)
{
	if (!f->name[0] || strlen(f->name) >= sizeof f->name)
		return winit_error_set(err, WINIT_ERR_ARG, "a factor needs a name of 1 to %zu bytes",
		                       sizeof f->name - 1);
	if (f->n_levels < 1 || !f->levels)
		return winit_error_set(err, WINIT_ERR_ARG, "factor '%s' needs a non-empty list of levels",
		                       f->name);
	/* Level names identify the cell: two levels of a factor may not share one (as far
	 * as a results file keeps it). */
	for (int32_t a = 0; a < f->n_levels; a++) {
		if (!f->levels[a])
			return winit_error_set(err, WINIT_ERR_ARG, "factor '%s': level %d has no name",
			                       f->name, (int)a + 1);
		for (int32_t b = 0; b < a; b++)
			if (strncmp(f->levels[a], f->levels[b], LEVEL_BYTES) == 0)
				return winit_error_set(err, WINIT_ERR_ARG, "factor '%s' has two levels named '%.*s'",
				                       f->name, (int)LEVEL_BYTES, f->levels[a]);
	}
	return WINIT_OK;
}

int winit_grid_check(const struct winit_grid *g, struct winit_error *err)
{
	if (g->n_factors < 1 || g->n_factors > WINIT_FACTORS_MAX)
		return winit_error_set(err, WINIT_ERR_ARG, "a grid has 1 to %d factors (got %d)",
		                       WINIT_FACTORS_MAX, (int)g->n_factors);
	if (g->replicates < 1)
		return winit_error_set(err, WINIT_ERR_ARG, "a grid's replicates must be >= 1 (got %d)",
		                       (int)g->replicates);
	for (int32_t f = 0; f < g->n_factors; f++) {
		int rc = check_factor(&g->factors[f], err);
		if (rc)
			return rc;
		for (int32_t e = 0; e < f; e++)
			if (strcmp(g->factors[e].name, g->factors[f].name) == 0)
				return winit_error_set(err, WINIT_ERR_ARG, "two factors are named '%s'",
				                       g->factors[f].name);
	}
	return WINIT_OK;
}

size_t winit_grid_size(const struct winit_grid *g)
{
	size_t n = (size_t)(g->replicates > 0 ? g->replicates : 0);
	for (int32_t f = 0; f < g->n_factors; f++)
		n *= (size_t)(g->factors[f].n_levels > 0 ? g->factors[f].n_levels : 0);
	return g->n_factors > 0 ? n : 0;
}

int winit_grid_run_at(const struct winit_grid *g, size_t i, struct winit_grid_run *run,
                      struct winit_error *err)
{
	memset(run, 0, sizeof *run);
	if (i >= winit_grid_size(g))
		return winit_error_set(err, WINIT_ERR_ARG, "run %zu of a grid of %zu", i, winit_grid_size(g));
	run->replicate = (int32_t)(i % (size_t)g->replicates);
	size_t cell = i / (size_t)g->replicates;
	/* The last factor varies fastest, so runs group by the first. */
	for (int32_t f = g->n_factors - 1; f >= 0; f--) {
		run->at[f] = (int32_t)(cell % (size_t)g->factors[f].n_levels);
		cell /= (size_t)g->factors[f].n_levels;
	}
	run->n_factors = g->n_factors;
	for (int32_t f = 0; f < g->n_factors; f++) {
		struct winit_factor *c = &run->factors[f];
		snprintf(c->name, sizeof c->name, "%s", g->factors[f].name);
		snprintf(c->value, sizeof c->value, "%s", g->factors[f].levels[run->at[f]]);
		size_t len = strlen(run->label);
		if ((size_t)snprintf(run->label + len, sizeof run->label - len, "%s%s", f ? " / " : "",
		                     c->value) >= sizeof run->label - len)
			return winit_error_set(err, WINIT_ERR_ARG, "the label of cell '%s...' is longer than %d characters",
			                       run->label, WINIT_RUN_NAME_MAX - 1);
	}
	snprintf(run->name, sizeof run->name, "%s#%d", run->label, (int)run->replicate + 1);
	return WINIT_OK;
}

int winit_study_add_grid(struct winit_study *s, const struct winit_grid *g,
                         winit_grid_build_fn build, void *ctx, struct winit_error *err)
{
	int rc = winit_grid_check(g, err);
	struct winit_grid_run cell;
	struct winit_run_spec run;
	for (size_t i = 0; !rc && i < winit_grid_size(g); i++) {
		if ((rc = winit_grid_run_at(g, i, &cell, err)))
			break;
		memset(&run, 0, sizeof run);
		if ((rc = build(ctx, &cell, &run, err))) {
			winit_model_spec_free(&run.model);
			break;
		}
		if (strlen(cell.name) >= sizeof run.name) {
			winit_model_spec_free(&run.model);
			return winit_error_set(err, WINIT_ERR_ARG, "run name '%s' is longer than %d characters",
			                       cell.name, WINIT_RUN_NAME_MAX - 1);
		}
		memcpy(run.name, cell.name, strlen(cell.name) + 1);
		memcpy(run.label, cell.label, sizeof run.label);
		run.replicate = cell.replicate;
		run.n_factors = cell.n_factors;
		memcpy(run.factors, cell.factors, sizeof run.factors);
		rc = winit_study_add(s, &run, err); /* the study keeps its own copy of the model */
		winit_model_spec_free(&run.model);
	}
	return rc;
}
