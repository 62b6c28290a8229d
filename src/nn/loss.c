/* src/nn/loss.c -- the losses a model is compiled with: softmax + categorical
 * cross-entropy fused on the logits, and cross-entropy on any other output activation. */
#include "config.h"

#include <math.h>
#include <string.h>

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

/* -log(clip(p_y, eps, 1 - eps)) on the activations a (n, c), as Keras computes
 * categorical cross-entropy for outputs that are not fused logits; dout (may be NULL) is
 * its gradient w.r.t. a, times scale. */
static double xent_on_probs(float *dout, const float *a, const uint8_t *labels, int64_t n,
                            int64_t c, float scale, int64_t *n_correct)
{
	const float eps = 1e-7f;
	double total = 0;
	int64_t hits = 0;
	for (int64_t r = 0; r < n; r++) {
		int64_t arg = 0;
		for (int64_t j = 1; j < c; j++)
			if (a[r * c + j] > a[r * c + arg])
				arg = j;
		hits += arg == labels[r];
		float p = a[r * c + labels[r]];
		float pc = p < eps ? eps : p > 1 - eps ? 1 - eps :
		                                         p;
		total += -log((double)pc);
		if (dout) {
			memset(dout + r * c, 0, (size_t)c * sizeof *dout);
			if (p == pc)
				dout[r * c + labels[r]] = -scale / pc;
		}
	}
	*n_correct = hits;
	return total;
}

double winit_model_loss(const struct winit_model *m, const uint8_t *labels, int64_t n,
                        float *dout, float scale, int64_t *n_correct)
{
	int last = m->spec.n_layers - 1;
	int64_t c = m->layer[last].n_out;
	/* spec.loss is WINIT_LOSS_CATEGORICAL_CROSSENTROPY (winit_model_spec_check). */
	if (m->output_fused)
		return winit_softmax_xent(dout, NULL, m->z[last], labels, n, c, scale, n_correct);
	return xent_on_probs(dout, m->a[last], labels, n, c, scale, n_correct);
}
