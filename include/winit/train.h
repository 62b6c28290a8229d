/* winit/train.h -- losses, optimizers and the training loop (Keras fit semantics). */
#ifndef WINIT_TRAIN_H
#define WINIT_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <winit/data.h>
#include <winit/diagnostics.h>
#include <winit/error.h>
#include <winit/model.h>
#include <winit/theory.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Softmax + categorical cross-entropy, fused and numerically stable, for a batch of
 * logits (n, c) and integer labels (n) (equivalent to one-hot targets).
 * probs (n, c) may be NULL; dlogits (n, c) = (softmax - onehot) * grad_scale may be
 * NULL.  Returns the summed (not averaged) loss; *n_correct counts argmax hits. */
double winit_softmax_xent(float *dlogits, float *probs, const float *logits,
                          const uint8_t *labels, int64_t n, int64_t c, float grad_scale,
                          int64_t *n_correct);

/* The loss of the model's last training forward pass (winit_model_forward_train) against
 * integer labels (n): the compiled loss (spec.loss) on what that pass produced.  With
 * dout non-NULL, also its gradient w.r.t. that output (the logits when the output layer
 * is fused into the loss, else the activations), times `scale`: the input of
 * winit_model_backward.  Returns the summed loss; *n_correct counts argmax hits. */
double winit_model_loss(const struct winit_model *model, const uint8_t *labels, int64_t n,
                        float *dout, float scale, int64_t *n_correct);

enum winit_optimizer_kind {
	WINIT_OPT_ADAM = 1,
	WINIT_OPT_SGD = 2
};

/* Keras's learning-rate schedules (keras.optimizers.schedules), evaluated before every
 * optimizer step. */
enum winit_lr_schedule_kind {
	WINIT_LR_CONSTANT = 0,
	WINIT_LR_EXPONENTIAL_DECAY = 1,
	WINIT_LR_COSINE_DECAY = 2
};

struct winit_lr_schedule {
	int32_t kind;                 /* enum winit_lr_schedule_kind */
	double initial_learning_rate; /* > 0 */
	double decay_steps;           /* > 0 */
	double decay_rate;            /* ExponentialDecay, > 0 */
	int32_t staircase;            /* ExponentialDecay: whole decay periods only */
	double alpha;                 /* CosineDecay: the final rate, a fraction of the initial */
};

/* The learning rate for the step after `step` steps (0 for the first), as Keras computes it:
 *   ExponentialDecay: initial * decay_rate ^ (step / decay_steps), the exponent floored
 *                     with staircase;
 *   CosineDecay:      initial * ((1 - alpha) * (1 + cos(pi * min(step, decay_steps) /
 *                     decay_steps)) / 2 + alpha);
 *   constant:         initial. */
double winit_lr_schedule_at(const struct winit_lr_schedule *s, int64_t step);
/* Check a schedule's values; err names the field. */
int winit_lr_schedule_check(const struct winit_lr_schedule *s, struct winit_error *err);

struct winit_optimizer_spec {
	int32_t kind;
	double learning_rate; /* Adam 0.001, SGD 0.01 (Keras defaults) */
	double beta_1;        /* 0.9 */
	double beta_2;        /* 0.999 */
	double epsilon;       /* 1e-7 */
	double momentum;      /* SGD only, 0 */
	int32_t nesterov;     /* SGD only */
	/* The learning rate of every step, when its kind is not WINIT_LR_CONSTANT (the
	 * default, zeroed: none): fit sets learning_rate from it before each step, as Keras
	 * does with a schedule as an optimizer's learning_rate.  Part of a run's
	 * description (the results file's "optimizer"."schedule"). */
	struct winit_lr_schedule schedule;
};

/* Keras defaults for a kind. */
struct winit_optimizer_spec winit_optimizer_default(int32_t kind);

