/* src/plot/svg.c -- the SVG plotting helper: axes and ticks (linear and log),
 * polylines, bands, points, bars, vertical marks, legends (beside a plot or on their own). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot/svg.h"

#define MARGIN_LEFT 72.0
#define MARGIN_TOP 36.0
#define MARGIN_BOTTOM 48.0
#define MARGIN_RIGHT 14.0
#define LEGEND_LABEL_MAX 22 /* characters shown of a legend label */

const char *svg_color(size_t i)
{
	/* Okabe & Ito's palette without its yellow (too light on white), then darker tones. */
	static const char *const c[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
		                         "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#17BECF" };
	return c[i % (sizeof c / sizeof c[0])];
}

void winit_svg_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* Control characters are not allowed in XML 1.0: show them as '?'. */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				fputc('?', f);
			else
				fputc(*s, f);
		}
	}
}

void svg_axis_init(struct svg_axis *a, int log, const char *label)
{
	a->lo = INFINITY;
	a->hi = -INFINITY;
	a->log = log;
	a->integer = 0;
	a->intervals = 5;
	a->label = label;
}

static int usable(const struct svg_axis *a, double v)
{
	return isfinite(v) && (!a->log || v > 0);
}

void svg_axis_add(struct svg_axis *a, double v)
{
	if (!usable(a, v))
		return;
	v = fmax(fmin(v, 1e300), -1e300); /* the range stays finite */
	a->lo = fmin(a->lo, v);
	a->hi = fmax(a->hi, v);
}

/* 1, 2 or 5 times a power of ten, near x. */
static double nice_step(double x)
{
	double e = pow(10, floor(log10(x))), m = x / e;
	return (m < 1.5 ? 1 : m < 3.5 ? 2 :
	              m < 7.5         ? 5 :
	                                10) *
	       e;
}

static double lin_step(const struct svg_axis *a)
{
	double step = nice_step((a->hi - a->lo) / (a->intervals > 0 ? a->intervals : 5));
	return a->integer && step < 1 ? 1 : step;
}

void svg_axis_nice(struct svg_axis *a)
{
	if (!(a->lo <= a->hi)) { /* no data */
		a->lo = a->log ? 0.1 : 0;
		a->hi = 1;
		return;
	}
	if (a->log) {
		a->lo = pow(10, floor(log10(a->lo) + 1e-9));
		a->hi = pow(10, ceil(log10(a->hi) - 1e-9));
		if (a->hi <= a->lo)
			a->hi = a->lo * 10;
		return;
	}
	if (a->hi == a->lo) {
		double d = a->lo == 0 ? 1 : fabs(a->lo) * 0.1;
		a->lo -= d;
		a->hi += d;
	}
	if (a->integer) { /* whole numbers (epochs, layers): half a unit of room, ticks inside */
		a->lo -= 0.5;
		a->hi += 0.5;
		return;
	}
	double step = lin_step(a);
	a->lo = floor(a->lo / step + 1e-9) * step;
	a->hi = ceil(a->hi / step - 1e-9) * step;
}

static double frac(const struct svg_axis *a, double v)
{
	double t = a->log ? (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo)) :
	                    (v - a->lo) / (a->hi - a->lo);
	return fmin(fmax(t, -0.05), 1.05); /* defensive: ranges are fitted to the data */
}

double svg_x(const struct svg_plot *p, double v)
{
	return p->left + frac(&p->x, v) * p->plot_w;
}

double svg_y(const struct svg_plot *p, double v)
{
	return p->top + (1 - frac(&p->y, v)) * p->plot_h;
}

/* A tick label: decimals from the step on a linear axis, 10^k on a log axis. */
static void tick_label(FILE *f, const struct svg_axis *a, double v, double step)
{
	if (a->log) {
		int k = (int)lround(log10(v));
		double m = v / pow(10, k);
		if (fabs(m - 1) > 1e-6)
			fprintf(f, "%g", v);
		else if (k == 0 || k == 1)
			fprintf(f, "%d", k ? 10 : 1);
		else
			fprintf(f, "10<tspan dy=\"-6\" font-size=\"9\">%s%d</tspan>", k < 0 ? "\xe2\x88\x92" : "", abs(k));
		return;
	}
	double r = fabs(v) < step * 1e-6 ? 0 : v;
	if (step >= 1e5 || step < 1e-4) { /* 2e+09, not 2000000000 */
		fprintf(f, "%.3g", r);
		return;
	}
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	fprintf(f, "%.*f", dec, r);
}

