/* winit/diagnostics.h -- what a run looks like inside, recorded while it trains.
 *
 * A fixed probe batch of min(WINIT_DIAG_PROBE_ROWS, n_train) training rows (fewer for a
 * model with a layer wider than 8,192 values: WINIT_DIAG_PROBE_VALUES), drawn once from
 * the run's WINIT_STREAM_PROBE stream (never the validation tail), is pushed forward and
 * backward through the model at chosen moments ("snapshots"): at initialization (after
 * the data-aware initializers), after optimizer steps 1, 2, 4, ..., WINIT_DIAG_EARLY_MAX
 * and at the end of every epoch.  The probe pass runs on a scratch copy of the model's
 * work buffers and gradients that shares only the (read-only) weights, so diagnostics
 * never change a training number: a study's results are bit-identical with them on or
 * off.
 */
#ifndef WINIT_DIAGNOSTICS_H
#define WINIT_DIAGNOSTICS_H

#include <stdint.h>
#include <winit/data.h>
#include <winit/error.h>
#include <winit/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most rows in the probe batch. */
#define WINIT_DIAG_PROBE_ROWS 512
/* The most values of one layer's outputs over the probe batch (16 MB of floats): a model
 * with a layer wider than WINIT_DIAG_PROBE_VALUES / WINIT_DIAG_PROBE_ROWS = 8,192 values
 * per example (a convolution's feature maps) takes floor(WINIT_DIAG_PROBE_VALUES / widest)
 * rows, at least one: the first of the same draw.  A probe of 512 rows of the tutorial
 * CNN's 26x26x32 maps held 44 MB per buffer and layer. */
#define WINIT_DIAG_PROBE_VALUES ((int64_t)1 << 22)
/* The last of the log-spaced early steps 1, 2, 4, ... */
#define WINIT_DIAG_EARLY_MAX 512
/* The most validation rows a snapshot evaluates: the first ones of the validation split
 * (a fixed subset, the same at every snapshot; a full pass at every early snapshot would
 * cost more than the epoch's training for Fashion-MNIST's 12000 held-out rows). */
#define WINIT_DIAG_VAL_ROWS 512

/* Which snapshots a fit takes (each 0 or 1); winit_fit_default has all three on. */
struct winit_diag_cadence {
	int32_t init;   /* at initialization: step 0, after the data-aware initializers */
	int32_t early;  /* after steps 1, 2, 4, ..., WINIT_DIAG_EARLY_MAX */
	int32_t epochs; /* at the end of every epoch */
};

/* One layer at one snapshot.  Values that are not defined are NaN (null in JSON). */
struct winit_diag_layer {
	double pre_mean, pre_var;  /* pre-activation z over (probe rows, units) */
	double act_mean, act_var;  /* activation f(z) */
	double grad_var;           /* dL/dz over (probe rows, units), L the mean probe loss */
	double wgrad_var;          /* dL/dW over the kernel */
	double w_mean, w_sd;       /* the kernel */
	double update_ratio;       /* ||W - W before the last step|| / ||W||; NaN at step 0 */
	int64_t dead;              /* units with f'(z) = 0 on every probe row (row-wise
	                            * activations: with f(z) = 0 on every row) */
	double dead_fraction;      /* dead / units */
	double saturated_fraction; /* (row, unit) pairs with |f'(z)| < 1% of f's largest
	                            * |f'| (over z in [-10, 10] and the probe); NaN for
	                            * row-wise activations */
	int64_t distinct_units;    /* units whose incoming weight vectors differ (equal to
	                            * WINIT_DIAG_TOLERANCE of the kernel's largest |w|
	                            * count once): 1 for a constant kernel */
};
/* What a layer kind does not have is "not recorded for this layer kind": NaN for the
 * f64 members, -1 for distinct_units.  A kind without an activation (Add, Flatten, ...)
 * has its output as both z and f(z), no saturation (NaN) and, without a kernel, no
 * kernel statistics (wgrad_var, w_mean, w_sd, update_ratio NaN, distinct_units -1); its
 * dead units are the output's columns that are 0 on every probe row. */

