/* winit/study.h -- studies as data: run descriptions executed by an executor.
 *
 * A study is an array of struct winit_run_spec.  Each run is self-contained (model,
 * initializers with their parameters, optimizer, fit settings, data, seed) and draws all
 * its randomness from streams derived from its run seed (winit_run_seed: the study seed
 * and the replicate in the paired design, the study seed and the run name in the
 * independent one), so the executor may run them in any order, concurrently, or
 * elsewhere, and every number stays the same.
 */
#ifndef WINIT_STUDY_H
#define WINIT_STUDY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <winit/coord.h>
#include <winit/spectrum.h>
#include <winit/data.h>
#include <winit/error.h>
#include <winit/model.h>
#include <winit/train.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_RUN_NAME_MAX 128

/* A grid's factors (winit.Study's grid): at most this many per run. */
#define WINIT_FACTORS_MAX 8

/* One factor of a grid run: its name ("init") and the run's level of it ("he_normal"). */
struct winit_factor {
	char name[32];
	char value[64];
};

/* How the runs of a study draw their randomness (common random numbers or not). */
enum winit_design {
	/* Replicate r of every condition uses the same run seed: the same data order in
	 * every epoch, the same probe and adapt rows, and equal weights in every layer whose
	 * initializer, parameters and shape are equal.  Conditions then differ only in what
	 * the study varies, and replicate r of two conditions forms a pair. */
	WINIT_DESIGN_PAIRED = 0,
	/* Every run draws from its own seed (study seed, run name). */
	WINIT_DESIGN_INDEPENDENT = 1
};

/* What a run is expected to do (winit_run_spec.expect): a run expected to diverge
 * documents a finding (a scale that overflows, say), and its divergence is no failure. */
enum winit_expect {
	WINIT_EXPECT_OK = 0,      /* finish (the default) */
	WINIT_EXPECT_DIVERGED = 1 /* diverge: loss or weights not finite */
};

