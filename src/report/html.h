/* src/report/html.h -- the HTML report's parts shared between its files (internal):
 * html.c writes the page (summary, statistics, learning curves), html_diag.c the
 * diagnostics beside theory, html_hist.c the weight histograms at initialization,
 * html_coord.c the coordinate checks, html_spectrum.c the Jacobian spectra. */
#ifndef WINIT_REPORT_HTML_H
#define WINIT_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include <winit/report_page.h>
#include <winit/safe_write.h>

#include "analysis/conditions.h"
#include "core/internal.h"

/* The pages' stylesheet (the report's, and winit.plot's pages: src/plot/plot.c). */
WINIT_INTERNAL extern const char html_style[];

/* The page being written: the file read back and its conditions (the runs that share a
 * label, src/analysis/conditions.h: groups[g].idx[0 .. n_runs) index r->runs), grouped
 * and summarized once, as the table and the CSV files group them. */
struct html_page {
	FILE *f;
	const struct winit_report_study *r;
	size_t n_groups;
	const struct cond *groups;
};

/* The second line of every HTML file winit writes (winit/safe_write.h's marker): what
 * lets winit replace its own pages, and nothing else, without being forced. */
#define HTML_MARKER_LINE WINIT_HTML_MARKER " " PACKAGE_VERSION "; winit replaces this file when it writes here again -->\n"

/* winit_report_write_html_with (a section of the caller's in the report): winit/report_page.h. */

/* The diagnostics section: per-layer variance and gradient variance vs depth at
 * initialization (measured and predicted), weight sd per layer, dead and saturated
 * fractions over training, weight histograms at initialization, distinct units; or
 * "no diagnostics recorded". */
WINIT_INTERNAL void html_diagnostics(const struct html_page *pg);

/* Label g's line dash (svg_polyline's) and marker shape (enum svg_marker) in the curves
 * over training, besides its colour svg_color(g); and the radius of its markers, smaller
 * than label g - 1's, so that a label drawn over another still lets it show. */
WINIT_INTERNAL void html_label_style(size_t g, int *dash, int *shape, double *radius);

/* Weight histograms at initialization: per label, a panel per hidden layer (html_hist.c). */
WINIT_INTERNAL void html_weight_histograms(const struct html_page *pg);

/* The coordinate checks (winit/coord.h), per name and layer a row of panels, one per
 * parametrization: mean |x| against width, log-log, one line per step (html_coord.c);
 * nothing when n is 0. */
WINIT_INTERNAL void html_coord_checks(FILE *f, const struct winit_coord_check *cs, size_t n);

/* The Jacobian spectra (winit/spectrum.h): mean s^2 and its normalized variance against
 * depth, theory dashed, and per spectrum the histograms of log10 s per depth
 * (html_spectrum.c); nothing when n is 0. */
WINIT_INTERNAL void html_spectra(FILE *f, const struct winit_spectrum *ss, size_t n);

/* The layers shown when there are more than max: the first, the last, evenly between
 * (indices into out, at most max); returns how many. */
WINIT_INTERNAL size_t html_pick_layers(size_t *out, size_t n_layers, size_t max);

/* mean, min and max of the finite values among x[0..n) (NaN when none); returns how many. */
WINIT_INTERNAL size_t html_finite_mean_min_max(const double *x, size_t n, double *mean, double *min, double *max);

#endif
