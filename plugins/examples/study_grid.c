/* study_grid.c -- a grid study from C, with nothing but libwinit: the first layer's
 * kernel initializer (glorot_normal, he_normal) crossed with the learning-rate schedule
 * (ExponentialDecay, CosineDecay), two replicates per cell, each run stopping early
 * (Keras's EarlyStopping on val_loss, patience 1, the best epoch's weights restored), on
 * generated data, saved to a results file that `winit report` reads like any other.
 *
 *   cc $(pkg-config --cflags winit) study_grid.c -o study_grid $(pkg-config --libs winit)
 *   ./study_grid results.json [--resume]
 *
 * The engine expands the grid (winit_study_add_grid: the order, the labels
 * "he_normal / cosine", the names, the cells in the results file); the schedule and the
 * early stopping are part of each run's description, so the file records them, resume
 * compares them, and every number depends only on the study seed and the replicate
 * (tests/c_study.sh checks it). */
#include <stdio.h>
#include <string.h>

#include <winit/winit.h>

struct setup {
	const struct winit_registry *reg;
	const struct winit_dataset *train, *test;
};

/* A Dense layer with Keras's defaults: bias on, zeros for the bias. */
static int dense(struct winit_layer_spec *l, const struct winit_registry *reg, int64_t units,
                 const char *activation, const char *kernel_init, struct winit_error *err)
{
	const char *names[3] = { activation, kernel_init, "zeros" };
	const uint32_t kinds[3] = { WINIT_KIND_ACTIVATION, WINIT_KIND_INITIALIZER,
		                    WINIT_KIND_INITIALIZER };
	struct winit_plugin_use *uses[3] = { &l->activation, &l->kernel_initializer,
		                             &l->bias_initializer };
	memset(l, 0, sizeof *l);
	l->units = units;
	l->use_bias = 1;
	for (int k = 0; k < 3; k++) {
		const struct winit_plugin_entry *e = winit_registry_find(reg, kinds[k], names[k]);
		if (!e)
			return winit_error_set(err, WINIT_ERR_PLUGIN, "no plugin '%s' (search path %s)",
			                       names[k], winit_registry_search_path(reg));
		int rc = winit_params_resolve(uses[k]->params, e->info, 0, NULL, NULL, NULL, err);
		if (rc)
			return rc;
		uses[k]->info = e->info;
		uses[k]->entry = e;
	}
	return WINIT_OK;
}

/* The run of one grid cell: factor 0 is the initializer, factor 1 the schedule. */
static int build(void *ctx, const struct winit_grid_run *cell, struct winit_run_spec *run,
                 struct winit_error *err)
{
	const struct setup *su = ctx;
	run->seed = 11;
	run->model.n_input_dims = 1;
	run->model.input_shape[0] = 16;
	run->model.n_inputs = 16;
	run->model.loss = WINIT_LOSS_CATEGORICAL_CROSSENTROPY;
	struct winit_layer_spec hidden, out;
	int rc = dense(&hidden, su->reg, 64, "relu", cell->factors[0].value, err);
	if (!rc)
		rc = dense(&out, su->reg, 8, "softmax", "glorot_uniform", err);
	if (!rc)
		rc = winit_model_spec_add_layer(&run->model, &hidden, err);
	if (!rc)
		rc = winit_model_spec_add_layer(&run->model, &out, err);
	if (rc)
		return rc;
	run->optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
	run->optimizer.learning_rate = 0.01;
	run->optimizer.schedule.initial_learning_rate = 0.01;
	run->optimizer.schedule.decay_steps = 200; /* 50 steps an epoch */
	if (strcmp(cell->factors[1].value, "exponential") == 0) {
		run->optimizer.schedule.kind = WINIT_LR_EXPONENTIAL_DECAY;
		run->optimizer.schedule.decay_rate = 0.5;
	} else {
		run->optimizer.schedule.kind = WINIT_LR_COSINE_DECAY;
		run->optimizer.schedule.alpha = 0.1;
	}
	run->fit = winit_fit_default();
	run->fit.epochs = 12;
	run->fit.validation_split = 0.2;
	run->fit.early_stopping = winit_early_stopping_default(); /* val_loss */
	run->fit.early_stopping.patience = 1;
	run->fit.early_stopping.restore_best_weights = 1;
	run->train = su->train;
	run->test = su->test;
	snprintf(run->train_source, sizeof run->train_source, "gaussian(2500, 16, 8, 0.6, 3)[0:2000]");
	snprintf(run->test_source, sizeof run->test_source, "gaussian(2500, 16, 8, 0.6, 3)[2000:2500]");
	return rc;
}

