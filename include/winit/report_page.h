/* winit/report_page.h -- the HTML report: a results file read back whole (runs, history,
 * test metrics, per-layer diagnostics, theory) as plain structs, and the page written
 * from them.
 *
 * winit_results_write_json (winit/results.h) writes the file; winit_report_read loads all
 * of it for the report (resume checks runs with winit_results_read, winit/results.h).
 * Everything the reader fills is owned by the struct winit_report_study and released by
 * winit_report_free.  Numbers the file holds as null (the writer's NaN and infinities)
 * and optional numbers it lacks read as NaN.
 */
#ifndef WINIT_REPORT_PAGE_H
#define WINIT_REPORT_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <winit/coord.h>
#include <winit/spectrum.h>
#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin reference: name and parameters.  A choice parameter has its choice in `text`
 * (value NaN); a number or integer has text NULL. */
struct winit_report_param {
	char *name;
	double value;
	char *text;
};

struct winit_report_plugin {
	char *name;
	size_t n_params;
	struct winit_report_param *params;
};

struct winit_report_layer {
	char *type; /* "Dense" */
	int64_t units;
	struct winit_report_plugin activation;
	struct winit_report_plugin kernel_initializer;
	int32_t use_bias;
	struct winit_report_plugin bias_initializer; /* name NULL without a bias */
	/* A window's walk (Conv2D's kernel_size, a pooling's pool_size), its strides and
	 * dilation_rate: {0, 0} when the layer has none; its padding ("valid", "same",
	 * "circular"), NULL when none; Dropout's rate, NaN for other kinds. */
	int64_t window[2], strides[2], dilation[2];
	char *padding;
	double rate;
};

struct winit_report_epoch {
	int32_t epoch; /* 1-based */
	double loss, accuracy;
	int32_t has_val;
	double val_loss, val_accuracy; /* NaN without validation */
	double seconds;
};

/* A kernel's weights at initialization: n_bins equal bins over [lo, hi], weights outside
 * in underflow and overflow.  lo == hi (a zero range: an all-zero kernel) puts every
 * counted weight at that one value. */
struct winit_report_hist {
	double lo, hi;
	size_t n_bins;
	int64_t *count; /* n_bins */
	int64_t underflow, overflow;
	double declared_sd; /* the initializer's declared sd; NaN when unknown */
};

/* One layer's diagnostics in one snapshot (NaN or -1 where the file has none). */
struct winit_report_layer_diag {
	double pre_mean, pre_var, act_mean, act_var;
	double grad_var, wgrad_var;
	double w_mean, w_sd;
	double update_ratio; /* NaN at step 0 */
	int64_t dead;        /* units dead on every probe sample; -1 if absent */
	double dead_fraction, saturated_fraction;
	int64_t distinct_units;         /* -1 if absent */
	struct winit_report_hist *hist; /* "weights_hist", NULL if absent (it is recorded at
	                                 * initialization only) */
};

struct winit_report_snapshot {
	int64_t step; /* optimizer steps taken */
	int32_t epoch;
	double probe_loss, probe_accuracy; /* on the probe batch; NaN if absent */
	int64_t probe_rows;                /* its rows; 0 if absent (files before 2026-12-07) */
	int64_t val_rows;                  /* validation rows measured; 0 if none or absent */
	double val_loss, val_accuracy;     /* on them; NaN if none or absent */
	size_t n_layers;
	struct winit_report_layer_diag *layers;
};

/* What signal-propagation theory predicts at initialization, per layer. */
struct winit_report_theory {
	int32_t present; /* the run has a "theory" member */
	int32_t applies;
	char *reason; /* why not, when !applies (may be NULL) */
	size_t n_layers;
	double *pre_var, *grad_var; /* n_layers each; NaN where the file has null */
};

