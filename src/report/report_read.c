/* src/report/report_read.c -- reading a results file back whole (Jansson) into the plain
 * structs of winit/report_page.h, diagnostics and theory included: what the report draws. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/report.h>
#include <winit/report_page.h>

#include "report/json_read.h"
#include "report/results_schema.h"

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

static int read_plugin(struct jr *c, const json_t *o, const char *key, int required,
                       struct winit_report_plugin *p)
{
	const json_t *po, *params;
	TRY(jr_obj(c, o, key, required, &po));
	if (!po)
		return WINIT_OK;
	size_t mark = jr_push(c, "%s%s", c->len ? "." : "", key);
	TRY(jr_str(c, po, "name", 1, &p->name));
	TRY(jr_obj(c, po, "params", 0, &params));
	if (params) {
		p->params = alloc_n(json_object_size(params), sizeof *p->params);
		if (!p->params)
			return jr_nomem(c);
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)params, k, v)
		{
			struct winit_report_param *q = &p->params[p->n_params++];
			q->name = strdup(k);
			q->value = NAN;
			if (!q->name)
				return jr_nomem(c);
			if (json_is_string(v)) {
				if (!(q->text = strdup(json_string_value(v))))
					return jr_nomem(c);
			} else {
				size_t m2 = jr_push(c, ".params");
				TRY(jr_num_value(c, k, v, 1, &q->value));
				jr_pop(c, m2);
			}
		}
	}
	jr_pop(c, mark);
	return WINIT_OK;
}

static int read_model(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *m, *shape, *layers;
	size_t n;
	TRY(jr_obj(c, run, "model", 1, &m));
	size_t mark = jr_push(c, ".model");
	TRY(jr_arr(c, m, "input_shape", 1, &shape, &n));
	if (n > sizeof r->input_shape / sizeof r->input_shape[0])
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s.input_shape: %zu dimensions (at most %zu)",
		                       c->file, c->path, n, sizeof r->input_shape / sizeof r->input_shape[0]);
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(shape, i);
		if (!json_is_integer(d))
			return jr_bad(c, "input_shape[]", "an integer", d);
		r->input_shape[i] = (int64_t)json_integer_value(d);
	}
	r->n_input_dims = n;
	TRY(jr_arr(c, m, "layers", 1, &layers, &n));
	r->layers = alloc_n(n, sizeof *r->layers);
	if (!r->layers)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *l = json_array_get(layers, i);
		size_t m2 = jr_push(c, ".layers[%zu]", i);
		if (!json_is_object(l))
			return jr_bad(c, NULL, "an object", l);
		struct winit_report_layer *y = &r->layers[r->n_layers++];
		TRY(jr_str(c, l, "type", 1, &y->type));
		TRY(jr_int(c, l, "units", 1, 0, &y->units));
		TRY(read_plugin(c, l, "activation", 1, &y->activation));
		TRY(read_plugin(c, l, "kernel_initializer", 1, &y->kernel_initializer));
		TRY(jr_bool(c, l, "use_bias", 0, &y->use_bias));
		TRY(read_plugin(c, l, "bias_initializer", 0, &y->bias_initializer));
		jr_pop(c, m2);
	}
	jr_pop(c, mark);
	return WINIT_OK;
}

static int read_settings(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *o;
	TRY(jr_obj(c, run, "optimizer", 1, &o));
	size_t mark = jr_push(c, ".optimizer");
	TRY(jr_str(c, o, "name", 1, &r->optimizer));
	TRY(jr_num(c, o, "learning_rate", 1, &r->learning_rate));
	TRY(jr_num(c, o, "beta_1", 0, &r->beta_1));
	TRY(jr_num(c, o, "beta_2", 0, &r->beta_2));
	TRY(jr_num(c, o, "epsilon", 0, &r->epsilon));
	TRY(jr_num(c, o, "momentum", 0, &r->momentum));
	TRY(jr_bool(c, o, "nesterov", 0, &r->nesterov));
	jr_pop(c, mark);
	TRY(jr_str(c, run, "loss", 0, &r->loss));

	TRY(jr_obj(c, run, "fit", 1, &o));
	mark = jr_push(c, ".fit");
	TRY(jr_i32(c, o, "epochs", 1, 0, &r->epochs));
	TRY(jr_i32(c, o, "batch_size", 1, 0, &r->batch_size));
	TRY(jr_num(c, o, "validation_split", 0, &r->validation_split));
	TRY(jr_bool(c, o, "shuffle", 0, &r->shuffle));
	jr_pop(c, mark);

	TRY(jr_obj(c, run, "data", 0, &o));
	r->n_train = r->n_val = r->n_test = -1;
	if (o) {
		mark = jr_push(c, ".data");
		TRY(jr_str(c, o, "train", 0, &r->train_source));
		TRY(jr_str(c, o, "test", 0, &r->test_source));
		TRY(jr_int(c, o, "n_train", 0, -1, &r->n_train));
		TRY(jr_int(c, o, "n_val", 0, -1, &r->n_val));
		TRY(jr_int(c, o, "n_test", 0, -1, &r->n_test));
		jr_pop(c, mark);
	}
	return WINIT_OK;
}

static int read_history(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *h;
	size_t n;
	TRY(jr_arr(c, run, "history", 1, &h, &n));
	r->history = alloc_n(n, sizeof *r->history);
	if (!r->history)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(h, i);
		size_t mark = jr_push(c, ".history[%zu]", i);
		if (!json_is_object(e))
			return jr_bad(c, NULL, "an object", e);
		struct winit_report_epoch *y = &r->history[r->n_epochs++];
		TRY(jr_i32(c, e, "epoch", 0, (int32_t)(i + 1), &y->epoch));
		TRY(jr_num(c, e, "loss", 1, &y->loss));
		TRY(jr_num(c, e, "accuracy", 1, &y->accuracy));
		y->has_val = json_object_get(e, "val_loss") != NULL;
		TRY(jr_num(c, e, "val_loss", 0, &y->val_loss));
		TRY(jr_num(c, e, "val_accuracy", 0, &y->val_accuracy));
		TRY(jr_num(c, e, "seconds", 0, &y->seconds));
		jr_pop(c, mark);
	}
	return WINIT_OK;
}

/* "weights_hist": WINIT_DIAG_HIST_BINS counts over [-h, h] (the validation checked it). */
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
	h->underflow = json_integer_value(json_object_get(o, "underflow"));
	h->overflow = json_integer_value(json_object_get(o, "overflow"));
	TRY(jr_num(c, o, "declared_sd", 0, &h->declared_sd));
	return WINIT_OK;
}

