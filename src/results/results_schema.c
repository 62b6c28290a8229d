/* src/results/results_schema.c -- the results file (docs/results-format.md) as one table
 * of its members, and the one validation that every reader of the file runs first.
 *
 * The rules are what the writer (results.c) guarantees: a reader accepts every file the
 * writer wrote, of any version it reads, and refuses everything else with the file and
 * the member's path.  Files of version 1 (read by the report only) lack members that
 * version 2 always has: those rows are RS_V2. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/coord.h>
#include <winit/spectrum.h>
#include <winit/diagnostics.h>
#include <winit/model.h>
#include <winit/results.h>
#include <winit/report_page.h>
#include <winit/study.h>

#include "layers/kind.h"
#include "results/results_schema.h"

struct rs_ctx {
	struct jr c;
	int32_t version;
};

#define NONE (-1)
#define BIG INFINITY
#define I32 ((double)INT32_MAX)

/* Rows: a member without a place, a member with one, the end of a list. */
#define ROW(key, kind, need, flags, lo, hi)                                             \
	{                                                                               \
		key, kind, need, flags, lo, hi, NULL, NULL, NULL, NONE, NONE, NAN, NULL \
	}
#define SUB(key, kind, need, hi, sub, check)                                       \
	{                                                                          \
		key, kind, need, 0, 0, hi, sub, check, NULL, NONE, NONE, NAN, NULL \
	}
#define AT(key, kind, need, flags, lo, hi, res, page, dflt)                             \
	{                                                                               \
		key, kind, need, flags, lo, hi, NULL, NULL, NULL, res, page, dflt, NULL \
	}
#define END                                                                  \
	{                                                                    \
		NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NONE, NONE, NAN, NULL \
	}
/* The members a table of fields.h declares. */
#define FIELDS(table)                                                                         \
	{                                                                                     \
		"", RS_FIELDS, RS_OPTIONAL, 0, 0, 0, NULL, NULL, NULL, NONE, NONE, NAN, table \
	}

#define NUM(key, need) ROW(key, RS_NUM, need, RS_NULL, -BIG, BIG)
#define FRACTION(key, need) ROW(key, RS_NUM, need, RS_NULL, 0, 1)
#define COUNT(key, need) ROW(key, RS_INT, need, 0, 0, BIG)

static const char *const design_choices[] = { "paired", "independent", NULL };
static const char *const expect_choices[] = { "ok", "diverged", NULL };
static const char *const schedule_choices[] = { "ExponentialDecay", "CosineDecay", NULL };
static const char *const monitor_choices[] = { "loss", "accuracy", "val_loss", "val_accuracy", NULL };
static const char *const mode_choices[] = { "auto", "min", "max", NULL };

/* ---- the rules across members (RS_OBJ's check) */

static int fail(struct rs_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct rs_ctx *x, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return winit_error_set(x->c.err, WINIT_ERR_FORMAT, "%s: %s%s%s", x->c.file, x->c.path,
	                       x->c.len ? ": " : "", what);
}

/* "weights_hist": the writer's histogram exactly, WINIT_DIAG_HIST_BINS counts over
 * [-h, h] (src/nn/diag_hist.c). */
static int check_hist(struct rs_ctx *x, const json_t *o)
{
	const json_t *range = json_object_get(o, "range"), *counts = json_object_get(o, "counts");
	const json_t *lo = json_array_get(range, 0), *hi = json_array_get(range, 1);
	if (json_array_size(range) != 2 || !json_is_number(lo) || !json_is_number(hi) ||
	    !(json_number_value(hi) >= 0) || !isfinite(json_number_value(hi)) ||
	    json_number_value(lo) != -json_number_value(hi)) {
		size_t mark = jr_push(&x->c, ".range");
		int rc = jr_bad(&x->c, NULL, "[-h, h] with a finite h >= 0", range);
		jr_pop(&x->c, mark);
		return rc;
	}
	if (json_array_size(counts) != WINIT_DIAG_HIST_BINS) {
		size_t mark = jr_push(&x->c, ".counts");
		int rc = fail(x, "expected %d bins, found %zu", WINIT_DIAG_HIST_BINS, json_array_size(counts));
		jr_pop(&x->c, mark);
		return rc;
	}
	return WINIT_OK;
}

/* A snapshot's layers have a weight histogram each, or none has. */
static int check_snapshot(struct rs_ctx *x, const json_t *o)
{
	const json_t *layers = json_object_get(o, "layers");
	size_t n = json_array_size(layers), with = 0;
	for (size_t k = 0; k < n; k++)
		with += json_object_get(json_array_get(layers, k), "weights_hist") != NULL;
	for (size_t k = 0; with && with < n && k < n; k++)
		if (!json_object_get(json_array_get(layers, k), "weights_hist")) {
			size_t mark = jr_push(&x->c, ".layers[%zu]", k);
			int rc = jr_bad(&x->c, "weights_hist", "an object: every layer has one when any has", NULL);
			jr_pop(&x->c, mark);
			return rc;
		}
	return WINIT_OK;
}

/* Theory that applies has one prediction per layer in each list (version 2: both lists). */
static int check_theory(struct rs_ctx *x, const json_t *o)
{
	if (!json_is_true(json_object_get(o, "applies")))
		return WINIT_OK;
	const json_t *pv = json_object_get(o, "pre_var"), *gv = json_object_get(o, "grad_var");
	if (x->version >= 2 && (!pv || !gv))
		return jr_bad(&x->c, pv ? "grad_var" : "pre_var", "an array (theory applies)", NULL);
	if (pv && gv && json_array_size(pv) != json_array_size(gv))
		return fail(x, "pre_var has %zu layers, grad_var %zu", json_array_size(pv), json_array_size(gv));
	return WINIT_OK;
}

/* A layer: its "type" is a kind's Keras class name; a kind with an activation (Dense) has
 * its units, activation and kernel initializer; a graph's layer (one with a "name") has
 * its kind's configuration fields (src/layers/kind.h), each of its type and range. */