struct winit_optimizer {
	struct winit_optimizer_spec spec;
	int64_t t; /* steps taken */
	int64_t n;
	float *m, *v;  /* Adam moments / SGD velocity */
	float alpha_t; /* Adam: this step's bias-corrected rate (winit_optimizer_begin) */
};

int winit_optimizer_init(struct winit_optimizer *opt, const struct winit_optimizer_spec *spec,
                         int64_t n_params, struct winit_error *err);
/* One step: params -= update(grads).  The same as winit_optimizer_begin, then
 * winit_optimizer_apply over all parameters. */
void winit_optimizer_step(struct winit_optimizer *opt, float *params, const float *grads);
/* A step in parts: begin counts the step and fixes its factors (from spec.learning_rate
 * as it is now); apply updates a block of params from grads: `rows` runs of `cols`
 * parameters, the first at `off`, each `stride` after the last, with the learning rate
 * times lr_mult (the block's tensor's multiplier, winit_param_mult; 1: unchanged bits).  Every parameter's update
 * depends on its own gradient and state alone, so applying a step in any number of
 * disjoint blocks, in any order or concurrently from several threads, gives the same bits
 * as applying it at once: the model applies each block of a layer as soon as its gradient
 * is final (winit_model_backward_update). */
void winit_optimizer_begin(struct winit_optimizer *opt);
void winit_optimizer_apply(const struct winit_optimizer *opt, float *params, const float *grads,
                           int64_t off, int64_t rows, int64_t cols, int64_t stride,
                           float lr_mult);
void winit_optimizer_free(struct winit_optimizer *opt);

/* The statistics of an epoch a callback can monitor, as Keras names them in its logs. */
enum winit_monitor {
	WINIT_MONITOR_LOSS = 0,
	WINIT_MONITOR_ACCURACY = 1,
	WINIT_MONITOR_VAL_LOSS = 2, /* the validation ones need validation rows */
	WINIT_MONITOR_VAL_ACCURACY = 3
};
/* Which way a monitored value improves. */
enum winit_monitor_mode {
	WINIT_MODE_AUTO = 0, /* up for the accuracies, down for the losses */
	WINIT_MODE_MIN = 1,
	WINIT_MODE_MAX = 2
};
/* "auto", "min", "max"; NULL for anything else. */
const char *winit_monitor_mode_name(int32_t mode);
int32_t winit_monitor_mode_parse(const char *name); /* -1: unknown */

/* Keras's EarlyStopping, as a part of a fit (winit_fit_spec.early_stopping, a study run's
 * description) or run by a caller's hook (winit_early_stopper).  After each epoch: wait
 * counts up; a value better than the best by more than |min_delta| becomes the best (and
 * with restore_best_weights its parameters are kept), and resets wait unless a baseline
 * is set that the value does not beat by min_delta; once wait >= patience, after any
 * epoch but the first, training stops (with restore_best_weights, on the best weights
 * kept, when an epoch improved on the start). */
struct winit_early_stopping {
	int32_t enabled;              /* 0: none (winit_fit_default; the rest is then ignored) */
	int32_t monitor;              /* enum winit_monitor; Keras: WINIT_MONITOR_VAL_LOSS */
	double min_delta;             /* its absolute value is used; Keras: 0 */
	int32_t patience;             /* epochs, >= 0; Keras: 0 */
	int32_t mode;                 /* enum winit_monitor_mode; Keras: auto */
	int32_t restore_best_weights; /* Keras: 0 */
	int32_t has_baseline;         /* 0: no baseline (Keras: None) */
	double baseline;
};

/* Keras's defaults, enabled: val_loss, min_delta 0, patience 0, auto, no restore. */
struct winit_early_stopping winit_early_stopping_default(void);
/* Check an enabled one's values; err names the field. */
int winit_early_stopping_check(const struct winit_early_stopping *e, struct winit_error *err);

/* The batch size of validation, evaluation and prediction when the caller gives none:
 * winit_fit_default's eval_batch_size, and what winit_evaluate and winit_predict use
 * for a batch_size <= 0. */