/* Every member of struct winit_diag_layer, once, in the order the results file, the MPI
 * wire format, the Lua tables and the readers' validation (src/report/results_schema.c)
 * take them from this list: X(member, type, range) with type f64 (a double, NaN when
 * undefined) or i64 (an int64_t count), range any, unit ([0, 1]) or count (>= 0).  Adding
 * a per-layer diagnostic is its member above, its computation, one line here, and its
 * member in the report's struct winit_report_layer_diag (plus its drawing, if drawn). */
#define WINIT_DIAG_LAYER_FIELDS(X)       \
	X(pre_mean, f64, any)            \
	X(pre_var, f64, any)             \
	X(act_mean, f64, any)            \
	X(act_var, f64, any)             \
	X(grad_var, f64, any)            \
	X(wgrad_var, f64, any)           \
	X(w_mean, f64, any)              \
	X(w_sd, f64, any)                \
	X(update_ratio, f64, any)        \
	X(dead, i64, count)              \
	X(dead_fraction, f64, unit)      \
	X(saturated_fraction, f64, unit) \
	X(distinct_units, i64, count_or_none)

/* Two kernel columns are the same unit when no entry differs by more than this times
 * the kernel's largest |w|. */
#define WINIT_DIAG_TOLERANCE 1e-6

/* Bins of a kernel's weight histogram at initialization, and its half-width in the
 * kernel's standard deviations. */
#define WINIT_DIAG_HIST_BINS 41
#define WINIT_DIAG_HIST_SDS 4.0

/* One kernel's weights in WINIT_DIAG_HIST_BINS equal bins over [-half_width, half_width]
 * (the last bin includes its right edge); weights outside it count in underflow and
 * overflow, so underflow + the counts + overflow = the kernel's size.  half_width =
 * max(WINIT_DIAG_HIST_SDS x sd, 2 |mean|) of the kernel's weights: 0 only for an
 * all-zero kernel, every weight of which is then counted in the centre bin. */
struct winit_diag_hist {
	double half_width;
	double declared_sd; /* the kernel initializer's declared sd; NaN when it declares none
	                     * or is data-aware (its adapt hook changed the weights) */
	int64_t underflow, overflow;
	int64_t count[WINIT_DIAG_HIST_BINS];
};

struct winit_diag_snapshot {
	int64_t step;  /* optimizer steps taken when it was taken */
	int32_t epoch; /* 0 at initialization, else the epoch running or just ended */
	int32_t n_layers;
	struct winit_diag_layer *layers; /* n_layers, owned */
	/* The model's loss (mean categorical cross-entropy) and accuracy at that moment: */
	double probe_loss, probe_accuracy; /* on the probe batch (training rows) */
	int64_t probe_rows;                /* its rows (the same in every snapshot of a fit) */
	int64_t val_rows;                  /* validation rows measured: all of them at an epoch's
	                                    * end (the epoch's own validation pass, so these equal
	                                    * the history's), else the first
	                                    * min(WINIT_DIAG_VAL_ROWS, n_val) of the validation
	                                    * split; 0 when the fit has no validation data */
	double val_loss, val_accuracy;     /* on those rows; NaN when val_rows is 0 */
	struct winit_diag_hist *hist;      /* n_layers, owned: in the snapshot at initialization
	                                    * (step 0) only, else NULL */
};

/* The snapshots of a run, grown as they are taken. */
struct winit_diagnostics {
	int32_t n, cap;
	struct winit_diag_snapshot *snaps; /* n, owned */
};

void winit_diagnostics_free(struct winit_diagnostics *d);

/* The allocations a probe owns (its buffers, by role: src/nn/diag_pool.h). */
#define WINIT_DIAG_PROBE_BUFS 10

