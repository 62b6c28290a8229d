/* src/lua/lbinding.h -- internal to the Lua binding (not installed): the metatable names
 * and registry keys, the userdata shared between its files, the helpers they share, and
 * the winit_lua_open_* functions through which each concept adds itself to the module.
 *
 * Which file owns what:
 *   lwinit.c   luaopen_winit: the module table, winit.version, the table of parts
 *   lsettings.c the module-wide settings: winit.set_seed/set_jobs/cpu_count and the
 *              host's defaults (the CLI's -j, --shard, --resume, --force)
 *   lopts.c    option tables (opt_int/opt_num/opt_bool, check_keys), classes, tty check
 *   lplugins.c the plugin registry, plugin references ("name" or {"name", k = v}), plugins()
 *   ldata.c    datasets: load_idx, datasets.fashion_mnist.load_data, from_arrays,
 *              gaussian, normalize
 *   lkeras.c   Keras's class names: initializers.HeNormal, activations.ReLU, ...
 *   llayers.c  the layer objects: layers.Flatten, Dense, Reshape, Add, Concatenate, Conv2D,
 *              the poolings, Dropout, the normalizations, Scale (Keras's arguments, a
 *              layer's name, Dense's multipliers)
 *   lgraph.c   the functional API: Input, symbolic tensors, calling a layer, Model
 *   lsummary.c model:summary(), Sequential's table and Keras's Functional one
 *   loptim.c   optimizers.Adam/SGD and the optimizer settings of compile
 *   lmodel.c   Sequential and its methods (compile, fit, evaluate, predict, ...)
 *   lcallbacks.c callbacks.EarlyStopping/LearningRateScheduler, Lua callback tables
 *   lweights.c model.layers, get_weights/set_weights of models and layers
 *   lstudy.c   Study, Results, the observer that saves after every run, run outcomes
 *   lgrid.c    study:grid, factorial designs expanded into runs
 *   linit.c    initializers written in Lua and the rng userdata their fill receives
 *   largs.c    parse_args
 *   lsave.c    saved models: save, save_weights, load_weights, models.load_model
 *   lsignal.c  the interrupt flag and the SIGINT guard around training
 *   ldiag.c    the `diagnostics` option; diagnostics and theory as Lua tables
 *   lfigure.c  results:report's figures (x-y plots through src/plot/winit_plot_xy.c)
 *   ltheory.c  winit.theory: the mean-field fixed point, chi_1, the edge of chaos
 *   lplot.c    winit.plot: heat maps and self-contained HTML pages for scripts
 *   lcoord.c   winit.coord_check: μP's coordinate check (mean |x| per layer, width, step)
 *   lspectrum.c study:add_spectrum's table as a Jacobian spectrum (winit/spectrum.h) */
#ifndef WINIT_LBINDING_H
#define WINIT_LBINDING_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>

#include <winit/winit.h>

/* Metatable names (userdata types). */
#define MT_DATASET "winit.Dataset"
#define MT_LAYER "winit.Layer"
#define MT_MODEL "winit.Model"
#define MT_MODEL_LAYER "winit.ModelLayer"
#define MT_TENSOR "winit.Tensor"
#define MT_STUDY "winit.Study"
#define MT_RESULTS "winit.Results"
#define MT_REGISTRY "winit.Registry"
#define MT_LUA_INIT "winit.LuaInitializer"
#define MT_RNG "winit.Rng"
/* Keys of the Lua registry holding the module's state (distinct from metatable names). */
#define KEY_REGISTRY "winit.registry"
#define KEY_LUA_INITS "winit.lua_initializers"
#define KEY_SHADOW_WARNED "winit.shadow_warned" /* "kind name" -> true once warned */
#define KEY_OUTCOMES "winit.outcomes"
/* The settings' keys are private to lsettings.c: read them through its functions. */

/* ---------------------------------------------------------------- userdata */

