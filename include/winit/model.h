/* winit/model.h -- models as data (specs) and their trainable instances.
 *
 * A struct winit_model_spec is plain data: layer sizes and, for each layer, its
 * activation and initializers as resolved plugin descriptors with their full parameter
 * values.  It can be copied, serialised and handed to another thread.  A struct
 * winit_model is one instance: all parameters in one allocation with per-layer views, so
 * the optimizer step is one flat loop and a checkpoint is one write.
 */
#ifndef WINIT_MODEL_H
#define WINIT_MODEL_H

#include <stdint.h>
#include <winit/data.h>
#include <winit/error.h>
#include <winit/plugin.h>
#include <winit/rng.h>
#include <winit/team.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin chosen by name, with its parameter values (declaration order, defaults
 * filled in). */
struct winit_plugin_entry; /* winit/registry.h */

struct winit_plugin_use {
	const struct winit_plugin_info *info;
	double params[WINIT_MAX_PARAMS];
	/* Where it was found (file, size, crc32, what it shadows), for reports; may be NULL. */
	const struct winit_plugin_entry *entry;
};

struct winit_layer_spec {
	int64_t units;
	int use_bias;
	struct winit_plugin_use activation;
	struct winit_plugin_use kernel_initializer;
	struct winit_plugin_use bias_initializer;
};

/* Losses a model is compiled with. */
enum winit_loss {
	/* Cross-entropy against integer class labels (the same as against one-hot targets).
	 * With a softmax output layer it is computed from the logits, fused with the softmax
	 * (as Keras does), and training never evaluates the softmax itself; with any other
	 * output activation, -log(clip(p_y, 1e-7, 1 - 1e-7)) on the activations. */
	WINIT_LOSS_CATEGORICAL_CROSSENTROPY = 0
};

struct winit_model_spec {
	int32_t n_input_dims; /* e.g. 2 for a 28x28 image fed through Flatten */
	int64_t input_shape[3];
	int64_t n_inputs; /* product of input_shape */
	int32_t n_layers;                /* Dense layers, any number */
	struct winit_layer_spec *layers; /* n_layers entries, owned: winit_model_spec_free */
	int32_t cap_layers;              /* entries allocated */
	int32_t loss;                    /* enum winit_loss, set by compile */
};

/* A spec owns its layers, so it is copied with winit_model_spec_copy (never by
 * assignment) and released with winit_model_spec_free; a zeroed spec is empty and valid
 * to free.  Add a layer at the end (the spec grows as needed). */
int winit_model_spec_add_layer(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                               struct winit_error *err);
/* dst becomes an independent copy of src (dst is overwritten, not freed first). */
int winit_model_spec_copy(struct winit_model_spec *dst, const struct winit_model_spec *src,
                          struct winit_error *err);
void winit_model_spec_free(struct winit_model_spec *spec);

/* Observation hooks: see the values flowing through a layer without changing the math.
 * Every member may be NULL. */
struct winit_layer_hooks {
	void *ctx;
	/* After layer `layer`'s forward pass: z = pre-activation, a = activation,
	 * both (rows, cols). */
	void (*forward)(void *ctx, int layer, const float *z, const float *a,
	                int64_t rows, int64_t cols);
	/* After its backward pass: dz (rows, cols) gradient w.r.t. the pre-activation,
	 * dw (n_in, cols) the kernel gradient. */
	void (*backward)(void *ctx, int layer, const float *dz, const float *dw,
	                 int64_t rows, int64_t n_in, int64_t cols);
};

struct winit_dense {
	int64_t n_in, n_out;
	float *w;       /* (n_in, n_out), view into params */
	float *b;       /* (n_out) or NULL */
	float *dw, *db; /* views into grads */
	const struct winit_activation *act;
	const double *act_params;
};

