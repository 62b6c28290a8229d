/* src/report/results.c -- the results file (JSON): writing it safely, after every run. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/report.h>
#include <winit/stats.h>

#include "report/json.h"

static void write_plugin(struct json *j, const struct winit_plugin_use *u)
{
	json_begin_object(j);
	json_string_at(j, "name", u->info->name);
	json_key(j, "params");
	json_begin_object(j);
	for (uint32_t k = 0; k < u->info->n_params; k++) {
		const struct winit_param_decl *d = &u->info->params[k];
		json_key(j, d->name);
		if (d->type == WINIT_PARAM_CHOICE)
			json_string(j, d->choices[(int)u->params[k]]);
		else if (d->type == WINIT_PARAM_INT)
			json_int(j, (int64_t)u->params[k]);
		else
			json_number(j, u->params[k]);
	}
	json_end_object(j);
	json_end_object(j);
}

static void write_run(struct json *j, size_t index, const struct winit_run_spec *s,
                      const struct winit_run_result *r)
{
	json_begin_object(j);
	json_string_at(j, "name", s->name);
	/* The run's place in the study: shards of one study merge back in this order. */
	json_int_at(j, "index", (int64_t)index);
	json_string_at(j, "label", s->label);
	json_int_at(j, "replicate", s->replicate);
	json_uint_at(j, "seed", s->seed);
	json_uint_at(j, "run_seed", r->run_seed);

	json_key(j, "model");
	json_begin_object(j);
	json_key(j, "input_shape");
	json_begin_array(j);
	for (int i = 0; i < s->model.n_input_dims; i++)
		json_int(j, s->model.input_shape[i]);
	json_end_array(j);
	json_key(j, "layers");
	json_begin_array(j);
	for (int i = 0; i < s->model.n_layers; i++) {
		const struct winit_layer_spec *l = &s->model.layers[i];
		json_begin_object(j);
		json_string_at(j, "type", "Dense");
		json_int_at(j, "units", l->units);
		json_key(j, "activation");
		write_plugin(j, &l->activation);
		json_key(j, "kernel_initializer");
		write_plugin(j, &l->kernel_initializer);
		json_bool_at(j, "use_bias", l->use_bias);
		if (l->use_bias) {
			json_key(j, "bias_initializer");
			write_plugin(j, &l->bias_initializer);
		}
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);

	json_key(j, "optimizer");
	json_begin_object(j);
	json_string_at(j, "name", s->optimizer.kind == WINIT_OPT_ADAM ? "adam" : "sgd");
	json_number_at(j, "learning_rate", s->optimizer.learning_rate);
	if (s->optimizer.kind == WINIT_OPT_ADAM) {
		json_number_at(j, "beta_1", s->optimizer.beta_1);
		json_number_at(j, "beta_2", s->optimizer.beta_2);
		json_number_at(j, "epsilon", s->optimizer.epsilon);
	} else {
		json_number_at(j, "momentum", s->optimizer.momentum);
		json_bool_at(j, "nesterov", s->optimizer.nesterov);
	}
	json_end_object(j);
	json_string_at(j, "loss", "categorical_crossentropy");

	json_key(j, "fit");
	json_begin_object(j);
	json_int_at(j, "epochs", s->fit.epochs);
	json_int_at(j, "batch_size", s->fit.batch_size);
	json_number_at(j, "validation_split", s->fit.validation_split);
	json_bool_at(j, "shuffle", s->fit.shuffle);
	json_end_object(j);

	json_key(j, "data");
	json_begin_object(j);
	json_string_at(j, "train", s->train_source);
	json_string_at(j, "test", s->test_source);
	json_int_at(j, "n_train", r->n_train);
	json_int_at(j, "n_val", r->n_val);
	json_int_at(j, "n_test", r->n_test);
	json_end_object(j);

	json_string_at(j, "status", r->status ? "failed" : "ok");
	if (r->status) {
		json_string_at(j, "error", r->error);
	}
	json_key(j, "history");
	json_begin_array(j);
	for (int e = 0; e < r->history.n; e++) {
		const struct winit_epoch_stats *st = &r->history.epochs[e];
		json_begin_object(j);
		json_int_at(j, "epoch", st->epoch);
		json_number_at(j, "loss", st->loss);
		json_number_at(j, "accuracy", st->accuracy);
		if (st->has_val) {
			json_number_at(j, "val_loss", st->val_loss);
			json_number_at(j, "val_accuracy", st->val_accuracy);
		}
		json_number_at(j, "seconds", st->seconds);
		json_end_object(j);
	}
	json_end_array(j);
	if (r->has_test) {
		json_number_at(j, "test_loss", r->test_loss);
		json_number_at(j, "test_accuracy", r->test_accuracy);
	}
	json_number_at(j, "seconds", r->seconds);
	json_string_at(j, "kernels", r->kernels ? r->kernels : "");
	json_end_object(j);
}

/* mkdir -p for the directory part of path. */
static int make_parents(const char *path, struct winit_error *err)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return WINIT_OK;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create directory: %s", dir,
			                       strerror(errno));
		*p = '/';
	}
	if (dir[0] && mkdir(dir, 0777) != 0 && errno != EEXIST)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot create directory: %s", dir,
		                       strerror(errno));
	return WINIT_OK;
}

int winit_results_check_writable(const char *path, struct winit_error *err)
{
	int rc = make_parents(path, err);
	if (rc)
		return rc;
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write results: %s", path,
		                       strerror(errno));
	fclose(f);
	unlink(tmp);
	return WINIT_OK;
}

int winit_results_write_json(const char *path, const char *study, uint64_t seed,
                             const struct winit_run_spec *runs,
                             const struct winit_run_result *results, size_t n_runs,
                             struct winit_error *err)
{
	int rc = make_parents(path, err);
	if (rc)
		return rc;
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot write results: %s", path,
		                       strerror(errno));
	struct json j;
	json_init(&j, f);
	json_begin_object(&j);
	json_string_at(&j, "format", WINIT_RESULTS_FORMAT);
	json_int_at(&j, "version", WINIT_RESULTS_VERSION);
	json_string_at(&j, "generator", PACKAGE_STRING);
	json_string_at(&j, "study", study);
	json_uint_at(&j, "seed", seed);
	json_key(&j, "runs");
	json_begin_array(&j);
	for (size_t i = 0; i < n_runs; i++)
		if (results[i].done)
			write_run(&j, i, &runs[i], &results[i]);
	json_end_array(&j);
	json_end_object(&j);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		unlink(tmp);
		return winit_error_set(err, WINIT_ERR_IO, "%s: error while writing results", path);
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot replace results file: %s", path,
		                       strerror(e));
	}
	return WINIT_OK;
}
