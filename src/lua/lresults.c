/* src/lua/lresults.c -- the Results a study:run returns: the final table, CSV, the results
 * file, the HTML report and the runs as Lua tables. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/cancel.h>
#include <winit/dist.h>
#include <winit/report_page.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

static struct lresults *check_results(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_RESULTS);
}

static int results_gc(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	for (size_t i = 0; r->results && i < r->n; i++)
		winit_run_result_free(&r->results[i]);
	free(r->results);
	free(r->runs);
	free(r->kernels);
	for (size_t i = 0; r->coord && i < r->n_coord; i++)
		winit_coord_check_free(&r->coord[i]);
	free(r->coord);
	r->coord = NULL;
	r->n_coord = 0;
	for (size_t i = 0; r->spectra && i < r->n_spectra; i++)
		winit_spectrum_free(&r->spectra[i]);
	free(r->spectra);
	r->spectra = NULL;
	r->n_spectra = 0;
	r->results = NULL;
	r->runs = NULL;
	r->kernels = NULL;
	r->n = 0;
	return 0;
}

/* Whether run s is a grid cell with level "factor=level". */
static int has_level(const struct winit_run_spec *s, const char *fl)
{
	const char *eq = strchr(fl, '=');
	for (int32_t f = 0; eq && f < s->n_factors; f++)
		if (strlen(s->factors[f].name) == (size_t)(eq - fl) &&
		    strncmp(s->factors[f].name, fl, (size_t)(eq - fl)) == 0 && strcmp(s->factors[f].value, eq + 1) == 0)
			return 1;
	return 0;
}

/* The options of print_table and write_csv: {baseline = ..., target = ...} at idx (and
 * write_csv's overwrite, read by the caller). */
static void read_table_opts(lua_State *L, int idx, const struct lresults *r, struct winit_table_opts *opts,
                            const char *fn)
{
	static const char *const keys[] = { "baseline", "target", NULL };
	static const char *const csv_keys[] = { "baseline", "target", "overwrite", NULL };
	int csv = strcmp(fn, "Results:write_csv") == 0;
	memset(opts, 0, sizeof *opts);
	if (lua_isnoneornil(L, idx))
		return;
	luaL_checktype(L, idx, LUA_TTABLE);
	winit_lua_check_keys(L, idx, csv ? csv_keys : keys, fn, 0);
	opts->target = winit_lua_opt_num(L, idx, "target", 0, fn);
	if (!(opts->target >= 0 && opts->target <= 1))
		luaL_error(L, "%s: 'target' is a validation accuracy in [0, 1] (got %f)", fn, opts->target);
	lua_getfield(L, idx, "baseline");
	if (!lua_isnil(L, -1)) {
		opts->baseline = luaL_checkstring(L, -1); /* kept alive by the options table */
		size_t i = 0;
		while (i < r->n && strcmp(r->runs[i].label, opts->baseline) != 0 && !has_level(&r->runs[i], opts->baseline))
			i++;
		if (i == r->n)
			luaL_error(L, "%s: baseline '%s' is not a label of this study, nor a grid's factor=level (the first run's label is '%s')",
			           fn, opts->baseline, r->n ? r->runs[0].label : "");
	}
	lua_pop(L, 1);
}

/* Under mpirun every rank runs the script and holds every result; rank 0 alone prints
 * and writes files (winit/dist.h), so the table, the CSV files, the results file and the
 * report appear once.  The arguments are still checked on every rank. */
static int quiet_rank(void)
{
	return winit_dist_rank() > 0;
}

/* results:print_table{baseline = "glorot_normal" | "init=glorot_normal", target = 0.85} */
static int results_print_table(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	struct winit_table_opts opts;
	read_table_opts(L, 2, r, &opts, "Results:print_table");
	if (quiet_rank())
		return 0;
	winit_results_print_table_opts(stdout, r->runs, r->results, r->n, &opts);
	fflush(stdout);
	return 0;
}

/* results:write_csv(dir, {baseline = ..., target = ..., overwrite = false}):
 * dir/runs.csv, dir/summary.csv */
static int results_write_csv(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	const char *dir = winit_lua_check_path(L, 2);
	struct winit_table_opts opts;
	read_table_opts(L, 3, r, &opts, "Results:write_csv");
	unsigned flags = winit_lua_write_flags(L, lua_istable(L, 3) ? 3 : 0, "Results:write_csv");
	if (quiet_rank())
		return 0;
	struct winit_error err = { 0 };
	if (winit_results_write_csv_ext(dir, r->runs, r->results, r->n, &opts, flags, &err))
		return luaL_error(L, "Results:write_csv: %s", err.msg);
	return 0;
}

/* results:save(path [, {overwrite = false}]) */
static int results_save(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	const char *path = winit_lua_check_path(L, 2);
	if (!lua_isnoneornil(L, 3)) {
		static const char *const keys[] = { "overwrite", NULL };
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, "Results:save", 0);
	}
	unsigned flags = winit_lua_write_flags(L, lua_istable(L, 3) ? 3 : 0, "Results:save");
	if (quiet_rank())
		return 0;
	struct winit_error err = { 0 };
	struct winit_results_sections sec = { r->coord, r->n_coord, r->spectra, r->n_spectra };
	if (winit_results_write_json_sections(path, r->name, r->seed, r->runs, r->results, r->n, &sec,
	                                      flags, &err))
		return luaL_error(L, "%s", err.msg);
	return 0;
}

/* results:report(path [, {figures = {...}}]) -> path: the HTML report (winit report's
 * page) of these results, with the script's figures (lfigure.c) after the summary.
 * It renders what the results file would hold: the results go through a temporary file,
 * so a report from a script and from `winit report` on its saved file are the same page. */
