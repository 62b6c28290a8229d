/* src/lua/lstudy.c -- studies: winit.Study (runs described with study:add), study:run on
 * the engine's executor with an observer that saves the results file after every run;
 * the Results it returns are lresults.c's. */
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
#include <winit/results.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

struct lstudy {
	char name[128];
	uint64_t seed;
	int32_t design; /* enum winit_design */
	double target;  /* validation accuracy for epochs-to-target, 0: none */
	size_t n, cap;
	struct winit_run_spec *runs;
};


/* How the studies of this Lua state ended (winit_lua_failed_runs): a userdata in the
 * registry, created by the first study:run. */
struct loutcomes {
	size_t n_runs, n_failed, n_listed;
	char listed[768]; /* "a (reason), b (reason)" for the first failures that fit */
};

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

/* Count a study's executed runs; list each failure as "name (first line of the reason)". */
static void record_outcomes(lua_State *L, const struct winit_run_spec *runs,
                            const struct winit_run_result *res, size_t n)
{
	struct loutcomes *o = outcomes(L, 1);
	for (size_t i = 0; i < n; i++) {
		if (!res[i].done || res[i].status == WINIT_ERR_CANCELLED)
			continue;
		o->n_runs++;
		if (res[i].status == WINIT_OK)
			continue;
		o->n_failed++;
		char item[256];
		int why = (int)strcspn(res[i].error, "\n");
		int cut = why > 160;
		snprintf(item, sizeof item, "%s%s (%.*s%s)", o->n_listed ? ", " : "", runs[i].name,
		         cut ? 157 : why, res[i].error, cut ? "..." : "");
		size_t len = strlen(o->listed);
		if (o->n_listed == o->n_failed - 1 && len + strlen(item) < sizeof o->listed) {
			memcpy(o->listed + len, item, strlen(item) + 1);
			o->n_listed++;
		}
	}
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
	free(s->runs);
	s->runs = NULL;
	s->n = s->cap = 0;
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
	opt_text(L, 1, "name", "study", s->name, sizeof s->name, "Study");
	s->seed = opt_seed(L, 1, "seed", winit_lua_default_seed(L), "Study");
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
	s->design = d == 0 ? WINIT_DESIGN_PAIRED : WINIT_DESIGN_INDEPENDENT;
	s->target = winit_lua_opt_num(L, 1, "target", 0, "Study");
	if (!(s->target >= 0 && s->target <= 1)) /* lua_pushfstring knows %f, not %g */
		return luaL_error(L, "Study: 'target' is a validation accuracy in [0, 1] (got %f)", s->target);
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

/* study:add{name = "he_normal", label = "he_normal", model = m, train = ds, test = ds,
 *           epochs = 5, batch_size = 64, validation_split = 0.2, replicate = 0} */
static int study_add(lua_State *L)
{
	static const char *const keys[] = { "name", "label", "model", "train", "test", "epochs",
		                            "batch_size", "validation_split", "shuffle", "eval_batch_size", "replicate", "seed", "diagnostics",
		                            NULL };
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
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->runs[i].name, name) == 0)
			return luaL_error(L, "Study:add: a run named '%s' already exists; run names are keys and must be unique", name);
	lua_getfield(L, 2, "model");
	struct lmodel *m = luaL_testudata(L, -1, MT_MODEL);
	if (!m)
		return luaL_error(L, "Study:add: 'model' must be a model from winit.Sequential");
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
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		void *p = realloc(s->runs, cap * sizeof *s->runs);
		if (!p)
			return luaL_error(L, "out of memory");
		s->runs = p;
		s->cap = cap;
	}
	struct winit_run_spec *r = &s->runs[s->n];
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name);
	opt_text(L, 2, "label", name, r->label, sizeof r->label, "Study:add");
	/* Without a replicate index, a run is the next replicate of its label. */
	int32_t next = 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->runs[i].label, r->label) == 0)
			next++;
	r->replicate = (int32_t)winit_lua_opt_int(L, 2, "replicate", next, 0, INT32_MAX, "Study:add");
	r->design = s->design;
	r->target = s->target;
	/* Paired: replicate r of a label is the one run of pair r for that condition. */
	for (size_t i = 0; s->design == WINIT_DESIGN_PAIRED && i < s->n; i++)
		if (strcmp(s->runs[i].label, r->label) == 0 && s->runs[i].replicate == r->replicate)
			return luaL_error(L, "Study:add: run '%s' repeats replicate %d of label '%s' (run '%s'); in the paired design each replicate of a label is one run (give another replicate, or leave it out)",
			                  name, (int)r->replicate, r->label, s->runs[i].name);
	r->seed = opt_seed(L, 2, "seed", s->seed, "Study:add");
	r->model = m->spec;
	if (m->schedule.kind != WINIT_LR_CONSTANT)
		return luaL_error(L, "Study:add: a learning-rate schedule is not part of a run description yet; "
		                     "use a constant learning_rate in studies (model:fit takes schedules)");
	r->optimizer = m->opt_spec;
	winit_lua_read_fit(L, 2, &r->fit, "Study:add");
	r->train = &train->ds;
	r->test = test ? &test->ds : NULL;
	snprintf(r->train_source, sizeof r->train_source, "%s", train->source);
	if (test)
		snprintf(r->test_source, sizeof r->test_source, "%s", test->source);
	s->n++;
	lua_settop(L, 1);
	return 1;
}