struct winit_model {
	struct winit_model_spec spec;
	int64_t n_params;
	float *params; /* all weights, one allocation */
	float *grads;  /* same layout */
	struct winit_dense *layer; /* spec.n_layers */
	/* Work buffers, sized for `cap_batch` rows. */
	int64_t cap_batch;
	float **z; /* spec.n_layers pre-activations (cap_batch, n_out) */
	float **a; /* spec.n_layers activations (cap_batch, n_out) */
	float *delta[2];            /* backward scratch (cap_batch, widest), used in turn */
	struct winit_layer_hooks hooks;
	/* The threads a pass is split among (borrowed; NULL: the calling thread alone).  Each
	 * layer's products are cut into one chunk per member (winit/team.h): a layer wide
	 * enough into shares of its output columns, the same share for a member in every pass
	 * when no one is late (its columns of z, W, dW and b stay in its cache from step to
	 * step); a narrow one into shares of the batch's rows (and of its dW's rows).  Input
	 * gradients split the batch's rows.  Every element is computed in one fixed order
	 * whoever computes it, so the numbers are the same for any team; with hooks set,
	 * passes run on the calling thread. */
	struct winit_team *team;
	/* The output layer's activation is fused into the loss (softmax + cross-entropy):
	 * training passes stop at its logits. */
	int output_fused;
	/* An activation that wrote outside a work buffer (z, a, the deltas: each has guard
	 * zones around it): set by the pass that found it, the first one kept, reported by
	 * winit_model_fault.  The writes landed in the zones, so the heap is intact, but the
	 * model's numbers are not to be trusted any more. */
	int faulted;
	char fault[240];
};

/* Check a spec is complete and consistent (sizes, kinds of plugins). */
int winit_model_spec_check(const struct winit_model_spec *spec, struct winit_error *err);

/* ---- A spec as Keras builds one (src/nn/spec.c): Dense's defaults and compile's rules.
 * The Lua binding's layers.Dense and model:compile take them from here, so a C program
 * gets the same model and the same refusals. */

/* Keras's Dense(units): activation None (linear), a bias, kernel glorot_uniform, bias zeros. */
#define WINIT_DENSE_DEFAULT_ACTIVATION "linear"
#define WINIT_DENSE_DEFAULT_KERNEL_INITIALIZER "glorot_uniform"
#define WINIT_DENSE_DEFAULT_BIAS_INITIALIZER "zeros"
#define WINIT_DENSE_DEFAULT_USE_BIAS 1

struct winit_registry; /* winit/registry.h */

/* The plugin of reg of that kind and name, with its default parameters; an unknown name
 * is WINIT_ERR_PLUGIN, naming the plugins of the kind reg has. */
int winit_plugin_use_default(struct winit_plugin_use *use, const struct winit_registry *reg,
                             uint32_t kind, const char *name, struct winit_error *err);

/* *l = a Dense layer of `units` with Keras's defaults (above), each plugin from reg with
 * its default parameters; change members afterwards (winit_plugin_use_default for
 * another activation or initializer). */
int winit_layer_spec_default(struct winit_layer_spec *l, const struct winit_registry *reg,
                             int64_t units, struct winit_error *err);

/* Keras's names of a loss: "categorical_crossentropy" and "sparse_categorical_crossentropy"
 * are both WINIT_LOSS_CATEGORICAL_CROSSENTROPY (labels are integers: against their one-hot
 * rows it is the same number).  Anything else is WINIT_ERR_ARG, naming the known ones. */
int winit_loss_from_name(const char *name, enum winit_loss *loss, struct winit_error *err);

/* Keras's compile of a spec: the loss it trains with and what that needs of the output
 * layer.  Categorical cross-entropy reads the last layer's outputs as class probabilities,
 * which only softmax makes (there is no from_logits): any other output activation is
 * WINIT_ERR_ARG, naming it.  On error spec is unchanged.  (The engine can train other
 * outputs, with the clipped loss of enum winit_loss; compile is the rule models made the
 * Keras way follow.) */
int winit_model_spec_compile(struct winit_model_spec *spec, enum winit_loss loss,
                             struct winit_error *err);

/* Weights and biases of layer i (0-based), and of the whole model. */
int64_t winit_model_spec_layer_params(const struct winit_model_spec *spec, int i);
int64_t winit_model_spec_params(const struct winit_model_spec *spec);

