/* tests/check_wire.c -- a run's result on the wire (src/study/wire.c): what is packed
 * comes back field for field, and a damaged message is refused with its byte. */
#include "config.h"

#include <math.h>

#include "testutil.h"

#include "study/wire.h"

static void sample(struct winit_run_result *r)
{
	memset(r, 0, sizeof *r);
	r->status = WINIT_ERR_NUMERIC;
	snprintf(r->error, sizeof r->error, "loss became NaN in epoch 2");
	r->done = 1;
	r->has_test = 1;
	r->test_loss = 0.123456789012345;
	r->test_accuracy = 0.8765;
	r->seconds = 1.5;
	r->n_train = 48000;
	r->n_val = 12000;
	r->n_test = 10000;
	r->run_seed = 0xfedcba9876543210ull; /* above 2^63: no signed detour */
	r->kernels = "avx2";
	for (int e = 1; e <= 3; e++) {
		struct winit_epoch_stats st = { .epoch = e, .epochs = 5, .loss = 1.0 / e, .accuracy = 0.1 * e, .has_val = e != 2, .val_loss = 2.0 / e, .val_accuracy = 0.2 * e, .seconds = 0.25 * e };
		ck_assert_int_eq(winit_history_append(&r->history, &st, NULL), WINIT_OK);
	}
	r->diagnostics.snaps = calloc(2, sizeof *r->diagnostics.snaps);
	ck_assert_ptr_nonnull(r->diagnostics.snaps);
	r->diagnostics.n = r->diagnostics.cap = 2;
	for (int k = 0; k < 2; k++) {
		struct winit_diag_snapshot *sn = &r->diagnostics.snaps[k];
		sn->step = 4 * k;
		sn->epoch = k;
		sn->n_layers = 2;
		sn->probe_loss = 2.25 - k;
		sn->probe_accuracy = 0.125 + 0.5 * k;
		sn->val_rows = k ? 2048 : 0;
		sn->val_loss = k ? 0.75 : NAN;
		sn->val_accuracy = k ? 0.625 : NAN;
		sn->layers = calloc(2, sizeof *sn->layers);
		ck_assert_ptr_nonnull(sn->layers);
		for (int l = 0; l < 2; l++)
			sn->layers[l] = (struct winit_diag_layer){ .pre_mean = k + 0.5 * l, .pre_var = 1.25, .update_ratio = NAN, .dead = 3 + l, .saturated_fraction = 0.125, .distinct_units = 128 - l };
	}
	/* The snapshot at initialization carries the weight histograms. */
	struct winit_diag_hist *h = r->diagnostics.snaps[0].hist = calloc(2, sizeof *h);
	ck_assert_ptr_nonnull(h);
	h[0] = (struct winit_diag_hist){ .half_width = 0.25, .declared_sd = 0.0625, .underflow = 2, .overflow = 3 };
	h[1] = (struct winit_diag_hist){ .half_width = 0, .declared_sd = NAN };
	for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++)
		h[0].count[b] = 1000 + b;
	h[1].count[WINIT_DIAG_HIST_BINS / 2] = 1280;
	r->theory.computed = r->theory.applies = 1;
	snprintf(r->theory.reason, sizeof r->theory.reason, "-");
	ck_assert_int_eq(winit_theory_alloc(&r->theory, 2), 0);
	r->theory.computed = r->theory.applies = 1;
	snprintf(r->theory.reason, sizeof r->theory.reason, "-");
	r->theory.pre_var[1] = 0.75;
	r->theory.grad_var[0] = 2e-3;
	r->divergence = (struct winit_divergence){ .epoch = 2, .step = 17, .in_params = 1, .has_last = 1, .last_loss = 0.5, .last_accuracy = 0.25 };
}

