/* tests/check_report.c -- reading results files back, the HTML report written from them
 * (tests/data/results_diag.json: a fixture with diagnostics and theory), and the live
 * progress line (on a fake clock). */
#include <math.h>

#include "testutil.h"
#include "study/progress.h"

static const char *fixture(void)
{
	static char path[512];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/data/results_diag.json", top && *top ? top : "..");
	return path;
}

static char *slurp(const char *path)
{
	static char *buf;
	free(buf);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	buf = malloc(1 << 22);
	ck_assert_ptr_nonnull(buf);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static const char *write_text(const char *name, const char *text)
{
	const char *path = tu_path(tu_tmpdir(), name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Read text as a results file: the status, and the message in err. */
static int read_text(const char *text, struct winit_error *err)
{
	struct winit_report_study r;
	int rc = winit_report_read(write_text("r.json", text), &r, err);
	ck_assert_uint_eq(r.n_runs, 0); /* left empty on failure (and freed) */
	winit_report_free(&r);
	return rc;
}

START_TEST(fixture_reads_runs_history_diagnostics_and_theory)
{
	struct winit_report_study r;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_report_read(fixture(), &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r.format, "winit-results");
	ck_assert_int_eq(r.version, 1);
	ck_assert_str_eq(r.study, "fixture <study> & \"diag\"");
	ck_assert_uint_eq(r.seed, 7);
	ck_assert_uint_eq(r.n_runs, 5);
	const struct winit_report_run *z = &r.runs[0], *he = &r.runs[1];
	/* 64-bit seeds above INT64_MAX, which Jansson alone cannot hold, read exactly. */
	ck_assert(z->run_seed == UINT64_C(18446744073709551557));
	ck_assert(he->run_seed == UINT64_C(9223372036854775808));
	ck_assert(r.runs[2].run_seed == UINT64_C(1234567890123456789));
	ck_assert_str_eq(he->label, "he_normal");
	ck_assert_int_eq(r.runs[2].replicate, 1);
	ck_assert_uint_eq(he->n_layers, 3);
	ck_assert_int_eq(he->layers[0].units, 64);
	ck_assert_str_eq(he->layers[0].activation.name, "relu");
	ck_assert_str_eq(he->layers[0].kernel_initializer.name, "he_normal");
	ck_assert_str_eq(he->layers[2].kernel_initializer.name, "glorot_uniform");
	ck_assert_str_eq(he->layers[0].bias_initializer.name, "zeros");
	ck_assert_uint_eq(he->n_input_dims, 2);
	ck_assert_int_eq(he->input_shape[0] * he->input_shape[1], 784);
	ck_assert_str_eq(he->optimizer, "adam");
	ck_assert(he->epsilon == 1e-7);
	ck_assert_int_eq(he->epochs, 3);
	ck_assert_int_eq(he->batch_size, 64);
	ck_assert(he->validation_split == 0.2);
	ck_assert_int_eq(he->n_val, 300);
	ck_assert(he->ok);
	ck_assert_uint_eq(he->n_epochs, 3);
	ck_assert(he->history[2].has_val);
	ck_assert_int_eq(he->history[2].epoch, 3);
	ck_assert(he->has_test);
	ck_assert(he->test_accuracy == 0.97);
	/* Diagnostics: nine snapshots of three layers. */
	ck_assert_uint_eq(z->n_snapshots, 9);
	ck_assert_uint_eq(z->diagnostics[8].n_layers, 3);
	ck_assert_int_eq(z->diagnostics[8].step, 57);
	ck_assert_int_eq(z->diagnostics[8].epoch, 3);
	ck_assert_int_eq(z->diagnostics[0].layers[0].distinct_units, 1);
	ck_assert_int_eq(z->diagnostics[0].layers[0].dead, 64);
	ck_assert(z->diagnostics[0].layers[0].dead_fraction == 1.0);
	ck_assert(isnan(z->diagnostics[0].layers[0].update_ratio)); /* null at step 0 */
	ck_assert(z->diagnostics[1].layers[0].update_ratio == 0.0);
	ck_assert(he->diagnostics[0].layers[1].pre_var == 0.25);
	/* Weight histograms at initialization: the zeros kernel's zero range, He's bins. */
	const struct winit_report_hist *zh = z->diagnostics[0].layers[0].hist;
	ck_assert_ptr_nonnull(zh);
	ck_assert(zh->lo == 0 && zh->hi == 0 && zh->declared_sd == 0);
	ck_assert_uint_eq(zh->n_bins, 41);
	ck_assert_int_eq(zh->count[20], 784 * 64);
	ck_assert_ptr_null(z->diagnostics[1].layers[0].hist);
	const struct winit_report_hist *hh = he->diagnostics[0].layers[1].hist;
	int64_t total = hh->underflow + hh->overflow;
	for (size_t b = 0; b < hh->n_bins; b++)
		total += hh->count[b];
	ck_assert_int_eq(total, 64 * 64);
	ck_assert_double_eq_tol(hh->declared_sd, sqrt(2.0 / 64), 1e-12);
	ck_assert(isnan(r.runs[3].diagnostics[0].layers[0].hist->declared_sd)); /* null */
	ck_assert_int_eq(r.runs[3].diagnostics[0].layers[0].hist->underflow, 3);
	ck_assert_ptr_null(r.runs[2].diagnostics[0].layers[0].hist); /* not in every run */
	/* Theory: applies with per-layer predictions, or not, with the reason. */
	ck_assert(he->theory.present && he->theory.applies);
	ck_assert_uint_eq(he->theory.n_layers, 3);
	ck_assert(he->theory.pre_var[2] == 0.25);
	const struct winit_report_run *g = &r.runs[3], *broken = &r.runs[4];
	ck_assert(g->theory.present && !g->theory.applies);
	ck_assert_str_eq(g->theory.reason, "data-dependent <init> & \"no\" declared sd");
	/* A failed run: its error, its partial history, no test metrics. */
	ck_assert(!broken->ok);
	ck_assert_ptr_nonnull(strstr(broken->error, "loss is NaN"));
	ck_assert_uint_eq(broken->n_epochs, 1);
	ck_assert(!broken->has_test && isnan(broken->test_accuracy));
	ck_assert_uint_eq(broken->n_snapshots, 0);
	ck_assert(!broken->theory.present);
	ck_assert_str_eq(broken->layers[0].kernel_initializer.params[1].name, "stddev");
	ck_assert(broken->layers[0].kernel_initializer.params[1].value == 1.0);
	winit_report_free(&r);
	winit_report_free(&r); /* freeing twice is harmless */
}
END_TEST

START_TEST(today_s_files_read_without_diagnostics)
{
	struct winit_error err = { 0 };
	struct winit_report_study r;
	const char *path = write_text("old.json",
	                              "{\"format\": \"winit-results\", \"version\": 1, \"study\": \"s\", \"seed\": 1,"
	                              " \"runs\": [{\"name\": \"a\", \"label\": \"a\", \"run_seed\": 3,"
	                              " \"model\": {\"input_shape\": [4], \"layers\": []},"
	                              " \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
	                              " \"fit\": {\"epochs\": 1, \"batch_size\": 2},"
	                              " \"status\": \"ok\", \"history\": [{\"epoch\": 1, \"loss\": null, \"accuracy\": 0.5}]}]}");
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(r.n_runs, 1);
	ck_assert_uint_eq(r.runs[0].n_snapshots, 0);
	ck_assert_ptr_null(r.runs[0].diagnostics);
	ck_assert(!r.runs[0].theory.present);
	ck_assert(isnan(r.runs[0].history[0].loss)); /* null: the writer's NaN */
	ck_assert(!r.runs[0].history[0].has_val && isnan(r.runs[0].history[0].val_loss));
	ck_assert(!r.runs[0].has_test);
	winit_report_free(&r);
}
END_TEST

START_TEST(other_formats_and_newer_versions_are_refused)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(read_text("{\"format\": \"keras-history\", \"version\": 1, \"runs\": []}", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: not a winit results file: expected \"format\": \"winit-results\", found \"keras-history\""),
	              "%s", err.msg);
	ck_assert_int_eq(read_text("{\"runs\": []}", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "found no \"format\" member"), "%s", err.msg);
	ck_assert_int_eq(read_text("[1, 2]", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "expected a JSON object with \"format\": \"winit-results\", found an array"),
	              "%s", err.msg);
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 99, \"runs\": []}", &err),
	                 WINIT_ERR_FORMAT);
	char want[160];
	snprintf(want, sizeof want, "r.json: results format version 99 is newer than this winit reads (up to version %d): it was written by a newer winit: update winit",
	         WINIT_RESULTS_VERSION);
	ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": \"1\", \"runs\": []}", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: version: expected a version number (an integer >= 1), found a string"),
	              "%s", err.msg);
}
END_TEST

