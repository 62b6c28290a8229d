/* src/layers/kind.h -- the one interface every layer kind implements (internal), as
 * Keras's Layer or ggml's backend table: its inputs, its output shape, its parameter
 * tensors, its forward and backward products split among the model's team, and its step
 * of the theory at initialization.  One folder per kind (src/layers/<kind>/); the passes
 * (src/nn/passes.c), the instance (src/nn/model.c), the theory and the diagnostics reach
 * a layer only through this table.
 *
 * How a kind computes, so that every number is the same for any team:
 *  - forward(p, i, activate, c, n): chunk c of n of layer i's output, into
 *    winit_layer_pre(m, i) (its pre-activation: m->z[i], or m->a[i] when the activation
 *    runs in place) and, with `activate` and an activation, m->a[i] = f(z); a kind
 *    without an activation writes its output to m->a[i] only.  Its inputs are
 *    winit_pass_input(p, d, k).
 *  - input_grad(p, i, dz, c, n): chunk c of n of the gradients of its inputs (the rows
 *    winit_pass_rows gives), from dz (the gradient of its pre-activation, or of its output
 *    without an activation); each input's rows written where winit_pass_grad_dst says,
 *    then winit_pass_grad_done on them, at once or in consecutive parts (which adds, runs
 *    the input layer's activation backward when it is that layer's only consumer, and
 *    checks the guard zones: row by row keeps a large row in cache).  Inputs that are
 *    the model's (WINIT_MODEL_INPUT) get none.
 *  - param_grad(p, i, dz, c, n): chunk c of n of its parameters' gradients, each block
 *    handed to p->update once final (NULL for kinds without parameters).
 */
#ifndef WINIT_LAYERS_KIND_H
#define WINIT_LAYERS_KIND_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <winit/kernels.h> /* struct winit_rows_source */
#include <winit/model.h>
#include <winit/shape.h>
#include <winit/stream.h>

#include "core/internal.h"

/* Rows of a batch each team member takes: whole micro-kernel row tiles; columns of a wide
 * layer: whole 64-byte lines, so no two members write one. */
#define WINIT_ROW_QUANTUM 8
#define WINIT_COL_QUANTUM 16

/* One pass over a batch. */
struct winit_pass {
	struct winit_model *m;
	const float *x; /* the batch (n_batch, n_inputs) */
	int64_t n_batch;
	const struct winit_param_update *update; /* backward: may be NULL */
};

/* A parameter tensor a kind declares: its shape (the initializer's dims: Keras's fans
 * come from them) and the plugin and stream that fill it. */
struct winit_tensor_decl {
	const char *name; /* "kernel", "bias" */
	int32_t rank;
	int64_t dims[4];
	const struct winit_plugin_use *init; /* NULL: every value `constant` */
	enum winit_stream_purpose purpose;
	double constant;
	int32_t frozen; /* not trained (BatchNormalization's moving statistics) */
};

/* What the recursion knows of a layer's input values at initialization: their second
 * moment and mean, how many per example, and, when they are an activation's outputs f(z)
 * with z ~ N(0, q) independent per value (a Dense or Conv2D layer's, or those passed on
 * unchanged by Flatten, Reshape and Dropout), f and q (act NULL otherwise). */
struct winit_theory_in {
	double m2, mu;
	int64_t size;
	const struct winit_activation *act;
	const double *act_params;
	double q;
};

struct winit_theory_out {
	double mu;
	char why[160];
	char fault[256];
};

/* One field of a kind's configuration (its arguments other than Dense's units, bias and
 * plugins): what the saved model (src/nn/save.c, load.c), the results file
 * (src/results/results.c) and the descriptions print carry for it, by its Keras name, so
 * a new kind lists its fields in its own folder and every writer and reader handles them.
 * A member of struct winit_layer_spec at `offset`:
 *  - WINIT_LAYER_FIELD_INT: an int32_t in [lo, hi];
 *  - WINIT_LAYER_FIELD_SHAPE: a struct winit_shape (rank 1 .. WINIT_MAX_RANK, each dim in
 *    1 .. 2^31, as winit_shape_set accepts; lo and hi unused);
 *  - WINIT_LAYER_FIELD_INTS: `count` int32_t (at most WINIT_LAYER_FIELD_MAX_INTS), each in
 *    [lo, hi] (Conv2D's kernel_size, strides);
 *  - WINIT_LAYER_FIELD_CHOICE: an int32_t, the index of one of `choices` (Conv2D's
 *    padding), carried by name;
 *  - WINIT_LAYER_FIELD_REAL: a double, finite, in [lo, hi] (Dropout's rate; the kind's
 *    infer may refuse an end). */
