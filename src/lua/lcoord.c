/* src/lua/lcoord.c -- winit.coord_check: μP's coordinate check (mup's coord_check) from
 * Lua.  For each width and seed a model is built by the script's function, trained a few
 * optimizer steps on consecutive batches, and measured before the first step and after
 * each one on a fixed batch: every layer's mean |z| (pre-activation) and mean |f(z)|, and
 * the mean |change| of each since initialization.  The measurement is a forward pass with
 * the model's forward hook (struct winit_layer_hooks), an inference pass on its own between
 * two fits: it changes no training number. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

#define FN "coord_check"

enum { ST_PRE, ST_ACT, ST_PRE_DELTA, ST_ACT_DELTA, N_ST };
static const char *const stat_names[N_ST] = { "pre", "act", "pre_delta", "act_delta" };

/* What the forward hook fills: per layer, the four means of one measurement. */
struct coord_ctx {
	int init;            /* 1: this pass is at initialization (keep z0 and a0) */
	int n_layers;
	float **z0, **a0;    /* per layer, the values at initialization (batch x n_out) */
	int64_t *cap;        /* per layer, the values z0 and a0 hold room for */
	double (*out)[N_ST]; /* per layer */
	int bad;             /* a layer gave more values than room: an engine inconsistency */
};

static void coord_hook(void *vctx, int layer, const float *z, const float *a, int64_t rows,
                       int64_t cols)
{
	struct coord_ctx *c = vctx;
	if (layer < 0 || layer >= c->n_layers)
		return;
	int64_t n = rows * cols;
	if (n > c->cap[layer] || n <= 0) {
		c->bad = 1;
		return;
	}
	double sz = 0, sa = 0, dz = 0, da = 0;
	float *z0 = c->z0[layer], *a0 = c->a0[layer];
	for (int64_t k = 0; k < n; k++) {
		sz += fabs((double)z[k]);
		sa += fabs((double)a[k]);
		if (c->init) {
			z0[k] = z[k];
			a0[k] = a[k];
		} else {
			dz += fabs((double)z[k] - (double)z0[k]);
			da += fabs((double)a[k] - (double)a0[k]);
		}
	}
	c->out[layer][ST_PRE] = sz / (double)n;
	c->out[layer][ST_ACT] = sa / (double)n;
	c->out[layer][ST_PRE_DELTA] = dz / (double)n;
	c->out[layer][ST_ACT_DELTA] = da / (double)n;
}

/* A list option of positive integers (widths, seeds) at t.key into a new userdata array
 * (pushed); returns its length.  min is the smallest value allowed. */
static int64_t *int_list(lua_State *L, int t, const char *key, int required, lua_Integer min,
                         lua_Integer def, int *n_out)
{
	int ty = lua_getfield(L, t, key);
	if (ty == LUA_TNIL && !required) {
		lua_pop(L, 1);
		int64_t *v = lua_newuserdatauv(L, sizeof *v, 0);
		v[0] = def;
		*n_out = 1;
		return v;
	}
	if (ty != LUA_TTABLE)
		luaL_error(L, FN ": '%s' must be a list of integers (got %s)", key, luaL_typename(L, -1));
	int n = (int)luaL_len(L, -1);
	if (n < 1)
		luaL_error(L, FN ": '%s' must hold at least one integer", key);
	int64_t *v = lua_newuserdatauv(L, sizeof *v * (size_t)n, 0);
	for (int i = 0; i < n; i++) {
		lua_geti(L, -2, i + 1);
		int ok = 0;
		lua_Integer x = lua_tointegerx(L, -1, &ok);
		if (!ok || x < min)
			luaL_error(L, FN ": %s[%d] must be an integer >= %d (got %s)", key, i + 1, (int)min,
			           luaL_tolstring(L, -1, NULL));
		v[i] = x;
		lua_pop(L, 1);
	}
	lua_remove(L, -2); /* the list: the userdata stays */
	*n_out = n;
	return v;
}

/* Rows [first, first + n) of ds as a dataset that borrows its memory (never freed). */
static struct winit_dataset rows_view(const struct winit_dataset *ds, int64_t first, int64_t n)
{
	struct winit_dataset v = *ds;
	v.n = n;
	if (v.x)
		v.x += first * ds->n_features;
	if (v.xf)
		v.xf += first * ds->n_features;
	v.y += first;
	v.map = NULL;
	v.map_len = 0;
	return v;
}