struct ldataset {
	struct winit_dataset ds;
	struct winit_normalizer nz; /* the statistics it was normalised with (kind NONE: none) */
	char source[256];
};

/* A layer as a script made it (winit.layers.*): its engine spec (kind, name, Dense's
 * settings and multipliers, Concatenate's axis) and what is resolved only once its input is
 * known (Reshape's -1). */
struct llayer {
	int n_dims;
	int64_t shape[3]; /* input_shape, when given (the first layer of a Sequential) */
	int target_rank;  /* Reshape: target_shape as given, one dim possibly -1 */
	int64_t target[3];
	struct winit_layer_spec spec;
	/* The functional API: a layer is called on tensors once (lgraph.c); where, and the
	 * name it took (its own, or its kind's next default name). */
	int called;
	char called_at[128];
	char called_name[48];
};

struct lmodel {
	struct winit_model_spec spec;
	/* Sequential: a leading Flatten is implicit in the spec (its chain reads the input
	 * flattened), so the spec and the results files are those of before graphs; summary and
	 * model.layers show it.  Functional (winit.Model): the InputLayer is shown instead. */
	int has_flatten;
	int functional;
	char lead_name[48]; /* the implicit Flatten's or the InputLayer's name */
	int compiled;
	struct winit_optimizer_spec opt_spec;
	struct winit_lr_schedule schedule; /* the optimizer's learning_rate schedule, if any */
	int built;                         /* the trainer holds the weights */
	struct winit_trainer trainer;      /* the same run lifecycle a study run goes through */
	uint64_t seed;                     /* the run seed of its streams (winit/stream.h) */
};

/* What study:run returns (lstudy.c makes it, lresults.c has its methods). */
struct lresults {
	char name[128];
	uint64_t seed;
	size_t n;
	struct winit_run_spec *runs;
	struct winit_run_result *results;
	char (*kernels)[32]; /* kernel names of runs taken from a results file (resume) */
	size_t n_coord;
	struct winit_coord_check *coord; /* the study's coordinate checks (a copy) */
	size_t n_spectra;
	struct winit_spectrum *spectra; /* the study's Jacobian spectra (a copy) */
};

/* ---------------------------------------------------------------- shared helpers */

/* lsettings.c: the defaults set by winit.set_seed / winit.set_jobs (or the CLI's -j), and
 * study:run's resume and shard (the CLI's --resume, --shard); the setters the host calls
 * are in lwinit.h. */
uint64_t winit_lua_default_seed(lua_State *L);
int winit_lua_default_jobs(lua_State *L);
/* The thread team a model's passes use outside studies: winit.set_jobs's (or the CLI's -j)
 * size, else one per core.  Kept in the state for its lifetime (one per size asked), so a
 * model may hold the pointer. */
struct winit_team *winit_lua_team(lua_State *L);
/* 0: no resume, 1: resume (the CLI's --resume), 2: resume and prune (--prune). */
int winit_lua_default_resume(lua_State *L);
/* The shard study:run executes: the CLI's --shard I/N (winit_lua_set_shard), else 0 of 1. */
void winit_lua_shard(lua_State *L, int *index, int *count);
/* The winit/safe_write.h flags of a Lua writer: WINIT_WRITE_FORCE when the options table
 * at t (0 or not a table: none) has overwrite = true, or, without that key, when the CLI
 * ran with --force; else 0.  A non-boolean overwrite raises fn's error. */
unsigned winit_lua_write_flags(lua_State *L, int t, const char *fn);

/* lopts.c: a path argument at idx: a string, never a number Lua would turn into one (123
 * became the file "123"); anything else raises "bad argument #k (string (a path)
 * expected, got T)".  opt_path: the same, or NULL when idx is none or nil. */
const char *winit_lua_check_path(lua_State *L, int idx);
const char *winit_lua_opt_path(lua_State *L, int idx);