START_TEST(broken_files_say_where)
{
	struct winit_error err = { 0 };
	/* Invalid JSON: the line and the byte, counted in the file even after a big seed. */
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\",\n \"seed\": 18446744073709551615,\n \"runs\": [1,]}", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json:3:13: byte 72: not a results file: invalid JSON"), "%s", err.msg);
	/* A truncated file (a run cut short by a crash while writing elsewhere). */
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"runs\": [{\"name\"", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json:1:58: byte 58:") && strstr(err.msg, "invalid JSON"), "%s", err.msg);
	/* A member of the wrong type: its path. */
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"runs\": [{\"name\": \"a\","
	                           " \"model\": {\"input_shape\": [4], \"layers\": []},"
	                           " \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
	                           " \"fit\": {\"epochs\": 1, \"batch_size\": 2}, \"status\": \"ok\","
	                           " \"history\": [{\"loss\": 1, \"accuracy\": \"high\"}]}]}",
	                           &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].history[0].accuracy: expected a number or null, found a string"),
	              "%s", err.msg);
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"runs\": [{\"label\": \"x\"}]}", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].name is missing (expected a string)"), "%s", err.msg);
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"seed\": -3, \"runs\": []}", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "seed: expected an unsigned 64-bit integer, found an integer"), "%s", err.msg);
	/* A weight histogram with a negative count, a range that is not [-h, h], or not
	 * exactly the writer's WINIT_DIAG_HIST_BINS bins: the rule resume has always applied. */
	static const char hist_run[] =
		"{\"format\": \"winit-results\", \"version\": 1, \"runs\": [{\"name\": \"a\","
		" \"model\": {\"input_shape\": [4], \"layers\": []},"
		" \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
		" \"fit\": {\"epochs\": 1, \"batch_size\": 2}, \"status\": \"ok\", \"history\": [],"
		" \"diagnostics\": [{\"step\": 0, \"layers\": [{\"weights_hist\": %s}]}]}]}";
	char text[1024];
	snprintf(text, sizeof text, hist_run, "{\"range\": [-1, 1], \"counts\": [3, 4, -5]}");
	ck_assert_int_eq(read_text(text, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].diagnostics[0].layers[0].weights_hist.counts[2]: "
	                              "expected an integer >= 0, found -5"),
	              "%s", err.msg);
	snprintf(text, sizeof text, hist_run, "{\"range\": [1, -1], \"counts\": [3]}");
	ck_assert_int_eq(read_text(text, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "weights_hist.range: expected [-h, h] with a finite h >= 0, found an array"),
	              "%s", err.msg);
	snprintf(text, sizeof text, hist_run, "{\"range\": [0, 0], \"counts\": []}");
	ck_assert_int_eq(read_text(text, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].diagnostics[0].layers[0].weights_hist.counts: expected 41 bins, found 0"),
	              "%s", err.msg);
	/* Ranges and bin counts the writer never writes, which only resume refused before. */
	char counts[41 * 3] = "0";
	for (int b = 1; b < 41; b++)
		strcat(counts, ", 0");
	char hist[256];
	snprintf(hist, sizeof hist, "{\"range\": [-1, 2], \"counts\": [%s]}", counts);
	snprintf(text, sizeof text, hist_run, hist);
	ck_assert_int_eq(read_text(text, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].diagnostics[0].layers[0].weights_hist.range: expected [-h, h] with a finite h >= 0"),
	              "%s", err.msg);
	snprintf(text, sizeof text, hist_run, "{\"range\": [-1, 1], \"counts\": [3, 4]}");
	ck_assert_int_eq(read_text(text, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "weights_hist.counts: expected 41 bins, found 2"), "%s", err.msg);
	snprintf(hist, sizeof hist, "{\"range\": [-1, 1], \"counts\": [%s]}", counts);
	snprintf(text, sizeof text, hist_run, hist);
	{
		struct winit_report_study ok; /* the writer's shape reads */
		ck_assert_msg(winit_report_read(write_text("r.json", text), &ok, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(ok.runs[0].diagnostics[0].layers[0].hist->n_bins, 41);
		winit_report_free(&ok);
	}
	/* A key twice in one object: refused, as resume and merge refuse it (which value
	 * would count?). */
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"runs\": [],\n"
	                           " \"study\": \"a\", \"study\": \"b\"}",
	                           &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json:2:") && strstr(err.msg, "invalid JSON: duplicate object key"),
	              "%s", err.msg);
	/* Out of range: the message names the file, the member and the value. */
	ck_assert_int_eq(read_text("{\"format\": \"winit-results\", \"version\": 1, \"runs\": [{\"name\": \"a\","
	                           " \"model\": {\"input_shape\": [4], \"layers\": []},"
	                           " \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
	                           " \"fit\": {\"epochs\": 1, \"batch_size\": 2}, \"status\": \"ok\","
	                           " \"history\": [], \"test_loss\": 1, \"test_accuracy\": -5}]}",
	                           &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].test_accuracy: expected a number in [0, 1], found -5"),
	              "%s", err.msg);
	/* A missing file. */
	struct winit_report_study r;
	ck_assert_int_eq(winit_report_read(tu_path(tu_tmpdir(), "none.json"), &r, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "none.json: cannot read results: No such file"), "%s", err.msg);
	winit_report_free(&r);
}
END_TEST

