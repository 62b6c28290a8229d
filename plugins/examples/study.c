/* study.c -- a study from C, with nothing but libwinit: glorot_normal against he_normal as
 * the first layer's kernel initializer, three replicates each in the paired design, on
 * generated data (8 Gaussian classes of 16 features), saved to a results file that
 * `winit report` and `winit merge` read like any other.
 *
 *   cc $(pkg-config --cflags winit) study.c -o study $(pkg-config --libs winit)
 *   ./study results.json [--resume]
 *
 * Every number depends only on the study seed and each run's replicate: run it twice and
 * the file is the same, timings aside (tests/c_study.sh checks it, and that --resume
 * computes nothing the second time). */
#include <stdio.h>
#include <string.h>

#include <winit/winit.h>

/* A Dense layer: Keras's defaults (a bias, zeros for it: winit_layer_spec_default), then
 * its activation and kernel initializer by name. */
static int dense(struct winit_layer_spec *l, const struct winit_registry *reg, int64_t units,
                 const char *activation, const char *kernel_init, struct winit_error *err)
{
	int rc = winit_layer_spec_default(l, reg, units, err);
	if (!rc)
		rc = winit_plugin_use_default(&l->activation, reg, WINIT_KIND_ACTIVATION, activation, err);
	if (!rc)
		rc = winit_plugin_use_default(&l->kernel_initializer, reg, WINIT_KIND_INITIALIZER,
		                              kernel_init, err);
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
	struct winit_dataset train = { 0 }, test = { 0 };
	struct winit_study study;
	winit_study_init(&study, "c_study", 7, WINIT_DESIGN_PAIRED, 0.8);
	int rc = !reg ? winit_error_set(&err, WINIT_ERR_NOMEM, "out of memory") :
	                winit_registry_load_default(reg, NULL, &err);
	/* One draw of 2,500 samples: the first 2,000 to train on, the last 500 to test. */
	struct winit_dataset all = { 0 };
	if (!rc)
		rc = winit_dataset_gaussian(&all, 2500, 16, 8, 0.6, 1, &err);
	if (!rc)
		rc = split(&all, 2000, &train, &test, &err);
	winit_dataset_free(&all);

	static const char *const inits[] = { "glorot_normal", "he_normal" };
	for (int c = 0; !rc && c < 2; c++)
		for (int r = 0; !rc && r < 3; r++) {
			struct winit_run_spec run;
			memset(&run, 0, sizeof run);
			snprintf(run.name, sizeof run.name, "%s#%d", inits[c], r + 1);
			snprintf(run.label, sizeof run.label, "%s", inits[c]);
			run.replicate = -1; /* the next replicate of its label */
			run.seed = study.seed;
			run.model.n_input_dims = 1;
			run.model.input_shape[0] = 16;
			run.model.n_inputs = 16;
			struct winit_layer_spec hidden, out;
			rc = dense(&hidden, reg, 64, "relu", inits[c], &err);
			if (!rc)
				rc = dense(&out, reg, 8, "softmax", "glorot_uniform", &err);
			if (!rc)
				rc = winit_model_spec_add_layer(&run.model, &hidden, &err);
			if (!rc)
				rc = winit_model_spec_add_layer(&run.model, &out, &err);
			if (!rc) /* Keras's compile: the loss, and the softmax output it needs */
				rc = winit_model_spec_compile(&run.model, WINIT_LOSS_CATEGORICAL_CROSSENTROPY, &err);
			run.optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
			run.fit = winit_fit_default();
			run.fit.epochs = 3;
			run.fit.validation_split = 0.2;
			run.train = &train;
			run.test = &test;
			snprintf(run.train_source, sizeof run.train_source, "gaussian(2500, 16, 8, 0.6, 1)[0:2000]");
			snprintf(run.test_source, sizeof run.test_source, "gaussian(2500, 16, 8, 0.6, 1)[2000:2500]");
			if (!rc) /* the study keeps its own copy of the model */
				rc = winit_study_add(&study, &run, &err);
			winit_model_spec_free(&run.model);
		}

	struct winit_run_result results[6];
	char kernels[6][32];
	memset(results, 0, sizeof results);
	struct winit_study_options opts = { .save = argv[1], .resume = argc == 3, .log = stdout };
	struct winit_study_saving saving;
	if (!rc)
		rc = winit_study_run(&study, results, kernels, &opts, &saving, &err);
	if (!rc) {
		winit_results_print_table(stdout, study.runs, results, study.n);
		printf("%zu runs saved to %s\n", saving.saved, argv[1]);
	} else {
		fprintf(stderr, "study: %s\n", err.msg);
	}
	for (size_t i = 0; i < study.n; i++)
		winit_run_result_free(&results[i]);
	winit_study_free(&study);
	winit_dataset_free(&train);
	winit_dataset_free(&test);
	winit_registry_free(reg);
	return rc ? 1 : 0;
}
