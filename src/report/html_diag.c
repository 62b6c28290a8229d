/* src/report/html_diag.c -- the report's diagnostics section: what initialization does
 * inside the network, measured on the probe batch, beside what theory predicts. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "plot/svg.h"

#define DEPTH_W 560.0
#define DEPTH_H 320.0
#define LEGEND_W 170.0
#define PANEL_W 370.0
#define PANEL_H 250.0
#define MAX_PANELS 6   /* layers shown over training; evenly spread when there are more */
#define MAX_COLUMNS 12 /* layers in the symmetry table */

#define FIELD(name) offsetof(struct winit_report_layer_diag, name)

static double field(const struct winit_report_layer_diag *d, size_t off)
{
	return *(const double *)((const char *)d + off);
}

/* The snapshot at initialization (step 0, else the first) and the last one. */
static const struct winit_report_snapshot *snap_init(const struct winit_report_run *x)
{
	for (size_t s = 0; s < x->n_snapshots; s++)
		if (x->diagnostics[s].step == 0)
			return &x->diagnostics[s];
	return x->n_snapshots ? &x->diagnostics[0] : NULL;
}

static const struct winit_report_snapshot *snap_end(const struct winit_report_run *x)
{
	return x->n_snapshots ? &x->diagnostics[x->n_snapshots - 1] : NULL;
}

/* The probe batch's rows, fewest and most over the runs that record them (0, 0: none do,
 * files before the field). */
static void probe_rows_range(const struct winit_report_study *r, int64_t *lo, int64_t *hi)
{
	*lo = *hi = 0;
	for (size_t i = 0; i < r->n_runs; i++) {
		const struct winit_report_snapshot *s = snap_init(&r->runs[i]);
		if (!s || s->probe_rows <= 0)
			continue;
		if (!*lo || s->probe_rows < *lo)
			*lo = s->probe_rows;
		if (s->probe_rows > *hi)
			*hi = s->probe_rows;
	}
}

static size_t max_layers(const struct winit_report_study *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_runs; i++)
		for (size_t s = 0; s < r->runs[i].n_snapshots; s++)
			if (r->runs[i].diagnostics[s].n_layers > n)
				n = r->runs[i].diagnostics[s].n_layers;
	return n;
}

size_t html_pick_layers(size_t *out, size_t n_layers, size_t max)
{
	if (n_layers <= max) {
		for (size_t k = 0; k < n_layers; k++)
			out[k] = k;
		return n_layers;
	}
	for (size_t k = 0; k < max; k++)
		out[k] = (size_t)lround((double)k * (double)(n_layers - 1) / (double)(max - 1));
	return max;
}

/* Mean over a group's runs of one field of layer k, in the snapshot `which` picks. */
static double group_mean(const struct html_page *pg, const struct cond *gr, size_t k,
                         size_t off, const struct winit_report_snapshot *(*which)(const struct winit_report_run *),
                         double *vals)
{
	size_t n = 0;
	for (size_t j = 0; j < gr->n_runs; j++) {
		const struct winit_report_snapshot *s = which(&pg->r->runs[gr->idx[j]]);
		if (s && k < s->n_layers)
			vals[n++] = field(&s->layers[k], off);
	}
	double mean, lo, hi;
	html_finite_mean_min_max(vals, n, &mean, &lo, &hi);
	return mean;
}

static int has_diagnostics(const struct html_page *pg, const struct cond *gr)
{
	for (size_t j = 0; j < gr->n_runs; j++)
		if (pg->r->runs[gr->idx[j]].n_snapshots)
			return 1;
	return 0;
}

/* The group's first run with a theory that applies, or NULL. */
static const struct winit_report_theory *group_theory(const struct html_page *pg,
                                                      const struct cond *gr)
{
	for (size_t j = 0; j < gr->n_runs; j++) {
		const struct winit_report_theory *t = &pg->r->runs[gr->idx[j]].theory;
		if (t->present && t->applies && t->n_layers)
			return t;
	}
	return NULL;
}

/* Whether every run's layers are Dense layers (the models of before graphs). */
static int all_dense(const struct html_page *pg)
{
	for (size_t i = 0; i < pg->r->n_runs; i++)
		for (size_t k = 0; k < pg->r->runs[i].n_layers; k++) {
			const char *t = pg->r->runs[i].layers[k].type;
			if (!t || strcmp(t, "Dense") != 0)
				return 0;
		}
	return 1;
}

