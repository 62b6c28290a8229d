/* src/lua/lstudy.c -- studies: winit.Study (runs described with study:add), study:run on
 * the engine's executor with an observer that saves the results file after every run;
 * the Results it returns are lresults.c's. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/cancel.h>
#include <winit/dist.h>
#include <winit/report_page.h>
#include <winit/results.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

struct lstudy {
	struct winit_study st; /* the engine's study (winit/study.h): runs, replicate rules */
	size_t n_coord;        /* study:add_coord_check's, in the order added */
	struct winit_coord_check *coord;
	size_t n_spectra; /* study:add_spectrum's, in the order added */
	struct winit_spectrum *spectra;
};


/* How the studies of this Lua state ended (winit_lua_failed_runs): a userdata in the
 * registry, created by the first study:run. */
struct loutcomes {
	size_t n_runs, n_failed, n_listed;
	char listed[768]; /* "a (reason), b (reason)" for the first failures that fit */
	size_t n_unmet, n_unmet_listed; /* runs that finished when expected to diverge */
	char unmet[512];                /* "a, b" for the first that fit */
};

/* Append item to list (size bytes) when every earlier item is in it and this one fits. */
static void list_add(char *list, size_t size, size_t *n_listed, size_t n_before, const char *item)
{
	size_t len = strlen(list);
	if (*n_listed == n_before && len + strlen(item) < size) {
		memcpy(list + len, item, strlen(item) + 1);
		(*n_listed)++;
	}
}

static struct loutcomes *outcomes(lua_State *L, int create)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_OUTCOMES);
	struct loutcomes *o = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!o && create) {
		o = lua_newuserdatauv(L, sizeof *o, 0);
		memset(o, 0, sizeof *o);
		lua_setfield(L, LUA_REGISTRYINDEX, KEY_OUTCOMES);
	}
	return o;
}

/* Count a study's executed runs; list each failure as "name (first line of the reason)"
 * (a divergence the run expected is none), and each run that finished when expected to
 * diverge by its name (winit_run_verdict). */
static void record_outcomes(lua_State *L, const struct winit_run_spec *runs,
                            const struct winit_run_result *res, size_t n)
{
	struct loutcomes *o = outcomes(L, 1);
	for (size_t i = 0; i < n; i++) {
		if (!res[i].done || res[i].status == WINIT_ERR_CANCELLED)
			continue;
		o->n_runs++;
		int verdict = winit_run_verdict(&runs[i], &res[i]);
		char item[256];
		if (verdict == WINIT_VERDICT_NOT_DIVERGED) {
			o->n_unmet++;
			snprintf(item, sizeof item, "%s%s", o->n_unmet_listed ? ", " : "", runs[i].name);
			list_add(o->unmet, sizeof o->unmet, &o->n_unmet_listed, o->n_unmet - 1, item);
		}
		if (verdict != WINIT_VERDICT_FAILED)
			continue;
		o->n_failed++;
		int why = (int)strcspn(res[i].error, "\n");
		int cut = why > 160;
		snprintf(item, sizeof item, "%s%s (%.*s%s)", o->n_listed ? ", " : "", runs[i].name,
		         cut ? 157 : why, res[i].error, cut ? "..." : "");
		list_add(o->listed, sizeof o->listed, &o->n_listed, o->n_failed - 1, item);
	}
}

size_t winit_lua_unmet_runs(lua_State *L, char *summary, size_t size)
{
	const struct loutcomes *o = outcomes(L, 0);
	size_t unmet = o ? o->n_unmet : 0;
	if (size)
		summary[0] = '\0';
	if (unmet && size) {
		char more[64] = "";
		if (o->n_unmet_listed < unmet)
			snprintf(more, sizeof more, ", and %zu more", unmet - o->n_unmet_listed);
		snprintf(summary, size, "%zu of %zu %s expected to diverge finished: %s%s", unmet,
		         o->n_runs, o->n_runs == 1 ? "run" : "runs", o->unmet, more);
	}
	return unmet;
}

