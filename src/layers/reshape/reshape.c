/* src/layers/reshape/reshape.c -- Keras's Reshape(target_shape): the same values in
 * another shape of as many (one dim may be -1 in the spec a script writes: the binding
 * resolves it before the engine sees it). */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include <winit/shape.h>

#include "layers/kind.h"

static int reshape_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                         int32_t n_in, struct winit_shape *out, char *why, size_t n_why)
{
	(void)n_in;
	char a[96], b[96];
	struct winit_shape t;
	if (winit_shape_set(&t, l->target_shape.rank, l->target_shape.dim)) {
		snprintf(why, n_why, "target_shape must have 1 to %d positive dims", WINIT_MAX_RANK);
		return -1;
	}
	if (winit_shape_elements(&t) != winit_shape_elements(in)) {
		snprintf(why, n_why, "cannot reshape %s (%lld values) to %s (%lld values)",
		         winit_shape_format(in, a, sizeof a), (long long)winit_shape_elements(in),
		         winit_shape_format(&t, b, sizeof b), (long long)winit_shape_elements(&t));
		return -1;
	}
	*out = t;
	return 0;
}

static const struct winit_layer_field reshape_fields[] = {
	{ "target_shape", WINIT_LAYER_FIELD_SHAPE, offsetof(struct winit_layer_spec, target_shape), 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

const struct winit_layer_ops winit_layer_reshape = {
	.id = WINIT_LAYER_RESHAPE,
	.name = "Reshape",
	.prefix = "reshape",
	.min_in = 1,
	.max_in = 1,
	.fields = reshape_fields,
	.infer = reshape_infer,
	.forward = winit_layer_copy_forward,
	.input_grad = winit_layer_copy_input_grad,
	.theory_q = winit_layer_theory_same,
	.theory_grad = winit_layer_theory_grad_same,
};