/* Per layer vs depth, log scale: measured at initialization (points, solid line),
 * predicted (dashed), and with `with_end` the last snapshot (hollow points, dotted). */
static void depth_plot(const struct html_page *pg, const char *title, const char *ylabel,
                       size_t off, int theory, int with_end)
{
	size_t L = max_layers(pg->r), G = pg->n_groups, n_leg = 0;
	double *x = calloc(L, sizeof *x), *y = calloc(L * 3, sizeof *y);
	double *vals = calloc(pg->r->n_runs + 1, sizeof *vals);
	struct svg_legend_entry *leg = calloc(G + 2, sizeof *leg);
	if (!x || !y || !vals || !leg)
		goto done;
	double *y_end = y + L, *pred = y_end + L;
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 0, all_dense(pg) ? "layer (1 = first Dense layer)" : "layer (1 = the model's first layer)");
	ax.integer = 1;
	svg_axis_add(&ax, 1);
	svg_axis_add(&ax, (double)L);
	svg_axis_init(&ay, 1, ylabel);
	for (size_t g = 0; g < G; g++) {
		const struct winit_report_theory *t = theory ? group_theory(pg, &pg->groups[g]) : NULL;
		for (size_t k = 0; k < L; k++) {
			svg_axis_add(&ay, group_mean(pg, &pg->groups[g], k, off, snap_init, vals));
			if (with_end)
				svg_axis_add(&ay, group_mean(pg, &pg->groups[g], k, off, snap_end, vals));
			if (t && k < t->n_layers)
				svg_axis_add(&ay, theory == 1 ? t->pre_var[k] : t->grad_var[k]);
		}
	}
	svg_axis_nice(&ax);
	svg_axis_nice(&ay);
	double h = fmax(DEPTH_H, 36 + 20 + 18.0 * (double)(G + 2) + 48);
	struct svg_plot p;
	svg_plot_begin(&p, pg->f, DEPTH_W, h, LEGEND_W, title, &ax, &ay);
	if (L > 12)
		p.point_r = 2.5; /* deep stacks: the predicted lines stay visible between points */
	int any_pred = 0;
	for (size_t g = 0; g < G; g++) {
		const struct cond *gr = &pg->groups[g];
		const char *c = svg_color(g);
		const struct winit_report_theory *t = theory ? group_theory(pg, gr) : NULL;
		if (!has_diagnostics(pg, gr))
			continue;
		for (size_t k = 0; k < L; k++) {
			x[k] = (double)(k + 1);
			y[k] = group_mean(pg, gr, k, off, snap_init, vals);
			y_end[k] = group_mean(pg, gr, k, off, snap_end, vals);
			pred[k] = t && k < t->n_layers ? (theory == 1 ? t->pre_var[k] : t->grad_var[k]) : NAN;
		}
		if (t) {
			svg_polyline(&p, x, pred, L, c, 1);
			any_pred = 1;
		}
		if (with_end) {
			svg_polyline(&p, x, y_end, L, c, 2);
			svg_points(&p, x, y_end, L, c, 1);
		}
		svg_polyline(&p, x, y, L, c, 0);
		svg_points(&p, x, y, L, c, 0);
		leg[n_leg++] = (struct svg_legend_entry){ .label = gr->label, .color = c, .style = SVG_POINT };
	}
	/* What the line styles mean, in grey. */
	if (any_pred)
		leg[n_leg++] = (struct svg_legend_entry){ .label = "predicted (theory)", .color = "#666666", .style = SVG_DASHED };
	if (with_end)
		leg[n_leg++] = (struct svg_legend_entry){ .label = "at the end (hollow)", .color = "#666666", .style = SVG_HOLLOW };
	svg_legend(&p, leg, n_leg);
	svg_plot_end(&p);
done:
	free(x);
	free(y);
	free(vals);
	free(leg);
}

/* Activations whose derivative is exactly 0 on a whole half-line (ReLU; leaky ReLU's is
 * alpha there, below 1% of its maximum only for alpha < 0.01): a pair counted by the
 * saturation measure is a unit switched off for that sample, not a saturated one. */
static int relu_family(const char *name)
{
	return name && (strcmp(name, "relu") == 0 || strcmp(name, "leaky_relu") == 0);
}

