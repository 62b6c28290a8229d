/* tests/check_diagnostics.c -- diagnostics recorded while a run trains (src/nn/diagnostics.c):
 * the snapshot cadence, distinct units (a zeros kernel is 1 unit), dead and saturated
 * units through the activation plugin, the results file's shape, and that training
 * numbers are bit-identical with diagnostics on and off. */
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>

#include "testutil.h"

static struct winit_model_spec mlp(const char *act, struct winit_plugin_use init)
{
	struct winit_model_spec s = { 0 };
	s.n_input_dims = 1;
	s.input_shape[0] = 16;
	s.n_inputs = 16;
	tu_layers(&s, 2);
	s.layers[0] = tu_dense(32, act, "zeros");
	s.layers[0].kernel_initializer = init;
	s.layers[1] = tu_dense(4, "softmax", "glorot_uniform");
	return s;
}

static struct winit_plugin_use init_use(const char *name)
{
	return tu_use(WINIT_KIND_INITIALIZER, name, 0, NULL, NULL);
}

static struct winit_fit_spec small_fit(void)
{
	struct winit_fit_spec f = winit_fit_default();
	f.epochs = 2;
	f.batch_size = 16;
	f.validation_split = 0.2;
	return f;
}

/* 256 rows, 204 for training: 13 steps an epoch, 26 in all.  Snapshots: at init, after
 * steps 1, 2, 4, 8, 13 (epoch 1 ends), 16, 26 (epoch 2 ends). */
static const int64_t expect_steps[] = { 0, 1, 2, 4, 8, 13, 16, 26 };
static const int32_t expect_epochs[] = { 0, 1, 1, 1, 1, 1, 2, 2 };

static void fit_trainer(struct winit_trainer *t, const struct winit_model_spec *s,
                        const struct winit_fit_spec *f, const struct winit_dataset *ds)
{
	struct winit_error err = { 0 };
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_ADAM);
	ck_assert_msg(winit_trainer_init(t, s, &o, 99, &err) == 0, "%s", err.msg);
	ck_assert_msg(winit_trainer_fit(t, ds, f, NULL, 0, NULL, &err) == 0, "%s", err.msg);
}

START_TEST(cadence_and_symmetry_of_zeros)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 1);
	struct winit_model_spec s = mlp("relu", init_use("zeros"));
	struct winit_fit_spec f = small_fit();
	struct winit_trainer t;
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_int_eq(t.diag.n, 8);
	for (int i = 0; i < t.diag.n; i++) {
		const struct winit_diag_snapshot *sn = &t.diag.snaps[i];
		ck_assert_int_eq(sn->step, expect_steps[i]);
		ck_assert_int_eq(sn->epoch, expect_epochs[i]);
		ck_assert_int_eq(sn->n_layers, 2);
		/* Every hidden unit is the same unit, and relu'(0) = 0 leaves all 32 dead. */
		ck_assert_int_eq(sn->layers[0].distinct_units, 1);
		ck_assert_int_eq(sn->layers[0].dead, 32);
		ck_assert_double_eq(sn->layers[0].dead_fraction, 1.0);
		ck_assert_double_eq(sn->layers[0].pre_var, 0.0);
		ck_assert_double_eq(sn->layers[0].w_sd, 0.0);
		ck_assert_int_eq(sn->layers[1].distinct_units, 4);
		ck_assert(isnan(sn->layers[1].saturated_fraction)); /* softmax is row-wise */
		ck_assert(sn->layers[1].grad_var > 0);
	}
	/* The output layer's weights never move (its input is 0): ratio 0 after a step. */
	ck_assert(isnan(t.diag.snaps[0].layers[1].update_ratio));
	ck_assert_double_eq(t.diag.snaps[1].layers[1].update_ratio, 0.0);
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(random_kernels_are_all_distinct)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 2);
	struct winit_model_spec s = mlp("relu", init_use("he_normal"));
	struct winit_fit_spec f = small_fit();
	struct winit_trainer t;
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_int_eq(t.diag.n, 8);
	for (int i = 0; i < t.diag.n; i++) {
		const struct winit_diag_layer *l = &t.diag.snaps[i].layers[0];
		ck_assert_int_eq(l->distinct_units, 32);
		ck_assert(l->pre_var > 0 && l->act_var > 0 && l->wgrad_var > 0);
		/* relu: saturated = z <= 0, about half the pairs for inputs of mean > 0 too */
		ck_assert(l->saturated_fraction > 0.05 && l->saturated_fraction < 0.95);
		if (i > 0)
			ck_assert(l->update_ratio > 0 && l->update_ratio < 1);
	}
	/* He's kernel sd is sqrt(2 / 16) (a truncated normal's measured sd, 512 values). */
	ck_assert_double_eq_tol(t.diag.snaps[0].layers[0].w_sd, sqrt(2.0 / 16), 0.05);
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

