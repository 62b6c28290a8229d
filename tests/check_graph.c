/* Models as graphs of layer kinds (src/layers/, src/nn/graph.c, passes.c): gradients
 * through skips, branches and shape-only layers; a chain written as a graph is the chain;
 * teams; multipliers; the theory's steps for Add and Concatenate against measurement;
 * graphs refused with what is wrong. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/diagnostics.h>
#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/team.h>
#include <winit/theory.h>
#include <winit/train.h>

#include "testutil.h"

enum { IN = 6,
       BATCH = 5,
       CLASSES = 3 };

static struct winit_layer_spec kind(int32_t k)
{
	struct winit_layer_spec l = { 0 };
	l.kind = k;
	return l;
}

static void add(struct winit_model_spec *s, struct winit_layer_spec l, int n, const int32_t *in)
{
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_spec_add_node(s, &l, in, n, &err) == 0, "%s", err.msg);
}

/* A graph with every way a gradient can travel:
 *   0 Dense(8, tanh) <- input          (feeds 1, 2 and 3: its gradient is summed)
 *   1 Dense(8, tanh) <- 0
 *   2 Add <- (1, 0)                    (a skip connection)
 *   3 Dense(4, tanh, output x 2) <- 0  (a branch, with an output multiplier)
 *   4 Concatenate <- (2, 3)            (12 values)
 *   5 Reshape(3, 4) <- 4
 *   6 Flatten <- 5
 *   7 Add <- (6, 6)                    (one input twice)
 *   8 Dense(3, softmax) <- 7 */
static struct winit_model_spec branchy_spec(void)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = IN;
	struct winit_layer_spec d0 = tu_dense(8, "tanh", "glorot_normal"), d1 = d0,
				d3 = tu_dense(4, "tanh", "glorot_normal"),
				out = tu_dense(CLASSES, "softmax", "glorot_normal");
	/* Non-zero biases, so no unit sits at a symmetric point. */
	struct winit_plugin_use bias = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2,
	                                      (const char *const[]){ "mean", "stddev" },
	                                      (const double[]){ 0.1, 0.2 });
	d0.bias_initializer = d1.bias_initializer = d3.bias_initializer = out.bias_initializer = bias;
	d3.mult_set = 1;
	d3.mult[0] = d3.mult[1] = (struct winit_param_mult){ 1, 1 };
	d3.out_mult = 2.0;
	struct winit_layer_spec reshape = kind(WINIT_LAYER_RESHAPE), concat = kind(WINIT_LAYER_CONCATENATE);
	reshape.target_shape.rank = 2;
	reshape.target_shape.dim[0] = 3;
	reshape.target_shape.dim[1] = 4;
	concat.axis = -1;
	add(&s, d0, 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, d1, 1, (const int32_t[]){ 0 });
	add(&s, kind(WINIT_LAYER_ADD), 2, (const int32_t[]){ 1, 0 });
	add(&s, d3, 1, (const int32_t[]){ 0 });
	add(&s, concat, 2, (const int32_t[]){ 2, 3 });
	add(&s, reshape, 1, (const int32_t[]){ 4 });
	add(&s, kind(WINIT_LAYER_FLATTEN), 1, (const int32_t[]){ 5 });
	add(&s, kind(WINIT_LAYER_ADD), 2, (const int32_t[]){ 6, 6 });
	add(&s, out, 1, (const int32_t[]){ 7 });
	return s;
}

/* The loss of the branchy graph's parameters, from scratch in double, written out layer
 * by layer from the description above (not from the engine's tables). */
