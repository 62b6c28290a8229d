/* tests/check_nn.c -- the engine: loss, gradients, optimizers, models. */
#include <float.h>
#include <math.h>

#include "testutil.h"

/* ---- softmax + cross-entropy ---- */

START_TEST(xent_value_and_accuracy)
{
	/* Row 0: logits (0, 0, 0) -> loss ln 3; row 1: (1, 2, 3) label 2. */
	const float z[6] = { 0, 0, 0, 1, 2, 3 };
	const uint8_t y[2] = { 1, 2 };
	float p[6];
	int64_t hits = -1;
	double loss = winit_softmax_xent(NULL, p, z, y, 2, 3, 1, &hits);
	double l1 = log(exp(1) + exp(2) + exp(3)) - 3;
	ck_assert_double_eq_tol(loss, log(3.0) + l1, 1e-6);
	ck_assert_int_eq(hits, 1); /* row 0 ties -> argmax 0 != 1; row 1 correct */
	ck_assert_float_eq_tol(p[0] + p[1] + p[2], 1, 1e-6);
	ck_assert_float_eq_tol(p[5], exp(3) / (exp(1) + exp(2) + exp(3)), 1e-6);
}
END_TEST

START_TEST(xent_stable_for_large_logits)
{
	const float z[3] = { 1000, -1000, 999 };
	const uint8_t y[1] = { 2 };
	float d[3];
	double loss = winit_softmax_xent(d, NULL, z, y, 1, 3, 1, NULL);
	ck_assert(isfinite(loss));
	ck_assert_double_eq_tol(loss, log(1 + exp(-1.0)) + 1, 1e-5);
	for (int j = 0; j < 3; j++)
		ck_assert(isfinite(d[j]));
}
END_TEST

START_TEST(xent_gradient_matches_finite_difference)
{
	struct winit_rng rng;
	winit_rng_seed(&rng, 1, 0);
	enum { N = 4,
	       C = 5 };
	float z[N * C], d[N * C];
	uint8_t y[N];
	for (int i = 0; i < N * C; i++)
		z[i] = (float)(2 * winit_rng_normal(&rng));
	for (int i = 0; i < N; i++)
		y[i] = (uint8_t)winit_rng_below(&rng, C);
	winit_softmax_xent(d, NULL, z, y, N, C, 1.0f / N, NULL);
	for (int i = 0; i < N * C; i++) {
		float keep = z[i], h = 1e-2f;
		z[i] = keep + h;
		double lp = winit_softmax_xent(NULL, NULL, z, y, N, C, 1, NULL) / N;
		z[i] = keep - h;
		double lm = winit_softmax_xent(NULL, NULL, z, y, N, C, 1, NULL) / N;
		z[i] = keep;
		ck_assert_double_eq_tol(d[i], (lp - lm) / (2 * h), 2e-4);
	}
}
END_TEST

/* ---- optimizers ---- */

START_TEST(adam_matches_hand_computed_steps)
{
	struct winit_optimizer_spec s = winit_optimizer_default(WINIT_OPT_ADAM);
	ck_assert_double_eq(s.learning_rate, 0.001);
	ck_assert_double_eq(s.epsilon, 1e-7);
	struct winit_optimizer opt;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 2, &err), 0);
	float w[2] = { 0.5f, -1.0f };
	const float g[3][2] = { { 0.1f, -0.2f }, { 0.3f, 0.0f }, { -0.05f, 0.4f } };
	double rw[2] = { 0.5, -1.0 }, m[2] = { 0 }, v[2] = { 0 };
	for (int t = 1; t <= 3; t++) {
		winit_optimizer_step(&opt, w, g[t - 1]);
		double a = 0.001 * sqrt(1 - pow(0.999, t)) / (1 - pow(0.9, t));
		for (int i = 0; i < 2; i++) {
			m[i] = 0.9 * m[i] + 0.1 * g[t - 1][i];
			v[i] = 0.999 * v[i] + 0.001 * g[t - 1][i] * g[t - 1][i];
			rw[i] -= a * m[i] / (sqrt(v[i]) + 1e-7);
			ck_assert_double_eq_tol(w[i], rw[i], 1e-6);
		}
	}
	winit_optimizer_free(&opt);

	/* First step of Adam moves each weight by about lr against its gradient, whatever
	 * the gradient's size: m/sqrt(v) is sign(g) after bias correction; epsilon shortens
	 * the smallest gradient's step by about 1e-7 / (sqrt(0.001) * 0.01) = 3e-4 of lr. */
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 3, &err), 0);
	float w1[3] = { 0.5f, -1.0f, 2.0f };
	const float g1[3] = { 0.01f, -3.0f, 250.0f };
	winit_optimizer_step(&opt, w1, g1);
	ck_assert_double_eq_tol(w1[0], 0.5 - 0.001, 1e-6);
	ck_assert_double_eq_tol(w1[1], -1.0 + 0.001, 1e-6);
	ck_assert_double_eq_tol(w1[2], 2.0 - 0.001, 1e-6);
	winit_optimizer_free(&opt);
}
END_TEST

START_TEST(sgd_with_and_without_momentum)
{
	struct winit_optimizer_spec s = winit_optimizer_default(WINIT_OPT_SGD);
	ck_assert_double_eq(s.learning_rate, 0.01);
	struct winit_optimizer opt;
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 1, NULL), 0);
	float w = 1, g = 2;
	winit_optimizer_step(&opt, &w, &g);
	ck_assert_float_eq_tol(w, 0.98f, 1e-7);
	winit_optimizer_free(&opt);
	s.momentum = 0.9;
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 1, NULL), 0);
	w = 1;
	winit_optimizer_step(&opt, &w, &g); /* v = -0.02 */
	winit_optimizer_step(&opt, &w, &g); /* v = -0.018 - 0.02 */
	ck_assert_float_eq_tol(w, 1 - 0.02f - 0.038f, 1e-6);
	winit_optimizer_free(&opt);
}
END_TEST

