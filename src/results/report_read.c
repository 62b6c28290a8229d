/* src/results/report_read.c -- reading a results file back whole (Jansson) into the plain
 * structs of winit/report_page.h, diagnostics and theory included: what the report draws.
 * The file is validated first by the one validation of every reader (results_schema.c). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/report.h>
#include <winit/report_page.h>

#include "results/coord.h"
#include "results/spectrum.h"
#include "results/json_read.h"
#include "results/results_schema.h"

static void *alloc_n(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

#define TRY(x)                      \
	do {                        \
		int rc_ = (x);      \
		if (rc_)            \
			return rc_; \
	} while (0)

/* The file was validated whole (results_schema.c): what follows only copies values, with
 * the page model's default for a member a file of an earlier writer lacks.  Failing is
 * running out of memory. */

/* A number; null (the writer's NaN) and absence read as NaN. */
static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int64_t integer(const json_t *o, const char *key, int64_t dflt)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* A pair of integers (a window's height and width); {0, 0} when absent or malformed. */
static void pair(const json_t *o, const char *key, int64_t out[2])
{
	const json_t *v = json_object_get(o, key);
	out[0] = out[1] = 0;
	if (json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0)) &&
	    json_is_integer(json_array_get(v, 1))) {
		out[0] = (int64_t)json_integer_value(json_array_get(v, 0));
		out[1] = (int64_t)json_integer_value(json_array_get(v, 1));
	}
}

static int32_t flag(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* A seed: an integer (version 1) or a decimal string; 0 when absent. */
static uint64_t seed(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	return json_is_string(v) ? (uint64_t)strtoull(json_string_value(v), NULL, 10) : 0;
}

/* A copy of a string member; NULL when absent. */
static int str(struct jr *c, const json_t *o, const char *key, char **out)
{
	const char *v = json_string_value(json_object_get(o, key));
	*out = v ? strdup(v) : NULL;
	return v && !*out ? jr_nomem(c) : WINIT_OK;
}

static int read_plugin(struct jr *c, const json_t *p_obj, struct winit_report_plugin *p)
{
	if (!p_obj)
		return WINIT_OK;
	TRY(str(c, p_obj, "name", &p->name));
	const json_t *params = json_object_get(p_obj, "params");
	if (!params)
		return WINIT_OK;
	p->params = alloc_n(json_object_size(params), sizeof *p->params);
	if (!p->params)
		return jr_nomem(c);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)params, k, v)
	{
		struct winit_report_param *q = &p->params[p->n_params++];
		q->name = strdup(k);
		q->value = json_is_number(v) ? json_number_value(v) : NAN;
		if (!q->name || (json_is_string(v) && !(q->text = strdup(json_string_value(v)))))
			return jr_nomem(c);
	}
	return WINIT_OK;
}

static int read_model(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *m = json_object_get(run, "model"), *shape = json_object_get(m, "input_shape"),
		     *layers = json_object_get(m, "layers");
	r->n_input_dims = json_array_size(shape); /* at most 8 */
	for (size_t i = 0; i < r->n_input_dims; i++)
		r->input_shape[i] = (int64_t)json_integer_value(json_array_get(shape, i));
	size_t n = json_array_size(layers);
	r->layers = alloc_n(n, sizeof *r->layers);
	if (!r->layers)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *l = json_array_get(layers, i);
		struct winit_report_layer *y = &r->layers[r->n_layers++];
		TRY(str(c, l, "type", &y->type));
		y->units = integer(l, "units", integer(l, "filters", 0)); /* Conv2D's filters */
		TRY(read_plugin(c, json_object_get(l, "activation"), &y->activation));
		TRY(read_plugin(c, json_object_get(l, "kernel_initializer"), &y->kernel_initializer));
		y->use_bias = flag(l, "use_bias");
		TRY(read_plugin(c, json_object_get(l, "bias_initializer"), &y->bias_initializer));
		pair(l, json_object_get(l, "kernel_size") ? "kernel_size" : "pool_size", y->window);
		pair(l, "strides", y->strides);
		pair(l, "dilation_rate", y->dilation);
		TRY(str(c, l, "padding", &y->padding));
		y->rate = num(l, "rate");
	}
	return WINIT_OK;
}

