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
#include <winit/shape.h>
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

/* The kinds of layer a model is made of (src/layers/: one folder each).  Keras's class
 * names: winit_layer_kind_name. */
enum winit_layer_kind {
	WINIT_LAYER_DENSE = 0, /* a zeroed layer spec is a Dense layer */
	WINIT_LAYER_FLATTEN = 1,
	WINIT_LAYER_RESHAPE = 2,
	WINIT_LAYER_ADD = 3,
	WINIT_LAYER_CONCATENATE = 4,
	WINIT_LAYER_CONV2D = 5,
	WINIT_LAYER_MAX_POOLING2D = 6,
	WINIT_LAYER_AVERAGE_POOLING2D = 7,
	WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D = 8,
	WINIT_LAYER_DROPOUT = 9,
	WINIT_LAYER_BATCH_NORMALIZATION = 10,
	WINIT_LAYER_LAYER_NORMALIZATION = 11,
	WINIT_LAYER_SCALE = 12,
	WINIT_LAYER_KINDS
};

/* Conv2D's and pooling's padding (Keras's, and Xiao et al.'s circular one). */
enum winit_padding {
	WINIT_PADDING_VALID = 0,   /* no padding: out = floor((in - k_eff) / s) + 1 */
	WINIT_PADDING_SAME = 1,    /* out = ceil(in / s), zeros around, the smaller half before */
	WINIT_PADDING_CIRCULAR = 2 /* as same, the image wrapped around instead of zeros */
};

/* The parameter tensors a layer can have (Dense: its kernel and its bias). */
#define WINIT_MAX_LAYER_TENSORS 4

/* What a layer's inputs are, in winit_model_spec.inputs: an earlier layer's index, or the
 * model's input. */
#define WINIT_MODEL_INPUT (-1)

/* What a pass is for: inference (evaluate, predict; Dropout is the identity,
 * BatchNormalization uses its moving statistics), a training step (Dropout drops,
 * BatchNormalization normalizes with the batch's statistics and updates its moving ones),
 * or the diagnostics' probe of what training sees (the batch's statistics, nothing
 * updated, no mask drawn: the same numbers whenever it runs). */
enum winit_pass_mode {
	WINIT_PASS_INFERENCE = 0,
	WINIT_PASS_TRAIN = 1,
	WINIT_PASS_PROBE = 2
};

/* Multipliers of one parameter tensor (all 1 by default: winit_layer_mult):
 * `init` scales what its initializer draws (and the theory's variance by its square),
 * `lr` scales the optimizer's step for it (Adam and SGD alike). */
struct winit_param_mult {
	double init;
	double lr;
};

/* One layer of a model (a node of its graph).  A zeroed spec with units, use_bias and the
 * three plugins set is a Dense layer fed by the layer before it (the model's input for the
 * first), as every model was before graphs. */
struct winit_layer_spec {
	int64_t units;
	int use_bias;
	struct winit_plugin_use activation; /* Dense; the other kinds have none (info NULL) */
	struct winit_plugin_use kernel_initializer;
	struct winit_plugin_use bias_initializer;
	int32_t kind; /* enum winit_layer_kind */
	/* Inputs: n_in entries of the spec's `inputs` from in_off, each an earlier layer's
	 * index or WINIT_MODEL_INPUT.  n_in 0: the layer before (the model's input for the
	 * first) -- a chain, as Sequential builds. */
	int32_t n_in;
	int32_t in_off;
	struct winit_shape target_shape; /* Reshape: one example's shape after it */
	int32_t axis;                    /* Concatenate: the axis joined (-1: the last) */
	/* Conv2D (filters: units): kernel (height, width), strides, dilation_rate, padding
	 * (enum winit_padding); pooling: pool_size (kernel_size), strides, padding. */
	int32_t kernel_size[2];
	int32_t strides[2];
	int32_t dilation[2];
	int32_t padding;
	double rate; /* Dropout: the share of values dropped in training */
	/* BatchNormalization: momentum of its moving statistics; both normalizations: epsilon
	 * (gamma's initializer in kernel_initializer, beta's in bias_initializer). */
	double momentum, epsilon;
	int32_t per_channel; /* Scale: one multiplier per channel (else one for all) */
	/* Multipliers of its tensors (kind order: Dense's kernel then bias) and of its output
	 * (Dense: z = out_mult * (x W) + b); used only when mult_set, else all 1. */
	int32_t mult_set;
	struct winit_param_mult mult[WINIT_MAX_LAYER_TENSORS];
	double out_mult;
	/* Keras's name ("dense_2"); empty: the kind's prefix and its 1-based count among
	 * the model's layers of that kind, as Keras numbers them in a fresh session. */
	char name[48];
};