START_TEST(optimizer_rejects_bad_settings)
{
	struct winit_optimizer opt;
	struct winit_error err = { 0 };
	struct winit_optimizer_spec s = winit_optimizer_default(WINIT_OPT_ADAM);
	s.learning_rate = -1;
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 4, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "learning_rate"));
	s = winit_optimizer_default(WINIT_OPT_ADAM);
	s.beta_1 = 1.5;
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 4, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "beta_1"));
	/* Every hyper-parameter must be finite and in range: NaN and infinity never pass. */
	struct {
		int kind;
		double lr, b1, b2, eps, mu;
		const char *want;
	} bad[] = {
		{ WINIT_OPT_ADAM, INFINITY, 0.9, 0.999, 1e-7, 0, "learning_rate must be a finite number > 0 (got inf)" },
		{ WINIT_OPT_ADAM, NAN, 0.9, 0.999, 1e-7, 0, "learning_rate must be a finite number > 0 (got NaN)" },
		{ WINIT_OPT_ADAM, 1e-3, 0.9, 1, 1e-7, 0, "beta_2 must be in [0, 1) (got 1)" },
		{ WINIT_OPT_ADAM, 1e-3, NAN, 0.999, 1e-7, 0, "beta_1 must be in [0, 1) (got NaN)" },
		{ WINIT_OPT_ADAM, 1e-3, 0.9, 0.999, 0, 0, "epsilon must be a finite number > 0 (got 0)" },
		{ WINIT_OPT_ADAM, 1e-3, 0.9, 0.999, INFINITY, 0, "epsilon must be a finite number > 0" },
		{ WINIT_OPT_SGD, 0.01, 0, 0, 0, NAN, "momentum must be in [0, 1) (got NaN)" },
		{ WINIT_OPT_SGD, 0.01, 0, 0, 0, 5, "momentum must be in [0, 1) (got 5)" },
		{ WINIT_OPT_SGD, 0.01, 0, 0, 0, 1, "momentum must be in [0, 1) (got 1)" },
		{ WINIT_OPT_SGD, 0.01, 0, 0, 0, -0.5, "momentum must be in [0, 1) (got -0.5)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s = winit_optimizer_default(bad[i].kind);
		s.learning_rate = bad[i].lr;
		s.beta_1 = bad[i].b1;
		s.beta_2 = bad[i].b2;
		s.epsilon = bad[i].eps;
		s.momentum = bad[i].mu;
		ck_assert_int_eq(winit_optimizer_init(&opt, &s, 4, &err), WINIT_ERR_ARG);
		ck_assert_msg(strstr(err.msg, bad[i].want), "case %zu: '%s' lacks '%s'", i, err.msg,
		              bad[i].want);
	}
	s = winit_optimizer_default(WINIT_OPT_SGD);
	s.momentum = 0.99;
	ck_assert_int_eq(winit_optimizer_init(&opt, &s, 4, &err), 0);
	winit_optimizer_free(&opt);
}
END_TEST

/* ---- models ---- */

static struct winit_model_spec mlp_spec(int64_t n_in, int64_t hidden, const char *act,
                                        const char *init, int64_t n_out)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = n_in;
	s.n_inputs = n_in;
	tu_layers(&s, 2);
	s.layers[0] = tu_dense(hidden, act, init);
	s.layers[1] = tu_dense(n_out, "softmax", "glorot_uniform");
	return s;
}

static double model_loss(struct winit_model *m, const float *x, const uint8_t *y, int64_t n)
{
	winit_model_forward(m, x, n);
	int last = m->spec.n_layers - 1;
	return winit_softmax_xent(NULL, NULL, m->z[last], y, n, winit_model_outputs(m), 1, NULL) / n;
}

/* Backpropagation through two dense layers, an activation plugin and softmax-CE agrees
 * with central finite differences of the loss for every weight and bias. */
static void gradient_check(const char *act)
{
	enum { N = 3,
	       I = 5,
	       H = 4,
	       C = 3 };
	struct winit_model_spec s = mlp_spec(I, H, act, "glorot_normal", C);
	/* Non-zero biases so every unit is off its kink. */
	s.layers[0].bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 2,
	                                      (const char *const[]){ "mean", "stddev" },
	                                      (const double[]){ 0.3, 0.1 });
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 7, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, N, &err), 0);
	struct winit_rng rng;
	winit_rng_seed(&rng, 3, 0);
	float x[N * I], dz[N * C];
	const uint8_t y[N] = { 0, 2, 1 };
	for (int i = 0; i < N * I; i++)
		x[i] = (float)winit_rng_normal(&rng);
	winit_model_forward(&m, x, N);
	winit_softmax_xent(dz, NULL, m.z[1], y, N, C, 1.0f / N, NULL);
	winit_model_backward(&m, x, dz, N);
	float *g = malloc((size_t)m.n_params * sizeof *g);
	memcpy(g, m.grads, (size_t)m.n_params * sizeof *g);
	for (int64_t k = 0; k < m.n_params; k++) {
		float keep = m.params[k], h = 1e-2f;
		m.params[k] = keep + h;
		double lp = model_loss(&m, x, y, N);
		m.params[k] = keep - h;
		double lm = model_loss(&m, x, y, N);
		m.params[k] = keep;
		double fd = (lp - lm) / (2 * h);
		/* The loss comes from float32 logits: each evaluation is off by about 16
		 * roundings of u = 2^-24 relative to |L| (the dot products of I and H terms, the
		 * activation, softmax over C), and the difference of two such errors is divided
		 * by 2h.  The central difference's truncation error is h^2/6 times the loss's
		 * third derivative, at most 6 for these O(1) inputs and logits.  Backprop itself
		 * is float32: a relative error far below 1e-3.  So with |L| ~ 2.5 a 5% error in
		 * any gradient above 0.007 fails (measured: backprop and the finite differences
		 * at most 9e-6 apart; the smallest gradient is 0.009). */
		double u = 0x1p-24, L = fmax(fabs(lp), fabs(lm));
		double tol = 16 * u * fmax(1, L) / h + h * h + 1e-3 * fabs(fd);
		ck_assert_msg(fabs(g[k] - fd) <= tol,
		              "%s: parameter %lld: backprop %g vs finite difference %g (tolerance %g)",
		              act, (long long)k, g[k], fd, tol);
	}
	free(g);
	winit_model_free(&m);
}

START_TEST(dense_gradients_match_finite_differences)
{
	gradient_check("relu");
	gradient_check("linear");
}
END_TEST

/* The loss of m's parameters on (x, y), computed in double from scratch (tanh hidden
 * layers, a softmax output): the reference the deep gradient check differentiates. */
