/* src/study/executor.c -- runs a study's run descriptions, one per worker thread.
 *
 * Each run is independent and single-threaded, so parallelism is across runs and the
 * results are bit-identical for any number of jobs. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winit/kernels.h>
#include <winit/study.h>

#include "core/clock.h"

uint64_t winit_run_seed(const struct winit_run_spec *spec)
{
	return winit_seed_mix(spec->seed, winit_hash_str(spec->name));
}

int winit_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* Adapts the per-run fit observer to the study observer. */
struct run_ctx {
	const struct winit_study_observer *obs;
	size_t index;
};

static void on_batch(void *ctx, int32_t epoch, int64_t step, int64_t steps, double loss,
                     double acc)
{
	struct run_ctx *rc = ctx;
	rc->obs->batch_end(rc->obs->ctx, rc->index, epoch, step, steps, loss, acc);
}

static void on_epoch(void *ctx, const struct winit_epoch_stats *st)
{
	struct run_ctx *rc = ctx;
	rc->obs->epoch_end(rc->obs->ctx, rc->index, st);
}

static int on_poll(void *ctx)
{
	struct run_ctx *rc = ctx;
	return rc->obs->should_stop(rc->obs->ctx);
}

int winit_run_execute(const struct winit_run_spec *spec, struct winit_run_result *res,
                      const struct winit_study_observer *obs, size_t index)
{
	struct winit_error err = { 0 };
	struct winit_model model;
	struct winit_optimizer opt = { 0 };
	double t0 = winit_clock_seconds();
	memset(res, 0, sizeof *res);
	res->run_seed = winit_run_seed(spec);
	res->kernels = winit_kernels_name();
	if (obs && obs->run_start)
		obs->run_start(obs->ctx, index, spec);
	int rc = winit_model_init(&model, &spec->model, winit_seed_mix(res->run_seed, 1), &err);
	if (rc)
		goto out;
	rc = winit_optimizer_init(&opt, &spec->optimizer, model.n_params, &err);
	if (rc)
		goto out_model;
	res->history = calloc((size_t)(spec->fit.epochs > 0 ? spec->fit.epochs : 1),
	                      sizeof *res->history);
	if (!res->history) {
		rc = winit_error_set(&err, WINIT_ERR_NOMEM, "cannot allocate the history");
		goto out_opt;
	}
	struct winit_rng shuffle;
	winit_rng_seed(&shuffle, res->run_seed, 2);
	struct run_ctx ctx = { obs, index };
	struct winit_fit_observer fo = {
		.ctx = &ctx,
		.batch_end = obs && obs->batch_end ? on_batch : NULL,
		.epoch_end = obs && obs->epoch_end ? on_epoch : NULL,
		.should_stop = obs && obs->should_stop ? on_poll : NULL,
	};
	int64_t n = spec->train->n;
	res->n_train = winit_fit_train_rows(n, spec->fit.validation_split);
	res->n_val = n - res->n_train;
	/* Data-aware initializers see a batch of the training rows (never validation). */
	rc = winit_model_adapt(&model, spec->train, res->n_train, res->run_seed, &err);
	if (rc)
		goto out_opt;
	rc = winit_fit(&model, &opt, spec->train, &spec->fit, &shuffle, &fo, res->history, &err);
	if (rc)
		goto out_opt;
	res->n_epochs = spec->fit.epochs;
	if (spec->test) {
		rc = winit_evaluate(&model, spec->test, 0, spec->test->n, spec->fit.eval_batch_size,
		                    &res->test_loss, &res->test_accuracy, &err);
		if (rc)
			goto out_opt;
		res->has_test = 1;
		res->n_test = spec->test->n;
	}
out_opt:
	winit_optimizer_free(&opt);
out_model:
	winit_model_free(&model);
out:
	/* Epochs completed before a failure are kept in the history. */
	if (rc && res->history) {
		int32_t k = 0;
		while (k < spec->fit.epochs && res->history[k].epoch == k + 1)
			k++;
		res->n_epochs = k;
	}
	res->status = rc;
	if (rc)
		snprintf(res->error, sizeof res->error, "%s", err.msg);
	res->seconds = winit_clock_seconds() - t0;
	res->done = 1;
	if (obs && obs->run_end)
		obs->run_end(obs->ctx, index, spec, res);
	return rc;
}

void winit_run_result_free(struct winit_run_result *res)
{
	free(res->history);
	res->history = NULL;
}

struct pool {
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	size_t n;
	atomic_size_t next;
	atomic_size_t failed;
	const struct winit_study_observer *obs;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		if (p->results[i].done)
			continue;
		if (p->obs && p->obs->should_stop && p->obs->should_stop(p->obs->ctx))
			continue;
		if (winit_run_execute(&p->runs[i], &p->results[i], p->obs, i))
			atomic_fetch_add(&p->failed, 1);
	}
	return NULL;
}

size_t winit_study_execute(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                           struct winit_run_result *results,
                           const struct winit_study_observer *obs)
{
	struct pool p = { .runs = runs, .results = results, .n = n_runs, .obs = obs };
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, 0);
	if (jobs <= 0)
		jobs = winit_cpu_count();
	if ((size_t)jobs > n_runs)
		jobs = (int)(n_runs ? n_runs : 1);
	pthread_t tid[256];
	int started = 0;
	for (int t = 1; t < jobs && t < 256; t++)
		if (pthread_create(&tid[started], NULL, worker, &p) == 0)
			started++;
	worker(&p); /* the calling thread works too */
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	return atomic_load(&p.failed);
}
