/* winit/coord.h -- a coordinate check (muP's: mup's coord_check) as the results file keeps
 * it: for one model family trained a few optimizer steps at several widths and seeds, each
 * layer's mean |x| on a fixed batch at steps 0..K, averaged over the seeds, and the mean
 * |x - x0| of its change since initialization.  The Lua binding measures it
 * (winit.coord_check) and attaches it to a study (study:add_coord_check); the study's
 * results file holds it in "coord_checks" (docs/results-format.md), every reader reads it
 * back and the report draws it (mean |x| against width, log-log, one line per step).
 */
#ifndef WINIT_COORD_H
#define WINIT_COORD_H

#include <stddef.h>
#include <stdint.h>

#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which values of a layer were measured. */
enum winit_coord_of {
	WINIT_COORD_ACTIVATION,    /* its output, after the activation */
	WINIT_COORD_PRE_ACTIVATION /* before it (the output layer's logits) */
};

#define WINIT_COORD_LAYER_NAME_MAX 48
#define WINIT_COORD_NAME_MAX 128
#define WINIT_COORD_PARAM_MAX 16

struct winit_coord_layer {
	char name[WINIT_COORD_LAYER_NAME_MAX];
	int32_t of;       /* enum winit_coord_of */
	double *mean_abs; /* (steps + 1) x n_widths, step-major: mean_abs[t * n_widths + w] */
	double *change;   /* the same shape: mean |x - x0|, 0 at step 0 */
};

struct winit_coord_check {
	char name[WINIT_COORD_NAME_MAX];             /* with parametrization, its key in a file */
	char parametrization[WINIT_COORD_PARAM_MAX]; /* "standard", "ntk" or "mup" */
	int32_t n_widths, n_seeds, steps, batch_size;
	int64_t *widths; /* increasing, >= 1 */
	int64_t *seeds;  /* the seeds averaged over, >= 0 */
	int32_t n_layers;
	struct winit_coord_layer *layers;
};

/* A coordinate check with room for its lists (zeroed values), or WINIT_ERR_NOMEM (then *c
 * is empty).  Free with winit_coord_check_free. */
int winit_coord_check_alloc(struct winit_coord_check *c, int32_t n_widths, int32_t n_seeds,
                            int32_t steps, int32_t n_layers, struct winit_error *err);
/* A deep copy of src into *dst (WINIT_ERR_NOMEM: *dst empty). */
int winit_coord_check_copy(struct winit_coord_check *dst, const struct winit_coord_check *src,
                           struct winit_error *err);
/* Whether c is one the results file can hold: a name, a known parametrization, widths
 * increasing and >= 1, seeds >= 0, steps >= 0, batch_size >= 1, at least one layer, each
 * named, every mean_abs and change >= 0 or NaN.  WINIT_ERR_ARG names what is not. */
int winit_coord_check_validate(const struct winit_coord_check *c, struct winit_error *err);
void winit_coord_check_free(struct winit_coord_check *c);
/* "activation" or "pre_activation": enum winit_coord_of's names in the file. */
const char *winit_coord_of_name(int32_t of);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_COORD_H */
