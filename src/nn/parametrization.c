/* src/nn/parametrization.c -- standard, NTK and muP parametrizations as a spec's
 * multipliers (winit/parametrization.h: the table is there). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/parametrization.h>
#include <winit/registry.h>

#include "layers/kind.h"

static const char *const names[] = { "standard", "ntk", "mup" };
static const char *const roles[] = { "fixed", "input", "hidden", "output" };

int winit_parametrization_from_name(const char *name, enum winit_parametrization *p,
                                    struct winit_error *err)
{
	for (int k = 0; k < 3; k++)
		if (name && strcmp(name, names[k]) == 0) {
			*p = (enum winit_parametrization)k;
			return WINIT_OK;
		}
	return winit_error_set(err, WINIT_ERR_ARG,
	                       "unknown parametrization '%s' (known: standard, ntk, mup)",
	                       name ? name : "(null)");
}

const char *winit_parametrization_name(enum winit_parametrization p)
{
	return (int)p >= 0 && (int)p < 3 ? names[p] : "?";
}

const char *winit_param_role_name(enum winit_param_role r)
{
	return (int)r >= 0 && (int)r < 4 ? roles[r] : "?";
}

/* Layer i's kernel fans (Keras's, from its declared shape); 0 without a kernel. */
static int kernel_fans(const struct winit_model_spec *spec, const struct winit_shape *shapes,
                       int32_t i, int64_t *fan_in, int64_t *fan_out, int32_t *rank)
{
	const struct winit_layer_ops *k = winit_layer_kind_get(spec->layers[i].kind);
	struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
	int32_t src;
	winit_model_spec_layer_inputs(spec, i, &src, 1);
	struct winit_shape in = src == WINIT_MODEL_INPUT ? winit_model_spec_input_of(spec, i) : shapes[src];
	if (!k || !k->has_kernel || k->declare(&spec->layers[i], &in, decl) < 1)
		return 0;
	winit_compute_fans(decl[0].dims, (uint32_t)decl[0].rank, fan_in, fan_out);
	*rank = decl[0].rank;
	return 1;
}

/* The graphs agree layer by layer: kinds, inputs, kernels' presence and rank. */
static int same_graph(const struct winit_model_spec *a, const struct winit_model_spec *b,
                      const struct winit_shape *sa, const struct winit_shape *sb,
                      struct winit_error *err)
{
	if (a->n_layers != b->n_layers)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "parametrization: the base model has %d layers, the model %d: it must "
		                       "be the same graph at its base widths",
		                       (int)b->n_layers, (int)a->n_layers);
	for (int32_t i = 0; i < a->n_layers; i++) {
		int32_t ia[64], ib[64];
		int32_t na = winit_model_spec_layer_inputs(a, i, ia, 64),
			nb = winit_model_spec_layer_inputs(b, i, ib, 64);
		int64_t fa, ga, fb, gb;
		int32_t ra = 0, rb = 0;
		int ka = kernel_fans(a, sa, i, &fa, &ga, &ra), kb = kernel_fans(b, sb, i, &fb, &gb, &rb);
		int same = a->layers[i].kind == b->layers[i].kind && na == nb && ka == kb && ra == rb;
		for (int32_t k = 0; same && k < na && k < 64; k++)
			same = ia[k] == ib[k];
		if (!same)
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "parametrization: layer %d differs from the base model's (%s there, "
			                       "%s here, or its inputs or kernel): the base must be the same "
			                       "graph at its base widths",
			                       (int)i + 1, winit_layer_kind_name(b->layers[i].kind),
			                       winit_layer_kind_name(a->layers[i].kind));
	}
	return WINIT_OK;
}

static struct winit_shape *shapes_of(const struct winit_model_spec *s, struct winit_error *err)
{
	struct winit_shape *sh = malloc((size_t)(s->n_layers > 0 ? s->n_layers : 1) * sizeof *sh);
	if (!sh) {
		winit_error_set(err, WINIT_ERR_NOMEM, "parametrization: no memory");
		return NULL;
	}
	if (winit_model_spec_shapes(s, sh, err)) {
		free(sh);
		return NULL;
	}
	return sh;
}

