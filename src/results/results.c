/* src/results/results.c -- the results file (JSON): writing it safely, after every run.
 *
 * Safe means: the path is checked before any training (a regular file or nothing; a
 * symbolic link is followed and its target written); the text is written to a temporary
 * file next to the target, fsync'ed, renamed over it and the directory fsync'ed, so a
 * crash leaves either the previous complete file or the new one; temporary files of
 * killed writers are removed; every failure carries strerror's text. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/learning.h>
#include <winit/registry.h>
#include <winit/results.h>
#include <winit/safe_write.h>

#include "layers/kind.h"
#include "nn/graph.h"
#include "results/coord.h"
#include "results/spectrum.h"
#include "results/fields.h"
#include "results/json.h"
#include "results/results.h"

static void write_plugin(struct json *j, const struct winit_plugin_use *u)
{
	json_begin_object(j);
	json_string_at(j, "name", u->info->name);
	if (u->entry && !u->entry->builtin && u->entry->size >= 0) {
		/* Which file ran, and its contents' identity (zlib crc32, 8 hex digits). */
		char crc[16];
		snprintf(crc, sizeof crc, "%08x", (unsigned)u->entry->crc32);
		json_string_at(j, "file", u->entry->file);
		json_int_at(j, "size", u->entry->size);
		json_string_at(j, "crc32", crc);
	}
	json_key(j, "params");
	json_begin_object(j);
	for (uint32_t k = 0; k < u->info->n_params; k++) {
		const struct winit_param_decl *d = &u->info->params[k];
		json_key(j, d->name);
		if (d->type == WINIT_PARAM_CHOICE)
			json_string(j, d->choices[(int)u->params[k]]);
		else if (d->type == WINIT_PARAM_INT)
			json_int(j, (int64_t)u->params[k]);
		else
			json_number(j, u->params[k]);
	}
	json_end_object(j);
	json_end_object(j);
}

/* "schedule": the optimizer's learning-rate schedule, in Keras's names (only when there
 * is one, so files of runs without one are as before). */
static void write_schedule(struct json *j, const struct winit_lr_schedule *sc)
{
	int exp = sc->kind == WINIT_LR_EXPONENTIAL_DECAY;
	json_key(j, "schedule");
	json_begin_object(j);
	json_string_at(j, "name", exp ? "ExponentialDecay" : "CosineDecay");
	json_number_at(j, "initial_learning_rate", sc->initial_learning_rate);
	json_number_at(j, "decay_steps", sc->decay_steps);
	if (exp) {
		json_number_at(j, "decay_rate", sc->decay_rate);
		json_bool_at(j, "staircase", sc->staircase);
	} else {
		json_number_at(j, "alpha", sc->alpha);
	}
	json_end_object(j);
}

/* "optimizer": its kind's settings, and its schedule when it has one. */
static void write_optimizer(struct json *j, const struct winit_optimizer_spec *o)
{
	json_key(j, "optimizer");
	json_begin_object(j);
	json_string_at(j, "name", o->kind == WINIT_OPT_ADAM ? "adam" : "sgd");
	json_number_at(j, "learning_rate", o->learning_rate);
	if (o->kind == WINIT_OPT_ADAM) {
		json_number_at(j, "beta_1", o->beta_1);
		json_number_at(j, "beta_2", o->beta_2);
		json_number_at(j, "epsilon", o->epsilon);
	} else {
		json_number_at(j, "momentum", o->momentum);
		json_bool_at(j, "nesterov", o->nesterov);
	}
	if (o->schedule.kind != WINIT_LR_CONSTANT)
		write_schedule(j, &o->schedule);
	json_end_object(j);
}

/* "early_stopping": Keras's EarlyStopping of the fit (only when enabled). */
static void write_early_stopping(struct json *j, const struct winit_early_stopping *e)
{
	json_key(j, "early_stopping");
	json_begin_object(j);
	json_string_at(j, "monitor", winit_monitor_name(e->monitor));
	json_number_at(j, "min_delta", fabs(e->min_delta));
	json_int_at(j, "patience", e->patience);
	json_string_at(j, "mode", winit_monitor_mode_name(e->mode));
	json_bool_at(j, "restore_best_weights", e->restore_best_weights);
	if (e->has_baseline)
		json_number_at(j, "baseline", e->baseline);
	json_end_object(j);
}