static int read_settings(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *o = json_object_get(run, "optimizer");
	TRY(str(c, o, "name", &r->optimizer));
	r->learning_rate = num(o, "learning_rate");
	r->beta_1 = num(o, "beta_1");
	r->beta_2 = num(o, "beta_2");
	r->epsilon = num(o, "epsilon");
	r->momentum = num(o, "momentum");
	r->nesterov = flag(o, "nesterov");
	TRY(str(c, run, "loss", &r->loss));

	o = json_object_get(run, "fit");
	r->epochs = (int32_t)integer(o, "epochs", 0);
	r->batch_size = (int32_t)integer(o, "batch_size", 0);
	r->validation_split = num(o, "validation_split");
	r->shuffle = flag(o, "shuffle");

	o = json_object_get(run, "data");
	TRY(str(c, o, "train", &r->train_source));
	TRY(str(c, o, "test", &r->test_source));
	r->n_train = integer(o, "n_train", -1);
	r->n_val = integer(o, "n_val", -1);
	r->n_test = integer(o, "n_test", -1);
	return WINIT_OK;
}

static int read_history(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *h = json_object_get(run, "history");
	size_t n = json_array_size(h);
	r->history = alloc_n(n, sizeof *r->history);
	if (!r->history)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(h, i);
		struct winit_report_epoch *y = &r->history[r->n_epochs++];
		winit_results_fill_fields(y, 1, winit_fields_epoch, e);
		if (!json_object_get(e, "epoch"))
			y->epoch = (int32_t)i + 1; /* version 1 */
	}
	return WINIT_OK;
}

/* "weights_hist": WINIT_DIAG_HIST_BINS counts over [-h, h]. */
static int read_hist(struct jr *c, const json_t *l, struct winit_report_layer_diag *d)
{
	const json_t *o = json_object_get(l, "weights_hist");
	if (!o)
		return WINIT_OK;
	const json_t *range = json_object_get(o, "range"), *counts = json_object_get(o, "counts");
	size_t n = json_array_size(counts);
	struct winit_report_hist *h = d->hist = calloc(1, sizeof *h);
	if (!h || !(h->count = alloc_n(n, sizeof *h->count)))
		return jr_nomem(c);
	h->lo = json_number_value(json_array_get(range, 0));
	h->hi = json_number_value(json_array_get(range, 1));
	h->n_bins = n;
	for (size_t b = 0; b < n; b++)
		h->count[b] = (int64_t)json_integer_value(json_array_get(counts, b));
	h->underflow = integer(o, "underflow", 0);
	h->overflow = integer(o, "overflow", 0);
	h->declared_sd = num(o, "declared_sd");
	return WINIT_OK;
}

static int read_diagnostics(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *snaps = json_object_get(run, "diagnostics");
	if (!snaps)
		return WINIT_OK;
	size_t n = json_array_size(snaps);
	r->diagnostics = alloc_n(n, sizeof *r->diagnostics);
	if (!r->diagnostics)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(snaps, i), *layers = json_object_get(s, "layers");
		struct winit_report_snapshot *y = &r->diagnostics[r->n_snapshots++];
		winit_results_fill(y, 1, winit_results_snapshot_fields, s);
		size_t nl = json_array_size(layers);
		y->layers = alloc_n(nl, sizeof *y->layers);
		if (!y->layers)
			return jr_nomem(c);
		for (size_t k = 0; k < nl; k++) {
			struct winit_report_layer_diag *d = &y->layers[y->n_layers++];
			const json_t *l = json_array_get(layers, k);
			winit_results_fill(d, 1, winit_results_layer_fields, l);
			TRY(read_hist(c, l, d));
		}
	}
	return WINIT_OK;
}

/* One prediction per layer (null: NaN); *n raised to the list's length. */
static int read_per_layer(struct jr *c, const json_t *t, const char *key, size_t *n, double **out)
{
	const json_t *a = json_object_get(t, key);
	size_t m = json_array_size(a);
	*out = alloc_n(m, sizeof **out);
	if (!*out)
		return jr_nomem(c);
	for (size_t i = 0; i < m; i++) {
		const json_t *v = json_array_get(a, i);
		(*out)[i] = json_is_number(v) ? json_number_value(v) : NAN;
	}
	if (m > *n)
		*n = m;
	return WINIT_OK;
}

static int read_theory(struct jr *c, const json_t *run, struct winit_report_theory *t)
{
	const json_t *o = json_object_get(run, "theory");
	if (!o)
		return WINIT_OK;
	t->present = 1;
	t->applies = flag(o, "applies");
	TRY(str(c, o, "reason", &t->reason));
	size_t n_pre = 0, n_grad = 0; /* equal when both are present */
	TRY(read_per_layer(c, o, "pre_var", &n_pre, &t->pre_var));
	TRY(read_per_layer(c, o, "grad_var", &n_grad, &t->grad_var));
	t->n_layers = n_pre ? n_pre : n_grad;
	if (n_pre < t->n_layers || n_grad < t->n_layers) {
		/* One list absent (version 1): pad the other with NaN. */
		double **shorter = n_pre < t->n_layers ? &t->pre_var : &t->grad_var;
		double *p = realloc(*shorter, t->n_layers * sizeof *p);
		if (!p)
			return jr_nomem(c);
		for (size_t i = 0; i < t->n_layers; i++)
			p[i] = NAN;
		*shorter = p;
	}
	return WINIT_OK;
}