static void axis_ticks(struct svg_plot *p, const struct svg_axis *a, int vertical)
{
	FILE *f = p->f;
	double x0 = p->left, y0 = p->top + p->plot_h;
	if (a->log) {
		int k0 = (int)lround(log10(a->lo)), k1 = (int)lround(log10(a->hi));
		int decades = k1 - k0, every = 1;
		/* At most about eight labelled decades, at round multiples: 10^-20, 10^0, 10^20. */
		static const int steps[] = { 1, 2, 5, 10, 20, 25, 50, 100 };
		for (size_t q = 0; q < sizeof steps / sizeof steps[0] && decades / steps[q] > 8; q++)
			every = q + 1 < sizeof steps / sizeof steps[0] ? steps[q + 1] : steps[q];
		for (int k = k0; k <= k1; k++) {
			for (int m = 1; m <= 9; m++) {
				double v = m * pow(10, k);
				if (v > a->hi * (1 + 1e-9) || (m > 1 && decades > 6))
					break;
				int major = m == 1 ? k % every == 0 : decades <= 1 && (m == 2 || m == 5);
				double c = vertical ? svg_y(p, v) : svg_x(p, v), len = major ? 6 : 3;
				if (vertical)
					fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>\n",
					        x0, c, major ? x0 + p->plot_w : x0 - len, c, major ? "grid" : "tick");
				else
					fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>\n",
					        c, major ? p->top : y0 + len, c, y0, major ? "grid" : "tick");
				if (!major)
					continue;
				if (vertical)
					fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x0 - 6, c + 4);
				else
					fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", c, y0 + 18);
				tick_label(f, a, v, 0);
				fputs("</text>\n", f);
			}
		}
		return;
	}
	double step = lin_step(a);
	long k0 = lround(ceil(a->lo / step - 1e-9)), k1 = lround(floor(a->hi / step + 1e-9));
	for (long k = k0; k <= k1; k++) {
		double v = (double)k * step;
		double c = vertical ? svg_y(p, v) : svg_x(p, v);
		if (vertical)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n"
			           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			        x0, c, x0 + p->plot_w, c, x0 - 6, c + 4);
		else
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n"
			           "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			        c, p->top, c, y0, c, y0 + 18);
		tick_label(f, a, v, step);
		fputs("</text>\n", f);
	}
}

void svg_plot_begin(struct svg_plot *p, FILE *f, double width, double height, double legend_w,
                    const char *title, const struct svg_axis *x, const struct svg_axis *y)
{
	p->f = f;
	p->width = width;
	p->height = height;
	p->left = MARGIN_LEFT;
	p->top = MARGIN_TOP;
	p->plot_w = width - MARGIN_LEFT - MARGIN_RIGHT - legend_w;
	p->plot_h = height - MARGIN_TOP - MARGIN_BOTTOM;
	p->x = *x;
	p->y = *y;
	p->point_r = 4;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	           "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>",
	        width, height, width, height);
	winit_svg_escape(f, title);
	fprintf(f, "</title>\n<text x=\"%.1f\" y=\"20\" class=\"title\">", p->left);
	winit_svg_escape(f, title);
	fputs("</text>\n", f);
	axis_ticks(p, &p->x, 0);
	axis_ticks(p, &p->y, 1);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"frame\"/>\n",
	        p->left, p->top, p->plot_w, p->plot_h);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\">",
	        p->left + p->plot_w / 2, height - 8);
	winit_svg_escape(f, x->label);
	fprintf(f, "</text>\n<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">",
	        p->top + p->plot_h / 2);
	winit_svg_escape(f, y->label);
	fputs("</text>\n", f);
}

void svg_plot_end(struct svg_plot *p)
{
	fputs("</svg>\n", p->f);
}

static int ok_x(const struct svg_plot *p, double v)
{
	return usable(&p->x, v);
}

static const char *const dashes[] = { "", " stroke-dasharray=\"6 4\"", " stroke-dasharray=\"2 3\"",
	                               " stroke-dasharray=\"8 3 2 3\"" };

static const char *dash_attr(int dash)
{
	return dashes[dash >= 0 && dash <= 3 ? dash : 0];
}

