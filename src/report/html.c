/* src/report/html.c -- the report: one self-contained HTML page (inline SVG, no script,
 * nothing fetched) from a results file read back: what was run, the statistics table,
 * learning curves, and the diagnostics section (html_diag.c). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winit/report_page.h>
#include <winit/stats.h>

#include "report/html.h"
#include "plot/svg.h"

#define CURVE_W 560.0
#define CURVE_H 320.0
#define LEGEND_W 170.0

const char html_style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#222;margin:24px auto;"
	"max-width:1220px;padding:0 16px;line-height:1.45}\n"
	"h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd;"
	"padding-bottom:4px}\n"
	"p.meta{color:#555;margin-top:0}\n"
	"div.tw{overflow-x:auto}table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}\n"
	"th,td{padding:4px 8px;text-align:right;"
	"border-bottom:1px solid #e3e3e3;white-space:nowrap}th{background:#f4f4f4;white-space:normal}\n"
	"td.l,th.l{text-align:left;white-space:normal}\n"
	"div.figs{display:flex;flex-wrap:wrap;gap:12px 16px}\n"
	"svg{background:#fff}svg text{font-size:12px;fill:#222;font-family:system-ui,sans-serif}\n"
	"svg text.title{font-size:14px;font-weight:600}svg text.axis{font-size:12.5px;fill:#333}\n"
	"svg text.note{fill:#666;font-style:italic}\n"
	"svg .grid{stroke:#e6e6e6;stroke-width:1}svg .tick{stroke:#888;stroke-width:1}\n"
	"svg .frame{fill:none;stroke:#888;stroke-width:1}\n"
	".warn{color:#a33}.caption{color:#555;font-size:14px;max-width:1180px}\n";

static void esc(FILE *f, const char *s)
{
	winit_svg_escape(f, s ? s : "");
}

size_t html_finite_mean_min_max(const double *x, size_t n, double *mean, double *min, double *max)
{
	size_t k = 0;
	double sum = 0;
	*min = INFINITY;
	*max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			continue;
		sum += x[i];
		*min = fmin(*min, x[i]);
		*max = fmax(*max, x[i]);
		k++;
	}
	if (!k)
		*mean = *min = *max = NAN;
	else
		*mean = sum / (double)k;
	return k;
}

/* "random_normal(mean=0, stddev=1)", escaped. */
static void plugin_text(FILE *f, const struct winit_report_plugin *p)
{
	esc(f, p->name ? p->name : "?");
	if (!p->n_params)
		return;
	fputc('(', f);
	for (size_t i = 0; i < p->n_params; i++) {
		fputs(i ? ", " : "", f);
		esc(f, p->params[i].name);
		fputc('=', f);
		if (p->params[i].text)
			esc(f, p->params[i].text);
		else
			fprintf(f, "%g", p->params[i].value);
	}
	fputc(')', f);
}

static int same_plugin(const struct winit_report_plugin *a, const struct winit_report_plugin *b)
{
	if (!a->name || !b->name || strcmp(a->name, b->name) != 0 || a->n_params != b->n_params)
		return a->name == b->name;
	for (size_t i = 0; i < a->n_params; i++) {
		const struct winit_report_param *p = &a->params[i], *q = &b->params[i];
		if (strcmp(p->name, q->name) != 0 || (p->text && (!q->text || strcmp(p->text, q->text) != 0)) ||
		    (!p->text && (q->text || !(p->value == q->value))))
			return 0;
	}
	return 1;
}

static int same_layer(const struct winit_report_layer *a, const struct winit_report_layer *b)
{
	return strcmp(a->type ? a->type : "", b->type ? b->type : "") == 0 && a->units == b->units &&
	       same_plugin(&a->activation, &b->activation) &&
	       same_plugin(&a->kernel_initializer, &b->kernel_initializer) &&
	       !memcmp(a->window, b->window, sizeof a->window) &&
	       !memcmp(a->strides, b->strides, sizeof a->strides) &&
	       !memcmp(a->dilation, b->dilation, sizeof a->dilation) &&
	       strcmp(a->padding ? a->padding : "", b->padding ? b->padding : "") == 0 &&
	       (a->rate == b->rate || (isnan(a->rate) && isnan(b->rate)));
}

