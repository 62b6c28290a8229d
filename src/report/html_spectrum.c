/* src/report/html_spectrum.c -- the report's Jacobian spectra (winit/spectrum.h; the results
 * file's "spectra"): all of a file's spectra in two panels against depth, the mean of s^2
 * (log y) and its normalized variance Var(s^2) / mean(s^2)^2 (log y), measured as solid
 * lines with markers and theory's predictions dashed in the same colour; then per spectrum
 * the histograms of log10 s, one line per depth, with s = 1 (isometry) marked. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/plot.h>

#include "plot/svg.h"
#include "report/html.h"

#define SPEC_W 520.0
#define SPEC_H 340.0
#define SPEC_LEGEND_W 170.0
#define HIST_W 420.0
#define HIST_H 300.0
#define HIST_LEGEND_W 90.0

/* Which of a depth's values a panel against depth draws. */
enum spec_value { SPEC_MEAN_SQ,
	          SPEC_NORM_VAR };

static double measured(const struct winit_spectrum_depth *y, enum spec_value v)
{
	return v == SPEC_MEAN_SQ ? y->mean_sq : y->norm_var;
}

static double predicted(const struct winit_spectrum_depth *y, enum spec_value v)
{
	return v == SPEC_MEAN_SQ ? y->theory_mean_sq : y->theory_norm_var;
}

/* The first spectrum before i whose prediction of v is spectrum i's at every depth (the
 * same depths, numbers within 1e-6 relative: lines no eye tells apart), or -1: its
 * dashed line would hide under that one. */
static int same_theory_as(const struct winit_spectrum *ss, size_t i, enum spec_value v)
{
	for (size_t j = 0; j < i; j++) {
		int same = ss[j].n_depths == ss[i].n_depths;
		for (int32_t d = 0; same && d < ss[i].n_depths; d++)
			same = ss[j].depths[d].depth == ss[i].depths[d].depth &&
			       fabs(predicted(&ss[j].depths[d], v) - predicted(&ss[i].depths[d], v)) <=
			               1e-6 * fabs(predicted(&ss[i].depths[d], v));
		if (same)
			return (int)j;
	}
	return -1;
}

/* One panel against depth: per spectrum its measured values and theory's, dashed (a
 * prediction equal to an earlier spectrum's is drawn once: its legend entry takes that
 * line's colour). */
static void depth_panel(FILE *f, const struct winit_spectrum *ss, size_t n, enum spec_value v)
{
	struct svg_legend_entry *leg = calloc(2 * n, sizeof *leg);
	char(*names)[WINIT_SPECTRUM_NAME_MAX + 8] = calloc(n, sizeof *names);
	if (!leg || !names) {
		fputs("<p class=\"warn\">Out of memory for a spectrum panel.</p>\n", f);
		goto done;
	}
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 0, "depth L (layers)");
	svg_axis_init(&ay, 1, v == SPEC_MEAN_SQ ? "mean of s^2" : "Var(s^2) / mean(s^2)^2");
	svg_axis_add(&ax, 0);
	for (size_t i = 0; i < n; i++)
		for (int32_t d = 0; d < ss[i].n_depths; d++) {
			svg_axis_add(&ax, ss[i].depths[d].depth);
			svg_axis_add(&ay, measured(&ss[i].depths[d], v));
			svg_axis_add(&ay, predicted(&ss[i].depths[d], v));
		}
	svg_axis_nice(&ax);
	svg_axis_nice(&ay);
	struct svg_plot p;
	svg_plot_begin(&p, f, SPEC_W, SPEC_H, SPEC_LEGEND_W,
	               v == SPEC_MEAN_SQ ? "Mean squared singular value against depth" :
	                                   "Spread of the squared singular values against depth",
	               &ax, &ay);
	for (size_t i = 0; i < n; i++) {
		const struct winit_spectrum *s = &ss[i];
		size_t m = (size_t)s->n_depths;
		double *x = calloc(m, sizeof *x), *y = calloc(m, sizeof *y), *t = calloc(m, sizeof *t);
		if (x && y && t) {
			for (size_t d = 0; d < m; d++) {
				x[d] = s->depths[d].depth;
				y[d] = measured(&s->depths[d], v);
				t[d] = predicted(&s->depths[d], v);
			}
			int shape = SVG_MARK_CIRCLE + (int)(i % 4), j = same_theory_as(ss, i, v);
			if (j < 0)
				svg_polyline(&p, x, t, m, svg_color(i), 1);
			snprintf(names[i], sizeof names[i], "%s theory", s->name);
			svg_polyline(&p, x, y, m, svg_color(i), 0);
			svg_markers(&p, x, y, m, svg_color(i), shape);
			leg[2 * i] = (struct svg_legend_entry){ s->name, svg_color(i), SVG_LINE, 0, shape };
			leg[2 * i + 1] = (struct svg_legend_entry){ names[i], svg_color(j < 0 ? i : (size_t)j), SVG_LINE,
				                                    1, 0 };
		}
		free(x);
		free(y);
		free(t);
	}
	svg_legend(&p, leg, 2 * n);
	svg_plot_end(&p);