size_t winit_lua_failed_runs(lua_State *L, size_t *n_runs, char *summary, size_t size)
{
	const struct loutcomes *o = outcomes(L, 0);
	size_t failed = o ? o->n_failed : 0;
	if (n_runs)
		*n_runs = o ? o->n_runs : 0;
	if (size)
		summary[0] = '\0';
	if (failed && size) {
		char more[64] = "";
		if (o->n_listed < failed)
			snprintf(more, sizeof more, ", and %zu more", failed - o->n_listed);
		snprintf(summary, size, "%zu of %zu %s failed: %s%s", failed, o->n_runs,
		         o->n_runs == 1 ? "run" : "runs", o->listed, more);
	}
	return failed;
}

static struct lstudy *check_study(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_STUDY);
}

static int study_gc(lua_State *L)
{
	struct lstudy *s = check_study(L, 1);
	winit_study_free(&s->st);
	for (size_t i = 0; i < s->n_coord; i++)
		winit_coord_check_free(&s->coord[i]);
	free(s->coord);
	s->coord = NULL;
	s->n_coord = 0;
	for (size_t i = 0; i < s->n_spectra; i++)
		winit_spectrum_free(&s->spectra[i]);
	free(s->spectra);
	s->spectra = NULL;
	s->n_spectra = 0;
	return 0;
}

/* The text of option `key` of table t into buf: a string (or a number, as Lua writes it),
 * `def` when absent; anything else (a table, a function, ...) is refused, not replaced. */
static void opt_text(lua_State *L, int t, const char *key, const char *def, char *buf, size_t size,
                     const char *fn)
{
	int ty = lua_getfield(L, t, key);
	if (ty != LUA_TNIL && ty != LUA_TSTRING && ty != LUA_TNUMBER)
		luaL_error(L, "%s: '%s' must be a string, got %s", fn, key, luaL_typename(L, -1));
	const char *v = ty == LUA_TNIL ? def : lua_tostring(L, -1);
	if (strlen(v) >= size)
		luaL_error(L, "%s: '%s' is longer than %d characters", fn, key, (int)size - 1);
	snprintf(buf, size, "%s", v);
	lua_pop(L, 1);
}

/* A 64-bit seed: an integer in [0, 2^63 - 1] (Lua's integers), or any value in [0, 2^64)
 * as a decimal string (as results files and results:runs() write run seeds). */
static uint64_t opt_seed(lua_State *L, int t, const char *key, uint64_t def, const char *fn)
{
	uint64_t seed = def;
	int ty = lua_getfield(L, t, key);
	if (ty == LUA_TSTRING) {
		const char *txt = lua_tostring(L, -1);
		char *end;
		errno = 0;
		unsigned long long v = strtoull(txt, &end, 10);
		if (!(*txt >= '0' && *txt <= '9') || *end || errno)
			luaL_error(L, "%s: option '%s' must be a decimal string of a seed in [0, 2^64 - 1] "
			              "(18446744073709551615 at most) (got \"%s\")",
			           fn, key, txt);
		seed = (uint64_t)v;
	} else if (ty != LUA_TNIL) {
		int ok = 0;
		lua_Integer v = ty == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
		if (!ok || v < 0)
			luaL_error(L, "%s: option '%s' must be an integer in [0, 2^63 - 1], or any 64-bit "
			              "seed in [0, 2^64 - 1] as a decimal string (e.g. \"18446744073709551615\") "
			              "(got %s)",
			           fn, key, ty == LUA_TNUMBER ? lua_tostring(L, -1) : luaL_typename(L, -1));
		seed = (uint64_t)v;
	}
	lua_pop(L, 1);
	return seed;
}

/* winit.Study{name = "compare_inits", seed = 42, design = "paired" | "independent",
 *             target = 0.85} */
