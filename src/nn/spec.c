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

int winit_model_spec_add_layer(struct winit_model_spec *spec, const struct winit_layer_spec *layer,
                               struct winit_error *err)
{
	if (spec->n_layers == spec->cap_layers) {
		if (spec->cap_layers > INT32_MAX / 2)
			return winit_error_set(err, WINIT_ERR_ARG, "model: too many layers (%d)",
			                       (int)spec->n_layers);
		int32_t cap = spec->cap_layers ? 2 * spec->cap_layers : 8;
		struct winit_layer_spec *l = realloc(spec->layers, (size_t)cap * sizeof *l);
		if (!l)
			return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers", (int)cap);
		spec->layers = l;
		spec->cap_layers = cap;
	}
	spec->layers[spec->n_layers++] = *layer;
	return WINIT_OK;
}

int winit_model_spec_copy(struct winit_model_spec *dst, const struct winit_model_spec *src,
                          struct winit_error *err)
{
	struct winit_model_spec c = *src;
	c.layers = NULL;
	c.cap_layers = 0;
	if (src->n_layers > 0) {
		c.layers = malloc((size_t)src->n_layers * sizeof *c.layers);
		if (!c.layers)
			return winit_error_set(err, WINIT_ERR_NOMEM, "model: no memory for %d layers",
			                       (int)src->n_layers);
		memcpy(c.layers, src->layers, (size_t)src->n_layers * sizeof *c.layers);
		c.cap_layers = src->n_layers;
	}
	*dst = c;
	return WINIT_OK;
}

void winit_model_spec_free(struct winit_model_spec *spec)
{
	free(spec->layers);
	spec->layers = NULL;
	spec->n_layers = spec->cap_layers = 0;
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