struct winit_run_spec *winit_lua_study_last_run(lua_State *L, int idx)
{
	struct lstudy *s = check_study(L, idx);
	if (s->n == 0)
		luaL_error(L, "Study: no run was added");
	return &s->runs[s->n - 1];
}

static int study_len(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)check_study(L, 1)->n);
	return 1;
}

/* Reports progress and saves every finished run (winit/results.h: appended to the
 * journal, the file written whole now and then), so nothing computed is lost if a later
 * run fails or the user interrupts. */
struct run_obs {
	struct winit_observer inner;
	pthread_mutex_t lock;
	struct winit_results_saver *saver; /* NULL: not saving */
	size_t saved;                      /* runs saved so far */
	int save_failed;
	struct winit_error save_err;
};

static void obs_start(void *ctx, size_t i, const struct winit_run_spec *s)
{
	struct run_obs *o = ctx;
	if (o->inner.run_start)
		o->inner.run_start(o->inner.ctx, i, s);
}

static void obs_batch(void *ctx, size_t i, int32_t e, int64_t st, int64_t sts, double l, double a)
{
	struct run_obs *o = ctx;
	if (o->inner.batch_end)
		o->inner.batch_end(o->inner.ctx, i, e, st, sts, l, a);
}

static void obs_epoch(void *ctx, size_t i, const struct winit_epoch_stats *st)
{
	struct run_obs *o = ctx;
	if (o->inner.epoch_end)
		o->inner.epoch_end(o->inner.ctx, i, st);
}

static void obs_end(void *ctx, size_t i, const struct winit_run_spec *s,
                    const struct winit_run_result *r)
{
	struct run_obs *o = ctx;
	if (o->inner.run_end)
		o->inner.run_end(o->inner.ctx, i, s, r);
	pthread_mutex_lock(&o->lock);
	if (o->saver && !o->save_failed) {
		struct winit_error err = { 0 };
		if (winit_results_saver_add(o->saver, i, r, &err)) {
			/* Training on would compute runs that cannot be kept: stop the study now
			 * (the runs in progress stop within a step); the file keeps what it had. */
			o->save_failed = 1;
			o->save_err = err;
			winit_cancel(WINIT_CANCEL_SAVE_FAILED);
		} else {
			o->saved = winit_results_saver_count(o->saver);
		}
	}
	pthread_mutex_unlock(&o->lock);
}

