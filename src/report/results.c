/* src/report/results.c -- the results file and the final table. */
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

static void write_run(struct json *j, const struct winit_run_spec *s, const struct winit_run_result *r)
{
	json_begin_object(j);
	json_string_at(j, "name", s->name);
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
			write_run(&j, &runs[i], &results[i]);
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

/* Test accuracies (and losses, and the last such result, when asked for) of the runs with
 * this label that finished with a test evaluation; *failed counts those that did not. */
static size_t label_values(double *acc, double *loss, const struct winit_run_result **last,
                           const struct winit_run_spec *runs,
                           const struct winit_run_result *results, size_t n_runs,
                           const char *label, size_t *failed)
{
	size_t n = 0;
	*failed = 0;
	for (size_t k = 0; k < n_runs; k++) {
		if (strcmp(runs[k].label, label) != 0 || !results[k].done)
			continue;
		if (results[k].status || !results[k].has_test) {
			(*failed)++;
			continue;
		}
		acc[n] = results[k].test_accuracy;
		if (loss)
			loss[n] = results[k].test_loss;
		if (last)
			*last = &results[k];
		n++;
	}
	return n;
}

static int first_of_label(const struct winit_run_spec *runs, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(runs[k].label, runs[i].label) == 0)
			return 0;
	return 1;
}

void winit_results_print_table(FILE *out, const struct winit_run_spec *runs,
                               const struct winit_run_result *results, size_t n_runs)
{
	size_t width = 12;
	int multi = 0;
	for (size_t i = 0; i < n_runs; i++) {
		if (strlen(runs[i].label) > width)
			width = strlen(runs[i].label);
		if (runs[i].replicate > 0)
			multi = 1;
	}
	double *acc = malloc((n_runs ? n_runs : 1) * sizeof *acc);
	double *loss = malloc((n_runs ? n_runs : 1) * sizeof *loss);
	if (!acc || !loss) {
		free(acc);
		free(loss);
		fprintf(out, "(out of memory for the table)\n");
		return;
	}
	if (multi)
		fprintf(out, "%-*s %5s %-17s %-17s %-8s %-8s\n", (int)width, "initializer", "runs",
		        "test_accuracy", "test_loss", "min_acc", "max_acc");
	else
		fprintf(out, "%-*s %13s %10s %14s %9s\n", (int)width, "initializer", "test_accuracy",
		        "test_loss", "val_accuracy", "seconds");
	/* The label with the best mean accuracy, for the comparisons below. */
	struct winit_summary best = { 0 };
	const char *best_label = NULL;
	for (size_t i = 0; i < n_runs; i++) {
		if (!first_of_label(runs, i))
			continue;
		const struct winit_run_result *last = NULL;
		size_t failed, n = label_values(acc, loss, &last, runs, results, n_runs,
		                                runs[i].label, &failed);
		if (n == 0) {
			fprintf(out, "%-*s %s\n", (int)width, runs[i].label,
			        failed ? "failed (see above)" : "not run");
			continue;
		}
		struct winit_summary sa, sl;
		winit_summarize(&sa, acc, n);
		winit_summarize(&sl, loss, n);
		if (!best_label || sa.mean > best.mean) {
			best = sa;
			best_label = runs[i].label;
		}
		if (multi) {
			fprintf(out, "%-*s %5zu %.4f +- %.4f   %.4f +- %.4f   %.4f   %.4f%s\n", (int)width,
			        runs[i].label, n, sa.mean, sa.sd, sl.mean, sl.sd, sa.min, sa.max,
			        failed ? "  (some runs failed)" : "");
		} else {
			const struct winit_epoch_stats *h =
				last->history.n > 0 ? &last->history.epochs[last->history.n - 1] : NULL;
			fprintf(out, "%-*s %13.4f %10.4f ", (int)width, runs[i].label, last->test_accuracy,
			        last->test_loss);
			if (h && h->has_val)
				fprintf(out, "%14.4f", h->val_accuracy);
			else
				fprintf(out, "%14s", "-");
			fprintf(out, " %9.1f\n", last->seconds);
		}
	}
	if (multi && best_label && best.n >= 2) {
		fprintf(out, "\nIs the difference real? Welch's t-test on test accuracy against %s:\n",
		        best_label);
		for (size_t i = 0; i < n_runs; i++) {
			if (!first_of_label(runs, i) || strcmp(runs[i].label, best_label) == 0)
				continue;
			size_t failed, n = label_values(acc, NULL, NULL, runs, results, n_runs,
			                                runs[i].label, &failed);
			struct winit_summary s;
			winit_summarize(&s, acc, n);
			struct winit_welch w;
			winit_welch_test(&w, &best, &s);
			if (isnan(w.p)) {
				fprintf(out, "  %-*s %+.4f  (no test: needs 2+ runs with some spread)\n",
				        (int)width, runs[i].label, s.mean - best.mean);
				continue;
			}
			fprintf(out, "  %-*s %+.4f  t = %5.2f  df = %4.1f  p = %.3g  %s\n", (int)width,
			        runs[i].label, s.mean - best.mean, w.t, w.df, w.p,
			        w.p < 0.05 ? "worse (p < 0.05)" : "not distinguishable at 5%");
		}
	} else if (!multi && n_runs > 1) {
		fprintf(out, "\nOne run per initializer cannot rank them: seed-to-seed spread is often "
		             "larger than the gaps.\nRun with replicates (e.g. --repeats 5) for means, "
		             "spreads and significance tests.\n");
	}
	free(acc);
	free(loss);
}
