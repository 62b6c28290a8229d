/* Parametrizations (src/nn/parametrization.c): muP's table (Tensor Programs V, Table 3)
 * as multipliers by role, for Adam and SGD; muP at the base widths is the standard
 * parametrization to the bit; NTK's multipliers; the coordinate check's finding (the
 * logits' size after a few Adam steps grows with width under the standard
 * parametrization, stays under muP); a base of another graph refused. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/model.h>
#include <winit/parametrization.h>
#include <winit/train.h>

#include "testutil.h"

/* 784-w-w-c ReLU MLP, kernels of variance 1/fan_in, as mup's coordinate check. */
static struct winit_model_spec mlp(int64_t w, int64_t classes)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = 784;
	struct winit_error err = { 0 };
	struct winit_layer_spec h = tu_dense(w, "relu", "lecun_normal"),
				o = tu_dense(classes, "softmax", "lecun_normal");
	ck_assert(winit_model_spec_add_layer(&s, &h, &err) == 0);
	ck_assert(winit_model_spec_add_layer(&s, &h, &err) == 0);
	ck_assert(winit_model_spec_add_layer(&s, &o, &err) == 0);
	return s;
}

static void mults(const struct winit_layer_spec *l, double ki, double kl, double bi, double bl)
{
	ck_assert(l->mult_set);
	ck_assert_double_eq_tol(l->mult[0].init, ki, 1e-15);
	ck_assert_double_eq_tol(l->mult[0].lr, kl, 1e-15);
	ck_assert_double_eq_tol(l->mult[1].init, bi, 1e-15);
	ck_assert_double_eq_tol(l->mult[1].lr, bl, 1e-15);
	ck_assert_double_eq(l->out_mult, 1);
}

/* Width 256 against a base of 64 (m = 4): the roles and Table 3's multipliers. */
START_TEST(mup_multipliers_follow_the_table)
{
	struct winit_model_spec base = mlp(64, 10), s = mlp(256, 10);
	enum winit_param_role role[3];
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_parametrize(&s, WINIT_PARAM_MUP, &base, WINIT_OPT_ADAM, 0, role,
	                                           &err) == 0,
	              "%s", err.msg);
	ck_assert_int_eq(role[0], WINIT_ROLE_INPUT);
	ck_assert_int_eq(role[1], WINIT_ROLE_HIDDEN);
	ck_assert_int_eq(role[2], WINIT_ROLE_OUTPUT);
	mults(&s.layers[0], 1, 1, 1, 1);      /* input: as standard under Adam */
	mults(&s.layers[1], 1, 0.25, 1, 1);   /* hidden: lr / m */
	mults(&s.layers[2], 0.5, 0.25, 1, 1); /* output: var / m (sd / 2), lr / m */
	ck_assert_msg(winit_model_spec_parametrize(&s, WINIT_PARAM_MUP, &base, WINIT_OPT_SGD, 1, role,
	                                           &err) == 0,
	              "%s", err.msg);
	mults(&s.layers[0], 1, 4, 1, 4);    /* input and its bias: lr x fan_out ratio */
	mults(&s.layers[1], 1, 1, 1, 4);    /* hidden: lr 1; its bias x fan_out ratio */
	mults(&s.layers[2], 0, 0.25, 1, 1); /* output: zero, lr / m; its bias fixed */
	/* Standard clears them; NTK scales by sqrt(fan_in). */
	ck_assert(winit_model_spec_parametrize(&s, WINIT_PARAM_STANDARD, NULL, WINIT_OPT_ADAM, 0, NULL, &err) == 0);
	for (int i = 0; i < 3; i++)
		ck_assert(!s.layers[i].mult_set);
	ck_assert(winit_model_spec_is_chain(&s));
	ck_assert(winit_model_spec_parametrize(&s, WINIT_PARAM_NTK, NULL, WINIT_OPT_ADAM, 0, NULL, &err) == 0);
	ck_assert_double_eq_tol(s.layers[1].mult[0].init, 16, 1e-12);
	ck_assert_double_eq_tol(s.layers[1].out_mult, 1.0 / 16, 1e-15);
	ck_assert_double_eq_tol(s.layers[0].out_mult, 1.0 / 28, 1e-15);
	/* muP needs a base of the same graph. */
	struct winit_model_spec other = mlp(64, 10);
	struct winit_layer_spec extra = tu_dense(10, "softmax", "lecun_normal");
	ck_assert(winit_model_spec_add_layer(&other, &extra, &err) == 0);
	ck_assert_int_eq(winit_model_spec_parametrize(&s, WINIT_PARAM_MUP, &other, WINIT_OPT_ADAM, 0, NULL, &err),
	                 WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "the base model has 4 layers, the model 3"), "%s", err.msg);
	ck_assert_int_eq(winit_model_spec_parametrize(&s, WINIT_PARAM_MUP, NULL, WINIT_OPT_ADAM, 0, NULL, &err),
	                 WINIT_ERR_ARG);
	enum winit_parametrization p;
	ck_assert_int_eq(winit_parametrization_from_name("mu", &p, &err), WINIT_ERR_ARG);
	ck_assert_str_eq(err.msg, "unknown parametrization 'mu' (known: standard, ntk, mup)");
	winit_model_spec_free(&base);
	winit_model_spec_free(&s);
	winit_model_spec_free(&other);
}
END_TEST