static double branchy_loss(const struct winit_model *m, const float *x, const uint8_t *y)
{
	double total = 0;
	for (int r = 0; r < BATCH; r++) {
		double in[IN], a0[8], a1[8], a2[8], a3[4], a4[12], a7[12], z8[CLASSES];
		for (int k = 0; k < IN; k++)
			in[k] = x[r * IN + k];
		const struct winit_layer *L = m->layer;
		for (int j = 0; j < 8; j++) {
			double s = L[0].b[j];
			for (int k = 0; k < IN; k++)
				s += in[k] * L[0].w[k * 8 + j];
			a0[j] = tanh(s);
		}
		for (int j = 0; j < 8; j++) {
			double s = L[1].b[j];
			for (int k = 0; k < 8; k++)
				s += a0[k] * L[1].w[k * 8 + j];
			a1[j] = tanh(s);
			a2[j] = a1[j] + a0[j];
		}
		for (int j = 0; j < 4; j++) {
			double s = 0;
			for (int k = 0; k < 8; k++)
				s += a0[k] * L[3].w[k * 4 + j];
			a3[j] = tanh(2.0 * s + L[3].b[j]);
		}
		for (int j = 0; j < 12; j++) {
			a4[j] = j < 8 ? a2[j] : a3[j - 8];
			a7[j] = a4[j] + a4[j];
		}
		double mx = -INFINITY, sum = 0;
		for (int j = 0; j < CLASSES; j++) {
			double s = L[8].b[j];
			for (int k = 0; k < 12; k++)
				s += a7[k] * L[8].w[k * CLASSES + j];
			z8[j] = s;
			mx = fmax(mx, s);
		}
		for (int j = 0; j < CLASSES; j++)
			sum += exp(z8[j] - mx);
		total += log(sum) + mx - z8[y[r]];
	}
	return total / BATCH;
}

static void branchy_batch(float *x, uint8_t *y)
{
	struct winit_rng rng;
	winit_rng_seed(&rng, 11, 0);
	for (int i = 0; i < BATCH * IN; i++)
		x[i] = (float)winit_rng_normal(&rng);
	for (int r = 0; r < BATCH; r++)
		y[r] = (uint8_t)(r % CLASSES);
}

/* Backpropagation through a skip connection, a branch, an output multiplier,
 * Concatenate, Reshape, Flatten and an Add of one input with itself agrees with central
 * differences of the loss computed in double, for every parameter; and the engine's
 * forward pass is that loss. */
START_TEST(graph_gradients_match_finite_differences)
{
	struct winit_model_spec s = branchy_spec();
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 3, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, BATCH, &err), 0);
	/* 8*6+8 + 8*8+8 + 8*4+4 + 12*3+3 */
	ck_assert_int_eq(m.n_params, 56 + 72 + 36 + 39);
	float x[BATCH * IN], dz[BATCH * CLASSES];
	uint8_t y[BATCH];
	branchy_batch(x, y);
	const float *logits = winit_model_forward_train(&m, x, BATCH);
	double engine = winit_softmax_xent(dz, NULL, logits, y, BATCH, CLASSES, 1.0f / BATCH, NULL) / BATCH;
	ck_assert_double_eq_tol(engine, branchy_loss(&m, x, y), 1e-5);
	winit_model_backward(&m, x, dz, BATCH);
	int checked = 0;
	for (int64_t k = 0; k < m.n_params; k++) {
		float keep = m.params[k];
		float hi = keep + 1e-3f, lo = keep - 1e-3f;
		m.params[k] = hi;
		double lp = branchy_loss(&m, x, y);
		m.params[k] = lo;
		double lm = branchy_loss(&m, x, y);
		m.params[k] = keep;
		double fd = (lp - lm) / ((double)hi - lo);
		/* The loss is computed in double: the difference's own error is ~1e-16 / 2e-3;
		 * its truncation error h^2/6 times a third derivative of O(1) is below 1e-6;
		 * backprop is float32 (relative error ~1e-6).  A missing or doubled path (a skip
		 * not summed, a slice of Concatenate misplaced, the multiplier left out) is off
		 * by that path's whole share. */
		double tol = 2e-6 + 1e-4 * fabs(fd);
		ck_assert_msg(fabs(m.grads[k] - fd) <= tol,
		              "parameter %lld: backprop %.9g vs finite difference %.9g", (long long)k,
		              m.grads[k], fd);
		checked += fabs(fd) > 1e-4;
	}
	/* Nearly every gradient is non-trivial, so the check is not vacuous. */
	ck_assert_int_ge(checked, (int)(m.n_params * 3 / 4));
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

/* A chain written as a graph (explicit inputs, a Flatten node on an image input) is the
 * chain: identical parameters, outputs and gradients, to the bit. */