static int check_layer(struct rs_ctx *x, const json_t *o)
{
	const char *type = json_string_value(json_object_get(o, "type"));
	const struct winit_layer_ops *k = NULL;
	for (int32_t id = 0; id < WINIT_LAYER_KINDS && !k; id++)
		if (strcmp(type, winit_layer_kind_name(id)) == 0)
			k = winit_layer_kind_get(id);
	if (!k) {
		char list[160] = "";
		for (int32_t id = 0; id < WINIT_LAYER_KINDS; id++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof list - len, "%s\"%s\"", id ? ", " : "", winit_layer_kind_name(id));
		}
		size_t mark = jr_push(&x->c, ".type");
		int rc = fail(x, "expected a layer kind (%s), found \"%.40s\"", list, type);
		jr_pop(&x->c, mark);
		return rc;
	}
	const char *const dense[] = { k->units_name ? k->units_name : "units", "activation", "kernel_initializer", NULL };
	char whose[64];
	for (int m = 0; k->has_activation && dense[m]; m++) {
		const json_t *v = json_object_get(o, dense[m]);
		snprintf(whose, sizeof whose, "%s (a %s layer's)", m ? "an object" : "an integer >= 1", k->name);
		if (!v || (!m && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT32_MAX)))
			return jr_bad(&x->c, dense[m], whose, v);
	}
	/* A kind with parameters but no activation: its initializers, by its names. */
	for (int t = 0; !k->has_activation && k->declare && t < 2; t++) {
		const int named = k->init_names[0] || k->init_names[1];
		const char *key = named ? k->init_names[t] : t ? "bias_initializer" : "kernel_initializer";
		const json_t *v = key ? json_object_get(o, key) : NULL;
		if (v && (!json_is_object(v) || !json_is_string(json_object_get(v, "name"))))
			return jr_bad(&x->c, key, "an initializer (an object with its \"name\")", v);
	}
	if (!json_object_get(o, "name"))
		return WINIT_OK;
	for (const struct winit_layer_field *f = k->fields; f && f->name; f++) {
		const json_t *v = json_object_get(o, f->name);
		size_t mark = jr_push(&x->c, ".%s", f->name);
		int rc = WINIT_OK;
		if (f->type == WINIT_LAYER_FIELD_INT) {
			char want[96];
			snprintf(want, sizeof want, "an integer in [%lld, %lld] (%s's %s)", (long long)f->lo,
			         (long long)f->hi, k->name, f->name);
			if (!json_is_integer(v))
				rc = jr_bad(&x->c, NULL, want, v);
			else if (json_integer_value(v) < f->lo || json_integer_value(v) > f->hi)
				rc = fail(x, "expected %s, found %lld", want, (long long)json_integer_value(v));
		} else if (f->type == WINIT_LAYER_FIELD_INTS) {
			int good = json_is_array(v) && json_array_size(v) == (size_t)f->count;
			for (size_t c = 0; good && c < json_array_size(v); c++) {
				const json_t *e = json_array_get(v, c);
				good = json_is_integer(e) && json_integer_value(e) >= f->lo && json_integer_value(e) <= f->hi;
			}
			if (!good) {
				char want[96];
				snprintf(want, sizeof want, "%d integers in [%lld, %lld] (%s's %s)", (int)f->count,
				         (long long)f->lo, (long long)f->hi, k->name, f->name);
				rc = jr_bad(&x->c, NULL, want, v);
			}
		} else if (f->type == WINIT_LAYER_FIELD_REAL) {
			if (!json_is_number(v) || json_number_value(v) < (double)f->lo || json_number_value(v) > (double)f->hi) {
				char want[96];
				snprintf(want, sizeof want, "a number in [%lld, %lld] (%s's %s)", (long long)f->lo,
				         (long long)f->hi, k->name, f->name);
				rc = json_is_number(v) ? fail(x, "expected %s, found %.17g", want, json_number_value(v))
				                       : jr_bad(&x->c, NULL, want, v);
			}
		} else if (f->type == WINIT_LAYER_FIELD_CHOICE) {
			int32_t n = winit_layer_field_n_choices(f), c = 0;
			const char *t = json_string_value(v);
			while (t && c < n && strcmp(t, f->choices[c]) != 0)
				c++;
			if (!t || c == n) {
				char want[160];
				size_t len = (size_t)snprintf(want, sizeof want, "one of");
				for (int32_t q = 0; q < n && len < sizeof want; q++)
					len += (size_t)snprintf(want + len, sizeof want - len, "%s \"%s\"", q ? "," : "", f->choices[q]);
				rc = jr_bad(&x->c, NULL, want, v);
			}
		} else {
			int64_t dims[WINIT_MAX_RANK] = { 0 };
			size_t n = json_array_size(v);
			for (size_t d = 0; d < n && d < WINIT_MAX_RANK; d++)
				dims[d] = json_is_integer(json_array_get(v, d)) ? (int64_t)json_integer_value(json_array_get(v, d)) : 0;
			struct winit_shape sh;
			if (!json_is_array(v) || n > WINIT_MAX_RANK || winit_shape_set(&sh, (int32_t)n, dims))
				rc = jr_bad(&x->c, NULL, "a shape: 1 to 3 integers >= 1, at most 2^31 values in all", v);
		}
		if (rc)
			return rc;
		jr_pop(&x->c, mark);
	}
	return WINIT_OK;
}

/* A layer's "inputs" are earlier layers (or -1, the model's input). */
static int check_model(struct rs_ctx *x, const json_t *o)
{
	const json_t *layers = json_object_get(o, "layers");
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const json_t *in = json_object_get(json_array_get(layers, i), "inputs");
		for (size_t e = 0; e < json_array_size(in); e++) {
			json_int_t v = json_integer_value(json_array_get(in, e));
			if (v >= (json_int_t)i) {
				size_t mark = jr_push(&x->c, ".layers[%zu].inputs[%zu]", i, e);
				int rc = fail(x, "expected an earlier layer's index (-1 to %lld), found %lld",
				              (long long)i - 1, (long long)v);
				jr_pop(&x->c, mark);
				return rc;
			}
		}
	}
	return WINIT_OK;
}

/* A coordinate check: at least one width, seed and layer; widths increasing; each layer's
 * tables one row per step 0..steps, one value per width. */
