/* src/lua/lmodel.c -- models: winit.Sequential and the Model's methods (compile, fit,
 * evaluate, predict, count_params, activation_stats, jacobian_spectrum; summary is
 * lsummary.c's, get_weights lweights.c's; winit.Model, the functional API's, is
 * lgraph.c's); the fit
 * settings and the history table, which Study:add and Results:runs share. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

struct lmodel *winit_lua_check_model(lua_State *L, int idx)
{
	return luaL_checkudata(L, idx, MT_MODEL);
}

static int model_gc(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	if (m->built) {
		winit_trainer_free(&m->trainer);
		m->built = 0;
	}
	winit_model_spec_free(&m->spec);
	return 0;
}

/* winit.Sequential{layer, layer, ...}: a chain, each layer fed by the one before (spec
 * nodes with n_in 0; a first layer that reads an image, Conv2D, a pooling, ..., is fed
 * the model's input by an explicit edge instead).  A leading Flatten stays implicit (has_flatten): the chain reads the
 * model's input flattened, so a model of Dense layers has the spec, the numbers and the
 * results files it had before graphs.  The input's shape comes from the first layer's
 * input_shape, or from a winit.Input as the first entry (Keras's Sequential([keras.Input(
 * shape), ...])).  Each layer's output shape is inferred as it is added. */
/* What the first layer reads: the input's shape (shaped: an explicit edge from the model's
 * input, as the functional API's first layer) for any kind but Dense, Flatten and Reshape,
 * which read it flattened as a chain's first node does (the specs of before images). */
static int first_input(const struct lmodel *m, int32_t kind, int64_t inputs, struct winit_shape *cur)
{
	int shaped = kind != WINIT_LAYER_DENSE && kind != WINIT_LAYER_FLATTEN && kind != WINIT_LAYER_RESHAPE;
	if (shaped) {
		cur->rank = m->spec.n_input_dims;
		for (int k = 0; k < cur->rank; k++)
			cur->dim[k] = m->spec.input_shape[k];
	} else { /* a chain reads the input flattened */
		cur->rank = 1;
		cur->dim[0] = inputs;
	}
	return shaped;
}

/* Entry i, layer l, added to the chain after the shape cur (which it updates). */
static void add_entry(lua_State *L, struct lmodel *m, struct llayer *l, int i, struct winit_shape *cur,
                      int shaped)
{
	char fn[96];
	snprintf(fn, sizeof fn, "Sequential: entry %d (%s)", i, winit_layer_kind_name(l->spec.kind));
	struct winit_layer_spec spec;
	if (l->spec.kind == WINIT_LAYER_RESHAPE && cur->rank == 0)
		luaL_error(L, "%s: the first layer needs input_shape", fn);
	winit_lua_layer_resolve(L, l, cur, &spec, fn);
	struct winit_error err = { 0 };
	if (cur->rank && winit_layer_spec_infer(&spec, cur, 1, cur, &err))
		luaL_error(L, "%s: %s", fn, err.msg);
	const int32_t from_input = WINIT_MODEL_INPUT;
	if (winit_model_spec_add_node(&m->spec, &spec, shaped ? &from_input : NULL, shaped ? 1 : 0, &err))
		luaL_error(L, "Sequential: %s", err.msg);
}