enum winit_layer_field_type {
	WINIT_LAYER_FIELD_INT = 1,
	WINIT_LAYER_FIELD_SHAPE = 2,
	WINIT_LAYER_FIELD_INTS = 3,
	WINIT_LAYER_FIELD_CHOICE = 4,
	WINIT_LAYER_FIELD_REAL = 5
};

#define WINIT_LAYER_FIELD_MAX_INTS 4

struct winit_layer_field {
	const char *name; /* Keras's argument: "target_shape", "axis" */
	int32_t type;     /* enum winit_layer_field_type */
	size_t offset;    /* of the member in struct winit_layer_spec */
	int64_t lo, hi;   /* INT, INTS, REAL: the values accepted */
	int32_t count;    /* INTS: how many */
	const char *const *choices; /* CHOICE: the names, NULL-terminated */
};

/* The double member of a REAL field. */
static inline double winit_layer_field_real(const struct winit_layer_field *f,
                                            const struct winit_layer_spec *l)
{
	double v;
	memcpy(&v, (const char *)l + f->offset, sizeof v);
	return v;
}

/* The number of choices of a CHOICE field. */
static inline int32_t winit_layer_field_n_choices(const struct winit_layer_field *f)
{
	int32_t n = 0;
	while (f->choices && f->choices[n])
		n++;
	return n;
}

/* Value k of an INTS field (k = 0 for an INT or a CHOICE). */
static inline int32_t winit_layer_field_int_at(const struct winit_layer_field *f,
                                               const struct winit_layer_spec *l, int32_t k)
{
	int32_t v;
	memcpy(&v, (const char *)l + f->offset + (size_t)k * sizeof v, sizeof v);
	return v;
}

/* The int32_t member of an INT or CHOICE field, the first of an INTS field's. */
static inline int32_t *winit_layer_field_i32(const struct winit_layer_field *f,
                                             struct winit_layer_spec *l)
{
	return (int32_t *)(void *)((char *)l + f->offset);
}

static inline struct winit_shape *winit_layer_field_shape(const struct winit_layer_field *f,
                                                          struct winit_layer_spec *l)
{
	return (struct winit_shape *)(void *)((char *)l + f->offset);
}

/* The same of a const spec. */
static inline int32_t winit_layer_field_int(const struct winit_layer_field *f,
                                            const struct winit_layer_spec *l)
{
	int32_t v;
	memcpy(&v, (const char *)l + f->offset, sizeof v);
	return v;
}

static inline struct winit_shape winit_layer_field_shape_of(const struct winit_layer_field *f,
                                                            const struct winit_layer_spec *l)
{
	struct winit_shape s;
	memcpy(&s, (const char *)l + f->offset, sizeof s);
	return s;
}