/* The kernel's mean and sd in a snapshot are its values' mean and (population) sd: against
 * a long double sum, on kernels of 480 and 120 values (120 is not a multiple of the
 * statistics' 16 running sums: the tail counts too). */
START_TEST(weight_statistics_as_defined)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 2);
	struct winit_model_spec s = mlp("relu", init_use("he_normal"));
	s.layers[0].units = 30;
	struct winit_fit_spec f = small_fit();
	struct winit_trainer t;
	fit_trainer(&t, &s, &f, &ds);
	const struct winit_diag_snapshot *last = &t.diag.snaps[t.diag.n - 1];
	ck_assert_int_eq((int)last->step, 26); /* the epoch end: the model's weights since */
	for (int i = 0; i < 2; i++) {
		const struct winit_layer *d = &t.model.layer[i];
		int64_t n = d->k_rows * d->units;
		ck_assert_int_eq((int)n, i == 0 ? 480 : 120);
		long double sum = 0, ss = 0, abs_sum = 0;
		for (int64_t k = 0; k < n; k++) {
			sum += d->w[k];
			abs_sum += fabsf(d->w[k]);
		}
		long double mean = sum / n;
		for (int64_t k = 0; k < n; k++)
			ss += (d->w[k] - mean) * (d->w[k] - mean);
		const struct winit_diag_layer *l = &last->layers[i];
		/* a sum of n doubles in any order is within n eps sum|w| of the exact one */
		ck_assert_msg(fabs(l->w_mean - (double)mean) <= n * DBL_EPSILON * (double)(abs_sum / n),
		              "layer %d: mean %.17g, expected %.17Lg", i, l->w_mean, mean);
		ck_assert_msg(fabs(l->w_sd / sqrt((double)(ss / n)) - 1) < 1e-14,
		              "layer %d: sd %.17g, expected %.17g", i, l->w_sd, sqrt((double)(ss / n)));
	}
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

/* The probe batch: min(512, training rows), or floor(2^22 / the widest layer's values) for
 * a layer wider than 8,192 (WINIT_DIAG_PROBE_VALUES), recorded in every snapshot: 480
 * training rows give 480 with a layer of 8,192 units, 256 with one of 16,384. */
START_TEST(probe_rows_cap)
{
	struct winit_dataset ds = tu_quadrant_dataset(600, 4, 3);
	static const int32_t widths[] = { 8192, 16384 };
	static const int64_t expect[] = { 480, 256 };
	for (int k = 0; k < 2; k++) {
		struct winit_model_spec s = mlp("relu", init_use("he_normal"));
		s.layers[0].units = widths[k];
		struct winit_fit_spec f = small_fit();
		f.epochs = 1;
		f.batch_size = 240;
		struct winit_trainer t;
		fit_trainer(&t, &s, &f, &ds);
		ck_assert_int_ge(t.diag.n, 2);
		for (int i = 0; i < t.diag.n; i++)
			ck_assert_int_eq(t.diag.snaps[i].probe_rows, expect[k]);
		winit_trainer_free(&t);
	}
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(cadence_switches)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 3);
	struct winit_model_spec s = mlp("relu", init_use("he_normal"));
	struct winit_fit_spec f = small_fit();
	f.diagnostics.early = 0;
	struct winit_trainer t;
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_int_eq(t.diag.n, 3); /* init, two epoch ends */
	ck_assert_int_eq(t.diag.snaps[1].step, 13);
	ck_assert_int_eq(t.diag.snaps[2].step, 26);
	ck_assert(t.theory.computed);
	winit_trainer_free(&t);
	f.diagnostics = (struct winit_diag_cadence){ 0, 0, 0 };
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_int_eq(t.diag.n, 0);
	ck_assert(!t.theory.computed);
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

/* Saturation goes through the plugin's backward: tanh with huge weights saturates,
 * with small ones it does not. */
START_TEST(tanh_saturation)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 4);
	const char *names[] = { "stddev" };
	double big[] = { 50.0 }, small[] = { 0.01 };
	struct winit_model_spec s =
		mlp("tanh", tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, names, big));
	struct winit_fit_spec f = small_fit();
	f.epochs = 0;
	struct winit_trainer t;
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_int_eq(t.diag.n, 1);
	ck_assert_msg(t.diag.snaps[0].layers[0].saturated_fraction > 0.9, "%g",
	              t.diag.snaps[0].layers[0].saturated_fraction);
	winit_trainer_free(&t);
	s = mlp("tanh", tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, names, small));
	fit_trainer(&t, &s, &f, &ds);
	ck_assert_double_eq(t.diag.snaps[0].layers[0].saturated_fraction, 0.0);
	ck_assert_int_eq(t.diag.snaps[0].layers[0].dead, 0);
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(distinct_units_tolerance)
{
	/* (3, 4): columns 0 and 2 equal, 3 equal to 1 up to 1e-9 (below tolerance). */
	float w[12] = { 1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6.000000001f };
	ck_assert_int_eq(winit_diag_distinct_units(w, 3, 4), 2);
	w[11] = 6.01f;
	ck_assert_int_eq(winit_diag_distinct_units(w, 3, 4), 3);
	float z[12] = { 0 };
	ck_assert_int_eq(winit_diag_distinct_units(z, 3, 4), 1);
}
END_TEST