struct winit_run_spec {
	char name[WINIT_RUN_NAME_MAX];                  /* unique within the study: the run's key */
	char label[WINIT_RUN_NAME_MAX];                 /* what is compared (e.g. the initializer); runs that
	                                                 * share a label are replicates */
	uint64_t seed;                                  /* the study seed the run's streams derive from */
	int32_t replicate;                              /* 0-based index among runs with the same label; in
	                                                 * the paired design, the pair it belongs to */
	int32_t design;                                 /* enum winit_design */
	double target;                                  /* validation accuracy whose first epoch is
	                                                 * reported (winit_learning); 0: none */
	int32_t expect;                                 /* enum winit_expect: what the run should
	                                                 * do; changes no number */
	int32_t n_factors;                              /* 0 unless the run comes from a grid */
	struct winit_factor factors[WINIT_FACTORS_MAX]; /* the grid cell; its label joins the
	                                                 * values with " / " */
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

/* The seed a run's streams derive from: winit_stream_shared_seed(study seed, replicate)
 * in the paired design, a function of (study seed, run name) in the independent one. */
uint64_t winit_run_seed(const struct winit_run_spec *spec);

/* Execute one run through a struct winit_trainer: initialise, adapt, fit, evaluate on the
 * test set.  Fills result (call winit_run_result_free after).  Returns result->status. */
int winit_run_execute(const struct winit_run_spec *spec, struct winit_run_result *result,
                      const struct winit_observer *obs, size_t index);
/* The same, the run's passes split among `team`'s threads (winit/team.h; NULL: the calling
 * thread alone).  The numbers are the same for any team. */
int winit_run_execute_on(const struct winit_run_spec *spec, struct winit_run_result *result,
                         const struct winit_observer *obs, size_t index, struct winit_team *team);
void winit_run_result_free(struct winit_run_result *result);

/* A finished run's outcome against what it was expected to do (spec->expect). */
enum winit_verdict {
	WINIT_VERDICT_AS_EXPECTED = 0, /* finished, or diverged when expected to */
	WINIT_VERDICT_FAILED = 1,      /* failed, or diverged when not expected to */
	WINIT_VERDICT_NOT_DIVERGED = 2 /* finished when expected to diverge */
};
/* The verdict on a run: what the exit status of `winit run` counts (FAILED: 1).  A run
 * not done, or cancelled, has none: the caller leaves it out. */
int winit_run_verdict(const struct winit_run_spec *spec, const struct winit_run_result *result);

/* Execute runs on `jobs` threads (<= 0: one per online CPU; fewer when the system
 * refuses a thread, which changes no number).  With at least as many runs as jobs, each
 * thread trains one run at a time; with fewer, the threads are shared out among the runs,
 * each run's passes split among its share (winit/team.h): 1 run with 2 jobs trains on 2
 * threads, 4 runs with 2 jobs keep 2 runs in flight.  Runs whose result is
 * already marked done are skipped, and so are runs not yet started once winit_cancelled()
 * (winit/cancel.h).  Each result is complete when run_end is called.  Returns the number
 * of runs that failed (cancelled ones included). */
size_t winit_study_execute(const struct winit_run_spec *runs, size_t n_runs, int jobs,
                           struct winit_run_result *results, const struct winit_observer *obs);

/* Number of online CPUs (at least 1). */
int winit_cpu_count(void);

/* A grid (a factorial design, winit.Study's grid): named factors, each a list of level
 * names; its runs are every combination of levels (a cell), the last factor varying
 * fastest, each `replicates` times, in that order. */
struct winit_grid_factor {
	char name[32];              /* as struct winit_factor's */
	int32_t n_levels;           /* >= 1 */
	const char *const *levels;  /* n_levels names, distinct in their first 63 bytes */
};
struct winit_grid {
	int32_t n_factors; /* 1 .. WINIT_FACTORS_MAX */
	struct winit_grid_factor factors[WINIT_FACTORS_MAX];
	int32_t replicates; /* >= 1 */
};

/* One run of a grid: its cell, replicate, and the label and name it gets. */
struct winit_grid_run {
	int32_t at[WINIT_FACTORS_MAX]; /* each factor's level, 0-based */
	int32_t replicate;             /* 0-based */
	int32_t n_factors;
	struct winit_factor factors[WINIT_FACTORS_MAX]; /* the cell, as results files record it */
	char label[WINIT_RUN_NAME_MAX];      /* the levels joined with " / ": "he_normal / relu" */
	char name[WINIT_RUN_NAME_MAX + 16]; /* label "#" (replicate + 1): "he_normal / relu#1" */
};

/* Check a grid: its factors' count, names and levels; err names the first fault. */
int winit_grid_check(const struct winit_grid *g, struct winit_error *err);
/* Its runs: cells times replicates. */
size_t winit_grid_size(const struct winit_grid *g);
/* Run i (0-based, < winit_grid_size) of a checked grid: cell i / replicates, replicate
 * i % replicates.  Refused: a label longer than WINIT_RUN_NAME_MAX - 1 bytes. */
int winit_grid_run_at(const struct winit_grid *g, size_t i, struct winit_grid_run *run,
                      struct winit_error *err);

/* A study: its name and seed, its design, and the runs added so far. */
struct winit_study {
	char name[WINIT_RUN_NAME_MAX];
	uint64_t seed;
	int32_t design; /* enum winit_design */
	double target;  /* validation accuracy for epochs-to-target (winit_learning), 0: none */
	size_t n, cap;
	struct winit_run_spec *runs; /* owned */
};

void winit_study_init(struct winit_study *s, const char *name, uint64_t seed, int32_t design,
                      double target);
void winit_study_free(struct winit_study *s);
/* Add a copy of run, with the study's design and target.  A negative run->replicate makes
 * it the next replicate of its label.  Refused: an empty or repeated name (names are the
 * runs' keys), and in the paired design a replicate its label already has (replicate r
 * of a label is the one run of pair r). */
int winit_study_add(struct winit_study *s, const struct winit_run_spec *run,
                    struct winit_error *err);

/* What a grid's run is made of besides its place in the grid: build fills run (zeroed)
 * with the model, optimizer, fit settings, data and seed for the cell; a non-zero return
 * (err filled) stops the expansion.  The model spec it builds is the run's (the study
 * keeps a copy; winit_study_add_grid frees it, after an error too). */
typedef int (*winit_grid_build_fn)(void *ctx, const struct winit_grid_run *cell,
                                   struct winit_run_spec *run, struct winit_error *err);
/* Add a grid's runs to a study in the grid's order: each built by `build`, then named,
 * labelled, numbered and given its cell (winit_grid_run_at), and added as winit_study_add
 * adds a run.  The runs added before an error stay in the study. */
int winit_study_add_grid(struct winit_study *s, const struct winit_grid *g,
                         winit_grid_build_fn build, void *ctx, struct winit_error *err);

/* How winit_study_run runs and saves a study. */
struct winit_study_options {
	int jobs;             /* threads, as winit_study_execute (0: one per CPU) */
	const char *save;     /* the results file (winit/results.h), NULL: not saved */
	int resume;           /* 1: take finished runs from save (winit_results_resume); 2: and
	                       * drop the runs of the file the study no longer lists */
	unsigned write_flags; /* winit/safe_write.h's, for the results file */
	int shard_index, shard_count; /* run only runs i with i % count == index (count 0 or
	                               * 1: every run); the others stay not done */
	const struct winit_observer *observer; /* progress, callbacks; NULL: none */
	FILE *log; /* where resume and keeping earlier runs aside are said; NULL: nowhere */
	/* Coordinate checks (winit/coord.h) the results file holds beside the runs: the
	 * caller's, unchanged; NULL: none. */
	const struct winit_coord_check *coord_checks;
	size_t n_coord_checks;
	/* Jacobian spectra (winit/spectrum.h) the results file holds beside the runs: the
	 * caller's, unchanged; NULL: none. */
	const struct winit_spectrum *spectra;
	size_t n_spectra;
};

/* What saving did during winit_study_run. */
struct winit_study_saving {
	int started;              /* past resuming and opening the results file: runs ran */
	size_t saved;             /* runs in the results file (and its journal) */
	int failed;               /* a save failed: the study was stopped (winit_cancel) */
	struct winit_error error; /* that failure */
};

/* Run a study: resume from its results file if asked, execute its runs (under mpirun,
 * across the ranks: winit/dist.h; rank 0 alone saves), save each as it finishes, and
 * write the file whole at the end.  results has s->n entries (zeroed by the caller;
 * winit_run_result_free each after), kernels s->n names for resumed runs.  Returns an
 * error that kept the study from starting or stopped it (a run's own failure is in its
 * result; a failed save in saving, also when NULL is not passed: then it is returned);
 * a stop by winit_cancel returns WINIT_OK with winit_cancelled() set. */
int winit_study_run(const struct winit_study *s, struct winit_run_result *results,
                    char (*kernels)[32], const struct winit_study_options *o,
                    struct winit_study_saving *saving, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_STUDY_H */