static double reference_loss(const struct winit_model *m, const float *x, const uint8_t *y, int n)
{
	int64_t widest = m->spec.n_inputs;
	for (int i = 0; i < m->spec.n_layers; i++)
		widest = m->layer[i].n_out > widest ? m->layer[i].n_out : widest;
	double *a = malloc((size_t)widest * sizeof *a), *z = malloc((size_t)widest * sizeof *z);
	ck_assert(a && z);
	double total = 0;
	for (int r = 0; r < n; r++) {
		for (int64_t k = 0; k < m->spec.n_inputs; k++)
			a[k] = x[r * m->spec.n_inputs + k];
		for (int i = 0; i < m->spec.n_layers; i++) {
			const struct winit_layer *d = &m->layer[i];
			for (int64_t j = 0; j < d->n_out; j++) {
				double s = d->b ? d->b[j] : 0;
				for (int64_t k = 0; k < d->n_in; k++)
					s += a[k] * d->w[k * d->n_out + j];
				z[j] = s;
			}
			for (int64_t j = 0; j < d->n_out; j++)
				a[j] = i + 1 < m->spec.n_layers ? tanh(z[j]) : z[j];
		}
		int64_t c = winit_model_outputs(m);
		double mx = a[0], sum = 0;
		for (int64_t j = 1; j < c; j++)
			mx = fmax(mx, a[j]);
		for (int64_t j = 0; j < c; j++)
			sum += exp(a[j] - mx);
		total += log(sum) + mx - a[y[r]];
	}
	free(a);
	free(z);
	return total / n;
}

/* Depth has no limit and backpropagation holds at any depth: in a 1,000-layer width-32 tanh
 * network (orthogonal kernels, zero hidden biases: near the edge of chaos, so even the first
 * layer's gradients are 1e-3 to 1e-2; biases of sd 0.1 would make them 1e-31, which no
 * difference can see), the gradients of sampled weights and biases of the first, middle
 * and last layers match central differences of the loss computed in double.  A missing
 * or doubled factor anywhere along the 1,000-layer chain is off by its whole size. */
START_TEST(deep_gradients_match_finite_differences)
{
	enum { DEPTH = 1000,
	       WIDTH = 32,
	       I = 8,
	       C = 4,
	       N = 4 };
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = I;
	s.n_inputs = I;
	tu_layers(&s, DEPTH + 1);
	struct winit_plugin_use bias = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1,
	                                      (const char *const[]){ "stddev" }, (const double[]){ 0.1 });
	for (int i = 0; i < DEPTH; i++)
		s.layers[i] = tu_dense(WIDTH, "tanh", "orthogonal");
	s.layers[DEPTH] = tu_dense(C, "softmax", "glorot_uniform");
	s.layers[DEPTH].bias_initializer = bias;
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_model_init(&m, &s, 17, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(winit_model_reserve(&m, N, &err), 0);
	struct winit_rng rng;
	winit_rng_seed(&rng, 4, 0);
	float x[N * I], dz[N * C];
	const uint8_t y[N] = { 0, 3, 1, 2 };
	for (int i = 0; i < N * I; i++)
		x[i] = (float)winit_rng_normal(&rng);
	winit_model_forward(&m, x, N);
	winit_softmax_xent(dz, NULL, m.z[DEPTH], y, N, C, 1.0f / N, NULL);
	winit_model_backward(&m, x, dz, N);
	const int layers[] = { 0, 1, DEPTH / 2, DEPTH - 1, DEPTH };
	int checked = 0;
	double largest = 0;
	for (size_t li = 0; li < sizeof layers / sizeof layers[0]; li++) {
		struct winit_layer *d = &m.layer[layers[li]];
		/* Three kernel entries and two biases of the layer, spread over it. */
		float *at[5] = { d->w, d->w + d->n_in * d->n_out / 2 + 3, d->w + d->n_in * d->n_out - 1,
			         d->b, d->b + d->n_out - 1 };
		for (int k = 0; k < 5; k++) {
			int64_t p = at[k] - m.params;
			float keep = *at[k];
			/* Steps exact in float, so the difference is of exactly these parameters. */
			float h = 0x1p-10f;
			*at[k] = keep + h;
			double lp = reference_loss(&m, x, y, N);
			*at[k] = keep - h;
			double lm = reference_loss(&m, x, y, N);
			*at[k] = keep;
			double fd = (lp - lm) / (2.0 * h), g = m.grads[p];
			/* The reference is exact to ~1e-15 in the loss, so the difference to ~1e-12
			 * plus its h^2 truncation (~1e-9 here); backprop runs in float through up to
			 * 1,000 layers (and the plugin's tanh, a few ulp off): measured at most
			 * 6.4e-5 of the gradient (3e-9 absolute), so 0.2% plus 1e-8 leaves a margin
			 * of 30; a wrong factor is off by its whole size. */
			double tol = 2e-3 * fabs(fd) + 1e-8;
			ck_assert_msg(fabs(g - fd) <= tol,
			              "layer %d parameter %lld: backprop %.9g vs finite difference %.9g (tolerance %g)",
			              layers[li] + 1, (long long)p, g, fd, tol);
			largest = fmax(largest, fabs(fd));
			checked++;
		}
	}
	ck_assert_int_eq(checked, 25);
	/* Not a vacuous check: the gradients compared are not all negligible. */
	ck_assert_msg(largest > 1e-3, "largest gradient checked %g", largest);
	winit_model_free(&m);
}
END_TEST

START_TEST(model_init_is_deterministic_per_seed)
{
	struct winit_model_spec s = mlp_spec(20, 16, "relu", "he_normal", 4);
	struct winit_model a, b, c;
	ck_assert_int_eq(winit_model_init(&a, &s, 11, NULL), 0);
	ck_assert_int_eq(winit_model_init(&b, &s, 11, NULL), 0);
	ck_assert_int_eq(winit_model_init(&c, &s, 12, NULL), 0);
	ck_assert_int_eq(a.n_params, 20 * 16 + 16 + 16 * 4 + 4);
	ck_assert(memcmp(a.params, b.params, (size_t)a.n_params * sizeof(float)) == 0);
	ck_assert(memcmp(a.params, c.params, (size_t)a.n_params * sizeof(float)) != 0);
	/* Biases start at zero. */
	for (int j = 0; j < 16; j++)
		ck_assert_float_eq(a.layer[0].b[j], 0);
	winit_model_free(&a);
	winit_model_free(&b);
	winit_model_free(&c);
}
END_TEST

START_TEST(model_spec_errors)
{
	struct winit_model_spec s = mlp_spec(20, 16, "relu", "he_normal", 4);
	struct winit_model m;
	struct winit_error err = { 0 };
	s.layers[0].units = 0;
	ck_assert_int_eq(winit_model_init(&m, &s, 1, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "layer 1"));
	s = mlp_spec(20, 16, "relu", "he_normal", 4);
	s.layers[1].activation = s.layers[1].kernel_initializer; /* wrong kind */
	ck_assert_int_eq(winit_model_init(&m, &s, 1, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "activation"));
}
END_TEST

/* Keras's Dense(units), from C: linear, a bias, glorot_uniform and zeros, each plugin with
 * its default parameters; a model of such layers is the one spelled out in full. */