#define WINIT_EVAL_BATCH_DEFAULT 256

struct winit_fit_spec {
	int32_t epochs;                        /* 1 */
	int32_t batch_size;                    /* 32 */
	double validation_split;               /* 0: tail fraction of the data held out before shuffling */
	int32_t shuffle;                       /* 1: reshuffle the training part every epoch */
	int32_t eval_batch_size;               /* batch size for validation/evaluation (WINIT_EVAL_BATCH_DEFAULT) */
	int32_t initial_epoch;                 /* 0: epochs initial_epoch + 1 .. epochs run (Keras's) */
	struct winit_diag_cadence diagnostics; /* snapshots to take (winit/diagnostics.h): all */
	/* Keras's EarlyStopping, applied after the hooks' epoch_end (winit_fit_hooks): none
	 * unless enabled.  Part of a run's description (the results file's
	 * "fit"."early_stopping"). */
	struct winit_early_stopping early_stopping;
};

struct winit_fit_spec winit_fit_default(void);

/* Training rows of n after holding out the validation tail, as Keras computes it:
 * floor(n * (1 - validation_split)). */
int64_t winit_fit_train_rows(int64_t n, double validation_split);

struct winit_epoch_stats {
	int32_t epoch; /* 1-based */
	int32_t epochs;
	double loss, accuracy; /* running means over the epoch */
	int32_t has_val;
	double val_loss, val_accuracy;
	double seconds;
};

/* Per-epoch statistics, grown as epochs finish (so a long fit allocates nothing up
 * front and a failed one keeps the epochs it finished). */
struct winit_history {
	int32_t n, cap;
	struct winit_epoch_stats *epochs; /* n entries, owned */
};

int winit_history_append(struct winit_history *h, const struct winit_epoch_stats *st,
                         struct winit_error *err);
void winit_history_free(struct winit_history *h);

/* "loss", "accuracy", "val_loss", "val_accuracy"; NULL for anything else. */
const char *winit_monitor_name(int32_t monitor);
/* The monitor named `name`, or -1. */
int32_t winit_monitor_parse(const char *name);
/* Its value in an epoch's statistics. */
double winit_monitor_value(const struct winit_epoch_stats *st, int32_t monitor);

/* An early stopping's state during one fit. */
struct winit_early_stopper {
	struct winit_early_stopping spec;
	int32_t maximize;      /* the mode, resolved */
	int32_t wait;          /* epochs since the last improvement */
	int32_t have_best;     /* an epoch improved on the start */
	double best;           /* the best value seen (+-inf at the start) */
	int32_t best_epoch;    /* 1-based; 0: none */
	int32_t stopped_epoch; /* the epoch after which it stopped training; 0: it did not */
	int64_t n_params;
	float *best_weights; /* restore_best_weights: n_params floats */
	int32_t owns_weights;
};

/* Start one: `buffer` (n_params floats, the caller's) keeps the best weights when
 * restore_best_weights; NULL: allocated here and freed by winit_early_stopper_free. */
int winit_early_stopper_init(struct winit_early_stopper *s, const struct winit_early_stopping *e,
                             int64_t n_params, float *buffer, struct winit_error *err);
/* After an epoch's statistics are final: may keep or restore `params` (n_params) and set
 * *stop.  An error when it monitors a validation value and the fit has none. */
int winit_early_stopper_epoch_end(struct winit_early_stopper *s, const struct winit_epoch_stats *st,
                                  float *params, int *stop, struct winit_error *err);
void winit_early_stopper_free(struct winit_early_stopper *s);

/* What a caller may change while a fit runs (an observer only watches): Keras's
 * callbacks and schedules are built on these.  Every member may be NULL; no hooks, no
 * change: the same numbers as without them. */
