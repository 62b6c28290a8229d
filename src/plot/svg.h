/* src/plot/svg.h -- a small SVG plotting helper for the HTML report (internal): axes
 * with linear or log ticks, polylines, bands, points and a legend, written as
 * well-formed XML to a stream.  Non-finite values, and values <= 0 on a log axis, never
 * reach the output as numbers: lines break there, points <= 0 sit on the bottom edge as
 * a downward triangle (the reader sees "zero", not nothing). */
#ifndef WINIT_REPORT_SVG_H
#define WINIT_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

#include <winit/plot.h>

#include "core/internal.h"

struct svg_axis {
	double lo, hi; /* after svg_axis_nice: the drawn range */
	int log;       /* base-10 log scale */
	int integer;   /* ticks at whole numbers only (linear axes) */
	int intervals; /* about this many between ticks on a linear axis (svg_axis_init: 5) */
	const char *label;
};

struct svg_plot {
	FILE *f;
	double width, height;
	double left, top, plot_w, plot_h; /* the plotting area */
	struct svg_axis x, y;
	double point_r; /* radius of points (4; set smaller for many points) */
};

/* Legend entry styles. */
enum svg_style {
	SVG_LINE,
	SVG_DASHED,
	SVG_POINT,
	SVG_HOLLOW,
	SVG_BAND,
	SVG_DOTTED,
	SVG_BAR
};

/* Marker shapes (svg_markers), so that series drawn over each other all show. */
enum svg_marker {
	SVG_MARK_NONE,
	SVG_MARK_CIRCLE,
	SVG_MARK_SQUARE,
	SVG_MARK_TRIANGLE,
	SVG_MARK_DIAMOND
};

struct svg_legend_entry {
	const char *label;
	const char *color;
	int style;  /* enum svg_style */
	int dash;   /* SVG_LINE: its dash (as svg_polyline's; 0 solid) */
	int marker; /* SVG_LINE: enum svg_marker drawn on it (0: none) */
};

/* A colour for series i (a colour-blind safe palette, cycled). */
WINIT_INTERNAL const char *svg_color(size_t i);

/* winit_svg_escape (XML-escape onto a stream): winit/plot.h. */

/* Axis ranges: start empty, widen with data (ignored: non-finite, or <= 0 on a log
 * axis), then round outwards to ticks (a decade on a log axis).  An axis with no data
 * becomes [0, 1] (log: [0.1, 1]). */
WINIT_INTERNAL void svg_axis_init(struct svg_axis *a, int log, const char *label);
WINIT_INTERNAL void svg_axis_add(struct svg_axis *a, double v);
WINIT_INTERNAL void svg_axis_nice(struct svg_axis *a);

/* Open an <svg> of width x height pixels with a title (escaped), frame, grid, ticks and
 * axis labels; the legend column takes `legend_w` pixels on the right (0: none). */
WINIT_INTERNAL void svg_plot_begin(struct svg_plot *p, FILE *f, double width, double height,
                                   double legend_w, const char *title,
                                   const struct svg_axis *x, const struct svg_axis *y);
WINIT_INTERNAL void svg_plot_end(struct svg_plot *p);

/* Pixel coordinates of data values on p's axes (log axes: values > 0). */
WINIT_INTERNAL double svg_x(const struct svg_plot *p, double v);
WINIT_INTERNAL double svg_y(const struct svg_plot *p, double v);

/* dash: 0 solid, 1 dashed, 2 dotted, 3 dash-dot. */
WINIT_INTERNAL void svg_polyline(struct svg_plot *p, const double *x, const double *y, size_t n,
                                 const char *color, int dash);
/* A shaded band between lo and hi (e.g. min and max over replicates). */
WINIT_INTERNAL void svg_band(struct svg_plot *p, const double *x, const double *lo,
                             const double *hi, size_t n, const char *color);
WINIT_INTERNAL void svg_points(struct svg_plot *p, const double *x, const double *y, size_t n,
                               const char *color, int hollow);
/* Filled markers of one shape (enum svg_marker) at the finite points; the shapes differ in
 * outline, so two series at the same point both show.  Values <= 0 on a log axis as
 * svg_points. */
WINIT_INTERNAL void svg_markers(struct svg_plot *p, const double *x, const double *y, size_t n,
                                const char *color, int shape);
WINIT_INTERNAL void svg_legend(struct svg_plot *p, const struct svg_legend_entry *e, size_t n);
/* A note (escaped) under the title, inside the plot area's top-left corner. */
WINIT_INTERNAL void svg_note(struct svg_plot *p, const char *text);
/* Line `line` (0, 1, ...) of a note (escaped) right-aligned in the top-right corner. */
WINIT_INTERNAL void svg_note_right(struct svg_plot *p, int line, const char *text);

/* Bars of a histogram: bar i spans [edges[i], edges[i + 1]] from 0 up to y[i] (n bars,
 * n + 1 edges); bars of height 0 or not finite are left out. */
WINIT_INTERNAL void svg_bars(struct svg_plot *p, const double *edges, const double *y, size_t n,
                             const char *color);
/* A vertical line across the plot at x (dash as svg_polyline); nothing outside the x range. */
WINIT_INTERNAL void svg_vline(struct svg_plot *p, double x, const char *color, int dash);

/* A legend on its own: one <svg> `width` pixels wide, entries in a row (wrapped onto
 * more rows when they do not fit). */
WINIT_INTERNAL void svg_legend_strip(FILE *f, double width, const struct svg_legend_entry *e, size_t n);

#endif
