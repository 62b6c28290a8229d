/* src/report/results_read.c -- reading a results file back (with Jansson): the header
 * checked (format, version), every field's type checked and named by its place when
 * wrong, each run's outcome as a struct winit_run_result and its description in a
 * canonical form that winit_results_describe reproduces from a run spec, so resume can
 * tell whether a run in the file is the run a study is about to compute. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <winit/results.h>

#include <winit/report.h>

#include "report/results.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The place of a field in the file, for messages: "runs[2].history[0].loss". */
struct where {
	const char *path; /* the file */
	char at[160];
};

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static int bad_field(struct winit_error *err, const struct where *w, const char *key,
                     const char *expected, const json_t *got)
{
	return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s%s%s: expected %s, got %s", w->path,
	                       w->at, *w->at ? "." : "", key, expected,
	                       got ? type_name(got) : "nothing (the field is missing)");
}

/* A string member copied into out (size bytes); must fit. */
static int get_string(const json_t *obj, const char *key, char *out, size_t size,
                      const struct where *w, struct winit_error *err)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return bad_field(err, w, key, "a string", v);
	if (json_string_length(v) >= size)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s.%s: longer than %zu bytes",
		                       w->path, w->at, key, size - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return WINIT_OK;
}

/* A 64-bit unsigned integer written as a decimal string. */
static int get_seed(const json_t *obj, const char *key, uint64_t *out, const struct where *w,
                    struct winit_error *err)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return bad_field(err, w, key, "a decimal string (64-bit seeds are strings)", v);
	const char *s = json_string_value(v);
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: %s%s%s: expected a decimal number in [0, 2^64), got \"%.40s\"",
		                       w->path, w->at, *w->at ? "." : "", key, s);
	*out = (uint64_t)x;
	return WINIT_OK;
}

static int get_int(const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
                   const struct where *w, struct winit_error *err)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return bad_field(err, w, key, "an integer", v);
	json_int_t x = json_integer_value(v);
	if (x < min || x > max)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: %s.%s: %" JSON_INTEGER_FORMAT " is out of range [%" PRId64
		                       ", %" PRId64 "]",
		                       w->path, w->at, key, x, min, max);
	*out = x;
	return WINIT_OK;
}

/* A number; null stands for a non-finite value (the writer writes NaN and infinities as
 * null) and reads as NaN. */
static int get_number(const json_t *obj, const char *key, double *out, const struct where *w,
                      struct winit_error *err)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_null(v))
		*out = NAN;
	else if (json_is_number(v))
		*out = json_number_value(v);
	else
		return bad_field(err, w, key, "a number or null", v);
	return WINIT_OK;
}

/* The canonical text of the members of obj named in keys: keys sorted, no spaces. */
static char *canonical(const json_t *obj, const char *const keys[])
{
	json_t *d = json_object();
	if (!d)
		return NULL;
	for (int k = 0; keys[k]; k++) {
		json_t *v = json_object_get(obj, keys[k]);
		if (v && json_object_set(d, keys[k], v) != 0) {
			json_decref(d);
			return NULL;
		}
	}
	char *s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(d);
	return s; /* malloc'ed by jansson's default allocator (malloc) */
}

static const char *const description_keys[] = WINIT_RESULTS_DESCRIPTION_KEYS;

static int read_history(const json_t *run, struct winit_history *h, int32_t epochs,
                        struct where *w, struct winit_error *err)
{
	const json_t *arr = json_object_get(run, "history");
	if (!json_is_array(arr))
		return bad_field(err, w, "history", "an array", arr);
	size_t len = strlen(w->at);
	for (size_t e = 0; e < json_array_size(arr); e++) {
		const json_t *o = json_array_get(arr, e);
		snprintf(w->at + len, sizeof w->at - len, ".history[%zu]", e);
		if (!json_is_object(o))
			return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s: expected an object, got %s",
			                       w->path, w->at, type_name(o));
		struct winit_epoch_stats st = { 0 };
		int64_t epoch;
		int rc = get_int(o, "epoch", 1, INT32_MAX, &epoch, w, err);
		if (!rc)
			rc = get_number(o, "loss", &st.loss, w, err);
		if (!rc)
			rc = get_number(o, "accuracy", &st.accuracy, w, err);
		st.has_val = json_object_get(o, "val_loss") != NULL;
		if (!rc && st.has_val)
			rc = get_number(o, "val_loss", &st.val_loss, w, err);
		if (!rc && st.has_val)
			rc = get_number(o, "val_accuracy", &st.val_accuracy, w, err);
		if (!rc)
			rc = get_number(o, "seconds", &st.seconds, w, err);
		if (!rc) {
			st.epoch = (int32_t)epoch;
			st.epochs = epochs;
			rc = winit_history_append(h, &st, err);
		}
		if (rc)
			return rc;
	}
	w->at[len] = '\0';
	return WINIT_OK;
}