/* lopts.c: fields of option table t; a wrong type or a value out of [min, max] raises
 * an error naming fn and the option.  opt_int takes numbers with an integer value only
 * (not strings), checks the range on the 64-bit value before the caller narrows it, so
 * pass the range of the type the value is stored in (e.g. INT32_MAX for an int32_t).
 * check_keys rejects keys not in `allowed` (NULL-terminated). */
lua_Integer winit_lua_opt_int(lua_State *L, int t, const char *key, lua_Integer def,
                              lua_Integer min, lua_Integer max, const char *fn);
double winit_lua_opt_num(lua_State *L, int t, const char *key, double def, const char *fn);
int winit_lua_opt_bool(lua_State *L, int t, const char *key, int def, const char *fn);
void winit_lua_check_keys(lua_State *L, int t, const char *const allowed[], const char *fn,
                          int allow_positional);
/* lopts.c: entries 1..n of the sequence at the top of the stack, already checked, copied
 * into out (the sequence stays on the stack). */
void winit_lua_copy_numbers(lua_State *L, double *out, int64_t n);
void winit_lua_copy_integers(lua_State *L, int64_t *out, int64_t n);
/* A metatable `name` whose __index holds `methods` (may be NULL), with `gc` (may be NULL)
 * as both __gc and __close. */
void winit_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                         lua_CFunction gc);
/* Set the functions of `funcs` as fields of the table at `index`. */
void winit_lua_set_funcs(lua_State *L, int index, const luaL_Reg *funcs);
/* Whether progress may redraw one line (stdout is a terminal, WINIT_NO_PROGRESS unset). */
int winit_lua_progress_tty(void);

/* lplugins.c */
struct winit_registry *winit_lua_registry(lua_State *L);
void winit_lua_check_plugin_use(lua_State *L, int idx, uint32_t kind, const char *what,
                                struct winit_plugin_use *out);

/* lkeras.c: if the plugin reference at idx names a Keras class of `kind` ("HeNormal",
 * {"RandomNormal", stddev = 1}), push its winit form ({"he_normal"}, {"random_normal",
 * stddev = 1}) and return 1; else push nothing and return 0. */
int winit_lua_keras_translate(lua_State *L, int idx, uint32_t kind);

/* ldata.c, lmodel.c, loptim.c */
struct ldataset *winit_lua_check_dataset(lua_State *L, int idx);
struct lmodel *winit_lua_check_model(lua_State *L, int idx);
/* An optimizer setting; a learning_rate schedule goes to *sched (kind WINIT_LR_CONSTANT
 * when there is none).  sched NULL: schedules are refused. */
void winit_lua_read_optimizer(lua_State *L, int idx, struct winit_optimizer_spec *out,
                              struct winit_lr_schedule *sched, const char *fn);
void winit_lua_read_fit(lua_State *L, int t, struct winit_fit_spec *f, const char *fn);
void winit_lua_push_history(lua_State *L, const struct winit_epoch_stats *h, int n);
/* lmodel.c: initialise m's weights if they are not yet (the trainer's lifecycle). */
void winit_lua_model_ensure_built(lua_State *L, struct lmodel *m);

/* lweights.c: the model methods get_weights/set_weights/get_layer, model.layers for the
 * model at index `model`, and the layer objects' metatable. */
int winit_lua_model_get_weights(lua_State *L);
int winit_lua_model_set_weights(lua_State *L);
int winit_lua_model_get_layer(lua_State *L);
void winit_lua_push_model_layers(lua_State *L, int model);
void winit_lua_open_weights(lua_State *L);

/* llayers.c: a layer name at idx (a string of letters, digits, '_', '.', '-', at most 47
 * bytes) into out (48 bytes); l's spec with Reshape's -1 resolved against its input's
 * shape `in` (raises naming fn when it does not divide or the shape is too large). */
