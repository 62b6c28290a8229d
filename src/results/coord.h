/* src/results/coord.h -- the results file's "coord_checks" (winit/coord.h): writing them
 * in the file's header and reading them from a validated file's tree (internal). */
#ifndef WINIT_RESULTS_COORD_H
#define WINIT_RESULTS_COORD_H

#include <stddef.h>

#include <winit/coord.h>

#include "core/internal.h"

struct json;   /* the writer's (results/json.h) */
struct json_t; /* Jansson's: the two headers cannot meet, so coord.c writes, coord_read.c reads */

/* The member "coord_checks": [ ... ] of an open object (nothing when n is 0). */
WINIT_INTERNAL void winit_coord_checks_write(struct json *j, const struct winit_coord_check *c,
                                             size_t n);
/* The top level's "coord_checks" of a file the schema validated into *out (malloc'd, *n of
 * them; none: NULL and 0).  WINIT_ERR_NOMEM names path. */
WINIT_INTERNAL int winit_coord_checks_read(const struct json_t *root, const char *path,
                                           struct winit_coord_check **out, size_t *n,
                                           struct winit_error *err);
/* Whether the n checks c can be written to the file at path: each valid
 * (winit_coord_check_validate) and no key (name, parametrization) twice.  WINIT_ERR_ARG
 * names path and the check: the writer never writes a file its readers refuse. */
WINIT_INTERNAL int winit_coord_checks_check(const struct winit_coord_check *c, size_t n,
                                            const char *path, struct winit_error *err);
/* Free n checks and the array. */
WINIT_INTERNAL void winit_coord_checks_free(struct winit_coord_check *c, size_t n);

#endif