/* The saturation panel's name for layer k, from the activation of every run with
 * snapshots there: "Inactive pairs" (ReLU family), "Saturated pairs" (none of it), or
 * both; *act is the activation's name when the runs share it, else NULL. */
static const char *saturation_name(const struct html_page *pg, size_t k, const char **act)
{
	int relu = 0, other = 0;
	*act = NULL;
	int same = 1;
	for (size_t i = 0; i < pg->r->n_runs; i++) {
		const struct winit_report_run *run = &pg->r->runs[i];
		if (!run->n_snapshots || k >= run->n_layers)
			continue;
		const char *name = run->layers[k].activation.name;
		if (!name)
			continue; /* a kind without an activation: nothing saturates */
		if (relu_family(name))
			relu = 1;
		else
			other = 1;
		if (!*act)
			*act = name;
		else if (!name || strcmp(*act, name) != 0)
			same = 0;
	}
	if (!same)
		*act = NULL;
	return relu && other ? "Saturated or inactive pairs" : relu ? "Inactive pairs" :
	                                                              "Saturated pairs";
}

/* Whether layer k has a kernel in some run's snapshot (distinct_units recorded). */
static int has_kernel(const struct winit_report_study *r, size_t k)
{
	for (size_t i = 0; i < r->n_runs; i++)
		for (size_t s = 0; s < r->runs[i].n_snapshots; s++)
			if (k < r->runs[i].diagnostics[s].n_layers &&
			    r->runs[i].diagnostics[s].layers[k].distinct_units >= 0)
				return 1;
	return 0;
}

/* One small panel per shown layer: a fraction in [0, 1] against the optimizer step
 * (`what` NULL: the saturation measure, named per layer by saturation_name).  The layers
 * shown are those with a kernel (Dense, Conv2D: units with an activation), when any has
 * one: a pooling, Flatten, Dropout or Add layer only passes on its input's dead units and
 * has no saturation of its own.  Results without distinct_units show every layer. */
static void training_panels(const struct html_page *pg, const char *what, const char *ylabel,
                            size_t off)
{
	size_t L = max_layers(pg->r), G = pg->n_groups, shown[MAX_PANELS];
	size_t *layer = calloc(L + 1, sizeof *layer), n_layer = 0;
	size_t S = 0;
	for (size_t i = 0; i < pg->r->n_runs; i++)
		if (pg->r->runs[i].n_snapshots > S)
			S = pg->r->runs[i].n_snapshots;
	double *x = calloc(S + 1, sizeof *x), *y = calloc(S + 1, sizeof *y);
	double *vals = calloc(pg->r->n_runs + 1, sizeof *vals);
	if (!layer || !x || !y || !vals)
		goto done;
	for (size_t k = 0; k < L; k++)
		if (has_kernel(pg->r, k))
			layer[n_layer++] = k;
	if (!n_layer)
		for (size_t k = 0; k < L; k++)
			layer[n_layer++] = k;
	size_t n_shown = html_pick_layers(shown, n_layer, MAX_PANELS);
	for (size_t q = 0; q < n_shown; q++) {
		size_t k = layer[shown[q]];
		struct svg_axis ax, ay;
		svg_axis_init(&ax, 1, "optimizer step + 1");
		svg_axis_init(&ay, 0, ylabel);
		svg_axis_add(&ay, 0);
		svg_axis_add(&ay, 1);
		for (size_t i = 0; i < pg->r->n_runs; i++)
			for (size_t s = 0; s < pg->r->runs[i].n_snapshots; s++)
				svg_axis_add(&ax, (double)pg->r->runs[i].diagnostics[s].step + 1);
		svg_axis_nice(&ax);
		svg_axis_nice(&ay);
		char title[160];
		const char *act = NULL, *name = what ? what : saturation_name(pg, k, &act);
		snprintf(title, sizeof title, "%s, layer %zu%s%.40s%s", name, k + 1, act ? " (" : "",
		         act ? act : "", act ? ")" : "");
		struct svg_plot p;
		svg_plot_begin(&p, pg->f, PANEL_W, PANEL_H, 0, title, &ax, &ay);
		int any = 0;
		for (size_t g = 0; g < G; g++) {
			const struct cond *gr = &pg->groups[g];
			const struct winit_report_run *ref = NULL;
			for (size_t j = 0; j < gr->n_runs && !ref; j++)
				if (pg->r->runs[gr->idx[j]].n_snapshots)
					ref = &pg->r->runs[gr->idx[j]];
			if (!ref)
				continue;
			/* Replicates share the cadence: average snapshots at the same step. */
			for (size_t s = 0; s < ref->n_snapshots; s++) {
				size_t n = 0;
				for (size_t j = 0; j < gr->n_runs; j++) {
					const struct winit_report_run *run = &pg->r->runs[gr->idx[j]];
					if (s < run->n_snapshots && run->diagnostics[s].step == ref->diagnostics[s].step &&
					    k < run->diagnostics[s].n_layers)
						vals[n++] = field(&run->diagnostics[s].layers[k], off);
				}
				double lo, hi;
				x[s] = (double)ref->diagnostics[s].step + 1;
				any |= html_finite_mean_min_max(vals, n, &y[s], &lo, &hi) > 0;
			}
			int dash, shape;
			html_label_style(g, &dash, &shape, &p.point_r);
			p.point_r *= 0.6; /* small panels */
			svg_polyline(&p, x, y, ref->n_snapshots, svg_color(g), dash);
			svg_markers(&p, x, y, ref->n_snapshots, svg_color(g), shape);
		}
		if (!any) /* e.g. saturation of a row-wise activation such as softmax */
			svg_note(&p, "not recorded for this layer");
		svg_plot_end(&p);
	}
done:
	free(layer);
	free(x);
	free(y);
	free(vals);
}

