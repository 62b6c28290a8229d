/* tests/check_study.c -- studies as data: the executor, reproducibility, results files. */
#include <math.h>
#include <signal.h>
#include <sys/stat.h>

#include "testutil.h"

static struct winit_dataset blobs(int64_t n, uint64_t seed)
{
	/* Three classes of 16 features: class c brightens features [5c, 5c + 5). */
	struct winit_dataset ds = { 0 };
	ds.n = n;
	ds.height = 4;
	ds.width = 4;
	ds.n_features = 16;
	ds.n_classes = 3;
	ds.x = malloc((size_t)(n * 16));
	ds.y = malloc((size_t)n);
	struct winit_rng rng;
	winit_rng_seed(&rng, seed, 0);
	for (int64_t i = 0; i < n; i++) {
		int c = (int)winit_rng_below(&rng, 3);
		ds.y[i] = (uint8_t)c;
		for (int k = 0; k < 16; k++)
			ds.x[i * 16 + k] = (uint8_t)(winit_rng_below(&rng, 150) + (k / 5 == c ? 100 : 0));
	}
	return ds;
}

static struct winit_dataset train_ds, test_ds;

static void setup(void)
{
	train_ds = blobs(600, 1);
	test_ds = blobs(200, 2);
}

static void teardown(void)
{
	winit_dataset_free(&train_ds);
	winit_dataset_free(&test_ds);
}

static void make_runs(struct winit_run_spec *runs, int n)
{
	static const char *const inits[] = { "zeros", "random_normal", "glorot_normal", "he_normal" };
	for (int i = 0; i < n; i++) {
		struct winit_run_spec *r = &runs[i];
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "%s#%d", inits[i % 4], i / 4);
		snprintf(r->label, sizeof r->label, "%s", inits[i % 4]);
		r->replicate = i / 4;
		r->seed = 99;
		r->model.n_input_dims = 2;
		r->model.input_shape[0] = 4;
		r->model.input_shape[1] = 4;
		r->model.n_inputs = 16;
		tu_layers(&r->model, 2);
		r->model.layers[0] = tu_dense(12, "relu", inits[i % 4]);
		r->model.layers[1] = tu_dense(3, "softmax", "glorot_uniform");
		r->optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
		r->fit = winit_fit_default();
		r->fit.epochs = 2;
		r->fit.batch_size = 16;
		r->fit.validation_split = 0.2;
		r->train = &train_ds;
		r->test = &test_ds;
	}
}

static void assert_same(const struct winit_run_result *a, const struct winit_run_result *b)
{
	ck_assert_int_eq(a->status, b->status);
	ck_assert_int_eq(a->history.n, b->history.n);
	ck_assert(memcmp(&a->test_loss, &b->test_loss, sizeof(double)) == 0);
	ck_assert(memcmp(&a->test_accuracy, &b->test_accuracy, sizeof(double)) == 0);
	for (int e = 0; e < a->history.n; e++) {
		const struct winit_epoch_stats *x = &a->history.epochs[e], *y = &b->history.epochs[e];
		ck_assert(memcmp(&x->loss, &y->loss, sizeof(double)) == 0);
		ck_assert(memcmp(&x->val_loss, &y->val_loss, sizeof(double)) == 0);
	}
}

START_TEST(results_identical_for_any_jobs_and_order)
{
	enum { N = 6 };
	struct winit_run_spec runs[N], rev[N];
	struct winit_run_result r1[N], r2[N], r3[N];
	make_runs(runs, N);
	for (int i = 0; i < N; i++)
		rev[i] = runs[N - 1 - i];
	memset(r1, 0, sizeof r1);
	memset(r2, 0, sizeof r2);
	memset(r3, 0, sizeof r3);
	ck_assert_int_eq(winit_study_execute(runs, N, 1, r1, NULL), 0);
	ck_assert_int_eq(winit_study_execute(runs, N, 2, r2, NULL), 0);
	ck_assert_int_eq(winit_study_execute(rev, N, 3, r3, NULL), 0);
	for (int i = 0; i < N; i++) {
		assert_same(&r1[i], &r2[i]);
		assert_same(&r1[i], &r3[N - 1 - i]);
	}
	/* Replicates of one label differ (their streams differ). */
	ck_assert(r1[1].test_loss != r1[5].test_loss);
	for (int i = 0; i < N; i++) {
		winit_run_result_free(&r1[i]);
		winit_run_result_free(&r2[i]);
		winit_run_result_free(&r3[i]);
	}
}
END_TEST

START_TEST(independent_run_seed_depends_on_seed_and_name_only)
{
	struct winit_run_spec a[2];
	make_runs(a, 2);
	a[0].design = a[1].design = WINIT_DESIGN_INDEPENDENT;
	uint64_t s0 = winit_run_seed(&a[0]);
	a[0].fit.epochs = 7;
	ck_assert_uint_eq(winit_run_seed(&a[0]), s0);
	ck_assert_uint_ne(winit_run_seed(&a[1]), s0);
	a[0].replicate = 5;
	ck_assert_uint_eq(winit_run_seed(&a[0]), s0);
	a[0].seed = 100;
	ck_assert_uint_ne(winit_run_seed(&a[0]), s0);
}
END_TEST