/* A list of integers: a shape's dims. */
static void write_dims(struct json *j, const char *key, const struct winit_shape *sh)
{
	json_key(j, key);
	json_begin_array(j);
	for (int32_t d = 0; d < sh->rank && d < WINIT_MAX_RANK; d++)
		json_int(j, sh->dim[d]);
	json_end_array(j);
}

/* Layer i of a model: its kind ("type", Keras's class name); a graph's adds "name",
 * "inputs" (when it names them: 0-based layer indices, -1 the model's input),
 * "output_shape" (one example's, without the batch); a kind with an activation (Dense)
 * its units, plugins and bias; then the kind's configuration fields (src/layers/kind.h)
 * and, when set, its "multipliers".  Kinds without an activation or initializers write
 * none of those members (they are absent, not null). */
static void write_layer(struct json *j, const struct winit_model_spec *spec, int i, int graph,
                        const struct winit_shape *shapes)
{
	const struct winit_layer_spec *l = &spec->layers[i];
	const struct winit_layer_ops *k = winit_layer_kind_get(l->kind);
	json_begin_object(j);
	json_string_at(j, "type", winit_layer_kind_name(l->kind));
	if (graph) {
		char name[64];
		json_string_at(j, "name", winit_model_spec_layer_name(spec, i, name, sizeof name));
		if (l->n_in > 0) {
			json_key(j, "inputs");
			json_begin_array(j);
			for (int32_t e = 0; e < l->n_in; e++)
				json_int(j, spec->inputs[l->in_off + e]);
			json_end_array(j);
		}
		if (shapes)
			write_dims(j, "output_shape", &shapes[i]);
	}
	if (k && k->has_activation) {
		json_int_at(j, k->units_name ? k->units_name : "units", l->units);
		json_key(j, "activation");
		write_plugin(j, &l->activation);
		json_key(j, "kernel_initializer");
		write_plugin(j, &l->kernel_initializer);
		json_bool_at(j, "use_bias", l->use_bias);
		if (l->use_bias) {
			json_key(j, "bias_initializer");
			write_plugin(j, &l->bias_initializer);
		}
	}
	if (k && !k->has_activation && k->declare) {
		/* The initializers of its tensors, by Keras's names (BatchNormalization's
		 * gamma_initializer, beta_initializer), those it has. */
		const int named = k->init_names[0] || k->init_names[1];
		const char *key[2] = { named ? k->init_names[0] : "kernel_initializer",
			               named ? k->init_names[1] : "bias_initializer" };
		const struct winit_plugin_use *use[2] = { &l->kernel_initializer, &l->bias_initializer };
		for (int t = 0; t < 2; t++)
			if (key[t] && use[t]->info) {
				json_key(j, key[t]);
				write_plugin(j, use[t]);
			}
	}
	if (!graph || !k) {
		json_end_object(j);
		return;
	}
	for (const struct winit_layer_field *f = k->fields; f && f->name; f++) {
		if (f->type == WINIT_LAYER_FIELD_INT) {
			json_int_at(j, f->name, winit_layer_field_int(f, l));
		} else if (f->type == WINIT_LAYER_FIELD_INTS) {
			json_key(j, f->name);
			json_begin_array(j);
			for (int32_t c = 0; c < f->count; c++)
				json_int(j, winit_layer_field_int_at(f, l, c));
			json_end_array(j);
		} else if (f->type == WINIT_LAYER_FIELD_CHOICE) {
			int32_t v = winit_layer_field_int(f, l);
			json_string_at(j, f->name, v >= 0 && v < winit_layer_field_n_choices(f) ? f->choices[v] : "?");
		} else if (f->type == WINIT_LAYER_FIELD_REAL) {
			json_number_at(j, f->name, winit_layer_field_real(f, l));
		} else {
			struct winit_shape sh = winit_layer_field_shape_of(f, l);
			write_dims(j, f->name, &sh);
		}
	}
	if (l->mult_set) {
		/* By tensor name ("kernel", "bias"), and the output's. */
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		int32_t n = shapes ? winit_model_spec_tensors(spec, i, shapes, decl) : 0;
		json_key(j, "multipliers");
		json_begin_object(j);
		for (int32_t t = 0; t < n; t++) {
			json_key(j, decl[t].name);
			json_begin_object(j);
			json_number_at(j, "init", l->mult[t].init);
			json_number_at(j, "lr", l->mult[t].lr);
			json_end_object(j);
		}
		json_number_at(j, "output", l->out_mult);
		json_end_object(j);
	}
	json_end_object(j);
}

