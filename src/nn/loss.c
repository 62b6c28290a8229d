/* src/nn/loss.c -- softmax + categorical cross-entropy, fused. */
#include "config.h"

#include <math.h>

#include <winit/train.h>

double winit_softmax_xent(float *dlogits, float *probs, const float *logits,
                          const uint8_t *labels, int64_t n, int64_t c, float grad_scale,
                          int64_t *n_correct)
{
	double total = 0;
	int64_t correct = 0;
	for (int64_t r = 0; r < n; r++) {
		const float *z = logits + r * c; /* (c) */
		int64_t arg = 0;
		float mx = z[0];
		for (int64_t j = 1; j < c; j++)
			if (z[j] > mx) {
				mx = z[j];
				arg = j;
			}
		double sum = 0;
		for (int64_t j = 0; j < c; j++)
			sum += exp((double)z[j] - mx);
		double log_sum = log(sum);
		int y = labels[r];
		/* -log softmax(z)_y = log sum exp(z - max) - (z_y - max) */
		total += log_sum - ((double)z[y] - mx);
		correct += (arg == y);
		if (probs || dlogits) {
			for (int64_t j = 0; j < c; j++) {
				double p = exp((double)z[j] - mx - log_sum);
				if (probs)
					probs[r * c + j] = (float)p;
				if (dlogits)
					dlogits[r * c + j] = (float)((p - (j == y)) * grad_scale);
			}
		}
	}
	if (n_correct)
		*n_correct = correct;
	return total;
}