/* A layer's "weights_hist" (the snapshot at initialization): exactly the histogram the
 * writer writes, [-h, h] with WINIT_DIAG_HIST_BINS counts. */
static int read_hist(const json_t *l, struct winit_diag_hist *h, const struct where *w,
                     struct winit_error *err)
{
	const json_t *o = json_object_get(l, "weights_hist");
	if (!json_is_object(o))
		return bad_field(err, w, "weights_hist", "an object (every layer has one when any has)", o);
	const json_t *range = json_object_get(o, "range"), *counts = json_object_get(o, "counts");
	double lo = NAN, hi = NAN;
	if (json_is_array(range) && json_array_size(range) == 2) {
		lo = json_number_value(json_array_get(range, 0));
		hi = json_number_value(json_array_get(range, 1));
	}
	if (!json_is_number(json_array_get(range, 0)) || !json_is_number(json_array_get(range, 1)) ||
	    !(hi >= 0) || lo != -hi || !isfinite(hi))
		return bad_field(err, w, "weights_hist.range", "[-h, h] with a finite h >= 0", range);
	if (!json_is_array(counts) || json_array_size(counts) != WINIT_DIAG_HIST_BINS)
		return bad_field(err, w, "weights_hist.counts", "an array of " STR(WINIT_DIAG_HIST_BINS) " counts",
		                 counts);
	memset(h, 0, sizeof *h);
	h->half_width = hi;
	for (size_t b = 0; b < WINIT_DIAG_HIST_BINS; b++) {
		const json_t *v = json_array_get(counts, b);
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad_field(err, w, "weights_hist.counts", "counts (integers >= 0)", v);
		h->count[b] = json_integer_value(v);
	}
	int rc = get_int(o, "underflow", 0, INT64_MAX, &h->underflow, w, err);
	if (!rc)
		rc = get_int(o, "overflow", 0, INT64_MAX, &h->overflow, w, err);
	if (!rc)
		rc = get_number(o, "declared_sd", &h->declared_sd, w, err);
	return rc;
}