/* The run's description: everything that decides its numbers (name, seeds, model,
 * optimizer, fit settings, data), what resume compares.  Members of an open object;
 * every key written here is listed in WINIT_RESULTS_DESCRIPTION_KEYS (results.h). */
static void write_description(struct json *j, const struct winit_run_spec *s, uint64_t run_seed,
                              int64_t n_train, int64_t n_val, int64_t n_test)
{
	char seed[24];
	json_string_at(j, "name", s->name);
	json_string_at(j, "label", s->label);
	json_int_at(j, "replicate", s->replicate);
	json_string_at(j, "design", s->design == WINIT_DESIGN_INDEPENDENT ? "independent" : "paired");
	if (s->n_factors > 0) {
		json_key(j, "factors");
		json_begin_object(j);
		for (int32_t f = 0; f < s->n_factors; f++)
			json_string_at(j, s->factors[f].name, s->factors[f].value);
		json_end_object(j);
	}
	/* 64-bit seeds as decimal strings: a JSON number beyond 2^53 is not exact in many
	 * readers (JavaScript, jq), and beyond 2^63 not even in jansson. */
	snprintf(seed, sizeof seed, "%" PRIu64, s->seed);
	json_string_at(j, "seed", seed);
	snprintf(seed, sizeof seed, "%" PRIu64, run_seed);
	json_string_at(j, "run_seed", seed);

	json_key(j, "model");
	json_begin_object(j);
	json_key(j, "input_shape");
	json_begin_array(j);
	for (int i = 0; i < s->model.n_input_dims; i++)
		json_int(j, s->model.input_shape[i]);
	json_end_array(j);
	json_key(j, "layers");
	json_begin_array(j);
	/* A chain of Dense layers is described as before graphs (its file is unchanged); a
	 * graph's layers add their name, inputs, output shape, configuration and multipliers. */
	int graph = !winit_model_spec_is_chain(&s->model);
	struct winit_shape *shapes = NULL;
	if (graph && s->model.n_layers > 0) {
		struct winit_error err;
		shapes = malloc((size_t)s->model.n_layers * sizeof *shapes);
		if (shapes && winit_model_spec_shapes(&s->model, shapes, &err)) {
			free(shapes);
			shapes = NULL;
		}
	}
	for (int i = 0; i < s->model.n_layers; i++)
		write_layer(j, &s->model, i, graph, shapes);
	free(shapes);
	json_end_array(j);
	json_end_object(j);

	write_optimizer(j, &s->optimizer);
	json_string_at(j, "loss", "categorical_crossentropy");

	json_key(j, "fit");
	json_begin_object(j);
	json_int_at(j, "epochs", s->fit.epochs);
	json_int_at(j, "batch_size", s->fit.batch_size);
	json_number_at(j, "validation_split", s->fit.validation_split);
	json_bool_at(j, "shuffle", s->fit.shuffle);
	if (s->fit.early_stopping.enabled)
		write_early_stopping(j, &s->fit.early_stopping);
	json_end_object(j);

	json_key(j, "data");
	json_begin_object(j);
	json_string_at(j, "train", s->train_source);
	json_string_at(j, "test", s->test_source);
	json_int_at(j, "n_train", n_train);
	json_int_at(j, "n_val", n_val);
	json_int_at(j, "n_test", n_test);
	json_end_object(j);
}

/* Row f's member of s: a missing one as null unless the row keeps it. */
static void write_field(struct json *j, const struct winit_field *f, const void *s)
{
	if (f->type == WINIT_FIELD_F64) {
		json_number_at(j, f->key, winit_field_f64(f, s));
	} else if (!(f->flags & WINIT_FIELD_KEEP) && winit_field_missing(f, s)) {
		json_number_at(j, f->key, NAN); /* null */
	} else if (f->type == WINIT_FIELD_CHOICE || f->type == WINIT_FIELD_TEXT) {
		json_string_at(j, f->key, winit_field_text(f, s, 0));
	} else {
		json_int_at(j, f->key, winit_field_int(f, s));
	}
}