START_TEST(round_trip_keeps_every_field)
{
	struct winit_run_result a, b;
	sample(&a);
	unsigned char *buf;
	size_t len;
	uint64_t index = 0;
	ck_assert_int_eq(winit_wire_pack(41, &a, &buf, &len, NULL), WINIT_OK);
	ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, NULL), WINIT_OK);
	ck_assert_uint_eq(index, 41);
	ck_assert_int_eq(b.status, a.status);
	ck_assert_str_eq(b.error, a.error);
	ck_assert_int_eq(b.done, 1);
	ck_assert_int_eq(b.has_test, 1);
	ck_assert(b.test_loss == a.test_loss && b.test_accuracy == a.test_accuracy);
	ck_assert(b.seconds == a.seconds);
	ck_assert(b.n_train == 48000 && b.n_val == 12000 && b.n_test == 10000);
	ck_assert(b.run_seed == a.run_seed);
	ck_assert_str_eq(b.kernels, "avx2");
	ck_assert_int_eq(b.diagnostics.n, 2);
	for (int k = 0; k < 2; k++) {
		const struct winit_diag_snapshot *x = &a.diagnostics.snaps[k], *y = &b.diagnostics.snaps[k];
		ck_assert(x->step == y->step && x->epoch == y->epoch && y->n_layers == 2);
		ck_assert(y->probe_loss == x->probe_loss && y->probe_accuracy == x->probe_accuracy);
		ck_assert_int_eq(y->val_rows, k ? 2048 : 0);
		ck_assert(k ? y->val_loss == 0.75 && y->val_accuracy == 0.625 :
		              isnan(y->val_loss) && isnan(y->val_accuracy));
		for (int l = 0; l < 2; l++) {
			ck_assert(x->layers[l].pre_mean == y->layers[l].pre_mean);
			ck_assert(y->layers[l].pre_var == 1.25 && isnan(y->layers[l].update_ratio));
			ck_assert(y->layers[l].dead == 3 + l && y->layers[l].distinct_units == 128 - l);
			ck_assert(y->layers[l].saturated_fraction == 0.125);
		}
	}
	const struct winit_diag_hist *h = b.diagnostics.snaps[0].hist;
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_null(b.diagnostics.snaps[1].hist);
	ck_assert(h[0].half_width == 0.25 && h[0].declared_sd == 0.0625);
	ck_assert(h[0].underflow == 2 && h[0].overflow == 3);
	for (int k = 0; k < WINIT_DIAG_HIST_BINS; k++)
		ck_assert(h[0].count[k] == 1000 + k && h[1].count[k] == (k == WINIT_DIAG_HIST_BINS / 2) * 1280);
	ck_assert(h[1].half_width == 0 && isnan(h[1].declared_sd));
	ck_assert(b.theory.computed == 1 && b.theory.applies == 1 && b.theory.n_layers == 2);
	ck_assert(b.theory.pre_var[1] == 0.75 && b.theory.grad_var[0] == 2e-3);
	ck_assert_str_eq(b.theory.reason, "-");
	ck_assert(b.divergence.epoch == 2 && b.divergence.step == 17 && b.divergence.in_params == 1);
	ck_assert(b.divergence.has_last == 1 && b.divergence.last_loss == 0.5 &&
	          b.divergence.last_accuracy == 0.25);
	ck_assert_int_eq(b.history.n, 3);
	for (int e = 0; e < 3; e++) {
		const struct winit_epoch_stats *x = &a.history.epochs[e], *y = &b.history.epochs[e];
		ck_assert(x->epoch == y->epoch && x->epochs == y->epochs && x->has_val == y->has_val);
		ck_assert(x->loss == y->loss && x->accuracy == y->accuracy);
		ck_assert(x->val_loss == y->val_loss && x->val_accuracy == y->val_accuracy);
		ck_assert(x->seconds == y->seconds);
	}
	free(buf);
	winit_run_result_free(&a);
	winit_run_result_free(&b);
}
END_TEST

/* Every per-layer diagnostic WINIT_DIAG_LAYER_FIELDS lists crosses the wire, each with a
 * value of its own: a field added to the list travels without another line here. */
START_TEST(every_layer_diagnostic_travels)
{
	struct winit_run_result a, b;
	sample(&a);
	struct winit_diag_layer *x = &a.diagnostics.snaps[1].layers[1];
	int k = 0;
#define SET_f64(name) x->name = 0.25 + k++;
#define SET_i64(name) x->name = 7 * ++k;
#define SET(name, type, range) SET_##type(name)
	WINIT_DIAG_LAYER_FIELDS(SET)
#undef SET
#undef SET_i64
#undef SET_f64
	unsigned char *buf;
	size_t len;
	uint64_t index = 0;
	ck_assert_int_eq(winit_wire_pack(3, &a, &buf, &len, NULL), WINIT_OK);
	ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, NULL), WINIT_OK);
	const struct winit_diag_layer *y = &b.diagnostics.snaps[1].layers[1];
#define SAME(name, type, range) ck_assert_msg(x->name == y->name, "%s differs", #name);
	WINIT_DIAG_LAYER_FIELDS(SAME)
#undef SAME
	ck_assert_int_gt(k, 12);
	free(buf);
	winit_run_result_free(&a);
	winit_run_result_free(&b);
}
END_TEST