static int check_coord_check(struct rs_ctx *x, const json_t *o)
{
	const json_t *widths = json_object_get(o, "widths"), *layers = json_object_get(o, "layers");
	size_t n_w = json_array_size(widths), rows = (size_t)json_integer_value(json_object_get(o, "steps")) + 1;
	if (n_w == 0 || json_array_size(json_object_get(o, "seeds")) == 0 || json_array_size(layers) == 0)
		return fail(x, "expected at least one width, one seed and one layer");
	int unnamed = json_string_length(json_object_get(o, "name")) == 0;
	for (size_t l = 0; !unnamed && l < json_array_size(layers); l++)
		unnamed = json_string_length(json_object_get(json_array_get(layers, l), "name")) == 0;
	if (unnamed)
		return fail(x, "expected a name for the check and for each of its layers, found \"\"");
	for (size_t w = 1; w < n_w; w++)
		if (json_integer_value(json_array_get(widths, w)) <= json_integer_value(json_array_get(widths, w - 1)))
			return fail(x, "widths: expected increasing widths, found %lld after %lld",
			            (long long)json_integer_value(json_array_get(widths, w)),
			            (long long)json_integer_value(json_array_get(widths, w - 1)));
	static const char *const tables[] = { "mean_abs", "change" };
	for (size_t l = 0; l < json_array_size(layers); l++)
		for (int t = 0; t < 2; t++) {
			const json_t *tab = json_object_get(json_array_get(layers, l), tables[t]);
			int bad = json_array_size(tab) != rows;
			for (size_t s = 0; !bad && s < rows; s++)
				bad = json_array_size(json_array_get(tab, s)) != n_w;
			if (bad)
				return fail(x, "layers[%zu].%s: expected %zu rows (steps 0 to %zu) of %zu values "
				               "(one per width)",
				            l, tables[t], rows, rows - 1, n_w);
		}
	return WINIT_OK;
}

/* No two coordinate checks of a file share their name and parametrization (their key). */
static int check_coord_checks(struct rs_ctx *x, const json_t *a)
{
	for (size_t i = 0; i < json_array_size(a); i++)
		for (size_t k = 0; k < i; k++) {
			const json_t *p = json_array_get(a, i), *q = json_array_get(a, k);
			if (json_equal(json_object_get(p, "name"), json_object_get(q, "name")) &&
			    json_equal(json_object_get(p, "parametrization"), json_object_get(q, "parametrization"))) {
				jr_push(&x->c, "[%zu]", i);
				return fail(x, "coordinate check '%s' (%s) is there twice (also [%zu])",
				            json_string_value(json_object_get(p, "name")),
				            json_string_value(json_object_get(p, "parametrization")), k);
			}
		}
	return WINIT_OK;
}

/* A spectrum: its histogram's range [lo, hi] with lo < hi; at least one depth, depths
 * increasing; per depth a mean per network, hist_bins counts summing to values, min <= max. */
static int check_spectrum(struct rs_ctx *x, const json_t *o)
{
	const json_t *range = json_object_get(o, "hist_log10_range"), *depths = json_object_get(o, "depths");
	json_int_t networks = json_integer_value(json_object_get(o, "networks"));
	json_int_t bins = json_integer_value(json_object_get(o, "hist_bins"));
	if (json_string_length(json_object_get(o, "name")) == 0 ||
	    json_string_length(json_object_get(o, "activation")) == 0 ||
	    json_string_length(json_object_get(o, "weights")) == 0)
		return fail(x, "expected a name, an activation and weights, found \"\"");
	if (json_array_size(range) != 2 ||
	    !(json_number_value(json_array_get(range, 0)) < json_number_value(json_array_get(range, 1))))
		return fail(x, "hist_log10_range: expected [lo, hi] with lo < hi");
	if (json_array_size(depths) == 0)
		return fail(x, "depths: expected at least one depth, found none");
	for (size_t d = 0; d < json_array_size(depths); d++) {
		const json_t *y = json_array_get(depths, d);
		json_int_t depth = json_integer_value(json_object_get(y, "depth"));
		json_int_t values = json_integer_value(json_object_get(y, "values"));
		const json_t *counts = json_object_get(y, "hist_counts");
		if (d > 0) {
			json_int_t before = json_integer_value(json_object_get(json_array_get(depths, d - 1), "depth"));
			if (depth <= before)
				return fail(x, "depths[%zu].depth: expected depths increasing, found %lld after %lld", d,
				            (long long)depth, (long long)before);
		}
		if ((json_int_t)json_array_size(json_object_get(y, "mean_sq_per_network")) != networks)
			return fail(x, "depths[%zu].mean_sq_per_network: expected %lld values (one per network), "
			               "found %zu",
			            d, (long long)networks, json_array_size(json_object_get(y, "mean_sq_per_network")));
		if ((json_int_t)json_array_size(counts) != bins)
			return fail(x, "depths[%zu].hist_counts: expected %lld counts (hist_bins), found %zu", d,
			            (long long)bins, json_array_size(counts));
		json_int_t sum = 0;
		int over = 0; /* the counts add up past the largest integer: not values */
		for (size_t b = 0; b < json_array_size(counts) && !over; b++) {
			json_int_t c = json_integer_value(json_array_get(counts, b));
			over = c > LLONG_MAX - sum;
			sum += over ? 0 : c;
		}
		if (over)
			return fail(x, "depths[%zu].hist_counts: expected counts summing to values (%lld), found "
			               "more than %lld",
			            d, (long long)values, (long long)LLONG_MAX);
		if (sum != values)
			return fail(x, "depths[%zu].hist_counts: expected counts summing to values (%lld), found %lld",
			            d, (long long)values, (long long)sum);
		if (json_number_value(json_object_get(y, "min")) > json_number_value(json_object_get(y, "max")))
			return fail(x, "depths[%zu]: expected min <= max, found min %.17g, max %.17g", d,
			            json_number_value(json_object_get(y, "min")),
			            json_number_value(json_object_get(y, "max")));
	}
	return WINIT_OK;
}

/* No two spectra of a file share their name (their key). */
static int check_spectra(struct rs_ctx *x, const json_t *a)
{
	for (size_t i = 0; i < json_array_size(a); i++)
		for (size_t k = 0; k < i; k++) {
			const json_t *p = json_object_get(json_array_get(a, i), "name");
			if (json_equal(p, json_object_get(json_array_get(a, k), "name"))) {
				jr_push(&x->c, "[%zu]", i);
				return fail(x, "spectrum '%s' is there twice (also [%zu])", json_string_value(p), k);
			}
		}
	return WINIT_OK;
}

/* ---- the table */

static const struct rs_field number_or_null[] = { NUM("", RS_ALL), END };
static const struct rs_field a_count[] = { COUNT("", RS_ALL), END };