static int read_diagnostics(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *snaps;
	size_t n;
	TRY(jr_arr(c, run, "diagnostics", 0, &snaps, &n));
	if (!snaps)
		return WINIT_OK;
	r->diagnostics = alloc_n(n, sizeof *r->diagnostics);
	if (!r->diagnostics)
		return jr_nomem(c);
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(snaps, i), *layers;
		size_t mark = jr_push(c, ".diagnostics[%zu]", i), nl;
		if (!json_is_object(s))
			return jr_bad(c, NULL, "an object", s);
		struct winit_report_snapshot *y = &r->diagnostics[r->n_snapshots++];
		winit_results_fill(y, 1, winit_results_snapshot_fields, s);
		TRY(jr_i32(c, s, "epoch", 0, 0, &y->epoch));
		layers = json_object_get(s, "layers");
		nl = json_array_size(layers);
		y->layers = alloc_n(nl, sizeof *y->layers);
		if (!y->layers)
			return jr_nomem(c);
		for (size_t k = 0; k < nl; k++) {
			struct winit_report_layer_diag *d = &y->layers[y->n_layers++];
			const json_t *l = json_array_get(layers, k);
			winit_results_fill(d, 1, winit_results_layer_fields, l);
			TRY(read_hist(c, l, d));
		}
		jr_pop(c, mark);
	}
	return WINIT_OK;
}

static int read_per_layer(struct jr *c, const json_t *t, const char *key, size_t *n, double **out)
{
	const json_t *a;
	size_t m;
	TRY(jr_arr(c, t, key, 0, &a, &m));
	*out = alloc_n(m, sizeof **out);
	if (!*out)
		return jr_nomem(c);
	for (size_t i = 0; i < m; i++) {
		size_t mark = jr_push(c, ".%s", key);
		char idx[32];
		snprintf(idx, sizeof idx, "[%zu]", i);
		TRY(jr_num_value(c, idx, json_array_get(a, i), 1, &(*out)[i]));
		jr_pop(c, mark);
	}
	if (m > *n)
		*n = m;
	return WINIT_OK;
}

