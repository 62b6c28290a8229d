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

/* winit.coord_check { build = function(width) return model end, widths = {...},
 *                     seeds = {0}, steps = 3, data = ds, batch_size = 64 } */
static int l_coord_check(lua_State *L)
{
	static const char *const keys[] = { "build", "widths", "seeds", "steps", "data",
		                            "batch_size", NULL };
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	winit_lua_check_keys(L, 1, keys, FN, 0);
	if (lua_getfield(L, 1, "build") != LUA_TFUNCTION)
		return luaL_error(L, FN ": 'build' must be a function(width) returning a compiled model "
		                     "(got %s)", luaL_typename(L, -1));
	lua_pop(L, 1);
	int n_w, n_s;
	const int64_t *widths = int_list(L, 1, "widths", 1, 1, 0, &n_w); /* 2 */
	const int64_t *seeds = int_list(L, 1, "seeds", 0, 0, 0, &n_s);   /* 3 */
	int64_t steps = winit_lua_opt_int(L, 1, "steps", 3, 0, 1000000, FN);
	int64_t batch = winit_lua_opt_int(L, 1, "batch_size", 64, 1, INT32_MAX, FN);
	if (lua_getfield(L, 1, "data") == LUA_TNIL)
		return luaL_error(L, FN ": 'data' (a dataset) is required");
	struct ldataset *d = winit_lua_check_dataset(L, -1); /* 4 */
	const struct winit_dataset *ds = &d->ds;
	int64_t need = (steps > 0 ? steps : 1) * batch;
	if (ds->n < need)
		return luaL_error(L, FN ": %d steps of batch_size %d need %d rows of data; it has %d",
		                  (int)steps, (int)batch, (int)need, (int)ds->n);
	/* The probe: the first batch, as the model sees it. */
	float *x = lua_newuserdatauv(L, sizeof *x * (size_t)(batch * ds->n_features), 0); /* 5 */
	uint32_t *idx = lua_newuserdatauv(L, sizeof *idx * (size_t)batch, 0);             /* 6 */
	for (int64_t i = 0; i < batch; i++)
		idx[i] = (uint32_t)i;
	winit_dataset_gather(x, NULL, ds, idx, batch);

	lua_createtable(L, 0, 8); /* 7: the result */
	lua_createtable(L, n_w * n_s, 0); /* 8: runs */
	int n_layers = -1;
	double *sum = NULL; /* [width][layer][step][stat], summed over seeds */
	for (int wi = 0; wi < n_w; wi++) {
		for (int si = 0; si < n_s; si++) {
			int top = lua_gettop(L);
			lua_getfield(L, 1, "build");
			lua_pushinteger(L, (lua_Integer)widths[wi]);
			lua_call(L, 1, 1); /* top + 1: the model */
			struct lmodel *m = luaL_testudata(L, -1, MT_MODEL);
			if (!m)
				return luaL_error(L, FN ": build(%d) returned %s, not a model", (int)widths[wi],
				                  luaL_typename(L, -1));
			if (!m->compiled)
				return luaL_error(L, FN ": build(%d) returned a model that is not compiled "
				                     "(compile it with its optimizer and parametrization)",
				                  (int)widths[wi]);
			if (m->built)
				return luaL_error(L, FN ": build(%d) returned a model whose weights are already "
				                     "made: return a new model, its seed is set by coord_check",
				                  (int)widths[wi]);
			if (ds->n_features != m->spec.n_inputs)
				return luaL_error(L, FN ": the model takes %d inputs, the data has %d features",
				                  (int)m->spec.n_inputs, (int)ds->n_features);
			m->seed = (uint64_t)seeds[si];
			int nl = m->spec.n_layers;
			if (n_layers < 0) {
				n_layers = nl;
				sum = lua_newuserdatauv(L, sizeof *sum * (size_t)n_w * (size_t)nl *
				                                   (size_t)(steps + 1) * N_ST, 0);
				memset(sum, 0, sizeof *sum * (size_t)n_w * (size_t)nl * (size_t)(steps + 1) * N_ST);
				lua_setfield(L, 7, "__sum"); /* anchored until the end */
				lua_createtable(L, nl, 0);
				char buf[64];
				for (int l = 0; l < nl; l++) {
					lua_pushstring(L, winit_model_spec_layer_name(&m->spec, l, buf, sizeof buf));
					lua_rawseti(L, -2, l + 1);
				}
				lua_setfield(L, 7, "layers");
			} else if (nl != n_layers) {
				return luaL_error(L, FN ": build(%d) made %d layers, build(%d) %d: every width "
				                     "must have the same layers",
				                  (int)widths[wi], nl, (int)widths[0], n_layers);
			}
			winit_lua_model_ensure_built(L, m);
			struct winit_error err = { 0 };
			if (winit_trainer_adapt(&m->trainer, ds, need, &err))
				return luaL_error(L, FN ": %s", err.msg);
			/* The measurement's buffers. */
			struct coord_ctx c = { 0 };
			c.n_layers = nl;
			c.z0 = lua_newuserdatauv(L, sizeof *c.z0 * (size_t)nl * 2, 0);
			c.a0 = c.z0 + nl;
			c.cap = lua_newuserdatauv(L, sizeof *c.cap * (size_t)nl, 0);
			c.out = lua_newuserdatauv(L, sizeof *c.out * (size_t)nl, 0);
			for (int l = 0; l < nl; l++) {
				c.cap[l] = batch * m->trainer.model.layer[l].n_out;
				c.z0[l] = lua_newuserdatauv(L, sizeof(float) * (size_t)c.cap[l] * 2, 0);
				c.a0[l] = c.z0[l] + c.cap[l];
			}
			/* The run's table: { width, seed, layers = { { pre = {...}, ... }, ... } }. */
			lua_createtable(L, 0, 3);
			int run = lua_gettop(L);
			lua_pushinteger(L, (lua_Integer)widths[wi]);
			lua_setfield(L, run, "width");
			lua_pushinteger(L, (lua_Integer)seeds[si]);
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
			struct winit_fit_spec f = winit_fit_default();
			f.epochs = 1;
			f.batch_size = (int32_t)batch;
			f.shuffle = 0;
			f.validation_split = 0;
			f.diagnostics.init = f.diagnostics.early = f.diagnostics.epochs = 0;
			for (int64_t t = 0; t <= steps; t++) {
				if (t > 0) {
					struct winit_dataset b = rows_view(ds, (t - 1) * batch, batch);
					struct winit_lua_sigguard g;
					winit_lua_sigguard_on(&g);
					int rc = winit_trainer_fit(&m->trainer, &b, &f, NULL, 0, NULL, &err);
					winit_lua_sigguard_off(&g);
					if (rc == WINIT_ERR_CANCELLED)
						return winit_lua_interrupted_error(L, NULL);
					if (rc)
						return luaL_error(L, FN ": width %d, seed %d, step %d: %s",
						                  (int)widths[wi], (int)seeds[si], (int)t, err.msg);
				}
				c.init = t == 0;
				measure(L, m, x, batch, &c);
				lua_getfield(L, run, "layers");
				for (int l = 0; l < nl; l++) {
					lua_rawgeti(L, -1, l + 1);
					for (int s = 0; s < N_ST; s++) {
						double v = c.out[l][s];
						lua_getfield(L, -1, stat_names[s]);
						lua_pushnumber(L, v);
						lua_rawseti(L, -2, t + 1);
						lua_pop(L, 1);
						sum[(((size_t)wi * (size_t)nl + (size_t)l) * (size_t)(steps + 1) +
						     (size_t)t) * N_ST + (size_t)s] += v;
					}
					lua_pop(L, 1);
				}
				lua_pop(L, 1);
			}
			lua_pushvalue(L, run);
			lua_rawseti(L, 8, wi * n_s + si + 1);
			lua_settop(L, top); /* the model and its buffers go */
		}
	}
	lua_setfield(L, 7, "runs");
	/* mean[l][stat][t + 1][wi]: over the seeds, one list over widths per step (a line of
	 * the log-log plot). */
	lua_createtable(L, n_layers, 0);
	for (int l = 0; l < n_layers; l++) {
		lua_createtable(L, 0, N_ST);
		for (int s = 0; s < N_ST; s++) {
			lua_createtable(L, (int)steps + 1, 0);
			for (int64_t t = 0; t <= steps; t++) {
				lua_createtable(L, n_w, 0);
				for (int wi = 0; wi < n_w; wi++) {
					lua_pushnumber(L, sum[(((size_t)wi * (size_t)n_layers + (size_t)l) *
					                       (size_t)(steps + 1) + (size_t)t) * N_ST + (size_t)s] /
					                          n_s);
					lua_rawseti(L, -2, wi + 1);
				}
				lua_rawseti(L, -2, t + 1);
			}
			lua_setfield(L, -2, stat_names[s]);
		}
		lua_rawseti(L, -2, l + 1);
	}
	lua_setfield(L, 7, "mean");
	lua_pushnil(L);
	lua_setfield(L, 7, "__sum");
	lua_createtable(L, n_w, 0);
	for (int wi = 0; wi < n_w; wi++) {
		lua_pushinteger(L, (lua_Integer)widths[wi]);
		lua_rawseti(L, -2, wi + 1);
	}
	lua_setfield(L, 7, "widths");
	lua_createtable(L, n_s, 0);
	for (int si = 0; si < n_s; si++) {
		lua_pushinteger(L, (lua_Integer)seeds[si]);
		lua_rawseti(L, -2, si + 1);
	}
	lua_setfield(L, 7, "seeds");
	lua_pushinteger(L, (lua_Integer)steps);
	lua_setfield(L, 7, "steps");
	lua_pushinteger(L, (lua_Integer)batch);
	lua_setfield(L, 7, "batch_size");
	lua_pushinteger(L, n_layers);
	lua_setfield(L, 7, "output");
	lua_pushvalue(L, 7);
	return 1;
}

void winit_lua_open_coord(lua_State *L, int module_index)
{
	lua_pushcfunction(L, l_coord_check);
	lua_setfield(L, module_index, "coord_check");
}
