/* src/results/results_read.c -- reading a results file back for resume: validated by
 * results_schema.c (format, version, every member's type and range, named by its place
 * when wrong), then each run's outcome as a struct winit_run_result and its description in a
 * canonical form that winit_results_describe reproduces from a run spec, so resume can
 * tell whether a run in the file is the run a study is about to compute. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <winit/learning.h>
#include <winit/results.h>

#include "results/coord.h"
#include "results/spectrum.h"
#include "results/results.h"
#include "results/results_schema.h"

/* The file is validated whole first (results_schema.c: every member's type and range,
 * named by its place when wrong); what follows only copies what resume needs. */

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int64_t integer(const json_t *o, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* A number; null (the writer's NaN and infinities) and absence read as NaN. */
static double number(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A seed: a decimal string (checked). */
static uint64_t seed(const json_t *o, const char *key)
{
	return (uint64_t)strtoull(str(o, key), NULL, 10);
}

/* Drop the "file" of every plugin's provenance ({"name", "file", "size", "crc32", ...})
 * in v: where a plugin was loaded from differs between a build tree, an install and
 * another machine, and its size and crc32 already say whether it is the same plugin. */
static void drop_plugin_paths(json_t *v)
{
	if (json_is_object(v)) {
		if (json_object_get(v, "crc32"))
			json_object_del(v, "file");
		const char *key;
		json_t *m;
		json_object_foreach(v, key, m)
			drop_plugin_paths(m);
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			drop_plugin_paths(json_array_get(v, i));
	}
}

/* The members keys of obj, as one string of canonical JSON (sorted keys, no spaces),
 * plugins' paths left out (drop_plugin_paths). */
static char *canonical(const json_t *obj, const char *const keys[])
{
	json_t *d = json_object();
	if (!d)
		return NULL;
	for (int k = 0; keys[k]; k++) {
		json_t *v = json_object_get(obj, keys[k]);
		if (v && json_object_set_new(d, keys[k], json_deep_copy(v)) != 0) {
			json_decref(d);
			return NULL;
		}
	}
	drop_plugin_paths(d);
	char *s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(d);
	return s; /* malloc'ed by jansson's default allocator (malloc) */
}

static const char *const description_keys[] = WINIT_RESULTS_DESCRIPTION_KEYS;

static int nomem(const char *path, struct winit_error *err)
{
	return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
}

static int read_history(const json_t *run, struct winit_history *h, int32_t epochs,
                        const char *path, struct winit_error *err)
{
	const json_t *arr = json_object_get(run, "history");
	for (size_t e = 0; e < json_array_size(arr); e++) {
		struct winit_epoch_stats st = { 0 };
		winit_results_fill_fields(&st, 0, winit_fields_epoch, json_array_get(arr, e));
		st.epochs = epochs;
		if (winit_history_append(h, &st, err))
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	}
	return WINIT_OK;
}

/* A layer's "weights_hist" (the snapshot at initialization): [-h, h] with
 * WINIT_DIAG_HIST_BINS counts (the validation checked it). */
static void read_hist(const json_t *l, struct winit_diag_hist *h)
{
	const json_t *o = json_object_get(l, "weights_hist");
	const json_t *counts = json_object_get(o, "counts");
	memset(h, 0, sizeof *h);
	h->half_width = json_number_value(json_array_get(json_object_get(o, "range"), 1));
	for (size_t b = 0; b < WINIT_DIAG_HIST_BINS; b++)
		h->count[b] = (int64_t)json_integer_value(json_array_get(counts, b));
	h->underflow = integer(o, "underflow", 0);
	h->overflow = integer(o, "overflow", 0);
	h->declared_sd = number(o, "declared_sd");
}

/* "diagnostics" and "theory" (absent in files of older writers: then none). */
static int read_diagnostics(const json_t *run, struct winit_run_result *x, const char *path,
                            struct winit_error *err)
{
	const json_t *arr = json_object_get(run, "diagnostics");
	struct winit_diagnostics *d = &x->diagnostics;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i), *layers = json_object_get(o, "layers");
		if (d->n == d->cap) {
			int32_t cap = d->cap ? 2 * d->cap : 32;
			void *q = realloc(d->snaps, (size_t)cap * sizeof *d->snaps);
			if (!q)
				return nomem(path, err);
			d->snaps = q;
			d->cap = cap;
		}
		struct winit_diag_snapshot *sn = &d->snaps[d->n];
		memset(sn, 0, sizeof *sn);
		winit_results_fill(sn, 0, winit_results_snapshot_fields, o);
		sn->n_layers = (int32_t)json_array_size(layers);
		sn->layers = calloc((size_t)sn->n_layers + 1, sizeof *sn->layers);
		if (sn->layers && json_object_get(json_array_get(layers, 0), "weights_hist") &&
		    !(sn->hist = calloc((size_t)sn->n_layers, sizeof *sn->hist))) {
			free(sn->layers);
			sn->layers = NULL;
		}
		if (!sn->layers)
			return nomem(path, err);
		d->n++;
		for (int32_t k = 0; k < sn->n_layers; k++) {
			const json_t *l = json_array_get(layers, (size_t)k);
			winit_results_fill(&sn->layers[k], 0, winit_results_layer_fields, l);
			if (sn->hist)
				read_hist(l, &sn->hist[k]);
		}
	}
	const json_t *th = json_object_get(run, "theory");
	if (!th)
		return WINIT_OK;
	struct winit_theory *t = &x->theory;
	const json_t *reason = json_object_get(th, "reason");
	t->applies = json_is_true(json_object_get(th, "applies"));
	t->computed = t->applies || !reason ||
	              strcmp(str(th, "reason"), "no snapshot at initialization (diagnostics off)") != 0;
	if (!t->applies) {
		snprintf(t->reason, sizeof t->reason, "%s", str(th, "reason"));
		return WINIT_OK;
	}
	const json_t *pv = json_object_get(th, "pre_var"), *gv = json_object_get(th, "grad_var");
	int32_t applied = t->applies, computed = t->computed;
	if (winit_theory_alloc(t, (int32_t)json_array_size(pv)))
		return nomem(path, err);
	t->applies = applied;
	t->computed = computed;
	for (int32_t i = 0; i < t->n_layers; i++) {
		const json_t *a = json_array_get(pv, (size_t)i), *b = json_array_get(gv, (size_t)i);
		t->pre_var[i] = json_is_number(a) ? json_number_value(a) : NAN;
		t->grad_var[i] = json_is_number(b) ? json_number_value(b) : NAN;
	}
	return WINIT_OK;
}

/* What groups and compares the run: its design, grid factors, learning target and what
 * it was expected to do. */
static void read_grouping(const json_t *run, struct winit_results_run *r)
{
	r->design = strcmp(str(run, "design"), "independent") == 0 ? WINIT_DESIGN_INDEPENDENT :
	                                                             WINIT_DESIGN_PAIRED;
	r->expect = strcmp(str(run, "expect"), "diverged") == 0 ? WINIT_EXPECT_DIVERGED : WINIT_EXPECT_OK;
	const char *key;
	const json_t *v;
	r->n_factors = 0;
	json_object_foreach(json_object_get(run, "factors"), key, v)
	{
		struct winit_factor *f = &r->factors[r->n_factors++];
		snprintf(f->name, sizeof f->name, "%s", key);
		snprintf(f->value, sizeof f->value, "%s", json_string_value(v));
	}
	struct winit_learning lm;
	winit_results_fill_fields(&lm, 0, winit_fields_learning, json_object_get(run, "learning"));
	r->target = lm.target > 0 ? lm.target : 0; /* absent: NaN, no target */
}

static int read_run(const json_t *run, struct winit_results_run *r, const char *path,
                    struct winit_error *err)
{
	struct winit_run_result *x = &r->result;
	snprintf(r->name, sizeof r->name, "%s", str(run, "name"));
	snprintf(r->label, sizeof r->label, "%s", str(run, "label"));
	r->replicate = (int32_t)integer(run, "replicate", 0);
	r->seed = seed(run, "seed");
	x->run_seed = seed(run, "run_seed");
	int32_t epochs = (int32_t)integer(json_object_get(run, "fit"), "epochs", 0);
	const json_t *data = json_object_get(run, "data");
	x->n_train = integer(data, "n_train", 0);
	x->n_val = integer(data, "n_val", 0);
	x->n_test = integer(data, "n_test", 0);
	/* The status and kernel set as the file writes them, beside the result's. */
	snprintf(r->status, sizeof r->status, "%s", str(run, "status"));
	snprintf(r->kernels, sizeof r->kernels, "%s", str(run, "kernels"));
	read_grouping(run, r);
	winit_results_fill_fields(x, 0, winit_fields_status, run);
	winit_results_fill_fields(&x->divergence, 0, winit_fields_divergence, json_object_get(run, "diverged"));
	int rc = read_history(run, &x->history, epochs, path, err);
	winit_results_fill_fields(x, 0, winit_fields_outcome, run);
	if (!rc)
		rc = read_diagnostics(run, x, path, err);
	if (rc)
		return rc;
	x->done = 1;
	r->description = canonical(run, description_keys);
	return r->description ? WINIT_OK : nomem(path, err);
}

int winit_results_read(const char *path, struct winit_results_file *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	struct winit_results_doc d;
	int rc = winit_results_doc_load(path, WINIT_RESULTS_VERSION, &d, err);
	if (rc)
		return rc;
	const json_t *root = d.doc.root, *runs = json_object_get(root, "runs");
	out->version = d.version;
	snprintf(out->format, sizeof out->format, "%s", WINIT_RESULTS_FORMAT);
	snprintf(out->study, sizeof out->study, "%s", str(root, "study"));
	snprintf(out->generator, sizeof out->generator, "%s", str(root, "generator"));
	out->seed = seed(root, "seed");
	size_t n = json_array_size(runs);
	out->runs = calloc(n ? n : 1, sizeof *out->runs);
	if (!out->runs)
		rc = nomem(path, err);
	for (size_t i = 0; i < n && !rc; i++) {
		out->n_runs = i + 1; /* what to free */
		rc = read_run(json_array_get(runs, i), &out->runs[i], path, err);
	}
	if (!rc)
		rc = winit_coord_checks_read(root, path, &out->coord_checks, &out->n_coord_checks, err);
	if (!rc)
		rc = winit_spectra_read(root, path, &out->spectra, &out->n_spectra, err);
	winit_results_doc_free(&d);
	if (rc)
		winit_results_file_free(out);
	return rc;
}

void winit_results_file_free(struct winit_results_file *f)
{
	for (size_t i = 0; f->runs && i < f->n_runs; i++) {
		free(f->runs[i].description);
		winit_run_result_free(&f->runs[i].result);
	}
	free(f->runs);
	winit_coord_checks_free(f->coord_checks, f->n_coord_checks);
	winit_spectra_free(f->spectra, f->n_spectra);
	memset(f, 0, sizeof *f);
}

char *winit_results_describe(const struct winit_run_spec *spec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	winit_results_write_description(f, spec);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(text);
		return NULL;
	}
	json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (!d)
		return NULL;
	char *s = canonical(d, description_keys);
	json_decref(d);
	return s;
}