/* The definition, column by column: each column is compared with the first column of
 * every unit so far, in order, and starts a new unit when none matches. */
static int64_t distinct_by_definition(const float *w, int64_t n_in, int64_t n_out)
{
	float big = 0;
	for (int64_t i = 0; i < n_in * n_out; i++)
		if (fabsf(w[i]) > big)
			big = fabsf(w[i]);
	double tol = WINIT_DIAG_TOLERANCE * big;
	int64_t rep[64], n_rep = 0;
	for (int64_t j = 0; j < n_out; j++) {
		int64_t r;
		for (r = 0; r < n_rep; r++) {
			int64_t i;
			for (i = 0; i < n_in; i++)
				if (fabs((double)w[i * n_out + j] - w[i * n_out + rep[r]]) > tol)
					break;
			if (i == n_in)
				break;
		}
		if (r == n_rep)
			rep[n_rep++] = j;
	}
	return n_rep;
}

/* Kernels with repeated columns, columns a tolerance apart (matching is not transitive:
 * which unit claims a column matters), differences in the last rows only, NaNs (they
 * match anything) and empty shapes: the same count as the definition. */
START_TEST(distinct_units_as_defined)
{
	struct winit_rng rng;
	winit_rng_seed(&rng, 17, 0);
	float w[40 * 64], base[4][40];
	for (int trial = 0; trial < 2000; trial++) {
		int64_t n_in = (int64_t)winit_rng_below(&rng, 41), n_out = (int64_t)winit_rng_below(&rng, 65);
		for (int b = 0; b < 4; b++)
			for (int i = 0; i < 40; i++)
				base[b][i] = (float)winit_rng_below(&rng, 5) - 2.0f;
		for (int64_t j = 0; j < n_out; j++) {
			int b = (int)winit_rng_below(&rng, 4);
			/* 0: the base column; 1, 2: one entry (often the last) moved by about the
			 * tolerance (2e-6 of the largest |w|, 2); 3: random */
			int kind = (int)winit_rng_below(&rng, 4);
			for (int64_t i = 0; i < n_in; i++)
				w[i * n_out + j] = kind == 3 ? (float)winit_rng_below(&rng, 1000) / 500.0f - 1.0f : base[b][i];
			if ((kind == 1 || kind == 2) && n_in > 0) {
				int64_t i = winit_rng_below(&rng, 2) ? n_in - 1 : (int64_t)winit_rng_below(&rng, (uint64_t)n_in);
				w[i * n_out + j] += (kind == 1 ? 1.0f : -1.0f) * (float)winit_rng_below(&rng, 3) * 2e-6f;
			}
			if (n_in > 0 && winit_rng_below(&rng, 50) == 0)
				w[winit_rng_below(&rng, (uint64_t)n_in) * (uint64_t)n_out + (uint64_t)j] = NAN;
		}
		ck_assert_msg(winit_diag_distinct_units(w, n_in, n_out) == distinct_by_definition(w, n_in, n_out),
		              "trial %d: %lld x %lld", trial, (long long)n_in, (long long)n_out);
	}
}
END_TEST

static int64_t hist_sum(const struct winit_diag_hist *h)
{
	int64_t n = h->underflow + h->overflow;
	for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++)
		n += h->count[b];
	return n;
}