/* Allocate and initialise a model: each layer's kernel and bias are filled by their
 * initializer plugins from the run's streams (winit/stream.h) of run seed `seed`. */
int winit_model_init(struct winit_model *model, const struct winit_model_spec *spec,
                     uint64_t seed, struct winit_error *err);
void winit_model_free(struct winit_model *model);

/* Non-zero when some layer's kernel initializer is data-aware (has an adapt hook). */
int winit_model_spec_needs_data(const struct winit_model_spec *spec);

/* The most rows of training data a data-aware initializer is shown. */
#define WINIT_PROBE_ROWS 512

/* Run the data-aware initializers, layer by layer in order, on a batch of
 * min(WINIT_PROBE_ROWS, n_rows) rows drawn at random (WINIT_STREAM_ADAPT_ROWS of run seed
 * `seed`) among rows [0, n_rows) of ds -- the training part, never the validation tail.
 * A no-op for models without data-aware initializers. */
int winit_model_adapt(struct winit_model *model, const struct winit_dataset *ds,
                      int64_t n_rows, uint64_t seed, struct winit_error *err);

/* Make the work buffers hold at least n_batch rows. */
int winit_model_reserve(struct winit_model *model, int64_t n_batch, struct winit_error *err);

/* WINIT_ERR_PLUGIN, with a message naming the layer, the activation plugin, the callback
 * (forward or backward) and how many floats it wrote before or past which buffer, when a
 * pass found that an activation wrote outside its buffers (the guard zones around the
 * model's work buffers are checked after each pass); WINIT_OK otherwise.  Callers of the
 * passes check it after them: fit after every step, evaluate and predict at their end. */
int winit_model_fault(const struct winit_model *model, struct winit_error *err);

/* Forward pass of n_batch rows of x (n_batch, n_inputs); returns the output
 * activations (n_batch, n_outputs), valid until the next call.  Calls hooks.forward. */
const float *winit_model_forward(struct winit_model *model, const float *x, int64_t n_batch);
/* The forward pass training and evaluation need: the same, but when the output layer is
 * fused into the loss (output_fused) it stops at the logits, which it returns. */
const float *winit_model_forward_train(struct winit_model *model, const float *x,
                                       int64_t n_batch);
/* The same through the first n_layers layers only; returns their last activation (or x
 * when n_layers is 0). */
const float *winit_model_forward_layers(struct winit_model *model, const float *x,
                                        int64_t n_batch, int n_layers);

/* Backward pass after winit_model_forward_train, from dout (n_batch, n_outputs): the
 * loss's gradient w.r.t. what that pass returned (winit_model_loss computes it).  Every
 * activation's backward runs here, the output layer's included unless it is fused into
 * the loss.  Overwrites model->grads and dout.  x is the batch given to forward. */
void winit_model_backward(struct winit_model *model, const float *x, float *dout,
                          int64_t n_batch);

/* What to do with a block of parameters (of model->params and model->grads) once their
 * gradients are final: `rows` runs of `cols` parameters, the first at `off`, each `stride`
 * after the last (a block of a layer's weight matrix, or of its bias with rows = 1).
 * Called during a backward pass, from any thread of the model's team, on disjoint blocks
 * that cover every parameter once. */
struct winit_param_update {
	void (*fn)(void *ctx, int64_t off, int64_t rows, int64_t cols, int64_t stride);
	void *ctx;
};

/* winit_model_backward, applying `update` (may be NULL) to each block of a layer's weights
 * and biases as soon as no later part of the pass reads them: the optimizer's step runs
 * while the gradients are still in cache instead of as a pass of its own.  The gradients
 * are still left in model->grads. */
void winit_model_backward_update(struct winit_model *model, const float *x, float *dout,
                                 int64_t n_batch, const struct winit_param_update *update);

static inline int64_t winit_model_outputs(const struct winit_model *m)
{
	return m->spec.layers[m->spec.n_layers - 1].units;
}

#ifdef __cplusplus
}
#endif
#endif /* WINIT_MODEL_H */
