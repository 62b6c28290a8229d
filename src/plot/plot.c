/* src/plot/plot.c -- generic plots for scripts: the heat map with its diverging or
 * sequential colour scale, and the self-contained HTML page that holds plots and text
 * (winit.plot). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <winit/plot.h>

#include "report/html.h"
#include "plot/svg.h"

#define HEAT_W 580.0
#define HEAT_H 440.0
#define HEAT_LEGEND_W 150.0
#define BAR_STEPS 48

/* Blue - white - red (ColorBrewer's RdBu, 5 classes), t in [-1, 1]. */
static void diverging(double t, int rgb[3])
{
	static const double stop[5][3] = { { 33, 102, 172 },
		                           { 103, 169, 207 },
		                           { 247, 247, 247 },
		                           { 239, 138, 98 },
		                           { 178, 24, 43 } };
	t = fmin(fmax(t, -1), 1);
	double u = (t + 1) * 2; /* [0, 4] */
	int k = u >= 4 ? 3 : (int)u;
	double a = u - k;
	for (int c = 0; c < 3; c++)
		rgb[c] = (int)lround(stop[k][c] * (1 - a) + stop[k + 1][c] * a);
}

/* Viridis at 5 stops, t in [0, 1]: dark violet to yellow, its lightness rising all the way. */
static void sequential(double t, int rgb[3])
{
	static const double stop[5][3] = { { 68, 1, 84 },
		                           { 59, 82, 139 },
		                           { 33, 145, 140 },
		                           { 94, 201, 98 },
		                           { 253, 231, 37 } };
	t = fmin(fmax(t, 0), 1);
	double u = t * 4;
	int k = u >= 4 ? 3 : (int)u;
	double a = u - k;
	for (int c = 0; c < 3; c++)
		rgb[c] = (int)lround(stop[k][c] * (1 - a) + stop[k + 1][c] * a);
}

/* The colour scale, resolved: the diverging one's range, the sequential one's ends. */
struct scale {
	int colors;
	double center, range, lo, hi;
};

static void scale_resolve(struct scale *s, const struct winit_plot_heatmap *h)
{
	s->colors = h->colors;
	s->center = h->center;
	s->range = h->range;
	s->lo = h->zmin;
	s->hi = h->zmax;
	size_t n = h->nx * h->ny;
	if (s->colors == WINIT_PLOT_SEQUENTIAL) {
		if (!(s->hi > s->lo)) {
			s->lo = INFINITY;
			s->hi = -INFINITY;
			for (size_t k = 0; k < n; k++)
				if (isfinite(h->z[k])) {
					s->lo = fmin(s->lo, h->z[k]);
					s->hi = fmax(s->hi, h->z[k]);
				}
			if (!(s->lo < INFINITY))
				s->lo = s->hi = 0;
			if (!(s->hi > s->lo))
				s->hi = s->lo + 1;
		}
		return;
	}
	if (!(s->range > 0)) {
		s->range = 0;
		for (size_t k = 0; k < n; k++)
			if (isfinite(h->z[k]))
				s->range = fmax(s->range, fabs(h->z[k] - h->center));
		if (!(s->range > 0))
			s->range = 1;
	}
}

/* The colour of value z; returns whether it is dark (white text on it). */
static int scale_color(const struct scale *s, double z, int rgb[3])
{
	if (s->colors == WINIT_PLOT_SEQUENTIAL) {
		double t = (z - s->lo) / (s->hi - s->lo);
		sequential(t, rgb);
		return t < 0.55;
	}
	double t = (z - s->center) / s->range;
	diverging(t, rgb);
	return fabs(t) > 0.6;
}