/* The bins by hand: edges included, outliers outside, a zero range, a constant kernel. */
START_TEST(histogram_bins)
{
	/* mean 0, sd 1 (population): half-width 4; bins of width 8/41. */
	float w[8] = { -1, 1, -1, 1, -1, 1, -1, 1 };
	struct winit_diag_hist h;
	winit_diag_histogram(&h, w, 8);
	ck_assert_double_eq(h.half_width, 4.0);
	ck_assert(isnan(h.declared_sd));
	/* -1 is in bin floor((3 / 8) * 41) = 15, 1 in floor((5 / 8) * 41) = 25. */
	ck_assert_int_eq(h.count[15], 4);
	ck_assert_int_eq(h.count[25], 4);
	ck_assert_int_eq(hist_sum(&h), 8);
	/* 1000 weights of sd ~1 and two far outliers: the edges of the range are inside. */
	float v[1002];
	for (int i = 0; i < 1000; i++)
		v[i] = (float)((i % 2 ? 1 : -1) * (i % 7) * 0.4);
	v[1000] = 1e6f;
	v[1001] = -1e6f;
	winit_diag_histogram(&h, v, 1002);
	ck_assert_int_eq(h.underflow, 1);
	ck_assert_int_eq(h.overflow, 1);
	ck_assert_int_eq(hist_sum(&h), 1002);
	/* -2, 2 and 30 zeros: sd 0.5 exactly, so the range is [-2, 2] and -2 and 2 are its
	 * edges: in the first and (right edge included) the last bin. */
	float e[32] = { -2, 2 };
	winit_diag_histogram(&h, e, 32);
	ck_assert_double_eq(h.half_width, 2.0);
	ck_assert_int_eq(h.count[0], 1);
	ck_assert_int_eq(h.count[WINIT_DIAG_HIST_BINS - 1], 1);
	ck_assert_int_eq(h.count[WINIT_DIAG_HIST_BINS / 2], 30);
	ck_assert_int_eq(h.underflow + h.overflow, 0);
	/* All zeros: a zero range, every weight in the centre bin. */
	winit_diag_histogram(&h, e + 2, 30);
	ck_assert_double_eq(h.half_width, 0.0);
	ck_assert_int_eq(h.count[WINIT_DIAG_HIST_BINS / 2], 30);
	ck_assert_int_eq(hist_sum(&h), 30);
	/* A constant 0.5: sd 0, the range is twice the mean; the spike lands at 0.5. */
	float c[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
	winit_diag_histogram(&h, c, 4);
	ck_assert_double_eq(h.half_width, 1.0);
	ck_assert_int_eq(h.count[(int)(1.5 / 2 * WINIT_DIAG_HIST_BINS)], 4);
	ck_assert_int_eq(h.underflow + h.overflow, 0);
}
END_TEST

/* Runs record the histograms at initialization only; the counts add up to every weight
 * of the kernel, the zeros kernel is one spike, and the declared sd is the plugin's. */
START_TEST(histograms_at_initialization)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 8);
	struct winit_fit_spec f = small_fit();
	struct winit_trainer t;
	struct winit_model_spec s = mlp("relu", init_use("he_normal"));
	fit_trainer(&t, &s, &f, &ds);
	const struct winit_diag_hist *h = t.diag.snaps[0].hist;
	ck_assert_ptr_nonnull(h);
	for (int i = 1; i < t.diag.n; i++)
		ck_assert_ptr_null(t.diag.snaps[i].hist);
	ck_assert_int_eq(hist_sum(&h[0]), 16 * 32);
	ck_assert_int_eq(hist_sum(&h[1]), 32 * 4);
	/* He: sd sqrt(2 / fan_in); Keras's glorot_uniform: sqrt(2 / (fan_in + fan_out)). */
	ck_assert_double_eq_tol(h[0].declared_sd, sqrt(2.0 / 16), 1e-12);
	ck_assert_double_eq_tol(h[1].declared_sd, sqrt(2.0 / (32 + 4)), 1e-12);
	ck_assert_double_eq_tol(h[0].half_width, 4 * t.diag.snaps[0].layers[0].w_sd, 1e-12);
	/* He's normal is truncated at 2 sd: nothing falls outside 4 measured sd. */
	ck_assert_int_eq(h[0].underflow + h[0].overflow, 0);
	winit_trainer_free(&t);
	s = mlp("relu", init_use("zeros"));
	fit_trainer(&t, &s, &f, &ds);
	h = t.diag.snaps[0].hist;
	ck_assert_double_eq(h[0].half_width, 0.0);
	ck_assert_int_eq(h[0].count[WINIT_DIAG_HIST_BINS / 2], 16 * 32);
	ck_assert_int_eq(hist_sum(&h[0]), 16 * 32);
	ck_assert_double_eq(h[0].declared_sd, 0.0);
	winit_trainer_free(&t);
	winit_dataset_free(&ds);
}
END_TEST

/* Diagnostics observe: the weights and every reported number are the same to the bit. */
START_TEST(bit_identical_on_and_off)
{
	struct winit_dataset train = tu_quadrant_dataset(400, 4, 5), test = tu_quadrant_dataset(100, 4, 6);
	struct winit_run_spec run = { 0 };
	snprintf(run.name, sizeof run.name, "r");
	run.seed = 11;
	run.model = mlp("relu", init_use("glorot_normal"));
	run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	run.fit = small_fit();
	run.train = &train;
	run.test = &test;
	struct winit_run_result on, off;
	ck_assert_msg(winit_run_execute(&run, &on, NULL, 0) == 0, "%s", on.error);
	run.fit.diagnostics = (struct winit_diag_cadence){ 0, 0, 0 };
	ck_assert_msg(winit_run_execute(&run, &off, NULL, 0) == 0, "%s", off.error);
	ck_assert_int_gt(on.diagnostics.n, 5);
	ck_assert_int_eq(off.diagnostics.n, 0);
	ck_assert_int_eq(on.history.n, off.history.n);
	for (int e = 0; e < on.history.n; e++) {
		ck_assert(on.history.epochs[e].loss == off.history.epochs[e].loss);
		ck_assert(on.history.epochs[e].val_loss == off.history.epochs[e].val_loss);
		ck_assert(on.history.epochs[e].accuracy == off.history.epochs[e].accuracy);
	}
	ck_assert(on.test_loss == off.test_loss);
	ck_assert(on.test_accuracy == off.test_accuracy);
	winit_run_result_free(&on);
	winit_run_result_free(&off);

	/* The weights themselves. */
	struct winit_trainer a, b;
	struct winit_fit_spec f = small_fit();
	fit_trainer(&a, &run.model, &f, &train);
	f.diagnostics = (struct winit_diag_cadence){ 0, 0, 0 };
	fit_trainer(&b, &run.model, &f, &train);
	ck_assert_int_eq(a.model.n_params, b.model.n_params);
	ck_assert(memcmp(a.model.params, b.model.params,
	                 (size_t)a.model.n_params * sizeof(float)) == 0);
	winit_trainer_free(&a);
	winit_trainer_free(&b);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
}
END_TEST