/* The CLI's --shard I/N (winit_lua_set_shard), else shard 0 of 1. */
static void shard_of(lua_State *L, int *index, int *count)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KEY_SHARD);
	if (lua_isinteger(L, -1)) {
		lua_Integer v = lua_tointeger(L, -1);
		*index = (int)(v >> 32);
		*count = (int)(v & 0xffffffff);
	}
	lua_pop(L, 1);
	if (*count < 1 || *index < 0 || *index >= *count) {
		*index = 0;
		*count = 1;
	}
}

/* study:run{jobs = 0, save = "results/x.json", verbose = 1, resume = false, prune = false,
 *            overwrite = false} -> results */
static int study_run(lua_State *L)
{
	static const char *const keys[] = { "jobs",  "save",      "verbose", "resume",
		                            "prune", "overwrite", NULL };
	struct lstudy *s = check_study(L, 1);
	lua_settop(L, 2);
	if (lua_isnil(L, 2)) {
		lua_newtable(L);
		lua_replace(L, 2);
	}
	luaL_checktype(L, 2, LUA_TTABLE);
	winit_lua_check_keys(L, 2, keys, "Study:run", 0);
	int jobs = (int)winit_lua_opt_int(L, 2, "jobs", winit_lua_default_jobs(L), 0, INT32_MAX, "Study:run");
	int verbose = (int)winit_lua_opt_int(L, 2, "verbose", 1, 0, INT32_MAX, "Study:run");
	int explicit_resume = lua_getfield(L, 2, "resume") != LUA_TNIL;
	lua_pop(L, 1);
	int resume = winit_lua_opt_bool(L, 2, "resume", winit_lua_default_resume(L) != 0, "Study:run");
	int prune = winit_lua_opt_bool(L, 2, "prune", winit_lua_default_resume(L) == 2, "Study:run");
	unsigned save_flags = winit_lua_write_flags(L, 2, "Study:run");
	lua_getfield(L, 2, "save");
	const char *save = lua_isnil(L, -1) ? NULL : luaL_checkstring(L, -1);
	if (s->n == 0)
		return luaL_error(L, "Study:run: the study has no runs; add some with study:add{...}");
	if (prune && !resume)
		return luaL_error(L, "Study:run: prune = true goes with resume = true (it drops the "
		                     "runs of the results file that the study no longer lists)");
	if (resume && !save && explicit_resume)
		return luaL_error(L, "Study:run: resume = true needs save = PATH, the results file "
		                     "to resume from");
	/* Under mpirun only rank 0 reports and saves (winit/dist.h). */
	if (winit_dist_rank() > 0) {
		verbose = 0;
		save = NULL;
	}
	if (save) {
		/* Fail before training, not after the first run. */
		struct winit_error werr = { 0 };
		if (winit_results_check_writable_ext(save, save_flags, &werr))
			return luaL_error(L, "Study:run: %s", werr.msg);
	}

	struct lresults *res = lua_newuserdatauv(L, sizeof *res, 1);
	memset(res, 0, sizeof *res);
	luaL_setmetatable(L, MT_RESULTS);
	lua_getiuservalue(L, 1, 1); /* the results keep the datasets alive too */
	lua_setiuservalue(L, -2, 1);
	snprintf(res->name, sizeof res->name, "%s", s->name);
	res->seed = s->seed;
	res->n = s->n;
	res->runs = malloc(s->n * sizeof *res->runs);
	res->results = calloc(s->n, sizeof *res->results);
	res->kernels = calloc(s->n, sizeof *res->kernels);
	if (!res->runs || !res->results || !res->kernels)
		return luaL_error(L, "out of memory");
	memcpy(res->runs, s->runs, s->n * sizeof *res->runs);
	struct winit_resume taken = { 0 };
	struct winit_error werr = { 0 };
	if (resume && save &&
	    winit_results_resume(save, res->name, res->seed, res->runs, res->results, res->kernels,
	                         res->n, prune, verbose ? stdout : NULL, &taken, &werr))
		return luaL_error(L, "Study:run: %s", werr.msg);
	struct run_obs o;
	memset(&o, 0, sizeof o);
	if (save) {
		struct winit_save_options so = {
			.resumed = resume,
			.kept = (const char *const *)taken.kept,
			.kept_len = taken.kept_len,
			.n_kept = taken.n_kept,
			.log = verbose ? stdout : NULL,
			.write_flags = save_flags,
		};
		int rc = winit_results_saver_open(&o.saver, save, res->name, res->seed, res->runs,
		                                  res->results, res->n, &so, &werr);
		winit_resume_free(&taken);
		if (rc)
			return luaL_error(L, "Study:run: %s%s", werr.msg,
			                  werr.status == WINIT_ERR_IO ?
			                          "; the study stopped before any run could be saved" :
			                          "");
		o.saved = winit_results_saver_count(o.saver);
	}
	/* One shard of a job array: the other runs count as done while executing (the
	 * executor skips them, and the observer, which alone gives runs to the saver,
	 * never sees them), then as not run. */
	int shard_i = 0, shard_n = 1;
	shard_of(L, &shard_i, &shard_n);
	unsigned char *outside = shard_n > 1 ? calloc(res->n, 1) : NULL;
	for (size_t i = 0; outside && i < res->n; i++)
		if ((int)(i % (size_t)shard_n) != shard_i && !res->results[i].done)
			outside[i] = res->results[i].done = 1;
	if (shard_n > 1 && !outside) {
		winit_results_saver_close(o.saver, NULL);
		return luaL_error(L, "out of memory");
	}
	/* No live line under mpirun: its relayed stdout is a pseudo-terminal, not the user's. */
	int live = winit_lua_progress_tty() && winit_dist_size() == 1;
	struct winit_progress *p = verbose ?
	                                   winit_progress_new(stdout, res->runs, res->n, live) :
	                                   NULL;
	if (p)
		winit_progress_observer(p, &o.inner);
	pthread_mutex_init(&o.lock, NULL);
	struct winit_observer obs = {
		.ctx = &o,
		.run_start = obs_start,
		.batch_end = obs_batch,
		.epoch_end = obs_epoch,
		.run_end = obs_end,
	};
	struct winit_error derr = { 0 };
	struct winit_lua_sigguard g;
	winit_lua_sigguard_on(&g);
	winit_study_execute_dist(res->runs, res->n, jobs, res->results, &obs, &derr);
	winit_lua_sigguard_off(&g);
	for (size_t i = 0; i < res->n; i++)
		if (outside && outside[i])
			res->results[i].done = 0;
	free(outside);
	/* The file written whole, the journal removed (a shard with no run still leaves a
	 * file, with the study's header, so a merge of every task's file finds each one). */
	struct winit_error cerr = { 0 };
	if (winit_results_saver_close(o.saver, &cerr) && !o.save_failed) {
		o.save_failed = 1;
		o.save_err = cerr;
	}
	record_outcomes(L, res->runs, res->results, res->n);
	if (p)
		winit_progress_free(p);
	pthread_mutex_destroy(&o.lock);
	if (o.save_failed && o.saved == 0)
		return luaL_error(L, "Study:run: %s; the study stopped before any run could be saved",
		                  o.save_err.msg);
	if (o.save_failed)
		return luaL_error(L, "Study:run: %s; the study stopped (the file keeps the %d %s saved "
		                     "before)",
		                  o.save_err.msg, (int)o.saved, o.saved == 1 ? "run" : "runs");
	if (winit_cancelled())
		return winit_lua_interrupted_error(L, save);
	if (derr.status)
		return luaL_error(L, "Study:run: %s%s%s", derr.msg, save ? "; finished runs are saved in " : "",
		                  save ? save : "");
	return 1;
}

static const luaL_Reg study_methods[] = {
	{ "add", study_add },
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