static int same_floats(const float *a, const float *b, int64_t n)
{
	return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

/* The order of 200 rows as the trainer's shuffle stream draws it for epoch 1. */
static void first_shuffle(struct winit_trainer *t, uint32_t *idx)
{
	for (uint32_t i = 0; i < 200; i++)
		idx[i] = i;
	winit_rng_shuffle_u32(&t->shuffle, idx, 200);
}

/* Paired design (the default): replicate r of two conditions that differ only in the
 * first layer's initializer shares the shuffle order and the untouched output layer;
 * another replicate, or the independent design, does not. */
START_TEST(paired_design_shares_what_conditions_do_not_vary)
{
	enum { N = 8 };
	struct winit_run_spec runs[N];
	make_runs(runs, N); /* 2: glorot_normal r0, 3: he_normal r0, 7: he_normal r1 */
	ck_assert_uint_eq(winit_run_seed(&runs[2]), winit_run_seed(&runs[3]));
	ck_assert_uint_ne(winit_run_seed(&runs[3]), winit_run_seed(&runs[7]));
	struct winit_trainer t[3];
	const int which[3] = { 2, 3, 7 };
	struct winit_error err = { 0 };
	uint32_t order[3][200];
	for (int k = 0; k < 3; k++) {
		const struct winit_run_spec *r = &runs[which[k]];
		ck_assert_msg(winit_trainer_init(&t[k], &r->model, &r->optimizer, winit_run_seed(r), &err) == 0,
		              "%s", err.msg);
		first_shuffle(&t[k], order[k]);
	}
	const struct winit_layer *g = t[0].model.layer, *h = t[1].model.layer, *h1 = t[2].model.layer;
	int64_t n_out = g[1].n_in * g[1].n_out, n_hid = g[0].n_in * g[0].n_out;
	ck_assert(same_floats(g[1].w, h[1].w, n_out));  /* output kernel: equal */
	ck_assert(!same_floats(g[0].w, h[0].w, n_hid)); /* the layer under study: not */
	ck_assert(memcmp(order[0], order[1], sizeof order[0]) == 0);
	ck_assert(!same_floats(h[1].w, h1[1].w, n_out)); /* another replicate */
	ck_assert(memcmp(order[1], order[2], sizeof order[1]) != 0);
	for (int k = 0; k < 3; k++)
		winit_trainer_free(&t[k]);

	/* Independent seeds: the same two conditions share nothing. */
	for (int k = 0; k < 2; k++) {
		struct winit_run_spec *r = &runs[which[k]];
		r->design = WINIT_DESIGN_INDEPENDENT;
		ck_assert_int_eq(winit_trainer_init(&t[k], &r->model, &r->optimizer, winit_run_seed(r), &err), 0);
		first_shuffle(&t[k], order[k]);
	}
	ck_assert(!same_floats(t[0].model.layer[1].w, t[1].model.layer[1].w, n_out));
	ck_assert(memcmp(order[0], order[1], sizeof order[0]) != 0);
	for (int k = 0; k < 2; k++)
		winit_trainer_free(&t[k]);
}
END_TEST

START_TEST(zeros_run_learns_only_the_prior)
{
	struct winit_run_spec run;
	struct winit_run_result res;
	make_runs(&run, 1);
	ck_assert_int_eq(winit_run_execute(&run, &res, NULL, 0), 0);
	/* The zero hidden layer outputs 0, so every prediction is the same class. */
	int counts[3] = { 0 };
	for (int64_t i = 0; i < test_ds.n; i++)
		counts[test_ds.y[i]]++;
	int best = counts[0] > counts[1] ? (counts[0] > counts[2] ? 0 : 2) : (counts[1] > counts[2] ? 1 : 2);
	double acc[3] = { counts[0] / 200.0, counts[1] / 200.0, counts[2] / 200.0 };
	int match = 0;
	for (int c = 0; c < 3; c++)
		match |= fabs(res.test_accuracy - acc[c]) < 1e-12;
	ck_assert_msg(match, "accuracy %g is not a single class's share (largest %g)", res.test_accuracy,
	              acc[best]);
	winit_run_result_free(&res);
}
END_TEST

/* A failing run does not take the others down, and its message says why. */
START_TEST(failed_run_is_reported_and_others_finish)
{
	struct winit_run_spec runs[3];
	struct winit_run_result res[3];
	memset(res, 0, sizeof res);
	make_runs(runs, 3);
	runs[1].model.n_inputs = 17; /* does not match the data */
	ck_assert_int_eq(winit_study_execute(runs, 3, 2, res, NULL), 1);
	ck_assert_int_eq(res[0].status, 0);
	ck_assert_int_eq(res[2].status, 0);
	ck_assert_int_eq(res[1].status, WINIT_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(res[1].error, "17 inputs"));
	ck_assert(res[0].done && res[1].done && res[2].done);
	for (int i = 0; i < 3; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

/* Requests a stop after a given step of epoch 2, as a signal handler would. */
static void stop_at(void *ctx, size_t run, int32_t epoch, int64_t step, int64_t steps,
                    double loss, double acc)
{
	(void)run;
	(void)steps;
	(void)loss;
	(void)acc;
	if (epoch == 2 && step == *(int64_t *)ctx)
		winit_cancel(SIGTERM);
}

START_TEST(cancel_keeps_finished_runs)
{
	struct winit_run_spec runs[3];
	struct winit_run_result res[3];
	memset(res, 0, sizeof res);
	make_runs(runs, 3);
	winit_cancel_reset();
	int64_t at = 3;
	struct winit_observer obs = { .ctx = &at, .batch_end = stop_at };
	ck_assert_int_eq(winit_run_execute(&runs[0], &res[0], NULL, 0), 0);
	/* The stop is seen before the next step, whoever observes or prints. */
	ck_assert_int_eq(winit_run_execute(&runs[1], &res[1], &obs, 1), WINIT_ERR_CANCELLED);
	ck_assert_int_eq(winit_cancelled(), SIGTERM);
	ck_assert_int_eq(res[0].status, 0);
	ck_assert(res[0].has_test);
	ck_assert_str_eq(res[1].error, "training interrupted in epoch 2, step 4");
	ck_assert_int_eq(res[1].history.n, 1); /* the finished epoch is kept */
	/* Once stopped, the executor starts no run; done runs are never redone. */
	double keep = res[0].test_loss;
	ck_assert_int_eq(winit_study_execute(runs, 3, 1, res, NULL), 0);
	ck_assert(res[0].test_loss == keep);
	ck_assert_int_eq(res[2].done, 0);
	winit_cancel_reset();
	ck_assert_int_eq(winit_cancelled(), 0);
	for (int i = 0; i < 3; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

/* An exploding run: random_normal{stddev = 100} trained by SGD with learning rate 1e10. */
static void make_exploding(struct winit_run_spec *r)
{
	static const char *const names[] = { "stddev" };
	static const double values[] = { 100 };
	r->model.layers[0].kernel_initializer =
		tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, names, values);
	r->optimizer = winit_optimizer_default(WINIT_OPT_SGD);
	r->optimizer.learning_rate = 1e10;
}

static char *slurp(const char *path);

START_TEST(divergence_stops_the_run_and_the_study_goes_on)
{
	enum { N = 3 };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	memset(res, 0, sizeof res);
	make_runs(runs, N);
	for (int i = 0; i < N; i++) /* the per-name seeds these explosions were found with */
		runs[i].design = WINIT_DESIGN_INDEPENDENT;
	make_exploding(&runs[1]);
	runs[2].optimizer.learning_rate = 1e20; /* Adam */
	runs[2].model.layers[0].kernel_initializer = runs[1].model.layers[0].kernel_initializer;
	ck_assert_int_eq(winit_study_execute(runs, N, 2, res, NULL), 2);
	ck_assert_int_eq(res[0].status, 0);
	ck_assert(res[0].has_test);
	for (int i = 1; i < N; i++) {
		const struct winit_run_result *r = &res[i];
		ck_assert_int_eq(r->status, WINIT_ERR_DIVERGED);
		ck_assert(!r->has_test);
		/* Found at the step it happened, in the first epoch (30 steps each). */
		ck_assert_int_eq(r->divergence.epoch, 1);
		ck_assert(r->divergence.step >= 1 && r->divergence.step <= 30);
		ck_assert_int_eq(r->history.n, 0);
		ck_assert_msg(strstr(r->error, "training diverged in epoch 1, step "), "%s", r->error);
		if (r->divergence.has_last)
			ck_assert(isfinite(r->divergence.last_loss));
	}
	/* The same divergence, at the same step, for any number of jobs. */
	struct winit_run_result again;
	ck_assert_int_eq(winit_run_execute(&runs[1], &again, NULL, 1), WINIT_ERR_DIVERGED);
	ck_assert_int_eq(again.divergence.step, res[1].divergence.step);
	winit_run_result_free(&again);

	char path[512];
	snprintf(path, sizeof path, "%s/diverged.json", tu_tmpdir());
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 99, runs, res, N, &err) == 0, "%s", err.msg);
	const char *s = slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "\"status\": \"diverged\""));
	ck_assert_ptr_nonnull(strstr(s, "\"diverged\": {"));
	ck_assert_ptr_nonnull(strstr(s, "\"status\": \"ok\""));

	snprintf(path, sizeof path, "%s/diverged.txt", tu_tmpdir());
	FILE *f = fopen(path, "w+");
	winit_results_print_table(f, runs, res, N);
	fclose(f);
	s = slurp(path);
	ck_assert_msg(strstr(s, "\nrandom_normal diverged\n"), "%s", s);
	ck_assert_msg(strstr(s, "2 runs diverged"), "%s", s);
	ck_assert_ptr_null(strstr(s, "nan"));
	for (int i = 0; i < N; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

/* A last step that overflows the weights while its loss was still finite is caught at the
 * epoch's end, in the parameters. */
START_TEST(divergence_in_the_weights_is_caught_at_epoch_end)
{
	struct winit_run_spec run;
	make_runs(&run, 1);
	static const char *const names[] = { "stddev" };
	static const double values[] = { 1e4 };
	run.model.layers[0].kernel_initializer =
		tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, names, values);
	run.optimizer = winit_optimizer_default(WINIT_OPT_SGD);
	run.optimizer.learning_rate = 1e38; /* times gradients ~1e4: beyond float */
	run.fit.epochs = 1;
	run.fit.batch_size = 480; /* the whole training part: one step */
	struct winit_run_result res;
	ck_assert_int_eq(winit_run_execute(&run, &res, NULL, 0), WINIT_ERR_DIVERGED);
	ck_assert_int_eq(res.divergence.in_params, 1);
	ck_assert_int_eq(res.divergence.epoch, 1);
	ck_assert_int_eq(res.divergence.step, 1);
	ck_assert(res.divergence.has_last && isfinite(res.divergence.last_loss));
	ck_assert_msg(strstr(res.error, "after the epoch's last step"), "%s", res.error);
	winit_run_result_free(&res);
}
END_TEST

/* Replicates of which one diverged: the statistics use the others and say so. */
START_TEST(table_leaves_diverged_replicates_out)
{
	enum { N = 8 };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	memset(res, 0, sizeof res);
	make_runs(runs, N);
	for (int i = 0; i < N; i++) /* the per-name seeds this explosion was found with */
		runs[i].design = WINIT_DESIGN_INDEPENDENT;
	make_exploding(&runs[7]); /* he_normal#1 */
	ck_assert_int_eq(winit_study_execute(runs, N, 2, res, NULL), 1);
	ck_assert_int_eq(res[7].status, WINIT_ERR_DIVERGED);
	char path[512];
	snprintf(path, sizeof path, "%s/table-div.txt", tu_tmpdir());
	FILE *f = fopen(path, "w+");
	winit_results_print_table(f, runs, res, N);
	fclose(f);
	const char *s = slurp(path);
	char want[128];
	snprintf(want, sizeof want, "he_normal        1 %.4f   0.0000", res[3].test_accuracy);
	ck_assert_msg(strstr(s, want), "no '%s' in:\n%s", want, s);
	ck_assert_msg(strstr(s, "(some runs diverged)"), "%s", s);
	ck_assert_msg(strstr(s, "1 run diverged"), "%s", s);
	for (int i = 0; i < N; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(results_file_has_format_version_and_runs)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	memset(res, 0, sizeof res);
	make_runs(runs, 2);
	ck_assert_int_eq(winit_study_execute(runs, 2, 1, res, NULL), 0);
	res[1].history.epochs[0].loss = NAN; /* written as null, not as an invalid token */
	char path[512];
	snprintf(path, sizeof path, "%s/sub/dir/results.json", tu_tmpdir());
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 99, runs, res, 2, &err) == 0, "%s", err.msg);
	const char *s = slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "\"format\": \"winit-results\""));
	ck_assert_ptr_nonnull(strstr(s, "\"version\": 2"));
	ck_assert_ptr_nonnull(strstr(s, "\"name\": \"random_normal#0\""));
	ck_assert_ptr_nonnull(strstr(s, "\"kernel_initializer\""));
	ck_assert_ptr_nonnull(strstr(s, "\"stddev\": 0.05"));
	ck_assert_ptr_nonnull(strstr(s, "\"validation_split\": 0.2"));
	ck_assert_ptr_nonnull(strstr(s, "\"loss\": null"));
	ck_assert_ptr_null(strstr(s, "nan"));
	ck_assert_ptr_nonnull(strstr(s, "\"test_accuracy\""));
	/* No temporary file is left behind. */
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	struct stat st;
	ck_assert_int_ne(stat(tmp, &st), 0);
	for (int i = 0; i < 2; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

/* write_csv: a directory it cannot create is an error naming it; nothing is half written. */
START_TEST(csv_errors_name_the_directory)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	memset(res, 0, sizeof res);
	make_runs(runs, 1);
	char path[512], bad[600], ok[600], file[700];
	snprintf(path, sizeof path, "%s/file", tu_tmpdir());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(bad, sizeof bad, "%s/csv", path); /* below a file */
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_results_write_csv(bad, runs, res, 1, NULL, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, bad) != NULL, "%s", err.msg);
	/* A writable directory gets both files, headers included, even with no finished run. */
	snprintf(ok, sizeof ok, "%s/ok", tu_tmpdir());
	ck_assert_msg(winit_results_write_csv(ok, runs, res, 1, NULL, &err) == 0, "%s", err.msg);
	snprintf(file, sizeof file, "%s/summary.csv", ok);
	ck_assert_ptr_nonnull(strstr(slurp(file), "label,n,failed,test_accuracy_mean"));
	snprintf(file, sizeof file, "%s/runs.csv", ok);
	ck_assert_ptr_nonnull(strstr(slurp(file), "run,label,replicate,design"));
}
END_TEST