START_TEST(report_shows_every_section_and_escapes_every_string)
{
	struct winit_report_study r;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_report_read(fixture(), &r, &err) == 0, "%s", err.msg);
	const char *out = tu_path(tu_tmpdir(), "fixture.html");
	ck_assert_msg(winit_report_write_html(out, &r, "in <dir>/r.json", &err) == 0, "%s", err.msg);
	const char *s = slurp(out);
	ck_assert_msg(strncmp(s, "<!DOCTYPE html>", 15) == 0, "%.40s", s);
	/* 4 learning curves, 3 plots by depth, the histograms' legend and their 3 labels x 2
	 * hidden layers, the legend of the panels over training and the dead and saturated
	 * fractions for 3 layers. */
	ck_assert_uint_eq(count(s, "<svg "), 4 + 3 + 1 + 6 + 1 + 6);
	ck_assert_uint_eq(count(s, "<svg "), count(s, "</svg>"));
	ck_assert_ptr_nonnull(strstr(s, "Validation accuracy (end of each epoch)"));
	ck_assert_ptr_nonnull(strstr(s, "Pre-activation variance by depth, at initialization"));
	ck_assert_ptr_nonnull(strstr(s, "Gradient variance by depth, at initialization"));
	ck_assert_ptr_nonnull(strstr(s, "Weight standard deviation by layer"));
	ck_assert_ptr_nonnull(strstr(s, "Dead units, layer 3"));
	ck_assert_ptr_nonnull(strstr(s, "Inactive pairs, layer 1 (relu)")); /* ReLU' = 0: off */
	ck_assert_ptr_nonnull(strstr(s, "Saturated pairs, layer 3 (softmax)"));
	ck_assert_ptr_nonnull(strstr(s, "predicted (theory)"));
	/* Weight histograms: the zeros kernel is one spike at 0 (a zero range); the declared
	 * sd is marked, or said to be missing; weights outside the range are counted. */
	ck_assert_ptr_nonnull(strstr(s, "<h3>Weights at initialization</h3>"));
	ck_assert_ptr_nonnull(strstr(s, "<title>zeros, layer 2</title>"));
	ck_assert_ptr_nonnull(strstr(s, "all 50176 weights = 0</text>"));
	ck_assert_ptr_nonnull(strstr(s, "declared sd 0.0505</text>"));
	ck_assert_ptr_nonnull(strstr(s, "no declared sd</text>"));
	ck_assert_ptr_nonnull(strstr(s, "outside the range: 5</text>"));
	/* A long label is cut in the panel's title, between characters, with an ellipsis. */
	ck_assert_ptr_nonnull(strstr(s, "<title>glorot &lt;b&gt;&amp;&quot;od\xe2\x80\xa6, layer 1</title>"));
	ck_assert_ptr_null(strstr(s, "<title>zeros, layer 3</title>")); /* not the output layer */
	/* zeros: one distinct unit from start to end; he_normal: all 64. */
	ck_assert_ptr_nonnull(strstr(s, "<td>1 &#8594; 1 of 64</td>"));
	ck_assert_ptr_nonnull(strstr(s, "<td>64 &#8594; 64 of 64</td>"));
	/* Exactly-zero variances (zeros) are drawn as triangles on the bottom edge. */
	ck_assert_ptr_nonnull(strstr(s, "<title>0</title>"));
	/* The statistics: he_normal's two replicates, 0.97 and 0.95. */
	ck_assert_ptr_nonnull(strstr(s, "<td>0.9600 &#177; 0.0141</td><td>[0.8329, 1.0871]</td><td>0.9500 &#8211; 0.9700</td>"));
	/* Every string from the file is escaped; the page has no script and fetches nothing. */
	ck_assert_ptr_nonnull(strstr(s, "broken &lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(s, "glorot &lt;b&gt;&amp;&quot;odd&quot;&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(s, "does not apply: data-dependent &lt;init&gt; &amp; &quot;no&quot; declared sd"));
	ck_assert_ptr_nonnull(strstr(s, "loss is NaN at &lt;epoch 2&gt; &amp; stopped"));
	ck_assert_ptr_nonnull(strstr(s, "fixture &lt;study&gt; &amp; &quot;diag&quot;"));
	ck_assert_ptr_nonnull(strstr(s, "in &lt;dir&gt;/r.json"));
	ck_assert_ptr_null(strstr(s, "<script"));
	ck_assert_ptr_null(strstr(s, "glorot <b>"));
	ck_assert_ptr_null(strstr(s, "src="));
	ck_assert_ptr_null(strstr(s, "href="));
	ck_assert_ptr_null(strstr(s, "url("));
	ck_assert_ptr_null(strstr(s, "nan"));
	ck_assert_ptr_null(strstr(s, "inf\""));
	/* The same results, the same page, byte for byte. */
	char *first = strdup(s);
	const char *again = tu_path(tu_dir, "again.html");
	ck_assert_msg(winit_report_write_html(again, &r, "in <dir>/r.json", &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(again), first);
	free(first);
	winit_report_free(&r);
}
END_TEST

/* A graph's layers in the model line as their kind alone when they have no units or
 * plugins ("Flatten", "Add"), the kernel column names the first kernel initializer, and
 * the start line counts each kind (a model of Dense layers keeps "2 Dense layers"). */
START_TEST(a_graph_is_described_by_its_kinds)
{
	struct winit_error err = { 0 };
	struct winit_report_study r;
	const char *path = write_text("graph.json",
	                              "{\"format\": \"winit-results\", \"version\": 1, \"study\": \"s\", \"seed\": 1,"
	                              " \"runs\": [{\"name\": \"a\", \"label\": \"a\", \"run_seed\": 3,"
	                              " \"model\": {\"input_shape\": [28, 28], \"layers\": ["
	                              "{\"type\": \"Flatten\", \"name\": \"flatten_1\", \"inputs\": [-1], \"output_shape\": [784]},"
	                              "{\"type\": \"Dense\", \"name\": \"dense_1\", \"output_shape\": [32], \"units\": 32,"
	                              " \"activation\": {\"name\": \"relu\", \"params\": {}},"
	                              " \"kernel_initializer\": {\"name\": \"he_normal\", \"params\": {}}, \"use_bias\": false},"
	                              "{\"type\": \"Add\", \"name\": \"add_1\", \"inputs\": [1, 1], \"output_shape\": [32]},"
	                              "{\"type\": \"Dense\", \"name\": \"dense_2\", \"output_shape\": [10], \"units\": 10,"
	                              " \"activation\": {\"name\": \"softmax\", \"params\": {}},"
	                              " \"kernel_initializer\": {\"name\": \"glorot_uniform\", \"params\": {}}, \"use_bias\": false}]},"
	                              " \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
	                              " \"fit\": {\"epochs\": 1, \"batch_size\": 2},"
	                              " \"status\": \"ok\", \"history\": [{\"epoch\": 1, \"loss\": 0.5, \"accuracy\": 0.5}]}]}");
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	const char *html = tu_path(tu_dir, "graph.html");
	ck_assert_msg(winit_report_write_html(html, &r, NULL, &err) == 0, "%s", err.msg);
	const char *s = slurp(html);
	ck_assert_msg(strstr(s, "input 28&#215;28 &#8594; Flatten &#8594; Dense(32, relu, kernel he_normal) &#8594; Add "
	                        "&#8594; Dense(10, softmax, kernel glorot_uniform);"),
	              "%s", s);
	ck_assert_msg(strstr(s, "<td class=\"l\">he_normal</td>"), "%s", s);
	winit_report_free(&r);

	/* Weight histograms only of layers with a kernel: the Dense layer's, not the Flatten's
	 * or the Add's (zero counts, distinct_units -1: not recorded for their kind). */
	char zeros[256] = "", dense[256] = "";
	for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++) {
		snprintf(zeros + strlen(zeros), sizeof zeros - strlen(zeros), "%s0", b ? ", " : "");
		snprintf(dense + strlen(dense), sizeof dense - strlen(dense), "%s%d", b ? ", " : "", b == 20 ? 7 : 1);
	}
	char doc[4096];
	snprintf(doc, sizeof doc,
	         "{\"format\": \"winit-results\", \"version\": 1, \"study\": \"s\", \"seed\": 1,"
	         " \"runs\": [{\"name\": \"a\", \"label\": \"a\", \"run_seed\": 3,"
	         " \"model\": {\"input_shape\": [28, 28], \"layers\": ["
	         "{\"type\": \"Flatten\", \"name\": \"flatten_1\", \"inputs\": [-1], \"output_shape\": [784]},"
	         "{\"type\": \"Dense\", \"name\": \"dense_1\", \"output_shape\": [32], \"units\": 32,"
	         " \"activation\": {\"name\": \"relu\", \"params\": {}},"
	         " \"kernel_initializer\": {\"name\": \"he_normal\", \"params\": {}}, \"use_bias\": false},"
	         "{\"type\": \"Add\", \"name\": \"add_1\", \"inputs\": [1, 1], \"output_shape\": [32]},"
	         "{\"type\": \"Dense\", \"name\": \"dense_2\", \"output_shape\": [10], \"units\": 10,"
	         " \"activation\": {\"name\": \"softmax\", \"params\": {}},"
	         " \"kernel_initializer\": {\"name\": \"glorot_uniform\", \"params\": {}}, \"use_bias\": false}]},"
	         " \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
	         " \"fit\": {\"epochs\": 1, \"batch_size\": 2},"
	         " \"status\": \"ok\", \"history\": [{\"epoch\": 1, \"loss\": 0.5, \"accuracy\": 0.5}],"
	         " \"diagnostics\": [{\"step\": 0, \"layers\": ["
	         "{\"distinct_units\": -1, \"weights_hist\": {\"range\": [0, 0], \"counts\": [%s], \"underflow\": 0, \"overflow\": 0}},"
	         "{\"distinct_units\": 32, \"weights_hist\": {\"range\": [-1, 1], \"counts\": [%s], \"underflow\": 0, \"overflow\": 0, \"declared_sd\": 0.25}},"
	         "{\"distinct_units\": -1, \"weights_hist\": {\"range\": [0, 0], \"counts\": [%s], \"underflow\": 0, \"overflow\": 0}},"
	         "{\"distinct_units\": 10, \"weights_hist\": {\"range\": [-1, 1], \"counts\": [%s], \"underflow\": 0, \"overflow\": 0}}]}]}]}",
	         zeros, dense, zeros, dense);
	path = write_text("graph_hist.json", doc);
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	html = tu_path(tu_dir, "graph_hist.html");
	ck_assert_msg(winit_report_write_html(html, &r, NULL, &err) == 0, "%s", err.msg);
	s = slurp(html);
	ck_assert_msg(strstr(s, "a, layer 2"), "no panel for the Dense layer");
	ck_assert_msg(!strstr(s, "a, layer 1<") && !strstr(s, "a, layer 3<"), "a panel for a layer without a kernel");
	/* Dead units and saturation over training: the same layers, not the Flatten's or the Add's
	 * (a conv net's poolings, Flatten and Dropout would crowd out its conv layers). */
	ck_assert_msg(strstr(s, "Dead units, layer 2<") && strstr(s, "Dead units, layer 4<"), "%s", s);
	ck_assert_msg(!strstr(s, "Dead units, layer 1<") && !strstr(s, "Dead units, layer 3<"),
	              "a dead-units panel for a layer without a kernel");
	ck_assert_msg(!strstr(s, "pairs, layer 1<") && !strstr(s, "pairs, layer 3<"),
	              "a saturation panel for a layer without a kernel");
	winit_report_free(&r);

	struct winit_run_spec runs[2];
	memset(runs, 0, sizeof runs);
	snprintf(runs[0].name, sizeof runs[0].name, "chain");
	runs[0].model.n_inputs = 784;
	tu_layers(&runs[0].model, 2);
	runs[0].model.layers[0] = tu_dense(32, "relu", "he_normal");
	runs[0].model.layers[1] = tu_dense(10, "softmax", "he_normal");
	snprintf(runs[1].name, sizeof runs[1].name, "graph");
	tu_graph(&runs[1].model, TU_GRAPH_ADD);
	FILE *out = tmpfile();
	ck_assert_ptr_nonnull(out);
	struct winit_progress *p = winit_progress_new(out, runs, 2, 0);
	struct winit_observer o;
	winit_progress_observer(p, &o);
	o.run_start(o.ctx, 0, &runs[0]);
	o.run_start(o.ctx, 1, &runs[1]);
	winit_progress_free(p);
	char text[4096];
	rewind(out);
	text[fread(text, 1, sizeof text - 1, out)] = '\0';
	fclose(out);
	ck_assert_msg(strstr(text, "[chain] start: 784 inputs, 2 Dense layers, SGD, 0 epochs"), "%s", text);
	ck_assert_msg(strstr(text, "[graph] start: 784 inputs, 5 layers (3 Dense, 1 Flatten, 1 Add), SGD, 0 epochs"),
	              "%s", text);
	winit_model_spec_free(&runs[1].model);
}
END_TEST