/* The members of s that a fields.h table declares and s has, in the table's order, those
 * marked WINIT_FIELD_LAST after the others. */
static void write_fields(struct json *j, const struct winit_field *table, const void *s)
{
	for (unsigned last = 0; last <= WINIT_FIELD_LAST; last += WINIT_FIELD_LAST)
		for (const struct winit_field *f = table; f->key; f++)
			if ((f->flags & WINIT_FIELD_LAST) == last && winit_field_present(f, s, 0))
				write_field(j, f, s);
}

/* "weights_hist": {range: [-h, h], counts: [...], underflow, overflow, declared_sd}. */
static void write_hist(struct json *j, const struct winit_diag_hist *h)
{
	json_key(j, "weights_hist");
	json_begin_object(j);
	json_key(j, "range");
	json_begin_array(j);
	json_number(j, h->half_width > 0 ? -h->half_width : 0); /* not -0 */
	json_number(j, h->half_width);
	json_end_array(j);
	json_key(j, "counts");
	json_begin_array(j);
	for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++)
		json_int(j, h->count[b]);
	json_end_array(j);
	json_int_at(j, "underflow", h->underflow);
	json_int_at(j, "overflow", h->overflow);
	json_number_at(j, "declared_sd", h->declared_sd);
	json_end_object(j);
}