START_TEST(results_file_reads_back_exactly)
{
	/* What the writer saves, the reader returns to the last bit: the base of resume. */
	struct winit_run_spec runs[4];
	struct winit_run_result res[4];
	memset(res, 0, sizeof res);
	make_runs(runs, 4);
	ck_assert_int_eq(winit_study_execute(runs, 4, 2, res, NULL), 0);
	res[3].done = 0; /* not run: not in the file */
	res[2].history.epochs[0].val_loss = NAN;
	char path[512];
	snprintf(path, sizeof path, "%s/back.json", tu_tmpdir());
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 99, runs, res, 4, &err) == 0, "%s", err.msg);
	struct winit_report_study r;
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r.study, "unit");
	ck_assert_uint_eq(r.seed, 99);
	ck_assert_uint_eq(r.n_runs, 3);
	for (size_t i = 0; i < r.n_runs; i++) {
		const struct winit_report_run *x = &r.runs[i];
		ck_assert_str_eq(x->name, runs[i].name);
		ck_assert_str_eq(x->label, runs[i].label);
		ck_assert(x->run_seed == res[i].run_seed);
		ck_assert(x->run_seed == winit_run_seed(&runs[i]));
		ck_assert_uint_eq(x->n_layers, 2);
		ck_assert_int_eq(x->layers[0].units, 12);
		ck_assert_str_eq(x->layers[0].kernel_initializer.name, runs[i].model.layers[0].kernel_initializer.info->name);
		ck_assert_int_eq(x->epochs, runs[i].fit.epochs);
		ck_assert_uint_eq(x->n_epochs, (size_t)res[i].history.n);
		for (size_t e = 0; e < x->n_epochs; e++) {
			ck_assert(x->history[e].loss == res[i].history.epochs[e].loss);
			ck_assert(x->history[e].accuracy == res[i].history.epochs[e].accuracy);
			if (i == 2 && e == 0)
				ck_assert(isnan(x->history[e].val_loss)); /* written as null */
			else
				ck_assert(x->history[e].val_loss == res[i].history.epochs[e].val_loss);
		}
		ck_assert(x->test_accuracy == res[i].test_accuracy);
		ck_assert(x->test_loss == res[i].test_loss);
		ck_assert_int_eq(x->n_train, res[i].n_train);
	}
	ck_assert_str_eq(r.runs[1].layers[0].kernel_initializer.params[1].name, "stddev");
	ck_assert(r.runs[1].layers[0].kernel_initializer.params[1].value == 0.05);
	winit_report_free(&r);
	for (int i = 0; i < 4; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

START_TEST(results_file_errors_name_the_path)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	memset(res, 0, sizeof res);
	make_runs(runs, 1);
	struct winit_error err = { 0 };
	char path[512];
	snprintf(path, sizeof path, "%s/file", tu_tmpdir());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	char bad[600];
	snprintf(bad, sizeof bad, "%s/below/results.json", path); /* parent is a file */
	ck_assert_int_eq(winit_results_write_json(bad, "x", 1, runs, res, 1, &err), WINIT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
}
END_TEST

/* The table of runs (N of them, make_runs's labels) printed with opts, as a string. */
static const char *table_of(struct winit_run_spec *runs, int n, int design,
                            const struct winit_table_opts *opts)
{
	struct winit_run_result *res = calloc((size_t)n, sizeof *res);
	for (int i = 0; i < n; i++)
		runs[i].design = design;
	ck_assert_int_eq(winit_study_execute(runs, (size_t)n, 2, res, NULL), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/table.txt", tu_tmpdir());
	FILE *f = fopen(path, "w+");
	winit_results_print_table_opts(f, runs, res, (size_t)n, opts);
	fclose(f);
	for (int i = 0; i < n; i++)
		winit_run_result_free(&res[i]);
	free(res);
	return slurp(path);
}

/* Two replicates: intervals, differences, and no p-value but the reason. */
START_TEST(table_shows_intervals_and_no_p_value_below_three)
{
	struct winit_run_spec runs[8];
	make_runs(runs, 8);
	const char *s = table_of(runs, 8, WINIT_DESIGN_PAIRED, NULL);
	ck_assert_msg(strstr(s, "he_normal        2 0.") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "95% CI") && strstr(s, "Against zeros"), "%s", s);
	ck_assert_msg(strstr(s, "no p-value: 2 and 2 replicates; a test needs 3 or more") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "Holm-Bonferroni") == NULL, "%s", s); /* no p-values, no family */
}
END_TEST