/* One layer's multipliers under muP, from its kernel's fans and the base's. */
static void mup_layer(struct winit_layer_spec *l, int64_t fi, int64_t fo, int64_t bfi, int64_t bfo,
                      enum winit_optimizer_kind opt, int zero_output, enum winit_param_role *role)
{
	const int wide_in = fi != bfi, wide_out = fo != bfo;
	const double m = (double)fi / (double)bfi, mo = (double)fo / (double)bfo;
	const int sgd = opt == WINIT_OPT_SGD;
	struct winit_param_mult kernel = { 1, 1 }, bias = { 1, sgd && wide_out ? mo : 1 };
	*role = wide_in && wide_out ? WINIT_ROLE_HIDDEN :
	        wide_out            ? WINIT_ROLE_INPUT :
	        wide_in             ? WINIT_ROLE_OUTPUT :
	                              WINIT_ROLE_FIXED;
	switch (*role) {
	case WINIT_ROLE_INPUT:
		kernel.lr = sgd ? mo : 1;
		break;
	case WINIT_ROLE_HIDDEN:
		kernel.lr = sgd ? 1 : 1 / m;
		break;
	case WINIT_ROLE_OUTPUT:
		kernel.init = zero_output ? 0 : 1 / sqrt(m);
		kernel.lr = 1 / m;
		break;
	case WINIT_ROLE_FIXED:
		break;
	}
	l->mult_set = 1;
	l->mult[0] = kernel;
	l->mult[1] = bias;
	l->out_mult = 1;
}

static int parametrize(struct winit_model_spec *spec, enum winit_parametrization p,
                       const struct winit_model_spec *base, enum winit_optimizer_kind opt,
                       int zero_output, enum winit_param_role *role_out, struct winit_error *err);

int winit_model_spec_parametrize(struct winit_model_spec *spec, enum winit_parametrization p,
                                 const struct winit_model_spec *base,
                                 enum winit_optimizer_kind opt, int zero_output,
                                 enum winit_param_role *role_out, struct winit_error *err)
{
	struct winit_error e = { 0 };
	int rc = parametrize(spec, p, base, opt, zero_output, role_out, &e);
	return rc ? winit_error_set(err, rc, "%s", e.msg) : WINIT_OK;
}

static int parametrize(struct winit_model_spec *spec, enum winit_parametrization p,
                       const struct winit_model_spec *base, enum winit_optimizer_kind opt,
                       int zero_output, enum winit_param_role *role_out, struct winit_error *err)
{
	if (p == WINIT_PARAM_MUP && !base)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "parametrization mup needs a base model (the same graph at its base "
		                       "widths)");
	if ((int)p < 0 || (int)p > 2)
		return winit_error_set(err, WINIT_ERR_ARG, "unknown parametrization %d", (int)p);
	struct winit_shape *sa = shapes_of(spec, err), *sb = NULL;
	if (!sa)
		return err->status;
	if (p == WINIT_PARAM_MUP && (!(sb = shapes_of(base, err)) || same_graph(spec, base, sa, sb, err))) {
		free(sa);
		free(sb);
		return err->status;
	}
	struct winit_layer_spec *ls = malloc((size_t)spec->n_layers * sizeof *ls);
	if (!ls) {
		free(sa);
		free(sb);
		return winit_error_set(err, WINIT_ERR_NOMEM, "parametrization: no memory");
	}
	memcpy(ls, spec->layers, (size_t)spec->n_layers * sizeof *ls);
	for (int32_t i = 0; i < spec->n_layers; i++) {
		struct winit_layer_spec *l = &ls[i];
		enum winit_param_role role = WINIT_ROLE_FIXED;
		int64_t fi, fo, bfi, bfo;
		int32_t rank;
		l->mult_set = 0;
		l->mult[0] = l->mult[1] = (struct winit_param_mult){ 1, 1 };
		l->out_mult = 1;
		if (p != WINIT_PARAM_STANDARD && kernel_fans(spec, sa, i, &fi, &fo, &rank)) {
			if (p == WINIT_PARAM_NTK) {
				l->mult_set = 1;
				l->mult[0].init = sqrt((double)fi);
				l->out_mult = 1 / sqrt((double)fi);
			} else {
				kernel_fans(base, sb, i, &bfi, &bfo, &rank);
				mup_layer(l, fi, fo, bfi, bfo, opt, zero_output, &role);
			}
		}
		if (role_out)
			role_out[i] = role;
	}
	memcpy(spec->layers, ls, (size_t)spec->n_layers * sizeof *ls);
	free(ls);
	free(sa);
	free(sb);
	return WINIT_OK;
}