/* Measure the model on the probe batch into c->out (c->init: and keep it as the reference). */
static void measure(lua_State *L, struct lmodel *m, const float *x, int64_t rows,
                    struct coord_ctx *c)
{
	struct winit_model *model = &m->trainer.model;
	struct winit_error err = { 0 };
	if (winit_model_reserve(model, rows, &err))
		luaL_error(L, FN ": %s", err.msg);
	struct winit_layer_hooks saved = model->hooks;
	model->hooks.ctx = c;
	model->hooks.forward = coord_hook;
	model->hooks.backward = NULL;
	int32_t training = model->training;
	model->training = 0;
	winit_model_forward(model, x, rows);
	model->training = training;
	model->hooks = saved;
	if (winit_model_fault(model, &err))
		luaL_error(L, FN ": %s", err.msg);
	if (c->bad)
		luaL_error(L, FN ": a layer's output is larger than its shape says (an engine bug)");
}

/* What winit.coord_check was asked: its options read and checked, and the probe batch. */
struct cc_args {
	int n_w, n_s;
	const int64_t *widths, *seeds;
	int64_t steps, batch, need;
	const struct winit_dataset *ds;
	const float *x; /* the probe: the first batch, as the model sees it */
};

/* The options at index 1 into a; what a points at is anchored on the stack (indices 2 to
 * 5: widths, seeds, the dataset, the probe). */
