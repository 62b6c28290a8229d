/* src/nn/spec.c -- a model's spec as Keras builds one: Dense's defaults (winit/model.h's
 * WINIT_DENSE_DEFAULT_*), the names of the loss and compile's rule for the output layer.
 * The Lua binding converts values and calls these, so scripts and C programs get the same
 * models and the same refusals. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/registry.h>
#include <winit/shape.h>

static int grow_layers(struct winit_model_spec *spec, struct winit_error *err)
{
	if (spec->n_layers < spec->cap_layers)
		return WINIT_OK;
	if (spec->cap_layers > INT32_MAX / 2)
		return winit_error_set(err, WINIT_ERR_ARG, "model: too many layers (%d)", (int)spec->n_layers);
	int32_t cap = spec->cap_layers ? 2 * spec->cap_layers : 8;
	struct winit_layer_spec *l = realloc(spec->layers, (size_t)cap * sizeof *l);
	if (!l)
		return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers", (int)cap);
	spec->layers = l;
	spec->cap_layers = cap;
	return WINIT_OK;
}

int winit_model_spec_add_layer(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                               struct winit_error *err)
{
	return winit_model_spec_add_node(spec, layer, NULL, 0, err);
}

int winit_model_spec_add_node(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                              const int32_t *inputs, int32_t n_in, struct winit_error *err)
{
	int32_t i = spec->n_layers;
	for (int32_t k = 0; k < n_in; k++)
		if (inputs[k] != WINIT_MODEL_INPUT && (inputs[k] < 0 || inputs[k] >= i))
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "model: layer %d: input %d is layer %d, not an earlier layer",
			                       (int)i + 1, (int)k + 1, (int)inputs[k] + 1);
	if (n_in < 0 || spec->n_edges > INT32_MAX - n_in)
		return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: bad number of inputs %d",
		                       (int)i + 1, (int)n_in);
	int rc = grow_layers(spec, err);
	if (rc)
		return rc;
	if (spec->n_edges + n_in > spec->cap_edges) {
		int32_t cap = spec->cap_edges ? spec->cap_edges : 8;
		while (cap < spec->n_edges + n_in)
			cap = cap > INT32_MAX / 2 ? INT32_MAX : 2 * cap;
		int32_t *e = realloc(spec->inputs, (size_t)cap * sizeof *e);
		if (!e)
			return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d inputs", (int)cap);
		spec->inputs = e;
		spec->cap_edges = cap;
	}
	struct winit_layer_spec l = *layer;
	l.n_in = n_in;
	l.in_off = n_in ? spec->n_edges : 0;
	if (n_in)
		memcpy(spec->inputs + spec->n_edges, inputs, (size_t)n_in * sizeof *inputs);
	spec->n_edges += n_in;
	spec->layers[spec->n_layers++] = l;
	return WINIT_OK;
}

int32_t winit_model_spec_layer_inputs(const struct winit_model_spec *spec, int32_t i, int32_t *in,
                                      int32_t cap)
{
	const struct winit_layer_spec *l = &spec->layers[i];
	if (l->n_in == 0) {
		if (cap > 0)
			in[0] = i > 0 ? i - 1 : WINIT_MODEL_INPUT;
		return 1;
	}
	for (int32_t k = 0; k < l->n_in && k < cap; k++)
		in[k] = spec->inputs[l->in_off + k];
	return l->n_in;
}

int winit_model_spec_is_chain(const struct winit_model_spec *spec)
{
	for (int32_t i = 0; i < spec->n_layers; i++) {
		const struct winit_layer_spec *l = &spec->layers[i];
		if (l->kind != WINIT_LAYER_DENSE || l->mult_set || l->name[0])
			return 0;
		int32_t in;
		if (l->n_in > 1 || (l->n_in == 1 && (winit_model_spec_layer_inputs(spec, i, &in, 1),
		                                     in != (i > 0 ? i - 1 : WINIT_MODEL_INPUT))))
			return 0;
	}
	return 1;
}

struct winit_shape winit_model_spec_input_shape(const struct winit_model_spec *spec)
{
	struct winit_shape s;
	memset(&s, 0, sizeof s);
	if (spec->n_input_dims < 1 || winit_shape_set(&s, spec->n_input_dims, spec->input_shape)) {
		s.rank = 1;
		s.dim[0] = spec->n_inputs;
	}
	return s;
}

int winit_model_spec_copy(struct winit_model_spec *dst, const struct winit_model_spec *src,
                          struct winit_error *err)
{
	struct winit_model_spec c = *src;
	c.layers = NULL;
	c.cap_layers = 0;
	c.inputs = NULL;
	c.cap_edges = 0;
	if (src->n_layers > 0) {
		c.layers = malloc((size_t)src->n_layers * sizeof *c.layers);
		if (!c.layers)
			return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers",
			                       (int)src->n_layers);
		memcpy(c.layers, src->layers, (size_t)src->n_layers * sizeof *c.layers);
		c.cap_layers = src->n_layers;
	}
	if (src->n_edges > 0) {
		c.inputs = malloc((size_t)src->n_edges * sizeof *c.inputs);
		if (!c.inputs) {
			free(c.layers);
			return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d inputs",
			                       (int)src->n_edges);
		}
		memcpy(c.inputs, src->inputs, (size_t)src->n_edges * sizeof *c.inputs);
		c.cap_edges = src->n_edges;
	}
	*dst = c;
	return WINIT_OK;
}

void winit_model_spec_free(struct winit_model_spec *spec)
{
	free(spec->layers);
	free(spec->inputs);
	spec->layers = NULL;
	spec->inputs = NULL;
	spec->n_layers = spec->cap_layers = 0;
	spec->n_edges = spec->cap_edges = 0;
}

int winit_plugin_use_default(struct winit_plugin_use *use, const struct winit_registry *reg,
                             uint32_t kind, const char *name, struct winit_error *err)
{
	const struct winit_plugin_entry *e = winit_registry_find(reg, kind, name);
	if (!e) {
		char known[2048];
		winit_registry_names(reg, kind, known, sizeof known);
		return winit_error_set(err, WINIT_ERR_PLUGIN, "unknown %s '%s' (known: %s)",
		                       winit_kind_name(kind), name, known[0] ? known : "none");
	}
	struct winit_plugin_use u;
	memset(&u, 0, sizeof u);
	int rc = winit_params_resolve(u.params, e->info, 0, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	u.info = e->info;
	u.entry = e;
	*use = u;
	return WINIT_OK;
}

int winit_layer_spec_default(struct winit_layer_spec *l, const struct winit_registry *reg,
                             int64_t units, struct winit_error *err)
{
	struct winit_layer_spec d;
	memset(&d, 0, sizeof d);
	d.units = units;
	d.use_bias = WINIT_DENSE_DEFAULT_USE_BIAS;
	int rc = winit_plugin_use_default(&d.activation, reg, WINIT_KIND_ACTIVATION,
	                                  WINIT_DENSE_DEFAULT_ACTIVATION, err);
	if (!rc)
		rc = winit_plugin_use_default(&d.kernel_initializer, reg, WINIT_KIND_INITIALIZER,
		                              WINIT_DENSE_DEFAULT_KERNEL_INITIALIZER, err);
	if (!rc)
		rc = winit_plugin_use_default(&d.bias_initializer, reg, WINIT_KIND_INITIALIZER,
		                              WINIT_DENSE_DEFAULT_BIAS_INITIALIZER, err);
	if (rc)
		return rc;
	*l = d;
	return WINIT_OK;
}

int winit_loss_from_name(const char *name, enum winit_loss *loss, struct winit_error *err)
{
	if (name && (strcmp(name, "categorical_crossentropy") == 0 ||
	             strcmp(name, "sparse_categorical_crossentropy") == 0)) {
		*loss = WINIT_LOSS_CATEGORICAL_CROSSENTROPY;
		return WINIT_OK;
	}
	return winit_error_set(err, WINIT_ERR_ARG, "unknown loss '%s' (known: categorical_crossentropy, "
	                                           "sparse_categorical_crossentropy)",
	                       name ? name : "(null)");
}

int winit_model_spec_compile(struct winit_model_spec *spec, enum winit_loss loss,
                             struct winit_error *err)
{
	if (loss != WINIT_LOSS_CATEGORICAL_CROSSENTROPY)
		return winit_error_set(err, WINIT_ERR_ARG, "unknown loss %d", (int)loss);
	if (spec->n_layers <= 0)
		return winit_error_set(err, WINIT_ERR_ARG, "model: needs at least one Dense layer");
	const struct winit_plugin_info *out = spec->layers[spec->n_layers - 1].activation.info;
	if (!out)
		return winit_error_set(err, WINIT_ERR_ARG, "model: layer %d: no activation plugin",
		                       (int)spec->n_layers);
	if (strcmp(out->name, "softmax") != 0)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "categorical cross-entropy needs a softmax output layer, but the last "
		                       "Dense layer's activation is '%s': the loss reads the outputs as class "
		                       "probabilities, which only softmax makes (use activation = \"softmax\" on "
		                       "the last layer; winit has no from_logits)",
		                       out->name);
	spec->loss = (int32_t)loss;
	return WINIT_OK;
}
