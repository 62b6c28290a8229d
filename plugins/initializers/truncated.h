/* plugins/initializers/truncated.h -- Keras's truncated normal, shared (header-only, so
 * each plugin stays one self-contained shared object) by the initializers that draw
 * from it: glorot_normal, he_normal, truncated_normal and the variance_scaling family. */
#ifndef WINIT_PLUGINS_TRUNCATED_H
#define WINIT_PLUGINS_TRUNCATED_H

#include <math.h>

#include <winit/plugin.h>

/* The standard deviation of N(0, 1) truncated to [-2, 2]: Keras draws from N(0, s^2) with
 * s = sd / TRUNCATED_SD so that the kept values have standard deviation sd. */
#define TRUNCATED_SD 0.87962566103423978

/* w[i] = mean + s * z, z ~ N(0, 1) redrawn until |z| <= 2 (Keras: beyond 2 s). */
static inline void fill_truncated_normal(float *w, const struct winit_fill_args *args,
					 double mean, double s)
{
	for (int64_t i = 0; i < args->n; i++) {
		double z;
		do
			z = args->host->normal(args->rng);
		while (fabs(z) > 2.0);
		w[i] = (float)(mean + s * z);
	}
}

#endif
