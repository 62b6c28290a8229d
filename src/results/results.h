/* src/results/results.h -- shared between the results writer and reader (internal). */
#ifndef WINIT_REPORT_RESULTS_H
#define WINIT_REPORT_RESULTS_H

#include <stdio.h>

#include <winit/coord.h>
#include <winit/study.h>

#include "core/internal.h"

/* The run's description object as the results file writes it (name, label, replicate,
 * design, factors of a grid run, seed, run_seed, model, optimizer, loss, fit, data),
 * computed from the spec alone. */
WINIT_INTERNAL void winit_results_write_description(FILE *f, const struct winit_run_spec *s);

/* The members of a run's entry that make up its description (what write_description
 * writes); the others (status, error, history, learning, test_loss, test_accuracy,
 * seconds, kernels) are its outcome. */
#define WINIT_RESULTS_DESCRIPTION_KEYS                                                          \
	{                                                                                       \
		"name", "label", "replicate", "design", "factors", "seed", "run_seed", "model", \
			"optimizer", "loss", "fit", "data", NULL                                \
	}

/* The results file's text in pieces, as winit_results_write_json joins them: the header
 * (from "{" to the runs' "[", the coordinate checks and spectra included), each finished run's entry (it begins with its line break
 * and indentation: entries join with ","), and the join of a header and entries with the
 * file's end.  Each returns a malloc'd text and its length, or NULL when out of memory.
 * The journal (src/results/journal.c) keeps the same pieces, so a file put together
 * from it is byte for byte the one the writer would have written. */
WINIT_INTERNAL char *winit_results_header_text(const char *study, uint64_t seed,
                                               const struct winit_results_sections *sec,
                                               size_t *len);
WINIT_INTERNAL char *winit_results_run_text(size_t index, const struct winit_run_spec *s,
                                            const struct winit_run_result *r, size_t *len);
WINIT_INTERNAL char *winit_results_join(const char *header, size_t header_len,
                                        const char *const *runs, const size_t *lens, size_t n,
                                        size_t *len);
/* The file a results path names (symbolic links followed; the last may not exist yet);
 * a directory, device, FIFO or socket there is refused. */
WINIT_INTERNAL int winit_results_target(const char *path, char *out, size_t size,
                                        struct winit_error *err);
/* Replace the results file at path with text (winit/safe_write.h's rules; flags as
 * there, parents made). */
WINIT_INTERNAL int winit_results_replace(const char *path, const char *text, size_t len,
                                         unsigned flags, struct winit_error *err);

#endif
