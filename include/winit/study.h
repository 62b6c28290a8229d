/* winit/study.h -- studies as data: run descriptions executed by an executor.
 *
 * A study is an array of struct winit_run_spec.  Each run is self-contained (model,
 * initializers with their parameters, optimizer, fit settings, data, seed) and draws all
 * its randomness from streams derived from (study seed, run name), so the executor may
 * run them in any order, concurrently, or elsewhere, and every number stays the same.
 */
#ifndef WINIT_STUDY_H
#define WINIT_STUDY_H

#include <stddef.h>
#include <stdint.h>
#include <winit/data.h>
#include <winit/error.h>
#include <winit/model.h>
#include <winit/train.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_RUN_NAME_MAX 128

struct winit_run_spec {
	char name[WINIT_RUN_NAME_MAX];  /* unique within the study: the run's key */
	char label[WINIT_RUN_NAME_MAX]; /* what is compared (e.g. the initializer); runs that
	                                 * share a label are replicates */
	uint64_t seed;                  /* the study seed the run's streams derive from */
	int32_t replicate;              /* 0-based index among runs with the same label */
	struct winit_model_spec model;
	struct winit_optimizer_spec optimizer;
	struct winit_fit_spec fit;
	const struct winit_dataset *train; /* shared, read-only */
	const struct winit_dataset *test;  /* may be NULL: no test evaluation */
	char train_source[256];            /* where the data came from, for results files */
	char test_source[256];
};

struct winit_run_result {
	int status; /* WINIT_OK or the failure's status */
	char error[WINIT_ERROR_MSG_MAX];
	int32_t done;                 /* 1 once the run has been executed */
	struct winit_history history; /* the epochs completed, owned */
	int32_t has_test;
	double test_loss, test_accuracy;
	double seconds; /* wall time of the whole run */
	int64_t n_train, n_val, n_test;
	uint64_t run_seed;                    /* the run's derived seed */
	const char *kernels;                  /* kernel set used */
	struct winit_diagnostics diagnostics; /* the run's snapshots, owned (winit/diagnostics.h) */
	struct winit_theory theory;           /* the prediction at initialization */
	struct winit_divergence divergence;   /* where, when status is WINIT_ERR_DIVERGED */
};

/* The seed a run's streams derive from: a function of (study seed, run name) only. */
uint64_t winit_run_seed(const struct winit_run_spec *spec);

/* Execute one run through a struct winit_trainer: initialise, adapt, fit, evaluate on the
 * test set.  Fills result (call winit_run_result_free after).  Returns result->status. */
int winit_run_execute(const struct winit_run_spec *spec, struct winit_run_result *result,
                      const struct winit_observer *obs, size_t index);
void winit_run_result_free(struct winit_run_result *result);

/* Execute runs on `jobs` threads (<= 0: one per online CPU).  Runs whose result is
 * already marked done are skipped, and so are runs not yet started once winit_cancelled()
 * (winit/cancel.h).  Each result is complete when run_end is called.  Returns the number
 * of runs that failed (cancelled ones included). */
size_t winit_study_execute(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                           struct winit_run_result *results, const struct winit_observer *obs);

/* Number of online CPUs (at least 1). */
int winit_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_STUDY_H */