done:
	free(leg);
	free(names);
}

/* Spectrum s's histograms of log10 s: the share of its values per bin, a line per depth. */
static void hist_panel(FILE *f, const struct winit_spectrum *s)
{
	size_t bins = (size_t)s->hist_bins, m = (size_t)s->n_depths;
	double *x = calloc(bins, sizeof *x), *y = calloc(bins, sizeof *y);
	struct svg_legend_entry *leg = calloc(m, sizeof *leg);
	char(*names)[32] = calloc(m, sizeof *names);
	if (!x || !y || !leg || !names) {
		fputs("<p class=\"warn\">Out of memory for a spectrum histogram.</p>\n", f);
		goto done;
	}
	double step = (s->hist_hi - s->hist_lo) / (double)bins;
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 0, "log10 s");
	svg_axis_init(&ay, 0, "share of values per bin");
	svg_axis_add(&ax, s->hist_lo);
	svg_axis_add(&ax, s->hist_hi);
	svg_axis_add(&ay, 0);
	for (size_t d = 0; d < m; d++)
		for (size_t b = 0; b < bins; b++)
			svg_axis_add(&ay, (double)s->depths[d].hist_counts[b] / (double)s->depths[d].values);
	svg_axis_nice(&ax);
	svg_axis_nice(&ay);
	char title[WINIT_SPECTRUM_NAME_MAX + 48];
	snprintf(title, sizeof title, "%s: histogram of log10 s", s->name);
	struct svg_plot p;
	svg_plot_begin(&p, f, HIST_W, HIST_H, HIST_LEGEND_W, title, &ax, &ay);
	svg_vline(&p, 0, "#555555", 1);
	for (size_t b = 0; b < bins; b++)
		x[b] = s->hist_lo + ((double)b + 0.5) * step;
	for (size_t d = 0; d < m; d++) {
		const struct winit_spectrum_depth *t = &s->depths[d];
		for (size_t b = 0; b < bins; b++)
			y[b] = (double)t->hist_counts[b] / (double)t->values;
		int dash = (int)(d % 4);
		svg_polyline(&p, x, y, bins, svg_color(d), dash);
		snprintf(names[d], sizeof names[d], "depth %d", (int)t->depth);
		leg[d] = (struct svg_legend_entry){ names[d], svg_color(d), SVG_LINE, dash, 0 };
	}
	svg_note(&p, "dashed grey: s = 1 (isometry)");
	svg_legend(&p, leg, m);
	svg_plot_end(&p);
done:
	free(x);
	free(y);
	free(leg);
	free(names);
}

static void print_number(FILE *f, const char *key, double v)
{
	if (isnan(v))
		fprintf(f, ", %s none", key);
	else
		fprintf(f, ", %s %.4g", key, v);
}

void html_spectra(FILE *f, const struct winit_spectrum *ss, size_t n)
{
	if (n == 0)
		return;
	fputs("<h2>Jacobian spectrum at initialization</h2>\n", f);
	fputs("<p class=\"caption\">The singular values s of the input-output Jacobian of the first L "
	      "layers at initialization, on generated inputs. Measured: solid lines with markers; "
	      "theory (free probability): dashed, the mean of s^2 chi_1^L and the normalized variance "
	      "L (v_W + v_D), v_W = 1 for Gaussian weights and 0 for orthogonal ones, v_D the "
	      "activation's share at the fixed point q*. A prediction equal to another spectrum's "
	      "(within 1e-6) is drawn once, and its legend entry takes that line's colour. The "
	      "spectra:</p>\n<ul class=\"caption\">\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct winit_spectrum *s = &ss[i];
		fputs("<li>", f);
		winit_svg_escape(f, s->name);
		fputs(": ", f);
		winit_svg_escape(f, s->activation);
		fputs(", ", f);
		winit_svg_escape(f, s->weights);
		fprintf(f, " weights, width %d, %d network%s x %d input%s, sigma_w %.4g, sigma_b %.4g",
		        (int)s->width, (int)s->networks, s->networks == 1 ? "" : "s", (int)s->examples,
		        s->examples == 1 ? "" : "s", s->sigma_w, s->sigma_b);
		print_number(f, "q*", s->q_star);
		fprintf(f, ", chi_1 %.6g, v_W %.4g, v_D %.4g</li>\n", s->chi_1, s->v_w, s->v_d);
	}
	fputs("</ul>\n<div class=\"figs\">\n", f);
	depth_panel(f, ss, n, SPEC_MEAN_SQ);
	depth_panel(f, ss, n, SPEC_NORM_VAR);
	fputs("</div>\n", f);
	fprintf(f, "<p class=\"caption\">Histograms of log10 s per depth: the share of a depth's "
	           "values in each bin; the outermost bins hold what lies beyond the range. The "
	           "Jacobian is computed in float: values below about 1e-7 of the largest are not "
	           "resolved and pile up near there; a ReLU network's zero singular values sit in the "
	           "lowest bin.</p>\n<div class=\"figs\">\n");
	for (size_t i = 0; i < n; i++)
		hist_panel(f, &ss[i]);
	fputs("</div>\n", f);
}