/* The multipliers of tensor t of layer l: {1, 1} unless set. */
struct winit_param_mult winit_layer_mult(const struct winit_layer_spec *l, int t);
/* Keras's class name of a kind ("Dense", "Add", ...), or "?". */
const char *winit_layer_kind_name(int32_t kind);
/* The kind's default layer-name prefix ("dense", "add", ...), or "layer". */
const char *winit_layer_kind_prefix(int32_t kind);

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
	int64_t n_inputs;                /* product of input_shape */
	int32_t n_layers;                /* layers (graph nodes, in topological order), any number */
	struct winit_layer_spec *layers; /* n_layers entries, owned: winit_model_spec_free */
	int32_t cap_layers;              /* entries allocated */
	int32_t loss;                    /* enum winit_loss, set by compile */
	/* The layers' inputs (winit_layer_spec's n_in, in_off), owned. */
	int32_t n_edges, cap_edges;
	int32_t *inputs;
};

/* A spec owns its layers, so it is copied with winit_model_spec_copy (never by
 * assignment) and released with winit_model_spec_free; a zeroed spec is empty and valid
 * to free.  Add a layer at the end (the spec grows as needed). */
int winit_model_spec_add_layer(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                               struct winit_error *err);
/* The same for a layer of a graph: its n_in inputs are earlier layers' indices (or
 * WINIT_MODEL_INPUT), kept in the order given (Add sums and Concatenate joins in it).  A
 * layer's n_in/in_off are set from these; n_in 0 makes it a chain layer. */
int winit_model_spec_add_node(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                              const int32_t *inputs, int32_t n_in, struct winit_error *err);
/* Layer i's inputs: fills in[0 .. n) (n = the return value, at most cap written), the
 * chain's implicit input included (i - 1, or WINIT_MODEL_INPUT for the first). */
int32_t winit_model_spec_layer_inputs(const struct winit_model_spec *spec, int32_t i, int32_t *in,
                                      int32_t cap);
/* 1 when every layer is a Dense layer fed by the one before, without multipliers or a
 * name of its own (the models of before graphs: their descriptions and files are
 * unchanged). */
int winit_model_spec_is_chain(const struct winit_model_spec *spec);
/* The model's input as one example's shape (input_shape, or (n_inputs) without one). */
struct winit_shape winit_model_spec_input_shape(const struct winit_model_spec *spec);
/* The shape in which layer i reads the model's input: as it is for a layer of a graph,
 * flattened for a chain's (Sequential's leading Flatten is implicit: the spec's
 * input_shape records it). */
struct winit_shape winit_model_spec_input_of(const struct winit_model_spec *spec, int32_t i);
/* Each layer's output shape, into out[0 .. n_layers): WINIT_ERR_ARG naming the layer,
 * its kind and the shapes when one does not fit (a Dense layer on an unflattened image,
 * an Add of different shapes, a Reshape that changes the number of values, ...). */
int winit_model_spec_shapes(const struct winit_model_spec *spec, struct winit_shape *out,
                            struct winit_error *err);
/* The output shape of layer l (kind, config; its inputs are not read) on inputs of shapes
 * in[0 .. n_in): WINIT_ERR_ARG saying what does not fit (the wrong number of inputs, the
 * shapes).  What a builder calls as each layer is added, so a script's mistake is refused
 * at the line that makes it. */
int winit_layer_spec_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                           int32_t n_in, struct winit_shape *out, struct winit_error *err);
/* Layer i's name: its own, or the kind's prefix and its count among the layers of that
 * kind up to it ("dense_3"), as Keras names them in a fresh session. */
char *winit_model_spec_layer_name(const struct winit_model_spec *spec, int32_t i, char *buf,
                                  size_t n);
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

struct winit_layer_ops; /* src/layers/kind.h */

/* One layer of a model instance: views into the model's parameters and gradients, its
 * shapes and inputs. */
struct winit_layer {
	const struct winit_layer_ops *kind;
	int32_t n_src;               /* inputs */
	const int32_t *src;          /* n_src layer indices or WINIT_MODEL_INPUT (the model's array) */
	struct winit_shape shape;    /* one example's output */
	int64_t n_in, n_out;         /* values of one example in (the first input) and out */
	struct winit_shape in_shape; /* of one example of its first input */
	/* Its output's last axis (Dense: its units; Conv2D: its filters): an activation and the
	 * diagnostics see a batch's output as (rows x n_out / units, units) -- per position
	 * and channel after a convolution, as Keras's activations act on the last axis. */
	int64_t units;
	int64_t k_rows;                     /* rows of its kernel as a matrix (Dense: n_in; Conv2D: kh*kw*cin); 0 */
	float *w;                           /* Dense: (n_in, n_out), view into params; NULL without one */
	float *b;                           /* (n_out) or NULL */
	float *dw, *db;                     /* views into grads */
	/* Every tensor (kind order: w and b are the first two) and its gradient; NULL past
	 * the kind's. */
	float *t[WINIT_MAX_LAYER_TENSORS], *dt[WINIT_MAX_LAYER_TENSORS];
	const struct winit_activation *act; /* NULL for kinds without an activation */
	const double *act_params;
	float lr_mult[WINIT_MAX_LAYER_TENSORS]; /* the optimizer's multipliers of w and b */
	float out_mult;                         /* Dense's output multiplier */
	/* The backward pass's plan (model.c): which work gradient buffer holds the gradient of
	 * this layer's output (-1: the caller's dout), and whether its activation's backward
	 * runs in its consumer's input-gradient product (one consumer) or on its own. */
	int32_t gbuf;
	int32_t n_consumers;
};