START_TEST(dense_defaults_are_keras)
{
	struct winit_error err = { 0 };
	struct winit_layer_spec l;
	memset(&l, 0xff, sizeof l);
	ck_assert_msg(winit_layer_spec_default(&l, tu_registry(), 5, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(l.units, 5);
	ck_assert_int_eq(l.use_bias, 1);
	const struct winit_plugin_use want[3] = {
		tu_use(WINIT_KIND_ACTIVATION, "linear", 0, NULL, NULL),
		tu_use(WINIT_KIND_INITIALIZER, "glorot_uniform", 0, NULL, NULL),
		tu_use(WINIT_KIND_INITIALIZER, "zeros", 0, NULL, NULL),
	};
	const struct winit_plugin_use *got[3] = { &l.activation, &l.kernel_initializer,
		                                  &l.bias_initializer };
	for (int k = 0; k < 3; k++) {
		ck_assert_ptr_eq(got[k]->info, want[k].info);
		ck_assert_ptr_eq(got[k]->entry, want[k].entry);
		ck_assert_mem_eq(got[k]->params, want[k].params, sizeof want[k].params);
	}

	struct winit_model_spec a = mlp_spec(6, 5, "linear", "glorot_uniform", 3), b = tu_spec_copy(&a);
	ck_assert_int_eq(winit_layer_spec_default(&b.layers[0], tu_registry(), 5, &err), 0);
	ck_assert_int_eq(winit_layer_spec_default(&b.layers[1], tu_registry(), 3, &err), 0);
	ck_assert_msg(winit_plugin_use_default(&b.layers[1].activation, tu_registry(),
	                                       WINIT_KIND_ACTIVATION, "softmax", &err) == 0,
	              "%s", err.msg);
	struct winit_model ma, mb;
	ck_assert_int_eq(winit_model_init(&ma, &a, 9, &err), 0);
	ck_assert_int_eq(winit_model_init(&mb, &b, 9, &err), 0);
	ck_assert_int_eq(ma.n_params, mb.n_params);
	ck_assert_mem_eq(ma.params, mb.params, (size_t)ma.n_params * sizeof *ma.params);
	winit_model_free(&ma);
	winit_model_free(&mb);

	struct winit_plugin_use u = want[0];
	ck_assert_int_eq(winit_plugin_use_default(&u, tu_registry(), WINIT_KIND_INITIALIZER, "he_nromal", &err),
	                 WINIT_ERR_PLUGIN);
	ck_assert_msg(strstr(err.msg, "unknown initializer 'he_nromal' (known: ") &&
	                      strstr(err.msg, "he_normal"),
	              "%s", err.msg);
	ck_assert_ptr_eq(u.info, want[0].info); /* unchanged */
}
END_TEST

/* Keras's compile from C: both names of the loss, and the softmax output it needs (the
 * rule model:compile applies); a refused spec is left as it was. */
START_TEST(compile_needs_a_softmax_output)
{
	struct winit_error err = { 0 };
	enum winit_loss loss = (enum winit_loss)5;
	ck_assert_int_eq(winit_loss_from_name("categorical_crossentropy", &loss, &err), 0);
	ck_assert_int_eq(loss, WINIT_LOSS_CATEGORICAL_CROSSENTROPY);
	loss = (enum winit_loss)5;
	ck_assert_int_eq(winit_loss_from_name("sparse_categorical_crossentropy", &loss, &err), 0);
	ck_assert_int_eq(loss, WINIT_LOSS_CATEGORICAL_CROSSENTROPY);
	ck_assert_int_eq(winit_loss_from_name("mse", &loss, &err), WINIT_ERR_ARG);
	ck_assert_str_eq(err.msg, "unknown loss 'mse' (known: categorical_crossentropy, "
	                          "sparse_categorical_crossentropy)");

	struct winit_model_spec s = mlp_spec(6, 5, "relu", "he_normal", 3);
	ck_assert_int_eq(winit_layer_spec_default(&s.layers[1], tu_registry(), 3, &err), 0);
	s.loss = 7;
	ck_assert_int_eq(winit_model_spec_compile(&s, WINIT_LOSS_CATEGORICAL_CROSSENTROPY, &err),
	                 WINIT_ERR_ARG);
	ck_assert_str_eq(err.msg, "categorical cross-entropy needs a softmax output layer, but the last "
	                          "Dense layer's activation is 'linear': the loss reads the outputs as "
	                          "class probabilities, which only softmax makes (use activation = "
	                          "\"softmax\" on the last layer; winit has no from_logits)");
	ck_assert_int_eq(s.loss, 7);
	s.layers[1].activation = tu_use(WINIT_KIND_ACTIVATION, "softmax", 0, NULL, NULL);
	ck_assert_int_eq(winit_model_spec_compile(&s, (enum winit_loss)3, &err), WINIT_ERR_ARG);
	ck_assert_int_eq(s.loss, 7);
	ck_assert_msg(winit_model_spec_compile(&s, WINIT_LOSS_CATEGORICAL_CROSSENTROPY, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(s.loss, WINIT_LOSS_CATEGORICAL_CROSSENTROPY);
}
END_TEST

/* ---- fit semantics ---- */

/* A dataset whose single feature encodes the row index, so a hook can see which rows
 * each forward pass used. */
static struct winit_dataset index_dataset(int64_t n)
{
	struct winit_dataset ds = { 0 };
	ds.n = n;
	ds.n_features = 1;
	ds.height = ds.width = 1;
	ds.n_classes = 2;
	ds.x = malloc((size_t)n);
	ds.y = malloc((size_t)n);
	for (int64_t i = 0; i < n; i++) {
		ds.x[i] = (uint8_t)i;
		ds.y[i] = (uint8_t)(i % 2);
	}
	return ds;
}

struct trace {
	int pending[256], n_pending;
	int train[8][256], n_train[8];
	int val[8][256], n_val[8];
	int steps[8];
	int epoch;
};

static void trace_forward(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                          int64_t cols)
{
	struct trace *t = ctx;
	(void)a;
	(void)cols;
	if (layer != 0)
		return;
	for (int64_t r = 0; r < rows; r++)
		t->pending[t->n_pending++] = (int)lrintf(z[r]);
}

static void trace_batch(void *ctx, size_t run, int32_t epoch, int64_t step, int64_t steps,
                        double l, double a)
{
	struct trace *t = ctx;
	(void)run;
	(void)step;
	(void)steps;
	(void)l;
	(void)a;
	for (int i = 0; i < t->n_pending; i++)
		t->train[epoch - 1][t->n_train[epoch - 1]++] = t->pending[i];
	t->steps[epoch - 1]++;
	t->n_pending = 0;
}

static void trace_epoch(void *ctx, size_t run, const struct winit_epoch_stats *st)
{
	struct trace *t = ctx;
	(void)run;
	for (int i = 0; i < t->n_pending; i++)
		t->val[st->epoch - 1][t->n_val[st->epoch - 1]++] = t->pending[i];
	t->n_pending = 0;
}

/* Dense(1, linear) whose kernel is 1 and bias 0 reads the row index back; SGD with a
 * negligible rate keeps it so. */
static void traced_fit(struct trace *t, int64_t n, double split, int32_t bs, int shuffle,
                       int epochs, uint64_t seed)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = 1;
	s.n_inputs = 1;
	tu_layers(&s, 2);
	s.layers[0] = tu_dense(1, "linear", "zeros");
	s.layers[1] = tu_dense(2, "softmax", "zeros");
	struct winit_trainer tr;
	struct winit_error err = { 0 };
	struct winit_optimizer_spec os = winit_optimizer_default(WINIT_OPT_SGD);
	os.learning_rate = 1e-30;
	ck_assert_int_eq(winit_trainer_init(&tr, &s, &os, seed, &err), 0);
	struct winit_model *m = &tr.model;
	m->layer[0].w[0] = 255.0f;
	memset(t, 0, sizeof *t);
	m->hooks.ctx = t;
	m->hooks.forward = trace_forward;
	struct winit_dataset ds = index_dataset(n);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = epochs;
	f.batch_size = bs;
	f.validation_split = split;
	f.shuffle = shuffle;
	f.eval_batch_size = 7;
	struct winit_observer obs = { .ctx = t, .batch_end = trace_batch, .epoch_end = trace_epoch };
	ck_assert_msg(winit_trainer_fit(&tr, &ds, &f, &obs, 0, NULL, &err) == 0, "%s", err.msg);
	winit_dataset_free(&ds);
	winit_trainer_free(&tr);
}

static int is_permutation(const int *v, int n, int lo)
{
	int seen[256] = { 0 };
	for (int i = 0; i < n; i++) {
		if (v[i] < lo || v[i] >= lo + n || seen[v[i] - lo])
			return 0;
		seen[v[i] - lo] = 1;
	}
	return 1;
}

START_TEST(fit_validation_is_the_tail_before_shuffling)
{
	struct trace t;
	traced_fit(&t, 50, 0.2, 16, 1, 3, 5);
	for (int e = 0; e < 3; e++) {
		/* 40 training rows, each exactly once, in 3 steps (16 + 16 + 8). */
		ck_assert_int_eq(t.n_train[e], 40);
		ck_assert(is_permutation(t.train[e], 40, 0));
		ck_assert_int_eq(t.steps[e], 3);
		/* Validation: rows 40..49 in file order, every epoch. */
		ck_assert_int_eq(t.n_val[e], 10);
		for (int i = 0; i < 10; i++)
			ck_assert_int_eq(t.val[e][i], 40 + i);
	}
}
END_TEST

START_TEST(fit_reshuffles_every_epoch)
{
	struct trace t, u;
	traced_fit(&t, 50, 0.2, 16, 1, 3, 5);
	int identity = 1;
	for (int i = 0; i < 40; i++)
		identity &= t.train[0][i] == i;
	ck_assert(!identity);
	ck_assert(memcmp(t.train[0], t.train[1], 40 * sizeof(int)) != 0);
	ck_assert(memcmp(t.train[1], t.train[2], 40 * sizeof(int)) != 0);
	/* The same seed gives the same order. */
	traced_fit(&u, 50, 0.2, 16, 1, 3, 5);
	ck_assert(memcmp(t.train, u.train, sizeof t.train) == 0);
	/* shuffle = false keeps file order. */
	traced_fit(&u, 50, 0.2, 16, 0, 2, 5);
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(u.train[1][i], i);
}
END_TEST

START_TEST(fit_split_rounds_like_keras)
{
	struct trace t;
	/* 33 * (1 - 0.25) = 24.75 -> 24 training rows, 9 validation rows. */
	traced_fit(&t, 33, 0.25, 5, 1, 1, 1);
	ck_assert_int_eq(t.n_train[0], 24);
	ck_assert_int_eq(t.n_val[0], 9);
	ck_assert_int_eq(t.steps[0], 5); /* 5 + 5 + 5 + 5 + 4 */
	/* No split: no validation pass. */
	traced_fit(&t, 20, 0, 8, 1, 1, 1);
	ck_assert_int_eq(t.n_train[0], 20);
	ck_assert_int_eq(t.n_val[0], 0);
}
END_TEST

START_TEST(fit_rejects_bad_settings)
{
	struct winit_model_spec s = mlp_spec(1, 2, "relu", "he_normal", 2);
	struct winit_trainer tr;
	struct winit_error err = { 0 };
	struct winit_optimizer_spec os = winit_optimizer_default(WINIT_OPT_ADAM);
	ck_assert_int_eq(winit_trainer_init(&tr, &s, &os, 1, &err), 0);
	struct winit_dataset ds = index_dataset(10);
	struct winit_fit_spec f = winit_fit_default();
	f.validation_split = 1.0;
	ck_assert_int_eq(winit_trainer_fit(&tr, &ds, &f, NULL, 0, NULL, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "validation_split"));
	f = winit_fit_default();
	ds.n_features = 3;
	ck_assert_int_eq(winit_trainer_fit(&tr, &ds, &f, NULL, 0, NULL, &err), WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(err.msg, "features"));
	ds.n_features = 1;
	winit_dataset_free(&ds);
	winit_trainer_free(&tr);
}
END_TEST

START_TEST(training_reaches_high_accuracy)
{
	struct winit_dataset train = tu_quadrant_dataset(2000, 8, 1), test = tu_quadrant_dataset(500, 8, 2);
	struct winit_run_spec run = { 0 };
	snprintf(run.name, sizeof run.name, "quadrants");
	run.seed = 3;
	run.model = mlp_spec(64, 32, "relu", "he_normal", 4);
	run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	run.fit = winit_fit_default();
	run.fit.epochs = 3;
	run.fit.batch_size = 32;
	run.fit.validation_split = 0.2;
	run.train = &train;
	run.test = &test;
	struct winit_run_result res;
	ck_assert_msg(winit_run_execute(&run, &res, NULL, 0) == 0, "%s", res.error);
	ck_assert_int_eq(res.history.n, 3);
	ck_assert_int_eq(res.n_train, 1600);
	ck_assert_int_eq(res.n_val, 400);
	ck_assert_msg(res.test_accuracy > 0.95, "test accuracy %g", res.test_accuracy);
	ck_assert(res.history.epochs[2].loss < res.history.epochs[0].loss);
	ck_assert(res.history.epochs[2].has_val && res.history.epochs[2].val_accuracy > 0.95);
	winit_run_result_free(&res);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
}
END_TEST

/* Every kernel set the CPU offers trains the same model to the same place.  What the
 * kernels guarantee (winit/kernels.h, src/kernels/adam.c): each set is deterministic for
 * a given shape, so a rerun gives the same bits; the Adam step is the same bits in every
 * set on x86; the GEMMs of two sets differ only by float rounding, each product within
 * 2 k FLT_EPSILON sum |a||b| of the exact one (check_kernels' gemm_agreement), k <= 64
 * here.  Sixty steps of training carry that rounding into the test loss; that bound,
 * relative to the loss, is the tolerance (measured on AVX-512 hardware: generic and
 * the vector sets 2.2e-9 apart, avx2 and avx512 equal). */
START_TEST(kernel_sets_train_alike)
{
	static const char *const sets[] = { "generic", "avx2", "avx512" };
	struct winit_dataset train = tu_quadrant_dataset(1200, 8, 31), test = tu_quadrant_dataset(400, 8, 32);
	double ref_loss = -1;
	for (int k = 0; k < 3; k++) {
		if (winit_kernels_select(sets[k]) != 0)
			continue; /* not on this CPU */
		struct winit_run_spec run = { 0 };
		snprintf(run.name, sizeof run.name, "kernels");
		run.seed = 9;
		run.model = mlp_spec(64, 32, "relu", "he_normal", 4);
		run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
		run.fit = winit_fit_default();
		run.fit.epochs = 2;
		run.fit.validation_split = 0.2;
		run.train = &train;
		run.test = &test;
		struct winit_run_result res, again;
		ck_assert_msg(winit_run_execute(&run, &res, NULL, 0) == 0, "%s", res.error);
		ck_assert_str_eq(res.kernels, sets[k]);
		ck_assert_msg(res.test_accuracy > 0.95, "%s: accuracy %g", sets[k], res.test_accuracy);
		/* The same set again: the same bits, epoch by epoch. */
		ck_assert_msg(winit_run_execute(&run, &again, NULL, 0) == 0, "%s", again.error);
		ck_assert_msg(memcmp(&again.test_loss, &res.test_loss, sizeof res.test_loss) == 0,
		              "%s: rerun test loss %.17g vs %.17g", sets[k], again.test_loss,
		              res.test_loss);
		ck_assert_int_eq(again.history.n, res.history.n);
		for (int e = 0; e < res.history.n; e++)
			ck_assert_msg(again.history.epochs[e].loss == res.history.epochs[e].loss &&
			                      again.history.epochs[e].val_loss == res.history.epochs[e].val_loss,
			              "%s: rerun differs at epoch %d", sets[k], e + 1);
		winit_run_result_free(&again);
		if (ref_loss < 0)
			ref_loss = res.test_loss;
		else
			ck_assert_msg(fabs(res.test_loss - ref_loss) <= 2 * 64 * FLT_EPSILON * ref_loss,
			              "%s: test loss %.9g vs generic %.9g", sets[k], res.test_loss, ref_loss);
		winit_run_result_free(&res);
	}
	ck_assert(ref_loss >= 0);
	ck_assert_int_eq(winit_kernels_select("auto"), 0);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
}
END_TEST

/* One fit of a 4-layer model on a team of `threads` (1: none); returns the trainer. */
static void fit_on_team(struct winit_trainer *t, const struct winit_model_spec *spec,
                        const struct winit_optimizer_spec *opt, const struct winit_dataset *ds,
                        int threads, struct winit_history *h)
{
	struct winit_error err = { 0 };
	struct winit_team *team = threads > 1 ? winit_team_new(threads) : NULL;
	ck_assert_int_eq(winit_team_size(team), threads);
	ck_assert_msg(winit_trainer_init(t, spec, opt, 5, &err) == 0, "%s", err.msg);
	t->model.team = team;
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	f.batch_size = 37; /* not a multiple of any share: partial row tiles and a short last batch */
	f.validation_split = 0.25;
	memset(h, 0, sizeof *h);
	ck_assert_msg(winit_trainer_fit(t, ds, &f, NULL, 0, h, &err) == 0, "%s", err.msg);
	/* Every step's two passes, and the validation passes, ran on the team. */
	if (team)
		ck_assert_uint_ge(winit_team_jobs(team), 2 * 2 * 15);
	t->model.team = NULL;
	winit_team_free(team);
}

/* A run split among 2, 3 or 4 threads gives the same bits as on one: every parameter,
 * every epoch's loss and validation loss, every diagnostics snapshot count -- with layers
 * split by columns (48 and 33 units on 2 threads) and by rows (33 units on 3 or 4, the
 * 20- and 4-unit layers), a fused softmax output and a sigmoid one, Adam and SGD with
 * Nesterov momentum, on every kernel set the CPU has. */
START_TEST(teams_train_bit_identically)
{
	static const char *const sets[] = { "generic", "avx2", "avx512" };
	static const char *const outs[] = { "softmax", "sigmoid" };
	struct winit_dataset ds = tu_quadrant_dataset(700, 8, 41);
	int tested = 0;
	for (int k = 0; k < 3; k++) {
		if (winit_kernels_select(sets[k]) != 0)
			continue; /* not on this CPU */
		for (int o = 0; o < 2; o++) {
			struct winit_model_spec spec = mlp_spec(64, 48, "tanh", "glorot_uniform", 4);
			struct winit_layer_spec first = spec.layers[0];
			tu_layers(&spec, 4);
			spec.layers[0] = first;
			spec.layers[1] = tu_dense(33, "relu", "he_normal");
			spec.layers[2] = tu_dense(20, "elu", "lecun_normal");
			spec.layers[3] = tu_dense(4, outs[o], "glorot_uniform");
			struct winit_optimizer_spec opt = winit_optimizer_default(o ? WINIT_OPT_SGD : WINIT_OPT_ADAM);
			if (o) {
				opt.momentum = 0.9;
				opt.nesterov = 1;
			}
			struct winit_trainer ref;
			struct winit_history href;
			fit_on_team(&ref, &spec, &opt, &ds, 1, &href);
			for (int threads = 2; threads <= 4; threads++) {
				struct winit_trainer t;
				struct winit_history h;
				fit_on_team(&t, &spec, &opt, &ds, threads, &h);
				ck_assert_int_eq(t.model.n_params, ref.model.n_params);
				ck_assert_msg(memcmp(t.model.params, ref.model.params,
				                     (size_t)ref.model.n_params * sizeof(float)) == 0,
				              "%s, %s output, %d threads: the parameters differ", sets[k], outs[o],
				              threads);
				ck_assert_int_eq(h.n, 2);
				for (int e = 0; e < h.n; e++) {
					ck_assert(memcmp(&h.epochs[e].loss, &href.epochs[e].loss, sizeof(double)) == 0);
					ck_assert(memcmp(&h.epochs[e].val_loss, &href.epochs[e].val_loss, sizeof(double)) == 0);
				}
				ck_assert_int_eq(t.diag.n, ref.diag.n);
				winit_history_free(&h);
				winit_trainer_free(&t);
				tested++;
			}
			/* It trained: the loss fell. */
			ck_assert(href.epochs[1].loss < href.epochs[0].loss);
			winit_history_free(&href);
			winit_trainer_free(&ref);
		}
	}
	ck_assert_int_ge(tested, 6);
	ck_assert_int_eq(winit_kernels_select("auto"), 0);
	winit_dataset_free(&ds);
}
END_TEST

/* A fit long enough decides by timing whether the team pays (team_verdict kept or dropped) and
 * keeps or drops it for the rest; either way the numbers are those of one thread. */
START_TEST(team_trial_decides_and_changes_nothing)
{
	struct winit_dataset ds = tu_quadrant_dataset(1500, 8, 43);
	struct winit_model_spec spec = mlp_spec(64, 64, "relu", "he_normal", 4);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	struct winit_error err = { 0 };
	struct winit_trainer a, b;
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 1;
	f.batch_size = 10; /* 150 steps: past the trial's 80 */
	ck_assert_int_eq(winit_trainer_init(&a, &spec, &opt, 3, &err), 0);
	ck_assert_int_eq(winit_trainer_init(&b, &spec, &opt, 3, &err), 0);
	struct winit_team *team = winit_team_new(2);
	b.model.team = team;
	ck_assert_int_eq(winit_trainer_fit(&a, &ds, &f, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(winit_trainer_fit(&b, &ds, &f, NULL, 0, NULL, &err), 0);
	ck_assert_int_eq(a.team_verdict, WINIT_TEAM_UNTRIED); /* no team: nothing to decide */
	ck_assert(b.team_verdict == WINIT_TEAM_KEPT || b.team_verdict == WINIT_TEAM_DROPPED);
	ck_assert_ptr_eq(b.model.team, b.team_verdict == WINIT_TEAM_KEPT ? team : NULL);
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * sizeof(float)) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	winit_team_free(team);
	winit_dataset_free(&ds);
}
END_TEST

/* With a zero kernel and ReLU (relu'(0) = 0) the hidden layer never moves: its kernel
 * stays exactly zero and accuracy is that of the class prior. */
START_TEST(zeros_initializer_never_breaks_symmetry)
{
	struct winit_dataset train = tu_quadrant_dataset(800, 8, 4);
	struct winit_model_spec s = mlp_spec(64, 16, "relu", "zeros", 4);
	struct winit_trainer tr;
	struct winit_error err = { 0 };
	struct winit_optimizer_spec os = winit_optimizer_default(WINIT_OPT_ADAM);
	ck_assert_int_eq(winit_trainer_init(&tr, &s, &os, 1, &err), 0);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	ck_assert_int_eq(winit_trainer_fit(&tr, &train, &f, NULL, 0, NULL, &err), 0);
	const struct winit_model *m = &tr.model;
	for (int64_t i = 0; i < 64 * 16; i++)
		ck_assert_float_eq(m->layer[0].w[i], 0);
	for (int j = 0; j < 16; j++)
		ck_assert_float_eq(m->layer[0].b[j], 0);
	double loss, acc;
	ck_assert_int_eq(winit_evaluate(&tr.model, &train, 0, train.n, 64, &loss, &acc, &err), 0);
	ck_assert(acc < 0.35); /* the majority class of four, at most */
	winit_trainer_free(&tr);
	winit_dataset_free(&train);
}
END_TEST

START_TEST(evaluate_and_predict_agree)
{
	struct winit_dataset ds = tu_quadrant_dataset(300, 8, 5);
	struct winit_model_spec s = mlp_spec(64, 8, "relu", "glorot_normal", 4);
	struct winit_model m;
	ck_assert_int_eq(winit_model_init(&m, &s, 2, NULL), 0);
	double l1, a1, l2, a2;
	ck_assert_int_eq(winit_evaluate(&m, &ds, 0, ds.n, 7, &l1, &a1, NULL), 0);
	ck_assert_int_eq(winit_evaluate(&m, &ds, 0, ds.n, 300, &l2, &a2, NULL), 0);
	ck_assert_double_eq_tol(l1, l2, 1e-5);
	ck_assert_double_eq(a1, a2);
	float *p = malloc(300 * 4 * sizeof *p);
	ck_assert_int_eq(winit_predict(&m, &ds, 0, 300, 64, p, NULL), 0);
	double loss = 0;
	int hits = 0;
	for (int i = 0; i < 300; i++) {
		int arg = 0;
		for (int j = 1; j < 4; j++)
			if (p[i * 4 + j] > p[i * 4 + arg])
				arg = j;
		hits += arg == ds.y[i];
		loss -= log(p[i * 4 + ds.y[i]]);
		ck_assert_float_eq_tol(p[i * 4] + p[i * 4 + 1] + p[i * 4 + 2] + p[i * 4 + 3], 1, 1e-5);
	}
	ck_assert_double_eq_tol(loss / 300, l1, 1e-4);
	ck_assert_double_eq_tol(hits / 300.0, a1, 1e-12);
	free(p);
	winit_model_free(&m);
	winit_dataset_free(&ds);
}
END_TEST

/* winit_trainer_fit_with, the deprecated former name of winit_trainer_fit_val_hooks, is
 * still there and trains the same numbers with the same validation. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
START_TEST(fit_with_is_fit_val_hooks)
{
	struct winit_dataset ds = tu_quadrant_dataset(200, 8, 5), val = tu_quadrant_dataset(50, 8, 6);
	struct winit_model_spec s = mlp_spec(64, 8, "relu", "glorot_normal", 4);
	struct winit_optimizer_spec opt = winit_optimizer_default(WINIT_OPT_ADAM);
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	struct winit_trainer a, b;
	struct winit_history ha = { 0 }, hb = { 0 };
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_trainer_init(&a, &s, &opt, 9, &err), 0);
	ck_assert_int_eq(winit_trainer_init(&b, &s, &opt, 9, &err), 0);
	ck_assert_int_eq(winit_trainer_fit_val_hooks(&a, &ds, &val, &f, NULL, NULL, 0, &ha, &err), 0);
	ck_assert_int_eq(winit_trainer_fit_with(&b, &ds, &val, &f, NULL, NULL, 0, &hb, &err), 0);
	ck_assert_int_eq(ha.n, 2);
	ck_assert_int_eq(hb.n, 2);
	for (int e = 0; e < 2; e++) {
		ck_assert(ha.epochs[e].has_val && hb.epochs[e].has_val);
		ck_assert_double_eq(ha.epochs[e].loss, hb.epochs[e].loss);
		ck_assert_double_eq(ha.epochs[e].val_loss, hb.epochs[e].val_loss);
	}
	ck_assert(memcmp(a.model.params, b.model.params, (size_t)a.model.n_params * sizeof(float)) == 0);
	winit_history_free(&ha);
	winit_history_free(&hb);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	winit_dataset_free(&ds);
	winit_dataset_free(&val);
}
END_TEST
#pragma GCC diagnostic pop

/* LSUV: after the data-aware pass every hidden layer's pre-activation variance is 1 +- 0.1
 * on a fresh batch, for deep tanh and ReLU MLPs. */
#define LSUV_LAYERS 11
struct var_acc {
	double sum[LSUV_LAYERS], ss[LSUV_LAYERS];
	int64_t n[LSUV_LAYERS];
};

static void var_hook(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                     int64_t cols)
{
	struct var_acc *v = ctx;
	(void)a;
	for (int64_t i = 0; i < rows * cols; i++) {
		v->sum[layer] += z[i];
		v->ss[layer] += (double)z[i] * z[i];
	}
	v->n[layer] += rows * cols;
}

static void lsuv_check(const char *act)
{
	struct winit_dataset train = tu_quadrant_dataset(3000, 8, 21), fresh = tu_quadrant_dataset(512, 8, 22);
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 2;
	s.input_shape[0] = s.input_shape[1] = 8;
	s.n_inputs = 64;
	tu_layers(&s, LSUV_LAYERS);
	for (int i = 0; i < 10; i++)
		s.layers[i] = tu_dense(48, act, "lsuv");
	s.layers[10] = tu_dense(4, "softmax", "glorot_uniform");
	struct winit_model m;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_model_init(&m, &s, 5, &err), 0);
	ck_assert(winit_model_spec_needs_data(&s));
	ck_assert_msg(winit_model_adapt(&m, &train, 2400, 5, &err) == 0, "%s", err.msg);
	struct var_acc v;
	memset(&v, 0, sizeof v);
	m.hooks.ctx = &v;
	m.hooks.forward = var_hook;
	float *out = malloc(512 * 4 * sizeof *out);
	ck_assert_int_eq(winit_predict(&m, &fresh, 0, 512, 512, out, &err), 0);
	for (int i = 0; i < 10; i++) {
		double mean = v.sum[i] / (double)v.n[i];
		double var = v.ss[i] / (double)v.n[i] - mean * mean;
		ck_assert_msg(fabs(var - 1) < 0.1, "%s layer %d: variance %g", act, i + 1, var);
	}
	free(out);
	winit_model_free(&m);
	winit_dataset_free(&train);
	winit_dataset_free(&fresh);
}

START_TEST(lsuv_unit_variance_tanh_and_relu)
{
	lsuv_check("tanh");
	lsuv_check("relu");
}
END_TEST

/* The adapt pass really rescales the orthogonal start (so the check above is not
 * vacuous), by one factor per layer, reproducibly. */
START_TEST(lsuv_differs_from_its_orthogonal_start)
{
	struct winit_dataset train = tu_quadrant_dataset(600, 8, 23);
	struct winit_model_spec s = mlp_spec(64, 48, "relu", "lsuv", 4);
	struct winit_model a, b;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_model_init(&a, &s, 5, &err), 0);
	ck_assert_int_eq(winit_model_init(&b, &s, 5, &err), 0);
	ck_assert(memcmp(a.params, b.params, (size_t)a.n_params * sizeof(float)) == 0);
	ck_assert_int_eq(winit_model_adapt(&b, &train, 600, 5, &err), 0);
	double ratio = b.layer[0].w[0] / a.layer[0].w[0];
	for (int64_t i = 1; i < 64 * 48; i++)
		ck_assert_double_eq_tol(b.layer[0].w[i], a.layer[0].w[i] * ratio, 1e-5);
	ck_assert(fabs(ratio - 1) > 0.05);
	/* Same data, same seed: same adapted weights. */
	struct winit_model c;
	ck_assert_int_eq(winit_model_init(&c, &s, 5, &err), 0);
	ck_assert_int_eq(winit_model_adapt(&c, &train, 600, 5, &err), 0);
	ck_assert(memcmp(b.params, c.params, (size_t)b.n_params * sizeof(float)) == 0);
	winit_model_free(&a);
	winit_model_free(&b);
	winit_model_free(&c);
	winit_dataset_free(&train);
}
END_TEST

static Suite *nn_suite(void)
{
	Suite *s = suite_create("nn");
	TCase *tc = tcase_create("loss");
	tcase_add_test(tc, xent_value_and_accuracy);
	tcase_add_test(tc, xent_stable_for_large_logits);
	tcase_add_test(tc, xent_gradient_matches_finite_difference);
	suite_add_tcase(s, tc);
	tc = tcase_create("optimizers");
	tcase_add_test(tc, adam_matches_hand_computed_steps);
	tcase_add_test(tc, sgd_with_and_without_momentum);
	tcase_add_test(tc, optimizer_rejects_bad_settings);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_test(tc, dense_gradients_match_finite_differences);
	tcase_add_test(tc, deep_gradients_match_finite_differences);
	tcase_add_test(tc, model_init_is_deterministic_per_seed);
	tcase_add_test(tc, model_spec_errors);
	tcase_add_test(tc, dense_defaults_are_keras);
	tcase_add_test(tc, compile_needs_a_softmax_output);
	suite_add_tcase(s, tc);
	tc = tcase_create("fit");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fit_validation_is_the_tail_before_shuffling);
	tcase_add_test(tc, fit_reshuffles_every_epoch);
	tcase_add_test(tc, fit_split_rounds_like_keras);
	tcase_add_test(tc, fit_rejects_bad_settings);
	tcase_add_test(tc, training_reaches_high_accuracy);
	tcase_add_test(tc, zeros_initializer_never_breaks_symmetry);
	tcase_add_test(tc, evaluate_and_predict_agree);
	tcase_add_test(tc, fit_with_is_fit_val_hooks);
	tcase_add_test(tc, lsuv_unit_variance_tanh_and_relu);
	tcase_add_test(tc, kernel_sets_train_alike);
	tcase_add_test(tc, teams_train_bit_identically);
	tcase_add_test(tc, team_trial_decides_and_changes_nothing);
	tcase_add_test(tc, lsuv_differs_from_its_orthogonal_start);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(nn_suite());
}