static void cc_read_args(lua_State *L, struct cc_args *a)
{
	static const char *const keys[] = { "build", "widths", "seeds", "steps", "data",
		                            "batch_size", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	winit_lua_check_keys(L, 1, keys, FN, 0);
	if (lua_getfield(L, 1, "build") != LUA_TFUNCTION)
		luaL_error(L, FN ": 'build' must be a function(width) returning a compiled model "
		              "(got %s)", luaL_typename(L, -1));
	lua_pop(L, 1);
	a->widths = int_list(L, 1, "widths", 1, 1, 0, &a->n_w); /* 2 */
	a->seeds = int_list(L, 1, "seeds", 0, 0, 0, &a->n_s);   /* 3 */
	a->steps = winit_lua_opt_int(L, 1, "steps", 3, 0, 1000000, FN);
	a->batch = winit_lua_opt_int(L, 1, "batch_size", 64, 1, INT32_MAX, FN);
	if (lua_getfield(L, 1, "data") == LUA_TNIL)
		luaL_error(L, FN ": 'data' (a dataset) is required");
	a->ds = &winit_lua_check_dataset(L, -1)->ds; /* 4 */
	a->need = (a->steps > 0 ? a->steps : 1) * a->batch;
	if (a->ds->n < a->need)
		luaL_error(L, FN ": %d steps of batch_size %d need %d rows of data; it has %d",
		           (int)a->steps, (int)a->batch, (int)a->need, (int)a->ds->n);
	float *x = lua_newuserdatauv(L, sizeof *x * (size_t)(a->batch * a->ds->n_features), 0); /* 5 */
	uint32_t *idx = lua_newuserdatauv(L, sizeof *idx * (size_t)a->batch, 0);
	for (int64_t i = 0; i < a->batch; i++)
		idx[i] = (uint32_t)i;
	winit_dataset_gather(x, NULL, a->ds, idx, a->batch);
	lua_pop(L, 1); /* the indices */
	a->x = x;
}

/* The model build(width) returns (pushed), checked: compiled, weights not made yet, the
 * data's inputs; its seed set. */
static struct lmodel *cc_build(lua_State *L, const struct cc_args *a, int wi, int si)
{
	lua_getfield(L, 1, "build");
	lua_pushinteger(L, (lua_Integer)a->widths[wi]);
	lua_call(L, 1, 1);
	int w = (int)a->widths[wi];
	struct lmodel *m = luaL_testudata(L, -1, MT_MODEL);
	if (!m)
		luaL_error(L, FN ": build(%d) returned %s, not a model", w, luaL_typename(L, -1));
	if (!m->compiled)
		luaL_error(L, FN ": build(%d) returned a model that is not compiled (compile it with its "
		              "optimizer and parametrization)", w);
	if (m->built)
		luaL_error(L, FN ": build(%d) returned a model whose weights are already made: return a "
		              "new model, its seed is set by coord_check", w);
	if (a->ds->n_features != m->spec.n_inputs)
		luaL_error(L, FN ": the model takes %d inputs, the data has %d features",
		           (int)m->spec.n_inputs, (int)a->ds->n_features);
	m->seed = (uint64_t)a->seeds[si];
	return m;
}

/* The result's "layers": the layer names of the first model (at result_idx). */
static void cc_set_layer_names(lua_State *L, int result_idx, const struct lmodel *m)
{
	lua_createtable(L, m->spec.n_layers, 0);
	char buf[64];
	for (int l = 0; l < m->spec.n_layers; l++) {
		lua_pushstring(L, winit_model_spec_layer_name(&m->spec, l, buf, sizeof buf));
		lua_rawseti(L, -2, l + 1);
	}
	lua_setfield(L, result_idx, "layers");
}

/* A run's table { width, seed, layers = { { pre = {}, act = {}, ... }, ... } } (pushed). */
static int cc_push_run_table(lua_State *L, int64_t width, int64_t seed, int nl, int64_t steps)
{
	lua_createtable(L, 0, 3);
	int run = lua_gettop(L);
	lua_pushinteger(L, (lua_Integer)width);
	lua_setfield(L, run, "width");
	lua_pushinteger(L, (lua_Integer)seed);
	lua_setfield(L, run, "seed");
	lua_createtable(L, nl, 0);
	for (int l = 0; l < nl; l++) {
		lua_createtable(L, 0, N_ST);
		for (int s = 0; s < N_ST; s++) {
			lua_createtable(L, (int)steps + 1, 0);
			lua_setfield(L, -2, stat_names[s]);
		}
		lua_rawseti(L, -2, l + 1);
	}
	lua_setfield(L, run, "layers");
	return run;
}

/* One width and seed: the model built, measured at initialization and after each of the
 * steps, its numbers into its run table (pushed) and added to sum (this width's block:
 * [layer][step][stat]). */
static void cc_run_one(lua_State *L, const struct cc_args *a, int wi, int si, struct lmodel *m,
                       double *sum)
{
	int nl = m->spec.n_layers, w = (int)a->widths[wi], seed = (int)a->seeds[si];
	winit_lua_model_ensure_built(L, m);
	struct winit_error err = { 0 };
	if (winit_trainer_adapt(&m->trainer, a->ds, a->need, &err))
		luaL_error(L, FN ": %s", err.msg);
	/* The measurement's buffers. */
	struct coord_ctx c = { 0 };
	c.n_layers = nl;
	c.z0 = lua_newuserdatauv(L, sizeof *c.z0 * (size_t)nl * 2, 0);
	c.a0 = c.z0 + nl;
	c.cap = lua_newuserdatauv(L, sizeof *c.cap * (size_t)nl, 0);
	c.out = lua_newuserdatauv(L, sizeof *c.out * (size_t)nl, 0);
	for (int l = 0; l < nl; l++) {
		c.cap[l] = a->batch * m->trainer.model.layer[l].n_out;
		c.z0[l] = lua_newuserdatauv(L, sizeof(float) * (size_t)c.cap[l] * 2, 0);
		c.a0[l] = c.z0[l] + c.cap[l];
	}
	int run = cc_push_run_table(L, a->widths[wi], a->seeds[si], nl, a->steps);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 1;
	f.batch_size = (int32_t)a->batch;
	f.shuffle = 0;
	f.validation_split = 0;
	f.diagnostics.init = f.diagnostics.early = f.diagnostics.epochs = 0;
	for (int64_t t = 0; t <= a->steps; t++) {
		if (t > 0) {
			struct winit_dataset b = rows_view(a->ds, (t - 1) * a->batch, a->batch);
			struct winit_lua_sigguard g;
			winit_lua_sigguard_on(&g);
			int rc = winit_trainer_fit(&m->trainer, &b, &f, NULL, 0, NULL, &err);
			winit_lua_sigguard_off(&g);
			if (rc == WINIT_ERR_CANCELLED)
				winit_lua_interrupted_error(L, NULL);
			if (rc)
				luaL_error(L, FN ": width %d, seed %d, step %d: %s", w, seed, (int)t, err.msg);
		}
		c.init = t == 0;
		measure(L, m, a->x, a->batch, &c);
		lua_getfield(L, run, "layers");
		for (int l = 0; l < nl; l++) {
			lua_rawgeti(L, -1, l + 1);
			for (int s = 0; s < N_ST; s++) {
				double v = c.out[l][s];
				lua_getfield(L, -1, stat_names[s]);
				lua_pushnumber(L, v);
				lua_rawseti(L, -2, t + 1);
				lua_pop(L, 1);
				sum[((size_t)l * (size_t)(a->steps + 1) + (size_t)t) * N_ST + (size_t)s] += v;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
}

/* The result's mean[l][stat][t + 1][wi]: over the seeds, one list over widths per step (a
 * line of the log-log plot), from sum ([width][layer][step][stat]). */
static void cc_set_means(lua_State *L, int result_idx, const struct cc_args *a, int n_layers,
                         const double *sum)
{
	lua_createtable(L, n_layers, 0);
	for (int l = 0; l < n_layers; l++) {
		lua_createtable(L, 0, N_ST);
		for (int s = 0; s < N_ST; s++) {
			lua_createtable(L, (int)a->steps + 1, 0);
			for (int64_t t = 0; t <= a->steps; t++) {
				lua_createtable(L, a->n_w, 0);
				for (int wi = 0; wi < a->n_w; wi++) {
					size_t k = (((size_t)wi * (size_t)n_layers + (size_t)l) * (size_t)(a->steps + 1) +
					            (size_t)t) * N_ST + (size_t)s;
					lua_pushnumber(L, sum[k] / a->n_s);
					lua_rawseti(L, -2, wi + 1);
				}
				lua_rawseti(L, -2, t + 1);
			}
			lua_setfield(L, -2, stat_names[s]);
		}
		lua_rawseti(L, -2, l + 1);
	}
	lua_setfield(L, result_idx, "mean");
}

/* The result's settings: widths, seeds, steps, batch_size, output (the last layer). */
static void cc_set_settings(lua_State *L, int result_idx, const struct cc_args *a, int n_layers)
{
	lua_createtable(L, a->n_w, 0);
	for (int wi = 0; wi < a->n_w; wi++) {
		lua_pushinteger(L, (lua_Integer)a->widths[wi]);
		lua_rawseti(L, -2, wi + 1);
	}
	lua_setfield(L, result_idx, "widths");
	lua_createtable(L, a->n_s, 0);
	for (int si = 0; si < a->n_s; si++) {
		lua_pushinteger(L, (lua_Integer)a->seeds[si]);
		lua_rawseti(L, -2, si + 1);
	}
	lua_setfield(L, result_idx, "seeds");
	lua_pushinteger(L, (lua_Integer)a->steps);
	lua_setfield(L, result_idx, "steps");
	lua_pushinteger(L, (lua_Integer)a->batch);
	lua_setfield(L, result_idx, "batch_size");
	lua_pushinteger(L, n_layers);
	lua_setfield(L, result_idx, "output");
}

/* winit.coord_check { build = function(width) return model end, widths = {...},
 *                     seeds = {0}, steps = 3, data = ds, batch_size = 64 }: the options
 * read, each width and seed run, the result table made. */
static int l_coord_check(lua_State *L)
{
	struct cc_args a;
	cc_read_args(L, &a);
	lua_createtable(L, 0, 8); /* 6: the result */
	const int result = 6;
	lua_createtable(L, a.n_w * a.n_s, 0); /* 7: runs */
	int n_layers = -1;
	double *sum = NULL; /* [width][layer][step][stat], summed over seeds */
	for (int wi = 0; wi < a.n_w; wi++) {
		for (int si = 0; si < a.n_s; si++) {
			int top = lua_gettop(L);
			struct lmodel *m = cc_build(L, &a, wi, si);
			int nl = m->spec.n_layers;
			if (n_layers < 0) {
				n_layers = nl;
				size_t n_sum = (size_t)a.n_w * (size_t)nl * (size_t)(a.steps + 1) * N_ST;
				sum = lua_newuserdatauv(L, sizeof *sum * n_sum, 0);
				memset(sum, 0, sizeof *sum * n_sum);
				lua_setfield(L, result, "__sum"); /* anchored until the end */
				cc_set_layer_names(L, result, m);
			} else if (nl != n_layers) {
				return luaL_error(L, FN ": build(%d) made %d layers, build(%d) %d: every width "
				                     "must have the same layers",
				                  (int)a.widths[wi], nl, (int)a.widths[0], n_layers);
			}
			cc_run_one(L, &a, wi, si, m,
			           sum + (size_t)wi * (size_t)nl * (size_t)(a.steps + 1) * N_ST);
			lua_rawseti(L, 7, wi * a.n_s + si + 1); /* the run's table */
			lua_settop(L, top); /* the model and its buffers go */
		}
	}
	lua_setfield(L, result, "runs");
	cc_set_means(L, result, &a, n_layers, sum);
	lua_pushnil(L);
	lua_setfield(L, result, "__sum");
	cc_set_settings(L, result, &a, n_layers);
	lua_pushvalue(L, result);
	return 1;
}

/* ---- a result as the results file keeps it (study:add_coord_check) */

#define ADD "Study:add_coord_check"

/* t[key] pushed, without metamethods: the check and the copy see the same values, and no
 * Lua code runs between them. */
static int rawfield(lua_State *L, int t, const char *key)
{
	lua_pushstring(L, key);
	return lua_rawget(L, t);
}

/* The length of t[key], a list (raises otherwise); pushes nothing. */
static int list_len(lua_State *L, int t, const char *key, const char *what)
{
	if (rawfield(L, t, key) != LUA_TTABLE)
		luaL_error(L, ADD ": the coordinate check's '%s' must be %s (got %s): pass what "
		              "winit.coord_check returned",
		           key, what, luaL_typename(L, -1));
	int n = (int)lua_rawlen(L, -1);
	lua_pop(L, 1);
	return n;
}

/* An integer t[key] (raises otherwise). */
static lua_Integer int_field(lua_State *L, int t, const char *key)
{
	rawfield(L, t, key);
	int ok = 0;
	lua_Integer v = lua_tointegerx(L, -1, &ok);
	if (!ok)
		luaL_error(L, ADD ": the coordinate check's '%s' must be an integer (got %s)", key,
		           luaL_typename(L, -1));
	lua_pop(L, 1);
	return v;
}

/* cc.mean[l][stat] (pushed): steps + 1 lists of n_w numbers, checked. */
static void push_mean_table(lua_State *L, int cc, int l, const char *stat, int steps, int n_w)
{
	rawfield(L, cc, "mean");
	if (lua_rawgeti(L, -1, l) != LUA_TTABLE || rawfield(L, lua_gettop(L), stat) != LUA_TTABLE)
		luaL_error(L, ADD ": the coordinate check's mean[%d].%s must be a table", l, stat);
	for (int t = 1; t <= steps + 1; t++) {
		int ok = lua_rawgeti(L, -1, t) == LUA_TTABLE && (int)lua_rawlen(L, -1) == n_w;
		for (int w = 1; ok && w <= n_w; w++) {
			ok = lua_rawgeti(L, -1, w) == LUA_TNUMBER;
			lua_pop(L, 1);
		}
		if (!ok)
			luaL_error(L, ADD ": the coordinate check's mean[%d].%s[%d] must be %d numbers "
			              "(one per width)",
			           l, stat, t, n_w);
		lua_pop(L, 1);
	}
	lua_replace(L, -3); /* mean[l][stat] where mean was */
	lua_pop(L, 1);
}

/* steps + 1 rows of n_w numbers of the table on top into v (step-major). */
static void copy_mean_table(lua_State *L, double *v, int steps, int n_w)
{
	for (int t = 0; t <= steps; t++) {
		lua_rawgeti(L, -1, t + 1);
		for (int w = 0; w < n_w; w++) {
			lua_rawgeti(L, -1, w + 1);
			v[(size_t)t * (size_t)n_w + (size_t)w] = lua_tonumber(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
}

void winit_lua_coord_from_table(lua_State *L, int cc, int opts, struct winit_coord_check *out)
{
	static const char *const keys[] = { "name", "parametrization", NULL };
	cc = lua_absindex(L, cc);
	opts = lua_absindex(L, opts);
	luaL_checktype(L, cc, LUA_TTABLE);
	luaL_checktype(L, opts, LUA_TTABLE);
	winit_lua_check_keys(L, opts, keys, ADD, 0);
	const char *name = NULL, *param = NULL;
	if (rawfield(L, opts, "name") != LUA_TSTRING || !*(name = lua_tostring(L, -1)))
		luaL_error(L, ADD ": 'name' must be a non-empty string (with 'parametrization', the "
		              "check's key in the results file)");
	if (rawfield(L, opts, "parametrization") != LUA_TSTRING)
		luaL_error(L, ADD ": 'parametrization' must be \"standard\", \"ntk\" or \"mup\" (got %s)",
		           luaL_typename(L, -1));
	param = lua_tostring(L, -1);
	lua_pop(L, 2); /* the options table keeps them */
	int n_w = list_len(L, cc, "widths", "a list of widths");
	int n_s = list_len(L, cc, "seeds", "a list of seeds");
	int n_l = list_len(L, cc, "layers", "a list of layer names");
	lua_Integer steps = int_field(L, cc, "steps"), batch = int_field(L, cc, "batch_size");
	lua_Integer output = int_field(L, cc, "output");
	if (steps < 0 || steps >= INT32_MAX || batch < 1 || batch > INT32_MAX)
		luaL_error(L, ADD ": the coordinate check's steps (%d) or batch_size (%d) is out of range",
		           (int)steps, (int)batch);
	for (int l = 1; l <= n_l; l++) {
		int of_pre = l == output;
		push_mean_table(L, cc, l, of_pre ? "pre" : "act", (int)steps, n_w);
		push_mean_table(L, cc, l, of_pre ? "pre_delta" : "act_delta", (int)steps, n_w);
		lua_pop(L, 2);
		rawfield(L, cc, "layers");
		if (lua_rawgeti(L, -1, l) != LUA_TSTRING)
			luaL_error(L, ADD ": the coordinate check's layers[%d] must be a layer name", l);
		lua_pop(L, 2);
	}
	/* Checked: from here on nothing raises until the copy is whole. */
	struct winit_error err = { 0 };
	if (winit_coord_check_alloc(out, n_w, n_s, (int32_t)steps, n_l, &err))
		luaL_error(L, ADD ": %s", err.msg);
	snprintf(out->name, sizeof out->name, "%s", name);
	snprintf(out->parametrization, sizeof out->parametrization, "%s", param);
	out->batch_size = (int32_t)batch;
	rawfield(L, cc, "widths");
	winit_lua_copy_integers(L, out->widths, n_w);
	lua_pop(L, 1);
	rawfield(L, cc, "seeds");
	for (int q = 0; q < n_s; q++) {
		lua_rawgeti(L, -1, q + 1);
		out->seeds[q] = lua_isinteger(L, -1) ? (int64_t)lua_tointeger(L, -1) : -1;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	int too_long = strlen(name) >= sizeof out->name;
	for (int l = 0; l < n_l; l++) {
		struct winit_coord_layer *y = &out->layers[l];
		int of_pre = l + 1 == output;
		y->of = of_pre ? WINIT_COORD_PRE_ACTIVATION : WINIT_COORD_ACTIVATION;
		rawfield(L, cc, "layers");
		lua_rawgeti(L, -1, l + 1);
		too_long |= lua_rawlen(L, -1) >= sizeof y->name;
		snprintf(y->name, sizeof y->name, "%s", lua_tostring(L, -1));
		lua_pop(L, 2);
		push_mean_table(L, cc, l + 1, of_pre ? "pre" : "act", (int)steps, n_w);
		copy_mean_table(L, y->mean_abs, (int)steps, n_w);
		lua_pop(L, 1);
		push_mean_table(L, cc, l + 1, of_pre ? "pre_delta" : "act_delta", (int)steps, n_w);
		copy_mean_table(L, y->change, (int)steps, n_w);
		lua_pop(L, 1);
	}
	int rc = too_long ? winit_error_set(&err, WINIT_ERR_ARG, "coordinate check '%.40s': a name "
	                                                          "longer than the file holds",
	                                    name) :
	                    winit_coord_check_validate(out, &err);
	if (rc) {
		winit_coord_check_free(out);
		luaL_error(L, ADD ": %s", err.msg);
	}
}

void winit_lua_open_coord(lua_State *L, int module_index)
{
	lua_pushcfunction(L, l_coord_check);
	lua_setfield(L, module_index, "coord_check");
}
