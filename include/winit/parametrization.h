/* winit/parametrization.h -- how a model's initial scales, learning rates and output
 * multipliers change with its width: the standard parametrization (what Keras's and
 * PyTorch's initializers give), the neural tangent one, and muP (Yang et al. 2022,
 * "Tensor Programs V", Table 3; microsoft/mup's set_base_shapes), set on a spec as
 * per-tensor multipliers (winit_param_mult, the layer's out_mult).
 *
 * muP compares the model with a base model of the same graph: a dimension of a kernel
 * (its fan-in or fan-out, Keras's fans) is "wide" when it differs from the base's, and
 * m = fan_in / base fan_in.  Each kernel then has a role:
 *
 *   role     fan-in  fan-out  init var    Adam lr   SGD lr      (relative to standard)
 *   input    base    wide     x 1         x 1       x fan_out / base fan_out
 *   hidden   wide    wide     x 1         x 1 / m   x 1
 *   output   wide    base     x 1 / m     x 1 / m   x 1 / m
 *   biases   -       any      x 1         x 1       x fan_out / base fan_out
 *
 * (a kernel with neither dimension wide keeps the standard values), and with
 * zero_output the output kernels start at 0.  At the base widths every multiplier is 1,
 * so muP there is the standard parametrization to the bit.
 *
 * NTK (Jacot et al. 2018): W = (sigma / sqrt(fan_in)) omega with omega drawn at the
 * initializer's shape times sqrt(fan_in) (so of variance sigma^2) and trained with an
 * unscaled learning rate: init x sqrt(fan_in), output multiplier 1 / sqrt(fan_in); biases
 * standard.  It needs no base. */
#ifndef WINIT_PARAMETRIZATION_H
#define WINIT_PARAMETRIZATION_H

#include <winit/error.h>
#include <winit/model.h>
#include <winit/train.h>

#ifdef __cplusplus
extern "C" {
#endif

enum winit_parametrization {
	WINIT_PARAM_STANDARD = 0,
	WINIT_PARAM_NTK = 1,
	WINIT_PARAM_MUP = 2
};

/* "standard", "ntk", "mup" <-> the enum; an unknown name is WINIT_ERR_ARG naming them. */
int winit_parametrization_from_name(const char *name, enum winit_parametrization *p,
                                    struct winit_error *err);
const char *winit_parametrization_name(enum winit_parametrization p);

/* The roles of muP's table, and a kernel's. */
enum winit_param_role {
	WINIT_ROLE_FIXED = 0, /* neither dimension wide */
	WINIT_ROLE_INPUT = 1,
	WINIT_ROLE_HIDDEN = 2,
	WINIT_ROLE_OUTPUT = 3
};
const char *winit_param_role_name(enum winit_param_role r);

/* Set spec's multipliers for parametrization p under optimizer `opt` (Adam or SGD),
 * replacing any set before: standard clears them (all 1); muP needs `base`, a spec of the
 * same graph (the same kinds, inputs and kernel ranks) at its base widths, else
 * WINIT_ERR_ARG naming the first layer that differs; `zero_output` starts muP's output
 * kernels at 0.  roles (may be NULL) gets each layer's kernel role (FIXED for a layer
 * without one).  On error spec is unchanged. */
int winit_model_spec_parametrize(struct winit_model_spec *spec, enum winit_parametrization p,
                                 const struct winit_model_spec *base,
                                 enum winit_optimizer_kind opt, int zero_output,
                                 enum winit_param_role *roles, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PARAMETRIZATION_H */