/* The probe batch and the scratch buffers of one model's snapshots. */
struct winit_diag_probe {
	int64_t rows;
	float *x;                   /* (rows, n_inputs) */
	uint8_t *y;                 /* (rows) */
	double input_m2;            /* mean of x^2 over the batch */
	double input_mean;          /* mean of x over the batch */
	struct winit_model scratch; /* the model's weights; its own grads and work buffers */
	float *dout;                /* (rows, outputs) */
	float *ones, *deriv;        /* (rows, widest): dy = 1 and f'(z) */
	uint8_t *live;              /* (widest): units seen non-zero */
	float *prev;                /* (n_params) weights before the last step */
	int has_prev;
	double *max_deriv; /* (n_layers) of each layer's activation over [-10, 10], owned */
	/* The validation rows each snapshot evaluates (winit_diag_probe_validation). */
	const struct winit_dataset *val; /* NULL: none */
	int64_t val_begin, val_rows;
	int32_t val_later; /* the next snapshot leaves val_* to its caller (fit fills them in
	                    * from the epoch's full validation pass at an epoch's last step) */
	const float *vx;   /* (val_rows, n_inputs): in val itself for float data, else
	                    * converted once into a buffer of the probe's */
	const uint8_t *vy; /* (val_rows): in val itself */
	/* The allocations behind the buffers above, owned; winit_diag_probe_free leaves them
	 * to the thread's next probe (see winit_diag_spares_free). */
	void *buf[WINIT_DIAG_PROBE_BUFS];
	size_t buf_cap[WINIT_DIAG_PROBE_BUFS];
};

/* Draw the probe batch (min(WINIT_DIAG_PROBE_ROWS, n_train) rows of [0, n_train) of ds,
 * from the stream WINIT_STREAM_PROBE of run seed `seed`) and allocate scratch buffers
 * for model m.  The probe refers to m's weights and team: free it before m. */
int winit_diag_probe_init(struct winit_diag_probe *p, const struct winit_model *m,
                          const struct winit_dataset *ds, int64_t n_train, uint64_t seed,
                          struct winit_error *err);
void winit_diag_probe_free(struct winit_diag_probe *p);
/* winit_diag_probe_free keeps a freed probe's buffers (a few megabytes for Fashion-MNIST's
 * model) for the next probe on the same thread: the runs of a study have the same shapes,
 * so their pages are zero-filled by the kernel once per thread, not once per run.  They
 * are freed when the thread exits, or now by this (on the calling thread). */
void winit_diag_spares_free(void);

/* Make every later snapshot also measure loss and accuracy on rows [begin, begin + k) of
 * val, k = min(WINIT_DIAG_VAL_ROWS, end - begin): the validation split's first rows.
 * They are pushed through the probe's scratch model in chunks of the probe's rows, read
 * in place from float data, converted once here from byte data.  val must outlive the
 * probe. */
int winit_diag_probe_validation(struct winit_diag_probe *p, const struct winit_dataset *val,
                                int64_t begin, int64_t end, struct winit_error *err);

/* Keep a copy of m's weights: the next snapshot's update_ratio compares against it. */
void winit_diag_probe_keep_weights(struct winit_diag_probe *p, const struct winit_model *m);

/* Take a snapshot of m on the probe batch (and on the validation rows, when the probe has
 * them) and append it to out; at step 0 with each kernel's weight histogram. */
int winit_diag_snapshot(struct winit_diagnostics *out, struct winit_diag_probe *p,
                        const struct winit_model *m, int64_t step, int32_t epoch,
                        struct winit_error *err);

/* Non-zero when the cadence takes a snapshot after global step `step` (1-based); `epoch_end`
 * says that step ends an epoch. */
int winit_diag_due(const struct winit_diag_cadence *c, int64_t step, int epoch_end);

/* The histogram of w[0..n) (declared_sd left NaN). */
void winit_diag_histogram(struct winit_diag_hist *h, const float *w, int64_t n);

/* Distinct columns of a (n_in, n_out) kernel, to WINIT_DIAG_TOLERANCE. */
int64_t winit_diag_distinct_units(const float *w, int64_t n_in, int64_t n_out);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_DIAGNOSTICS_H */
