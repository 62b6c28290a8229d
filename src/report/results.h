/* src/report/results.h -- shared between the results writer and reader (internal). */
#ifndef WINIT_REPORT_RESULTS_H
#define WINIT_REPORT_RESULTS_H

#include <stdio.h>

#include <winit/study.h>

#include "core/internal.h"

/* The run's description object as the results file writes it (name, label, replicate,
 * seed, run_seed, model, optimizer, loss, fit, data), computed from the spec alone. */
WINIT_INTERNAL void winit_results_write_description(FILE *f, const struct winit_run_spec *s);

/* The members of a run's entry that make up its description (what write_description
 * writes); the others (status, error, history, test_loss, test_accuracy, seconds,
 * kernels) are its outcome. */
#define WINIT_RESULTS_DESCRIPTION_KEYS                                                                 \
	{                                                                                              \
		"name", "label", "replicate", "seed", "run_seed", "model", "optimizer", "loss", "fit", \
			"data", NULL                                                                   \
	}

#endif
