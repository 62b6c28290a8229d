/* src/study/run.c -- a study from start to end (winit/study.h): runs added with the
 * replicate and pairing rules, then resumed, executed (on threads, or across MPI ranks),
 * and saved as each run finishes (winit/results.h).  The Lua Study converts values and
 * calls these; a C program gets the same study. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/cancel.h>
#include <winit/coord.h>
#include <winit/dist.h>
#include <winit/results.h>
#include <winit/spectrum.h>
#include <winit/study.h>

void winit_study_init(struct winit_study *s, const char *name, uint64_t seed, int32_t design,
                      double target)
{
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name ? name : "study");
	s->seed = seed;
	s->design = design;
	s->target = target;
}

void winit_study_free(struct winit_study *s)
{
	for (size_t i = 0; i < s->n; i++)
		winit_model_spec_free(&s->runs[i].model);
	free(s->runs);
	memset(s, 0, sizeof *s);
}

int winit_study_add(struct winit_study *s, const struct winit_run_spec *run,
                    struct winit_error *err)
{
	if (!run->name[0])
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "every run needs a name (its key in the results)");
	/* A schedule and an early stopping are part of the description: checked here, before
	 * the results file writes them. */
	int rc;
	if (run->optimizer.schedule.kind != WINIT_LR_CONSTANT &&
	    (rc = winit_lr_schedule_check(&run->optimizer.schedule, err)))
		return winit_error_prefix(err, "run '%s': ", run->name);
	if ((rc = winit_early_stopping_check(&run->fit.early_stopping, err)))
		return winit_error_prefix(err, "run '%s': ", run->name);
	int32_t next = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct winit_run_spec *o = &s->runs[i];
		if (strcmp(o->name, run->name) == 0)
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "a run named '%s' already exists; run names are keys and "
			                       "must be unique",
			                       run->name);
		next += strcmp(o->label, run->label) == 0;
	}
	int32_t replicate = run->replicate < 0 ? next : run->replicate;
	/* Paired: replicate r of a label is the one run of pair r for that condition. */
	for (size_t i = 0; s->design == WINIT_DESIGN_PAIRED && i < s->n; i++)
		if (strcmp(s->runs[i].label, run->label) == 0 && s->runs[i].replicate == replicate)
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "run '%s' repeats replicate %d of label '%s' (run '%s'); "
			                       "in the paired design each replicate of a label is one run "
			                       "(give another replicate, or leave it out)",
			                       run->name, (int)replicate, run->label, s->runs[i].name);
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		void *p = realloc(s->runs, cap * sizeof *s->runs);
		if (!p)
			return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory");
		s->runs = p;
		s->cap = cap;
	}
	struct winit_run_spec *r = &s->runs[s->n];
	*r = *run;
	/* The study owns its runs' models (the caller's spec may go away). */
	rc = winit_model_spec_copy(&r->model, &run->model, err);
	if (rc)
		return rc;
	s->n++;
	r->replicate = replicate;
	r->design = s->design;
	r->target = s->target;
	return WINIT_OK;
}

/* The observer the executor sees: the caller's, then the saver, for each finished run. */
struct saving_obs {
	const struct winit_observer *inner;
	pthread_mutex_t lock;
	struct winit_results_saver *saver; /* NULL: not saving */
	struct winit_study_saving *out;
};

static void obs_start(void *ctx, size_t i, const struct winit_run_spec *s)
{
	const struct saving_obs *o = ctx;
	if (o->inner && o->inner->run_start)
		o->inner->run_start(o->inner->ctx, i, s);
}

static void obs_batch(void *ctx, size_t i, int32_t e, int64_t st, int64_t sts, double l, double a)
{
	const struct saving_obs *o = ctx;
	if (o->inner && o->inner->batch_end)
		o->inner->batch_end(o->inner->ctx, i, e, st, sts, l, a);
}

static void obs_epoch(void *ctx, size_t i, const struct winit_epoch_stats *st)
{
	const struct saving_obs *o = ctx;
	if (o->inner && o->inner->epoch_end)
		o->inner->epoch_end(o->inner->ctx, i, st);
}

static void obs_end(void *ctx, size_t i, const struct winit_run_spec *s,
                    const struct winit_run_result *r)
{
	struct saving_obs *o = ctx;
	if (o->inner && o->inner->run_end)
		o->inner->run_end(o->inner->ctx, i, s, r);
	pthread_mutex_lock(&o->lock);
	if (o->saver && !o->out->failed) {
		if (winit_results_saver_add(o->saver, i, r, &o->out->error)) {
			/* Training on would compute runs that cannot be kept: stop the study now
			 * (the runs in progress stop within a step); the file keeps what it had. */
			o->out->failed = 1;
			winit_cancel(WINIT_CANCEL_SAVE_FAILED);
		} else {
			o->out->saved = winit_results_saver_count(o->saver);
		}
	}
	pthread_mutex_unlock(&o->lock);
}

/* The sections a resumed file keeps: the study's coordinate checks and spectra, then
 * those of the file the study does not attach again (same key: name and parametrization,
 * or name), as a resumed study keeps the file's runs it no longer lists.  Shallow copies
 * into *cc and *sp (the caller frees the arrays only); *n_old counts the file's kept. */