struct winit_layer_ops {
	int32_t id;             /* enum winit_layer_kind */
	const char *name;       /* Keras's class name */
	const char *prefix;     /* Keras's default layer names: prefix_1, prefix_2, ... */
	int32_t min_in, max_in; /* inputs; max_in 0: any number */
	int has_activation; /* and Dense's units, use_bias and three plugins */
	int has_kernel; /* its first tensor is a kernel matrix (k_rows x units): Dense, Conv2D */
	const char *units_name; /* Keras's name of its units ("filters"); NULL: "units" */
	/* Keras's names of the initializers of a kind with parameters but no activation (in
	 * kernel_initializer and bias_initializer: BatchNormalization's gamma_initializer and
	 * beta_initializer); NULL: not used.  Both NULL: "kernel_initializer" and
	 * "bias_initializer" when the kind declares tensors. */
	const char *init_names[2];
	/* Its configuration's fields, ended by one with a NULL name; NULL: none. */
	const struct winit_layer_field *fields;
	/* The output shape from the inputs'; 0, or -1 with `why` saying what does not fit. */
	int (*infer)(const struct winit_layer_spec *l, const struct winit_shape *in, int32_t n_in,
	             struct winit_shape *out, char *why, size_t n_why);
	/* Its parameter tensors, in the order they are laid out and saved (at most
	 * WINIT_MAX_LAYER_TENSORS); 0 for none.  in: the first input's shape. */
	int32_t (*declare)(const struct winit_layer_spec *l, const struct winit_shape *in,
	                   struct winit_tensor_decl *out);
	/* Values per example it keeps between its passes (m->work[i]), and values besides
	 * them whatever the batch (after the cap_batch examples' ones); NULL: none. */
	int64_t (*work)(const struct winit_layer_spec *l, const struct winit_layer *d);
	int64_t (*scratch)(const struct winit_layer_spec *l, const struct winit_layer *d);
	/* A phase of its own before forward (BatchNormalization's batch statistics) and
	 * before input_grad (their gradients' sums), each chunk c of n; NULL: none. */
	void (*forward_prepare)(const struct winit_pass *p, int i, int c, int n);
	void (*backward_prepare)(const struct winit_pass *p, int i, const float *dz, int c, int n);
	void (*forward)(const struct winit_pass *p, int i, int activate, int c, int n);
	void (*input_grad)(const struct winit_pass *p, int i, const float *dz, int c, int n);
	void (*param_grad)(const struct winit_pass *p, int i, const float *dz, int c, int n);
	/* Theory at initialization (NULL: the recursion has no step for it): from its inputs'
	 * values (in[], struct winit_theory_in) and its weights' variances var[] (declaration
	 * order), the second moment of its pre-activation for a kind with an activation (whose
	 * mean is 0: weights of mean 0), else of its output, whose mean goes to out->mu.  NaN
	 * when it cannot say, with the reason in out->why; a plugin's fault in out->fault. */
	double (*theory_q)(const struct winit_layer_spec *l, const struct winit_layer *d,
	                   const struct winit_theory_in *in, int32_t n_in, const double *var,
	                   struct winit_theory_out *out);
	/* Backward of the theory: the factor by which the variance of the gradient of its
	 * pre-activation (or output) is multiplied on its way to input k. */
	double (*theory_grad)(const struct winit_layer_spec *l, const struct winit_layer *d, int k,
	                      const double *var, const struct winit_theory_in *in);
};

/* The kind of that id, or NULL. */
WINIT_INTERNAL const struct winit_layer_ops *winit_layer_kind_get(int32_t id);

/* The values of input k of layer d in this pass. */
static inline const float *winit_pass_input(const struct winit_pass *p, const struct winit_layer *d,
                                            int k)
{
	int32_t s = d->src[k];
	return s == WINIT_MODEL_INPUT ? p->x : p->m->a[s];
}

/* Values per example of input k of layer d. */
static inline int64_t winit_layer_in_size(const struct winit_model *m, const struct winit_layer *d,
                                          int k)
{
	int32_t s = d->src[k];
	return s == WINIT_MODEL_INPUT ? m->spec.n_inputs : m->layer[s].n_out;
}

/* The rows [r0, r1) of the batch chunk c of n takes (whole row tiles). */
WINIT_INTERNAL void winit_pass_rows(const struct winit_pass *p, int c, int n, int64_t *r0,
                                    int64_t *r1);
/* Where to write rows [r0, ..) of input k's gradient (NULL when input k is the model's:
 * nothing to write). */
WINIT_INTERNAL float *winit_pass_grad_dst(const struct winit_pass *p, int i, int k, int64_t r0);
/* Rows [r0, r1) of input k's gradient are written at winit_pass_grad_dst. */
WINIT_INTERNAL void winit_pass_grad_done(const struct winit_pass *p, int i, int k, int64_t r0,
                                         int64_t r1);

