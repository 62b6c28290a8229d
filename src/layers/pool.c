/* src/layers/pool.c -- the pooling kinds' window (pool.h). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layers/kind.h"
#include "layers/pool.h"
#include "layers/window.h"

int winit_pool_geometry(const struct winit_layer_spec *l, const struct winit_shape *in,
                        const char *kind, struct winit_pool *g, char *why, size_t n_why)
{
	char s[96];
	if (in->rank != 3) {
		snprintf(why, n_why, "%s needs an input of (height, width, channels), got %s", kind,
		         winit_shape_format(in, s, sizeof s));
		return -1;
	}
	if (l->kernel_size[0] < 1 || l->kernel_size[1] < 1 || l->strides[0] < 1 || l->strides[1] < 1 ||
	    (l->padding != WINIT_PADDING_VALID && l->padding != WINIT_PADDING_SAME)) {
		snprintf(why, n_why, "pool_size and strides must be positive and padding valid or same");
		return -1;
	}
	*g = (struct winit_pool){ .h = in->dim[0], .w = in->dim[1], .c = in->dim[2], .ph = l->kernel_size[0], .pw = l->kernel_size[1], .sh = l->strides[0], .sw = l->strides[1] };
	g->oh = winit_window_out(g->h, g->ph, g->sh, 1, l->padding, &g->top);
	g->ow = winit_window_out(g->w, g->pw, g->sw, 1, l->padding, &g->left);
	if (g->oh < 1 || g->ow < 1) {
		snprintf(why, n_why, "a %lldx%lld pool does not fit in %s with padding valid",
		         (long long)g->ph, (long long)g->pw, winit_shape_format(in, s, sizeof s));
		return -1;
	}
	return 0;
}

int64_t winit_pool_count(const struct winit_pool *g, int64_t oy, int64_t ox)
{
	int64_t y0 = oy * g->sh - g->top, x0 = ox * g->sw - g->left, y1 = y0 + g->ph, x1 = x0 + g->pw;
	y0 = y0 < 0 ? 0 : y0;
	x0 = x0 < 0 ? 0 : x0;
	y1 = y1 > g->h ? g->h : y1;
	x1 = x1 > g->w ? g->w : x1;
	return (y1 - y0) * (x1 - x0);
}

int winit_pool_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                     const char *kind, struct winit_shape *out, char *why, size_t n_why)
{
	struct winit_pool g;
	if (winit_pool_geometry(l, in, kind, &g, why, n_why))
		return -1;
	int64_t dims[3] = { g.oh, g.ow, g.c };
	return winit_shape_set(out, 3, dims);
}

static const char *const pool_paddings[] = { "valid", "same", NULL };

const struct winit_layer_field winit_pool_fields[] = {
	{ "pool_size", WINIT_LAYER_FIELD_INTS, offsetof(struct winit_layer_spec, kernel_size), 1, INT32_MAX, 2, NULL },
	{ "strides", WINIT_LAYER_FIELD_INTS, offsetof(struct winit_layer_spec, strides), 1, INT32_MAX, 2, NULL },
	{ "padding", WINIT_LAYER_FIELD_CHOICE, offsetof(struct winit_layer_spec, padding), 0, 0, 0, pool_paddings },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};