static int kept_sections(const struct winit_study_options *o, const struct winit_resume *t,
                         struct winit_coord_check **cc, size_t *n_cc, struct winit_spectrum **sp,
                         size_t *n_sp, size_t *n_old)
{
	*cc = malloc((o->n_coord_checks + t->n_coord_checks + 1) * sizeof **cc);
	*sp = malloc((o->n_spectra + t->n_spectra + 1) * sizeof **sp);
	*n_cc = *n_sp = *n_old = 0;
	if (!*cc || !*sp)
		return WINIT_ERR_NOMEM;
	for (size_t i = 0; i < o->n_coord_checks; i++)
		(*cc)[(*n_cc)++] = o->coord_checks[i];
	for (size_t i = 0; i < t->n_coord_checks; i++) {
		const struct winit_coord_check *c = &t->coord_checks[i];
		int again = 0;
		for (size_t k = 0; k < o->n_coord_checks && !again; k++)
			again = strcmp(o->coord_checks[k].name, c->name) == 0 &&
			        strcmp(o->coord_checks[k].parametrization, c->parametrization) == 0;
		if (!again) {
			(*cc)[(*n_cc)++] = *c;
			++*n_old;
		}
	}
	for (size_t i = 0; i < o->n_spectra; i++)
		(*sp)[(*n_sp)++] = o->spectra[i];
	for (size_t i = 0; i < t->n_spectra; i++) {
		int again = 0;
		for (size_t k = 0; k < o->n_spectra && !again; k++)
			again = strcmp(o->spectra[k].name, t->spectra[i].name) == 0;
		if (!again) {
			(*sp)[(*n_sp)++] = t->spectra[i];
			++*n_old;
		}
	}
	return WINIT_OK;
}

/* Resume and open the saver (rank 0 only): the study's state before anything runs. */
static int start_saving(const struct winit_study *s, struct winit_run_result *results,
                        char (*kernels)[32], const struct winit_study_options *o,
                        struct winit_results_saver **saver, struct winit_error *err)
{
	struct winit_resume taken = { 0 };
	if (o->resume && winit_results_resume(o->save, s->name, s->seed, s->runs, results, kernels,
	                                      s->n, o->resume == 2, o->log, &taken, err))
		return err->status;
	struct winit_coord_check *cc = NULL;
	struct winit_spectrum *sp = NULL;
	size_t n_cc = 0, n_sp = 0, n_old = 0;
	if (kept_sections(o, &taken, &cc, &n_cc, &sp, &n_sp, &n_old)) {
		free(cc);
		free(sp);
		winit_resume_free(&taken);
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory");
	}
	if (n_old && o->log) {
		fprintf(o->log, "resume: %zu coordinate check(s) or spectra of %s not attached by the script: kept\n",
		        n_old, o->save);
		fflush(o->log);
	}
	struct winit_save_options so = {
		.resumed = o->resume != 0,
		.kept = (const char *const *)taken.kept,
		.kept_len = taken.kept_len,
		.n_kept = taken.n_kept,
		.log = o->log,
		.write_flags = o->write_flags,
		.coord_checks = cc,
		.n_coord_checks = n_cc,
		.spectra = sp,
		.n_spectra = n_sp,
	};
	int rc = winit_results_saver_open(saver, o->save, s->name, s->seed, s->runs, results, s->n,
	                                  &so, err);
	free(cc);
	free(sp);
	winit_resume_free(&taken);
	if (rc == WINIT_ERR_IO) {
		char msg[WINIT_ERROR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", err->msg);
		winit_error_set(err, rc, "%s; the study stopped before any run could be saved", msg);
	}
	return rc;
}

int winit_study_run(const struct winit_study *s, struct winit_run_result *results,
                    char (*kernels)[32], const struct winit_study_options *o,
                    struct winit_study_saving *saving, struct winit_error *err)
{
	static const struct winit_study_options none;
	struct winit_study_saving ignored;
	struct winit_error e;
	if (!o)
		o = &none;
	if (!saving)
		saving = &ignored;
	if (!err)
		err = &e;
	memset(saving, 0, sizeof *saving);
	winit_error_clear(err);
	/* Under mpirun only rank 0 saves (winit/dist.h). */
	const char *save = winit_dist_rank() == 0 ? o->save : NULL;
	struct saving_obs so = { .inner = o->observer, .out = saving };
	if (save && start_saving(s, results, kernels, o, &so.saver, err))
		return err->status;
	saving->started = 1;
	saving->saved = winit_results_saver_count(so.saver);
	/* One shard of a job array: the other runs count as done while executing (the
	 * executor skips them, and the saver never sees them), then as not run. */
	int count = o->shard_count > 1 ? o->shard_count : 1, index = count > 1 ? o->shard_index : 0;
	unsigned char *outside = count > 1 ? calloc(s->n, 1) : NULL;
	if (count > 1 && !outside) {
		winit_results_saver_close(so.saver, NULL);
		return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; outside && i < s->n; i++)
		if ((int)(i % (size_t)count) != index && !results[i].done)
			outside[i] = results[i].done = 1;
	pthread_mutex_init(&so.lock, NULL);
	struct winit_observer obs = {
		.ctx = &so,
		.run_start = obs_start,
		.batch_end = obs_batch,
		.epoch_end = obs_epoch,
		.run_end = obs_end,
	};
	winit_study_execute_dist(s->runs, s->n, o->jobs, results, &obs, err);
	pthread_mutex_destroy(&so.lock);
	for (size_t i = 0; outside && i < s->n; i++)
		if (outside[i])
			results[i].done = 0;
	free(outside);
	/* The file written whole, the journal removed (a shard with no run still leaves a
	 * file, with the study's header, so a merge of every task's file finds each one). */
	struct winit_error cerr = { 0 };
	if (winit_results_saver_close(so.saver, &cerr) && !saving->failed) {
		saving->failed = 1;
		saving->error = cerr;
	}
	if (err->status)
		return err->status;
	if (saving == &ignored && saving->failed) {
		*err = saving->error;
		return err->status;
	}
	return WINIT_OK;
}