static int read_theory(struct jr *c, const json_t *run, struct winit_report_theory *t)
{
	const json_t *o;
	TRY(jr_obj(c, run, "theory", 0, &o));
	if (!o)
		return WINIT_OK;
	size_t mark = jr_push(c, ".theory");
	t->present = 1;
	TRY(jr_bool(c, o, "applies", 1, &t->applies));
	TRY(jr_str(c, o, "reason", 0, &t->reason));
	size_t n_pre = 0, n_grad = 0;
	TRY(read_per_layer(c, o, "pre_var", &n_pre, &t->pre_var));
	TRY(read_per_layer(c, o, "grad_var", &n_grad, &t->grad_var));
	if (n_pre != n_grad && n_pre && n_grad)
		return winit_error_set(c->err, WINIT_ERR_FORMAT, "%s: %s: pre_var has %zu layers, grad_var %zu",
		                       c->file, c->path, n_pre, n_grad);
	t->n_layers = n_pre ? n_pre : n_grad;
	if (n_pre < t->n_layers || n_grad < t->n_layers) {
		/* One list absent: pad the other with NaN. */
		double **shorter = n_pre < t->n_layers ? &t->pre_var : &t->grad_var;
		double *p = realloc(*shorter, t->n_layers * sizeof *p);
		if (!p)
			return jr_nomem(c);
		for (size_t i = 0; i < t->n_layers; i++)
			p[i] = NAN;
		*shorter = p;
	}
	jr_pop(c, mark);
	return WINIT_OK;
}

/* The run's "learning" object: the target and the steps to reach it. */
static int read_learning(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	const json_t *l;
	r->target = NAN;
	r->has_steps = 0;
	r->steps_to_target = -1;
	TRY(jr_obj(c, run, "learning", 0, &l));
	if (!l)
		return WINIT_OK;
	size_t mark = jr_push(c, ".learning");
	int rc = jr_num(c, l, "target", 0, &r->target);
	if (!rc && json_object_get(l, "steps_to_target")) {
		r->has_steps = 1;
		rc = jr_int(c, l, "steps_to_target", 0, -1, &r->steps_to_target);
	}
	jr_pop(c, mark);
	return rc;
}

static int read_run(struct jr *c, const json_t *run, struct winit_report_run *r)
{
	char *status = NULL;
	if (!json_is_object(run))
		return jr_bad(c, NULL, "an object", run);
	r->test_loss = r->test_accuracy = r->seconds = NAN;
	TRY(jr_str(c, run, "name", 1, &r->name));
	TRY(jr_str(c, run, "label", 0, &r->label));
	if (!r->label && !(r->label = strdup(r->name)))
		return jr_nomem(c);
	TRY(jr_i32(c, run, "replicate", 0, 0, &r->replicate));
	TRY(jr_u64(c, run, "seed", 0, &r->seed));
	TRY(jr_u64(c, run, "run_seed", 0, &r->run_seed));
	TRY(read_model(c, run, r));
	TRY(read_settings(c, run, r));
	TRY(jr_str(c, run, "status", 1, &status));
	r->ok = strcmp(status, "ok") == 0;
	free(status);
	TRY(jr_str(c, run, "error", 0, &r->error));
	TRY(read_history(c, run, r));
	r->has_test = json_object_get(run, "test_accuracy") != NULL;
	TRY(jr_num(c, run, "test_loss", 0, &r->test_loss));
	TRY(jr_num(c, run, "test_accuracy", 0, &r->test_accuracy));
	TRY(jr_num(c, run, "seconds", 0, &r->seconds));
	TRY(jr_str(c, run, "kernels", 0, &r->kernels));
	TRY(read_learning(c, run, r));
	TRY(read_diagnostics(c, run, r));
	TRY(read_theory(c, run, &r->theory));
	return WINIT_OK;
}

int winit_report_read(const char *path, struct winit_report_study *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	struct winit_results_doc d;
	int rc = winit_results_doc_load(path, 1, &d, err);
	if (rc)
		return rc;
	json_t *root = d.doc.root;
	struct jr c = { .file = path, .err = err };
	const json_t *runs;
	size_t n;
	out->version = d.version;
	if ((rc = jr_str(&c, root, "format", 1, &out->format)) ||
	    (rc = jr_str(&c, root, "generator", 0, &out->generator)) ||
	    (rc = jr_str(&c, root, "study", 0, &out->study)) ||
	    (rc = jr_u64(&c, root, "seed", 0, &out->seed)) ||
	    (rc = jr_arr(&c, root, "runs", 1, &runs, &n)))
		goto fail;
	out->runs = alloc_n(n, sizeof *out->runs);
	if (!out->runs) {
		rc = jr_nomem(&c);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		size_t mark = jr_push(&c, "runs[%zu]", i);
		rc = read_run(&c, json_array_get(runs, i), &out->runs[out->n_runs++]);
		if (rc)
			goto fail;
		jr_pop(&c, mark);
	}
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
	free(r->format);
	free(r->generator);
	free(r->study);
	memset(r, 0, sizeof *r);
}