static const struct rs_field plugin_fields[] = {
	ROW("name", RS_STR, RS_ALL, 0, 0, 0),
	SUB("params", RS_PARAMS, RS_OPTIONAL, 0, NULL, NULL),
	ROW("file", RS_STR, RS_OPTIONAL, 0, 0, 0),
	COUNT("size", RS_OPTIONAL),
	ROW("crc32", RS_STR, RS_OPTIONAL, 0, 0, 0),
	END,
};

static const struct rs_field an_input[] = { ROW("", RS_INT, RS_ALL, 0, -1, I32), END };
static const struct rs_field a_dim[] = { ROW("", RS_INT, RS_ALL, 0, 1, BIG), END };

static const struct rs_field tensor_mult_fields[] = {
	ROW("init", RS_NUM, RS_ALL, 0, -BIG, BIG),
	ROW("lr", RS_NUM, RS_ALL, 0, 0, BIG),
	END,
};

static const struct rs_field mult_fields[] = {
	SUB("kernel", RS_OBJ, RS_OPTIONAL, 0, tensor_mult_fields, NULL),
	SUB("bias", RS_OBJ, RS_OPTIONAL, 0, tensor_mult_fields, NULL),
	ROW("output", RS_NUM, RS_ALL, 0, -BIG, BIG),
	END,
};

/* A layer; a graph's has a name, its inputs, its output shape, its kind's configuration
 * and its multipliers (check_layer: what its kind needs). */
static const struct rs_field layer_fields[] = {
	ROW("type", RS_STR, RS_ALL, 0, 0, 0),
	ROW("name", RS_STR, RS_OPTIONAL, 0, 0, 47),
	SUB("inputs", RS_ARR, RS_OPTIONAL, I32, an_input, NULL),
	SUB("output_shape", RS_ARR, RS_OPTIONAL, WINIT_MAX_RANK, a_dim, NULL),
	ROW("units", RS_INT, RS_OPTIONAL, 0, 1, I32),
	SUB("activation", RS_OBJ, RS_OPTIONAL, 0, plugin_fields, NULL),
	SUB("kernel_initializer", RS_OBJ, RS_OPTIONAL, 0, plugin_fields, NULL),
	ROW("use_bias", RS_BOOL, RS_OPTIONAL, 0, 0, 0),
	SUB("bias_initializer", RS_OBJ, RS_OPTIONAL, 0, plugin_fields, NULL),
	SUB("multipliers", RS_OBJ, RS_OPTIONAL, 0, mult_fields, NULL),
	END,
};
static const struct rs_field a_layer[] = { SUB("", RS_OBJ, RS_ALL, 0, layer_fields, check_layer), END };

static const struct rs_field model_fields[] = {
	SUB("input_shape", RS_ARR, RS_ALL, 8, a_count, NULL),
	SUB("layers", RS_ARR, RS_ALL, I32, a_layer, NULL),
	END,
};

/* The optimizer's learning-rate schedule (Keras's names), when it has one. */
static const struct rs_field schedule_fields[] = {
	{ "name", RS_STR, RS_ALL, 0, 0, 0, NULL, NULL, schedule_choices, NONE, NONE, NAN, NULL },
	ROW("initial_learning_rate", RS_NUM, RS_ALL, 0, 0, BIG),
	ROW("decay_steps", RS_NUM, RS_ALL, 0, 0, BIG),
	ROW("decay_rate", RS_NUM, RS_OPTIONAL, 0, 0, BIG),
	ROW("staircase", RS_BOOL, RS_OPTIONAL, 0, 0, 0),
	ROW("alpha", RS_NUM, RS_OPTIONAL, 0, 0, 1),
	END,
};

/* The fit's EarlyStopping (Keras's names), when it has one. */
static const struct rs_field early_stopping_fields[] = {
	{ "monitor", RS_STR, RS_ALL, 0, 0, 0, NULL, NULL, monitor_choices, NONE, NONE, NAN, NULL },
	ROW("min_delta", RS_NUM, RS_ALL, 0, 0, BIG),
	ROW("patience", RS_INT, RS_ALL, 0, 0, I32),
	{ "mode", RS_STR, RS_ALL, 0, 0, 0, NULL, NULL, mode_choices, NONE, NONE, NAN, NULL },
	ROW("restore_best_weights", RS_BOOL, RS_ALL, 0, 0, 0),
	ROW("baseline", RS_NUM, RS_OPTIONAL, 0, -BIG, BIG),
	END,
};

static const struct rs_field optimizer_fields[] = {
	ROW("name", RS_STR, RS_ALL, 0, 0, 0),
	NUM("learning_rate", RS_ALL),
	NUM("beta_1", RS_OPTIONAL),
	NUM("beta_2", RS_OPTIONAL),
	NUM("epsilon", RS_OPTIONAL),
	NUM("momentum", RS_OPTIONAL),
	ROW("nesterov", RS_BOOL, RS_OPTIONAL, 0, 0, 0),
	SUB("schedule", RS_OBJ, RS_OPTIONAL, 0, schedule_fields, NULL),
	END,
};

static const struct rs_field fit_fields[] = {
	ROW("epochs", RS_INT, RS_ALL, 0, 0, I32),
	ROW("batch_size", RS_INT, RS_ALL, 0, 1, I32),
	FRACTION("validation_split", RS_OPTIONAL),
	ROW("shuffle", RS_BOOL, RS_OPTIONAL, 0, 0, 0),
	SUB("early_stopping", RS_OBJ, RS_OPTIONAL, 0, early_stopping_fields, NULL),
	END,
};

static const struct rs_field data_fields[] = {
	ROW("train", RS_STR, RS_OPTIONAL, 0, 0, 0),
	ROW("test", RS_STR, RS_OPTIONAL, 0, 0, 0),
	COUNT("n_train", RS_V2),
	COUNT("n_val", RS_V2),
	COUNT("n_test", RS_V2),
	END,
};

static const struct rs_field diverged_fields[] = { FIELDS(winit_fields_divergence), END };

static const struct rs_field epoch_fields[] = { FIELDS(winit_fields_epoch), END };
static const struct rs_field an_epoch[] = { SUB("", RS_OBJ, RS_ALL, 0, epoch_fields, NULL), END };

static const struct rs_field learning_fields[] = { FIELDS(winit_fields_learning), END };

