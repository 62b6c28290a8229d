/* src/data/synthetic.c -- generated datasets for experiments: Gaussian classes.  Every
 * number comes from streams of the seed (class means, labels, noise), so the same
 * arguments give the same data on every machine. */
#include "config.h"

#include <float.h>
#include <stdlib.h>

#include <winit/data.h>
#include <winit/rng.h>

enum { STREAM_MEANS = 1,
       STREAM_SAMPLES = 2 };

int winit_dataset_gaussian(struct winit_dataset *out, int64_t n, int64_t features,
                           int32_t classes, double separation, uint64_t seed,
                           struct winit_error *err)
{
	/* Means are N(0, separation^2) floats: below FLT_MAX / 64 none is infinite. */
	if (!(separation >= 0 && separation <= FLT_MAX / 64))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "gaussian: separation must be finite, in [0, %g] (got %g)",
		                       (double)(FLT_MAX / 64), separation);
	int rc = winit_dataset_init_float(out, n, features, classes, err);
	if (rc)
		return rc;
	double *mu = malloc((size_t)classes * (size_t)features * sizeof *mu); /* (classes, features) */
	if (!mu) {
		winit_dataset_free(out);
		return winit_error_set(err, WINIT_ERR_NOMEM, "gaussian: cannot allocate the class means");
	}
	struct winit_rng rng;
	winit_rng_seed(&rng, seed, STREAM_MEANS);
	for (int64_t i = 0; i < (int64_t)classes * features; i++)
		mu[i] = separation * winit_rng_normal(&rng);
	winit_rng_seed(&rng, seed, STREAM_SAMPLES);
	for (int64_t r = 0; r < n; r++) {
		int32_t c = (int32_t)winit_rng_below(&rng, (uint64_t)classes);
		out->y[r] = (uint8_t)c;
		for (int64_t j = 0; j < features; j++)
			out->xf[r * features + j] = (float)(mu[c * features + j] + winit_rng_normal(&rng));
	}
	free(mu);
	return WINIT_OK;
}
