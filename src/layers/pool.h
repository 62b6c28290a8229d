/* src/layers/pool.h -- what the pooling kinds share (internal; pool.c): a window's walk
 * over an image, Keras's sizes, per example. */
#ifndef WINIT_LAYERS_POOL_H
#define WINIT_LAYERS_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <winit/model.h>
#include <winit/shape.h>

#include "core/internal.h"

struct winit_pool {
	int64_t h, w, c; /* input */
	int64_t ph, pw, sh, sw;
	int64_t oh, ow;    /* output */
	int64_t top, left; /* padding before */
};

/* The window of pooling layer l over an input of shape in (pool_size in kernel_size,
 * strides, padding valid or same); 0, or -1 with `why` naming `kind` and the shapes. */
WINIT_INTERNAL int winit_pool_geometry(const struct winit_layer_spec *l, const struct winit_shape *in,
                                       const char *kind, struct winit_pool *g, char *why,
                                       size_t n_why);
/* How many of output (oy, ox)'s window's values are in the image (same padding: fewer at
 * the border). */
WINIT_INTERNAL int64_t winit_pool_count(const struct winit_pool *g, int64_t oy, int64_t ox);

/* Its output shape (oh, ow, c). */
WINIT_INTERNAL int winit_pool_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                                    const char *kind, struct winit_shape *out, char *why,
                                    size_t n_why);

/* The pooling kinds' configuration (Keras's pool_size, strides, padding valid or same). */
struct winit_layer_field;
extern WINIT_INTERNAL const struct winit_layer_field winit_pool_fields[];

#endif /* WINIT_LAYERS_POOL_H */