static const struct rs_field hist_fields[] = {
	SUB("range", RS_ARR, RS_ALL, 0, number_or_null, NULL),
	SUB("counts", RS_ARR, RS_ALL, 0, a_count, NULL),
	COUNT("underflow", RS_V2),
	COUNT("overflow", RS_V2),
	NUM("declared_sd", RS_V2),
	END,
};

#define LAYER_f64(key, lo, hi)                                                           \
	AT(#key, RS_NUM, RS_V2, RS_NULL, lo, hi, offsetof(struct winit_diag_layer, key), \
	   offsetof(struct winit_report_layer_diag, key), NAN),
#define LAYER_i64(key, lo, hi)                                                     \
	AT(#key, RS_INT, RS_V2, 0, lo, hi, offsetof(struct winit_diag_layer, key), \
	   offsetof(struct winit_report_layer_diag, key), -1),
#define RANGE_any -BIG, BIG
#define RANGE_unit 0, 1
#define RANGE_count 0, BIG
#define RANGE_count_or_none -1, BIG /* -1: not recorded for this layer kind */
#define LAYER_ROW(key, type, lo_hi) LAYER_##type(key, lo_hi)
#define LAYER(key, type, range) LAYER_ROW(key, type, RANGE_##range)

/* A layer's diagnostics, as winit/diagnostics.h's WINIT_DIAG_LAYER_FIELDS lists them. */
const struct rs_field winit_results_layer_fields[] = {
	WINIT_DIAG_LAYER_FIELDS(LAYER)
		SUB("weights_hist", RS_OBJ, RS_OPTIONAL, 0, hist_fields, check_hist),
	END,
};
static const struct rs_field a_layer_diag[] = {
	SUB("", RS_OBJ, RS_ALL, 0, winit_results_layer_fields, NULL), END
};

const struct rs_field winit_results_snapshot_fields[] = {
	FIELDS(winit_fields_snapshot),
	SUB("layers", RS_ARR, RS_ALL, I32, a_layer_diag, NULL),
	END,
};
static const struct rs_field a_snapshot[] = {
	SUB("", RS_OBJ, RS_ALL, 0, winit_results_snapshot_fields, check_snapshot), END
};

static const struct rs_field theory_fields[] = {
	ROW("applies", RS_BOOL, RS_ALL, 0, 0, 0),
	ROW("reason", RS_STR, RS_OPTIONAL, 0, 0, 0),
	SUB("pre_var", RS_ARR, RS_OPTIONAL, I32, number_or_null, NULL),
	SUB("grad_var", RS_ARR, RS_OPTIONAL, I32, number_or_null, NULL),
	END,
};

#define NAME_MAX_BYTES (WINIT_RUN_NAME_MAX - 1)

static const struct rs_field run_fields[] = {
	/* the description (resume compares it) */
	ROW("name", RS_STR, RS_ALL, 0, 0, NAME_MAX_BYTES),
	ROW("label", RS_STR, RS_V2, 0, 0, NAME_MAX_BYTES),
	ROW("replicate", RS_INT, RS_V2, 0, 0, I32),
	{ "design", RS_STR, RS_OPTIONAL, 0, 0, 0, NULL, NULL, design_choices, NONE, NONE, NAN, NULL },
	SUB("factors", RS_FACTORS, RS_OPTIONAL, 0, NULL, NULL),
	ROW("seed", RS_SEED, RS_V2, 0, 0, 0),
	ROW("run_seed", RS_SEED, RS_V2, 0, 0, 0),
	SUB("model", RS_OBJ, RS_ALL, 0, model_fields, check_model),
	SUB("optimizer", RS_OBJ, RS_ALL, 0, optimizer_fields, NULL),
	ROW("loss", RS_STR, RS_OPTIONAL, 0, 0, 0),
	SUB("fit", RS_OBJ, RS_ALL, 0, fit_fields, NULL),
	SUB("data", RS_OBJ, RS_V2, 0, data_fields, NULL),
	/* its place */
	COUNT("index", RS_OPTIONAL),
	/* what the script expected the run to do (absent: "ok") */
	{ "expect", RS_STR, RS_OPTIONAL, 0, 0, 0, NULL, NULL, expect_choices, NONE, NONE, NAN, NULL },
	/* its outcome */
	FIELDS(winit_fields_status),
	SUB("diverged", RS_OBJ, RS_OPTIONAL, 0, diverged_fields, NULL),
	SUB("history", RS_ARR, RS_ALL, 0, an_epoch, NULL),
	FIELDS(winit_fields_outcome),
	SUB("diagnostics", RS_ARR, RS_OPTIONAL, 0, a_snapshot, NULL),
	SUB("theory", RS_OBJ, RS_OPTIONAL, 0, theory_fields, check_theory),
	SUB("learning", RS_OBJ, RS_OPTIONAL, 0, learning_fields, NULL),
	END,
};
static const struct rs_field a_run[] = { SUB("", RS_OBJ, RS_ALL, 0, run_fields, NULL), END };

/* A coordinate check (winit/coord.h): its lists agree in size (check_coord_check). */
static const char *const param_choices[] = { "standard", "ntk", "mup", NULL };
static const char *const coord_of_choices[] = { "activation", "pre_activation", NULL };
static const struct rs_field a_width[] = { ROW("", RS_INT, RS_ALL, 0, 1, BIG), END };
static const struct rs_field mean_or_null[] = { ROW("", RS_NUM, RS_ALL, RS_NULL, 0, BIG), END };
static const struct rs_field a_step_row[] = { SUB("", RS_ARR, RS_ALL, 0, mean_or_null, NULL), END };
static const struct rs_field coord_layer_fields[] = {
	ROW("name", RS_STR, RS_ALL, 0, 0, WINIT_COORD_LAYER_NAME_MAX - 1),
	{ "of", RS_STR, RS_ALL, 0, 0, 0, NULL, NULL, coord_of_choices, NONE, NONE, NAN, NULL },
	SUB("mean_abs", RS_ARR, RS_ALL, 0, a_step_row, NULL),
	SUB("change", RS_ARR, RS_ALL, 0, a_step_row, NULL),
	END,
};
static const struct rs_field a_coord_layer[] = { SUB("", RS_OBJ, RS_ALL, 0, coord_layer_fields, NULL), END };
static const struct rs_field coord_fields[] = {
	ROW("name", RS_STR, RS_ALL, 0, 0, WINIT_COORD_NAME_MAX - 1),
	{ "parametrization", RS_STR, RS_ALL, 0, 0, 0, NULL, NULL, param_choices, NONE, NONE, NAN, NULL },
	SUB("widths", RS_ARR, RS_ALL, I32, a_width, NULL),
	SUB("seeds", RS_ARR, RS_ALL, I32, a_count, NULL),
	ROW("steps", RS_INT, RS_ALL, 0, 0, I32 - 1),
	ROW("batch_size", RS_INT, RS_ALL, 0, 1, I32),
	SUB("layers", RS_ARR, RS_ALL, I32, a_coord_layer, NULL),
	END,
};
static const struct rs_field a_coord_check[] = { SUB("", RS_OBJ, RS_ALL, 0, coord_fields, check_coord_check), END };