/* Three replicates: a paired test against the named baseline, Holm-adjusted; the
 * independent design uses Welch's test. */
START_TEST(table_compares_with_the_named_baseline)
{
	struct winit_run_spec runs[12];
	make_runs(runs, 12);
	struct winit_table_opts opts = { .baseline = "glorot_normal", .target = 0.2 };
	const char *s = table_of(runs, 12, WINIT_DESIGN_PAIRED, &opts);
	ck_assert_msg(strstr(s, "Learning speed") && strstr(s, "epochs_to_0.2 (runs reaching it)"), "%s", s);
	ck_assert_msg(strstr(s, "(3 of 3)") != NULL, "%s", s);
	ck_assert_msg(strstr(s, "Against glorot_normal") && strstr(s, "paired t-test"), "%s", s);
	ck_assert_msg(strstr(s, "Holm-Bonferroni adjusted over these 3 comparisons"), "%s", s);
	ck_assert_msg(strstr(s, "  zeros ") && strstr(s, "d_z"), "%s", s);
	ck_assert_msg(strstr(s, "no p-value: 3") == NULL, "%s", s);
	s = table_of(runs, 12, WINIT_DESIGN_INDEPENDENT, &opts);
	ck_assert_msg(strstr(s, "Welch") && strstr(s, "cohen_d"), "%s", s);
	opts.baseline = "random_normal"; /* the second condition: c[1] is the baseline itself */
	s = table_of(runs, 12, WINIT_DESIGN_PAIRED, &opts);
	ck_assert_msg(strstr(s, "Against random_normal (") && strstr(s, "  glorot_normal "), "%s", s);
	opts.baseline = "nonesuch";
	s = table_of(runs, 12, WINIT_DESIGN_PAIRED, &opts);
	ck_assert_msg(strstr(s, "baseline 'nonesuch' is not a condition") && strstr(s, "Against zeros"), "%s", s);
}
END_TEST

