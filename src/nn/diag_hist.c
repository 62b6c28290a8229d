/* src/nn/diag_hist.c -- the histogram of a kernel's weights at initialization
 * (winit/diagnostics.h, struct winit_diag_hist): fixed bins over a range symmetric about
 * 0, so every initializer's picture reads on the same kind of axis. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <winit/diagnostics.h>

void winit_diag_histogram(struct winit_diag_hist *h, const float *w, int64_t n)
{
	memset(h, 0, sizeof *h);
	h->declared_sd = NAN;
	double s = 0, ss = 0;
	for (int64_t i = 0; i < n; i++)
		s += w[i];
	double mean = n > 0 ? s / (double)n : 0;
	for (int64_t i = 0; i < n; i++) {
		double d = w[i] - mean;
		ss += d * d;
	}
	double sd = n > 0 ? sqrt(ss / (double)n) : 0;
	double r = fmax(WINIT_DIAG_HIST_SDS * sd, 2 * fabs(mean));
	h->half_width = isfinite(r) ? r : 0;
	const int centre = WINIT_DIAG_HIST_BINS / 2;
	for (int64_t i = 0; i < n; i++) {
		double v = w[i];
		if (h->half_width == 0) { /* an all-zero kernel: r is 0 only then */
			if (v == 0)
				h->count[centre]++;
			else if (v < 0)
				h->underflow++;
			else
				h->overflow++; /* NaN too: every weight is counted somewhere */
		} else if (v < -h->half_width) {
			h->underflow++;
		} else if (!(v <= h->half_width)) {
			h->overflow++;
		} else {
			int b = (int)((v + h->half_width) / (2 * h->half_width) * WINIT_DIAG_HIST_BINS);
			h->count[b < WINIT_DIAG_HIST_BINS ? b : WINIT_DIAG_HIST_BINS - 1]++;
		}
	}
}