/* A Jacobian spectrum (winit/spectrum.h): its lists agree in size (check_spectrum). */
#define NONNEG(key) ROW(key, RS_NUM, RS_ALL, 0, 0, BIG)
#define THEORY(key) NUM(key, RS_ALL)
static const struct rs_field a_nonneg[] = { NONNEG(""), END };
static const struct rs_field a_number[] = { ROW("", RS_NUM, RS_ALL, 0, -BIG, BIG), END };
static const struct rs_field spectrum_depth_fields[] = {
	ROW("depth", RS_INT, RS_ALL, 0, 1, I32),
	ROW("values", RS_INT, RS_ALL, 0, 1, BIG),
	NONNEG("mean_sq"),
	SUB("mean_sq_per_network", RS_ARR, RS_ALL, 0, a_nonneg, NULL),
	NONNEG("var_sq"),
	NONNEG("norm_var"),
	NONNEG("max"),
	NONNEG("min"),
	THEORY("theory_mean_sq"),
	THEORY("theory_var_sq"),
	THEORY("theory_norm_var"),
	SUB("hist_counts", RS_ARR, RS_ALL, 0, a_count, NULL),
	END,
};
static const struct rs_field a_spectrum_depth[] = {
	SUB("", RS_OBJ, RS_ALL, 0, spectrum_depth_fields, NULL), END
};
static const struct rs_field spectrum_fields[] = {
	ROW("name", RS_STR, RS_ALL, 0, 0, WINIT_SPECTRUM_NAME_MAX - 1),
	ROW("activation", RS_STR, RS_ALL, 0, 0, WINIT_SPECTRUM_WORD_MAX - 1),
	ROW("weights", RS_STR, RS_ALL, 0, 0, WINIT_SPECTRUM_WORD_MAX - 1),
	NONNEG("sigma_w"),
	NONNEG("sigma_b"),
	ROW("q_star", RS_NUM, RS_ALL, RS_NULL, 0, BIG),
	NONNEG("chi_1"),
	NONNEG("v_w"),
	NONNEG("v_d"),
	ROW("width", RS_INT, RS_ALL, 0, 1, I32),
	ROW("networks", RS_INT, RS_ALL, 0, 1, I32),
	ROW("examples", RS_INT, RS_ALL, 0, 1, I32),
	SUB("hist_log10_range", RS_ARR, RS_ALL, 2, a_number, NULL),
	ROW("hist_bins", RS_INT, RS_ALL, 0, 1, I32),
	SUB("depths", RS_ARR, RS_ALL, I32, a_spectrum_depth, NULL),
	END,
};
static const struct rs_field a_spectrum[] = { SUB("", RS_OBJ, RS_ALL, 0, spectrum_fields, check_spectrum), END };

/* The top level after "format" and "version" (checked first, by themselves). */
static const struct rs_field top_fields[] = {
	ROW("generator", RS_STR, RS_OPTIONAL, 0, 0, sizeof((struct winit_results_file *)0)->generator - 1),
	ROW("study", RS_STR, RS_V2, 0, 0, NAME_MAX_BYTES),
	ROW("seed", RS_SEED, RS_V2, 0, 0, 0),
	SUB("coord_checks", RS_ARR, RS_OPTIONAL, 0, a_coord_check, check_coord_checks),
	SUB("spectra", RS_ARR, RS_OPTIONAL, 0, a_spectrum, check_spectra),
	SUB("runs", RS_ARR, RS_ALL, 0, a_run, NULL),
	END,
};

/* ---- the validation */

static int check_members(struct rs_ctx *x, const json_t *o, const struct rs_field *fields);

/* "an integer in [1, 2147483647]", "a number >= 0", "a number in [0, 1]". */
static void describe_range(char *out, size_t size, const char *what, double lo, double hi)
{
	if (lo > -BIG && hi < BIG)
		snprintf(out, size, "%s in [%.17g, %.17g]", what, lo, hi);
	else if (lo > -BIG)
		snprintf(out, size, "%s >= %.17g", what, lo);
	else
		snprintf(out, size, "%s <= %.17g", what, hi);
}

static int check_value(struct rs_ctx *x, const struct rs_field *f, const json_t *v);

static int check_str(struct rs_ctx *x, const struct rs_field *f, const json_t *v)
{
	if (!json_is_string(v))
		return jr_bad(&x->c, NULL, "a string", v);
	if (f->hi > 0 && (double)json_string_length(v) > f->hi)
		return fail(x, "expected a string of at most %.0f bytes, found one of %zu", f->hi,
		            json_string_length(v));
	if (f->choices) {
		for (size_t k = 0; f->choices[k]; k++)
			if (strcmp(json_string_value(v), f->choices[k]) == 0)
				return WINIT_OK;
		char list[160] = "";
		for (size_t k = 0; f->choices[k]; k++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof list - len, "%s\"%s\"",
			         !k ? "" : f->choices[k + 1] ? ", " : " or ", f->choices[k]);
		}
		return fail(x, "expected %s, found \"%.40s\"", list, json_string_value(v));
	}
	return WINIT_OK;
}

/* An integer (RS_INT) or a number (RS_NUM) in [lo, hi], or null where allowed. */
static int check_number(struct rs_ctx *x, const struct rs_field *f, const json_t *v)
{
	char what[96];
	int null_ok = (f->flags & RS_NULL) != 0, integer = f->kind == RS_INT;
	if (json_is_null(v) && null_ok)
		return WINIT_OK;
	if (integer ? !json_is_integer(v) : !json_is_number(v))
		return jr_bad(&x->c, NULL,
		              integer ? (null_ok ? "an integer or null" : "an integer") :
		                        (null_ok ? "a number or null" : "a number"),
		              v);
	if (integer && ((double)json_integer_value(v) < f->lo || (double)json_integer_value(v) > f->hi)) {
		describe_range(what, sizeof what, "an integer", f->lo, f->hi);
		return fail(x, "expected %s, found %" JSON_INTEGER_FORMAT, what, json_integer_value(v));
	}
	if (!integer && !(json_number_value(v) >= f->lo && json_number_value(v) <= f->hi)) {
		describe_range(what, sizeof what, "a number", f->lo, f->hi);
		return fail(x, "expected %s, found %.17g", what, json_number_value(v));
	}
	return WINIT_OK;
}