/* Where layer i's pre-activation is in a pass: in m->a[i] when its activation runs in
 * place (a hidden layer whose activation's backward needs only the output,
 * WINIT_ACT_FROM_OUTPUT, on a pass no forward hook watches: a hook sees z and f(z)
 * apart), else in m->z[i].  In place, m->a[i] holds z, then f(z), and the backward
 * passes f(z) where the activation's x goes. */
static inline float *winit_layer_pre(const struct winit_model *m, int i)
{
	const struct winit_activation *act = m->layer[i].act;
	int in_place = act && (act->flags & WINIT_ACT_FROM_OUTPUT) && !m->hooks.forward &&
	               i < m->spec.n_layers - 1;
	return in_place ? m->a[i] : m->z[i];
}

/* Kinds with a kernel matrix (src/layers/kernel_ops.c): a = f(z) on rows [r0, r1) of the
 * batch (its activation over the last axis), for an epilogue; chunk c of n of dW = in^T dz
 * (in: `rows` rows of k_rows values, or made on demand by src when in is NULL; dz: rows
 * of `units`) and db, each block handed to the pass's update -- a wide layer's columns,
 * else its kernel's rows, as the forward pass splits them. */
WINIT_INTERNAL int winit_layer_split_columns(const struct winit_layer *d, int n);
WINIT_INTERNAL void winit_layer_kernel_grad(const struct winit_pass *p, int i, const float *in,
                                            const struct winit_rows_source *src, int64_t rows,
                                            const float *dz, int c, int n);
WINIT_INTERNAL void winit_layer_activate(const struct winit_layer *d, float *a, const float *z,
                                         int64_t rows, int64_t cols, int64_t stride);
/* The epilogue of a kernel product z = x W (rows of d->units): with an output multiplier
 * z = mult z + b first (the product then ran without its bias), then, with `activate`,
 * a = f(z) on columns [j0, j0 + cols) of each finished row. */
struct winit_out_epilogue {
	const struct winit_layer *d;
	float *a; /* the activation of the product's first row and column */
	int64_t cols;
	int activate;
	const float *b; /* the bias of the product's first column, with a multiplier */
};
WINIT_INTERNAL void winit_layer_out_epilogue(void *ctx, float *z, int64_t row0, int64_t rows);

/* Shape-only kinds' helpers (src/layers/shape_ops.c): copy the rows [r0, r1) of the
 * first input to the output, forward; of dz to the input's gradient, backward. */
WINIT_INTERNAL void winit_layer_copy_forward(const struct winit_pass *p, int i, int activate,
                                             int c, int n);
WINIT_INTERNAL void winit_layer_copy_input_grad(const struct winit_pass *p, int i, const float *dz,
                                                int c, int n);
WINIT_INTERNAL double winit_layer_theory_same(const struct winit_layer_spec *l,
                                              const struct winit_layer *d,
                                              const struct winit_theory_in *in, int32_t n_in,
                                              const double *var, struct winit_theory_out *out);
WINIT_INTERNAL double winit_layer_theory_grad_same(const struct winit_layer_spec *l,
                                                   const struct winit_layer *d, int k,
                                                   const double *var, const struct winit_theory_in *in);

/* The normalizations' (src/layers/norm_ops.c): gamma and beta per feature, their theory. */
WINIT_INTERNAL int32_t winit_layer_norm_declare(const struct winit_layer_spec *l,
                                                const struct winit_shape *in,
                                                struct winit_tensor_decl *out);
WINIT_INTERNAL double winit_layer_norm_theory_q(const struct winit_layer_spec *l,
                                                const struct winit_layer *d,
                                                const struct winit_theory_in *in, int32_t n_in,
                                                const double *var, struct winit_theory_out *out);
WINIT_INTERNAL double winit_layer_norm_theory_grad(const struct winit_layer_spec *l,
                                                   const struct winit_layer *d, int k,
                                                   const double *var,
                                                   const struct winit_theory_in *in);

extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_dense;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_flatten;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_reshape;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_add;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_concatenate;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_conv2d;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_max_pooling2d;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_average_pooling2d;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_global_average_pooling2d;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_dropout;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_batch_normalization;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_layer_normalization;
extern WINIT_INTERNAL const struct winit_layer_ops winit_layer_scale;

#endif /* WINIT_LAYERS_KIND_H */