/* The results file holds each run's snapshots and the theory, in the agreed shape. */
START_TEST(results_file_shape)
{
	struct winit_dataset train = tu_quadrant_dataset(256, 4, 7);
	struct winit_run_spec run = { 0 };
	snprintf(run.name, sizeof run.name, "zeros");
	run.seed = 1;
	run.model = mlp("relu", init_use("zeros"));
	run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	run.fit = small_fit();
	run.train = &train;
	struct winit_run_result res;
	ck_assert_msg(winit_run_execute(&run, &res, NULL, 0) == 0, "%s", res.error);
	const char *path = tu_path(tu_tmpdir(), "r.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "s", 1, &run, &res, 1, &err) == 0, "%s", err.msg);
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	ck_assert_msg(root != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
	json_t *r0 = json_array_get(json_object_get(root, "runs"), 0);
	json_t *diag = json_object_get(r0, "diagnostics");
	ck_assert_int_eq((int)json_array_size(diag), 8);
	json_t *s0 = json_array_get(diag, 0);
	ck_assert_int_eq((int)json_integer_value(json_object_get(s0, "step")), 0);
	ck_assert_int_eq((int)json_integer_value(json_object_get(s0, "epoch")), 0);
	/* 256 rows, 20% held out: a probe of all 204 training rows (under 512) */
	for (size_t k = 0; k < json_array_size(diag); k++)
		ck_assert_int_eq((int)json_integer_value(json_object_get(json_array_get(diag, k), "probe_rows")), 204);
	json_t *l0 = json_array_get(json_object_get(s0, "layers"), 0);
	static const char *const keys[] = { "pre_mean", "pre_var", "act_mean", "act_var",
		                            "grad_var", "wgrad_var", "w_mean", "w_sd",
		                            "update_ratio", "dead", "dead_fraction",
		                            "saturated_fraction", "distinct_units" };
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(json_object_get(l0, keys[k]) != NULL, "no %s", keys[k]);
	ck_assert(json_is_null(json_object_get(l0, "update_ratio")));
	ck_assert_int_eq((int)json_integer_value(json_object_get(l0, "distinct_units")), 1);
	/* The zeros kernel's histogram: a zero range, all 16 x 32 weights in the centre bin. */
	json_t *wh = json_object_get(l0, "weights_hist");
	json_t *range = json_object_get(wh, "range"), *counts = json_object_get(wh, "counts");
	ck_assert_int_eq((int)json_array_size(range), 2);
	ck_assert(json_number_value(json_array_get(range, 0)) == 0 &&
	          json_number_value(json_array_get(range, 1)) == 0);
	ck_assert_int_eq((int)json_array_size(counts), WINIT_DIAG_HIST_BINS);
	ck_assert_int_eq((int)json_integer_value(json_array_get(counts, WINIT_DIAG_HIST_BINS / 2)), 16 * 32);
	ck_assert_int_eq((int)json_integer_value(json_object_get(wh, "underflow")), 0);
	ck_assert(json_number_value(json_object_get(wh, "declared_sd")) == 0);
	json_t *l1 = json_array_get(json_object_get(s0, "layers"), 1);
	json_t *c1 = json_object_get(json_object_get(l1, "weights_hist"), "counts");
	json_int_t total = 0;
	for (size_t b = 0; b < json_array_size(c1); b++)
		total += json_integer_value(json_array_get(c1, b));
	ck_assert_int_eq((int)total, 32 * 4);
	/* Only the snapshot at initialization has them. */
	json_t *l_later = json_array_get(json_object_get(json_array_get(diag, 1), "layers"), 0);
	ck_assert_ptr_null(json_object_get(l_later, "weights_hist"));
	/* Read back (as resume does) and written again: the same bytes, histograms included. */
	char *first = json_dumps(root, JSON_SORT_KEYS);
	struct winit_results_file back;
	ck_assert_msg(winit_results_read(path, &back, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(back.runs[0].result.diagnostics.snaps[0].hist);
	ck_assert_int_eq(back.runs[0].result.diagnostics.snaps[0].hist[0].count[WINIT_DIAG_HIST_BINS / 2],
	                 16 * 32);
	ck_assert_msg(winit_results_write_json(path, "s", 1, &run, &back.runs[0].result, 1, &err) == 0, "%s",
	              err.msg);
	json_t *again = json_load_file(path, 0, &jerr);
	ck_assert_ptr_nonnull(again);
	char *second = json_dumps(again, JSON_SORT_KEYS);
	ck_assert_str_eq(second, first);
	free(first);
	free(second);
	json_decref(again);
	winit_results_file_free(&back);
	json_t *th = json_object_get(r0, "theory");
	ck_assert(json_is_true(json_object_get(th, "applies")));
	ck_assert_int_eq((int)json_array_size(json_object_get(th, "pre_var")), 2);
	ck_assert_int_eq((int)json_array_size(json_object_get(th, "grad_var")), 2);
	json_decref(root);
	winit_run_result_free(&res);
	winit_dataset_free(&train);
}
END_TEST

/* Loss and accuracy at every snapshot: on the first WINIT_DIAG_VAL_ROWS validation rows
 * early, on all of them (the epoch's own pass) at an epoch's end, on the probe always;
 * steps_to_target from them; and through the results file and back, bit for bit. */
START_TEST(validation_accuracy_at_snapshots)
{
	/* 12000 rows: 9600 train (600 steps of 16), 2400 held out (more than the cap). */
	struct winit_dataset train = tu_quadrant_dataset(12000, 4, 3);
	struct winit_run_spec run = { 0 };
	snprintf(run.name, sizeof run.name, "g");
	run.seed = 5;
	run.target = 0.9;
	run.model = mlp("relu", init_use("glorot_normal"));
	run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	run.fit = small_fit();
	run.fit.epochs = 1;
	run.train = &train;
	struct winit_run_result res;
	ck_assert_msg(winit_run_execute(&run, &res, NULL, 0) == 0, "%s", res.error);
	const struct winit_diagnostics *d = &res.diagnostics;
	static const int64_t steps[] = { 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600 };
	ck_assert_int_eq(d->n, 12);
	for (int i = 0; i < d->n; i++) {
		const struct winit_diag_snapshot *sn = &d->snaps[i];
		ck_assert_int_eq(sn->step, steps[i]);
		ck_assert_int_eq(sn->val_rows, i + 1 < d->n ? WINIT_DIAG_VAL_ROWS : 2400);
		ck_assert(sn->val_accuracy >= 0 && sn->val_accuracy <= 1 && isfinite(sn->val_loss));
		ck_assert(sn->probe_accuracy >= 0 && sn->probe_accuracy <= 1 && isfinite(sn->probe_loss));
	}
	/* Chance (4 classes) at initialization, learned by the end. */
	ck_assert_msg(d->snaps[0].val_accuracy < 0.5, "%g", d->snaps[0].val_accuracy);
	ck_assert_msg(d->snaps[d->n - 1].val_accuracy > 0.9, "%g", d->snaps[d->n - 1].val_accuracy);
	/* The epoch's end is the epoch's validation pass itself. */
	ck_assert(d->snaps[d->n - 1].val_accuracy == res.history.epochs[0].val_accuracy);
	ck_assert(d->snaps[d->n - 1].val_loss == res.history.epochs[0].val_loss);
	/* At initialization: what winit_evaluate says of the same weights and rows. */
	struct winit_trainer t;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_trainer_init(&t, &run.model, &run.optimizer, res.run_seed, &err) == 0, "%s",
	              err.msg);
	double vl, va;
	ck_assert_msg(winit_evaluate(&t.model, &train, 9600, 9600 + WINIT_DIAG_VAL_ROWS, 0, &vl, &va, &err) == 0,
	              "%s", err.msg);
	ck_assert(va == d->snaps[0].val_accuracy);
	ck_assert_double_eq_tol(vl, d->snaps[0].val_loss, 1e-6 * vl);
	winit_trainer_free(&t);
	struct winit_learning lm;
	winit_learning_metrics(&lm, &res.history, d, run.target);
	ck_assert_int_eq(lm.val_snapshots, 12);
	ck_assert_msg(lm.steps_to_target > 0 && lm.steps_to_target <= 600, "%lld",
	              (long long)lm.steps_to_target);

	/* Through the results file and back. */
	const char *path = tu_path(tu_tmpdir(), "v.json");
	ck_assert_msg(winit_results_write_json(path, "s", 5, &run, &res, 1, &err) == 0, "%s", err.msg);
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	const struct winit_diagnostics *b = &f.runs[0].result.diagnostics;
	ck_assert_int_eq(b->n, d->n);
	for (int i = 0; i < d->n; i++) {
		ck_assert(b->snaps[i].val_accuracy == d->snaps[i].val_accuracy);
		ck_assert(b->snaps[i].val_loss == d->snaps[i].val_loss);
		ck_assert(b->snaps[i].probe_accuracy == d->snaps[i].probe_accuracy);
		ck_assert(b->snaps[i].probe_loss == d->snaps[i].probe_loss);
		ck_assert_int_eq(b->snaps[i].val_rows, d->snaps[i].val_rows);
	}
	struct winit_learning lb;
	winit_learning_metrics(&lb, &f.runs[0].result.history, b, run.target);
	ck_assert_int_eq(lb.steps_to_target, lm.steps_to_target);
	winit_results_file_free(&f);
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	ck_assert_msg(root != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
	json_t *learning = json_object_get(json_array_get(json_object_get(root, "runs"), 0), "learning");
	ck_assert_int_eq(json_integer_value(json_object_get(learning, "steps_to_target")), lm.steps_to_target);
	json_decref(root);
	winit_run_result_free(&res);

	/* Without validation: the probe only. */
	run.fit.validation_split = 0;
	ck_assert_msg(winit_run_execute(&run, &res, NULL, 0) == 0, "%s", res.error);
	for (int i = 0; i < res.diagnostics.n; i++) {
		const struct winit_diag_snapshot *sn = &res.diagnostics.snaps[i];
		ck_assert_int_eq(sn->val_rows, 0);
		ck_assert(isnan(sn->val_accuracy) && isnan(sn->val_loss));
		ck_assert(sn->probe_accuracy >= 0 && sn->probe_accuracy <= 1);
	}
	winit_learning_metrics(&lm, &res.history, &res.diagnostics, run.target);
	ck_assert_int_eq(lm.val_snapshots, 0);
	ck_assert_int_eq(lm.steps_to_target, -1);
	winit_run_result_free(&res);
	winit_dataset_free(&train);
}
END_TEST

/* Snapshots s and t hold the same numbers, to the bit. */
static void same_snapshots(const struct winit_diagnostics *s, const struct winit_diagnostics *t)
{
	ck_assert_int_eq(s->n, t->n);
	for (int i = 0; i < s->n; i++) {
		const struct winit_diag_snapshot *a = &s->snaps[i], *b = &t->snaps[i];
		ck_assert_int_eq(a->step, b->step);
		ck_assert_int_eq(a->n_layers, b->n_layers);
		ck_assert_int_eq(a->val_rows, b->val_rows);
		ck_assert(memcmp(&a->probe_loss, &b->probe_loss, sizeof a->probe_loss) == 0);
		ck_assert(memcmp(&a->probe_accuracy, &b->probe_accuracy, sizeof a->probe_accuracy) == 0);
		ck_assert(memcmp(&a->val_loss, &b->val_loss, sizeof a->val_loss) == 0);
		ck_assert(memcmp(&a->val_accuracy, &b->val_accuracy, sizeof a->val_accuracy) == 0);
		ck_assert(memcmp(a->layers, b->layers, (size_t)a->n_layers * sizeof *a->layers) == 0);
		ck_assert(!a->hist == !b->hist);
		if (a->hist)
			ck_assert(memcmp(a->hist, b->hist, (size_t)a->n_layers * sizeof *a->hist) == 0);
	}
}

/* A probe's buffers go to the thread's next probe (winit_diag_spares_free drops them), and
 * float validation rows are read in place: neither changes a number.  The float copy of
 * the images holds exactly what gathering the bytes gives (p / 255). */
START_TEST(spares_and_float_rows_change_nothing)
{
	struct winit_dataset bytes = tu_quadrant_dataset(400, 4, 8), floats;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_dataset_init_float(&floats, bytes.n, bytes.n_features, bytes.n_classes, &err) == 0,
	              "%s", err.msg);
	for (int64_t i = 0; i < bytes.n * bytes.n_features; i++)
		floats.xf[i] = (float)bytes.x[i] / 255.0f;
	memcpy(floats.y, bytes.y, (size_t)bytes.n);
	struct winit_model_spec s = mlp("tanh", init_use("glorot_normal"));
	struct winit_model_spec narrow = tu_spec_copy(&s);
	narrow.layers[0].units = 8;
	struct winit_fit_spec f = small_fit();
	struct winit_trainer fresh, reused, other, after, in_place;
	winit_diag_spares_free();
	fit_trainer(&fresh, &s, &f, &bytes);      /* new buffers */
	fit_trainer(&reused, &s, &f, &bytes);     /* fresh's, reused */
	fit_trainer(&other, &narrow, &f, &bytes); /* other shapes: the spares do not fit */
	fit_trainer(&after, &s, &f, &bytes);
	winit_diag_spares_free();
	fit_trainer(&in_place, &s, &f, &floats);
	ck_assert_int_eq(fresh.diag.n, 9); /* steps 0, 1, 2, 4, 8, 16, 20, 32, 40 */
	ck_assert_int_eq(fresh.diag.snaps[0].val_rows, 80);
	same_snapshots(&fresh.diag, &reused.diag);
	same_snapshots(&fresh.diag, &after.diag);
	same_snapshots(&fresh.diag, &in_place.diag);
	ck_assert_int_eq(other.diag.n, 9);
	ck_assert_int_eq(other.diag.snaps[0].layers[0].distinct_units, 8);
	winit_trainer_free(&fresh);
	winit_trainer_free(&reused);
	winit_trainer_free(&other);
	winit_trainer_free(&after);
	winit_trainer_free(&in_place);
	winit_diag_spares_free();
	winit_dataset_free(&bytes);
	winit_dataset_free(&floats);
}
END_TEST

struct thread_fit {
	const struct winit_model_spec *spec;
	const struct winit_dataset *ds;
	struct winit_trainer t;
};

static void *fit_on_thread(void *arg)
{
	struct thread_fit *tf = arg;
	struct winit_fit_spec f = small_fit();
	fit_trainer(&tf->t, tf->spec, &f, tf->ds);
	return NULL; /* the thread's spares are freed as it exits (valgrind: no leak) */
}

/* A probe on another thread takes that thread's spares (none yet) and gives the same
 * snapshots as one on this thread. */
START_TEST(spares_are_per_thread)
{
	struct winit_dataset ds = tu_quadrant_dataset(256, 4, 9);
	struct winit_model_spec s = mlp("relu", init_use("he_normal"));
	struct winit_fit_spec f = small_fit();
	struct winit_trainer here;
	fit_trainer(&here, &s, &f, &ds);
	struct thread_fit tf = { .spec = &s, .ds = &ds };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, fit_on_thread, &tf), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(here.diag.n, 8);
	same_snapshots(&here.diag, &tf.t.diag);
	winit_trainer_free(&here);
	winit_trainer_free(&tf.t);
	winit_dataset_free(&ds);
}
END_TEST

/* With a team of two threads (the validation rows' passes split between them) a run's
 * snapshots and weights are those of a run on one thread. */
START_TEST(team_changes_nothing)
{
	struct winit_dataset ds = tu_quadrant_dataset(2000, 4, 10);
	struct winit_model_spec s = mlp("relu", init_use("glorot_normal"));
	struct winit_fit_spec f = small_fit();
	f.epochs = 1;
	struct winit_trainer alone, team;
	struct winit_error err = { 0 };
	fit_trainer(&alone, &s, &f, &ds);
	struct winit_optimizer_spec o = winit_optimizer_default(WINIT_OPT_ADAM);
	ck_assert_msg(winit_trainer_init(&team, &s, &o, 99, &err) == 0, "%s", err.msg);
	team.model.team = winit_team_new(2);
	ck_assert_ptr_nonnull(team.model.team);
	ck_assert_msg(winit_trainer_fit(&team, &ds, &f, NULL, 0, NULL, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(alone.diag.snaps[1].val_rows, 400); /* early snapshots: all 400 held out */
	same_snapshots(&alone.diag, &team.diag);
	ck_assert(memcmp(alone.model.params, team.model.params,
	                 (size_t)alone.model.n_params * sizeof(float)) == 0);
	winit_team_free(team.model.team);
	team.model.team = NULL;
	winit_trainer_free(&alone);
	winit_trainer_free(&team);
	winit_dataset_free(&ds);
}
END_TEST

static Suite *diagnostics_suite(void)
{
	Suite *s = suite_create("diagnostics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, cadence_and_symmetry_of_zeros);
	tcase_add_test(tc, random_kernels_are_all_distinct);
	tcase_add_test(tc, cadence_switches);
	tcase_add_test(tc, weight_statistics_as_defined);
	tcase_add_test(tc, probe_rows_cap);
	tcase_add_test(tc, tanh_saturation);
	tcase_add_test(tc, distinct_units_tolerance);
	tcase_add_test(tc, distinct_units_as_defined);
	tcase_add_test(tc, histogram_bins);
	tcase_add_test(tc, histograms_at_initialization);
	suite_add_tcase(s, tc);
	TCase *inv = tcase_create("invariants");
	tcase_add_test(inv, bit_identical_on_and_off);
	tcase_add_test(inv, results_file_shape);
	tcase_add_test(inv, validation_accuracy_at_snapshots);
	tcase_add_test(inv, spares_and_float_rows_change_nothing);
	tcase_add_test(inv, spares_are_per_thread);
	tcase_add_test(inv, team_changes_nothing);
	suite_add_tcase(s, inv);
	return s;
}

int main(void)
{
	return tu_run(diagnostics_suite());
}