/* One marker of `shape` centred at (cx, cy), about r in radius. */
static void marker_at(FILE *f, double cx, double cy, double r, const char *color, int shape)
{
	switch (shape) {
	case SVG_MARK_SQUARE:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
		        cx - 0.9 * r, cy - 0.9 * r, 1.8 * r, 1.8 * r, color);
		break;
	case SVG_MARK_TRIANGLE:
		fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n", cx, cy - 1.3 * r,
		        cx + 1.2 * r, cy + 0.9 * r, cx - 1.2 * r, cy + 0.9 * r, color);
		break;
	case SVG_MARK_DIAMOND:
		fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"/>\n", cx,
		        cy - 1.3 * r, cx + 1.3 * r, cy, cx, cy + 1.3 * r, cx - 1.3 * r, cy, color);
		break;
	case SVG_MARK_CIRCLE:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", cx, cy, r, color);
		break;
	default:
		break;
	}
}

void svg_polyline(struct svg_plot *p, const double *x, const double *y, size_t n,
                  const char *color, int dash)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && !(ok_x(p, x[i]) && usable(&p->y, y[i])))
			i++;
		size_t j = i;
		while (j < n && ok_x(p, x[j]) && usable(&p->y, y[j]))
			j++;
		if (j - i >= 2) {
			fprintf(p->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", color,
			        dash_attr(dash));
			for (size_t k = i; k < j; k++)
				fprintf(p->f, "%s%.1f,%.1f", k > i ? " " : "", svg_x(p, x[k]), svg_y(p, y[k]));
			fputs("\"/>\n", p->f);
		}
		i = j;
	}
}

void svg_band(struct svg_plot *p, const double *x, const double *lo, const double *hi, size_t n,
              const char *color)
{
	size_t i = 0;
#define BAND_OK(k) (ok_x(p, x[k]) && usable(&p->y, lo[k]) && usable(&p->y, hi[k]))
	while (i < n) {
		while (i < n && !BAND_OK(i))
			i++;
		size_t j = i;
		while (j < n && BAND_OK(j))
			j++;
		if (j - i >= 2) {
			fprintf(p->f, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", color);
			for (size_t k = i; k < j; k++)
				fprintf(p->f, "%.1f,%.1f ", svg_x(p, x[k]), svg_y(p, hi[k]));
			for (size_t k = j; k-- > i;)
				fprintf(p->f, "%.1f,%.1f%s", svg_x(p, x[k]), svg_y(p, lo[k]), k > i ? " " : "");
			fputs("\"/>\n", p->f);
		}
		i = j;
	}
#undef BAND_OK
}

void svg_points(struct svg_plot *p, const double *x, const double *y, size_t n, const char *color,
                int hollow)
{
	for (size_t k = 0; k < n; k++) {
		if (!ok_x(p, x[k]) || isnan(y[k]))
			continue;
		double cx = svg_x(p, x[k]);
		if (p->y.log && y[k] <= 0) { /* zero on a log axis: a triangle on the bottom edge */
			double by = p->top + p->plot_h;
			fprintf(p->f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%s\"><title>0</title></polygon>\n",
			        cx - 5, by - 9, cx + 5, by - 9, cx, by - 1, color);
			continue;
		}
		if (!isfinite(y[k]))
			continue;
		fprintf(p->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
		        cx, svg_y(p, y[k]), p->point_r, hollow ? "#ffffff" : color, color);
	}
}

void svg_markers(struct svg_plot *p, const double *x, const double *y, size_t n, const char *color,
                 int shape)
{
	for (size_t k = 0; k < n; k++) {
		if (!ok_x(p, x[k]) || isnan(y[k]))
			continue;
		if (p->y.log && y[k] <= 0) { /* as svg_points: zero on the bottom edge */
			svg_points(p, &x[k], &y[k], 1, color, 0);
			continue;
		}
		if (isfinite(y[k]))
			marker_at(p->f, svg_x(p, x[k]), svg_y(p, y[k]), p->point_r, color, shape);
	}
}

void svg_bars(struct svg_plot *p, const double *edges, const double *y, size_t n, const char *color)
{
	double base = p->top + p->plot_h;
	for (size_t i = 0; i < n; i++) {
		if (!(isfinite(y[i]) && y[i] > 0) || !ok_x(p, edges[i]) || !ok_x(p, edges[i + 1]))
			continue;
		double x0 = svg_x(p, edges[i]), x1 = svg_x(p, edges[i + 1]), top = svg_y(p, y[i]);
		fprintf(p->f, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\" "
		              "fill-opacity=\"0.7\" stroke=\"#ffffff\" stroke-width=\"0.4\"/>\n",
		        x0, top, fmax(x1 - x0, 0.5), base - top, color);
	}
}

void svg_vline(struct svg_plot *p, double x, const char *color, int dash)
{
	if (!ok_x(p, x) || x < p->x.lo || x > p->x.hi)
		return;
	double c = svg_x(p, x);
	fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\"%s/>\n",
	        c, p->top, c, p->top + p->plot_h, color, dash_attr(dash));
}