START_TEST(chain_as_graph_is_the_chain)
{
	struct winit_model_spec chain = { 0 }, graph = { 0 };
	chain.n_input_dims = graph.n_input_dims = 2;
	chain.input_shape[0] = chain.input_shape[1] = graph.input_shape[0] = graph.input_shape[1] = 4;
	chain.n_inputs = graph.n_inputs = 16;
	struct winit_layer_spec l1 = tu_dense(12, "relu", "he_normal"),
				l2 = tu_dense(CLASSES, "softmax", "glorot_uniform");
	add(&chain, l1, 0, NULL);
	add(&chain, l2, 0, NULL);
	ck_assert(winit_model_spec_is_chain(&chain));
	add(&graph, kind(WINIT_LAYER_FLATTEN), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&graph, l1, 1, (const int32_t[]){ 0 });
	add(&graph, l2, 1, (const int32_t[]){ 1 });
	ck_assert(!winit_model_spec_is_chain(&graph));
	struct winit_model a, b;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&a, &chain, 9, &err) == 0, "%s", err.msg);
	/* The same streams: a graph's layer i draws what the chain's layer i - 1 would, so
	 * compare after copying the parameters (the kinds' streams are by position). */
	ck_assert_msg(winit_model_init(&b, &graph, 9, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(a.n_params, b.n_params);
	memcpy(b.params, a.params, (size_t)a.n_params * sizeof(float));
	ck_assert_int_eq(winit_model_reserve(&a, 7, &err), 0);
	ck_assert_int_eq(winit_model_reserve(&b, 7, &err), 0);
	float x[7 * 16], da[7 * CLASSES], db[7 * CLASSES];
	uint8_t y[7];
	struct winit_rng rng;
	winit_rng_seed(&rng, 2, 0);
	for (int i = 0; i < 7 * 16; i++)
		x[i] = (float)winit_rng_normal(&rng);
	for (int r = 0; r < 7; r++)
		y[r] = (uint8_t)(r % CLASSES);
	const float *oa = winit_model_forward_train(&a, x, 7), *ob = winit_model_forward_train(&b, x, 7);
	ck_assert(memcmp(oa, ob, sizeof da) == 0);
	winit_softmax_xent(da, NULL, oa, y, 7, CLASSES, 1.0f / 7, NULL);
	winit_softmax_xent(db, NULL, ob, y, 7, CLASSES, 1.0f / 7, NULL);
	winit_model_backward(&a, x, da, 7);
	winit_model_backward(&b, x, db, 7);
	ck_assert(memcmp(a.grads, b.grads, (size_t)a.n_params * sizeof(float)) == 0);
	winit_model_free(&a);
	winit_model_free(&b);
	winit_model_spec_free(&chain);
	winit_model_spec_free(&graph);
}
END_TEST

/* A graph trained on a team of 2 or 3 gives the bits of one thread: the summed gradients
 * of a layer with several consumers are added in one order whoever computes them. */
START_TEST(graph_trains_bit_identically_on_teams)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 2;
	s.input_shape[0] = s.input_shape[1] = 8;
	s.n_inputs = 64;
	add(&s, kind(WINIT_LAYER_FLATTEN), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, tu_dense(48, "relu", "he_normal"), 1, (const int32_t[]){ 0 });
	add(&s, tu_dense(48, "relu", "he_normal"), 1, (const int32_t[]){ 1 });
	add(&s, kind(WINIT_LAYER_ADD), 2, (const int32_t[]){ 2, 1 });
	add(&s, tu_dense(16, "tanh", "glorot_uniform"), 1, (const int32_t[]){ 1 });
	struct winit_layer_spec cat = kind(WINIT_LAYER_CONCATENATE);
	cat.axis = -1;
	add(&s, cat, 2, (const int32_t[]){ 3, 4 });
	add(&s, tu_dense(4, "softmax", "glorot_uniform"), 1, (const int32_t[]){ 5 });
	struct winit_dataset ds = tu_quadrant_dataset(600, 8, 17);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	float *ref = NULL;
	double ref_loss[2] = { 0 };
	for (int threads = 1; threads <= 3; threads++) {
		struct winit_trainer t;
		struct winit_history h;
		tu_team_fit(&t, &h, &s, &opt, &ds, threads);
		if (threads > 1)
			ck_assert_uint_ge(winit_team_jobs(t.model.team), 2 * 2 * 13);
		if (!ref) {
			ref = malloc((size_t)t.model.n_params * sizeof *ref);
			memcpy(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref);
			ref_loss[0] = h.epochs[0].loss;
			ref_loss[1] = h.epochs[1].loss;
			ck_assert(ref_loss[1] < ref_loss[0]); /* it learns */
			/* Evidence for every layer: an Add has its output's statistics and no
			 * kernel's ("not recorded for this layer kind": NaN, -1); a Dense its own. */
			ck_assert_int_ge(t.diag.n, 1);
			const struct winit_diag_layer *sum = &t.diag.snaps[0].layers[3],
						      *dense = &t.diag.snaps[0].layers[1];
			ck_assert_int_eq(t.diag.snaps[0].n_layers, 7);
			ck_assert_int_eq(sum->distinct_units, -1);
			ck_assert(isnan(sum->wgrad_var) && isnan(sum->w_sd) && isnan(sum->saturated_fraction));
			ck_assert(sum->pre_var == sum->act_var && sum->pre_var > 0 && sum->grad_var > 0);
			ck_assert_int_eq(dense->distinct_units, 48);
			ck_assert(dense->wgrad_var > 0 && dense->w_sd > 0);
			ck_assert_msg(t.theory.applies, "%s", t.theory.reason);
			ck_assert_int_eq(t.theory.n_layers, 7);
		} else {
			ck_assert_msg(memcmp(ref, t.model.params, (size_t)t.model.n_params * sizeof *ref) == 0,
			              "%d threads: the parameters differ", threads);
			ck_assert(memcmp(&ref_loss[1], &h.epochs[1].loss, sizeof(double)) == 0);
		}
		tu_team_fit_free(&t, &h);
	}
	free(ref);
	winit_dataset_free(&ds);
	winit_model_spec_free(&s);
}
END_TEST