/* Every member that src/results/fields.h's tables declare (the outcome, each epoch, each
 * snapshot, the divergence) crosses the wire with a value of its own, its presence flag
 * set or not: a row added to a table travels without another line here. */
START_TEST(every_run_field_travels)
{
	for (int on = 0; on < 2; on++) {
		struct winit_run_result a, b;
		sample(&a);
		int k = 0;
		tu_fields_fill(winit_fields_status, &a, &k);
		tu_fields_fill(winit_fields_outcome, &a, &k);
		tu_fields_fill(winit_fields_divergence, &a.divergence, &k);
		for (int e = 0; e < a.history.n; e++)
			tu_fields_fill(winit_fields_epoch, &a.history.epochs[e], &k);
		for (int n = 0; n < a.diagnostics.n; n++)
			tu_fields_fill(winit_fields_snapshot, &a.diagnostics.snaps[n], &k);
		a.has_test = a.divergence.has_last = on;
		if (!on) /* a status the file calls "failed" travels as its code (resume reruns it) */
			a.status = WINIT_ERR_CANCELLED;
		a.history.epochs[1].has_val = on;
		unsigned char *buf;
		size_t len;
		uint64_t index = 0;
		ck_assert_int_eq(winit_wire_pack(3, &a, &buf, &len, NULL), WINIT_OK);
		ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, NULL), WINIT_OK);
		tu_fields_same(winit_fields_status, &a, &b, 0, "status");
		ck_assert_int_eq(b.status, a.status);
		tu_fields_same(winit_fields_outcome, &a, &b, 0, "outcome");
		tu_fields_same(winit_fields_divergence, &a.divergence, &b.divergence, 0, "divergence");
		ck_assert_int_eq(b.has_test, on);
		ck_assert_int_eq(b.divergence.has_last, on);
		ck_assert_int_eq(b.history.n, a.history.n);
		for (int e = 0; e < a.history.n; e++) {
			tu_fields_same(winit_fields_epoch, &a.history.epochs[e], &b.history.epochs[e], 0, "epoch");
			ck_assert_int_eq(b.history.epochs[e].epochs, a.history.epochs[e].epochs);
		}
		ck_assert_int_eq(b.diagnostics.n, a.diagnostics.n);
		for (int n = 0; n < a.diagnostics.n; n++)
			tu_fields_same(winit_fields_snapshot, &a.diagnostics.snaps[n], &b.diagnostics.snaps[n], 0,
			               "snapshot");
		ck_assert_int_gt(k, 2 + 4 + 5 + 3 * 6 + 2 * 7 - 1);
		free(buf);
		winit_run_result_free(&a);
		winit_run_result_free(&b);
	}
}
END_TEST

START_TEST(damaged_messages_are_refused)
{
	struct winit_run_result a, b;
	sample(&a);
	unsigned char *buf;
	size_t len;
	uint64_t index;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_wire_pack(7, &a, &buf, &len, NULL), WINIT_OK);
	/* Every truncation fails, naming a byte, and leaves nothing allocated. */
	for (size_t cut = 0; cut < len; cut++) {
		ck_assert_int_eq(winit_wire_unpack(buf, cut, &index, &b, &err), WINIT_ERR_FORMAT);
		ck_assert_ptr_null(b.history.epochs);
		ck_assert_ptr_null(b.diagnostics.snaps);
	}
	ck_assert_ptr_nonnull(strstr(err.msg, "byte"));
	buf[4] = 9; /* another version */
	ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, &err), WINIT_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "version 9"));
	buf[4] = WINIT_WIRE_VERSION;
	buf[0] ^= 0xff; /* another magic (another byte order) */
	ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, &err), WINIT_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "magic"));
	free(buf);
	winit_run_result_free(&a);
}
END_TEST

/* The run description is not on the wire: every rank builds the study's specs from the
 * script (a graph's as a chain's), and only results travel.  A graph run's whole result
 * -- every layer's diagnostics, a kind without a kernel's "not recorded" values (NaN, -1)
 * among them, the theory's prediction for every layer, the weight histograms -- crosses
 * it bit for bit, so rank 0 writes what the worker computed; every truncation of it is
 * refused. */