static double fake_now;
static double fake_clock(void)
{
	return fake_now;
}

/* The live line: the study's progress (runs begun of all, in flight, elapsed, ETA at the
 * rate so far) before each running run's (epoch, step, loss, accuracy, ETA). */
START_TEST(progress_line_shows_the_study_and_each_run_with_etas)
{
	struct winit_run_spec runs[4];
	struct winit_run_result results[4];
	memset(runs, 0, sizeof runs);
	memset(results, 0, sizeof results);
	for (int i = 0; i < 4; i++) {
		snprintf(runs[i].name, sizeof runs[i].name, "r%d", i + 1);
		runs[i].fit.epochs = 2;
	}
	results[0].done = 1; /* resumed: done before the first start */
	FILE *out = tmpfile();
	ck_assert_ptr_nonnull(out);
	struct winit_progress *p = winit_progress_new(out, runs, 4, 1);
	ck_assert_ptr_nonnull(p);
	winit_progress_set_clock(p, fake_clock);
	winit_progress_results(p, results);
	struct winit_observer o;
	winit_progress_observer(p, &o);
	char line[1024];
	ck_assert_uint_eq(winit_progress_line(p, line, sizeof line), 0); /* nothing started */
	fake_now = 100;
	o.run_start(o.ctx, 1, &runs[1]);
	/* A quarter of r2's steps (epoch 1 of 2, step 375 of 750) in 10 s: 30 s left for
	 * it; the study has 3 runs to do, 0.25 done in 10 s: 110 s left. */
	fake_now = 110;
	o.batch_end(o.ctx, 1, 1, 375, 750, 0.5, 0.8);
	ck_assert_uint_gt(winit_progress_line(p, line, sizeof line), 0);
	ck_assert_str_eq(line, "run 2 of 4, 1 in flight, 10s, ETA 1m50s | r2 1/2 [==========>.........] 375/750 "
	                       "loss 0.5000 acc 0.8000 ETA 30s");
	/* A second run in flight: short segments. */
	o.run_start(o.ctx, 2, &runs[2]);
	fake_now = 130;
	o.batch_end(o.ctx, 1, 2, 375, 750, 0.4, 0.85);
	o.batch_end(o.ctx, 2, 1, 750, 750, 0.6, 0.7);
	/* r2 3/4 done in 30 s (10 s left), r3 1/2 in 20 s (20 s left); the study 1.25 of 3
	 * runs in 30 s: 1.75 left, 42 s. */
	winit_progress_line(p, line, sizeof line);
	ck_assert_str_eq(line, "run 3 of 4, 2 in flight, 30s, ETA 42s | r2 2/2 375/750 loss 0.4000 ETA 10s"
	                       " | r3 1/2 750/750 loss 0.6000 ETA 20s");
	/* r2 ends after 3610 s; r3, at 3/4 after 3600 s, alone: 20 min left for it; the study
	 * 1.75 of 3 runs in 3610 s, 1.25 left. */
	fake_now = 3710;
	results[1].done = 1;
	o.run_end(o.ctx, 1, &runs[1], &results[1]);
	o.batch_end(o.ctx, 2, 2, 375, 750, 0.3, 0.9);
	winit_progress_line(p, line, sizeof line);
	ck_assert_str_eq(line, "run 3 of 4, 1 in flight, 1h00m, ETA 42m59s | r3 2/2 [==========>.........] "
	                       "375/750 loss 0.3000 acc 0.9000 ETA 20m00s");
	winit_progress_free(p);
	fclose(out);
}
END_TEST

