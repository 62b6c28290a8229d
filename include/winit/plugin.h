/* winit/plugin.h -- the plugin ABI: initializers and activations as shared objects.
 *
 * A plugin is a shared object that exports exactly one symbol:
 *
 *     const struct winit_plugin_info *winit_plugin_describe(uint32_t index);
 *
 * It returns the index-th descriptor of the object, or NULL past the last one, so one
 * object may hold several initializers and activations.  Every descriptor starts with a
 * struct winit_plugin_info whose `abi_version` MUST be WINIT_PLUGIN_ABI_VERSION and whose
 * `struct_size` MUST be sizeof the full descriptor (struct winit_initializer or struct
 * winit_activation) the plugin was compiled with.  The host refuses a descriptor whose ABI
 * version differs from its own and, within one ABI version, accepts any descriptor at
 * least as large as the version's first release (WINIT_INITIALIZER_V1_SIZE,
 * WINIT_ACTIVATION_V1_SIZE): later releases only append fields, so an object built
 * against an older or a newer header of the same ABI version loads.
 *
 * This header needs no libwinit symbol: everything a plugin may call from the host comes
 * in through `const struct winit_host *` (the random stream, logging).  A plugin builds
 * with nothing but
 *
 *     cc -shared -fPIC $(pkg-config --cflags winit) my_init.c -o my_init.so
 *
 * The contract (MUST / SHOULD as in RFC 2119):
 *  - Descriptors and every string and table they point to MUST stay valid and unchanged
 *    until the object is unloaded (static const data is the normal way).
 *  - Callbacks MUST be deterministic given their arguments and the host's random stream,
 *    MUST NOT use rand(), time(), or any global mutable state, and MUST be re-entrant:
 *    the host calls them from several threads at once, each with its own stream.
 *  - An initializer draws randomness only through `args->host` with `args->rng`, and only
 *    in `fill` and `adapt`.  `stddev` is called with `args->rng` NULL (e.g. by `winit
 *    info`, which fills nothing) and MUST NOT draw; `gain` receives only the parameters.
 *  - `fill` MUST write all `args->n` values, each finite; the host reports a value left
 *    unwritten or non-finite as the initializer's error.  `adapt` MUST leave every value
 *    finite too.
 *  - The host owns every pointer it passes; a callback MUST NOT keep one after it returns.
 *  - Parameter values arrive already validated against the declaration (type, range,
 *    choices), in declaration order, in `params`.
 *  - An activation's derivative at a kink is the value of its right-hand or stated side:
 *    relu'(0) = 0 (Keras and PyTorch agree), leaky_relu'(0) = alpha.
 *
 * Limits (the loader refuses an object that breaks one, saying which):
 *  - at most WINIT_PLUGIN_DESCRIPTORS_MAX descriptors per object, then NULL;
 *  - names of plugins, parameters and choices: [a-z0-9_]+, 1 to WINIT_PLUGIN_NAME_MAX
 *    characters; unique per kind among loaded plugins, within a plugin, within a list;
 *  - `summary` non-NULL (one line); `formula` and a parameter's `doc` may be NULL;
 *  - at most WINIT_MAX_PARAMS parameters; `params` non-NULL when `n_params` > 0;
 *  - REAL and INT parameters: min <= max (neither NaN), a finite default within them,
 *    and for INT a whole-number default; CHOICE: 1 to WINIT_PARAM_CHOICES_MAX unique
 *    names, the default a valid index;
 *  - an initializer has `fill`; an activation has `gain`, `forward` and `backward`, and
 *    no `flags` bit beyond WINIT_ACT_ROWWISE and WINIT_ACT_FROM_OUTPUT.
 *
 * ABI version 1 is frozen: every field below is a first-release field, and its size is
 * WINIT_*_V1_SIZE.  New fields are only ever appended at the end of the descriptors and
 * of the argument structs (struct winit_host, winit_fill_args, winit_probe); a reader
 * reads one only when the writer's `struct_size` covers it, tested with WINIT_HAS_FIELD.
 * The host does this for descriptors; a plugin does it for fields a later host appends
 * to its arguments.
 */
#ifndef WINIT_PLUGIN_H
#define WINIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_PLUGIN_ABI_VERSION 1u
#define WINIT_PLUGIN_ENTRY "winit_plugin_describe"
/* The most parameters one plugin may declare. */
#define WINIT_MAX_PARAMS 8
/* The longest plugin, parameter or choice name, in characters. */
#define WINIT_PLUGIN_NAME_MAX 63
/* The most choices one CHOICE parameter may list. */
#define WINIT_PARAM_CHOICES_MAX 64
/* The most descriptors one object may return; describe(WINIT_PLUGIN_DESCRIPTORS_MAX) MUST
 * be NULL. */