static int check_seed(struct rs_ctx *x, const json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 && x->version < 2)
		return WINIT_OK;
	if (!json_is_string(v))
		return jr_bad(&x->c, NULL, x->version < 2 ? "an unsigned 64-bit integer" : "a decimal string (64-bit seeds are strings)",
		              v);
	const char *s = json_string_value(v);
	char *end;
	errno = 0;
	(void)strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno)
		return fail(x, "expected a decimal number in [0, 2^64), found \"%.40s\"", s);
	return WINIT_OK;
}

static int check_array(struct rs_ctx *x, const struct rs_field *f, const json_t *v)
{
	if (!json_is_array(v))
		return jr_bad(&x->c, NULL, "an array", v);
	if (f->hi > 0 && (double)json_array_size(v) > f->hi)
		return fail(x, "expected an array of at most %.0f elements, found %zu", f->hi,
		            json_array_size(v));
	for (size_t i = 0; i < json_array_size(v); i++) {
		size_t mark = jr_push(&x->c, "[%zu]", i);
		int rc = check_value(x, f->sub, json_array_get(v, i));
		if (rc)
			return rc;
		jr_pop(&x->c, mark);
	}
	return f->check ? f->check(x, v) : WINIT_OK;
}

/* A plugin's parameters (numbers, strings or null) or a grid run's factors (strings). */
static int check_map(struct rs_ctx *x, const struct rs_field *f, const json_t *v)
{
	int factors = f->kind == RS_FACTORS;
	if (!json_is_object(v))
		return jr_bad(&x->c, NULL, factors ? "an object of strings" : "an object", v);
	if (factors && json_object_size(v) > WINIT_FACTORS_MAX)
		return fail(x, "expected at most %d factors, found %zu", WINIT_FACTORS_MAX, json_object_size(v));
	const char *key;
	json_t *p;
	json_object_foreach((json_t *)v, key, p)
	{
		size_t mark = jr_push(&x->c, ".%s", key);
		int rc = WINIT_OK;
		if (!factors && !json_is_string(p) && !json_is_number(p) && !json_is_null(p))
			rc = jr_bad(&x->c, NULL, "a number, a string or null", p);
		else if (factors && !json_is_string(p))
			rc = jr_bad(&x->c, NULL, "a string", p);
		else if (factors && (strlen(key) >= sizeof((struct winit_factor *)0)->name ||
		                     json_string_length(p) >= sizeof((struct winit_factor *)0)->value))
			rc = fail(x, "expected a factor's name of at most %zu bytes and level of at most %zu",
			          sizeof((struct winit_factor *)0)->name - 1,
			          sizeof((struct winit_factor *)0)->value - 1);
		if (rc)
			return rc;
		jr_pop(&x->c, mark);
	}
	return WINIT_OK;
}

static int check_value(struct rs_ctx *x, const struct rs_field *f, const json_t *v)
{
	switch ((enum rs_kind)f->kind) {
	case RS_STR:
		return check_str(x, f, v);
	case RS_INT:
	case RS_NUM:
		return check_number(x, f, v);
	case RS_SEED:
		return check_seed(x, v);
	case RS_BOOL:
		return json_is_boolean(v) ? WINIT_OK : jr_bad(&x->c, NULL, "true or false", v);
	case RS_OBJ: {
		if (!json_is_object(v))
			return jr_bad(&x->c, NULL, "an object", v);
		int rc = check_members(x, v, f->sub);
		return rc ? rc : f->check ? f->check(x, v) :
		                            WINIT_OK;
	}
	case RS_ARR:
		return check_array(x, f, v);
	case RS_PARAMS:
	case RS_FACTORS:
		return check_map(x, f, v);
	case RS_FIELDS:
		break; /* not a member (check_members) */
	}
	return WINIT_OK;
}

/* Row f of a fields.h table as a row of this table: a number, an integer, a string among
 * the choices, or a string of at most `hi` bytes (WINIT_FIELD_TEXT); null allowed where
 * the writer writes a missing value so (a number's NaN, an integer that can be missing),
 * unless the row keeps it (WINIT_FIELD_KEEP). */
static struct rs_field field_row(const struct winit_field *f)
{
	int num = f->type == WINIT_FIELD_F64, choice = f->type == WINIT_FIELD_CHOICE;
	if (f->type == WINIT_FIELD_TEXT) {
		struct rs_field r = { .key = f->key, .kind = RS_STR, .need = f->need, .hi = f->hi,
			              .at_result = NONE, .at_page = NONE, .dflt = NAN };
		return r;
	}
	int can_miss = num || (f->flags & (WINIT_FIELD_MISS_NONPOS | WINIT_FIELD_MISS_NEG));
	struct rs_field r = { .key = f->key,
		              .kind = num ? RS_NUM : choice ? RS_STR : RS_INT,
		              .need = f->need,
		              .flags = can_miss && !(f->flags & WINIT_FIELD_KEEP) ? RS_NULL : 0,
		              .lo = f->lo,
		              .hi = f->hi,
		              .choices = f->choices,
		              .at_result = NONE,
		              .at_page = NONE,
		              .dflt = f->dflt };
	return r;
}

static int check_member(struct rs_ctx *x, const json_t *o, const struct rs_field *f)
{
	const json_t *v = json_object_get(o, f->key);
	if (!v) {
		if (f->need == RS_ALL || (f->need == RS_V2 && x->version >= 2)) {
			static const char *const kinds[] = { "a string", "an integer", "a number",
				                             "a seed", "true or false", "an object",
				                             "an array", "an object", "an object" };
			return jr_bad(&x->c, f->key, kinds[f->kind], NULL);
		}
		return WINIT_OK;
	}
	size_t mark = jr_push(&x->c, "%s%s", x->c.len ? "." : "", f->key);
	int rc = check_value(x, f, v);
	if (rc)
		return rc;
	jr_pop(&x->c, mark);
	return WINIT_OK;
}