/* The initialization multiplier scales exactly what the initializer drew; the
 * learning-rate multiplier scales Adam's step (hand-computed first step) and SGD's. */
START_TEST(multipliers_scale_init_and_steps)
{
	struct winit_model_spec a = { 0 }, b = { 0 };
	a.n_input_dims = b.n_input_dims = 1;
	a.input_shape[0] = a.n_inputs = b.input_shape[0] = b.n_inputs = 4;
	struct winit_layer_spec l = tu_dense(5, "tanh", "glorot_normal"),
				o = tu_dense(4, "softmax", "glorot_uniform"); /* 4 quadrants */
	l.bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 0, NULL, NULL);
	add(&a, l, 0, NULL);
	add(&a, o, 0, NULL);
	l.mult_set = 1;
	l.mult[0] = (struct winit_param_mult){ 0.5, 0.25 };
	l.mult[1] = (struct winit_param_mult){ 3.0, 0.0 };
	l.out_mult = 1.0;
	add(&b, l, 0, NULL);
	add(&b, o, 0, NULL);
	for (int kind_i = 0; kind_i < 2; kind_i++) {
		struct winit_optimizer_spec os = winit_optimizer_default(kind_i ? WINIT_OPT_SGD : WINIT_OPT_ADAM);
		struct winit_trainer ta, tb;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_trainer_init(&ta, &a, &os, 21, &err) == 0, "%s", err.msg);
		ck_assert_msg(winit_trainer_init(&tb, &b, &os, 21, &err) == 0, "%s", err.msg);
		const struct winit_layer *la = &ta.model.layer[0], *lb = &tb.model.layer[0];
		for (int k = 0; k < 20; k++)
			ck_assert(lb->w[k] == 0.5f * la->w[k]); /* exact: a power of two */
		for (int k = 0; k < 5; k++)
			ck_assert(lb->b[k] == (float)(3.0 * (double)la->b[k]));
		ck_assert_float_eq(lb->lr_mult[0], 0.25f);
		/* One step on one batch, through the fused update of the backward pass. */
		struct winit_dataset ds = tu_quadrant_dataset(8, 2, 3);
		struct winit_fit_spec f = winit_fit_default();
		f.epochs = 1;
		f.batch_size = 8;
		f.validation_split = 0;
		f.shuffle = 0;
		struct winit_history h = { 0 };
		float w0[20], b0[5];
		memcpy(w0, lb->w, sizeof w0);
		memcpy(b0, lb->b, sizeof b0);
		ck_assert_msg(winit_trainer_fit(&tb, &ds, &f, NULL, 0, &h, &err) == 0, "%s", err.msg);
		double lr = os.learning_rate;
		for (int k = 0; k < 20; k++) {
			double g = lb->dw[k], step;
			if (kind_i) {
				step = -0.25 * lr * g;
			} else { /* Adam's first step: m = 0.1 g, v = 0.001 g^2, bias-corrected */
				double alpha = lr * sqrt(1 - 0.999) / (1 - 0.9);
				step = -0.25 * alpha * (0.1 * g) / (sqrt(0.001 * g * g) + 1e-7);
			}
			ck_assert_msg(fabs((lb->w[k] - w0[k]) - step) <= 1e-7 + 1e-5 * fabs(step),
			              "%s: weight %d moved %g, expected %g", kind_i ? "SGD" : "Adam", k,
			              lb->w[k] - w0[k], step);
			ck_assert(fabs(step) > 1e-6);
		}
		for (int k = 0; k < 5; k++) /* learning-rate multiplier 0: frozen */
			ck_assert(lb->b[k] == b0[k]);
		winit_history_free(&h);
		winit_dataset_free(&ds);
		winit_trainer_free(&ta);
		winit_trainer_free(&tb);
	}
	winit_model_spec_free(&a);
	winit_model_spec_free(&b);
}
END_TEST