void winit_lua_check_layer_name(lua_State *L, int idx, char *out, const char *fn);
void winit_lua_layer_resolve(lua_State *L, const struct llayer *l, const struct winit_shape *in,
                             struct winit_layer_spec *out, const char *fn);

/* lgraph.c: calling a layer on tensors (the layers' __call), winit.Input (also
 * winit.layers.Input), whether a model's spec is Sequential's (chain nodes, n_in 0, the
 * first possibly fed the model's input by an explicit edge), and the check that a model's
 * layer names are unique (`lead`: the implicit Flatten's or the InputLayer's name, or
 * NULL), raising naming fn and both layers. */
int winit_lua_layer_call(lua_State *L);
int winit_lua_input(lua_State *L);
/* 1 and *shape when the value at idx is a tensor made by winit.Input; else 0. */
int winit_lua_input_shape(lua_State *L, int idx, struct winit_shape *shape);
int winit_lua_spec_is_sequential(const struct winit_model_spec *spec);
void winit_lua_check_names(lua_State *L, const struct winit_model_spec *spec, const char *lead,
                           const char *lead_kind, const char *fn);

/* lsummary.c: model:summary(). */
int winit_lua_model_summary(lua_State *L);

/* lsave.c: the model methods save, save_weights, load_weights (in lmodel.c's table). */
int winit_lua_model_save(lua_State *L);
int winit_lua_model_save_weights(lua_State *L);
int winit_lua_model_load_weights(lua_State *L);

/* ldiag.c: the `diagnostics` option of fit and Study:add, and the tables of snapshots
 * (from index `from` on) and of the theory's prediction. */
void winit_lua_read_cadence(lua_State *L, int t, struct winit_diag_cadence *c, const char *fn);
void winit_lua_push_diagnostics(lua_State *L, const struct winit_diagnostics *d, int from);
/* Set, in the table on top of the stack, each member of s that a table of
 * src/results/fields.h declares, when present, except a row not for Lua and a missing
 * value the row lets Lua leave out (NaN with WINIT_FIELD_NAN_NIL, a WINIT_FIELD_MISS_*
 * flag's) (ldiag.c). */
struct winit_field;
void winit_lua_set_fields(lua_State *L, const struct winit_field *table, const void *s);
void winit_lua_push_theory(lua_State *L, const struct winit_theory *t);

/* lstudy.c, lgrid.c: the run study:add added last to the study at idx; study:grid. */
struct winit_run_spec *winit_lua_study_last_run(lua_State *L, int idx);
int winit_lua_study_grid(lua_State *L);
/* lcoord.c, lstudy.c: what winit.coord_check returned (at cc) as the results file keeps
 * it, named by the options at opts ({name = ..., parametrization = ...}): each hidden
 * layer's activations, the output layer's pre-activations (its logits).  Raises on a
 * table that is not one, leaving *out empty; else *out is the caller's to free. */
void winit_lua_coord_from_table(lua_State *L, int cc, int opts, struct winit_coord_check *out);
/* lspectrum.c, lstudy.c: the table at t (study:add_spectrum's) as a Jacobian spectrum the
 * results file keeps.  Raises on a table that is not one (naming the member), leaving
 * *out empty; else *out is the caller's to free. */
void winit_lua_spectrum_from_table(lua_State *L, int t, struct winit_spectrum *out);

/* lfigure.c: results:report's options table at `opts` (may be none or nil): its
 * `figures` checked into out (errors name the figure and field).  Always pushes one
 * value, the anchor of out's memory: keep it (and opts) on the stack while out is used.
 * write_figures is a winit_report_html_extra_fn (winit/report_page.h) taking a winit_lua_figures. */
struct winit_plot_xy;
struct winit_lua_figures {
	size_t n;
	struct winit_plot_xy *figs;
	const char **captions;
};
size_t winit_lua_check_figures(lua_State *L, int opts, struct winit_lua_figures *out);
void winit_lua_write_figures(FILE *f, void *ctx);

