/* winit/train.h -- losses, optimizers and the training loop (Keras fit semantics). */
#ifndef WINIT_TRAIN_H
#define WINIT_TRAIN_H

#include <stdint.h>
#include <winit/data.h>
#include <winit/error.h>
#include <winit/model.h>

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

enum winit_optimizer_kind {
	WINIT_OPT_ADAM = 1,
	WINIT_OPT_SGD = 2
};

struct winit_optimizer_spec {
	int32_t kind;
	double learning_rate;   /* Adam 0.001, SGD 0.01 (Keras defaults) */
	double beta_1;          /* 0.9 */
	double beta_2;          /* 0.999 */
	double epsilon;         /* 1e-7 */
	double momentum;        /* SGD only, 0 */
	int32_t nesterov;       /* SGD only */
};

/* Keras defaults for a kind. */
struct winit_optimizer_spec winit_optimizer_default(int32_t kind);

struct winit_optimizer {
	struct winit_optimizer_spec spec;
	int64_t t;              /* steps taken */
	int64_t n;
	float *m, *v;           /* Adam moments / SGD velocity */
};

int winit_optimizer_init(struct winit_optimizer *opt, const struct winit_optimizer_spec *spec,
                         int64_t n_params, struct winit_error *err);
/* One step: params -= update(grads). */
void winit_optimizer_step(struct winit_optimizer *opt, float *params, const float *grads);
void winit_optimizer_free(struct winit_optimizer *opt);

/* The batch size of validation, evaluation and prediction when the caller gives none:
 * winit_fit_default's eval_batch_size, and what winit_evaluate and winit_predict use
 * for a batch_size <= 0. */
#define WINIT_EVAL_BATCH_DEFAULT 256

struct winit_fit_spec {
	int32_t epochs;            /* 1 */
	int32_t batch_size;        /* 32 */
	double validation_split;   /* 0: tail fraction of the data held out before shuffling */
	int32_t shuffle;           /* 1: reshuffle the training part every epoch */
	int32_t eval_batch_size;   /* batch size for validation/evaluation (WINIT_EVAL_BATCH_DEFAULT) */
};

struct winit_fit_spec winit_fit_default(void);

/* Training rows of n after holding out the validation tail, as Keras computes it:
 * floor(n * (1 - validation_split)). */
int64_t winit_fit_train_rows(int64_t n, double validation_split);

struct winit_epoch_stats {
	int32_t epoch;             /* 1-based */
	int32_t epochs;
	double loss, accuracy;     /* running means over the epoch */
	int32_t has_val;
	double val_loss, val_accuracy;
	double seconds;
};

struct winit_fit_observer {
	void *ctx;
	/* After every step; may be NULL. */
	void (*batch_end)(void *ctx, int32_t epoch, int64_t step, int64_t steps,
	                  double loss, double accuracy);
	void (*epoch_end)(void *ctx, const struct winit_epoch_stats *stats);
	/* Polled between steps: non-zero stops training with WINIT_ERR_CANCELLED. */
	int (*should_stop)(void *ctx);
};

/* Train on rows [0, n_train) of ds (n_train = floor(n * (1 - validation_split)) as Keras
 * computes it), validating on the tail.  history (may be NULL) receives fit->epochs
 * entries.  Randomness (shuffling) comes from rng. */
int winit_fit(struct winit_model *model, struct winit_optimizer *opt,
              const struct winit_dataset *ds, const struct winit_fit_spec *fit,
              struct winit_rng *rng, const struct winit_fit_observer *obs,
              struct winit_epoch_stats *history, struct winit_error *err);

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