struct winit_fit_hooks {
	void *ctx;
	/* The learning rate before every step (replaces the optimizer's). */
	const struct winit_lr_schedule *schedule;
	/* Before epoch `epoch` (1-based) starts, with the learning rate its steps will use,
	 * which it may change.  A non-zero return (err filled) ends the fit with it. */
	int (*epoch_begin)(void *ctx, int32_t epoch, double *learning_rate, struct winit_error *err);
	/* After the epoch's statistics are final (in the history, seen by the observer).
	 * Setting *stop ends training after this epoch; a non-zero return (err filled) ends
	 * the fit with it. */
	int (*epoch_end)(void *ctx, const struct winit_epoch_stats *stats, int *stop,
	                 struct winit_error *err);
};

struct winit_run_spec;
struct winit_run_result;

/* What a run reports while it happens: one observer type for studies and single fits.
 * `run` is the run's index in its study (0 for a fit outside a study).  Called from the
 * thread that trains the run, so implementations shared by a study's runs must be
 * thread-safe.  Observing never changes a number.  Every member may be NULL. */
struct winit_observer {
	void *ctx;
	void (*run_start)(void *ctx, size_t run, const struct winit_run_spec *spec);
	/* After every step, with the epoch's running means so far. */
	void (*batch_end)(void *ctx, size_t run, int32_t epoch, int64_t step, int64_t steps,
	                  double loss, double accuracy);
	void (*epoch_end)(void *ctx, size_t run, const struct winit_epoch_stats *stats);
	void (*run_end)(void *ctx, size_t run, const struct winit_run_spec *spec,
	                const struct winit_run_result *result);
};

/* Where a fit diverged (WINIT_ERR_DIVERGED).  The loss is checked after every step and
 * the parameters after every epoch; the first non-finite value stops the fit. */
struct winit_divergence {
	int32_t epoch;                   /* 1-based epoch it happened in; 0: no divergence */
	int64_t step;                    /* 1-based step of that epoch (its last step for the parameters) */
	int32_t in_params;               /* 1: a parameter, not the loss, was the first non-finite value */
	int32_t has_last;                /* 0 when the very first step diverged */
	double last_loss, last_accuracy; /* the running means after the last finite step */
};

/* What timing the training steps with and without the model's team decided (the first fit
 * of about 80 steps or more times them; winit_trainer's team_verdict). */
enum winit_team_verdict {
	WINIT_TEAM_DROPPED = -1, /* slower with it: the model's team is dropped */
	WINIT_TEAM_UNTRIED = 0,  /* not measured yet (or no team to measure) */
	WINIT_TEAM_KEPT = 1      /* faster with it: the team trains the rest of the run */
};

/* One training run's lifecycle: the model, its optimizer and the run's random streams
 * (winit/stream.h), owned together.  Every place winit trains (a study's runs, a Lua
 * model's fit) goes through this, so a run is the same computation wherever it happens:
 *
 *     winit_trainer_init      fill every layer from its initializer's stream
 *     winit_trainer_adapt     data-aware initializers see training rows (once; optional)
 *     winit_trainer_fit       Keras fit; later calls continue the same shuffle stream
 *     winit_trainer_evaluate  loss and accuracy on rows of a dataset
 *     winit_trainer_free
 *
 * Training stops between two steps when winit_cancelled() (winit/cancel.h) is non-zero,
 * with WINIT_ERR_CANCELLED, and at the step whose loss (or the epoch whose parameters) is
 * not finite with WINIT_ERR_DIVERGED, recording where in `diverged`.
 *
 * Diagnostics (winit/diagnostics.h): each fit takes the snapshots its spec's cadence asks
 * for on the run's probe batch and appends them to `diag`; the snapshot at initialization
 * (the first fit's, at step 0) also yields `theory`, the signal-propagation prediction
 * (winit/theory.h) anchored at that snapshot's output gradient variance.  Neither changes
 * a training number. */
