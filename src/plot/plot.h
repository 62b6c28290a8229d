/* src/plot/plot.h -- generic plots for scripts (internal; Lua: winit.plot, src/lua/lplot.c):
 * a heat map over a grid with a diverging colour scale and lines drawn over it, and a
 * self-contained HTML page (inline SVG, no network) holding plots and text. */
#ifndef WINIT_REPORT_PLOT_H
#define WINIT_REPORT_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include <winit/error.h>

#include "core/internal.h"

/* A line drawn over a plot: n points (x[i], y[i]); non-finite values break it. */
struct plot_line {
	const double *x, *y;
	size_t n;
	const char *label; /* in the legend; may be NULL */
};

struct plot_heatmap {
	const char *title, *xlabel, *ylabel, *zlabel; /* may be NULL */
	size_t nx, ny;
	const double *x, *y; /* cell centres, strictly increasing (nx, ny >= 1) */
	const double *z;     /* ny rows of nx: z[j * nx + i] at (x[i], y[j]); non-finite: no value */
	double center;       /* the colour scale's middle (white) */
	double range;        /* |z - center| >= range saturates; <= 0: the largest |z - center| */
	const struct plot_line *lines;
	size_t n_lines;
};

/* Write the heat map as one <svg> element: cells coloured blue (below center) - white - red
 * (above), grey with a "no value" tooltip where z is not finite, every cell's values as its
 * tooltip, a colour bar and the lines' legend on the right.  The caller checks the grid
 * (see plot_heatmap_check). */
WINIT_INTERNAL void plot_heatmap_svg(FILE *f, const struct plot_heatmap *h);

/* NULL when h is drawable, else what is wrong with it (a static message). */
WINIT_INTERNAL const char *plot_heatmap_check(const struct plot_heatmap *h);

enum plot_part_kind {
	PLOT_HEADING,   /* an <h2>, escaped */
	PLOT_PARAGRAPH, /* a <p>, escaped */
	PLOT_PRE,       /* preformatted text (a table printed by a script), escaped */
	PLOT_SVG        /* an <svg> element written by a plot function, as it is */
};

struct plot_part {
	int kind; /* enum plot_part_kind */
	const char *text;
};

/* Write a self-contained HTML page titled `title` with the parts in order, as
 * winit/safe_write.h writes every file (flags: WINIT_WRITE_FORCE to replace a file that
 * is not a page winit wrote).  Returns 0 or WINIT_ERR_IO with err naming path. */
WINIT_INTERNAL int plot_page_write(const char *path, const char *title,
                                   const struct plot_part *parts, size_t n, unsigned flags,
                                   struct winit_error *err);

#endif