static int l_sequential(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	struct lmodel *m = lua_newuserdatauv(L, sizeof *m, 0);
	memset(m, 0, sizeof *m);
	luaL_setmetatable(L, MT_MODEL);
	m->seed = winit_lua_default_seed(L);
	int n = (int)luaL_len(L, 1);
	int64_t inputs = 0;
	int first = 1; /* no layer yet (a leading Input is not one) */
	struct winit_shape cur;  /* the shape the next layer reads, once the input is known */
	memset(&cur, 0, sizeof cur);
	for (int i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		struct winit_shape in;
		if (i == 1 && winit_lua_input_shape(L, -1, &in)) {
			/* winit.Input{shape = ...}: the input's shape, as input_shape would give it */
			m->spec.n_input_dims = in.rank;
			for (int k = 0; k < in.rank; k++)
				m->spec.input_shape[k] = in.dim[k];
			inputs = winit_shape_elements(&in);
			lua_pop(L, 1);
			continue;
		}
		struct llayer *l = luaL_testudata(L, -1, MT_LAYER);
		if (!l)
			return luaL_error(L, "Sequential: entry %d is not a layer (got %s)", i, luaL_typename(L, -1));
		int32_t kind = l->spec.kind;
		if (kind == WINIT_LAYER_ADD || kind == WINIT_LAYER_CONCATENATE)
			return luaL_error(L, "Sequential: entry %d: %s needs several inputs: use the functional "
			                     "API (winit.Input, calling layers on tensors, winit.Model)",
			                  i, winit_layer_kind_name(kind));
		if (l->n_dims > 0) {
			if (inputs || m->spec.n_layers > 0)
				return luaL_error(L, "Sequential: input_shape is only allowed on the first layer (entry %d)", i);
			m->spec.n_input_dims = l->n_dims;
			inputs = 1;
			for (int k = 0; k < l->n_dims; k++) {
				m->spec.input_shape[k] = l->shape[k];
				inputs *= l->shape[k];
			}
		}
		int shaped = inputs && cur.rank == 0 ? first_input(m, kind, inputs, &cur) : 0;
		if (first && kind == WINIT_LAYER_FLATTEN) {
			m->has_flatten = 1; /* implicit: the chain flattens the input */
			snprintf(m->lead_name, sizeof m->lead_name, "%s", l->spec.name[0] ? l->spec.name : "flatten");
		} else {
			add_entry(L, m, l, i, &cur, shaped);
		}
		first = 0;
		lua_pop(L, 1);
	}
	if (m->spec.n_layers == 0)
		return luaL_error(L, "Sequential: needs at least one layer besides a Flatten");
	if (inputs == 0)
		return luaL_error(L, "Sequential: the first layer needs input_shape, e.g. Flatten{input_shape = {28, 28}}");
	m->spec.n_inputs = inputs;
	winit_lua_check_names(L, &m->spec, m->has_flatten ? m->lead_name : NULL, "Flatten", "Sequential");
	m->opt_spec = winit_optimizer_default(WINIT_OPT_ADAM);
	return 1;
}

/* compile's parametrization = "standard" | "ntk" | "mup", base = model, zero_output = false
 * (winit/parametrization.h): the spec's multipliers for the compile's optimizer, before
 * the weights exist.  Checked in full before the spec changes. */
static void compile_parametrization(lua_State *L, struct lmodel *m, int t)
{
	int has_p = lua_getfield(L, t, "parametrization") != LUA_TNIL;
	int has_base = lua_getfield(L, t, "base") != LUA_TNIL;
	int has_zero = lua_getfield(L, t, "zero_output") != LUA_TNIL;
	lua_pop(L, 3);
	if (!has_p) {
		if (has_base || has_zero)
			luaL_error(L, "compile: %s is muP's: give parametrization = \"mup\" with it",
			           has_base ? "base" : "zero_output");
		return;
	}
	lua_getfield(L, t, "parametrization");
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "compile: parametrization must be \"standard\", \"ntk\" or \"mup\" (got %s)",
		           luaL_typename(L, -1));
	struct winit_error err = { 0 };
	enum winit_parametrization p;
	if (winit_parametrization_from_name(lua_tostring(L, -1), &p, &err))
		luaL_error(L, "compile: parametrization: %s", err.msg);
	lua_pop(L, 1);
	int zero = winit_lua_opt_bool(L, t, "zero_output", 0, "compile");
	const struct lmodel *base = NULL;
	if (has_base) {
		lua_getfield(L, t, "base");
		base = luaL_testudata(L, -1, MT_MODEL);
		if (!base)
			luaL_error(L, "compile: base must be a model (winit.Sequential or winit.Model) of the "
			              "same layers at the base widths, got %s",
			           luaL_typename(L, -1));
		lua_pop(L, 1); /* the options table keeps it */
	}
	if (p != WINIT_PARAM_MUP && (has_base || zero))
		luaL_error(L, "compile: %s is muP's, not %s's", has_base ? "base" : "zero_output",
		           winit_parametrization_name(p));
	if (p == WINIT_PARAM_MUP && !base)
		luaL_error(L, "compile: parametrization = \"mup\" needs base = the same model at its "
		              "base widths (muP scales each kernel by its widths relative to the base's)");
	if (m->built)
		luaL_error(L, "compile: the model's weights exist already (made by fit, get_weights, "
		              "predict, ...): choose the parametrization in its first compile");
	if (winit_model_spec_parametrize(&m->spec, p, base ? &base->spec : NULL,
	                                 (enum winit_optimizer_kind)m->opt_spec.kind, zero, NULL, &err))
		luaL_error(L, "compile: %s", err.msg);
}

/* model:compile{optimizer = ..., loss = "categorical_crossentropy", metrics = {"accuracy"},
 *               parametrization = "standard", base = model, zero_output = false} */