struct winit_report_run {
	char *name, *label;
	int32_t replicate;
	uint64_t seed, run_seed;
	/* the model */
	size_t n_input_dims;
	int64_t input_shape[8];
	size_t n_layers;
	struct winit_report_layer *layers;
	/* the optimizer (fields the file lacks for its kind are NaN / 0) */
	char *optimizer;
	double learning_rate, beta_1, beta_2, epsilon, momentum;
	int32_t nesterov;
	char *loss;
	/* fit */
	int32_t epochs, batch_size, shuffle;
	double validation_split;
	/* data */
	char *train_source, *test_source;
	int64_t n_train, n_val, n_test;
	/* outcome */
	int32_t ok;  /* status "ok" */
	int32_t diverged;        /* status "diverged" */
	int32_t expect_diverged; /* "expect": "diverged": the script expected it to diverge */
	char *error; /* the failure's message, NULL when ok */
	size_t n_epochs;
	struct winit_report_epoch *history;
	int32_t has_test;
	double test_loss, test_accuracy; /* NaN without a test evaluation */
	double seconds;
	char *kernels;
	/* learning speed (the file's "learning"): the validation accuracy aimed at (NaN: none)
	 * and the first step whose snapshot reached it (-1: never; has_steps 0: the run
	 * measured validation accuracy at no snapshot) */
	double target;
	int32_t has_steps;
	int64_t steps_to_target;
	/* evidence, when recorded */
	size_t n_snapshots;
	struct winit_report_snapshot *diagnostics;
	struct winit_report_theory theory;
};

struct winit_report_study {
	char *format; /* WINIT_RESULTS_FORMAT */
	int32_t version;
	char *generator, *study;
	uint64_t seed;
	size_t n_runs;
	struct winit_report_run *runs;
	size_t n_coord_checks;
	struct winit_coord_check *coord_checks; /* the file's "coord_checks" (winit/coord.h) */
	size_t n_spectra;
	struct winit_spectrum *spectra; /* the file's "spectra" (winit/spectrum.h) */
};

/* Read a results file (version 1 or 2), validated as every reader validates it
 * (docs/results-format.md, "Validation").  Refuses, with the file and what was expected,
 * a file that is not a regular file, not JSON (line, column and byte of the syntax
 * error; a key twice in an object), not a winit results file, of a version newer than
 * WINIT_RESULTS_VERSION, or whose members have the wrong type or a value out of range
 * (the member's path, e.g. "runs[2].history[0].loss").  On failure *out is left empty
 * (safe to free). */
int winit_report_read(const char *path, struct winit_report_study *out, struct winit_error *err);
void winit_report_free(struct winit_report_study *r);

/* Write the report of a results file read back: one self-contained HTML page (inline
 * SVG, no script, nothing fetched) with the statistics table, learning curves and,
 * when the runs recorded them, diagnostics beside theory.  `source` names the results
 * file in the page (may be NULL).  The file is written as winit/safe_write.h writes
 * every file: replaced atomically, a regular file only, and only a page winit wrote (or
 * an empty file) unless flags (the _ext form) has WINIT_WRITE_FORCE. */
int winit_report_write_html(const char *path, const struct winit_report_study *r, const char *source,
                            struct winit_error *err);
int winit_report_write_html_ext(const char *path, const struct winit_report_study *r,
                                const char *source, unsigned flags, struct winit_error *err);
/* The same report with a section of the caller's after the summary: extra(f, ctx) writes
 * it (HTML, well-formed) to the page; extra NULL: none (the Lua binding's
 * results:report{figures} passes its figures through it). */
typedef void (*winit_report_html_extra_fn)(FILE *f, void *ctx);
int winit_report_write_html_with(const char *path, const struct winit_report_study *r,
                                 const char *source, winit_report_html_extra_fn extra, void *ctx,
                                 unsigned flags, struct winit_error *err);

/* The report's default path for a results file: the same name with .html for .json
 * (or .html appended).  Returns 0, or WINIT_ERR_ARG when it does not fit in `size`. */
int winit_report_default_path(char *out, size_t size, const char *results_path);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_REPORT_PAGE_H */