/* The panels' legend: each label with diagnostics, in its colour, dash and marker. */
static void html_legend(const struct html_page *pg)
{
	struct svg_legend_entry *leg = calloc(pg->n_groups + 1, sizeof *leg);
	size_t n = 0;
	if (!leg)
		return;
	for (size_t g = 0; g < pg->n_groups; g++) {
		if (!has_diagnostics(pg, &pg->groups[g]))
			continue;
		int dash, shape;
		double r;
		html_label_style(g, &dash, &shape, &r);
		leg[n++] = (struct svg_legend_entry){ .label = pg->groups[g].label, .color = svg_color(g),
			                              .style = SVG_LINE, .dash = dash, .marker = shape };
	}
	svg_legend_strip(pg->f, 3 * PANEL_W, leg, n);
	free(leg);
}

static void count_cell(FILE *f, int64_t v)
{
	if (v < 0)
		fputs("&#8211;", f);
	else
		fprintf(f, "%lld", (long long)v);
}

/* Distinct units per layer (units whose incoming weights are identical count once). */
static void symmetry_table(const struct html_page *pg)
{
	FILE *f = pg->f;
	size_t L = max_layers(pg->r), shown[MAX_COLUMNS];
	size_t n_shown = html_pick_layers(shown, L, MAX_COLUMNS);
	fputs("<table>\n<tr><th class=\"l\">label</th>", f);
	for (size_t q = 0; q < n_shown; q++)
		fprintf(f, "<th>layer %zu</th>", shown[q] + 1);
	fputs("</tr>\n", f);
	for (size_t g = 0; g < pg->n_groups; g++) {
		const struct cond *gr = &pg->groups[g];
		const struct winit_report_run *run = NULL;
		for (size_t j = 0; j < gr->n_runs && !run; j++)
			if (pg->r->runs[gr->idx[j]].n_snapshots)
				run = &pg->r->runs[gr->idx[j]];
		if (!run)
			continue;
		fprintf(f, "<tr><td class=\"l\" style=\"color:%s\">", svg_color(g));
		winit_svg_escape(f, gr->label);
		fputs("</td>", f);
		const struct winit_report_snapshot *a = snap_init(run), *b = snap_end(run);
		for (size_t q = 0; q < n_shown; q++) {
			size_t k = shown[q];
			fputs("<td>", f);
			count_cell(f, k < a->n_layers ? a->layers[k].distinct_units : -1);
			fputs(" &#8594; ", f);
			count_cell(f, k < b->n_layers ? b->layers[k].distinct_units : -1);
			if (k < run->n_layers && run->layers[k].units > 0) /* a Dense layer's */
				fprintf(f, " of %lld", (long long)run->layers[k].units);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void theory_notes(const struct html_page *pg)
{
	FILE *f = pg->f;
	fputs("<table>\n<tr><th class=\"l\">label</th><th class=\"l\">theory at initialization</th></tr>\n", f);
	for (size_t g = 0; g < pg->n_groups; g++) {
		const struct cond *gr = &pg->groups[g];
		const struct winit_report_theory *t = NULL;
		for (size_t j = 0; j < gr->n_runs && !t; j++)
			if (pg->r->runs[gr->idx[j]].theory.present)
				t = &pg->r->runs[gr->idx[j]].theory;
		fputs("<tr><td class=\"l\">", f);
		winit_svg_escape(f, gr->label);
		fputs("</td><td class=\"l\">", f);
		if (!t)
			fputs("no prediction recorded", f);
		else if (t->applies)
			fputs("predicted from the initializer's declared sd and the activation "
			      "(signal-propagation recursion)",
			      f);
		else {
			fputs("does not apply: ", f);
			winit_svg_escape(f, t->reason ? t->reason : "(no reason given)");
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void html_diagnostics(const struct html_page *pg)
{
	FILE *f = pg->f;
	fputs("<h2>Inside the network: diagnostics and theory</h2>\n", f);
	if (!max_layers(pg->r)) {
		fputs("<p>No diagnostics recorded: the runs in this file carry no per-layer "
		      "measurements (variances, gradients, dead and saturated units).</p>\n",
		      f);
		return;
	}
	int64_t lo, hi;
	probe_rows_range(pg->r, &lo, &hi);
	fputs("<p class=\"caption\">Measured on a fixed probe batch of ", f);
	if (lo == hi && lo > 0)
		fprintf(f, "%lld training rows", (long long)lo);
	else if (lo > 0)
		fprintf(f, "%lld to %lld training rows (per run)", (long long)lo, (long long)hi);
	else
		fputs("training rows", f);
	fputs(" (at most 512, fewer where a layer is wider than 8,192 values per example). Points: "
	      "mean over the runs of each label; dashed lines: what signal-propagation theory "
	      "predicts from the initializer's sd and the activation. A triangle on the bottom edge "
	      "is exactly zero (off a log scale).</p>\n<div class=\"figs\">\n",
	      f);
	depth_plot(pg, "Pre-activation variance by depth, at initialization", "variance of z (log scale)",
	           FIELD(pre_var), 1, 0);
	depth_plot(pg, "Gradient variance by depth, at initialization", "variance of dL/dz (log scale)",
	           FIELD(grad_var), 2, 0);
	depth_plot(pg, "Weight standard deviation by layer", "sd of the kernel (log scale)", FIELD(w_sd), 0, 1);
	fputs("</div>\n", f);
	html_weight_histograms(pg);
	fputs("<h3>Dead, saturated and inactive units over training</h3>\n", f);
	html_legend(pg);
	fputs("<div class=\"figs\">\n", f);
	training_panels(pg, "Dead units", "fraction of the units", FIELD(dead_fraction));
	training_panels(pg, NULL, "fraction of (sample, unit) pairs", FIELD(saturated_fraction));
	fputs("</div>\n<p class=\"caption\">Dead units: fraction of a layer's units whose activation "
	      "(or its derivative) is zero on every probe sample. Saturated pairs (tanh, sigmoid, ...): "
	      "fraction of (sample, unit) pairs where the activation's derivative is below 1% of its "
	      "maximum, a unit pushed into a flat tail. For ReLU the same count is named <i>inactive "
	      "pairs</i>: ReLU'(z) = 0 for every z &lt; 0, so a pair counts when the unit is off for "
	      "that sample (about half of them for zero-mean pre-activations); ReLU does not saturate "
	      "for z &gt; 0. Leaky ReLU's pairs count only when its slope alpha is below 1%. "
	      "Shown: the layers with a kernel (Dense, Conv2D; at most six, evenly spread); a "
	      "pooling, Flatten or Dropout layer only passes on its input's dead units. "
	      "Each label its own colour, dash and marker. x: optimizer "
	      "steps taken, plus one (log scale: initialization is 1).</p>\n"
	      "<h3>Symmetry: distinct units, at initialization &#8594; at the end</h3>\n",
	      f);
	symmetry_table(pg);
	fputs("<p class=\"caption\">Units whose incoming weight vectors are identical count once: a "
	      "constant kernel starts at 1. Units stay identical while their gradients are identical "
	      "too; with a zero kernel under ReLU every gradient is exactly 0 (ReLU'(0) = 0), so the "
	      "layer never moves.</p>\n<h3>Where theory applies</h3>\n",
	      f);
	theory_notes(pg);
}