#define WINIT_PLUGIN_DESCRIPTORS_MAX 256

enum winit_plugin_kind {
	WINIT_KIND_INITIALIZER = 1,
	WINIT_KIND_ACTIVATION = 2
};

enum winit_param_type {
	WINIT_PARAM_REAL = 1,  /* any double in [min_value, max_value] */
	WINIT_PARAM_INT = 2,   /* a whole number in [min_value, max_value] */
	WINIT_PARAM_CHOICE = 3 /* one of `choices`; the value is its index, as a double */
};

/* One declared parameter.  The host validates values from scripts against it. */
struct winit_param_decl {
	const char *name;           /* lower_snake_case, unique within the plugin */
	uint32_t type;              /* enum winit_param_type */
	double default_value;       /* for CHOICE: index of the default choice */
	double min_value;           /* inclusive; -HUGE_VAL for none (REAL, INT) */
	double max_value;           /* inclusive; HUGE_VAL for none (REAL, INT) */
	const char *doc;            /* one line */
	const char *const *choices; /* CHOICE only: NULL-terminated list of names */
};

/* Services the host offers to plugins.  `rng` arguments are the opaque stream the host
 * passed in the call's arguments. */
struct winit_host {
	uint32_t abi_version;
	uint32_t struct_size;
	/* Uniform double in [0, 1), 53 random bits. */
	double (*uniform)(void *rng);
	/* Standard normal N(0, 1) double. */
	double (*normal)(void *rng);
	/* 64 uniformly random bits. */
	uint64_t (*next_u64)(void *rng);
	/* A diagnostic line; `level` 0 = info, 1 = warning. */
	void (*log)(const struct winit_host *host, int level, const char *msg);
};

/* What every descriptor starts with. */
struct winit_plugin_info {
	uint32_t abi_version; /* WINIT_PLUGIN_ABI_VERSION */
	uint32_t struct_size; /* sizeof(struct winit_initializer / winit_activation) */
	uint32_t kind;        /* enum winit_plugin_kind */
	uint32_t n_params;    /* entries in params, at most WINIT_MAX_PARAMS */
	const char *name;     /* [a-z0-9_]+, at most WINIT_PLUGIN_NAME_MAX characters,
	                       * unique per kind among loaded plugins */
	const char *summary;  /* one line for `winit list`; not NULL */
	const struct winit_param_decl *params;
	const char *formula; /* e.g. "N(0, 2/fan_in) truncated at 2 sd"; may be NULL */
};

/* ---- Initializers ---- */

/* The tensor to fill is row-major with `n_dims` dimensions; for a dense kernel it is
 * (fan_in, fan_out), for a bias (units). */
struct winit_fill_args {
	uint32_t struct_size;
	uint32_t n_dims;
	const int64_t *dims;
	int64_t n;      /* product of dims */
	int64_t fan_in; /* Keras's compute_fans */
	int64_t fan_out;
	double gain;          /* recommended gain of the layer's activation (1 if none) */
	const double *params; /* declared order; values validated by the host */
	const struct winit_host *host;
	void *rng;                            /* this fill's random stream; NULL in stddev */
	const struct winit_plugin_info *self; /* the descriptor being called, so a host-made
	                                       * descriptor can find its own context */
};

/* What a data-aware initializer sees in its `adapt` hook: a batch of real training data as
 * it reaches the layer (after every earlier layer was initialised and adapted), and a way
 * to run the layer on it. */
struct winit_probe {
	uint32_t struct_size;
	int64_t rows;        /* samples in the batch */
	int64_t n_in, n_out; /* the kernel is (n_in, n_out) */
	const float *input;  /* (rows, n_in) */
	const float *bias;   /* (n_out), or NULL for a layer without bias */
	/* out (rows, n_out) = input @ w + bias, and f(.) of it when `activated` is non-zero
	 * (f the layer's activation).  w may be the kernel being adapted. */
	void (*layer_forward)(const struct winit_probe *probe, float *out, const float *w,
	                      int activated);
	void *host_ctx; /* the host's; do not touch */
};