/* "diagnostics" and "theory" (absent in files of older writers: then none). */
static int read_diagnostics(const json_t *run, struct winit_run_result *x, struct where *w,
                            struct winit_error *err)
{
	static const char *const num[] = { "pre_mean", "pre_var", "act_mean", "act_var",
		                           "grad_var", "wgrad_var", "w_mean", "w_sd",
		                           "update_ratio", "dead_fraction", "saturated_fraction" };
	const json_t *arr = json_object_get(run, "diagnostics");
	if (arr && !json_is_array(arr))
		return bad_field(err, w, "diagnostics", "an array", arr);
	size_t len = strlen(w->at);
	int rc = WINIT_OK;
	for (size_t i = 0; !rc && arr && i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i);
		snprintf(w->at + len, sizeof w->at - len, ".diagnostics[%zu]", i);
		const json_t *layers = json_object_get(o, "layers");
		int64_t step, epoch;
		if (!json_is_object(o))
			return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s: expected an object, got %s",
			                       w->path, w->at, type_name(o));
		if ((rc = get_int(o, "step", 0, INT64_MAX, &step, w, err)) ||
		    (rc = get_int(o, "epoch", 0, INT32_MAX, &epoch, w, err)))
			return rc;
		if (!json_is_array(layers) || json_array_size(layers) > WINIT_MAX_LAYERS)
			return bad_field(err, w, "layers", "an array of at most 64 layers", layers);
		struct winit_diagnostics *d = &x->diagnostics;
		if (d->n == d->cap) {
			int32_t cap = d->cap ? 2 * d->cap : 32;
			void *q = realloc(d->snaps, (size_t)cap * sizeof *d->snaps);
			if (!q)
				return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", w->path);
			d->snaps = q;
			d->cap = cap;
		}
		struct winit_diag_snapshot *sn = &d->snaps[d->n];
		sn->step = step;
		sn->epoch = (int32_t)epoch;
		/* The model's loss and accuracy (absent in files of earlier writers: NaN). */
		static const char *const metric[] = { "probe_loss", "probe_accuracy", "val_loss",
			                              "val_accuracy" };
		double *mdst[] = { &sn->probe_loss, &sn->probe_accuracy, &sn->val_loss, &sn->val_accuracy };
		for (size_t f = 0; f < sizeof metric / sizeof metric[0]; f++) {
			*mdst[f] = NAN;
			if (json_object_get(o, metric[f]) && (rc = get_number(o, metric[f], mdst[f], w, err)))
				return rc;
		}
		sn->val_rows = 0;
		if (json_object_get(o, "val_rows") &&
		    (rc = get_int(o, "val_rows", 0, INT64_MAX, &sn->val_rows, w, err)))
			return rc;
		sn->n_layers = (int32_t)json_array_size(layers);
		sn->layers = calloc((size_t)sn->n_layers + 1, sizeof *sn->layers);
		sn->hist = NULL;
		if (sn->layers && json_object_get(json_array_get(layers, 0), "weights_hist") &&
		    !(sn->hist = calloc((size_t)sn->n_layers, sizeof *sn->hist))) {
			free(sn->layers);
			sn->layers = NULL;
		}
		if (!sn->layers)
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", w->path);
		d->n++;
		for (int32_t k = 0; !rc && k < sn->n_layers; k++) {
			const json_t *l = json_array_get(layers, (size_t)k);
			struct winit_diag_layer *L = &sn->layers[k];
			double *dst[] = { &L->pre_mean, &L->pre_var, &L->act_mean, &L->act_var,
				          &L->grad_var, &L->wgrad_var, &L->w_mean, &L->w_sd,
				          &L->update_ratio, &L->dead_fraction, &L->saturated_fraction };
			snprintf(w->at + len, sizeof w->at - len, ".diagnostics[%zu].layers[%d]", i, (int)k);
			if (!json_is_object(l))
				return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s: expected an object, got %s",
				                       w->path, w->at, type_name(l));
			for (size_t f = 0; !rc && f < sizeof num / sizeof num[0]; f++)
				rc = get_number(l, num[f], dst[f], w, err);
			if (!rc)
				rc = get_int(l, "dead", 0, INT64_MAX, &L->dead, w, err);
			if (!rc)
				rc = get_int(l, "distinct_units", 0, INT64_MAX, &L->distinct_units, w, err);
			if (!rc && sn->hist)
				rc = read_hist(l, &sn->hist[k], w, err);
		}
	}
	w->at[len] = '\0';
	if (rc)
		return rc;
	const json_t *th = json_object_get(run, "theory");
	if (!th)
		return WINIT_OK;
	struct winit_theory *t = &x->theory;
	const json_t *ap = json_object_get(th, "applies");
	if (!json_is_boolean(ap))
		return bad_field(err, w, "theory.applies", "true or false", ap);
	const json_t *reason = json_object_get(th, "reason");
	t->applies = json_is_true(ap);
	t->computed = t->applies || !reason ||
	              strcmp(json_string_value(reason) ? json_string_value(reason) : "",
	                     "no snapshot at initialization (diagnostics off)") != 0;
	if (!t->applies) {
		snprintf(t->reason, sizeof t->reason, "%s",
		         json_string_value(reason) ? json_string_value(reason) : "");
		return WINIT_OK;
	}
	const json_t *pv = json_object_get(th, "pre_var"), *gv = json_object_get(th, "grad_var");
	if (!json_is_array(pv) || json_array_size(pv) > WINIT_MAX_LAYERS ||
	    !json_is_array(gv) || json_array_size(gv) != json_array_size(pv))
		return bad_field(err, w, "theory.pre_var", "two arrays of one number per layer", pv);
	t->n_layers = (int32_t)json_array_size(pv);
	for (int32_t i = 0; i < t->n_layers; i++) {
		const json_t *a = json_array_get(pv, (size_t)i), *b = json_array_get(gv, (size_t)i);
		t->pre_var[i] = json_is_number(a) ? json_number_value(a) : NAN;
		t->grad_var[i] = json_is_number(b) ? json_number_value(b) : NAN;
	}
	return WINIT_OK;
}