/* A layer's arguments in the model line, Keras's way: "32, 3&#215;3, relu, kernel
 * he_normal" (Conv2D), "2&#215;2" (a pooling; strides only when not its size), "0.5"
 * (Dropout), "128, relu, kernel ..." (Dense); padding and dilation only when not the
 * default.  Nothing for a kind without arguments ("Flatten"). */
static void layer_args(FILE *f, const struct winit_report_layer *l)
{
	const char *sep = "(";
	const int has_window = l->window[0] > 0;
	if (l->activation.name || l->units > 0) {
		fprintf(f, "%s%lld", sep, (long long)l->units);
		sep = ", ";
	}
	if (has_window) {
		fprintf(f, "%s%lld&#215;%lld", sep, (long long)l->window[0], (long long)l->window[1]);
		sep = ", ";
		/* Keras's default strides: 1 for a convolution, the window for a pooling */
		const int64_t d0 = l->activation.name ? 1 : l->window[0], d1 = l->activation.name ? 1 : l->window[1];
		if (l->strides[0] > 0 && (l->strides[0] != d0 || l->strides[1] != d1))
			fprintf(f, ", strides %lld&#215;%lld", (long long)l->strides[0], (long long)l->strides[1]);
		if (l->dilation[0] > 1 || l->dilation[1] > 1)
			fprintf(f, ", dilation %lld&#215;%lld", (long long)l->dilation[0], (long long)l->dilation[1]);
		if (l->padding && strcmp(l->padding, "valid") != 0) {
			fputs(", padding ", f);
			esc(f, l->padding);
		}
	}
	if (isfinite(l->rate)) {
		fprintf(f, "%s%g", sep, l->rate);
		sep = ", ";
	}
	if (l->activation.name) {
		fputs(sep, f);
		esc(f, l->activation.name);
		fputs(", kernel ", f);
		plugin_text(f, &l->kernel_initializer);
		sep = ", ";
	}
	if (sep[0] == ',')
		fputc(')', f);
}

static void write_summary(const struct html_page *pg, const char *source)
{
	FILE *f = pg->f;
	const struct winit_report_study *r = pg->r;
	fputs("<h1>winit report: ", f);
	esc(f, r->study ? r->study : "study");
	fprintf(f, "</h1>\n<p class=\"meta\">%zu run%s, %zu condition%s, study seed %llu", r->n_runs,
	        r->n_runs == 1 ? "" : "s", pg->n_groups, pg->n_groups == 1 ? "" : "s",
	        (unsigned long long)r->seed);
	if (source) {
		fputs(" &#183; from <code>", f);
		esc(f, source);
		fputs("</code>", f);
	}
	fputs(" &#183; written by ", f);
	esc(f, r->generator ? r->generator : "an unknown winit");
	fputs(", report by " PACKAGE_STRING "</p>\n", f);
	if (!r->n_runs) {
		fputs("<p class=\"warn\">The file holds no finished run yet.</p>\n", f);
		return;
	}
	const struct winit_report_run *x = &r->runs[0];
	fputs("<p>Model (first run): input ", f);
	for (size_t i = 0; i < x->n_input_dims; i++)
		fprintf(f, "%s%lld", i ? "&#215;" : "", (long long)x->input_shape[i]);
	for (size_t i = 0, reps; i < x->n_layers; i += reps) {
		/* Identical consecutive layers once, with their count: "32 &#215; Dense(...)". */
		for (reps = 1; i + reps < x->n_layers && same_layer(&x->layers[i], &x->layers[i + reps]); reps++)
			;
		fputs(" &#8594; ", f);
		if (reps > 1)
			fprintf(f, "%zu &#215; ", reps);
		esc(f, x->layers[i].type);
		layer_args(f, &x->layers[i]);
	}
	fputs("; optimizer ", f);
	esc(f, x->optimizer);
	fprintf(f, " (learning rate %g); %d epoch%s, batch %d, validation split %g",
	        x->learning_rate, x->epochs, x->epochs == 1 ? "" : "s", x->batch_size,
	        isfinite(x->validation_split) ? x->validation_split : 0);
	if (x->train_source) {
		fputs("; data <code>", f);
		esc(f, x->train_source);
		fputs("</code>", f);
	}
	fputs(".</p>\n", f);
}