/* The run's "learning" object: the members the page shows (the target and the steps to
 * reach it). */
static void read_learning(const json_t *run, struct winit_report_run *r)
{
	winit_results_fill_fields(r, 1, winit_fields_learning, json_object_get(run, "learning"));
}

static int read_run(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	TRY(str(c, run, "name", &r->name));
	TRY(str(c, run, "label", &r->label));
	if (!r->label && !(r->label = strdup(r->name)))
		return jr_nomem(c);
	r->replicate = (int32_t)integer(run, "replicate", 0);
	r->seed = seed(run, "seed");
	r->run_seed = seed(run, "run_seed");
	TRY(read_model(c, run, r));
	TRY(read_settings(c, run, r));
	const char *expect = json_string_value(json_object_get(run, "expect"));
	r->expect_diverged = expect && strcmp(expect, "diverged") == 0;
	if (winit_results_fill_fields(r, 1, winit_fields_status, run))
		return jr_nomem(c);
	TRY(read_history(c, run, r));
	if (winit_results_fill_fields(r, 1, winit_fields_outcome, run))
		return jr_nomem(c);
	read_learning(run, r);
	TRY(read_diagnostics(c, run, r));
	return read_theory(c, run, &r->theory);
}

int winit_report_read(const char *path, struct winit_report_study *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	struct winit_results_doc d;
	int rc = winit_results_doc_load(path, 1, &d, err);
	if (rc)
		return rc;
	const json_t *root = d.doc.root, *runs = json_object_get(root, "runs");
	struct jr c = { .file = path, .err = err };
	size_t n = json_array_size(runs);
	out->version = d.version;
	out->seed = seed(root, "seed");
	if ((rc = str(&c, root, "format", &out->format)) || (rc = str(&c, root, "generator", &out->generator)) ||
	    (rc = str(&c, root, "study", &out->study)))
		goto fail;
	out->runs = alloc_n(n, sizeof *out->runs);
	if (!out->runs) {
		rc = jr_nomem(&c);
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = read_run(&c, json_array_get(runs, i), &out->runs[out->n_runs++])))
			goto fail;
	if ((rc = winit_coord_checks_read(root, path, &out->coord_checks, &out->n_coord_checks, err)))
		goto fail;
	if ((rc = winit_spectra_read(root, path, &out->spectra, &out->n_spectra, err)))
		goto fail;
	winit_results_doc_free(&d);
	return WINIT_OK;
fail:
	winit_results_doc_free(&d);
	winit_report_free(out);
	return rc;
}

static void free_plugin(struct winit_report_plugin *p)
{
	for (size_t i = 0; i < p->n_params; i++) {
		free(p->params[i].name);
		free(p->params[i].text);
	}
	free(p->params);
	free(p->name);
}

static void free_run(struct winit_report_run *r)
{
	free(r->name);
	free(r->label);
	for (size_t i = 0; i < r->n_layers; i++) {
		free(r->layers[i].type);
		free_plugin(&r->layers[i].activation);
		free_plugin(&r->layers[i].kernel_initializer);
		free_plugin(&r->layers[i].bias_initializer);
		free(r->layers[i].padding);
	}
	free(r->layers);
	free(r->optimizer);
	free(r->loss);
	free(r->train_source);
	free(r->test_source);
	free(r->error);
	free(r->history);
	free(r->kernels);
	for (size_t i = 0; i < r->n_snapshots; i++) {
		for (size_t k = 0; k < r->diagnostics[i].n_layers; k++) {
			struct winit_report_hist *h = r->diagnostics[i].layers[k].hist;
			if (h)
				free(h->count);
			free(h);
		}
		free(r->diagnostics[i].layers);
	}
	free(r->diagnostics);
	free(r->theory.reason);
	free(r->theory.pre_var);
	free(r->theory.grad_var);
}

void winit_report_free(struct winit_report_study *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_runs; i++)
		free_run(&r->runs[i]);
	free(r->runs);
	winit_coord_checks_free(r->coord_checks, r->n_coord_checks);
	winit_spectra_free(r->spectra, r->n_spectra);
	free(r->format);
	free(r->generator);
	free(r->study);
	memset(r, 0, sizeof *r);
}
