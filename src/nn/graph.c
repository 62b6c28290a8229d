/* src/nn/graph.c -- a model as a graph of layers: each layer's output shape from its
 * inputs' (through its kind's infer), its name, and the checks that make a spec a graph
 * the passes can run: inputs before their consumers, every layer's output used. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/shape.h>

#include "layers/kind.h"
#include "nn/graph.h"

char *winit_model_spec_layer_name(const struct winit_model_spec *spec, int32_t i, char *buf,
                                  size_t n)
{
	const struct winit_layer_spec *l = &spec->layers[i];
	if (l->name[0]) {
		snprintf(buf, n, "%s", l->name);
		return buf;
	}
	int count = 0;
	for (int32_t k = 0; k <= i; k++)
		count += spec->layers[k].kind == l->kind;
	snprintf(buf, n, "%s_%d", winit_layer_kind_prefix(l->kind), count);
	return buf;
}

struct winit_shape winit_model_spec_input_of(const struct winit_model_spec *spec, int32_t i)
{
	struct winit_shape s = winit_model_spec_input_shape(spec);
	if (spec->layers[i].n_in == 0) { /* a chain flattens it (Sequential's Flatten) */
		s.dim[0] = winit_shape_elements(&s);
		for (int32_t k = 1; k < WINIT_MAX_RANK; k++)
			s.dim[k] = 0;
		s.rank = 1;
	}
	return s;
}

/* "layer 3 (Add 'add_1')" */
static const char *layer_what(const struct winit_model_spec *spec, int32_t i, char *buf, size_t n)
{
	char name[64];
	snprintf(buf, n, "layer %d (%s '%s')", (int)i + 1, winit_layer_kind_name(spec->layers[i].kind),
	         winit_model_spec_layer_name(spec, i, name, sizeof name));
	return buf;
}

int winit_layer_spec_infer(const struct winit_layer_spec *l, const struct winit_shape *in,
                           int32_t n_in, struct winit_shape *out, struct winit_error *err)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(l->kind);
	char why[320];
	if (!k)
		return winit_error_set(err, WINIT_ERR_ARG, "unknown layer kind %d", (int)l->kind);
	if (n_in < k->min_in || (k->max_in && n_in > k->max_in))
		return winit_error_set(err, WINIT_ERR_ARG, "%s takes %s%d input%s, got %d", k->name,
		                       k->max_in == k->min_in ? "" : "at least ", (int)k->min_in,
		                       k->min_in == 1 ? "" : "s", (int)n_in);
	if (k->infer(l, in, n_in, out, why, sizeof why))
		return winit_error_set(err, WINIT_ERR_ARG, "%s", why);
	return WINIT_OK;
}

int winit_model_spec_shapes(const struct winit_model_spec *spec, struct winit_shape *out,
                            struct winit_error *err)
{
	struct winit_shape *in = NULL;
	int32_t *src = NULL, cap = 0;
	int rc = WINIT_OK;
	char what[128];
	for (int32_t i = 0; i < spec->n_layers && !rc; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		int32_t n = winit_model_spec_layer_inputs(spec, i, NULL, 0);
		if (n > cap) {
			cap = n;
			free(src);
			free(in);
			src = malloc((size_t)n * sizeof *src);
			in = malloc((size_t)n * sizeof *in);
			if (!src || !in) {
				rc = winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d inputs", (int)n);
				break;
			}
		}
		winit_model_spec_layer_inputs(spec, i, src, n);
		for (int32_t e = 0; e < n; e++) {
			if (src[e] != WINIT_MODEL_INPUT && (src[e] < 0 || src[e] >= i)) {
				rc = winit_error_set(err, WINIT_ERR_ARG,
				                     "model: %s: input %d is layer %d, which does not come before it",
				                     layer_what(spec, i, what, sizeof what), (int)e + 1, (int)src[e] + 1);
				break;
			}
			in[e] = src[e] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : out[src[e]];
		}
		struct winit_error e2;
		if (!rc && winit_layer_spec_infer(l, in, n, &out[i], &e2))
			rc = winit_error_set(err, WINIT_ERR_ARG, "model: %s: %s",
			                     layer_what(spec, i, what, sizeof what), e2.msg);
	}
	free(src);
	free(in);
	return rc;
}

/* Every layer but the last feeds a later one (a layer whose output is not used would be
 * computed and trained for nothing: Keras leaves it out of the model). */
int winit_model_spec_check_graph(const struct winit_model_spec *spec, struct winit_error *err)
{
	char *used = calloc((size_t)spec->n_layers, 1);
	if (!used)
		return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers",
		                       (int)spec->n_layers);
	for (int32_t i = 0; i < spec->n_layers; i++) {
		int32_t n = winit_model_spec_layer_inputs(spec, i, NULL, 0);
		for (int32_t e = 0; e < n; e++) {
			int32_t s = spec->layers[i].n_in ? spec->inputs[spec->layers[i].in_off + e] : i - 1;
			if (s >= 0 && s < i)
				used[s] = 1;
		}
	}
	int rc = WINIT_OK;
	char what[128];
	for (int32_t i = 0; i + 1 < spec->n_layers && !rc; i++)
		if (!used[i])
			rc = winit_error_set(err, WINIT_ERR_ARG,
			                     "model: %s: its output is not used by any later layer (the model's "
			                     "output is its last layer, %d)",
			                     layer_what(spec, i, what, sizeof what), (int)spec->n_layers);
	free(used);
	return rc;
}

int32_t winit_model_spec_tensors(const struct winit_model_spec *spec, int32_t i,
                                 const struct winit_shape *shapes, struct winit_tensor_decl *decl)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(spec->layers[i].kind);
	if (!k || !k->declare)
		return 0;
	int32_t s;
	winit_model_spec_layer_inputs(spec, i, &s, 1);
	struct winit_shape in = s == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : shapes[s];
	return k->declare(&spec->layers[i], &in, decl);
}