/* The first n rows of all, and the rest, as two datasets. */
static int split(const struct winit_dataset *all, int64_t n, struct winit_dataset *a,
                 struct winit_dataset *b, struct winit_error *err)
{
	int64_t f = all->n_features;
	int rc = winit_dataset_init_float(a, n, f, all->n_classes, err);
	if (!rc)
		rc = winit_dataset_init_float(b, all->n - n, f, all->n_classes, err);
	if (rc)
		return rc;
	memcpy(a->xf, all->xf, (size_t)(n * f) * sizeof *a->xf);
	memcpy(a->y, all->y, (size_t)n * sizeof *a->y);
	memcpy(b->xf, all->xf + n * f, (size_t)((all->n - n) * f) * sizeof *b->xf);
	memcpy(b->y, all->y + n, (size_t)(all->n - n) * sizeof *b->y);
	return WINIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (argc == 3 && strcmp(argv[2], "--resume") != 0) || argc > 3) {
		fprintf(stderr, "usage: %s RESULTS.json [--resume]\n", argv[0]);
		return 2;
	}
	struct winit_error err = { 0 };
	struct winit_registry *reg = winit_registry_new();
	struct winit_dataset all = { 0 }, train = { 0 }, test = { 0 };
	struct winit_study study;
	winit_study_init(&study, "c_study_grid", 11, WINIT_DESIGN_PAIRED, 0);
	int rc = !reg ? winit_error_set(&err, WINIT_ERR_NOMEM, "out of memory") :
	                winit_registry_load_default(reg, NULL, &err);
	if (!rc)
		rc = winit_dataset_gaussian(&all, 2500, 16, 8, 0.6, 3, &err);
	if (!rc)
		rc = split(&all, 2000, &train, &test, &err);
	winit_dataset_free(&all);

	static const char *const inits[] = { "glorot_normal", "he_normal" };
	static const char *const schedules[] = { "exponential", "cosine" };
	struct winit_grid grid = { .n_factors = 2, .replicates = 2 };
	snprintf(grid.factors[0].name, sizeof grid.factors[0].name, "init");
	grid.factors[0].n_levels = 2;
	grid.factors[0].levels = inits;
	snprintf(grid.factors[1].name, sizeof grid.factors[1].name, "schedule");
	grid.factors[1].n_levels = 2;
	grid.factors[1].levels = schedules;
	struct setup su = { reg, &train, &test };
	if (!rc)
		rc = winit_study_add_grid(&study, &grid, build, &su, &err);

	struct winit_run_result results[8];
	char kernels[8][32];
	memset(results, 0, sizeof results);
	struct winit_study_options opts = { .save = argv[1], .resume = argc == 3, .log = stdout };
	struct winit_study_saving saving;
	if (!rc)
		rc = winit_study_run(&study, results, kernels, &opts, &saving, &err);
	if (!rc) {
		winit_results_print_table(stdout, study.runs, results, study.n);
		for (size_t i = 0; i < study.n; i++)
			printf("%s: %d of %d epochs\n", study.runs[i].name, (int)results[i].history.n,
			       (int)study.runs[i].fit.epochs);
		printf("%zu runs saved to %s\n", saving.saved, argv[1]);
	} else {
		fprintf(stderr, "study_grid: %s\n", err.msg);
	}
	for (size_t i = 0; i < study.n; i++)
		winit_run_result_free(&results[i]);
	winit_study_free(&study);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
	winit_registry_free(reg);
	return rc ? 1 : 0;
}