static int model_compile(lua_State *L)
{
	static const char *const keys[] = { "optimizer", "loss", "metrics", "parametrization",
		                            "base", "zero_output", NULL };
	struct lmodel *m = winit_lua_check_model(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	winit_lua_check_keys(L, 2, keys, "compile", 0);
	if (lua_getfield(L, 2, "optimizer") != LUA_TNIL)
		winit_lua_read_optimizer(L, -1, &m->opt_spec, &m->schedule, "compile");
	lua_pop(L, 1);
	/* The loss's names and the output layer it needs are the engine's (src/nn/spec.c). */
	struct winit_error err = { 0 };
	enum winit_loss loss = WINIT_LOSS_CATEGORICAL_CROSSENTROPY;
	if (lua_getfield(L, 2, "loss") != LUA_TNIL) {
		const char *name = lua_tostring(L, -1);
		if (winit_loss_from_name(name ? name : luaL_typename(L, -1), &loss, &err))
			return luaL_error(L, "compile: %s", err.msg);
	}
	lua_pop(L, 1);
	if (winit_model_spec_compile(&m->spec, loss, &err))
		return luaL_error(L, "compile: %s", err.msg);
	if (lua_getfield(L, 2, "metrics") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			return luaL_error(L, "compile: metrics must be a list, e.g. {\"accuracy\"}");
		for (int i = 1; i <= (int)luaL_len(L, -1); i++) {
			lua_rawgeti(L, -1, i);
			const char *mt = lua_tostring(L, -1);
			if (!mt || strcmp(mt, "accuracy") != 0)
				return luaL_error(L, "compile: unknown metric '%s' (known: accuracy)",
				                  mt ? mt : luaL_typename(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	compile_parametrization(L, m, 2);
	m->compiled = 1;
	if (m->built) {
		if (winit_trainer_set_optimizer(&m->trainer, &m->opt_spec, &err))
			return luaL_error(L, "compile: %s", err.msg);
	}
	lua_settop(L, 1);
	return 1;
}

/* Keras: training and evaluating need a loss and an optimizer, so compile comes first. */
static void check_compiled(lua_State *L, const struct lmodel *m, const char *fn)
{
	if (!m->compiled)
		luaL_error(L, "%s: the model is not compiled: call model:compile{optimizer = ..., loss = "
		              "\"categorical_crossentropy\"} first (Keras requires it too)",
		           fn);
}

/* Initialise the weights on first use (the trainer's lifecycle).  With data (ds, rows
 * [0, n_rows)) the data-aware initializers also adapt to it, unless they already have;
 * fit adapts them to its training rows itself. */
static void ensure_built(lua_State *L, struct lmodel *m, const struct winit_dataset *ds,
                         int64_t n_rows)
{
	struct winit_error err = { 0 };
	if (!m->built) {
		if (winit_trainer_init(&m->trainer, &m->spec, &m->opt_spec, m->seed, &err))
			luaL_error(L, "%s", err.msg);
		m->built = 1;
	}
	/* Every pass of the model starts here: on the state's team (the numbers are the
	 * same for any team), unless the first fit found it slower than one thread. */
	m->trainer.model.team = m->trainer.team_verdict == WINIT_TEAM_DROPPED ? NULL : winit_lua_team(L);
	if (ds && winit_trainer_adapt(&m->trainer, ds, n_rows, &err))
		luaL_error(L, "%s", err.msg);
}

void winit_lua_model_ensure_built(lua_State *L, struct lmodel *m)
{
	ensure_built(L, m, NULL, 0);
}

/* The fit settings among the fields of table t; the caller has checked t's keys. */
void winit_lua_read_fit(lua_State *L, int t, struct winit_fit_spec *f, const char *fn)
{
	*f = winit_fit_default();
	if (lua_isnoneornil(L, t))
		return;
	luaL_checktype(L, t, LUA_TTABLE);
	f->epochs = (int32_t)winit_lua_opt_int(L, t, "epochs", f->epochs, 0, INT32_MAX, fn);
	f->batch_size = (int32_t)winit_lua_opt_int(L, t, "batch_size", f->batch_size, 1, INT32_MAX, fn);
	f->validation_split = winit_lua_opt_num(L, t, "validation_split", 0, fn);
	if (!(f->validation_split >= 0 && f->validation_split < 1))
		luaL_error(L, "%s: validation_split must be in [0, 1) (got %f)", fn, f->validation_split);
	f->shuffle = winit_lua_opt_bool(L, t, "shuffle", 1, fn);
	f->eval_batch_size = (int32_t)winit_lua_opt_int(L, t, "eval_batch_size",
	                                                WINIT_EVAL_BATCH_DEFAULT, 1, INT32_MAX, fn);
	winit_lua_read_cadence(L, t, &f->diagnostics, fn);
}

/* {loss = {...}, accuracy = {...}, [val_loss = {...}, val_accuracy = {...},] seconds = {...}}
 * from the n epochs of h: a list per number of winit_fields_epoch, those with a presence
 * flag (the validation metrics) only when the first epoch has them. */
void winit_lua_push_history(lua_State *L, const struct winit_epoch_stats *h, int n)
{
	lua_createtable(L, 0, 5);
	for (const struct winit_field *f = winit_fields_epoch; f->key; f++) {
		if (f->type != WINIT_FIELD_F64 || (f->when != WINIT_FIELD_NONE && !(n > 0 && winit_field_present(f, h, 0))))
			continue;
		lua_createtable(L, n, 0);
		for (int e = 0; e < n; e++) {
			lua_pushnumber(L, winit_field_f64(f, &h[e]));
			lua_rawseti(L, -2, e + 1);
		}
		lua_setfield(L, -2, f->key);
	}
}

/* Keras's History: {history = {loss = {...}, ...}, epoch = {0, 1, ...}, params = {epochs,
 * steps}}.  Its fields fall back to .history, so h.loss is h.history.loss (what fit
 * returned before it returned a History). */
static void push_history_object(lua_State *L, const struct winit_history *h,
                                const struct winit_fit_spec *f)
{
	lua_createtable(L, 0, 3);
	winit_lua_push_history(L, h->epochs, h->n);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "history");
	lua_createtable(L, 0, 1);
	lua_insert(L, -2);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_createtable(L, h->n, 0);
	for (int e = 0; e < h->n; e++) {
		lua_pushinteger(L, h->epochs[e].epoch - 1); /* Keras counts epochs from 0 */
		lua_rawseti(L, -2, e + 1);
	}
	lua_setfield(L, -2, "epoch");
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, f->epochs);
	lua_setfield(L, -2, "epochs");
	lua_pushinteger(L, f->batch_size);
	lua_setfield(L, -2, "batch_size");
	lua_setfield(L, -2, "params");
}

/* model:fit(ds, {epochs = 5, batch_size = 64, validation_split = 0.2, verbose = 1})
 * -> History {history = {loss = {...}, accuracy = {...}, val_loss = {...}, ...}, epoch = {...},
 *             diagnostics = {this fit's snapshots}, theory = {...}}
 * The model's trainer is the lifecycle a study run goes through: a model whose seed is a
 * run's seed, fitted with the run's settings, ends with that run's weights.  A second fit
 * continues the same shuffle stream. */
static int model_fit(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	struct ldataset *d = winit_lua_check_dataset(L, 2);
	static const char *const keys[] = { "epochs", "batch_size", "validation_split", "shuffle",
		                            "eval_batch_size", "verbose", "validation_data",
		                            "callbacks", "initial_epoch", "diagnostics", NULL };
	lua_settop(L, 3);
	if (lua_istable(L, 3))
		winit_lua_check_keys(L, 3, keys, "fit", 0);
	struct winit_fit_spec f;
	winit_lua_read_fit(L, 3, &f, "fit");
	int verbose = 1;
	const struct winit_dataset *val = NULL;
	struct winit_lua_fit_callbacks cb;
	if (lua_istable(L, 3)) {
		verbose = (int)winit_lua_opt_int(L, 3, "verbose", 1, 0, INT32_MAX, "fit");
		f.initial_epoch = (int32_t)winit_lua_opt_int(L, 3, "initial_epoch", 0, 0, INT32_MAX, "fit");
		if (lua_getfield(L, 3, "validation_data") != LUA_TNIL) {
			struct ldataset *v = luaL_testudata(L, -1, MT_DATASET);
			if (!v)
				return luaL_error(L, "fit: validation_data must be a dataset (got %s)", luaL_typename(L, -1));
			if (f.validation_split > 0)
				return luaL_error(L, "fit: give validation_data or validation_split, not both");
			val = &v->ds; /* stays referenced by the options table */
		}
		lua_pop(L, 1);
		lua_getfield(L, 3, "callbacks"); /* index 4, kept until the fit ends */
	} else {
		lua_pushnil(L);
	}
	check_compiled(L, m, "fit");
	ensure_built(L, m, NULL, 0);
	winit_lua_callbacks_init(L, 4, m, &cb); /* pushes index 5 */
	if (m->schedule.kind != WINIT_LR_CONSTANT)
		cb.hooks.schedule = &m->schedule;
	winit_lua_callbacks_train(&cb, "on_train_begin");
	struct winit_run_spec spec;
	memset(&spec, 0, sizeof spec);
	snprintf(spec.name, sizeof spec.name, "fit");
	spec.fit = f;
	struct winit_progress *p = verbose ?
	                                   winit_progress_new(stdout, &spec, 1, winit_lua_progress_tty()) :
	                                   NULL;
	struct winit_observer obs = { 0 };
	if (p)
		winit_progress_observer(p, &obs);
	struct winit_history hist = { 0 };
	struct winit_lua_sigguard g;
	winit_lua_sigguard_on(&g);
	struct winit_error err = { 0 };
	int first_snap = m->trainer.diag.n;
	int rc = winit_trainer_fit_val_hooks(&m->trainer, &d->ds, val, &f, &cb.hooks, &obs, 0, &hist, &err);
	winit_lua_sigguard_off(&g);
	if (p)
		winit_progress_free(p);
	if (rc) {
		winit_history_free(&hist);
		if (rc == WINIT_ERR_CANCELLED)
			return winit_lua_interrupted_error(L, NULL);
		return luaL_error(L, "fit: %s", err.msg);
	}
	push_history_object(L, &hist, &f);
	winit_history_free(&hist);
	winit_lua_push_diagnostics(L, &m->trainer.diag, first_snap);
	lua_setfield(L, -2, "diagnostics");
	winit_lua_push_theory(L, &m->trainer.theory);
	lua_setfield(L, -2, "theory");
	winit_lua_callbacks_train(&cb, "on_train_end");
	return 1;
}

/* model:evaluate(ds [, {batch_size = 256}]) -> loss, accuracy */
static int model_evaluate(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	struct ldataset *d = winit_lua_check_dataset(L, 2);
	lua_Integer bs = WINIT_EVAL_BATCH_DEFAULT;
	if (!lua_isnoneornil(L, 3))
		luaL_checktype(L, 3, LUA_TTABLE); /* 5 was ignored: the default batch size */
	if (lua_istable(L, 3)) {
		static const char *const keys[] = { "batch_size", "verbose", NULL };
		winit_lua_check_keys(L, 3, keys, "evaluate", 0);
		bs = winit_lua_opt_int(L, 3, "batch_size", WINIT_EVAL_BATCH_DEFAULT, 1, INT32_MAX, "evaluate");
	}
	check_compiled(L, m, "evaluate");
	ensure_built(L, m, NULL, 0);
	double loss, acc;
	struct winit_error err = { 0 };
	if (winit_evaluate(&m->trainer.model, &d->ds, 0, d->ds.n, (int32_t)bs, &loss, &acc, &err))
		return luaL_error(L, "evaluate: %s", err.msg);
	lua_pushnumber(L, loss);
	lua_pushnumber(L, acc);
	return 2;
}

/* model:predict(ds [, first [, count]]) -> {{p1, ..., pC}, ...} for samples first.. */
static int model_predict(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	struct ldataset *d = winit_lua_check_dataset(L, 2);
	/* Checked one at a time, before any arithmetic: math.mininteger or math.maxinteger
	 * must be refused, not overflow on the way. */
	lua_Integer first = luaL_optinteger(L, 3, 1);
	lua_Integer n = d->ds.n;
	if (first < 1 || first > n) {
		const char *msg = lua_pushfstring(L, "first sample must be in [1, %I], got %I", n, first);
		return luaL_argerror(L, 3, msg);
	}
	lua_Integer left = n - (first - 1); /* samples from first to the end, >= 1 */
	lua_Integer count = luaL_optinteger(L, 4, left);
	if (count < 1 || count > left)
		return luaL_argerror(L, 4, lua_pushfstring(L, "count must be in [1, %I] from sample %I "
		                                              "of %I, got %I",
		                                           left, first, n, count));
	ensure_built(L, m, NULL, 0);
	int64_t c = winit_model_outputs(&m->trainer.model);
	float *out = malloc((size_t)(count * c) * sizeof(float));
	if (!out)
		return luaL_error(L, "predict: out of memory for %d outputs", (int)(count * c));
	struct winit_error err = { 0 };
	if (winit_predict(&m->trainer.model, &d->ds, first - 1, first - 1 + count,
	                  WINIT_EVAL_BATCH_DEFAULT, out, &err)) {
		free(out);
		return luaL_error(L, "predict: %s", err.msg);
	}
	lua_createtable(L, (int)count, 0);
	for (lua_Integer i = 0; i < count; i++) {
		lua_createtable(L, (int)c, 0);
		for (int64_t j = 0; j < c; j++) {
			lua_pushnumber(L, out[i * c + j]);
			lua_rawseti(L, -2, j + 1);
		}
		lua_rawseti(L, -2, i + 1);
	}
	free(out);
	return 1;
}

/* model:count_params() */
static int model_count_params(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	lua_pushinteger(L, winit_model_spec_params(&m->spec));
	return 1;
}

/* Sums per layer, in one zeroed block of 6 x n_layers 8-byte values (a userdata, so an
 * error frees it). */
struct stats_acc {
	double *pre_sum, *pre_ss, *act_sum, *act_ss;
	int64_t *zeros, *count;
};

static void stats_acc_init(lua_State *L, struct stats_acc *s, int n_layers)
{
	size_t n = (size_t)n_layers;
	double *b = lua_newuserdatauv(L, 6 * n * sizeof(double), 0);
	memset(b, 0, 6 * n * sizeof(double));
	s->pre_sum = b;
	s->pre_ss = b + n;
	s->act_sum = b + 2 * n;
	s->act_ss = b + 3 * n;
	s->zeros = (int64_t *)(b + 4 * n);
	s->count = (int64_t *)(b + 5 * n);
}

static void stats_hook(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                       int64_t cols)
{
	struct stats_acc *s = ctx;
	for (int64_t i = 0; i < rows * cols; i++) {
		s->pre_sum[layer] += z[i];
		s->pre_ss[layer] += (double)z[i] * z[i];
		s->act_sum[layer] += a[i];
		s->act_ss[layer] += (double)a[i] * a[i];
		s->zeros[layer] += a[i] == 0.0f;
	}
	s->count[layer] += rows * cols;
}

/* model:activation_stats(ds [, {rows = 512}]) -> per layer
 *   { pre_mean, pre_var, act_mean, act_var, zero_fraction }
 * over the first `rows` samples of ds.  An untrained model is initialised first, and its
 * data-aware initializers see ds. */
static int model_activation_stats(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	struct ldataset *d = winit_lua_check_dataset(L, 2);
	lua_Integer rows = 512;
	if (lua_istable(L, 3)) {
		static const char *const keys[] = { "rows", NULL };
		winit_lua_check_keys(L, 3, keys, "activation_stats", 0);
		rows = winit_lua_opt_int(L, 3, "rows", 512, 1, LUA_MAXINTEGER, "activation_stats");
	}
	if (rows > d->ds.n)
		rows = d->ds.n;
	ensure_built(L, m, &d->ds, d->ds.n);
	struct stats_acc acc;
	stats_acc_init(L, &acc, m->spec.n_layers);
	struct winit_layer_hooks keep = m->trainer.model.hooks;
	m->trainer.model.hooks.ctx = &acc;
	m->trainer.model.hooks.forward = stats_hook;
	m->trainer.model.hooks.backward = NULL;
	float *out = malloc((size_t)(rows * winit_model_outputs(&m->trainer.model)) * sizeof *out);
	struct winit_error err = { 0 };
	int rc = out ? winit_predict(&m->trainer.model, &d->ds, 0, rows, WINIT_EVAL_BATCH_DEFAULT, out, &err) :
	               WINIT_ERR_NOMEM;
	m->trainer.model.hooks = keep;
	free(out);
	if (rc)
		return luaL_error(L, "activation_stats: %s", err.msg[0] ? err.msg : "out of memory");
	lua_createtable(L, m->spec.n_layers, 0);
	for (int i = 0; i < m->spec.n_layers; i++) {
		double n = (double)acc.count[i];
		double pm = acc.pre_sum[i] / n, am = acc.act_sum[i] / n;
		lua_createtable(L, 0, 5);
		lua_pushnumber(L, pm);
		lua_setfield(L, -2, "pre_mean");
		lua_pushnumber(L, acc.pre_ss[i] / n - pm * pm);
		lua_setfield(L, -2, "pre_var");
		lua_pushnumber(L, am);
		lua_setfield(L, -2, "act_mean");
		lua_pushnumber(L, acc.act_ss[i] / n - am * am);
		lua_setfield(L, -2, "act_var");
		lua_pushnumber(L, (double)acc.zeros[i] / n);
		lua_setfield(L, -2, "zero_fraction");
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

/* model:jacobian_spectrum(x [, {from = 0, to = n_layers, examples = 8, method = "auto",
 * steps = 200}]) -> per example the singular values (descending) of the Jacobian of layer
 * `to`'s output with respect to layer `from`'s (0: the model's input; layers counted from
 * 1 as get_weights(i) counts them), with mean_sq, max and min over them all and the
 * method used.  x: a dataset (its first `examples` rows, as the model sees them) or a list
 * of rows of the model's inputs (all of them, or the first `examples`).  method "exact"
 * (Jacobi), "lanczos" (`steps` Ritz values; mean_sq still exact) or "auto" (exact up to
 * JACOBIAN_EXACT_MAX singular values).  An inference pass; untrained weights are made
 * first. */
/* "auto" takes the exact route up to this many singular values (Jacobi's O(k^3) sweeps:
 * about a second at 1,000), Lanczos beyond. */
enum { JACOBIAN_EXACT_MAX = 1024 };

/* The first n rows of the dataset d, or of the list of rows at stack index 2, as the
 * model's n_in inputs each: a userdata left on the stack. */
static float *jacobian_inputs(lua_State *L, const struct ldataset *d, lua_Integer n, int64_t n_in,
                              const char *fn)
{
	float *x = lua_newuserdatauv(L, (size_t)(n * n_in) * sizeof *x, 0);
	if (d) {
		uint32_t *idx = lua_newuserdatauv(L, (size_t)n * sizeof *idx, 0);
		for (lua_Integer i = 0; i < n; i++)
			idx[i] = (uint32_t)i;
		winit_dataset_gather(x, NULL, &d->ds, idx, n);
		lua_pop(L, 1);
	} else {
		for (lua_Integer i = 0; i < n; i++) {
			if (lua_rawgeti(L, 2, i + 1) != LUA_TTABLE || (int64_t)lua_rawlen(L, -1) != n_in)
				luaL_error(L, "%s: row %I must be a list of the model's %I inputs", fn, i + 1,
				           (lua_Integer)n_in);
			for (int64_t j = 0; j < n_in; j++) {
				lua_rawgeti(L, -1, j + 1);
				int ok;
				lua_Number v = lua_tonumberx(L, -1, &ok);
				if (!ok)
					luaL_error(L, "%s: row %I[%I] must be a number, got %s", fn, i + 1,
					           (lua_Integer)j + 1, luaL_typename(L, -1));
				x[i * n_in + j] = (float)v;
				lua_pop(L, 1);
			}
			lua_pop(L, 1);
		}
	}
	return x;
}

/* Option method of the table at index t (0: none): 0 auto, 1 exact, 2 lanczos. */
static int jacobian_method(lua_State *L, int t, const char *const methods[], const char *fn)
{
	int method = 0;
	if (t && lua_getfield(L, t, "method") != LUA_TNIL) {
		const char *name = lua_tostring(L, -1);
		while (methods[method] && (!name || strcmp(name, methods[method])))
			method++;
		if (!methods[method] || lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "%s: method must be \"auto\", \"exact\" or \"lanczos\", got %s", fn,
			           name && lua_type(L, -1) == LUA_TSTRING ? name : luaL_typename(L, -1));
	}
	if (t)
		lua_pop(L, 1);
	return method;
}

/* The result table: per example its k values sv[i * k ..], with mean_sq (ms, each
 * example's exact mean, for Lanczos; else the mean of the values' squares), max, min and
 * the method's name. */
static void push_spectrum(lua_State *L, const double *sv, const double *ms, lua_Integer n, int64_t k,
                          int lanczos, const char *method)
{
	lua_createtable(L, (int)n, 4);
	double sum = 0, mx = -HUGE_VAL, mn = HUGE_VAL;
	for (lua_Integer i = 0; i < n; i++) {
		lua_createtable(L, (int)k, 0);
		for (int64_t j = 0; j < k; j++) {
			double v = sv[i * k + j];
			sum += v * v;
			mx = v > mx ? v : mx;
			mn = v < mn ? v : mn;
			lua_pushnumber(L, v);
			lua_rawseti(L, -2, j + 1);
		}
		lua_rawseti(L, -2, i + 1);
	}
	if (lanczos) { /* the exact mean over all singular values, not over the Ritz values */
		sum = 0;
		for (lua_Integer i = 0; i < n; i++)
			sum += ms[i];
		lua_pushnumber(L, sum / (double)n);
	} else {
		lua_pushnumber(L, sum / (double)(n * k));
	}
	lua_setfield(L, -2, "mean_sq");
	lua_pushstring(L, method);
	lua_setfield(L, -2, "method");
	lua_pushnumber(L, mx);
	lua_setfield(L, -2, "max");
	lua_pushnumber(L, mn);
	lua_setfield(L, -2, "min");
}

static int model_jacobian_spectrum(lua_State *L)
{
	static const char *const keys[] = { "from", "to", "examples", "method", "steps", NULL };
	static const char *const methods[] = { "auto", "exact", "lanczos", NULL };
	const char *fn = "jacobian_spectrum";
	struct lmodel *m = winit_lua_check_model(L, 1);
	struct ldataset *d = luaL_testudata(L, 2, MT_DATASET);
	if (!d && !lua_istable(L, 2))
		return luaL_argerror(L, 2, lua_pushfstring(L, "a dataset or a list of input rows "
		                                              "expected, got %s",
		                                           luaL_typename(L, 2)));
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		winit_lua_check_keys(L, 3, keys, fn, 0);
	}
	int t = lua_istable(L, 3) ? 3 : 0;
	int32_t n_layers = m->spec.n_layers;
	lua_Integer from = t ? winit_lua_opt_int(L, t, "from", 0, 0, n_layers - 1, fn) : 0;
	lua_Integer to = t ? winit_lua_opt_int(L, t, "to", n_layers, 1, n_layers, fn) : n_layers;
	if (to <= from)
		return luaL_error(L, "%s: to (%I) must be after from (%I)", fn, to, from);
	lua_Integer avail = d ? d->ds.n : (lua_Integer)lua_rawlen(L, 2);
	if (avail < 1)
		return luaL_error(L, "%s: no examples given", fn);
	lua_Integer def = d ? (avail < 8 ? avail : 8) : avail;
	lua_Integer n = t ? winit_lua_opt_int(L, t, "examples", def, 1, avail, fn) : def;
	int method = jacobian_method(L, t, methods, fn);
	lua_Integer steps = t ? winit_lua_opt_int(L, t, "steps", 200, 1, 100000, fn) : 200;
	int64_t n_in = m->spec.n_inputs;
	if (d && d->ds.n_features != n_in)
		return luaL_error(L, "%s: the dataset has %I features per example; the model takes %I",
		                  fn, (lua_Integer)d->ds.n_features, (lua_Integer)n_in);
	float *x = jacobian_inputs(L, d, n, n_in, fn);
	ensure_built(L, m, NULL, 0);
	const struct winit_model *mm = &m->trainer.model;
	int64_t cap = mm->layer[to - 1].n_out, cols = from ? mm->layer[from - 1].n_out : n_in;
	if (method == 0)
		method = (cap < cols ? cap : cols) <= JACOBIAN_EXACT_MAX ? 1 : 2;
	double *sv = lua_newuserdatauv(L, (size_t)(n * cap) * sizeof *sv, 0);
	double *ms = lua_newuserdatauv(L, (size_t)n * sizeof *ms, 0);
	int64_t k = 0;
	struct winit_error err = { 0 };
	if (method == 1 ? winit_model_jacobian_spectrum(&m->trainer.model, x, n, (int32_t)from - 1,
	                                                (int32_t)to - 1, sv, &k, &err) :
	                  winit_model_jacobian_lanczos(&m->trainer.model, x, n, (int32_t)from - 1,
	                                               (int32_t)to - 1, steps, sv, &k, ms, &err))
		return luaL_error(L, "%s: %s", fn, err.msg);
	push_spectrum(L, sv, ms, n, k, method == 2, methods[method]);
	return 1;
}

/* model.NAME: a method, or model.layers (lweights.c). */
static int model_index(lua_State *L)
{
	winit_lua_check_model(L, 1);
	lua_pushvalue(L, 2);
	if (lua_gettable(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "layers") == 0)
		winit_lua_push_model_layers(L, 1);
	return 1;
}

static const luaL_Reg model_methods[] = {
	{ "compile", model_compile },
	{ "fit", model_fit },
	{ "evaluate", model_evaluate },
	{ "predict", model_predict },
	{ "summary", winit_lua_model_summary },
	{ "count_params", model_count_params },
	{ "get_weights", winit_lua_model_get_weights },
	{ "set_weights", winit_lua_model_set_weights },
	{ "get_layer", winit_lua_model_get_layer },
	{ "activation_stats", model_activation_stats },
	{ "jacobian_spectrum", model_jacobian_spectrum },
	{ "save", winit_lua_model_save },
	{ "save_weights", winit_lua_model_save_weights },
	{ "load_weights", winit_lua_model_load_weights },
	{ NULL, NULL }
};

void winit_lua_open_model(lua_State *L, int module_index)
{
	static const luaL_Reg funcs[] = {
		{ "Sequential", l_sequential },
		{ NULL, NULL }
	};
	winit_lua_new_class(L, MT_MODEL, model_methods, model_gc);
	/* model.layers beside the methods: __index looks in the methods first. */
	luaL_getmetatable(L, MT_MODEL);
	lua_getfield(L, -1, "__index");
	lua_pushcclosure(L, model_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	winit_lua_open_weights(L);
	winit_lua_set_funcs(L, module_index, funcs);
}