static void cell_mean_sd(FILE *f, const struct winit_summary *s)
{
	if (!s->n)
		fputs("<td>&#8211;</td>", f);
	else if (s->n == 1)
		fprintf(f, "<td>%.4f</td>", s->mean);
	else
		fprintf(f, "<td>%.4f &#177; %.4f</td>", s->mean, s->sd);
}

/* The steps-to-target cell of a condition: the mean over the runs that reached the target
 * at a snapshot, "(k of n)" of those that measured it, or "never". */
static void cell_steps(FILE *f, const struct cond *c)
{
	if (!c->ok_measured)
		fputs("<td>&#8211;</td>", f);
	else if (!c->ok_reached)
		fputs("<td>never</td>", f);
	else if (c->ok_reached == c->ok_measured)
		fprintf(f, "<td>%.0f</td>", c->sokst.mean);
	else
		fprintf(f, "<td>%.0f (%zu of %zu)</td>", c->sokst.mean, c->ok_reached, c->ok_measured);
}

enum run_kind {
	RUNS_FAILED,   /* failed, or diverged unexpectedly */
	RUNS_EXPECTED, /* diverged, as the script expected */
	RUNS_UNMET     /* finished, though expected to diverge */
};

/* The runs of one kind, each with its error, under a heading. */
static void run_list(const struct html_page *pg, int kind)
{
	static const char *const heads[] = {
		"<p class=\"warn\">Failed runs:</p>\n",
		"<p>Diverged, as the script expected (<code>expect = \"diverged\"</code>: not failures):</p>\n",
		"<p class=\"warn\">Expected to diverge, but finished:</p>\n",
	};
	FILE *f = pg->f;
	int any = 0;
	for (size_t i = 0; i < pg->r->n_runs; i++) {
		const struct winit_report_run *x = &pg->r->runs[i];
		int k = x->ok ? (x->expect_diverged ? RUNS_UNMET : -1) :
		        x->diverged && x->expect_diverged ? RUNS_EXPECTED :
		                                            RUNS_FAILED;
		if (k != kind)
			continue;
		if (!any++)
			fprintf(f, "%s<ul>\n", heads[kind]);
		fputs("<li><b>", f);
		esc(f, x->name);
		fputs("</b>", f);
		if (kind != RUNS_UNMET) {
			fputs(": ", f);
			esc(f, x->error ? x->error : "(no message)");
		}
		fputs("</li>\n", f);
	}
	if (any)
		fputs("</ul>\n", f);
}

