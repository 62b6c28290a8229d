/* src/layers/norm_ops.c -- what the normalizations share (BatchNormalization,
 * LayerNormalization): gamma and beta per feature, and their step of the theory. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layers/kind.h"

int32_t winit_layer_norm_declare(const struct winit_layer_spec *l, const struct winit_shape *in,
                                 struct winit_tensor_decl *out)
{
	int64_t c = in->dim[in->rank - 1];
	out[0] = (struct winit_tensor_decl){ .name = "gamma", .rank = 1, .dims = { c }, .init = &l->kernel_initializer, .purpose = WINIT_STREAM_KERNEL };
	out[1] = (struct winit_tensor_decl){ .name = "beta", .rank = 1, .dims = { c }, .init = &l->bias_initializer, .purpose = WINIT_STREAM_BIAS };
	return 2;
}

/* At initialization, gamma's and beta's initializers being Keras's ones and zeros (their
 * spread enters as var[]): the output's second moment gamma^2 + beta^2 = 1, mean 0. */
double winit_layer_norm_theory_q(const struct winit_layer_spec *l, const struct winit_layer *d,
                                 const struct winit_theory_in *in, int32_t n_in,
                                 const double *var, struct winit_theory_out *out)
{
	(void)in;
	(void)n_in;
	if (strcmp(l->kernel_initializer.info->name, "ones") != 0 ||
	    strcmp(l->bias_initializer.info->name, "zeros") != 0) {
		snprintf(out->why, sizeof out->why,
		         "the recursion knows %s with gamma ones and beta zeros only", d->kind->name);
		return NAN;
	}
	out->mu = 0;
	return 1.0 + var[0] + var[1];
}

/* The input's gradient: gamma / sqrt(var + eps) times dy's (the terms of order 1/N
 * aside), the input's variance its second moment less its squared mean. */
double winit_layer_norm_theory_grad(const struct winit_layer_spec *l, const struct winit_layer *d,
                                    int k, const double *var, const struct winit_theory_in *in)
{
	(void)d;
	double v = in[k].m2 - in[k].mu * in[k].mu;
	return (1.0 + var[0]) / (v + l->epsilon);
}