/* The saturation panels are named by the layer's activation: "inactive" for ReLU, whose
 * derivative is 0 on the whole negative side, "saturated" for the others, both when the
 * runs differ. */
START_TEST(saturation_panels_name_relu_pairs_inactive)
{
	struct winit_report_study r;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_report_read(fixture(), &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_ge(r.n_runs, 2);
	const char *out = tu_path(tu_tmpdir(), "sat.html");
	/* Every run's layer 1 under tanh. */
	char **saved = calloc(r.n_runs, sizeof *saved);
	ck_assert_ptr_nonnull(saved);
	for (size_t i = 0; i < r.n_runs; i++) {
		saved[i] = r.runs[i].layers[0].activation.name;
		r.runs[i].layers[0].activation.name = "tanh";
	}
	ck_assert_msg(winit_report_write_html(out, &r, NULL, &err) == 0, "%s", err.msg);
	const char *s = slurp(out);
	ck_assert_ptr_nonnull(strstr(s, "Saturated pairs, layer 1 (tanh)"));
	ck_assert_ptr_null(strstr(s, "Inactive pairs, layer 1"));
	ck_assert_ptr_nonnull(strstr(s, "Inactive pairs, layer 2 (relu)"));
	/* One run back to relu: both names, no single activation. */
	r.runs[0].layers[0].activation.name = saved[0];
	ck_assert_msg(winit_report_write_html(out, &r, NULL, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(slurp(out), "Saturated or inactive pairs, layer 1</title>"));
	for (size_t i = 0; i < r.n_runs; i++)
		r.runs[i].layers[0].activation.name = saved[i];
	free(saved);
	winit_report_free(&r);
}
END_TEST

/* The legend swatch of `label` in the svg that starts at s: from its <line> to its <text>. */
static char *swatch(const char *s, const char *label)
{
	const char *end = strstr(s, "</svg>");
	char text[160];
	snprintf(text, sizeof text, ">%s</text>", label);
	const char *t = strstr(s, text);
	ck_assert_msg(t && t < end, "no legend entry '%s'", label);
	const char *line = NULL;
	for (const char *q = s; (q = strstr(q, "<line ")) && q < t; q++)
		line = q;
	ck_assert_ptr_nonnull(line);
	return strndup(line, (size_t)(t - line));
}

/* Learning curves: each label its own dash and marker, in the plot and its legend, so
 * that curves that coincide (glorot_normal under he_normal) both show. */
START_TEST(learning_curves_tell_labels_apart_by_dash_and_marker)
{
	struct winit_report_study r;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_report_read(fixture(), &r, &err) == 0, "%s", err.msg);
	const char *out = tu_path(tu_tmpdir(), "curves.html");
	ck_assert_msg(winit_report_write_html(out, &r, NULL, &err) == 0, "%s", err.msg);
	const char *s = strstr(slurp(out), "<title>Training loss");
	ck_assert_ptr_nonnull(s);
	/* Labels in order of first appearance: zeros, he_normal, glorot <b>..., broken .... */
	static const char *const labels[] = { "zeros", "he_normal", "glorot &lt;b&gt;&amp;&quot;odd&quot;&lt;/b&gt;",
		                              "broken &lt;script&gt;alert(1\xe2\x80\xa6" }; /* cut */
	static const char *const dashes[] = { NULL, "stroke-dasharray=\"6 4\"", "stroke-dasharray=\"2 3\"",
		                              "stroke-dasharray=\"8 3 2 3\"" };
	static const char *const marks[] = { "<circle ", "<rect ", "<polygon ", "<polygon " };
	for (int g = 0; g < 4; g++) {
		char *w = swatch(s, labels[g]);
		if (dashes[g])
			ck_assert_msg(strstr(w, dashes[g]), "label %d: %s", g, w);
		else
			ck_assert_msg(!strstr(w, "dasharray"), "label %d: %s", g, w);
		ck_assert_msg(strstr(w, marks[g]), "label %d: no marker %s in %s", g, marks[g], w);
		/* a triangle has 3 points, a diamond 4 */
		if (g >= 2)
			ck_assert_uint_eq(count(strstr(w, "points=\""), ","), g == 2 ? 3 : 4);
		free(w);
	}
	/* The curves themselves: he_normal's dashed, glorot's dotted (the broken run has no
	 * curve: one epoch). */
	const char *end = strstr(s, "</svg>");
	for (int g = 1; g < 3; g++) {
		char want[64];
		snprintf(want, sizeof want, "stroke-width=\"2\" %s points=", dashes[g]);
		const char *at = strstr(s, want);
		ck_assert_msg(at && at < end, "no curve with %s", dashes[g]);
	}
	winit_report_free(&r);
}
END_TEST

START_TEST(report_without_diagnostics_says_so)
{
	struct winit_report_study r;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_report_read(fixture(), &r, &err) == 0, "%s", err.msg);
	/* As today's files: no diagnostics, no theory. */
	ck_assert_uint_gt(r.n_runs, 0);
	size_t *saved = calloc(r.n_runs, sizeof *saved);
	ck_assert_ptr_nonnull(saved);
	for (size_t i = 0; i < r.n_runs; i++) {
		saved[i] = r.runs[i].n_snapshots;
		r.runs[i].n_snapshots = 0;
		r.runs[i].theory.present = 0;
	}
	const char *out = tu_path(tu_tmpdir(), "plain.html");
	ck_assert_msg(winit_report_write_html(out, &r, NULL, &err) == 0, "%s", err.msg);
	const char *s = slurp(out);
	ck_assert_ptr_nonnull(strstr(s, "No diagnostics recorded"));
	ck_assert_uint_eq(count(s, "<svg "), 4);
	ck_assert_ptr_null(strstr(s, "Pre-activation variance"));
	for (size_t i = 0; i < r.n_runs; i++)
		r.runs[i].n_snapshots = saved[i];
	free(saved);
	/* A file with no run yet (a study interrupted before its first run ended). */
	struct winit_report_study empty = { 0 };
	ck_assert_msg(winit_report_write_html(out, &empty, NULL, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(slurp(out), "The file holds no finished run yet."));
	/* An unwritable path: the error names it. */
	ck_assert_int_eq(winit_report_write_html(tu_path(tu_dir, "no/such/dir/r.html"), &r, NULL, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "no/such/dir/r.html: cannot write the report"), "%s", err.msg);
	winit_report_free(&r);
}
END_TEST

START_TEST(extreme_values_make_a_page_not_a_hang)
{
	/* Losses at the edge of double's range, a negative one, a denormal variance: the file
	 * reads; values no file may hold (an accuracy of 2, a fraction of 1e308, counts
	 * beyond int64 or negative) are refused when read, and the page model holding them
	 * anyway still gives finite axes and a page. */
	static const char text[] =
		"{\"format\": \"winit-results\", \"version\": 1, \"runs\": ["
		"{\"name\": \"a\", \"model\": {\"input_shape\": [2], \"layers\": []},"
		" \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
		" \"fit\": {\"epochs\": 2, \"batch_size\": 2}, \"status\": \"ok\","
		" \"history\": [{\"loss\": 1.7e308, \"accuracy\": 0.5}, {\"loss\": -1.7e308, \"accuracy\": %s}],"
		" \"diagnostics\": [{\"step\": 0, \"layers\": [{\"pre_var\": 1e-320%s}]}]}]}";
	static const struct {
		const char *accuracy, *layer, *msg;
	} bad[] = {
		{ "2", "", "runs[0].history[1].accuracy: expected a number in [0, 1], found 2" },
		{ "1", ", \"dead\": 1e300", "runs[0].diagnostics[0].layers[0].dead: expected an integer, found a number" },
		{ "1", ", \"distinct_units\": -5", "runs[0].diagnostics[0].layers[0].distinct_units: expected an integer >= -1, found -5" },
		{ "1", ", \"dead_fraction\": 1e308", "runs[0].diagnostics[0].layers[0].dead_fraction: expected a number in [0, 1], found 1e+308" },
	};
	char buf[1024];
	struct winit_error err = { 0 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, text, bad[i].accuracy, bad[i].layer);
		ck_assert_int_eq(read_text(buf, &err), WINIT_ERR_FORMAT);
		ck_assert_msg(strstr(err.msg, bad[i].msg), "%s", err.msg);
	}
	snprintf(buf, sizeof buf, text, "1", "");
	const char *path = write_text("x.json", buf);
	struct winit_report_study r;
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.runs[0].diagnostics[0].layers[0].dead, -1);
	ck_assert_int_eq(r.runs[0].diagnostics[0].layers[0].distinct_units, -1);
	r.runs[0].history[1].accuracy = 2;
	r.runs[0].diagnostics[0].layers[0].dead_fraction = 1e308;
	const char *out = tu_path(tu_dir, "x.html");
	ck_assert_msg(winit_report_write_html(out, &r, NULL, &err) == 0, "%s", err.msg);
	const char *s = slurp(out);
	ck_assert_ptr_nonnull(strstr(s, "</html>"));
	ck_assert_ptr_null(strstr(s, "nan"));
	ck_assert_ptr_null(strstr(s, "inf"));
	winit_report_free(&r);
}
END_TEST

