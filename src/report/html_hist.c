/* src/report/html_hist.c -- the report's weight histograms at initialization: per label
 * and hidden layer, the kernel's weights as recorded in the snapshot at step 0, with the
 * initializer's declared sd and the measured sd marked. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "plot/svg.h"

#define HIST_W 276.0 /* four in a row of the page's width */
#define HIST_H 240.0
#define MAX_HIST_LAYERS 4  /* hidden layers shown per label; evenly spread when more */
#define TITLE_LABEL_MAX 14 /* characters of a label in a panel's title; longer ones are cut */
#define HEADROOM 1.45      /* the y axis reaches this times the tallest bar: room for notes */
#define SPIKE_WIDTH 0.025  /* a zero-range histogram's bar, as a fraction of the x axis */

/* The snapshot at initialization (step 0) of a run, when it has weight histograms. */
static const struct winit_report_snapshot *hist_snapshot(const struct winit_report_run *x)
{
	for (size_t s = 0; s < x->n_snapshots; s++)
		if (x->diagnostics[s].step == 0 && x->diagnostics[s].n_layers &&
		    x->diagnostics[s].layers[0].hist)
			return &x->diagnostics[s];
	return NULL;
}

/* The group's first run with histograms (its first replicate, usually). */
static const struct winit_report_run *group_run(const struct html_page *pg, const struct cond *gr)
{
	for (size_t j = 0; j < gr->n_runs; j++)
		if (hist_snapshot(&pg->r->runs[gr->idx[j]]))
			return &pg->r->runs[gr->idx[j]];
	return NULL;
}

/* s cut to at most max characters (between UTF-8 characters) into out, with an ellipsis. */
static void cut_label(char *out, size_t size, const char *s, size_t max)
{
	size_t chars = 0, i = 0;
	while (s[i] && i + 4 < size) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max)
			break;
		out[i] = s[i];
		i++;
	}
	out[i] = '\0';
	if (s[i] && i + 4 <= size)
		memcpy(out + i, "\xe2\x80\xa6", 4);
}

static int64_t hist_total(const struct winit_report_hist *h)
{
	int64_t n = h->underflow + h->overflow;
	for (size_t b = 0; b < h->n_bins; b++)
		n += h->count[b];
	return n;
}

static void hist_panel(const struct html_page *pg, size_t g, const struct winit_report_run *run,
                       size_t k, double *edges, double *pct)
{
	const struct winit_report_layer_diag *d = &hist_snapshot(run)->layers[k];
	const struct winit_report_hist *h = d->hist;
	int64_t total = hist_total(h);
	int zero_range = !(h->hi > h->lo);
	double tallest = 0;
	for (size_t b = 0; b < h->n_bins; b++) {
		edges[b] = h->lo + (h->hi - h->lo) * (double)b / (double)h->n_bins;
		pct[b] = total > 0 ? 100.0 * (double)h->count[b] / (double)total : 0;
		tallest = fmax(tallest, pct[b]);
	}
	edges[h->n_bins] = h->hi;
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 0, "weight value w");
	ax.intervals = 3; /* a narrow panel: labels like -0.15 need room */
	svg_axis_init(&ay, 0, "% of the layer's weights per bin");
	svg_axis_add(&ax, h->lo);
	svg_axis_add(&ax, h->hi);
	if (isfinite(h->declared_sd)) { /* the marks stay inside the frame */
		svg_axis_add(&ax, -h->declared_sd);
		svg_axis_add(&ax, h->declared_sd);
	}
	svg_axis_add(&ay, 0);
	svg_axis_add(&ay, tallest > 0 ? tallest * HEADROOM : 1);
	/* The bins' range edge to edge (ticks fall inside it); a zero range gets a nice one. */
	double lo = ax.lo, hi = ax.hi;
	svg_axis_nice(&ax);
	if (!zero_range) {
		ax.lo = lo;
		ax.hi = hi;
	}
	svg_axis_nice(&ay);
	char title[160], label[TITLE_LABEL_MAX * 4 + 8], note[96];
	cut_label(label, sizeof label, pg->groups[g].label, TITLE_LABEL_MAX);
	snprintf(title, sizeof title, "%s, layer %zu", label, k + 1);
	struct svg_plot p;
	svg_plot_begin(&p, pg->f, HIST_W, HIST_H, 0, title, &ax, &ay);
	const char *c = svg_color(g);
	if (zero_range) {
		/* Every counted weight has the one value lo: a spike, drawn a few pixels wide. */
		double half = SPIKE_WIDTH * (ax.hi - ax.lo) / 2, spike[2] = { h->lo - half, h->lo + half };
		double all = total > 0 ? 100.0 * (double)(total - h->underflow - h->overflow) / (double)total : 0;
		svg_bars(&p, spike, &all, 1, c);
	} else {
		svg_bars(&p, edges, pct, h->n_bins, c);
	}
	int line = 0;
	if (isfinite(h->declared_sd) && h->declared_sd > 0) {
		svg_vline(&p, -h->declared_sd, "#333333", 1);
		svg_vline(&p, h->declared_sd, "#333333", 1);
	}
	if (isfinite(d->w_sd) && d->w_sd > 0) {
		svg_vline(&p, -d->w_sd, "#333333", 2);
		svg_vline(&p, d->w_sd, "#333333", 2);
	}
	if (zero_range) {
		snprintf(note, sizeof note, "all %lld weights = %g", (long long)total, h->lo);
		svg_note_right(&p, line++, note);
	}
	if (isfinite(h->declared_sd))
		snprintf(note, sizeof note, "declared sd %.3g", h->declared_sd);
	else
		snprintf(note, sizeof note, "no declared sd");
	svg_note_right(&p, line++, note);
	snprintf(note, sizeof note, "measured sd %.3g", d->w_sd);
	svg_note_right(&p, line++, note);
	if (h->underflow + h->overflow > 0) {
		snprintf(note, sizeof note, "outside the range: %lld", (long long)(h->underflow + h->overflow));
		svg_note_right(&p, line++, note);
	}
	svg_plot_end(&p);
}