/* lsignal.c: while a guard is on, SIGINT and SIGTERM request a stop (winit/cancel.h),
 * which the trainer polls between steps.  interrupted_error raises the error a stopped
 * fit or study ends with (naming the signal and, when given, where finished runs are). */
struct winit_lua_sigguard {
	struct sigaction old_int, old_term;
};
void winit_lua_sigguard_on(struct winit_lua_sigguard *g);
void winit_lua_sigguard_off(struct winit_lua_sigguard *g);
int winit_lua_interrupted_error(lua_State *L, const char *saved);
/* Around Lua code called from a fit or a study (callbacks, Lua initializers): a count
 * hook that raises "interrupted by SIGINT" once a stop is requested.  on returns whether
 * it installed the hook (a script's own hook is left alone), for off. */
int winit_lua_stop_hook_on(lua_State *L);
void winit_lua_stop_hook_off(lua_State *L, int on);

/* lcallbacks.c: the callbacks of one fit, run through the trainer's hooks. */
#define WINIT_LUA_MAX_CALLBACKS 16
struct winit_lua_fit_callbacks {
	lua_State *L;
	int list, n; /* the callbacks list (absolute index, 0: none) and its length */
	int kind[WINIT_LUA_MAX_CALLBACKS];
	struct winit_early_stopper early[WINIT_LUA_MAX_CALLBACKS]; /* the engine's */
	struct lmodel *m;
	struct winit_fit_hooks hooks; /* ctx is this struct */
};
/* Check the callbacks list at `list` (may be nil) and set up c; pushes one value that must
 * stay on the stack until the fit ends.  Raises on a bad list. */
int winit_lua_callbacks_init(lua_State *L, int list, struct lmodel *m,
                             struct winit_lua_fit_callbacks *c);
/* An EarlyStopping table ({"EarlyStopping", monitor = ..., ...}) at idx into *e, checked
 * by the engine; raises on a bad value.  Study:add takes one too. */
void winit_lua_read_early_stopping(lua_State *L, int idx, struct winit_early_stopping *e);
/* Call every plain table's `name` ("on_train_begin", "on_train_end"); raises on errors. */
void winit_lua_callbacks_train(struct winit_lua_fit_callbacks *c, const char *name);

/* ---------------------------------------------------------------- the parts */

/* Each registers its metatables and sets its functions in the module table at
 * module_index: fields no other part sets, reading nothing another part made, so that
 * they open in any order.  luaopen_winit (lwinit.c) opens those of winit_lua_parts, a
 * table ending with { NULL, NULL }, as Lua's linit.c does its libraries. */
struct winit_lua_part {
	const char *name;
	void (*open)(lua_State *L, int module_index);
};
extern const struct winit_lua_part winit_lua_parts[];

void winit_lua_open_settings(lua_State *L, int module_index);
void winit_lua_open_plugins(lua_State *L, int module_index);
void winit_lua_open_data(lua_State *L, int module_index);
void winit_lua_open_keras(lua_State *L, int module_index);
void winit_lua_open_layers(lua_State *L, int module_index);
void winit_lua_open_graph(lua_State *L, int module_index);
void winit_lua_open_callbacks(lua_State *L, int module_index);
void winit_lua_open_optimizers(lua_State *L, int module_index);
void winit_lua_open_model(lua_State *L, int module_index);
void winit_lua_open_study(lua_State *L, int module_index);
void winit_lua_open_results(lua_State *L, int module_index);
void winit_lua_open_init(lua_State *L, int module_index);
void winit_lua_open_args(lua_State *L, int module_index);
void winit_lua_open_save(lua_State *L, int module_index);
void winit_lua_open_theory(lua_State *L, int module_index);
void winit_lua_open_plot(lua_State *L, int module_index);
void winit_lua_open_coord(lua_State *L, int module_index);
void winit_lua_open_stats(lua_State *L, int module_index);

#endif