/* Regression: replicates are runs sharing a label, even when no run sets `replicate`
 * (the table used to print the last run of each label and call the study unreplicated). */
START_TEST(table_groups_replicates_by_label_alone)
{
	enum { N = 8 };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	memset(res, 0, sizeof res);
	make_runs(runs, N);
	for (int i = 0; i < N; i++)
		runs[i].replicate = 0;
	ck_assert_int_eq(winit_study_execute(runs, N, 2, res, NULL), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/table0.txt", tu_tmpdir());
	FILE *f = fopen(path, "w+");
	winit_results_print_table(f, runs, res, N);
	fclose(f);
	const char *s = slurp(path);
	ck_assert_msg(strstr(s, "    2 ") != NULL, "two runs per label expected:\n%s", s);
	ck_assert_msg(strstr(s, "cannot rank") == NULL, "replicates called a single run:\n%s", s);
	/* One run per label: the learning-speed columns of each run. */
	struct winit_table_opts opts = { .target = 0.2 };
	s = table_of(runs, 4, WINIT_DESIGN_PAIRED, &opts);
	ck_assert_msg(strstr(s, "best_ep  val_auc ep_to_0.2") && strstr(s, "cannot rank"), "%s", s);
	for (int i = 0; i < N; i++)
		winit_run_result_free(&res[i]);
}
END_TEST

/* Feed the stopper one monitored value per epoch; returns the epoch it stopped after (0:
 * none). */
static int32_t stop_epoch(const struct winit_early_stopping *e, const double *v, int n,
                          float *params, const float *per_epoch)
{
	struct winit_early_stopper s;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_early_stopper_init(&s, e, 1, NULL, &err), WINIT_OK);
	int stop = 0;
	for (int i = 0; i < n && !stop; i++) {
		struct winit_epoch_stats st = { .epoch = i + 1, .has_val = 1 };
		st.val_loss = st.val_accuracy = v[i];
		if (params)
			params[0] = per_epoch[i];
		ck_assert_int_eq(winit_early_stopper_epoch_end(&s, &st, params, &stop, &err), WINIT_OK);
	}
	int32_t at = s.stopped_epoch;
	winit_early_stopper_free(&s);
	return at;
}