void html_weight_histograms(const struct html_page *pg)
{
	FILE *f = pg->f;
	size_t most = 0; /* the most bins of any shown histogram */
	int any = 0;
	for (size_t g = 0; g < pg->n_groups; g++) {
		const struct winit_report_run *run = group_run(pg, &pg->groups[g]);
		const struct winit_report_snapshot *s = run ? hist_snapshot(run) : NULL;
		for (size_t k = 0; s && k < s->n_layers; k++)
			if (s->layers[k].hist && s->layers[k].hist->n_bins > most)
				most = s->layers[k].hist->n_bins;
		any |= s != NULL;
	}
	fputs("<h3>Weights at initialization</h3>\n", f);
	if (!any) {
		fputs("<p>No weight histograms recorded (a results file of an earlier winit, or runs "
		      "without the snapshot at initialization).</p>\n",
		      f);
		return;
	}
	double *edges = calloc(most + 1, sizeof *edges), *pct = calloc(most + 1, sizeof *pct);
	if (!edges || !pct) {
		free(edges);
		free(pct);
		fputs("<p class=\"warn\">Out of memory for the weight histograms.</p>\n", f);
		return;
	}
	const struct svg_legend_entry leg[] = {
		{ .label = "share of the layer's weights in each bin (colour: the label)", .color = "#888888", .style = SVG_BAR },
		{ .label = "\xc2\xb1 the initializer's declared sd", .color = "#333333", .style = SVG_DASHED },
		{ .label = "\xc2\xb1 the measured sd of the weights", .color = "#333333", .style = SVG_DOTTED },
	};
	svg_legend_strip(f, 4 * HIST_W, leg, sizeof leg / sizeof leg[0]);
	fputs("<div class=\"figs\">\n", f);
	for (size_t g = 0; g < pg->n_groups; g++) {
		const struct winit_report_run *run = group_run(pg, &pg->groups[g]);
		if (!run)
			continue;
		const struct winit_report_snapshot *s = hist_snapshot(run);
		/* The hidden layers with a kernel (all but the output layer; a one-layer model
		 * shows its only one): a Flatten or an Add has no weights to draw. */
		size_t *kernel = calloc(s->n_layers + 1, sizeof *kernel), n_kernel = 0;
		if (!kernel)
			break;
		size_t hidden = s->n_layers > 1 ? s->n_layers - 1 : 1, shown[MAX_HIST_LAYERS];
		for (size_t k = 0; k < hidden; k++)
			if (s->layers[k].hist && s->layers[k].distinct_units >= 0)
				kernel[n_kernel++] = k;
		size_t n_shown = html_pick_layers(shown, n_kernel, MAX_HIST_LAYERS);
		for (size_t q = 0; q < n_shown; q++)
			hist_panel(pg, g, run, kernel[shown[q]], edges, pct);
		free(kernel);
	}
	free(edges);
	free(pct);
	fputs("</div>\n<p class=\"caption\">Each kernel's weights right after initialization (the "
	      "first run of each label), in equal bins over a range symmetric about 0: four times "
	      "the kernel's measured sd, or twice its mean when that is wider; weights beyond it are "
	      "counted as outside. A kernel of zeros has no spread: all its weights sit in one spike "
	      "at 0. The declared sd is what the initializer states for the layer's fans (what "
	      "theory uses); data-aware initializers declare none.</p>\n",
	      f);
}