const char *winit_plot_heatmap_check(const struct winit_plot_heatmap *h)
{
	if (h->colors != WINIT_PLOT_DIVERGING && h->colors != WINIT_PLOT_SEQUENTIAL)
		return "colors must be diverging or sequential";
	if (h->colors == WINIT_PLOT_SEQUENTIAL && (!isfinite(h->zmin) || !isfinite(h->zmax) || h->zmin > h->zmax))
		return "zmin and zmax must be finite, zmin <= zmax";
	if (h->values && (h->digits < 0 || h->digits > 6))
		return "digits must be 0 to 6";
	if (h->nx < 1 || h->ny < 1)
		return "the grid needs at least one x and one y value";
	for (size_t i = 0; i < h->nx; i++)
		if (!isfinite(h->x[i]) || (i && !(h->x[i] > h->x[i - 1])))
			return "x values must be finite and strictly increasing";
	for (size_t j = 0; j < h->ny; j++)
		if (!isfinite(h->y[j]) || (j && !(h->y[j] > h->y[j - 1])))
			return "y values must be finite and strictly increasing";
	if (h->xlog && !(h->x[0] > 0))
		return "x values must be > 0 on a log axis";
	if (h->ylog && !(h->y[0] > 0))
		return "y values must be > 0 on a log axis";
	if (!isfinite(h->center))
		return "center must be finite";
	return NULL;
}

/* Lines over a heat map: the first black, then the report's palette. */
static const char *line_color(size_t i)
{
	return i ? svg_color(i) : "#000000";
}
#define LINE_DASH " stroke-dasharray=\"7 4\""

/* A line's point in pixels, not held to the plot as svg_x/svg_y hold points (a line to a
 * point far outside must leave the plot with its own slope, the viewport clipping it),
 * only within 1e5 pixels: a point far outside (a depth scale that diverges) then draws the
 * same clipped line as a number of 300 digits would. */
static double far(double v)
{
	return fmin(fmax(v, -1e5), 1e5);
}

static double axis_t(const struct svg_axis *a, double v)
{
	return a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) : (v - a->lo) / (a->hi - a->lo);
}

static double line_x(const struct svg_plot *p, double v)
{
	return far(p->left + axis_t(&p->x, v) * p->plot_w);
}

static double line_y(const struct svg_plot *p, double v)
{
	return far(p->top + (1 - axis_t(&p->y, v)) * p->plot_h);
}

/* A point a line can pass through: finite, and > 0 on a log axis. */
static int drawable(const struct winit_plot_heatmap *h, double x, double y)
{
	return isfinite(x) && isfinite(y) && (!h->xlog || x > 0) && (!h->ylog || y > 0);
}

/* Cell edges: halfway between neighbouring centres, mirrored at the ends; on a log axis
 * halfway in log10 (a lone cell spans a factor 2 around its centre). */
static double edge(const double *c, size_t n, size_t i, int log)
{
	double a = n > 1 ? c[i == 0 ? 0 : i == n ? n - 2 : i - 1] : c[0];
	double b = n > 1 ? c[i == 0 ? 1 : i == n ? n - 1 : i] : c[0];
	if (log) {
		if (n == 1)
			return c[0] * (i ? M_SQRT2 : M_SQRT1_2);
		double la = log10(a), lb = log10(b);
		return pow(10, i == 0 ? la - (lb - la) / 2 : i == n ? lb + (lb - la) / 2 : (la + lb) / 2);
	}
	if (n == 1)
		return c[0] + (i ? 0.5 : -0.5);
	return i == 0 ? a - (b - a) / 2 : i == n ? b + (b - a) / 2 : (a + b) / 2;
}