/* Keras's EarlyStopping, epoch by epoch: patience counts epochs without an improvement by
 * more than min_delta, it never stops after the first epoch, a baseline not beaten keeps
 * the count going, and restore_best_weights puts back the best epoch's parameters. */
START_TEST(early_stopping_follows_keras)
{
	struct winit_early_stopping e = winit_early_stopping_default();
	const double falling_then_flat[] = { 1.0, 0.9, 0.95, 0.96, 0.8 };
	e.patience = 2;
	ck_assert_int_eq(stop_epoch(&e, falling_then_flat, 5, NULL, NULL), 4);
	e.patience = 0; /* Keras: stops after the second epoch, whatever it was */
	ck_assert_int_eq(stop_epoch(&e, falling_then_flat, 5, NULL, NULL), 2);
	e.patience = 1;
	e.min_delta = -0.2; /* its absolute value: 0.9 is no improvement on 1.0 */
	ck_assert_int_eq(stop_epoch(&e, falling_then_flat, 5, NULL, NULL), 2);
	e.min_delta = 0.05;
	ck_assert_int_eq(stop_epoch(&e, falling_then_flat, 5, NULL, NULL), 3);
	/* val_accuracy goes up ("auto"); a baseline of 0.9 is never beaten */
	struct winit_early_stopping a = winit_early_stopping_default();
	const double rising[] = { 0.5, 0.6, 0.7, 0.8 };
	a.monitor = WINIT_MONITOR_VAL_ACCURACY;
	a.patience = 1;
	ck_assert_int_eq(stop_epoch(&a, rising, 4, NULL, NULL), 0);
	a.has_baseline = 1;
	a.baseline = 0.9;
	ck_assert_int_eq(stop_epoch(&a, rising, 4, NULL, NULL), 2);
	a.mode = WINIT_MODE_MIN; /* down counts: only the first epoch improves */
	a.has_baseline = 0;
	a.restore_best_weights = 1;
	float p[1];
	const float w[] = { 10, 20, 30, 40 };
	ck_assert_int_eq(stop_epoch(&a, rising, 4, p, w), 2);
	ck_assert(p[0] == 10); /* the first epoch's */
	/* a validation monitor without validation, and bad values, are errors */
	struct winit_early_stopper s;
	struct winit_error err = { 0 };
	int stop = 0;
	struct winit_epoch_stats nv = { .epoch = 1 };
	ck_assert_int_eq(winit_early_stopper_init(&s, &e, 1, NULL, &err), WINIT_OK);
	ck_assert_int_eq(winit_early_stopper_epoch_end(&s, &nv, NULL, &stop, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "monitor 'val_loss' is not available") != NULL, "%s", err.msg);
	winit_early_stopper_free(&s);
	e.patience = -1;
	ck_assert_int_eq(winit_early_stopping_check(&e, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "patience must be >= 0") != NULL, "%s", err.msg);
}
END_TEST

