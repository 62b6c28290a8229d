/* winit/spectrum.h -- the singular values of a network's input-output Jacobian at
 * initialization as the results file keeps them: for one configuration (activation,
 * weights, sigma_w, sigma_b), measured on a few networks and inputs at several depths,
 * per depth the moments of s^2 and a histogram of log10 s, with theory's predictions
 * beside them (the mean chi_1^L and the normalized variance L (v_W + v_D): free
 * probability, Pennington et al. 2017).  The Lua binding attaches one to a study
 * (study:add_spectrum); the study's results file holds it in "spectra"
 * (docs/results-format.md), every reader reads it back and the report draws it (mean s^2
 * and the spread against depth, the histograms).
 */
#ifndef WINIT_SPECTRUM_H
#define WINIT_SPECTRUM_H

#include <stddef.h>
#include <stdint.h>

#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_SPECTRUM_NAME_MAX 128 /* name, its key in a file */
#define WINIT_SPECTRUM_WORD_MAX 32  /* activation, weights */

/* The spectrum at one depth: the Jacobian of layer `depth`'s output with respect to the
 * input.  Theory's values are NaN where it gives no prediction (null in the file). */
struct winit_spectrum_depth {
	int32_t depth;               /* >= 1, increasing over a spectrum's depths */
	int64_t values;              /* how many singular values s: networks x examples x width, say */
	double mean_sq;              /* mean of s^2 over all of them */
	double *mean_sq_per_network; /* `networks` of them */
	double var_sq;               /* variance of s^2 (over n, not n - 1) */
	double norm_var;             /* var_sq / mean_sq^2 */
	double max, min;             /* of s */
	double theory_mean_sq, theory_var_sq, theory_norm_var;
	int64_t *hist_counts; /* `hist_bins` of them, summing to values: log10 s in
	                       * hist_lo..hist_hi, the outermost bins holding what lies beyond */
};

struct winit_spectrum {
	char name[WINIT_SPECTRUM_NAME_MAX]; /* e.g. "tanh orthogonal"; unique in a file */
	char activation[WINIT_SPECTRUM_WORD_MAX];
	char weights[WINIT_SPECTRUM_WORD_MAX]; /* e.g. "orthogonal", "gaussian" */
	double sigma_w, sigma_b;               /* >= 0 */
	double q_star;                         /* the fixed point of the pre-activations' variance; NaN: none */
	double chi_1;                          /* >= 0 */
	double v_w, v_d;                       /* >= 0: the weights' and the activation's share of the spread */
	int32_t width, networks, examples;     /* >= 1 */
	double hist_lo, hist_hi;               /* the histogram's range of log10 s, lo < hi */
	int32_t hist_bins;                     /* >= 1 */
	int32_t n_depths;                      /* >= 1 */
	struct winit_spectrum_depth *depths;
};

/* A spectrum with room for n_depths depths, each with `networks` means and `hist_bins`
 * counts (zeroed values), or WINIT_ERR_NOMEM / WINIT_ERR_ARG (negative sizes; then *s is
 * empty).  Sets n_depths, networks and hist_bins.  Free with winit_spectrum_free. */
int winit_spectrum_alloc(struct winit_spectrum *s, int32_t n_depths, int32_t networks,
                         int32_t hist_bins, struct winit_error *err);
/* A deep copy of src into *dst (WINIT_ERR_NOMEM: *dst empty). */
int winit_spectrum_copy(struct winit_spectrum *dst, const struct winit_spectrum *src,
                        struct winit_error *err);
/* Whether s is one the results file can hold: a name, an activation and weights; sigma_w,
 * sigma_b, chi_1, v_w, v_d finite and >= 0, q_star finite and >= 0 or NaN; width,
 * networks, examples, hist_bins >= 1; hist_lo < hi, both finite; at least one depth,
 * depths >= 1 and increasing; per depth values >= 1, mean_sq, var_sq, norm_var, max, min
 * and the means per network finite and >= 0, min <= max, the counts >= 0 summing to
 * values, theory's values finite or NaN.  WINIT_ERR_ARG names what is not. */
int winit_spectrum_validate(const struct winit_spectrum *s, struct winit_error *err);
void winit_spectrum_free(struct winit_spectrum *s);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_SPECTRUM_H */