/* Condition g's row of the statistics table (target: the steps column's, NaN for none). */
static void table_row(const struct html_page *pg, size_t g, double target)
{
	FILE *f = pg->f;
	const struct cond *c = &pg->groups[g];
	/* Expected divergences are a finding, not a failure. */
	size_t failed = c->failed - c->expected, n = c->n;
	const struct winit_report_run *first = &pg->r->runs[c->first];
	fprintf(f, "<tr><td class=\"l\" style=\"color:%s\">", svg_color(g));
	esc(f, c->label);
	fputs("</td><td class=\"l\">", f);
	/* The first layer with a kernel initializer (a graph may begin with a Flatten). */
	for (size_t k = 0; k < first->n_layers; k++)
		if (first->layers[k].kernel_initializer.name) {
			plugin_text(f, &first->layers[k].kernel_initializer);
			break;
		}
	fprintf(f, "</td><td>%zu</td><td%s>%zu", c->n_runs, failed ? " class=\"warn\"" : "", failed);
	if (c->expected)
		fprintf(f, "<br/>%s%zu diverged (expected)", failed ? "" : "+ ", c->expected);
	fputs("</td>", f);
	cell_mean_sd(f, &c->sa);
	if (n >= 2 && isfinite(c->sa.ci_lo))
		fprintf(f, "<td>[%.4f, %.4f]</td>", c->sa.ci_lo, c->sa.ci_hi);
	else
		fputs("<td>&#8211;</td>", f);
	if (n)
		fprintf(f, "<td>%.4f &#8211; %.4f</td>", c->sa.min, c->sa.max);
	else
		fputs("<td>&#8211;</td>", f);
	cell_mean_sd(f, &c->sl);
	cell_mean_sd(f, &c->sval);
	if (isfinite(target))
		cell_steps(f, c);
	if (c->ssec.n)
		fprintf(f, "<td>%.2f</td>", c->ssec.mean);
	else
		fputs("<td>&#8211;</td>", f);
	fputs("</tr>\n", f);
}

static void write_table(const struct html_page *pg)
{
	FILE *f = pg->f;
	const struct winit_report_study *r = pg->r;
	/* Steps to the target: when some run measured validation accuracy at its snapshots. */
	double target = NAN;
	for (size_t i = 0; i < r->n_runs; i++)
		if (r->runs[i].has_steps && isfinite(r->runs[i].target)) {
			target = r->runs[i].target;
			break;
		}
	fputs("<h2>Statistics</h2>\n<div class=\"tw\"><table>\n<tr><th class=\"l\">label</th><th class=\"l\">kernel initializer (first layer)</th>"
	      "<th>n</th><th>failed</th><th>test accuracy<br/>mean &#177; sd</th><th>95% CI<br/>of the mean</th><th>min &#8211; max</th>"
	      "<th>test loss<br/>mean &#177; sd</th><th>last val accuracy<br/>mean &#177; sd</th>",
	      f);
	if (isfinite(target))
		fprintf(f, "<th>steps to val<br/>accuracy %.4g</th>", target);
	fputs("<th>seconds<br/>per run</th></tr>\n", f);
	size_t max_n = 0; /* some label has replicates */
	for (size_t g = 0; g < pg->n_groups; g++) {
		table_row(pg, g, target);
		if (pg->groups[g].n > 1)
			max_n = pg->groups[g].n;
	}
	fputs("</table></div>\n<p class=\"caption\">n: runs with this label (replicates); sd: sample "
	      "standard deviation over them; 95% CI: Student-t interval of the mean (needs two or "
	      "more runs). ",
	      f);
	if (isfinite(target))
		fputs("Steps to val accuracy: the first optimizer step whose diagnostics snapshot "
		      "(steps 1, 2, 4, ... 512 on the validation split's first 512 rows, then each "
		      "epoch's end on all of it) reached the target, averaged over the runs that "
		      "reached it. ",
		      f);
	fputs(max_n ? "Whether two labels really differ is the comparison table's business "
	              "(<code>results:print_table()</code>: paired or Welch tests with Holm's "
	              "correction), not overlapping intervals.</p>\n" :
	              "One run per label cannot rank labels: seed-to-seed spread is often larger "
	              "than the gaps; run replicates (e.g. <code>--repeats 5</code>).</p>\n",
	      f);
	run_list(pg, RUNS_FAILED);
	run_list(pg, RUNS_EXPECTED);
	run_list(pg, RUNS_UNMET);
}

enum metric {
	M_LOSS,
	M_ACC,
	M_VAL_LOSS,
	M_VAL_ACC
};

