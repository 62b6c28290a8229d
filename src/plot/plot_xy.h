/* src/plot/plot_xy.h -- a generic x-y figure for scripts (internal; Lua:
 * results:report(path, { figures = {...} }), src/lua/lfigure.c): series of points joined
 * by lines on linear or log axes, and labelled vertical markers (e.g. a theory's value of
 * x), written as one <svg> element through svg.c. */
#ifndef WINIT_REPORT_PLOT_XY_H
#define WINIT_REPORT_PLOT_XY_H

#include <stddef.h>
#include <stdio.h>

#include "core/internal.h"

/* n points (x[i], y[i]), drawn as points joined by a line; non-finite values (and values
 * <= 0 on a log axis) break the line. */
struct plot_xy_series {
	const char *label; /* in the legend (its first 22 characters); may be NULL */
	const double *x, *y;
	size_t n;
};

/* A vertical dashed line at x across the whole plot, named in the legend. */
struct plot_xy_marker {
	const char *label; /* in the legend (its first 22 characters); may be NULL */
	double x;
};

struct plot_xy {
	const char *title, *xlabel, *ylabel; /* may be NULL */
	int xlog, ylog;                      /* base-10 log axes */
	const struct plot_xy_series *series;
	size_t n_series;
	const struct plot_xy_marker *markers;
	size_t n_markers;
};

/* NULL when the figure is drawable, else what is wrong with it (a static message):
 * no series, a series without points or without x/y, a non-finite marker, a marker
 * <= 0 on a log x axis. */
WINIT_INTERNAL const char *plot_xy_check(const struct plot_xy *p);

/* Write the figure as one <svg> element (640 x 340 pixels, legend on the right).  The
 * caller checks it first (plot_xy_check). */
WINIT_INTERNAL void plot_xy_svg(FILE *f, const struct plot_xy *p);

#endif