/* The theory's steps for Add (second moments add), Concatenate (weighted by sizes) and
 * the shape-only kinds agree with a wide network's measured second moments at
 * initialization: a residual tanh block and a two-branch concatenation. */
START_TEST(graph_theory_matches_measurement)
{
	enum { W = 512,
	       ROWS = 512 };
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = s.n_inputs = W;
	struct winit_layer_spec t = tu_dense(W, "tanh", "glorot_normal"),
				r = tu_dense(W / 2, "relu", "he_normal"), lin = tu_dense(W, "linear", "lecun_normal");
	add(&s, t, 1, (const int32_t[]){ WINIT_MODEL_INPUT });        /* 0 */
	add(&s, t, 1, (const int32_t[]){ 0 });                        /* 1 */
	add(&s, kind(WINIT_LAYER_ADD), 2, (const int32_t[]){ 1, 0 }); /* 2: residual */
	r.mult_set = 1;                                               /* a branch of 9 times the second moment: sizes matter below */
	r.mult[0] = r.mult[1] = (struct winit_param_mult){ 3.0, 1.0 };
	r.out_mult = 1.0;
	add(&s, r, 1, (const int32_t[]){ 2 }); /* 3 */
	struct winit_layer_spec cat = kind(WINIT_LAYER_CONCATENATE);
	cat.axis = -1;
	add(&s, cat, 2, (const int32_t[]){ 2, 3 }); /* 4: 1.5 W values */
	add(&s, lin, 1, (const int32_t[]){ 4 });    /* 5 */
	add(&s, tu_dense(10, "softmax", "glorot_uniform"), 1, (const int32_t[]){ 5 });
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 4, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, ROWS, &err), 0);
	float *x = malloc((size_t)ROWS * W * sizeof *x);
	struct winit_rng rng;
	winit_rng_seed(&rng, 5, 0);
	for (int i = 0; i < ROWS * W; i++)
		x[i] = (float)winit_rng_normal(&rng);
	struct tu_measured got = { { 0 } };
	m.hooks.ctx = &got;
	m.hooks.forward = tu_measure_hook;
	winit_model_forward(&m, x, ROWS);
	struct winit_theory th = { 0 };
	winit_theory_predict(&th, &s, 1.0, 1.0);
	ck_assert_msg(th.applies, "%s", th.reason);
	/* Layers 2 (Add: q1' + q0') and 4 (Concatenate) are what this test is about; a
	 * wrong rule (a mean instead of a sum, sizes ignored) is off by a third or more.
	 * Sampling error of a second moment over 2.6e5 correlated values: ~1%. */
	for (int i = 0; i < 6; i++)
		ck_assert_msg(fabs(got.m2[i] / th.pre_var[i] - 1) < 0.05,
		              "layer %d: measured %g, predicted %g", i + 1, got.m2[i], th.pre_var[i]);
	winit_theory_free(&th);
	free(x);
	winit_model_free(&m);
	winit_model_spec_free(&s);
}
END_TEST