struct winit_initializer {
	struct winit_plugin_info info;
	/* Fill w[0 .. args->n) (overwrite).  Return 0 on success; on failure write a
	 * one-line reason into err (errlen bytes) and return non-zero. */
	int (*fill)(float *w, const struct winit_fill_args *args, char *err, size_t errlen);
	/* Standard deviation the fill yields for these args (NaN when not defined, e.g.
	 * data-dependent).  Called with args->rng NULL: it MUST NOT draw.  May be NULL. */
	double (*stddev)(const struct winit_fill_args *args);
	/* Optional, for data-dependent schemes (LSUV, ...): called after `fill`, layer by
	 * layer in order, when the host has training data (a random batch of the training
	 * rows, drawn from the run's own stream).  May rescale or rewrite w (n_in, n_out) in
	 * place.  Return 0, or non-zero with a reason in err.  NULL: not data-aware.  When
	 * no data is available (e.g. a model evaluated before any fit) only `fill` runs. */
	int (*adapt)(float *w, const struct winit_fill_args *args, const struct winit_probe *probe,
	             char *err, size_t errlen);
	/* Optional: reject parameter combinations each range alone allows (e.g. minval above
	 * maxval).  Called with the full, range-checked values when a script names the
	 * initializer, so the error points at the script line.  Return 0, or non-zero with a
	 * reason in err. */
	int (*check_params)(const double *params, char *err, size_t errlen);
};

/* ---- Activations ---- */

enum winit_activation_flags {
	/* The function couples a row's entries (softmax): backward receives y and must
	 * compute the Jacobian-vector product row by row. */
	WINIT_ACT_ROWWISE = 1u << 0,
	/* backward needs only the output: it gives the same dx, to the bit, when its x
	 * argument holds y = f(x) (relu: [y > 0] is [x > 0]; tanh and sigmoid compute from y).
	 * The host may then apply f in place, over the pre-activation, on a hidden layer:
	 * one buffer instead of two, a pass less over memory.  `winit check-plugin` holds
	 * an activation to it (a host that predates the flag refuses the bit). */
	WINIT_ACT_FROM_OUTPUT = 1u << 1
};

struct winit_activation {
	struct winit_plugin_info info;
	uint32_t flags; /* enum winit_activation_flags */
	/* Gain as in Keras / PyTorch calculate_gain (relu sqrt(2), tanh 5/3, ...): finite and
	 * > 0.  Called with no random stream, e.g. by `winit info`. */
	double (*gain)(const double *params);
	/* y = f(x) for a (rows, cols) row-major block; y may alias x. */
	void (*forward)(float *y, const float *x, int64_t rows, int64_t cols,
	                const double *params);
	/* dx = dy * f'(x) element-wise (or J^T dy per row when ROWWISE).  x is the
	 * pre-activation and y the activation; dx may alias dy but neither x nor y.
	 * Overwrites dx. */
	void (*backward)(float *dx, const float *dy, const float *x, const float *y,
	                 int64_t rows, int64_t cols, const double *params);
};

/* ---- Sizes and optional fields ---- */

/* The size of `type` up to and including `field`. */
#define WINIT_FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* Non-zero when a struct of `type` whose writer set `struct_size` contains `field`: read
 * a field that is not first-release only when this holds, e.g. in the host
 *
 *     if (WINIT_HAS_FIELD(init->info.struct_size, struct winit_initializer, adapt) &&
 *         init->adapt) ...
 *
 * and in a plugin, for a field a later host appends to its arguments,
 *
 *     if (WINIT_HAS_FIELD(args->struct_size, struct winit_fill_args, some_new_field)) ...
 */
#define WINIT_HAS_FIELD(struct_size, type, field) \
	((size_t)(struct_size) >= WINIT_FIELD_END(type, field))

/* The first-release (ABI version 1) sizes.  They never change when fields are appended:
 * a descriptor or argument struct is never smaller than these. */
#define WINIT_INITIALIZER_V1_SIZE WINIT_FIELD_END(struct winit_initializer, check_params)
#define WINIT_ACTIVATION_V1_SIZE WINIT_FIELD_END(struct winit_activation, backward)
#define WINIT_HOST_V1_SIZE WINIT_FIELD_END(struct winit_host, log)
#define WINIT_FILL_ARGS_V1_SIZE WINIT_FIELD_END(struct winit_fill_args, self)
#define WINIT_PROBE_V1_SIZE WINIT_FIELD_END(struct winit_probe, host_ctx)

/* The one exported symbol. */
typedef const struct winit_plugin_info *(*winit_plugin_describe_fn)(uint32_t index);
const struct winit_plugin_info *winit_plugin_describe(uint32_t index);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PLUGIN_H */
