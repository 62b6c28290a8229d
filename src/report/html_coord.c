/* src/report/html_coord.c -- the report's coordinate checks (winit/coord.h; the results
 * file's "coord_checks"): per check name and layer, one panel per parametrization side by
 * side (standard, ntk, mup: the file's order), each a layer's mean |x| against width on
 * log-log axes, one line per step 0..K, as mup's coord_check plots.  The panels of a row
 * share their y axis, so the parametrizations compare at a glance. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/plot.h>

#include "plot/svg.h"
#include "report/html.h"

#define COORD_W 420.0
#define COORD_H 300.0
#define COORD_LEGEND_W 80.0
#define HEADROOM 3.0 /* the y axis reaches at least this times the largest value (log axis) */

static const char *param_title(const char *p)
{
	return strcmp(p, "standard") == 0 ? "standard (SP)" : strcmp(p, "mup") == 0 ? "muP" :
	       strcmp(p, "ntk") == 0      ? "NTK" :
	                                    p;
}

/* One panel: check c's layer l, one line per step, on the row's y range [lo, hi]. */
static void coord_panel(FILE *f, const struct winit_coord_check *c, int32_t l, double lo, double hi)
{
	const struct winit_coord_layer *y = &c->layers[l];
	size_t n_w = (size_t)c->n_widths;
	double *x = calloc(n_w, sizeof *x);
	struct svg_legend_entry *leg = calloc((size_t)c->steps + 1, sizeof *leg);
	char (*names)[24] = calloc((size_t)c->steps + 1, sizeof *names);
	if (!x || !leg || !names) {
		fputs("<p class=\"warn\">Out of memory for a coordinate-check panel.</p>\n", f);
		goto done;
	}
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 1, "width");
	svg_axis_init(&ay, 1, y->of == WINIT_COORD_PRE_ACTIVATION ? "mean |x| (pre-activation)" :
	                                                            "mean |x| (activation)");
	for (size_t w = 0; w < n_w; w++) {
		x[w] = (double)c->widths[w];
		svg_axis_add(&ax, x[w]);
	}
	svg_axis_add(&ay, lo);
	svg_axis_add(&ay, hi * HEADROOM); /* room above the lines for the note */
	svg_axis_nice(&ax);
	svg_axis_nice(&ay);
	char title[160];
	snprintf(title, sizeof title, "%s: %s%s", param_title(c->parametrization), y->name,
	         y->of == WINIT_COORD_PRE_ACTIVATION ? " (logits)" : "");
	struct svg_plot p;
	svg_plot_begin(&p, f, COORD_W, COORD_H, COORD_LEGEND_W, title, &ax, &ay);
	for (int32_t t = 0; t <= c->steps; t++) {
		const double *v = y->mean_abs + (size_t)t * n_w;
		int dash = (int)(t % 4), shape = SVG_MARK_CIRCLE + (int)(t % 4);
		p.point_r = 4.5 - 0.5 * (double)(t % 4);
		svg_polyline(&p, x, v, n_w, svg_color((size_t)t), dash);
		svg_markers(&p, x, v, n_w, svg_color((size_t)t), shape);
		snprintf(names[t], sizeof names[t], "step %d", (int)t);
		leg[t] = (struct svg_legend_entry){ names[t], svg_color((size_t)t), SVG_LINE, dash, shape };
	}
	/* How much the last step's value moves from the narrowest width to the widest. */
	const double *last = y->mean_abs + (size_t)c->steps * n_w;
	if (n_w > 1 && last[0] > 0 && isfinite(last[n_w - 1])) {
		char note[96];
		snprintf(note, sizeof note, "step %d, width %lld to %lld: %.3gx", (int)c->steps,
		         (long long)c->widths[0], (long long)c->widths[n_w - 1], last[n_w - 1] / last[0]);
		svg_note(&p, note);
	}
	svg_legend(&p, leg, (size_t)c->steps + 1);
	svg_plot_end(&p);
done:
	free(x);
	free(leg);
	free(names);
}

/* The range of layer l's mean |x| over the checks named like checks[0] (> 0, finite). */
static void row_range(const struct winit_coord_check *cs, size_t n, const char *name, int32_t l,
                      double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cs[i].name, name) != 0 || l >= cs[i].n_layers)
			continue;
		size_t cells = (size_t)(cs[i].steps + 1) * (size_t)cs[i].n_widths;
		for (size_t k = 0; k < cells; k++) {
			double v = cs[i].layers[l].mean_abs[k];
			if (isfinite(v) && v > 0) {
				*lo = fmin(*lo, v);
				*hi = fmax(*hi, v);
			}
		}
	}
}

/* Check name's settings, from its first check. */
static void group_caption(FILE *f, const struct winit_coord_check *c)
{
	fprintf(f, "<p class=\"caption\">Each layer's mean |x| on one fixed batch of %d rows, at "
	           "initialization (step 0) and after each of %d optimizer steps, averaged over %d "
	           "seed%s, at widths ",
	        (int)c->batch_size, (int)c->steps, (int)c->n_seeds, c->n_seeds == 1 ? "" : "s");
	for (int32_t w = 0; w < c->n_widths; w++)
		fprintf(f, "%s%lld", w == 0 ? "" : w + 1 == c->n_widths ? " and " : ", ", (long long)c->widths[w]);
	fputs(". Hidden layers: their activations; the output layer: its pre-activations (the "
	      "logits). Under a parametrization whose training is stable in width (muP) the lines are "
	      "flat; lines that climb with width after step 0 blow up as the model widens. The panels of "
	      "a row share their y axis.</p>\n",
	      f);
}

void html_coord_checks(FILE *f, const struct winit_coord_check *cs, size_t n)
{
	if (n == 0)
		return;
	fputs("<h2>Coordinate check</h2>\n", f);
	for (size_t i = 0; i < n; i++) {
		int first = 1; /* the first check of its name: its group is drawn here */
		for (size_t k = 0; k < i && first; k++)
			first = strcmp(cs[k].name, cs[i].name) != 0;
		if (!first)
			continue;
		fputs("<h3>", f);
		winit_svg_escape(f, cs[i].name);
		fputs("</h3>\n", f);
		group_caption(f, &cs[i]);
		for (int32_t l = 0; l < cs[i].n_layers; l++) {
			double lo, hi;
			row_range(cs, n, cs[i].name, l, &lo, &hi);
			fputs("<div class=\"figs\">\n", f);
			for (size_t k = i; k < n; k++)
				if (strcmp(cs[k].name, cs[i].name) == 0 && l < cs[k].n_layers)
					coord_panel(f, &cs[k], l, lo, hi);
			fputs("</div>\n", f);
		}
	}
}