static double metric(const struct winit_report_epoch *e, int m)
{
	switch (m) {
	case M_LOSS: return e->loss;
	case M_ACC: return e->accuracy;
	case M_VAL_LOSS: return e->has_val ? e->val_loss : NAN;
	default: return e->has_val ? e->val_accuracy : NAN;
	}
}

void html_label_style(size_t g, int *dash, int *shape, double *radius)
{
	*dash = (int)(g % 4);
	*shape = SVG_MARK_CIRCLE + (int)((g + g / 4) % 4);
	*radius = 5.5 - 0.7 * (double)(g % 4);
}

static void curve_plot(const struct html_page *pg, int m, size_t max_epochs)
{
	static const char *const titles[] = { "Training loss (running mean over each epoch)",
		                              "Training accuracy (running mean over each epoch)",
		                              "Validation loss (end of each epoch)",
		                              "Validation accuracy (end of each epoch)" };
	const struct winit_report_study *r = pg->r;
	size_t ne = max_epochs;
	double *x = calloc(ne, sizeof *x), *mean = calloc(ne * 3, sizeof *mean), *vals = calloc(r->n_runs + 1, sizeof *vals);
	struct svg_legend_entry *leg = calloc(pg->n_groups + 1, sizeof *leg);
	if (!x || !mean || !vals || !leg)
		goto done;
	double *lo = mean + ne, *hi = lo + ne;
	struct svg_axis ax, ay;
	svg_axis_init(&ax, 0, "epoch");
	ax.integer = 1;
	svg_axis_init(&ay, 0, m == M_LOSS || m == M_VAL_LOSS ? "categorical cross-entropy (nats)" : "accuracy (fraction correct)");
	svg_axis_add(&ax, 1);
	svg_axis_add(&ax, (double)ne);
	/* Training and validation share the scale, so the pair reads side by side. */
	int pair = m == M_LOSS ? M_VAL_LOSS : m == M_VAL_LOSS ? M_LOSS :
	                              m == M_ACC              ? M_VAL_ACC :
	                                                        M_ACC;
	for (size_t i = 0; i < r->n_runs; i++)
		for (size_t e = 0; e < r->runs[i].n_epochs; e++) {
			svg_axis_add(&ay, metric(&r->runs[i].history[e], m));
			svg_axis_add(&ay, metric(&r->runs[i].history[e], pair));
		}
	if (m == M_ACC || m == M_VAL_ACC) {
		ay.lo = fmax(0, ay.lo);
		ay.hi = fmin(1, ay.hi);
	} else if (ay.lo > 0 && ay.hi / ay.lo > 1e3) {
		/* Losses over three decades (a diverging run): a log scale keeps the others visible. */
		ay.log = 1;
		ay.label = "categorical cross-entropy (nats, log scale)";
	} else if (ay.lo > 0) {
		ay.lo = 0; /* losses from 0: how far from perfect */
	}
	svg_axis_nice(&ay);
	svg_axis_nice(&ax);
	struct svg_plot p;
	svg_plot_begin(&p, pg->f, CURVE_W, CURVE_H, LEGEND_W, titles[m], &ax, &ay);
	int any = 0;
	for (size_t g = 0; g < pg->n_groups; g++) {
		const struct cond *gr = &pg->groups[g];
		for (size_t e = 0; e < ne; e++) {
			size_t n = 0;
			x[e] = (double)(e + 1);
			for (size_t k = 0; k < gr->n_runs; k++) {
				const struct winit_report_run *run = &r->runs[gr->idx[k]];
				if (e < run->n_epochs)
					vals[n++] = metric(&run->history[e], m);
			}
			if (html_finite_mean_min_max(vals, n, &mean[e], &lo[e], &hi[e]) < 2)
				lo[e] = hi[e] = NAN; /* no band from one run */
		}
		/* Each label its own dash and marker shape besides its colour, the markers of
		 * each label drawn smaller than those of the one before: where two labels'
		 * curves coincide (glorot_normal and he_normal in the seed's study), the one
		 * drawn first still shows between the dashes and around the other's markers. */
		int dash, shape;
		html_label_style(g, &dash, &shape, &p.point_r);
		svg_band(&p, x, lo, hi, ne, svg_color(g));
		svg_polyline(&p, x, mean, ne, svg_color(g), dash);
		svg_markers(&p, x, mean, ne, svg_color(g), shape);
		for (size_t e = 0; e < ne; e++)
			any |= isfinite(mean[e]);
		leg[g] = (struct svg_legend_entry){ gr->label, svg_color(g), SVG_LINE, dash, shape };
	}
	if (!any)
		svg_note(&p, m >= M_VAL_LOSS ? "no validation data recorded" : "no epochs recorded");
	svg_legend(&p, leg, pg->n_groups);
	svg_plot_end(&p);
done:
	free(x);
	free(mean);
	free(vals);
	free(leg);
}

