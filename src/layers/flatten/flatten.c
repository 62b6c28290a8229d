/* src/layers/flatten/flatten.c -- Keras's Flatten: one example's values as a vector, in
 * channels-last order (channels fastest), so the data is not moved, only renamed. */
#include "config.h"

#include <winit/shape.h>

#include "layers/kind.h"

static int flatten_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                         int32_t n_in, struct winit_shape *out, char *why, size_t n_why)
{
	(void)l;
	(void)n_in;
	(void)why;
	(void)n_why;
	int64_t n = winit_shape_elements(in);
	return winit_shape_set(out, 1, &n);
}

const struct winit_layer_ops winit_layer_flatten = {
	.id = WINIT_LAYER_FLATTEN,
	.name = "Flatten",
	.prefix = "flatten",
	.min_in = 1,
	.max_in = 1,
	.infer = flatten_infer,
	.forward = winit_layer_copy_forward,
	.input_grad = winit_layer_copy_input_grad,
	.theory_q = winit_layer_theory_same,
	.theory_grad = winit_layer_theory_grad_same,
};