START_TEST(a_graph_run_travels_bit_for_bit)
{
	struct winit_dataset ds = tu_quadrant_dataset(160, 28, 3);
	struct winit_run_spec r;
	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "graph");
	tu_graph(&r.model, TU_GRAPH_CONCAT);
	r.model.layers[r.model.n_layers - 1].units = 4; /* four quadrants */
	r.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	r.fit = winit_fit_default();
	r.fit.epochs = 1;
	r.fit.batch_size = 32;
	r.fit.validation_split = 0.25;
	r.train = r.test = &ds;
	r.seed = 11;
	struct winit_run_result a, b;
	ck_assert_int_eq(winit_run_execute(&r, &a, NULL, 0), WINIT_OK);
	ck_assert_int_ge(a.diagnostics.n, 2);
	ck_assert_int_eq(a.diagnostics.snaps[0].n_layers, 5);
	ck_assert_int_eq(a.diagnostics.snaps[0].layers[3].distinct_units, -1); /* the Concatenate */
	ck_assert(isnan(a.diagnostics.snaps[0].layers[3].w_sd));
	ck_assert_int_eq(a.theory.n_layers, 5);
	unsigned char *buf;
	size_t len;
	uint64_t index = 0;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_wire_pack(5, &a, &buf, &len, NULL), WINIT_OK);
	ck_assert_int_eq(winit_wire_unpack(buf, len, &index, &b, NULL), WINIT_OK);
	ck_assert_uint_eq(index, 5);
	ck_assert_int_eq(b.status, a.status);
	ck_assert_int_eq(b.history.n, a.history.n);
	for (int e = 0; e < a.history.n; e++)
		tu_fields_same(winit_fields_epoch, &a.history.epochs[e], &b.history.epochs[e], 0, "epoch");
	tu_fields_same(winit_fields_outcome, &a, &b, 0, "outcome");
	ck_assert_int_eq(b.diagnostics.n, a.diagnostics.n);
	for (int k = 0; k < a.diagnostics.n; k++) {
		const struct winit_diag_snapshot *x = &a.diagnostics.snaps[k], *y = &b.diagnostics.snaps[k];
		tu_fields_same(winit_fields_snapshot, x, y, 0, "snapshot");
		ck_assert_int_eq(y->n_layers, x->n_layers);
		/* Doubles and int64s only: compared as bytes, NaN included. */
		ck_assert(memcmp(x->layers, y->layers, (size_t)x->n_layers * sizeof *x->layers) == 0);
		ck_assert((x->hist != NULL) == (y->hist != NULL));
		if (x->hist)
			ck_assert(memcmp(x->hist, y->hist, (size_t)x->n_layers * sizeof *x->hist) == 0);
	}
	ck_assert_ptr_nonnull(a.diagnostics.snaps[0].hist);
	ck_assert_int_eq(b.theory.applies, a.theory.applies);
	ck_assert_int_eq(b.theory.n_layers, 5);
	ck_assert(memcmp(a.theory.pre_var, b.theory.pre_var, 5 * sizeof(double)) == 0);
	ck_assert(memcmp(a.theory.grad_var, b.theory.grad_var, 5 * sizeof(double)) == 0);
	for (size_t cut = 0; cut < len; cut += 1 + cut / 8) {
		struct winit_run_result c;
		ck_assert_int_eq(winit_wire_unpack(buf, cut, &index, &c, &err), WINIT_ERR_FORMAT);
		ck_assert_ptr_null(c.diagnostics.snaps);
	}
	ck_assert_ptr_nonnull(strstr(err.msg, "byte"));
	free(buf);
	winit_run_result_free(&a);
	winit_run_result_free(&b);
	winit_model_spec_free(&r.model);
	winit_dataset_free(&ds);
}
END_TEST

START_TEST(without_mpi_the_executor_is_the_local_one)
{
	/* In a process not started by mpirun, rank 0 of 1 whatever the build. */
	ck_assert_int_eq(winit_dist_init(NULL, NULL, NULL), WINIT_OK);
	ck_assert_int_eq(winit_dist_rank(), 0);
	ck_assert_int_eq(winit_dist_size(), 1);
#ifdef WINIT_HAVE_MPI
	ck_assert_int_eq(winit_dist_built(), 1);
#else
	ck_assert_int_eq(winit_dist_built(), 0);
#endif
	winit_dist_finalize(0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, round_trip_keeps_every_field);
	tcase_add_test(tc, every_layer_diagnostic_travels);
	tcase_add_test(tc, every_run_field_travels);
	tcase_add_test(tc, a_graph_run_travels_bit_for_bit);
	tcase_add_test(tc, without_mpi_the_executor_is_the_local_one);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, damaged_messages_are_refused);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