/* What groups and compares the run: its design, grid factors and learning target. */
static int read_grouping(const json_t *run, struct winit_results_run *r, struct where *w,
                         struct winit_error *err)
{
	char design[16];
	int rc = get_string(run, "design", design, sizeof design, w, err);
	if (rc)
		return rc;
	if (strcmp(design, "paired") != 0 && strcmp(design, "independent") != 0)
		return bad_field(err, w, "design", "\"paired\" or \"independent\"", json_object_get(run, "design"));
	r->design = strcmp(design, "independent") == 0 ? WINIT_DESIGN_INDEPENDENT : WINIT_DESIGN_PAIRED;
	const json_t *fac = json_object_get(run, "factors");
	if (fac && (!json_is_object(fac) || json_object_size(fac) > WINIT_FACTORS_MAX))
		return bad_field(err, w, "factors", "an object of at most " STR(WINIT_FACTORS_MAX) " strings", fac);
	const char *key;
	const json_t *v;
	r->n_factors = 0;
	json_object_foreach((json_t *)fac, key, v)
	{
		struct winit_factor *f = &r->factors[r->n_factors];
		if (!json_is_string(v) || strlen(key) >= sizeof f->name ||
		    json_string_length(v) >= sizeof f->value)
			return bad_field(err, w, "factors", "short strings (names < 32, levels < 64 bytes)", v);
		snprintf(f->name, sizeof f->name, "%s", key);
		snprintf(f->value, sizeof f->value, "%s", json_string_value(v));
		r->n_factors++;
	}
	r->target = 0;
	const json_t *learning = json_object_get(run, "learning");
	const json_t *tg = learning ? json_object_get(learning, "target") : NULL;
	if (tg && !json_is_number(tg))
		return bad_field(err, w, "learning.target", "a number", tg);
	if (tg)
		r->target = json_number_value(tg);
	return WINIT_OK;
}

static int read_run(const json_t *run, struct winit_results_run *r, struct where *w,
                    struct winit_error *err)
{
	if (!json_is_object(run))
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s: expected an object, got %s",
		                       w->path, w->at, type_name(run));
	struct winit_run_result *x = &r->result;
	int64_t v, epochs = 0;
	int rc = get_string(run, "name", r->name, sizeof r->name, w, err);
	if (!rc)
		rc = get_string(run, "label", r->label, sizeof r->label, w, err);
	if (!rc && (rc = get_int(run, "replicate", 0, INT32_MAX, &v, w, err)) == 0)
		r->replicate = (int32_t)v;
	if (!rc)
		rc = get_seed(run, "seed", &r->seed, w, err);
	if (!rc)
		rc = get_seed(run, "run_seed", &x->run_seed, w, err);
	static const char *const objects[] = { "model", "optimizer", "fit", "data" };
	for (size_t k = 0; !rc && k < sizeof objects / sizeof objects[0]; k++) {
		const json_t *o = json_object_get(run, objects[k]);
		if (!json_is_object(o))
			rc = bad_field(err, w, objects[k], "an object", o);
	}
	if (rc)
		return rc;
	size_t len = strlen(w->at);
	snprintf(w->at + len, sizeof w->at - len, ".fit");
	rc = get_int(json_object_get(run, "fit"), "epochs", 0, INT32_MAX, &epochs, w, err);
	snprintf(w->at + len, sizeof w->at - len, ".data");
	const json_t *data = json_object_get(run, "data");
	if (!rc)
		rc = get_int(data, "n_train", 0, INT64_MAX, &x->n_train, w, err);
	if (!rc)
		rc = get_int(data, "n_val", 0, INT64_MAX, &x->n_val, w, err);
	if (!rc)
		rc = get_int(data, "n_test", 0, INT64_MAX, &x->n_test, w, err);
	w->at[len] = '\0';
	if (!rc)
		rc = get_string(run, "status", r->status, sizeof r->status, w, err);
	if (rc)
		return rc;
	x->status = strcmp(r->status, "ok") == 0       ? WINIT_OK :
	            strcmp(r->status, "diverged") == 0 ? WINIT_ERR_DIVERGED :
	                                                 -1;
	if ((rc = read_grouping(run, r, w, err)))
		return rc;
	const json_t *e = json_object_get(run, "error");
	if (e && !json_is_string(e))
		return bad_field(err, w, "error", "a string", e);
	if (e)
		snprintf(x->error, sizeof x->error, "%s", json_string_value(e));
	rc = read_history(run, &x->history, (int32_t)epochs, w, err);
	x->has_test = json_object_get(run, "test_accuracy") != NULL;
	if (!rc && x->has_test)
		rc = get_number(run, "test_loss", &x->test_loss, w, err);
	if (!rc && x->has_test)
		rc = get_number(run, "test_accuracy", &x->test_accuracy, w, err);
	if (!rc)
		rc = get_number(run, "seconds", &x->seconds, w, err);
	if (!rc)
		rc = get_string(run, "kernels", r->kernels, sizeof r->kernels, w, err);
	if (!rc)
		rc = read_diagnostics(run, x, w, err);
	if (rc)
		return rc;
	x->kernels = r->kernels;
	x->done = 1;
	r->description = canonical(run, description_keys);
	if (!r->description)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", w->path);
	return WINIT_OK;
}