static void write_curves(const struct html_page *pg)
{
	size_t ne = 0;
	for (size_t i = 0; i < pg->r->n_runs; i++)
		if (pg->r->runs[i].n_epochs > ne)
			ne = pg->r->runs[i].n_epochs;
	fputs("<h2>Learning curves</h2>\n<div class=\"figs\">\n", pg->f);
	static const int order[] = { M_LOSS, M_VAL_LOSS, M_ACC, M_VAL_ACC };
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		curve_plot(pg, order[k], ne ? ne : 1);
	fputs("</div>\n<p class=\"caption\">Lines: mean over the runs of each label (each label its "
	      "own colour, dash and marker, so curves that coincide both show); shaded bands: "
	      "min to max over them (drawn with two or more runs). Training on the left, validation "
	      "on the right, on the same scale.</p>\n",
	      pg->f);
}

int winit_report_write_html(const char *path, const struct winit_report_study *r, const char *source,
                            struct winit_error *err)
{
	return winit_report_write_html_with(path, r, source, NULL, NULL, 0, err);
}

int winit_report_write_html_ext(const char *path, const struct winit_report_study *r,
                                const char *source, unsigned flags, struct winit_error *err)
{
	return winit_report_write_html_with(path, r, source, NULL, NULL, flags, err);
}

int winit_report_write_html_with(const char *path, const struct winit_report_study *r, const char *source,
                                 winit_report_html_extra_fn extra, void *ctx, unsigned flags, struct winit_error *err)
{
	struct table t;
	if (winit_conds_build_report(&t, r))
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the report", path);
	struct html_page pg = { .r = r, .n_groups = t.n, .groups = t.c };
	struct winit_safe_write w;
	if (winit_safe_write_open(&w, path, WINIT_FILE_HTML, "the report", flags, err)) {
		winit_conds_free(&t);
		return err ? err->status : WINIT_ERR_IO;
	}
	FILE *f = w.f;
	pg.f = f;
	fputs("<!DOCTYPE html>\n" HTML_MARKER_LINE "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>winit report: ",
	      f);
	esc(f, r->study ? r->study : "study");
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
	write_summary(&pg, source);
	if (extra)
		extra(f, ctx);
	html_coord_checks(f, r->coord_checks, r->n_coord_checks);
	html_spectra(f, r->spectra, r->n_spectra);
	if (r->n_runs) {
		write_table(&pg);
		write_curves(&pg);
		html_diagnostics(&pg);
	}
	fputs("</body>\n</html>\n", f);
	winit_conds_free(&t);
	return winit_safe_write_commit(&w, err);
}

int winit_report_default_path(char *out, size_t size, const char *results_path)
{
	size_t n = strlen(results_path);
	const char *slash = strrchr(results_path, '/');
	const char *base = slash ? slash + 1 : results_path;
	if (n >= 5 && strcmp(results_path + n - 5, ".json") == 0 && strlen(base) > 5)
		n -= 5;
	if (n + 6 > size)
		return WINIT_ERR_ARG;
	memcpy(out, results_path, n);
	memcpy(out + n, ".html", 6);
	return WINIT_OK;
}
