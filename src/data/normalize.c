/* src/data/normalize.c -- input normalisation with statistics from the training rows only:
 * "scale" (x / max |x|) and "standardize" ((x - mean) / sd per feature), on the values the
 * model sees (pixel / 255 for images).  Sums are in double, in row order, so the same data
 * gives the same statistics everywhere. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/data.h>

/* Sample r's feature j as the model sees it. */
static double value(const struct winit_dataset *ds, int64_t r, int64_t j)
{
	size_t k = (size_t)r * (size_t)ds->n_features + (size_t)j;
	return ds->xf ? (double)ds->xf[k] : (double)((float)ds->x[k] / 255.0f);
}

void winit_normalizer_free(struct winit_normalizer *nz)
{
	free(nz->shift);
	free(nz->scale);
	memset(nz, 0, sizeof *nz);
}

int winit_normalizer_fit(struct winit_normalizer *nz, int32_t kind, const struct winit_dataset *ds,
                         int64_t n_rows, struct winit_error *err)
{
	memset(nz, 0, sizeof *nz);
	if (kind < WINIT_NORMALIZE_NONE || kind > WINIT_NORMALIZE_STANDARDIZE)
		return winit_error_set(err, WINIT_ERR_ARG, "normalize: unknown kind %d", (int)kind);
	if (n_rows < 1 || n_rows > ds->n)
		return winit_error_set(err, WINIT_ERR_ARG, "normalize: %lld training rows of %lld samples; expected 1 to %lld",
		                       (long long)n_rows, (long long)ds->n, (long long)ds->n);
	const int64_t f = ds->n_features;
	nz->shift = calloc((size_t)f, sizeof(double));
	nz->scale = malloc((size_t)f * sizeof(double));
	if (!nz->shift || !nz->scale) {
		winit_normalizer_free(nz);
		return winit_error_set(err, WINIT_ERR_NOMEM, "normalize: cannot allocate %lld statistics",
		                       (long long)f);
	}
	nz->kind = kind;
	nz->n_features = f;
	for (int64_t j = 0; j < f; j++)
		nz->scale[j] = 1;
	if (kind == WINIT_NORMALIZE_SCALE) {
		double m = 0;
		for (int64_t r = 0; r < n_rows; r++)
			for (int64_t j = 0; j < f; j++)
				m = fmax(m, fabs(value(ds, r, j)));
		for (int64_t j = 0; m > 0 && j < f; j++)
			nz->scale[j] = 1 / m;
	} else if (kind == WINIT_NORMALIZE_STANDARDIZE) {
		for (int64_t r = 0; r < n_rows; r++)
			for (int64_t j = 0; j < f; j++)
				nz->shift[j] += value(ds, r, j);
		for (int64_t j = 0; j < f; j++)
			nz->shift[j] /= (double)n_rows;
		for (int64_t j = 0; j < f; j++) {
			double ss = 0;
			for (int64_t r = 0; r < n_rows; r++) {
				double d = value(ds, r, j) - nz->shift[j];
				ss += d * d;
			}
			double sd = sqrt(ss / (double)n_rows);
			nz->scale[j] = sd > 0 ? 1 / sd : 1;
		}
	}
	return WINIT_OK;
}

int winit_dataset_normalize(struct winit_dataset *ds, const struct winit_normalizer *nz,
                            struct winit_error *err)
{
	const int64_t f = ds->n_features;
	if (nz->kind == WINIT_NORMALIZE_NONE)
		return WINIT_OK;
	if (nz->n_features != f)
		return winit_error_set(err, WINIT_ERR_ARG, "normalize: statistics of %lld features for data of %lld",
		                       (long long)nz->n_features, (long long)f);
	int identity = 1;
	for (int64_t j = 0; j < f; j++)
		identity &= nz->shift[j] == 0 && nz->scale[j] == 1;
	if (identity)
		return WINIT_OK;
	float *xf = ds->xf;
	if (!xf) {
		xf = malloc((size_t)ds->n * (size_t)f * sizeof(float));
		if (!xf)
			return winit_error_set(err, WINIT_ERR_NOMEM, "normalize: cannot allocate %lld x %lld floats",
			                       (long long)ds->n, (long long)f);
	}
	for (int64_t r = 0; r < ds->n; r++)
		for (int64_t j = 0; j < f; j++) {
			size_t k = (size_t)r * (size_t)f + (size_t)j;
			xf[k] = (float)((value(ds, r, j) - nz->shift[j]) * nz->scale[j]);
		}
	if (!ds->xf) {
		if (!ds->map) /* mapped pixels go with the mapping (the labels live there) */
			free(ds->x);
		ds->x = NULL;
		ds->xf = xf;
	}
	return WINIT_OK;
}