static void refused(struct winit_model_spec *s, const char *want)
{
	struct winit_error err = { 0 };
	struct winit_model m;
	ck_assert_int_eq(winit_model_init(&m, s, 1, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, want), "got \"%s\", wanted \"%s\"", err.msg, want);
	winit_model_spec_free(s);
}

static struct winit_model_spec input_spec(int rank)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = rank;
	s.input_shape[0] = s.input_shape[1] = 4;
	s.n_inputs = rank == 2 ? 16 : 4;
	return s;
}

/* A graph that cannot run is refused naming the layer, its kind and what does not fit. */
START_TEST(bad_graphs_are_refused_by_layer)
{
	struct winit_model_spec s = input_spec(1);
	add(&s, tu_dense(8, "relu", "he_normal"), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, tu_dense(6, "relu", "he_normal"), 1, (const int32_t[]){ 0 });
	add(&s, kind(WINIT_LAYER_ADD), 2, (const int32_t[]){ 1, 0 });
	refused(&s, "layer 3 (Add 'add_1'): inputs must have the same shape, got (None, 6) (input 1) "
	            "and (None, 8) (input 2)");

	s = input_spec(2);
	add(&s, tu_dense(8, "relu", "he_normal"), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	refused(&s, "layer 1 (Dense 'dense_1'): Dense needs a flat input, got (None, 4, 4)");

	s = input_spec(1);
	add(&s, tu_dense(8, "relu", "he_normal"), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, tu_dense(8, "relu", "he_normal"), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	add(&s, tu_dense(3, "softmax", "he_normal"), 1, (const int32_t[]){ 1 });
	refused(&s, "layer 1 (Dense 'dense_1'): its output is not used by any later layer");

	s = input_spec(1);
	struct winit_layer_spec r = kind(WINIT_LAYER_RESHAPE);
	r.target_shape.rank = 2;
	r.target_shape.dim[0] = 3;
	r.target_shape.dim[1] = 2;
	add(&s, r, 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	refused(&s, "cannot reshape (None, 4) (4 values) to (None, 3, 2) (6 values)");

	s = input_spec(1);
	add(&s, kind(WINIT_LAYER_ADD), 1, (const int32_t[]){ WINIT_MODEL_INPUT });
	refused(&s, "layer 1 (Add 'add_1'): Add takes at least 2 inputs, got 1");

	s = input_spec(2);
	struct winit_layer_spec c = kind(WINIT_LAYER_CONCATENATE);
	c.axis = 1;
	add(&s, c, 2, (const int32_t[]){ WINIT_MODEL_INPUT, WINIT_MODEL_INPUT });
	refused(&s, "only the last axis can be joined (axis -1 or 2), got axis 1");

	/* An input that is not an earlier layer never gets into a spec. */
	s = input_spec(1);
	struct winit_error err = { 0 };
	struct winit_layer_spec d = tu_dense(3, "softmax", "he_normal");
	ck_assert_int_eq(winit_model_spec_add_node(&s, &d, (const int32_t[]){ 0 }, 1, &err), WINIT_ERR_ARG);
	ck_assert_str_eq(err.msg, "model: layer 1: input 1 is layer 1, not an earlier layer");
	winit_model_spec_free(&s);
}
END_TEST

static Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("graph");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, graph_gradients_match_finite_differences);
	tcase_add_test(tc, chain_as_graph_is_the_chain);
	tcase_add_test(tc, graph_trains_bit_identically_on_teams);
	tcase_add_test(tc, multipliers_scale_init_and_steps);
	tcase_add_test(tc, graph_theory_matches_measurement);
	tcase_add_test(tc, bad_graphs_are_refused_by_layer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(graph_suite());
}