static void color_bar(struct svg_plot *p, const struct winit_plot_heatmap *h, const struct scale *s)
{
	FILE *f = p->f;
	double x = p->left + p->plot_w + 18, top = p->top, len = p->plot_h * 0.62, w = 16;
	/* Top to bottom: the scale's high end to its low end. */
	double hi = s->colors == WINIT_PLOT_SEQUENTIAL ? s->hi : s->center + s->range;
	double lo = s->colors == WINIT_PLOT_SEQUENTIAL ? s->lo : s->center - s->range;
	fputs("<g class=\"colorbar\">\n", f);
	for (int k = 0; k < BAR_STEPS; k++) {
		int rgb[3];
		scale_color(s, hi + (lo - hi) * (k + 0.5) / BAR_STEPS, rgb);
		fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"rgb(%d,%d,%d)\"/>\n",
		        x, top + len * k / BAR_STEPS, w, len / BAR_STEPS + 0.3, rgb[0], rgb[1], rgb[2]);
	}
	fputs("</g>\n", f);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>\n", x,
	        top, w, len);
	const double at[3] = { hi, (hi + lo) / 2, lo };
	for (int k = 0; k < 3; k++)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s%.3g</text>\n", x + w + 4,
		        top + len * k / 2 + 4, k == 0 ? "\xe2\x89\xa5 " : k == 2 ? "\xe2\x89\xa4 " :
		                                                                   "",
		        at[k]);
	fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(90)\" text-anchor=\"middle\" class=\"axis\">",
	        x + w + 56, top + len / 2);
	winit_svg_escape(f, h->zlabel ? h->zlabel : "");
	fputs("</text>\n", f);
	double y = top + len + 26;
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"10\" fill=\"#bbbbbb\"/>"
	           "<text x=\"%.1f\" y=\"%.1f\">no value</text>\n",
	        x, y - 5, w, x + w + 6, y + 4);
	for (size_t i = 0; i < h->n_lines; i++) {
		y += 18;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>"
		           "<text x=\"%.1f\" y=\"%.1f\">",
		        x - 2, y, x + w + 2, y, line_color(i), h->lines[i].dash ? LINE_DASH : "", x + w + 6, y + 4);
		winit_svg_escape(f, h->lines[i].label ? h->lines[i].label : "");
		fputs("</text>\n", f);
	}
}

void winit_plot_heatmap_svg(FILE *f, const struct winit_plot_heatmap *h)
{
	struct scale s;
	scale_resolve(&s, h);
	struct svg_axis xa, ya;
	svg_axis_init(&xa, h->xlog, h->xlabel ? h->xlabel : "");
	svg_axis_init(&ya, h->ylog, h->ylabel ? h->ylabel : "");
	xa.lo = edge(h->x, h->nx, 0, h->xlog);
	xa.hi = edge(h->x, h->nx, h->nx, h->xlog);
	ya.lo = edge(h->y, h->ny, 0, h->ylog);
	ya.hi = edge(h->y, h->ny, h->ny, h->ylog);
	struct svg_plot p;
	svg_plot_begin(&p, f, HEAT_W, HEAT_H, HEAT_LEGEND_W, h->title ? h->title : "", &xa, &ya);
	for (size_t j = 0; j < h->ny; j++) {
		double y0 = svg_y(&p, edge(h->y, h->ny, j + 1, h->ylog)), y1 = svg_y(&p, edge(h->y, h->ny, j, h->ylog));
		for (size_t i = 0; i < h->nx; i++) {
			double x0 = svg_x(&p, edge(h->x, h->nx, i, h->xlog)),
			       x1 = svg_x(&p, edge(h->x, h->nx, i + 1, h->xlog));
			double z = h->z[j * h->nx + i];
			int rgb[3] = { 187, 187, 187 }, dark = 0;
			if (isfinite(z))
				dark = scale_color(&s, z, rgb);
			/* A hair wider than the cell: no white seams between neighbours. */
			fprintf(f, "<rect class=\"cell\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			           "fill=\"rgb(%d,%d,%d)\" shape-rendering=\"crispEdges\"><title>x %g, y %g: ",
			        x0, y0, x1 - x0 + 0.3, y1 - y0 + 0.3, rgb[0], rgb[1], rgb[2], h->x[i], h->y[j]);
			if (isfinite(z))
				fprintf(f, "%.4g", z);
			else
				fputs("no value", f);
			fputs("</title></rect>\n", f);
			if (h->values && isfinite(z)) {
				char v[64];
				int len = snprintf(v, sizeof v, "%.*f", h->digits, z);
				/* As large as the cell allows, at most 11 px; none when it would be unreadable. */
				double fs = fmin(11, fmin((y1 - y0) * 0.75, (x1 - x0) / (0.62 * (len > 0 ? len : 1))));
				if (fs >= 5)
					/* A style, not attributes: the page's stylesheet sets every text's. */
					fprintf(f, "<text class=\"value\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
					           "dominant-baseline=\"central\" style=\"font-size:%.1fpx;fill:%s\" "
					           "pointer-events=\"none\">%s</text>\n",
					        (x0 + x1) / 2, (y0 + y1) / 2, fs, dark ? "#ffffff" : "#000000", v);
			}
		}
	}
	/* Lines, clipped to the plotting area (a nested viewport), each over a white halo that
	 * keeps it visible on dark and light cells alike. */
	fprintf(f, "<svg x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><g class=\"lines\" "
	           "transform=\"translate(%.1f %.1f)\">\n",
	        p.left, p.top, p.plot_w, p.plot_h, -p.left, -p.top);
	for (size_t i = 0; i < h->n_lines; i++) {
		const struct winit_plot_line *l = &h->lines[i];
		for (size_t k = 0; k < l->n; k++) {
			size_t e = k;
			while (e < l->n && drawable(h, l->x[e], l->y[e]))
				e++;
			if (e - k >= 2)
				for (int halo = 1; halo >= 0; halo--) {
					fprintf(f, "<polyline fill=\"none\" stroke-width=\"%s\" stroke-linejoin=\"round\" "
					           "points=\"", halo ? "5" : "2.5");
					for (size_t m = k; m < e; m++)
						fprintf(f, "%s%.1f,%.1f", m > k ? " " : "", line_x(&p, l->x[m]),
						        line_y(&p, l->y[m]));
					fprintf(f, "\" stroke=\"%s\"%s%s/>\n", halo ? "#ffffff" : line_color(i),
					        halo ? " stroke-opacity=\"0.8\"" : "", l->dash ? LINE_DASH : "");
				}
			k = e;
		}
	}
	fputs("</g></svg>\n", f);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>\n",
	        p.left, p.top, p.plot_w, p.plot_h);
	color_bar(&p, h, &s);
	svg_plot_end(&p);
}