struct winit_trainer {
	struct winit_model model;
	struct winit_optimizer opt;
	uint64_t seed;                    /* the run seed every stream derives from */
	struct winit_rng shuffle;         /* WINIT_STREAM_SHUFFLE, continued across fits */
	int adapted;                      /* the data-aware initializers have run */
	int64_t steps;                    /* optimizer steps taken in all fits */
	struct winit_diagnostics diag;    /* snapshots of all fits, owned */
	struct winit_theory theory;       /* computed with the snapshot at initialization */
	struct winit_divergence diverged; /* set when a fit returned WINIT_ERR_DIVERGED */
	/* Whether model.team (set by the caller; NULL: one thread) made training steps
	 * faster, measured in the first fit long enough (about 80 steps).  The numbers never
	 * depend on it. */
	enum winit_team_verdict team_verdict;
};

int winit_trainer_init(struct winit_trainer *t, const struct winit_model_spec *model,
                       const struct winit_optimizer_spec *opt, uint64_t seed,
                       struct winit_error *err);
void winit_trainer_free(struct winit_trainer *t);

/* Replace the optimizer (e.g. a second compile); its state starts afresh. */
int winit_trainer_set_optimizer(struct winit_trainer *t, const struct winit_optimizer_spec *opt,
                                struct winit_error *err);

/* Run the data-aware initializers on rows [0, n_rows) of ds (the training part, never the
 * validation tail), once: later calls do nothing.  A no-op for models without them. */
int winit_trainer_adapt(struct winit_trainer *t, const struct winit_dataset *ds, int64_t n_rows,
                        struct winit_error *err);

/* Train on rows [0, n_train) of ds (n_train = winit_fit_train_rows), validating on the
 * tail, with Keras fit semantics.  Runs the data-aware initializers first if they have not
 * run, and takes the diagnostics fit->diagnostics asks for (into t->diag, which keeps the
 * snapshots taken before a failure).  Each finished epoch is appended to history (may be NULL) and reported to obs as
 * run `run`. */
int winit_trainer_fit(struct winit_trainer *t, const struct winit_dataset *ds,
                      const struct winit_fit_spec *fit, const struct winit_observer *obs,
                      size_t run, struct winit_history *history, struct winit_error *err);

/* winit_trainer_fit with Keras's extras: validation on all of `val` (may be NULL; then the
 * validation_split tail of ds, and giving both is an error) and `hooks` (may be NULL).
 * Reads top to bottom in src/nn/fit.c: check, prepare, then per epoch the steps and the
 * end of the epoch. */
int winit_trainer_fit_val_hooks(struct winit_trainer *t, const struct winit_dataset *ds,
                                const struct winit_dataset *val, const struct winit_fit_spec *fit,
                                const struct winit_fit_hooks *hooks,
                                const struct winit_observer *obs, size_t run,
                                struct winit_history *history, struct winit_error *err);

/* Deprecated: the former name of winit_trainer_fit_val_hooks, kept for programs built
 * against it. */
#if defined(__GNUC__) || defined(__clang__)
#define WINIT_DEPRECATED_FOR(f) __attribute__((deprecated("use " #f)))
#else
#define WINIT_DEPRECATED_FOR(f)
#endif
int winit_trainer_fit_with(struct winit_trainer *t, const struct winit_dataset *ds,
                           const struct winit_dataset *val, const struct winit_fit_spec *fit,
                           const struct winit_fit_hooks *hooks, const struct winit_observer *obs,
                           size_t run, struct winit_history *history, struct winit_error *err)
	WINIT_DEPRECATED_FOR(winit_trainer_fit_val_hooks);

/* Mean loss and accuracy over rows [begin, end) of ds. */
int winit_evaluate(struct winit_model *model, const struct winit_dataset *ds, int64_t begin,
                   int64_t end, int32_t batch_size, double *loss, double *accuracy,
                   struct winit_error *err);

/* Output activations (n, outputs) for rows [begin, end) of ds, written to out. */
int winit_predict(struct winit_model *model, const struct winit_dataset *ds, int64_t begin,
                  int64_t end, int32_t batch_size, float *out, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_TRAIN_H */
