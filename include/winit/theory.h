/* winit/theory.h -- what signal-propagation theory predicts for a model at initialization.
 *
 * Mean-field recursion (Poole et al. 2016; Glorot & Bengio 2010; He et al. 2015), for
 * Dense layers l = 1..L with kernels of fan_in n_{l-1} and fan_out n_l:
 *
 *   forward   q_1 = n_0 Var(W_1) m2 + Var(b_1)              m2 = mean x^2 of the input
 *             q_l = n_{l-1} Var(W_l) E[f_{l-1}(z)^2] + Var(b_l),   z ~ N(0, q_{l-1})
 *   backward  g_L = the output layer's measured Var(dL/dz)   (the anchor: the loss sets it)
 *             g_l = n_{l+1} Var(W_{l+1}) E[f_l'(z)^2] g_{l+1},    z ~ N(0, q_l)
 *
 * q_l predicts the pre-activation variance of layer l, g_l the variance of the gradient
 * w.r.t. it.  Var(W) and Var(b) are the initializers' declared `stddev` squared (called
 * without a random stream); the expectations run the activation plugin's own forward and
 * backward at Gauss-Hermite nodes, so a new plugin gets predictions with no new code.
 */
#ifndef WINIT_THEORY_H
#define WINIT_THEORY_H

#include <stdint.h>
#include <winit/model.h>
#include <winit/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nodes of the quadrature winit uses. */
#define WINIT_GH_POINTS 64
/* The most nodes winit_gauss_hermite computes. */
#define WINIT_GH_MAX 256

/* Nodes x and weights w of n-point Gauss-Hermite quadrature (weight e^{-x^2}, so
 * sum w = sqrt(pi)), by Newton's iteration on the orthonormal Hermite recurrence.
 * Returns 0, or -1 when n is outside [1, WINIT_GH_MAX] or an iteration did not converge. */
int winit_gauss_hermite(int n, double *x, double *w);

/* E[f(z)^2] (deriv 0) or E[f'(z)^2] (deriv 1) for z ~ N(0, q), f the element-wise
 * activation `act` with parameters `params`, by WINIT_GH_POINTS-point quadrature. */
double winit_gauss_expect(const struct winit_activation *act, const double *params, double q,
                          int deriv);

struct winit_theory {
	int32_t computed; /* 0: no prediction was attempted */
	int32_t applies;  /* 0: see reason */
	char reason[160];
	int32_t n_layers;
	double pre_var[WINIT_MAX_LAYERS];  /* q_l */
	double grad_var[WINIT_MAX_LAYERS]; /* g_l */
};

/* Predict q_l and g_l for spec at initialization.  It does not apply (out->applies = 0,
 * with the reason) when a kernel initializer is data-aware or declares no standard
 * deviation, a bias initializer declares none, or a hidden layer's activation is
 * row-wise (softmax: the recursion is element-wise).  The output layer's activation never
 * enters the recursion. */
void winit_theory_predict(struct winit_theory *out, const struct winit_model_spec *spec,
                          double input_m2, double output_grad_var);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_THEORY_H */