static int l_study(lua_State *L)
{
	static const char *const keys[] = { "name", "seed", "design", "target", NULL };
	static const char *const designs[] = { "paired", "independent", NULL };
	lua_settop(L, 1);
	if (lua_isnil(L, 1)) {
		lua_newtable(L);
		lua_replace(L, 1);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	winit_lua_check_keys(L, 1, keys, "Study", 0);
	struct lstudy *s = lua_newuserdatauv(L, sizeof *s, 1);
	memset(s, 0, sizeof *s);
	luaL_setmetatable(L, MT_STUDY);
	lua_newtable(L); /* keeps datasets alive */
	lua_setiuservalue(L, -2, 1);
	opt_text(L, 1, "name", "study", s->st.name, sizeof s->st.name, "Study");
	s->st.seed = opt_seed(L, 1, "seed", winit_lua_default_seed(L), "Study");
	lua_getfield(L, 1, "design");
	if (!lua_isnil(L, -1) && !lua_isstring(L, -1))
		return luaL_error(L, "Study: 'design' must be \"paired\" or \"independent\"");
	int d = 0;
	if (!lua_isnil(L, -1)) {
		const char *v = lua_tostring(L, -1);
		while (designs[d] && strcmp(designs[d], v) != 0)
			d++;
		if (!designs[d])
			return luaL_error(L, "Study: design \"%s\" is unknown (expected \"paired\" or \"independent\")", v);
	}
	lua_pop(L, 1);
	s->st.design = d == 0 ? WINIT_DESIGN_PAIRED : WINIT_DESIGN_INDEPENDENT;
	s->st.target = winit_lua_opt_num(L, 1, "target", 0, "Study");
	if (!(s->st.target >= 0 && s->st.target <= 1)) /* lua_pushfstring knows %f, not %g */
		return luaL_error(L, "Study: 'target' is a validation accuracy in [0, 1] (got %f)", s->st.target);
	return 1;
}

static void keep_alive(lua_State *L, int study, int value)
{
	value = lua_absindex(L, value);
	lua_getiuservalue(L, study, 1);
	lua_pushvalue(L, value);
	lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
	lua_pop(L, 1);
}

/* The run's callbacks: a list of at most one winit.callbacks.EarlyStopping (a run is data:
 * no Lua function can be part of it). */
static void read_run_callbacks(lua_State *L, int t, struct winit_run_spec *r)
{
	if (lua_getfield(L, t, "callbacks") == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		luaL_error(L, "Study:add: callbacks must be a list, e.g. {winit.callbacks.EarlyStopping{patience = 2}}");
	int n = (int)lua_rawlen(L, -1);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *kind = NULL;
		if (lua_istable(L, -1)) {
			/* a string only, kept alive by the table after the pop */
			kind = lua_rawgeti(L, -1, 1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			lua_pop(L, 1);
		}
		if (!kind || strcmp(kind, "EarlyStopping") != 0)
			luaL_error(L, "Study:add: callbacks[%d]: a study run takes winit.callbacks.EarlyStopping "
			              "only (a run is data; LearningRateScheduler's function and callback tables "
			              "work with model:fit, schedules as the optimizer's learning_rate)",
			           i);
		if (r->fit.early_stopping.enabled)
			luaL_error(L, "Study:add: callbacks[%d]: a run takes one EarlyStopping", i);
		winit_lua_read_early_stopping(L, -1, &r->fit.early_stopping);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* study:add{name = "he_normal", label = "he_normal", model = m, train = ds, test = ds,
 *           epochs = 5, batch_size = 64, validation_split = 0.2, replicate = 0,
 *           callbacks = {winit.callbacks.EarlyStopping{...}}, expect = "ok" | "diverged"} */
static int study_add(lua_State *L)
{
	static const char *const keys[] = { "name", "label", "model", "train", "test", "epochs",
		                            "batch_size", "validation_split", "shuffle", "eval_batch_size", "replicate", "seed", "diagnostics",
		                            "expect", "callbacks", NULL };
	static const char *const expects[] = { "ok", "diverged", NULL };
	struct lstudy *s = check_study(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	winit_lua_check_keys(L, 2, keys, "Study:add", 0);
	if (lua_getfield(L, 2, "name") != LUA_TSTRING && !lua_isnil(L, -1) && !lua_isnumber(L, -1))
		return luaL_error(L, "Study:add: 'name' must be a string, got %s", luaL_typename(L, -1));
	const char *name = lua_tostring(L, -1);
	if (!name || !*name)
		return luaL_error(L, "Study:add: every run needs a name (its key in the results)");
	if (strlen(name) >= WINIT_RUN_NAME_MAX)
		return luaL_error(L, "Study:add: run name longer than %d characters", WINIT_RUN_NAME_MAX - 1);
	lua_getfield(L, 2, "model");
	struct lmodel *m = luaL_testudata(L, -1, MT_MODEL);
	if (!m)
		return luaL_error(L, "Study:add: 'model' must be a model from winit.Sequential or winit.Model");
	if (!m->compiled) /* its optimizer and loss are part of the run */
		return luaL_error(L, "Study:add: the model of run '%s' is not compiled: call "
		                     "model:compile{optimizer = ..., loss = \"categorical_crossentropy\"} first",
		                  name);
	lua_getfield(L, 2, "train");
	struct ldataset *train = luaL_testudata(L, -1, MT_DATASET);
	if (!train)
		return luaL_error(L, "Study:add: 'train' must be a dataset");
	keep_alive(L, 1, -1);
	lua_getfield(L, 2, "test");
	struct ldataset *test = lua_isnil(L, -1) ? NULL : luaL_testudata(L, -1, MT_DATASET);
	if (!lua_isnil(L, -1) && !test)
		return luaL_error(L, "Study:add: 'test' must be a dataset");
	if (test)
		keep_alive(L, 1, -1);
	/* On the Lua stack (a userdata): an argument error below leaks nothing. */
	struct winit_run_spec *r = lua_newuserdatauv(L, sizeof *r, 0);
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	opt_text(L, 2, "label", name, r->label, sizeof r->label, "Study:add");
	/* Without a replicate index (-1), a run is the next replicate of its label. */
	r->replicate = (int32_t)winit_lua_opt_int(L, 2, "replicate", -1, 0, INT32_MAX, "Study:add");
	r->seed = opt_seed(L, 2, "seed", s->st.seed, "Study:add");
	int ty = lua_getfield(L, 2, "expect");
	if (ty != LUA_TNIL) {
		const char *v = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int k = 0;
		while (v && expects[k] && strcmp(expects[k], v) != 0)
			k++;
		if (!v || !expects[k])
			return luaL_error(L, "Study:add: 'expect' must be \"ok\" or \"diverged\" (got %s%s%s)",
			                  v ? "\"" : "", v ? v : luaL_typename(L, -1), v ? "\"" : "");
		r->expect = k == 1 ? WINIT_EXPECT_DIVERGED : WINIT_EXPECT_OK;
	}
	lua_pop(L, 1);
	r->model = m->spec;
	r->optimizer = m->opt_spec;
	r->optimizer.schedule = m->schedule; /* the engine's fit applies it, as model:fit's */
	winit_lua_read_fit(L, 2, &r->fit, "Study:add");
	read_run_callbacks(L, 2, r);
	r->train = &train->ds;
	r->test = test ? &test->ds : NULL;
	snprintf(r->train_source, sizeof r->train_source, "%s", train->source);
	if (test)
		snprintf(r->test_source, sizeof r->test_source, "%s", test->source);
	struct winit_error err = { 0 };
	if (winit_study_add(&s->st, r, &err))
		return luaL_error(L, "Study:add: %s", err.msg);
	lua_settop(L, 1);
	return 1;
}

struct winit_run_spec *winit_lua_study_last_run(lua_State *L, int idx)
{
	struct lstudy *s = check_study(L, idx);
	if (s->st.n == 0)
		luaL_error(L, "Study: no run was added");
	return &s->st.runs[s->st.n - 1];
}

/* study:add_coord_check(cc, {name = "mlp", parametrization = "mup"}): what
 * winit.coord_check returned, saved with the study's runs (the results file's
 * "coord_checks") and drawn by the report. */
static int study_add_coord_check(lua_State *L)
{
	struct lstudy *s = check_study(L, 1);
	struct winit_coord_check c;
	winit_lua_coord_from_table(L, 2, 3, &c);
	for (size_t i = 0; i < s->n_coord; i++)
		if (strcmp(s->coord[i].name, c.name) == 0 &&
		    strcmp(s->coord[i].parametrization, c.parametrization) == 0) {
			winit_coord_check_free(&c);
			return luaL_error(L, "Study:add_coord_check: the study has a coordinate check '%s' "
			                     "(%s) already: give each its own name",
			                  s->coord[i].name, s->coord[i].parametrization);
		}
	struct winit_coord_check *p = realloc(s->coord, (s->n_coord + 1) * sizeof *p);
	if (!p) {
		winit_coord_check_free(&c);
		return luaL_error(L, "out of memory");
	}
	s->coord = p;
	s->coord[s->n_coord++] = c;
	return 0;
}

/* study:add_spectrum{name = "tanh orthogonal", activation = ..., depths = {...}}: a
 * Jacobian spectrum at initialization measured by the script (model:jacobian_spectrum),
 * saved with the study's runs (the results file's "spectra") and drawn by the report. */
static int study_add_spectrum(lua_State *L)
{
	struct lstudy *s = check_study(L, 1);
	struct winit_spectrum sp;
	winit_lua_spectrum_from_table(L, 2, &sp);
	for (size_t i = 0; i < s->n_spectra; i++)
		if (strcmp(s->spectra[i].name, sp.name) == 0) {
			winit_spectrum_free(&sp);
			return luaL_error(L, "Study:add_spectrum: the study has a spectrum '%s' already: "
			                     "give each its own name",
			                  s->spectra[i].name);
		}
	struct winit_spectrum *p = realloc(s->spectra, (s->n_spectra + 1) * sizeof *p);
	if (!p) {
		winit_spectrum_free(&sp);
		return luaL_error(L, "out of memory");
	}
	s->spectra = p;
	s->spectra[s->n_spectra++] = sp;
	return 0;
}

static int study_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_study(L, 1)->st.n);
	return 1;
}

/* What study:run was asked (its table at index 2), checked. */
struct run_args {
	int jobs, verbose, resume, prune;
	unsigned save_flags;
	const char *save; /* NULL: not saved (also on MPI ranks other than 0) */
};

static void run_args(lua_State *L, const struct lstudy *s, struct run_args *a)
{
	static const char *const keys[] = { "jobs", "save", "verbose", "resume",
		                            "prune", "overwrite", NULL };
	if (lua_isnil(L, 2)) {
		lua_newtable(L);
		lua_replace(L, 2);
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	winit_lua_check_keys(L, 2, keys, "Study:run", 0);
	a->jobs = (int)winit_lua_opt_int(L, 2, "jobs", winit_lua_default_jobs(L), 0, INT32_MAX, "Study:run");
	a->verbose = (int)winit_lua_opt_int(L, 2, "verbose", 1, 0, INT32_MAX, "Study:run");
	int explicit_resume = lua_getfield(L, 2, "resume") != LUA_TNIL;
	lua_pop(L, 1);
	a->resume = winit_lua_opt_bool(L, 2, "resume", winit_lua_default_resume(L) != 0, "Study:run");
	a->prune = winit_lua_opt_bool(L, 2, "prune", winit_lua_default_resume(L) == 2, "Study:run");
	a->save_flags = winit_lua_write_flags(L, 2, "Study:run");
	lua_getfield(L, 2, "save"); /* stays on the stack: a->save points into it */
	a->save = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	if (s->st.n == 0)
		luaL_error(L, "Study:run: the study has no runs; add some with study:add{...}");
	if (a->prune && !a->resume)
		luaL_error(L, "Study:run: prune = true goes with resume = true (it drops the "
		              "runs of the results file that the study no longer lists)");
	if (a->resume && !a->save && explicit_resume)
		luaL_error(L, "Study:run: resume = true needs save = PATH, the results file "
		              "to resume from");
	/* Under mpirun only rank 0 reports and saves (winit/dist.h). */
	if (winit_dist_rank() > 0) {
		a->verbose = 0;
		a->save = NULL;
	}
	if (a->save) {
		/* Fail before training, not after the first run. */
		struct winit_error werr = { 0 };
		if (winit_results_check_writable_ext(a->save, a->save_flags, &werr))
			luaL_error(L, "Study:run: %s", werr.msg);
	}
}

/* Push the results object of study s (at index 1): its runs, coordinate checks and
 * spectra copied, its outcomes to be filled. */
static struct lresults *new_results(lua_State *L, const struct lstudy *s)
{
	struct lresults *res = lua_newuserdatauv(L, sizeof *res, 1);
	memset(res, 0, sizeof *res);
	luaL_setmetatable(L, MT_RESULTS);
	lua_getiuservalue(L, 1, 1); /* the results keep the datasets alive too */
	lua_setiuservalue(L, -2, 1);
	snprintf(res->name, sizeof res->name, "%s", s->st.name);
	res->seed = s->st.seed;
	res->n = s->st.n;
	res->runs = malloc(s->st.n * sizeof *res->runs);
	res->results = calloc(s->st.n, sizeof *res->results);
	res->kernels = calloc(s->st.n, sizeof *res->kernels);
	if (!res->runs || !res->results || !res->kernels)
		luaL_error(L, "out of memory");
	memcpy(res->runs, s->st.runs, s->st.n * sizeof *res->runs);
	if (s->n_coord) {
		res->coord = calloc(s->n_coord, sizeof *res->coord);
		if (!res->coord)
			luaL_error(L, "out of memory");
		for (; res->n_coord < s->n_coord; res->n_coord++)
			if (winit_coord_check_copy(&res->coord[res->n_coord], &s->coord[res->n_coord], NULL))
				luaL_error(L, "out of memory");
	}
	if (s->n_spectra) {
		res->spectra = calloc(s->n_spectra, sizeof *res->spectra);
		if (!res->spectra)
			luaL_error(L, "out of memory");
		for (; res->n_spectra < s->n_spectra; res->n_spectra++)
			if (winit_spectrum_copy(&res->spectra[res->n_spectra], &s->spectra[res->n_spectra], NULL))
				luaL_error(L, "out of memory");
	}
	return res;
}

/* study:run{jobs = 0, save = "results/x.json", verbose = 1, resume = false, prune = false,
 *            overwrite = false} -> results */
static int study_run(lua_State *L)
{
	struct lstudy *s = check_study(L, 1);
	lua_settop(L, 2);
	struct run_args a;
	run_args(L, s, &a);
	struct lresults *res = new_results(L, s);
	struct winit_study study = s->st; /* the results' copy of the runs */
	study.runs = res->runs;
	int shard_i = 0, shard_n = 1;
	winit_lua_shard(L, &shard_i, &shard_n);
	/* No live line under mpirun: its relayed stdout is a pseudo-terminal, not the user's. */
	int live = winit_lua_progress_tty() && winit_dist_size() == 1;
	struct winit_progress *p = a.verbose ? winit_progress_new(stdout, res->runs, res->n, live) : NULL;
	struct winit_observer progress = { 0 };
	if (p) {
		winit_progress_results(p, res->results);
		winit_progress_observer(p, &progress);
	}
	struct winit_study_options so = {
		.jobs = a.jobs,
		.save = a.save,
		.resume = a.resume ? (a.prune ? 2 : 1) : 0,
		.write_flags = a.save_flags,
		.shard_index = shard_i,
		.shard_count = shard_n,
		.observer = &progress,
		.log = a.verbose ? stdout : NULL,
		.coord_checks = res->coord,
		.n_coord_checks = res->n_coord,
		.spectra = res->spectra,
		.n_spectra = res->n_spectra,
	};
	struct winit_study_saving saving;
	struct winit_error derr = { 0 };
	struct winit_lua_sigguard g;
	winit_lua_sigguard_on(&g);
	int rc = winit_study_run(&study, res->results, res->kernels, &so, &saving, &derr);
	winit_lua_sigguard_off(&g);
	if (rc && !saving.started) {
		/* Refused before anything ran: resume, the lock, the first write. */
		if (p)
			winit_progress_free(p);
		return luaL_error(L, "Study:run: %s", derr.msg);
	}
	record_outcomes(L, res->runs, res->results, res->n);
	if (p)
		winit_progress_free(p);
	if (saving.failed && saving.saved == 0)
		return luaL_error(L, "Study:run: %s; the study stopped before any run could be saved",
		                  saving.error.msg);
	if (saving.failed)
		return luaL_error(L, "Study:run: %s; the study stopped (the file keeps the %d %s saved "
		                     "before)",
		                  saving.error.msg, (int)saving.saved, saving.saved == 1 ? "run" : "runs");
	if (winit_cancelled())
		return winit_lua_interrupted_error(L, a.save);
	if (derr.status)
		return luaL_error(L, "Study:run: %s%s%s", derr.msg, a.save ? "; finished runs are saved in " : "",
		                  a.save ? a.save : "");
	return 1;
}

static const luaL_Reg study_methods[] = {
	{ "add", study_add },
	{ "add_coord_check", study_add_coord_check },
	{ "add_spectrum", study_add_spectrum },
	{ "grid", winit_lua_study_grid },
	{ "run", study_run },
	{ NULL, NULL }
};


void winit_lua_open_study(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "Study", l_study },
		{ NULL, NULL }
	};
	winit_lua_new_class(L, MT_STUDY, study_methods, study_gc);
	luaL_getmetatable(L, MT_STUDY);
	lua_pushcfunction(L, study_len);
	lua_setfield(L, -2, "__len");
	lua_pop(L, 1);
	winit_lua_set_funcs(L, module_index, funcs);
}
