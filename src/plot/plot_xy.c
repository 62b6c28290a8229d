/* src/plot/plot_xy.c -- a generic x-y figure (winit/plot.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <winit/plot.h>

#include "plot/svg.h"

#define XY_W 640.0
#define XY_H 340.0
#define XY_LEGEND_W 190.0
/* Markers in greys and a muted purple, distinct from svg_color's series palette. */
static const char *const marker_colors[] = { "#444444", "#aa3377", "#999999" };

const char *winit_plot_xy_check(const struct winit_plot_xy *p)
{
	if (!p->n_series)
		return "a figure needs at least one series";
	for (size_t s = 0; s < p->n_series; s++) {
		if (!p->series[s].n)
			return "a series has no points";
		if (!p->series[s].x || !p->series[s].y)
			return "a series lacks x or y";
	}
	for (size_t m = 0; m < p->n_markers; m++) {
		if (!isfinite(p->markers[m].x))
			return "a marker's x is not a finite number";
		if (p->xlog && !(p->markers[m].x > 0))
			return "a marker's x must be > 0 on a log x axis";
	}
	return NULL;
}

void winit_plot_xy_svg(FILE *f, const struct winit_plot_xy *p)
{
	struct svg_axis ax, ay;
	svg_axis_init(&ax, p->xlog, p->xlabel ? p->xlabel : "");
	svg_axis_init(&ay, p->ylog, p->ylabel ? p->ylabel : "");
	for (size_t s = 0; s < p->n_series; s++)
		for (size_t i = 0; i < p->series[s].n; i++) {
			svg_axis_add(&ax, p->series[s].x[i]);
			svg_axis_add(&ay, p->series[s].y[i]);
		}
	for (size_t m = 0; m < p->n_markers; m++)
		svg_axis_add(&ax, p->markers[m].x);
	svg_axis_nice(&ax);
	svg_axis_nice(&ay);

	struct svg_plot pl;
	svg_plot_begin(&pl, f, XY_W, XY_H, XY_LEGEND_W, p->title ? p->title : "", &ax, &ay);
	size_t n_leg = p->n_series + p->n_markers;
	struct svg_legend_entry *leg = calloc(n_leg, sizeof *leg);
	size_t k = 0;
	/* Markers first, so the data draw over them; each is a two-point dashed line. */
	for (size_t m = 0; m < p->n_markers; m++) {
		const double x[2] = { p->markers[m].x, p->markers[m].x };
		const double y[2] = { pl.y.lo, pl.y.hi };
		const char *c = marker_colors[m % (sizeof marker_colors / sizeof *marker_colors)];
		svg_polyline(&pl, x, y, 2, c, 1);
		if (leg && p->markers[m].label)
			leg[k++] = (struct svg_legend_entry){ .label = p->markers[m].label, .color = c, .style = SVG_DASHED };
	}
	for (size_t s = 0; s < p->n_series; s++) {
		const struct winit_plot_xy_series *se = &p->series[s];
		const char *c = svg_color(se->color > 0 ? (size_t)se->color - 1 : s);
		svg_polyline(&pl, se->x, se->y, se->n, c, se->dashed ? 1 : 0);
		if (!se->dashed)
			svg_points(&pl, se->x, se->y, se->n, c, 0);
		if (leg && se->label)
			leg[k++] = (struct svg_legend_entry){ .label = se->label, .color = c,
			                                      .style = se->dashed ? SVG_DASHED : SVG_POINT };
	}
	if (leg)
		svg_legend(&pl, leg, k);
	free(leg);
	svg_plot_end(&pl);
}