int winit_plot_page_write(const char *path, const char *title, const struct winit_plot_part *parts, size_t n,
                          unsigned flags, struct winit_error *err)
{
	struct winit_safe_write w;
	int rc = winit_safe_write_open(&w, path, WINIT_FILE_HTML, "the page", flags, err);
	if (rc)
		return rc;
	FILE *f = w.f;
	fputs("<!DOCTYPE html>\n" HTML_MARKER_LINE "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
	      f);
	winit_svg_escape(f, title);
	fprintf(f, "</title>\n<style>\n%spre{font-size:13px;background:#f7f7f7;padding:8px;overflow-x:auto}\n"
	           "</style>\n</head>\n<body>\n<h1>",
	        html_style);
	winit_svg_escape(f, title);
	fputs("</h1>\n", f);
	/* Consecutive plots share one wrapping row. */
	static const char *const open[] = { "<h2>", "<p class=\"caption\">", "<pre>", "" };
	static const char *const close[] = { "</h2>\n", "</p>\n", "</pre>\n", "" };
	for (size_t i = 0; i < n; i++) {
		int k = parts[i].kind;
		if (k == WINIT_PLOT_SVG && (i == 0 || parts[i - 1].kind != WINIT_PLOT_SVG))
			fputs("<div class=\"figs\">\n", f);
		fputs(open[k], f);
		if (k == WINIT_PLOT_SVG)
			fputs(parts[i].text, f);
		else
			winit_svg_escape(f, parts[i].text);
		fputs(close[k], f);
		if (k == WINIT_PLOT_SVG && (i + 1 == n || parts[i + 1].kind != WINIT_PLOT_SVG))
			fputs("</div>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return winit_safe_write_commit(&w, err);
}
