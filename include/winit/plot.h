/* winit/plot.h -- plots for scripts' own figures and pages (the Lua binding's
 * results:report{figures} and winit.plot use them): a generic x-y figure, a heat map with
 * a diverging or sequential colour scale and lines drawn over it, each written as one <svg> element,
 * and a self-contained HTML page (inline SVG, no network) holding plots and text.
 * src/plot/ (plot_xy.c, plot.c on the SVG helper svg.c).
 */
#ifndef WINIT_PLOT_H
#define WINIT_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XML-escape s (&, <, >, ", ') onto f: text placed in an SVG element or a page. */
void winit_svg_escape(FILE *f, const char *s);

/* An x-y figure: n points (x[i], y[i]), drawn as points joined by a line; non-finite
 * values (and values <= 0 on a log axis) break the line.  A dashed series is a line
 * without points (a prediction beside the measurement it predicts); color k >= 1 takes
 * the palette's k-th colour, so a prediction can share its measurement's. */
struct winit_plot_xy_series {
	const char *label; /* in the legend (its first 22 characters); may be NULL */
	const double *x, *y;
	size_t n;
	int dashed; /* 0: points joined by a solid line; 1: a dashed line, no points */
	int color;  /* 0: the series' own position in the palette; k >= 1: the k-th colour */
};

/* A vertical dashed line at x across the whole plot, named in the legend. */
struct winit_plot_xy_marker {
	const char *label; /* in the legend (its first 22 characters); may be NULL */
	double x;
};

struct winit_plot_xy {
	const char *title, *xlabel, *ylabel; /* may be NULL */
	int xlog, ylog;                      /* base-10 log axes */
	const struct winit_plot_xy_series *series;
	size_t n_series;
	const struct winit_plot_xy_marker *markers;
	size_t n_markers;
};

/* NULL when the figure is drawable, else what is wrong with it (a static message):
 * no series, a series without points or without x/y, a non-finite marker, a marker
 * <= 0 on a log x axis. */
const char *winit_plot_xy_check(const struct winit_plot_xy *p);

/* Write the figure as one <svg> element (640 x 340 pixels, legend on the right).  The
 * caller checks it first (winit_plot_xy_check). */
void winit_plot_xy_svg(FILE *f, const struct winit_plot_xy *p);

/* A line drawn over a heat map: n points (x[i], y[i]); non-finite values break it. */
struct winit_plot_line {
	const double *x, *y;
	size_t n;
	const char *label; /* in the legend; may be NULL */
	int dash;          /* nonzero: dashed */
};

/* A heat map's colour scale. */
enum winit_plot_colors {
	WINIT_PLOT_DIVERGING,  /* blue - white - red around `center` (ColorBrewer's RdBu) */
	WINIT_PLOT_SEQUENTIAL  /* dark to light from zmin to zmax (viridis: its lightness rises) */
};

struct winit_plot_heatmap {
	const char *title, *xlabel, *ylabel, *zlabel; /* may be NULL */
	size_t nx, ny;
	const double *x, *y; /* cell centres, strictly increasing (nx, ny >= 1) */
	const double *z;     /* ny rows of nx: z[j * nx + i] at (x[i], y[j]); non-finite: no value */
	double center;       /* diverging: the colour scale's middle (white) */
	double range;        /* diverging: |z - center| >= range saturates; <= 0: the largest |z - center| */
	const struct winit_plot_line *lines;
	size_t n_lines;
	int colors;          /* enum winit_plot_colors (0: diverging) */
	double zmin, zmax;   /* sequential: the scale's ends (z beyond saturates); zmin == zmax
	                      * (both 0 in a zeroed struct): the smallest and largest finite z */
	int values;          /* nonzero: each cell shows its value, with `digits` decimals */
	int digits;          /* 0..6 */
	int xlog, ylog;      /* base-10 log axes (values > 0): cells reach halfway in log10 */
};

/* Write the heat map as one <svg> element: cells coloured by h->colors (blue - white - red
 * around center, or viridis from zmin to zmax), grey with a "no value" tooltip where z is
 * not finite, every cell's values as its tooltip (and, with `values`, written in the cell,
 * white on dark cells, black on light ones), a colour bar and the lines' legend on the right.
 * The caller checks the grid (winit_plot_heatmap_check). */
void winit_plot_heatmap_svg(FILE *f, const struct winit_plot_heatmap *h);

/* NULL when h is drawable, else what is wrong with it (a static message). */
const char *winit_plot_heatmap_check(const struct winit_plot_heatmap *h);

enum winit_plot_part_kind {
	WINIT_PLOT_HEADING,   /* an <h2>, escaped */
	WINIT_PLOT_PARAGRAPH, /* a <p>, escaped */
	WINIT_PLOT_PRE,       /* preformatted text (a table printed by a script), escaped */
	WINIT_PLOT_SVG        /* an <svg> element written by a plot function, as it is */
};

struct winit_plot_part {
	int kind; /* enum winit_plot_part_kind */
	const char *text;
};

/* Write a self-contained HTML page titled `title` with the parts in order, as
 * winit/safe_write.h writes every file (flags: WINIT_WRITE_FORCE to replace a file that
 * is not a page winit wrote).  Returns 0 or WINIT_ERR_IO with err naming path. */
int winit_plot_page_write(const char *path, const char *title, const struct winit_plot_part *parts,
                          size_t n, unsigned flags, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PLOT_H */
