/* src/study/executor.c -- runs a study's run descriptions on worker threads; each run is
 * one struct winit_trainer lifecycle.
 *
 * Runs are independent, so the first parallelism is across runs: min(jobs, runs) workers
 * each take the next run.  When there are fewer runs than jobs, each worker also owns a
 * team (winit/team.h) of jobs / workers threads that its run's passes are split among.
 * Neither changes a number: results are bit-identical for any number of jobs. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <winit/cancel.h>
#include <winit/kernels.h>
#include <winit/stream.h>
#include <winit/study.h>

#include "core/clock.h"

uint64_t winit_run_seed(const struct winit_run_spec *spec)
{
	if (spec->design == WINIT_DESIGN_INDEPENDENT)
		return winit_seed_mix(spec->seed, winit_hash_str(spec->name));
	return winit_stream_shared_seed(spec->seed, spec->replicate);
}

int winit_run_verdict(const struct winit_run_spec *spec, const struct winit_run_result *result)
{
	int diverged = result->status == WINIT_ERR_DIVERGED;
	if (spec->expect == WINIT_EXPECT_DIVERGED)
		return diverged ? WINIT_VERDICT_AS_EXPECTED :
		       result->status ? WINIT_VERDICT_FAILED :
		                        WINIT_VERDICT_NOT_DIVERGED;
	return result->status ? WINIT_VERDICT_FAILED : WINIT_VERDICT_AS_EXPECTED;
}

int winit_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int winit_run_execute(const struct winit_run_spec *spec, struct winit_run_result *res,
                      const struct winit_observer *obs, size_t index)
{
	return winit_run_execute_on(spec, res, obs, index, NULL);
}

int winit_run_execute_on(const struct winit_run_spec *spec, struct winit_run_result *res,
                         const struct winit_observer *obs, size_t index, struct winit_team *team)
{
	struct winit_error err = { 0 };
	struct winit_trainer t;
	double t0 = winit_clock_seconds();
	memset(res, 0, sizeof *res);
	res->run_seed = winit_run_seed(spec);
	res->kernels = winit_kernels_name();
	if (obs && obs->run_start)
		obs->run_start(obs->ctx, index, spec);
	int64_t n = spec->train->n;
	res->n_train = winit_fit_train_rows(n, spec->fit.validation_split);
	res->n_val = n - res->n_train;
	int rc = winit_trainer_init(&t, &spec->model, &spec->optimizer, res->run_seed, &err);
	if (rc)
		goto out;
	t.model.team = team;
	rc = winit_trainer_fit(&t, spec->train, &spec->fit, obs, index, &res->history, &err);
	res->divergence = t.diverged;
	if (!rc && spec->test) {
		rc = winit_evaluate(&t.model, spec->test, 0, spec->test->n, spec->fit.eval_batch_size,
		                    &res->test_loss, &res->test_accuracy, &err);
		if (!rc) {
			res->has_test = 1;
			res->n_test = spec->test->n;
		}
	}
	/* The diagnostics move to the result, those taken before a failure included. */
	res->diagnostics = t.diag;
	memset(&t.diag, 0, sizeof t.diag);
	res->theory = t.theory;
	memset(&t.theory, 0, sizeof t.theory);
	winit_trainer_free(&t);
out:
	/* Epochs completed before a failure stay in the history. */
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
	winit_history_free(&res->history);
	winit_diagnostics_free(&res->diagnostics);
	winit_theory_free(&res->theory);
}

struct pool {
	const struct winit_run_spec *runs;
	struct winit_run_result *results;
	size_t n;
	int team_size; /* threads per run */
	atomic_size_t next;
	atomic_size_t failed;
	const struct winit_observer *obs;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	/* Out of memory for a team: the run trains on this thread alone, the same numbers. */
	struct winit_team *team = p->team_size > 1 ? winit_team_new(p->team_size) : NULL;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		if (p->results[i].done)
			continue;
		if (winit_cancelled())
			continue;
		if (winit_run_execute_on(&p->runs[i], &p->results[i], p->obs, i, team))
			atomic_fetch_add(&p->failed, 1);
	}
	winit_team_free(team);
	return NULL;
}

size_t winit_study_execute(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                           struct winit_run_result *results, const struct winit_observer *obs)
{
	struct pool p = { .runs = runs, .results = results, .n = n_runs, .obs = obs };
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, 0);
	if (jobs <= 0)
		jobs = winit_cpu_count();
	/* Runs still to do decide how many go in flight; the other threads join their teams. */
	size_t todo = 0;
	for (size_t i = 0; i < n_runs; i++)
		todo += !results[i].done;
	int workers = (size_t)jobs > todo ? (int)(todo ? todo : 1) : jobs;
	p.team_size = jobs / workers;
	/* The calling thread works too, so every run executes even when no thread (or fewer
	 * than asked) can be started: a failed pthread_create only lowers the parallelism,
	 * which never changes a number. */
	pthread_t *tid = workers > 1 ? malloc((size_t)(workers - 1) * sizeof *tid) : NULL;
	int started = 0;
	for (int t = 1; tid && t < workers; t++) {
		if (pthread_create(&tid[started], NULL, worker, &p) != 0)
			break;
		started++;
	}
	worker(&p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
	return atomic_load(&p.failed);
}