START_TEST(a_divergence_holds_what_the_writer_writes)
{
	/* "what" names one of the two things that can become non-finite, and the running
	 * means before it come as a pair (src/results/fields.h's winit_fields_divergence). */
	static const char text[] =
		"{\"format\": \"winit-results\", \"version\": 1, \"runs\": ["
		"{\"name\": \"a\", \"model\": {\"input_shape\": [2], \"layers\": []},"
		" \"optimizer\": {\"name\": \"sgd\", \"learning_rate\": 0.01},"
		" \"fit\": {\"epochs\": 2, \"batch_size\": 2}, \"status\": \"diverged\", \"error\": \"x\","
		" \"diverged\": {\"epoch\": 1, \"step\": 3, \"what\": \"%s\"%s}, \"history\": []}]}";
	static const struct {
		const char *what, *last, *msg;
	} bad[] = {
		{ "gradients", "", "runs[0].diverged.what: expected \"loss\" or \"parameters\", found \"gradients\"" },
		{ "loss", ", \"last_loss\": 2.5", "runs[0].diverged.last_accuracy is missing (expected a number or null, as there is a \"last_loss\"" },
	};
	char buf[1024];
	struct winit_error err = { 0 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, text, bad[i].what, bad[i].last);
		ck_assert_int_eq(read_text(buf, &err), WINIT_ERR_FORMAT);
		ck_assert_msg(strstr(err.msg, bad[i].msg), "%s", err.msg);
	}
	snprintf(buf, sizeof buf, text, "parameters", ", \"last_loss\": 2.5, \"last_accuracy\": 0.25");
	struct winit_report_study r;
	ck_assert_msg(winit_report_read(write_text("ok.json", buf), &r, &err) == 0, "%s", err.msg);
	ck_assert(r.runs[0].diverged);
	winit_report_free(&r);
}
END_TEST