/* A run's spec carries a learning-rate schedule and an early stopping, applied by the
 * engine's fit: the run stops at Keras's epoch and its numbers follow the schedule. */
START_TEST(run_spec_schedule_and_early_stopping)
{
	struct winit_run_spec r[3];
	struct winit_run_result res[3];
	make_runs(r, 3);
	for (int i = 0; i < 3; i++) {
		r[i].model.layers[0] = tu_dense(12, "relu", "he_normal");
		r[i].fit.epochs = 6;
		r[i].optimizer.learning_rate = 0.02;
	}
	r[1].optimizer.schedule = (struct winit_lr_schedule){ .kind = WINIT_LR_COSINE_DECAY,
		                                              .initial_learning_rate = 0.02,
		                                              .decay_steps = 30 };
	r[2].fit.early_stopping = winit_early_stopping_default();
	r[2].fit.early_stopping.monitor = WINIT_MONITOR_LOSS;
	r[2].fit.early_stopping.min_delta = 10; /* nothing improves that much */
	r[2].fit.early_stopping.patience = 0;
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(winit_run_execute(&r[i], &res[i], NULL, (size_t)i), WINIT_OK);
	ck_assert_int_eq(res[0].history.n, 6);
	ck_assert_int_eq(res[1].history.n, 6);
	ck_assert_int_eq(res[2].history.n, 2); /* Keras: never after the first epoch */
	/* the schedule changed the numbers: the same run seed without it differs */
	struct winit_run_spec plain = r[1];
	struct winit_run_result pr;
	plain.optimizer.schedule.kind = WINIT_LR_CONSTANT;
	ck_assert_int_eq(winit_run_execute(&plain, &pr, NULL, 0), WINIT_OK);
	ck_assert(pr.history.epochs[5].loss != res[1].history.epochs[5].loss);
	/* ... and rerunning it gives the same bits */
	struct winit_run_result again;
	ck_assert_int_eq(winit_run_execute(&r[1], &again, NULL, 0), WINIT_OK);
	assert_same(&res[1], &again);
	winit_run_result_free(&pr);
	winit_run_result_free(&again);
	for (int i = 0; i < 3; i++)
		winit_run_result_free(&res[i]);
	/* a bad schedule or early stopping is refused when the run is added */
	struct winit_study st;
	struct winit_error err = { 0 };
	winit_study_init(&st, "s", 1, WINIT_DESIGN_PAIRED, 0);
	r[1].optimizer.schedule.decay_steps = 0;
	ck_assert_int_eq(winit_study_add(&st, &r[1], &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "decay_steps must be > 0") != NULL, "%s", err.msg);
	r[2].fit.early_stopping.mode = 7;
	ck_assert_int_eq(winit_study_add(&st, &r[2], &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "run 'glorot_normal#0': EarlyStopping: mode") != NULL, "%s", err.msg);
	winit_study_free(&st);
}
END_TEST

/* A grid's build: the cell's first factor is the hidden layer's initializer. */
static int build_cell(void *ctx, const struct winit_grid_run *cell, struct winit_run_spec *run,
                      struct winit_error *err)
{
	(void)err;
	make_runs(run, 1);
	run->seed = 5;
	run->model.layers[0] = tu_dense(12, "relu", cell->factors[0].value);
	(*(int *)ctx)++;
	return WINIT_OK;
}

/* The engine expands a grid: every combination of levels, the last factor fastest, each
 * cell's replicates together; labels join the levels with " / ", names add "#r". */