int winit_results_read(const char *path, struct winit_results_file *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	json_error_t je;
	char *text = NULL;
	size_t len = 0;
	/* The file, or what its journal says it holds now (winit/results.h). */
	if (winit_results_load_text(path, &text, &len, err))
		return err ? err->status : WINIT_ERR_IO;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!root) {
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s:%d:%d: not a valid results file (JSON): %s%s", path, je.line,
		                       je.column, je.text,
		                       strstr(je.text, "too big integer") ?
		                               " (a results file of version 1, whose seeds are numbers? "
		                               "this winit reads version " STR(WINIT_RESULTS_VERSION) ")" :
		                               "");
	}
	struct where w = { .path = path };
	int64_t version;
	int rc = WINIT_OK;
	const json_t *fmt = json_object_get(root, "format");
	if (!json_is_object(root) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), WINIT_RESULTS_FORMAT) != 0) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT,
		                     "%s: not a winit results file (its \"format\" is %s%s%s, expected "
		                     "\"" WINIT_RESULTS_FORMAT "\")",
		                     path, json_is_string(fmt) ? "\"" : "",
		                     json_is_string(fmt) ? json_string_value(fmt) : "missing",
		                     json_is_string(fmt) ? "\"" : "");
		goto out;
	}
	rc = get_int(root, "version", 0, INT32_MAX, &version, &w, err);
	if (rc)
		goto out;
	out->version = (int32_t)version;
	if (version != WINIT_RESULTS_VERSION) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT,
		                     "%s: results format version %" PRId64 " is %s than this winit's (%d)%s",
		                     path, version, version > WINIT_RESULTS_VERSION ? "newer" : "older",
		                     WINIT_RESULTS_VERSION,
		                     version > WINIT_RESULTS_VERSION ?
		                             ": it was written by a newer winit" :
		                             " (its seeds may not be exact): rerun the study to "
		                             "write a new one");
		goto out;
	}
	snprintf(out->format, sizeof out->format, "%s", WINIT_RESULTS_FORMAT);
	rc = get_string(root, "study", out->study, sizeof out->study, &w, err);
	if (!rc && json_object_get(root, "generator"))
		rc = get_string(root, "generator", out->generator, sizeof out->generator, &w, err);
	if (!rc)
		rc = get_seed(root, "seed", &out->seed, &w, err);
	const json_t *runs = json_object_get(root, "runs");
	if (!rc && !json_is_array(runs))
		rc = bad_field(err, &w, "runs", "an array", runs);
	if (rc)
		goto out;
	size_t n = json_array_size(runs);
	out->runs = calloc(n ? n : 1, sizeof *out->runs);
	if (!out->runs) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		out->n_runs = i + 1; /* what to free */
		snprintf(w.at, sizeof w.at, "runs[%zu]", i);
		rc = read_run(json_array_get(runs, i), &out->runs[i], &w, err);
	}
out:
	json_decref(root);
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