/* Mean |logit| on a batch after `steps` Adam steps (lr 0.01, batch 64) of width w. */
static double logits_after(int64_t w, enum winit_parametrization p, int steps, uint64_t seed,
                           const struct winit_dataset *ds)
{
	struct winit_model_spec base = mlp(128, 4), s = mlp(w, 4);
	struct winit_error err = { 0 };
	ck_assert(winit_model_spec_parametrize(&s, p, &base, WINIT_OPT_ADAM, 0, NULL, &err) == 0);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	opt.learning_rate = 0.01;
	struct winit_trainer t;
	ck_assert_msg(winit_trainer_init(&t, &s, &opt, seed, &err) == 0, "%s", err.msg);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 1;
	f.batch_size = 64;
	f.validation_split = 0;
	f.diagnostics = (struct winit_diag_cadence){ 0, 0, 0 };
	struct winit_dataset part = *ds;
	part.n = 64 * steps;
	struct winit_history h = { 0 };
	ck_assert_msg(winit_trainer_fit(&t, &part, &f, NULL, 0, &h, &err) == 0, "%s", err.msg);
	/* The logits of the first 64 rows. */
	float *x = malloc(64 * 784 * sizeof *x);
	uint32_t idx[64];
	for (int i = 0; i < 64; i++)
		idx[i] = (uint32_t)i;
	winit_dataset_gather(x, NULL, ds, idx, 64);
	ck_assert(winit_model_reserve(&t.model, 64, &err) == 0);
	const float *z = winit_model_forward_train(&t.model, x, 64);
	double sum = 0;
	for (int i = 0; i < 64 * 4; i++)
		sum += fabs(z[i]);
	free(x);
	winit_history_free(&h);
	winit_trainer_free(&t);
	winit_model_spec_free(&base);
	winit_model_spec_free(&s);
	return sum / (64 * 4);
}

/* The coordinate check's finding (issue 23's acceptance, on generated images): after 3
 * Adam steps at lr 0.01 the logits grow several times from width 128 to 2048 under the
 * standard parametrization, and stay within 25% under muP (base width 128).  Three seeds
 * each. */
START_TEST(coordinate_check_sp_grows_mup_stays)
{
	struct winit_dataset ds = tu_quadrant_dataset(192, 28, 31);
	double sp[2] = { 0, 0 }, mup[2] = { 0, 0 };
	const int64_t widths[2] = { 128, 2048 };
	for (uint64_t seed = 1; seed <= 3; seed++)
		for (int k = 0; k < 2; k++) {
			sp[k] += logits_after(widths[k], WINIT_PARAM_STANDARD, 3, seed, &ds);
			mup[k] += logits_after(widths[k], WINIT_PARAM_MUP, 3, seed, &ds);
		}
	fprintf(stderr, "standard %g -> %g, mup %g -> %g\n", sp[0] / 3, sp[1] / 3, mup[0] / 3, mup[1] / 3);
	/* At the base width muP is the standard parametrization. */
	ck_assert(sp[0] == mup[0]);
	ck_assert_msg(sp[1] / sp[0] >= 3, "standard: %g -> %g", sp[0] / 3, sp[1] / 3);
	ck_assert_msg(fabs(mup[1] / mup[0] - 1) <= 0.25, "mup: %g -> %g", mup[0] / 3, mup[1] / 3);
	winit_dataset_free(&ds);
}
END_TEST

/* muP at the base widths trains to the bits of the standard parametrization. */
START_TEST(mup_at_base_is_standard)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 28, 7);
	struct winit_model_spec a = mlp(96, 4), b = mlp(96, 4);
	struct winit_error err = { 0 };
	ck_assert(winit_model_spec_parametrize(&b, WINIT_PARAM_MUP, &a, WINIT_OPT_SGD, 0, NULL, &err) == 0);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_SGD);
	struct winit_trainer ta, tb;
	ck_assert(winit_trainer_init(&ta, &a, &opt, 3, &err) == 0);
	ck_assert(winit_trainer_init(&tb, &b, &opt, 3, &err) == 0);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	f.batch_size = 32;
	struct winit_history ha = { 0 }, hb = { 0 };
	ck_assert(winit_trainer_fit(&ta, &ds, &f, NULL, 0, &ha, &err) == 0);
	ck_assert(winit_trainer_fit(&tb, &ds, &f, NULL, 0, &hb, &err) == 0);
	ck_assert(memcmp(ta.model.params, tb.model.params, (size_t)ta.model.n_params * sizeof(float)) == 0);
	winit_history_free(&ha);
	winit_history_free(&hb);
	winit_trainer_free(&ta);
	winit_trainer_free(&tb);
	winit_model_spec_free(&a);
	winit_model_spec_free(&b);
	winit_dataset_free(&ds);
}
END_TEST

static Suite *parametrization_suite(void)
{
	Suite *s = suite_create("parametrization");
	TCase *tc = tcase_create("parametrization");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, mup_multipliers_follow_the_table);
	tcase_add_test(tc, coordinate_check_sp_grows_mup_stays);
	tcase_add_test(tc, mup_at_base_is_standard);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(parametrization_suite());
}
