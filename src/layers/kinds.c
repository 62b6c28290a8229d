/* src/layers/kinds.c -- the table of layer kinds, and what the public API says of them
 * (winit/model.h: winit_layer_kind_name, winit_layer_mult). */
#include "config.h"

#include <winit/model.h>

#include "layers/kind.h"

static const struct winit_layer_ops *const kinds[WINIT_LAYER_KINDS] = {
	[WINIT_LAYER_DENSE] = &winit_layer_dense,
	[WINIT_LAYER_FLATTEN] = &winit_layer_flatten,
	[WINIT_LAYER_RESHAPE] = &winit_layer_reshape,
	[WINIT_LAYER_ADD] = &winit_layer_add,
	[WINIT_LAYER_CONCATENATE] = &winit_layer_concatenate,
	[WINIT_LAYER_CONV2D] = &winit_layer_conv2d,
	[WINIT_LAYER_MAX_POOLING2D] = &winit_layer_max_pooling2d,
	[WINIT_LAYER_AVERAGE_POOLING2D] = &winit_layer_average_pooling2d,
	[WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D] = &winit_layer_global_average_pooling2d,
	[WINIT_LAYER_DROPOUT] = &winit_layer_dropout,
	[WINIT_LAYER_BATCH_NORMALIZATION] = &winit_layer_batch_normalization,
	[WINIT_LAYER_LAYER_NORMALIZATION] = &winit_layer_layer_normalization,
	[WINIT_LAYER_SCALE] = &winit_layer_scale,
};

const struct winit_layer_ops *winit_layer_kind_get(int32_t id)
{
	return id >= 0 && id < WINIT_LAYER_KINDS ? kinds[id] : NULL;
}

const char *winit_layer_kind_name(int32_t id)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(id);
	return k ? k->name : "?";
}

const char *winit_layer_kind_prefix(int32_t id)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(id);
	return k ? k->prefix : "layer";
}

struct winit_param_mult winit_layer_mult(const struct winit_layer_spec *l, int t)
{
	if (!l->mult_set || t < 0 || t >= WINIT_MAX_LAYER_TENSORS)
		return (struct winit_param_mult){ 1.0, 1.0 };
	return l->mult[t];
}
