/* tests/tools/graph_study.c -- a study of graph models from C, for tests/mpi.sh: three
 * graphs (an Add skip, a Reshape, a Concatenate; a named layer with multipliers in each) x 2
 * replicates on made-up 28x28 images of four classes, across the MPI ranks it is started
 * on (winit_study_execute_dist); rank 0 writes the results file at argv[1] and prints
 * "failed: N".  A graph's spec is built on every rank as a script would build it, and
 * only results travel: the file must be the single process's. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winit/winit.h>
#include <winit/dist.h>

static struct winit_registry *reg;

static struct winit_plugin_use use(uint32_t kind, const char *name)
{
	struct winit_plugin_use u;
	struct winit_error err = { 0 };
	if (winit_plugin_use_default(&u, reg, kind, name, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(2);
	}
	return u;
}

static struct winit_layer_spec dense(int64_t units, const char *act, const char *init)
{
	struct winit_layer_spec l;
	memset(&l, 0, sizeof l);
	l.units = units;
	l.use_bias = 1;
	l.activation = use(WINIT_KIND_ACTIVATION, act);
	l.kernel_initializer = use(WINIT_KIND_INITIALIZER, init);
	l.bias_initializer = use(WINIT_KIND_INITIALIZER, "zeros");
	return l;
}

static struct winit_layer_spec kind(int32_t k)
{
	struct winit_layer_spec l;
	memset(&l, 0, sizeof l);
	l.kind = k;
	l.axis = -1;
	return l;
}

static int32_t node(struct winit_model_spec *s, struct winit_layer_spec l, int32_t n, const int32_t *in)
{
	struct winit_error err = { 0 };
	if (winit_model_spec_add_node(s, &l, in, n, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(2);
	}
	return s->n_layers - 1;
}

static void graph(struct winit_model_spec *s, int variant)
{
	memset(s, 0, sizeof *s);
	s->n_input_dims = 2;
	s->input_shape[0] = s->input_shape[1] = 28;
	s->n_inputs = 784;
	int32_t in = WINIT_MODEL_INPUT;
	int32_t flat = node(s, kind(WINIT_LAYER_FLATTEN), 1, &in);
	int32_t h1 = node(s, dense(32, "relu", "he_normal"), 1, &flat);
	struct winit_layer_spec proj = dense(32, "linear", "glorot_uniform");
	snprintf(proj.name, sizeof proj.name, "proj");
	proj.mult_set = 1;
	proj.mult[0] = (struct winit_param_mult){ 0.5, 2.0 };
	proj.mult[1] = (struct winit_param_mult){ 1.0, 0.25 };
	proj.out_mult = 0.75;
	int32_t h2 = node(s, proj, 1, &h1);
	int32_t both[2] = { h2, h1 };
	if (variant == 2) {
		node(s, kind(WINIT_LAYER_CONCATENATE), 2, both);
	} else {
		node(s, kind(WINIT_LAYER_ADD), 2, both);
		if (variant == 1) {
			struct winit_layer_spec r = kind(WINIT_LAYER_RESHAPE);
			const int64_t dims[2] = { 4, 8 };
			winit_shape_set(&r.target_shape, 2, dims);
			node(s, r, 0, NULL);
			node(s, kind(WINIT_LAYER_FLATTEN), 0, NULL);
		}
	}
	node(s, dense(4, "softmax", "glorot_uniform"), 0, NULL);
}

int main(int argc, char **argv)
{
	struct winit_error err = { 0 };
	if (argc != 2) {
		fprintf(stderr, "usage: graph_study RESULTS.json\n");
		return 2;
	}
	if (winit_dist_init(&argc, &argv, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	reg = winit_registry_new();
	if (winit_registry_load_default(reg, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct winit_dataset ds = { 0 };
	int side = 28;
	int64_t n = 400, px = 784;
	ds.n = n;
	ds.height = ds.width = side;
	ds.n_features = px;
	ds.n_classes = 4;
	ds.x = malloc((size_t)(n * px));
	ds.y = malloc((size_t)n);
	struct winit_rng rng;
	winit_rng_seed(&rng, 3, 0);
	for (int64_t i = 0; i < n; i++) {
		int c = (int)winit_rng_below(&rng, 4);
		ds.y[i] = (uint8_t)c;
		for (int r = 0; r < side; r++)
			for (int k = 0; k < side; k++) {
				int q = (r >= side / 2) * 2 + (k >= side / 2);
				ds.x[i * px + r * side + k] = (uint8_t)((int)winit_rng_below(&rng, 120) + (q == c ? 120 : 0));
			}
	}
	enum { N = 6 };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	memset(res, 0, sizeof res);
	for (int i = 0; i < N; i++) {
		struct winit_run_spec *r = &runs[i];
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "g%d_%d", i % 3, i / 3);
		snprintf(r->label, sizeof r->label, "graph%d", i % 3);
		r->replicate = i / 3;
		graph(&r->model, i % 3);
		if (winit_model_spec_compile(&r->model, WINIT_LOSS_CATEGORICAL_CROSSENTROPY, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 2;
		}
		r->optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
		r->fit = winit_fit_default();
		r->fit.epochs = 2;
		r->fit.batch_size = 32;
		r->fit.validation_split = 0.25;
		r->train = r->test = &ds;
		r->seed = 17;
		snprintf(r->train_source, sizeof r->train_source, "quadrants");
		snprintf(r->test_source, sizeof r->test_source, "quadrants");
	}
	size_t failed = winit_study_execute_dist(runs, N, 1, res, NULL, &err);
	if (err.status) {
		fprintf(stderr, "%s\n", err.msg);
		winit_dist_finalize(1);
		return 1;
	}
	if (winit_dist_rank() == 0) {
		if (winit_results_write_json(argv[1], "graphs", 17, runs, res, N, &err)) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		printf("failed: %zu, ranks: %d\n", failed, winit_dist_size());
	}
	winit_dist_settle();
	winit_dist_finalize(0);
	return 0;
}