START_TEST(report_path_defaults_beside_the_results)
{
	char out[64];
	ck_assert_int_eq(winit_report_default_path(out, sizeof out, "results/compare_inits.json"), 0);
	ck_assert_str_eq(out, "results/compare_inits.html");
	ck_assert_int_eq(winit_report_default_path(out, sizeof out, "run.v2/results"), 0);
	ck_assert_str_eq(out, "run.v2/results.html");
	ck_assert_int_eq(winit_report_default_path(out, sizeof out, "dir/.json"), 0);
	ck_assert_str_eq(out, "dir/.json.html");
	ck_assert_int_eq(winit_report_default_path(out, 12, "abcdef.json"), 0);
	ck_assert_str_eq(out, "abcdef.html");
	ck_assert_int_eq(winit_report_default_path(out, 11, "abcdef.json"), WINIT_ERR_ARG);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("read");
	tcase_add_test(tc, fixture_reads_runs_history_diagnostics_and_theory);
	tcase_add_test(tc, today_s_files_read_without_diagnostics);
	tcase_add_test(tc, other_formats_and_newer_versions_are_refused);
	tcase_add_test(tc, broken_files_say_where);
	tcase_add_test(tc, a_divergence_holds_what_the_writer_writes);
	suite_add_tcase(s, tc);
	tc = tcase_create("html");
	tcase_add_test(tc, report_shows_every_section_and_escapes_every_string);
	tcase_add_test(tc, report_without_diagnostics_says_so);
	tcase_add_test(tc, learning_curves_tell_labels_apart_by_dash_and_marker);
	tcase_add_test(tc, saturation_panels_name_relu_pairs_inactive);
	tcase_add_test(tc, a_graph_is_described_by_its_kinds);
	tcase_add_test(tc, extreme_values_make_a_page_not_a_hang);
	tcase_add_test(tc, report_path_defaults_beside_the_results);
	suite_add_tcase(s, tc);
	tc = tcase_create("progress");
	tcase_add_test(tc, progress_line_shows_the_study_and_each_run_with_etas);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(report_suite());
}