/* "diagnostics": [ {step, epoch, layers: [ {pre_mean, ...} ] } ]; undefined values null. */
static void write_diagnostics(struct json *j, const struct winit_diagnostics *d)
{
	json_key(j, "diagnostics");
	json_begin_array(j);
	for (int32_t i = 0; i < d->n; i++) {
		const struct winit_diag_snapshot *s = &d->snaps[i];
		json_begin_object(j);
		write_fields(j, winit_fields_snapshot, s);
		json_key(j, "layers");
		json_begin_array(j);
		for (int32_t k = 0; k < s->n_layers; k++) {
			const struct winit_diag_layer *L = &s->layers[k];
			json_begin_object(j);
#define WRITE_f64(name) json_number_at(j, #name, L->name);
#define WRITE_i64(name) json_int_at(j, #name, L->name);
#define WRITE(name, type, range) WRITE_##type(name)
			WINIT_DIAG_LAYER_FIELDS(WRITE)
#undef WRITE
#undef WRITE_i64
#undef WRITE_f64
			if (s->hist)
				write_hist(j, &s->hist[k]);
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

/* "theory": {applies: true, pre_var: [...], grad_var: [...]} or {applies: false, reason}. */
static void write_theory(struct json *j, const struct winit_theory *t)
{
	json_key(j, "theory");
	json_begin_object(j);
	json_bool_at(j, "applies", t->computed && t->applies);
	if (!t->computed) {
		json_string_at(j, "reason", "no snapshot at initialization (diagnostics off)");
	} else if (!t->applies) {
		json_string_at(j, "reason", t->reason);
	} else {
		json_key(j, "pre_var");
		json_begin_array(j);
		for (int32_t i = 0; i < t->n_layers; i++)
			json_number(j, t->pre_var[i]);
		json_end_array(j);
		json_key(j, "grad_var");
		json_begin_array(j);
		for (int32_t i = 0; i < t->n_layers; i++)
			json_number(j, t->grad_var[i]);
		json_end_array(j);
	}
	json_end_object(j);
}

/* What the run produced: status, history, test metrics, timings, kernels, diagnostics,
 * theory. */
static void write_outcome(struct json *j, const struct winit_run_result *r)
{
	write_fields(j, winit_fields_status, r);
	if (r->status == WINIT_ERR_DIVERGED) {
		json_key(j, "diverged");
		json_begin_object(j);
		write_fields(j, winit_fields_divergence, &r->divergence);
		json_end_object(j);
	}
	json_key(j, "history");
	json_begin_array(j);
	for (int e = 0; e < r->history.n; e++) {
		json_begin_object(j);
		write_fields(j, winit_fields_epoch, &r->history.epochs[e]);
		json_end_object(j);
	}
	json_end_array(j);
	write_fields(j, winit_fields_outcome, r);
	write_diagnostics(j, &r->diagnostics);
	write_theory(j, &r->theory);
}

/* How fast the run learned (winit_learning), from its history, its snapshots and the
 * study's target: derived from the outcome, so not part of the description. */
static void write_learning(struct json *j, const struct winit_run_spec *s, const struct winit_run_result *r)
{
	struct winit_learning lm;
	winit_learning_metrics(&lm, &r->history, &r->diagnostics, s->target);
	json_key(j, "learning");
	json_begin_object(j);
	write_fields(j, winit_fields_learning, &lm);
	json_end_object(j);
}

static void write_run(struct json *j, size_t index, const struct winit_run_spec *s,
                      const struct winit_run_result *r)
{
	json_begin_object(j);
	write_description(j, s, r->run_seed, r->n_train, r->n_val, r->n_test);
	/* The run's place in the study, outside the description (resume matches runs by
	 * name): shards of one study merge back in this order (winit merge). */
	json_int_at(j, "index", (int64_t)index);
	/* What the script expected, when not to finish: not part of the description either
	 * (it changes no number), and absent from every other run. */
	if (s->expect == WINIT_EXPECT_DIVERGED)
		json_string_at(j, "expect", "diverged");
	write_outcome(j, r);
	write_learning(j, s, r);
	json_end_object(j);
}

void winit_results_write_description(FILE *f, const struct winit_run_spec *s)
{
	struct json j;
	int64_t n = s->train ? s->train->n : 0;
	int64_t n_train = winit_fit_train_rows(n, s->fit.validation_split);
	json_init(&j, f);
	json_begin_object(&j);
	write_description(&j, s, winit_run_seed(s), n_train, n - n_train, s->test ? s->test->n : 0);
	json_end_object(&j);
}

int winit_results_check_writable(const char *path, struct winit_error *err)
{
	return winit_results_check_writable_ext(path, 0, err);
}

int winit_results_check_writable_ext(const char *path, unsigned flags, struct winit_error *err)
{
	return winit_safe_write_check(path, WINIT_FILE_RESULTS, "results", flags | WINIT_WRITE_PARENTS,
	                              err);
}

/* A text made by fn(j, ctx) with a JSON writer on a memory stream; NULL when out of
 * memory.  depth > 0 starts the writer inside an open array at that depth, as the first
 * member: the text then begins with its line break and indentation, and joins to others
 * with ",". */
static char *json_text(void (*fn)(struct json *, const void *), const void *ctx, int depth,
                       size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	if (!f)
		return NULL;
	struct json j;
	json_init(&j, f);
	j.depth = depth;
	j.first[depth] = 1;
	fn(&j, ctx);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(text);
		return NULL;
	}
	return text;
}

struct header_ctx {
	const char *study;
	uint64_t seed;
	const struct winit_results_sections *sec;
};

static void header_fn(struct json *j, const void *ctx)
{
	const struct header_ctx *h = ctx;
	char seed_text[24];
	snprintf(seed_text, sizeof seed_text, "%" PRIu64, h->seed);
	json_begin_object(j);
	json_string_at(j, "format", WINIT_RESULTS_FORMAT);
	json_int_at(j, "version", WINIT_RESULTS_VERSION);
	json_string_at(j, "generator", PACKAGE_STRING);
	json_string_at(j, "study", h->study);
	json_string_at(j, "seed", seed_text);
	if (h->sec) {
		winit_coord_checks_write(j, h->sec->coord_checks, h->sec->n_coord_checks);
		winit_spectra_write(j, h->sec->spectra, h->sec->n_spectra);
	}
	json_key(j, "runs");
	json_begin_array(j);
}

char *winit_results_header_text(const char *study, uint64_t seed,
                                const struct winit_results_sections *sec, size_t *len)
{
	struct header_ctx h = { study, seed, sec };
	return json_text(header_fn, &h, 0, len);
}

struct run_ctx {
	size_t index;
	const struct winit_run_spec *s;
	const struct winit_run_result *r;
};

static void run_fn(struct json *j, const void *ctx)
{
	const struct run_ctx *c = ctx;
	write_run(j, c->index, c->s, c->r);
}

char *winit_results_run_text(size_t index, const struct winit_run_spec *s,
                             const struct winit_run_result *r, size_t *len)
{
	struct run_ctx c = { index, s, r };
	return json_text(run_fn, &c, 2, len);
}

char *winit_results_join(const char *header, size_t header_len, const char *const *runs,
                         const size_t *lens, size_t n, size_t *len)
{
	static const char tail_some[] = "\n  ]\n}\n", tail_none[] = "]\n}\n";
	const char *tail = n ? tail_some : tail_none;
	size_t total = header_len + strlen(tail) + (n ? n - 1 : 0);
	for (size_t i = 0; i < n; i++)
		total += lens[i];
	char *text = malloc(total + 1);
	if (!text)
		return NULL;
	char *p = text;
	memcpy(p, header, header_len);
	p += header_len;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		memcpy(p, runs[i], lens[i]);
		p += lens[i];
	}
	memcpy(p, tail, strlen(tail) + 1);
	*len = total;
	return text;
}

int winit_results_target(const char *path, char *out, size_t size, struct winit_error *err)
{
	return winit_safe_write_target(path, WINIT_FILE_RESULTS, "results", out, size, err);
}

int winit_results_replace(const char *path, const char *text, size_t len, unsigned flags,
                          struct winit_error *err)
{
	struct winit_safe_write w;
	int rc = winit_safe_write_open(&w, path, WINIT_FILE_RESULTS, "results",
	                               flags | WINIT_WRITE_PARENTS, err);
	if (rc)
		return rc;
	winit_safe_write_bytes(&w, text, len);
	return winit_safe_write_commit(&w, err);
}

int winit_results_write_json(const char *path, const char *study, uint64_t seed,
                             const struct winit_run_spec *runs,
                             const struct winit_run_result *results, size_t n_runs,
                             struct winit_error *err)
{
	return winit_results_write_json_ext(path, study, seed, runs, results, n_runs, 0, err);
}

int winit_results_write_json_ext(const char *path, const char *study, uint64_t seed,
                                 const struct winit_run_spec *runs,
                                 const struct winit_run_result *results, size_t n_runs,
                                 unsigned flags, struct winit_error *err)
{
	return winit_results_write_json_coord(path, study, seed, runs, results, n_runs, NULL, 0,
	                                      flags, err);
}

int winit_results_write_json_coord(const char *path, const char *study, uint64_t seed,
                                   const struct winit_run_spec *runs,
                                   const struct winit_run_result *results, size_t n_runs,
                                   const struct winit_coord_check *cc, size_t n_cc,
                                   unsigned flags, struct winit_error *err)
{
	struct winit_results_sections sec = { .coord_checks = cc, .n_coord_checks = n_cc };
	return winit_results_write_json_sections(path, study, seed, runs, results, n_runs, &sec,
	                                         flags, err);
}

int winit_results_sections_check(const struct winit_results_sections *sec, const char *path,
                                 struct winit_error *err)
{
	if (!sec)
		return WINIT_OK;
	int rc = winit_coord_checks_check(sec->coord_checks, sec->n_coord_checks, path, err);
	return rc ? rc : winit_spectra_check(sec->spectra, sec->n_spectra, path, err);
}

int winit_results_write_json_sections(const char *path, const char *study, uint64_t seed,
                                      const struct winit_run_spec *runs,
                                      const struct winit_run_result *results, size_t n_runs,
                                      const struct winit_results_sections *sec, unsigned flags,
                                      struct winit_error *err)
{
	int rc = winit_results_sections_check(sec, path, err);
	if (rc)
		return rc;
	/* The whole text is made in memory first: a failed write(2) then has an errno. */
	size_t n_done = 0, header_len = 0, len = 0;
	for (size_t i = 0; i < n_runs; i++)
		n_done += results[i].done != 0;
	char *header = winit_results_header_text(study, seed, sec, &header_len);
	char **texts = calloc(n_done ? n_done : 1, sizeof *texts);
	size_t *lens = calloc(n_done ? n_done : 1, sizeof *lens);
	int ok = header && texts && lens;
	for (size_t i = 0, k = 0; ok && i < n_runs; i++) {
		if (!results[i].done)
			continue;
		texts[k] = winit_results_run_text(i, &runs[i], &results[i], &lens[k]);
		ok = texts[k++] != NULL;
	}
	char *text = ok ? winit_results_join(header, header_len, (const char *const *)texts, lens,
	                                     n_done, &len) :
	                  NULL;
	for (size_t k = 0; texts && k < n_done; k++)
		free(texts[k]);
	free(texts);
	free(lens);
	free(header);
	if (!text)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the results", path);
	rc = winit_results_replace(path, text, len, flags, err);
	free(text);
	return rc;
}