struct winit_model {
	struct winit_model_spec spec;
	int64_t n_params;
	float *params;             /* all weights, one allocation */
	float *grads;              /* same layout */
	struct winit_layer *layer; /* spec.n_layers */
	/* Work buffers, sized for `cap_batch` rows. */
	int64_t cap_batch;
	float **z; /* spec.n_layers pre-activations (cap_batch, n_out); not written for a
	            * layer whose activation runs in place (src/layers/kind.h: winit_layer_pre) */
	float **a; /* spec.n_layers activations (cap_batch, n_out) */
	/* Per layer, what its kind keeps between passes (Conv2D: the batch's patches), or
	 * NULL (winit_layer_ops.work). */
	float **work;
	/* Backward scratch (cap_batch, widest): the gradients of layers' outputs, n_delta
	 * buffers used in turn (2 for a chain), the last one also a product's scratch when a
	 * layer's output feeds several layers (their gradients are summed in a fixed order). */
	int32_t n_delta;
	float **delta;
	int32_t *src;      /* every layer's inputs in layer order, chain ones included */
	int32_t *edge_acc; /* parallel to src: 1 when that input's gradient is added to what a
	                    * later layer (in the backward pass, an earlier one) put there */
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
	/* The kind of pass (enum winit_pass_mode): fit sets WINIT_PASS_TRAIN around a step's
	 * passes, with the step counted from 0 over the run; the diagnostics' probe
	 * WINIT_PASS_PROBE; every other pass is inference.  `seed` is the run seed the model
	 * was made with (winit_model_init): the streams of Dropout's masks. */
	int32_t training;
	int64_t step;
	uint64_t seed;
	/* When set, the backward pass also writes the gradient with respect to the model's
	 * input here, (n_batch, spec.n_inputs) (winit_model_jacobian_spectrum uses it). */
	float *dx;
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

/* The singular values of the Jacobian of layer `to`'s output (0-based; after its
 * activation) with respect to layer `from`'s (-1: the model's input) at each of the
 * n_examples inputs x (n_examples, n_inputs), an inference pass: sv gets n_examples
 * blocks of *n_sv = min(rows, cols) values, each in descending order.  The layers between
 * must read nothing before `from` but `from` itself (WINIT_ERR_ARG otherwise).  Exact,
 * from backward passes and Jacobi rotations in double: for Jacobians up to about a
 * thousand on a side.  Through J J^T, so a singular value below about 1e-8 of the
 * largest is not resolved (it reads as 0, or as a number of that size). */
int winit_model_jacobian_spectrum(struct winit_model *m, const float *x, int64_t n_examples,
                                  int32_t from, int32_t to, double *sv, int64_t *n_sv,
                                  struct winit_error *err);
/* The same Jacobian for sizes beyond the exact route: J from backward passes (blocks of
 * 256 rows), then `steps` steps of Golub-Kahan-Lanczos bidiagonalization with full
 * reorthogonalization (in double; a fixed start vector, the same values every call):
 * into sv, per example, min(steps, k) Ritz values in descending order (*n_sv of them; k =
 * min(rows, cols)) -- the largest and smallest converge first, the interior is a coarse
 * sample, and with steps >= k they are J's singular values -- and into mean_sq[ex] the
 * mean of all k squared singular values, exactly (||J||_F^2 / k).  Cost per example: the
 * backward passes, then 2 steps (rows x cols) multiply-adds plus steps^2 (rows + cols)
 * for the reorthogonalization. */
int winit_model_jacobian_lanczos(struct winit_model *m, const float *x, int64_t n_examples,
                                 int32_t from, int32_t to, int64_t steps, double *sv,
                                 int64_t *n_sv, double *mean_sq, struct winit_error *err);

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
 * that cover every parameter once; lr_mult is the block's tensor's learning-rate
 * multiplier (winit_param_mult). */
struct winit_param_update {
	void (*fn)(void *ctx, int64_t off, int64_t rows, int64_t cols, int64_t stride,
	           float lr_mult);
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
	return m->layer[m->spec.n_layers - 1].n_out;
}

#ifdef __cplusplus
}
#endif
#endif /* WINIT_MODEL_H */