START_TEST(grid_expansion_order_labels_and_cells)
{
	static const char *const inits[] = { "he_normal", "glorot_normal", "zeros" };
	static const char *const widths[] = { "16", "32" };
	struct winit_grid g = { .n_factors = 2, .replicates = 2 };
	snprintf(g.factors[0].name, sizeof g.factors[0].name, "init");
	g.factors[0].n_levels = 3;
	g.factors[0].levels = inits;
	snprintf(g.factors[1].name, sizeof g.factors[1].name, "width");
	g.factors[1].n_levels = 2;
	g.factors[1].levels = widths;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_grid_check(&g, &err), WINIT_OK);
	ck_assert_uint_eq(winit_grid_size(&g), 12);
	static const char *const want[] = { "he_normal / 16#1", "he_normal / 16#2", "he_normal / 32#1",
		                            "he_normal / 32#2", "glorot_normal / 16#1", "glorot_normal / 16#2",
		                            "glorot_normal / 32#1", "glorot_normal / 32#2", "zeros / 16#1",
		                            "zeros / 16#2", "zeros / 32#1", "zeros / 32#2" };
	struct winit_grid_run run;
	for (size_t i = 0; i < 12; i++) {
		ck_assert_int_eq(winit_grid_run_at(&g, i, &run, &err), WINIT_OK);
		ck_assert_str_eq(run.name, want[i]);
		ck_assert_int_eq(run.replicate, (int)(i % 2));
		ck_assert_int_eq(run.at[0], (int)(i / 4));
		ck_assert_int_eq(run.at[1], (int)(i / 2 % 2));
		ck_assert_int_eq(run.n_factors, 2);
		ck_assert_str_eq(run.factors[1].name, "width");
		ck_assert_str_eq(run.factors[1].value, widths[i / 2 % 2]);
	}
	ck_assert_str_eq(run.label, "zeros / 32");
	ck_assert_int_eq(winit_grid_run_at(&g, 12, &run, &err), WINIT_ERR_ARG);
	/* into a study: built per run, named, labelled and numbered by the engine */
	struct winit_study st;
	int built = 0;
	winit_study_init(&st, "grid", 5, WINIT_DESIGN_PAIRED, 0);
	ck_assert_int_eq(winit_study_add_grid(&st, &g, build_cell, &built, &err), WINIT_OK);
	ck_assert_int_eq(built, 12);
	ck_assert_uint_eq(st.n, 12);
	ck_assert_str_eq(st.runs[5].name, "glorot_normal / 16#2");
	ck_assert_str_eq(st.runs[5].label, "glorot_normal / 16");
	ck_assert_int_eq(st.runs[5].replicate, 1);
	ck_assert_str_eq(st.runs[5].factors[0].value, "glorot_normal");
	ck_assert_str_eq(st.runs[5].model.layers[0].kernel_initializer.info->name, "glorot_normal");
	winit_study_free(&st);
	/* refusals: two levels of one name, no levels, a label too long */
	static const char *const twice[] = { "zeros", "zeros" };
	g.factors[0].levels = twice;
	g.factors[0].n_levels = 2;
	ck_assert_int_eq(winit_grid_check(&g, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "factor 'init' has two levels named 'zeros'") != NULL, "%s", err.msg);
	g.factors[0].n_levels = 0;
	ck_assert_int_eq(winit_grid_check(&g, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "factor 'init' needs a non-empty list of levels") != NULL, "%s", err.msg);
	static const char *const long_level[] = { "a123456789012345678901234567890123456789012345678901234567890" };
	g.n_factors = 3;
	g.factors[0].n_levels = 1;
	g.factors[0].levels = long_level;
	g.factors[2] = g.factors[0];
	snprintf(g.factors[2].name, sizeof g.factors[2].name, "other");
	ck_assert_int_eq(winit_grid_check(&g, &err), WINIT_OK);
	ck_assert_int_eq(winit_grid_run_at(&g, 0, &run, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "is longer than 127 characters") != NULL, "%s", err.msg);
}
END_TEST

static Suite *study_suite(void)
{
	Suite *s = suite_create("study");
	TCase *tc = tcase_create("executor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, results_identical_for_any_jobs_and_order);
	tcase_add_test(tc, independent_run_seed_depends_on_seed_and_name_only);
	tcase_add_test(tc, paired_design_shares_what_conditions_do_not_vary);
	tcase_add_test(tc, zeros_run_learns_only_the_prior);
	tcase_add_test(tc, failed_run_is_reported_and_others_finish);
	tcase_add_test(tc, cancel_keeps_finished_runs);
	tcase_add_test(tc, divergence_stops_the_run_and_the_study_goes_on);
	tcase_add_test(tc, table_leaves_diverged_replicates_out);
	tcase_add_test(tc, early_stopping_follows_keras);
	tcase_add_test(tc, run_spec_schedule_and_early_stopping);
	tcase_add_test(tc, grid_expansion_order_labels_and_cells);
	tcase_add_test(tc, divergence_in_the_weights_is_caught_at_epoch_end);
	suite_add_tcase(s, tc);
	tc = tcase_create("results");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, results_file_has_format_version_and_runs);
	tcase_add_test(tc, results_file_reads_back_exactly);
	tcase_add_test(tc, results_file_errors_name_the_path);
	tcase_add_test(tc, csv_errors_name_the_directory);
	tcase_add_test(tc, table_shows_intervals_and_no_p_value_below_three);
	tcase_add_test(tc, table_compares_with_the_named_baseline);
	tcase_add_test(tc, table_groups_replicates_by_label_alone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(study_suite());
}
