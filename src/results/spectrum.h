/* src/results/spectrum.h -- the results file's "spectra" (winit/spectrum.h): writing them
 * in the file's header and reading them from a validated file's tree (internal). */
#ifndef WINIT_RESULTS_SPECTRUM_H
#define WINIT_RESULTS_SPECTRUM_H

#include <stddef.h>

#include <winit/spectrum.h>

#include "core/internal.h"

struct json;   /* the writer's (results/json.h) */
struct json_t; /* Jansson's: the two headers cannot meet, so spectrum.c writes, spectrum_read.c reads */

/* The member "spectra": [ ... ] of an open object (nothing when n is 0). */
WINIT_INTERNAL void winit_spectra_write(struct json *j, const struct winit_spectrum *s, size_t n);
/* The top level's "spectra" of a file the schema validated into *out (malloc'd, *n of
 * them; none: NULL and 0).  WINIT_ERR_NOMEM names path. */
WINIT_INTERNAL int winit_spectra_read(const struct json_t *root, const char *path,
                                      struct winit_spectrum **out, size_t *n,
                                      struct winit_error *err);
/* Whether the n spectra s can be written to the file at path: each valid
 * (winit_spectrum_validate) and no name twice.  WINIT_ERR_ARG names path and the spectrum:
 * the writer never writes a file its readers refuse. */
WINIT_INTERNAL int winit_spectra_check(const struct winit_spectrum *s, size_t n, const char *path,
                                       struct winit_error *err);
/* Free n spectra and the array. */
WINIT_INTERNAL void winit_spectra_free(struct winit_spectrum *s, size_t n);

#endif
