/* src/results/resume.c -- continuing a study from its results file (winit/results.h):
 * the runs of the file whose full description (name, seeds, model, initializers with
 * every parameter, optimizer, fit settings, data) matches a run of the study, and that
 * finished ("ok"), are taken from the file instead of being trained again; failed,
 * diverged, changed and missing runs are run.  Runs of the file the study no longer lists
 * are kept as they are (their text), unless pruned.  The file then ends equal to an
 * uninterrupted run's, timings aside. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include <winit/results.h>

#include "results/coord.h"
#include "results/spans.h"
#include "results/spectrum.h"

void winit_resume_free(struct winit_resume *r)
{
	for (size_t i = 0; r->kept && i < r->n_kept; i++)
		free(r->kept[i]);
	free(r->kept);
	free(r->kept_len);
	winit_coord_checks_free(r->coord_checks, r->n_coord_checks);
	winit_spectra_free(r->spectra, r->n_spectra);
	memset(r, 0, sizeof *r);
}

static int listed(const char *name, const struct winit_run_spec *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(runs[i].name, name) == 0)
			return 1;
	return 0;
}

/* The file's runs that the study does not list, as their text (each with the line break
 * and indentation the writer puts before an entry, so the saved file is byte for byte the
 * one read). */
static int keep_unlisted(const char *path, const struct winit_run_spec *runs, size_t n,
                         struct winit_resume *out, struct winit_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc = winit_results_load_text(path, &text, &len, err);
	if (rc)
		return rc;
	json_t *root = json_loadb(text, len, 0, NULL);
	json_t *arr = json_object_get(root, "runs");
	size_t m = json_array_size(arr);
	struct winit_span *spans = calloc(m ? m : 1, sizeof *spans);
	out->kept = calloc(m ? m : 1, sizeof *out->kept);
	out->kept_len = calloc(m ? m : 1, sizeof *out->kept_len);
	if (!spans || !out->kept || !out->kept_len ||
	    winit_span_elements(winit_span_member(text, len, "runs"), spans, m) != m)
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	static const char lead[] = "\n    ";
	for (size_t k = 0; !rc && k < m; k++) {
		const char *name = json_string_value(json_object_get(json_array_get(arr, k), "name"));
		if (!name || listed(name, runs, n))
			continue;
		char *t = malloc(sizeof lead - 1 + spans[k].n + 1);
		if (!t) {
			rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
			break;
		}
		memcpy(t, lead, sizeof lead - 1);
		memcpy(t + sizeof lead - 1, spans[k].p, spans[k].n);
		t[sizeof lead - 1 + spans[k].n] = '\0';
		out->kept[out->n_kept] = t;
		out->kept_len[out->n_kept++] = sizeof lead - 1 + spans[k].n;
	}
	free(spans);
	json_decref(root);
	free(text);
	return rc;
}

int winit_results_resume(const char *path, const char *study, uint64_t seed,
                         const struct winit_run_spec *runs, struct winit_run_result *results,
                         char (*kernels)[32], size_t n, int prune, FILE *log,
                         struct winit_resume *out, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	char journal[4096];
	struct stat st;
	snprintf(journal, sizeof journal, "%s.journal", path);
	if (stat(path, &st) != 0 && errno == ENOENT && stat(journal, &st) != 0) {
		if (log)
			fprintf(log, "resume: no results file at %s yet: running every run\n", path);
		return WINIT_OK;
	}
	struct winit_results_file f;
	int rc = winit_results_read(path, &f, err);
	if (rc)
		return winit_error_prefix(err, "cannot resume: ");
	if (strcmp(f.study, study) != 0 || f.seed != seed) {
		rc = winit_error_set(err, WINIT_ERR_ARG,
		                     "cannot resume from %s: it holds study '%s' with seed %llu, this "
		                     "is study '%s' with seed %llu (choose another save path, or run "
		                     "without resume to keep that file aside)",
		                     path, f.study, (unsigned long long)f.seed, study,
		                     (unsigned long long)seed);
		winit_results_file_free(&f);
		return rc;
	}
	size_t unlisted = 0;
	for (size_t k = 0; k < f.n_runs; k++)
		unlisted += !listed(f.runs[k].name, runs, n);
	for (size_t i = 0; i < n; i++) {
		struct winit_results_run *r = NULL;
		for (size_t k = 0; k < f.n_runs && !r; k++)
			if (strcmp(f.runs[k].name, runs[i].name) == 0)
				r = &f.runs[k];
		if (!r || r->result.status != WINIT_OK)
			continue; /* missing, failed or diverged: run it */
		char *mine = winit_results_describe(&runs[i]);
		if (!mine) {
			winit_results_file_free(&f);
			return winit_error_set(err, WINIT_ERR_NOMEM, "out of memory");
		}
		int same = strcmp(mine, r->description) == 0;
		free(mine);
		if (!same) {
			if (log)
				fprintf(log,
				        "resume: run '%s' in %s is not the run described now (its model, "
				        "optimizer, fit settings, data or seed changed): running it again\n",
				        runs[i].name, path);
			continue;
		}
		/* Take the outcome over; the history, diagnostics and theory move, the kernel name is
		 * copied. */
		results[i] = r->result;
		memset(&r->result.history, 0, sizeof r->result.history);
		memset(&r->result.diagnostics, 0, sizeof r->result.diagnostics);
		memset(&r->result.theory, 0, sizeof r->result.theory);
		snprintf(kernels[i], sizeof kernels[i], "%s", r->kernels);
		results[i].kernels = kernels[i];
		out->restored++;
	}
	if (!prune) { /* the file's sections, for the saver to keep those the study drops */
		out->coord_checks = f.coord_checks;
		out->n_coord_checks = f.n_coord_checks;
		out->spectra = f.spectra;
		out->n_spectra = f.n_spectra;
		f.coord_checks = NULL;
		f.spectra = NULL;
		f.n_coord_checks = f.n_spectra = 0;
	}
	winit_results_file_free(&f);
	if (unlisted && !prune && (rc = keep_unlisted(path, runs, n, out, err)) != 0) {
		winit_resume_free(out);
		return rc;
	}
	if (log) {
		if (out->restored == n)
			fprintf(log, "resume: all %zu runs already finished in %s: nothing to run\n", n,
			        path);
		else
			fprintf(log, "resume: %zu of %zu runs already finished in %s; running the other %zu\n",
			        out->restored, n, path, n - out->restored);
		if (unlisted)
			fprintf(log, "resume: %zu %s in %s %s not in the script: %s\n", unlisted,
			        unlisted == 1 ? "run" : "runs", path, unlisted == 1 ? "is" : "are",
			        prune ? "dropped (prune)" : "kept (prune drops them)");
		fflush(log);
	}
	return WINIT_OK;
}
