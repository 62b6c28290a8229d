/* src/lua/lresume.c -- study:run{resume = true} (winit run --resume): the runs of the
 * existing results file whose full description (name, seeds, model, initializers with
 * every parameter, optimizer, fit settings, data) matches a run of the study, and that
 * finished ("ok"), are taken from the file instead of being trained again; failed,
 * diverged, changed and missing runs are run.  The file then ends equal to an
 * uninterrupted run's, timings aside. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* Raise msg after freeing f (luaL_error does not return). */
static int fail(lua_State *L, struct winit_results_file *f, const char *msg)
{
	char copy[WINIT_ERROR_MSG_MAX + 256];
	snprintf(copy, sizeof copy, "%s", msg);
	winit_results_file_free(f);
	return luaL_error(L, "%s", copy);
}

size_t winit_lua_resume(lua_State *L, const char *save, const char *study, uint64_t seed,
                        const struct winit_run_spec *runs, struct winit_run_result *results,
                        char (*kernels)[32], size_t n, int verbose)
{
	struct stat st;
	if (stat(save, &st) != 0) {
		if (verbose)
			printf("resume: no results file at %s yet: running every run\n", save);
		return 0;
	}
	struct winit_results_file f;
	struct winit_error err = { 0 };
	if (winit_results_read(save, &f, &err))
		return (size_t)luaL_error(L, "Study:run: cannot resume: %s", err.msg);
	char msg[WINIT_ERROR_MSG_MAX + 256];
	if (strcmp(f.study, study) != 0 || f.seed != seed) {
		snprintf(msg, sizeof msg,
		         "Study:run: cannot resume from %s: it holds study '%s' with seed %llu, this is "
		         "study '%s' with seed %llu (choose another save path, or run without resume "
		         "to replace the file)",
		         save, f.study, (unsigned long long)f.seed, study, (unsigned long long)seed);
		return (size_t)fail(L, &f, msg);
	}
	size_t restored = 0;
	for (size_t i = 0; i < n; i++) {
		struct winit_results_run *r = NULL;
		for (size_t k = 0; k < f.n_runs && !r; k++)
			if (strcmp(f.runs[k].name, runs[i].name) == 0)
				r = &f.runs[k];
		if (!r || r->result.status != WINIT_OK)
			continue; /* missing, failed or diverged: run it */
		char *mine = winit_results_describe(&runs[i]);
		if (!mine)
			return (size_t)fail(L, &f, "Study:run: out of memory");
		int same = strcmp(mine, r->description) == 0;
		free(mine);
		if (!same) {
			if (verbose)
				printf("resume: run '%s' in %s is not the run described now (its model, "
				       "optimizer, fit settings, data or seed changed): running it again\n",
				       runs[i].name, save);
			continue;
		}
		/* Take the outcome over; the history and diagnostics move, the kernel name is
		 * copied. */
		results[i] = r->result;
		memset(&r->result.history, 0, sizeof r->result.history);
		memset(&r->result.diagnostics, 0, sizeof r->result.diagnostics);
		snprintf(kernels[i], sizeof kernels[i], "%s", r->kernels);
		results[i].kernels = kernels[i];
		restored++;
	}
	winit_results_file_free(&f);
	if (verbose) {
		if (restored == n)
			printf("resume: all %zu runs already finished in %s: nothing to run\n", n, save);
		else
			printf("resume: %zu of %zu runs already finished in %s; running the other %zu\n",
			       restored, n, save, n - restored);
		fflush(stdout);
	}
	return restored;
}