/* s cut to at most max characters, with an ellipsis; strings from the results file are
 * valid UTF-8 (Jansson checks), and the cut falls between characters. */
static void escape_cut(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t chars = 0, i = 0;
	while (s[i] && i + 1 < sizeof buf) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) { /* a character starts here */
			if (chars == max || i + 8 > sizeof buf)
				break;
			chars++;
		}
		buf[i] = s[i];
		i++;
	}
	int cut = s[i] != '\0';
	buf[i] = '\0';
	winit_svg_escape(f, buf);
	if (cut)
		fputs("\xe2\x80\xa6", f);
}

/* One legend entry's swatch at (x, y) (its vertical centre), its label 26 px right of it,
 * cut to `max` characters. */
static void legend_entry(FILE *f, double x, double y, const struct svg_legend_entry *e, size_t max)
{
	const char *c = e->color;
	switch (e->style) {
	case SVG_POINT:
	case SVG_HOLLOW:
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
		        x + 10, y, e->style == SVG_HOLLOW ? "#ffffff" : c, c);
		break;
	case SVG_BAND:
	case SVG_BAR:
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"10\" fill=\"%s\" fill-opacity=\"%s\"/>\n",
		        x, y - 5, c, e->style == SVG_BAR ? "0.7" : "0.18");
		break;
	default:
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
		        x, y, x + 20, y, c, dash_attr(e->style == SVG_DASHED ? 1 : e->style == SVG_DOTTED ? 2 :
		                                                                                            e->dash));
		marker_at(f, x + 10, y, 3.5, c, e->marker);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 26, y + 4);
	escape_cut(f, e->label ? e->label : "", max);
	fputs("</text>\n", f);
}

/* Characters a legend strip shows of a label, and the width it reserves per character. */
#define STRIP_LABEL_MAX 60
#define STRIP_CHAR_W 6.6

void svg_legend_strip(FILE *f, double width, const struct svg_legend_entry *e, size_t n)
{
	/* Lay the entries out first: the height depends on the rows they take. */
	double x = 8, rows = 1;
	for (size_t i = 0; i < n; i++) {
		size_t len = e[i].label ? strlen(e[i].label) : 0;
		double w = 26 + STRIP_CHAR_W * (double)(len < STRIP_LABEL_MAX ? len : STRIP_LABEL_MAX) + 24;
		if (x > 8 && x + w > width) {
			x = 8;
			rows++;
		}
		x += w;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	           "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>legend</title>\n",
	        width, 22 * rows + 4, width, 22 * rows + 4);
	x = 8;
	double y = 13;
	for (size_t i = 0; i < n; i++) {
		size_t len = e[i].label ? strlen(e[i].label) : 0;
		double w = 26 + STRIP_CHAR_W * (double)(len < STRIP_LABEL_MAX ? len : STRIP_LABEL_MAX) + 24;
		if (x > 8 && x + w > width) {
			x = 8;
			y += 22;
		}
		legend_entry(f, x, y, &e[i], STRIP_LABEL_MAX);
		x += w;
	}
	fputs("</svg>\n", f);
}

void svg_legend(struct svg_plot *p, const struct svg_legend_entry *e, size_t n)
{
	double x = p->left + p->plot_w + 14, y = p->top + 10;
	for (size_t i = 0; i < n; i++, y += 18)
		legend_entry(p->f, x, y, &e[i], LEGEND_LABEL_MAX);
}

void svg_note(struct svg_plot *p, const char *text)
{
	fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" class=\"note\">", p->left + 8, p->top + 16);
	winit_svg_escape(p->f, text);
	fputs("</text>\n", p->f);
}

void svg_note_right(struct svg_plot *p, int line, const char *text)
{
	/* A white halo keeps it readable over grid and mark lines. */
	fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"note\" stroke=\"#ffffff\" "
	              "stroke-width=\"3\" paint-order=\"stroke\">",
	        p->left + p->plot_w - 6, p->top + 15 + 14.0 * line);
	winit_svg_escape(p->f, text);
	fputs("</text>\n", p->f);
}