/* A fields.h table's groups: where a witness is present, every member sharing its flag
 * must be too. */
static int check_groups(struct rs_ctx *x, const json_t *o, const struct winit_field *table)
{
	for (const struct winit_field *w = table; w->key; w++) {
		if (!(w->flags & WINIT_FIELD_WITNESS) || !json_object_get(o, w->key))
			continue;
		for (const struct winit_field *f = table; f->key; f++) {
			char what[96];
			if (f == w || f->when != w->when || json_object_get(o, f->key))
				continue;
			snprintf(what, sizeof what, "%s, as there is a \"%s\"",
			         f->type == WINIT_FIELD_F64 ? "a number or null" : "an integer", w->key);
			return jr_bad(&x->c, f->key, what, NULL);
		}
	}
	return WINIT_OK;
}

static int check_members(struct rs_ctx *x, const json_t *o, const struct rs_field *fields)
{
	for (const struct rs_field *f = fields; f->key; f++) {
		int rc = WINIT_OK;
		if (f->kind != RS_FIELDS) {
			rc = check_member(x, o, f);
		} else {
			for (const struct winit_field *t = f->fields; t->key && !rc; t++) {
				struct rs_field r = field_row(t);
				rc = check_member(x, o, &r);
			}
		}
		if (rc)
			return rc;
	}
	for (const struct rs_field *f = fields; f->key; f++) {
		int rc = f->kind == RS_FIELDS ? check_groups(x, o, f->fields) : WINIT_OK;
		if (rc)
			return rc;
	}
	return WINIT_OK;
}

/* "format" and "version" (a version this reader reads), before anything else. */
static int check_header(struct rs_ctx *x, const json_t *root, int32_t min_version)
{
	const char *path = x->c.file;
	const json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version");
	if (!json_is_object(root))
		return winit_error_set(x->c.err, WINIT_ERR_FORMAT,
		                       "%s: not a winit results file: expected a JSON object with \"format\": \"%s\", found %s",
		                       path, WINIT_RESULTS_FORMAT, jr_type_name(root));
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), WINIT_RESULTS_FORMAT) != 0)
		return winit_error_set(x->c.err, WINIT_ERR_FORMAT,
		                       "%s: not a winit results file: expected \"format\": \"%s\", found %s%.40s%s",
		                       path, WINIT_RESULTS_FORMAT, json_is_string(fmt) ? "\"" : "",
		                       json_is_string(fmt) ? json_string_value(fmt) :
		                       fmt                 ? jr_type_name(fmt) :
		                                             "no \"format\" member",
		                       json_is_string(fmt) ? "\"" : "");
	if (!json_is_integer(ver) || json_integer_value(ver) < 1)
		return jr_bad(&x->c, "version", "a version number (an integer >= 1)", ver);
	json_int_t v = json_integer_value(ver);
	if (v > WINIT_RESULTS_VERSION)
		return winit_error_set(x->c.err, WINIT_ERR_FORMAT,
		                       "%s: results format version %" JSON_INTEGER_FORMAT
		                       " is newer than this winit reads (up to version %d): it was written "
		                       "by a newer winit: update winit (%s)",
		                       path, v, WINIT_RESULTS_VERSION, PACKAGE_STRING);
	if (v < min_version)
		return winit_error_set(x->c.err, WINIT_ERR_FORMAT,
		                       "%s: results format version %" JSON_INTEGER_FORMAT
		                       " is older than this winit's (%d) (its seeds may not be exact): "
		                       "rerun the study to write a new one",
		                       path, v, WINIT_RESULTS_VERSION);
	x->version = (int32_t)v;
	return WINIT_OK;
}

int winit_results_doc_load(const char *path, int32_t min_version, struct winit_results_doc *d,
                           struct winit_error *err)
{
	memset(d, 0, sizeof *d);
	int rc = jr_load_doc(path, &d->doc, err);
	if (rc)
		return rc;
	struct rs_ctx x = { .c = { .file = path, .err = err } };
	rc = check_header(&x, d->doc.root, min_version);
	if (!rc && x.version >= 2 && d->doc.n_big)
		rc = winit_error_set(err, WINIT_ERR_FORMAT,
		                     "%s: an integer above 2^63 - 1 written as a number (version %d "
		                     "writes 64-bit seeds as decimal strings)",
		                     path, (int)x.version);
	if (!rc)
		rc = check_members(&x, d->doc.root, top_fields);
	if (rc) {
		jr_doc_free(&d->doc);
		return rc;
	}
	d->version = x.version;
	return WINIT_OK;
}

void winit_results_doc_free(struct winit_results_doc *d)
{
	jr_doc_free(&d->doc);
	memset(d, 0, sizeof *d);
}

int winit_results_fill_fields(void *dst, int page, const struct winit_field *table, const json_t *obj)
{
	int rc = WINIT_OK;
	for (const struct winit_field *f = table; f->key && !rc; f++) {
		const json_t *v = json_object_get(obj, f->key);
		if (f->flags & WINIT_FIELD_WITNESS)
			winit_field_mark(f, dst, page, v != NULL);
		if (f->type == WINIT_FIELD_F64)
			winit_field_put_f64(f, dst, page, json_is_number(v) ? json_number_value(v) : f->dflt);
		else if (f->type == WINIT_FIELD_CHOICE || f->type == WINIT_FIELD_TEXT)
			rc = winit_field_put_text(f, dst, page, json_string_value(v));
		else
			winit_field_put_int(f, dst, page,
			                    json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)f->dflt);
	}
	return rc;
}

void winit_results_fill(void *dst, int page, const struct rs_field *fields, const json_t *obj)
{
	for (const struct rs_field *f = fields; f->key; f++) {
		ptrdiff_t at = page ? f->at_page : f->at_result;
		if (f->kind == RS_FIELDS)
			winit_results_fill_fields(dst, page, f->fields, obj);
		if (at < 0)
			continue;
		const json_t *v = json_object_get(obj, f->key);
		if (f->kind == RS_NUM)
			*(double *)((char *)dst + at) = json_is_number(v) ? json_number_value(v) : f->dflt;
		else if (f->kind == RS_INT)
			*(int64_t *)((char *)dst + at) = json_is_integer(v) ? (int64_t)json_integer_value(v) :
			                                                      (int64_t)f->dflt;
	}
}