static int results_report(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	const char *path = winit_lua_check_path(L, 2);
	struct winit_lua_figures figs;
	winit_lua_check_figures(L, 3, &figs);
	unsigned flags = winit_lua_write_flags(L, lua_istable(L, 3) ? 3 : 0, "results:report");
	if (quiet_rank()) {
		lua_pushstring(L, path);
		return 1;
	}
	const char *dir = getenv("TMPDIR");
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s/winit-report-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0)
		return luaL_error(L, "results:report: cannot create a temporary file in %s: %s",
		                  dir && *dir ? dir : "/tmp", strerror(errno));
	close(fd);
	struct winit_error err = { 0 };
	struct winit_report_study back;
	struct winit_results_sections sec = { r->coord, r->n_coord, r->spectra, r->n_spectra };
	int rc = winit_results_write_json_sections(tmp, r->name, r->seed, r->runs, r->results, r->n,
	                                           &sec, 0, &err);
	if (!rc)
		rc = winit_report_read(tmp, &back, &err);
	unlink(tmp);
	if (!rc) {
		rc = winit_report_write_html_with(path, &back, NULL, winit_lua_write_figures, &figs, flags, &err);
		winit_report_free(&back);
	}
	if (rc)
		return luaL_error(L, "results:report: %s", err.msg);
	lua_pushstring(L, path);
	return 1;
}

/* results:runs() -> { {name=, label=, status=, error= (winit_fields_status; status "not
 *                      run" for a run not executed), test_loss=, test_accuracy=, seconds=
 *                      (the members of winit_fields_outcome for Lua), best_epoch=, val_auc=,
 *                      epochs_to_target=, steps_to_target= (those of winit_fields_learning
 *                      for Lua, when known), history=..., diagnostics=, theory=}, ... } */
static int results_runs(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	lua_createtable(L, (int)r->n, 0);
	for (size_t i = 0; i < r->n; i++) {
		const struct winit_run_result *x = &r->results[i];
		lua_createtable(L, 0, 8);
		lua_pushstring(L, r->runs[i].name);
		lua_setfield(L, -2, "name");
		lua_pushstring(L, r->runs[i].label);
		lua_setfield(L, -2, "label");
		lua_pushinteger(L, r->runs[i].replicate);
		lua_setfield(L, -2, "replicate");
		lua_pushstring(L, r->runs[i].design == WINIT_DESIGN_INDEPENDENT ? "independent" : "paired");
		lua_setfield(L, -2, "design");
		if (r->runs[i].n_factors > 0) {
			lua_createtable(L, 0, r->runs[i].n_factors);
			for (int32_t f = 0; f < r->runs[i].n_factors; f++) {
				lua_pushstring(L, r->runs[i].factors[f].value);
				lua_setfield(L, -2, r->runs[i].factors[f].name);
			}
			lua_setfield(L, -2, "factors");
		}
		/* The run seed every stream of the run derives from, as a decimal string (64
		 * bits do not fit a Lua integer's range).  winit.set_seed(it) before building a
		 * model makes model:fit repeat the run exactly. */
		char seed[24];
		snprintf(seed, sizeof seed, "%llu", (unsigned long long)x->run_seed);
		lua_pushstring(L, seed);
		lua_setfield(L, -2, "run_seed");
		lua_pushstring(L, r->runs[i].expect == WINIT_EXPECT_DIVERGED ? "diverged" : "ok");
		lua_setfield(L, -2, "expect");
		winit_lua_set_fields(L, winit_fields_status, x);
		if (!x->done) { /* a run the study did not get to has no outcome */
			lua_pushstring(L, "not run");
			lua_setfield(L, -2, "status");
		}
		winit_lua_set_fields(L, winit_fields_outcome, x);
		struct winit_learning lm;
		winit_learning_metrics(&lm, &x->history, &x->diagnostics, r->runs[i].target);
		winit_lua_set_fields(L, winit_fields_learning, &lm);
		winit_lua_push_history(L, x->history.epochs, x->history.n);
		lua_setfield(L, -2, "history");
		winit_lua_push_diagnostics(L, &x->diagnostics, 0);
		lua_setfield(L, -2, "diagnostics");
		winit_lua_push_theory(L, &x->theory);
		lua_setfield(L, -2, "theory");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int results_failed(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	lua_Integer n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->results[i].done && r->results[i].status != 0;
	lua_pushinteger(L, n);
	return 1;
}

/* results:complete([{ quiet = false }]) -> true when every run of the study is here;
 * false, after printing "shard: K of N runs here; merge the shards (winit merge) and run
 * again with --resume for the analysis" (unless quiet), when a shard (winit run --shard)
 * ran only its share: a script's analysis then waits for the merged, resumed run. */
static int results_complete(lua_State *L)
{
	struct lresults *r = check_results(L, 1);
	int quiet = 0;
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "quiet");
		quiet = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	size_t here = 0;
	for (size_t i = 0; i < r->n; i++)
		here += r->results[i].done != 0;
	if (here < r->n && !quiet) {
		printf("shard: %zu of %zu runs here; merge the shards (winit merge) and run again with "
		       "--resume for the analysis\n",
		       here, r->n);
		fflush(stdout);
	}
	lua_pushboolean(L, here == r->n);
	return 1;
}

static const luaL_Reg results_methods[] = {
	{ "print_table", results_print_table },
	{ "write_csv", results_write_csv },
	{ "save", results_save },
	{ "report", results_report },
	{ "runs", results_runs },
	{ "failed", results_failed },
	{ "complete", results_complete },
	{ NULL, NULL }
};

void winit_lua_open_results(lua_State *L, int module_index)
{
	(void)module_index;
	winit_lua_new_class(L, MT_RESULTS, results_methods, results_gc);
}
