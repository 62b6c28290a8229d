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
#include <winit/error.h>
#include <winit/model.h>
#include <winit/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Nodes of the quadrature winit uses. */
#define WINIT_GH_POINTS 64
/* The most nodes winit_gauss_hermite computes (its Newton iteration from Numerical
 * Recipes' initial guesses loses roots from n = 199 on). */
#define WINIT_GH_MAX 192

/* Nodes x and weights w of n-point Gauss-Hermite quadrature (weight e^{-x^2}, so
 * sum w = sqrt(pi)), by Newton's iteration on the orthonormal Hermite recurrence.
 * Returns 0, or -1 when n is outside [1, WINIT_GH_MAX], an iteration did not converge, or
 * the result fails its check (nodes strictly decreasing, weights summing to sqrt(pi)). */
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
	double *pre_var;  /* (n_layers) q_l, owned: winit_theory_free */
	double *grad_var; /* (n_layers) g_l, owned */
};

/* Make t hold n_layers predictions (zeroed; t->n_layers = n_layers), freeing what it held:
 * t must be zeroed or a theory of these functions.  Returns WINIT_ERR_NOMEM or WINIT_OK. */
int winit_theory_alloc(struct winit_theory *t, int32_t n_layers);
void winit_theory_free(struct winit_theory *t);

/* Predict q_l and g_l for spec at initialization.  It does not apply (out->applies = 0,
 * with the reason) when a kernel initializer is data-aware or declares no standard
 * deviation, a bias initializer declares none, or a hidden layer's activation is
 * row-wise (softmax: the recursion is element-wise).  The output layer's activation never
 * enters the recursion. */
void winit_theory_predict(struct winit_theory *out, const struct winit_model_spec *spec,
                          double input_m2, double output_grad_var);
/* (out must be zeroed or a theory of these functions: what it held is freed; with no
 * memory for the predictions it does not apply, and says so.) */

/* The mean-field fixed point of a deep, wide stack of one activation f whose kernels are
 * N(0, sigma_w^2 / fan_in) and biases N(0, sigma_b^2) (Poole et al. 2016; Schoenholz et
 * al. 2017): the pre-activation variance every layer tends to, and how a gradient's
 * variance changes per layer there.
 *
 *   q*    = sigma_w^2 E[f(z)^2] + sigma_b^2,  z ~ N(0, q*)     (the stable, largest root)
 *   chi_1 = sigma_w^2 E[f'(z)^2],              z ~ N(0, q*)
 *
 * chi_1 < 1 is the ordered phase (gradients vanish towards the input, by chi_1 per
 * layer), chi_1 > 1 the chaotic one (they explode), chi_1 = 1 the edge of chaos.  The
 * depth scale 1 / |ln chi_1| is the number of layers over which the gradient variance
 * changes by a factor e (infinite at chi_1 = 1). */
struct winit_fixed_point {
	double q_star;      /* 0 when the signal dies out; INFINITY when q grows without bound */
	double chi_1;       /* at q* (at q -> 0+ when q* = 0, at q = 1e30 when q* = inf) */
	double depth_scale; /* 1 / |ln chi_1| */
};

/* The fixed point of `act` (element-wise; its parameters `params`) for sigma_w > 0 and
 * sigma_b >= 0, both finite.  The expectations run the plugin's own forward and backward
 * (composite three-point Gauss-Legendre in z / sqrt(q) over [-10, 10], 2400 nodes).  Returns 0, or WINIT_ERR_ARG (a bad sigma, a
 * row-wise activation) or WINIT_ERR_NUMERIC (the plugin returned a non-finite value)
 * with err filled. */
int winit_theory_fixed_point(struct winit_fixed_point *out, const struct winit_activation *act,
                             const double *params, double sigma_w, double sigma_b,
                             struct winit_error *err);

/* The sigma_w in [lo, hi] where chi_1 = 1 for this sigma_b (the edge of chaos), by
 * bisection, to 1e-9 relative.  chi_1 must be below 1 at lo and above 1 at hi: otherwise
 * WINIT_ERR_ARG, naming both values.  Returns 0 with *sigma_w set, or an error. */
int winit_theory_critical_sigma_w(double *sigma_w, const struct winit_activation *act,
                                  const double *params, double sigma_b, double lo, double hi,
                                  struct winit_error *err);

/* Correlations, not only variances (Poole et al. 2016; Schoenholz et al. 2017).  Two
 * inputs whose pre-activations u1, u2 at one layer have variances q1, q2 and correlation
 * c (bivariate normal) have, one layer on, through kernels N(0, sigma_w^2 / fan_in) and
 * biases N(0, sigma_b^2):
 *
 *   q1'  = sigma_w^2 E[f(u1)^2] + sigma_b^2,       likewise q2'
 *   q12' = sigma_w^2 E[f(u1) f(u2)] + sigma_b^2,   c' = q12' / sqrt(q1' q2')
 *
 * The expectations run the plugin's own forward (in float) at the nodes of a
 * two-dimensional rule in polar coordinates cut at the rays where u1 = 0 or u2 = 0, with
 * composite 16-point Gauss-Legendre on each arc and along the radius (131,072 nodes), not
 * a Gauss-Hermite tensor product: a kink at 0 (ReLU) is never crossed.  Against the closed
 * forms in double precision (ReLU's arc-cosine kernel, the step kernel of its derivative,
 * erf's arcsine kernel) it is exact to 1e-14, where a 192 x 192 Gauss-Hermite product is
 * off by 7e-4 (ReLU) and 1e-2 (step); smooth activations lose accuracy as q grows (tanh
 * and tanh': 6e-11 at q <= 50, 2e-8 at q = 200, 6e-7 at q = 1000), and a kink away from
 * 0 (a hard tanh) is crossed (1e-5).
 * Through a plugin, float rounding (about 1e-7 relative) comes on top.
 * src/theory/correlation.c has the measurements. */
struct winit_correlation {
	double q1, q2; /* q1', q2' */
	double q12;    /* q12' */
	double c;      /* c' = q12' / sqrt(q1' q2'), in [-1, 1] */
};

/* The map of one layer for `act` (element-wise; parameters `params`), sigma_w > 0,
 * sigma_b >= 0, q1 and q2 finite and > 0, c in [-1, 1].  Returns 0, WINIT_ERR_ARG (a bad
 * argument, named; a row-wise activation), WINIT_ERR_NUMERIC (a non-finite value, or
 * q1' or q2' = 0), WINIT_ERR_PLUGIN (the plugin wrote outside its buffers) or
 * WINIT_ERR_NOMEM, with err filled. */
int winit_theory_correlation_map(struct winit_correlation *out,
                                 const struct winit_activation *act, const double *params,
                                 double sigma_w, double sigma_b, double q1, double q2, double c,
                                 struct winit_error *err);

/* At the variance fixed point q* (q1 = q2 = q*), the correlation map c -> c' and what it
 * says about depth (Schoenholz et al. 2017):
 *
 *   c*    the stable fixed point of c -> c' in [0, 1]: 1 when c = 1 is stable (the
 *         ordered phase: any two inputs end up identical), below 1 in the chaotic phase
 *         (nearby inputs decorrelate down to c*)
 *   chi_c = sigma_w^2 E[f'(u1) f'(u2)] at (q*, c*): the slope dc'/dc there; equals chi_1
 *         when c* = 1, and 1 at the edge of chaos
 *   xi_q  = -1 / ln(chi_1 + sigma_w^2 E[f''(u) f(u)]): the depth over which q approaches
 *         q*; the bracket is the variance map's slope dq'/dq at q*, taken as
 *         sigma_w^2 E[z f(sqrt(q*) z) f'(sqrt(q*) z)] / sqrt(q*) (Gaussian integration by
 *         parts, E[z g(z)] = E[g'(z)] with g = f f'), so no f'' is needed and a kink at 0
 *         (ReLU: f'' a delta where f = 0) is exact
 *   xi_c  = -1 / ln chi_c: the depth over which c approaches c*, infinite at the edge of
 *         chaos; Schoenholz et al. find networks trainable to about 6 xi_c layers
 *
 * Both depth scales are written 1 / |ln x| (infinite at x = 1), as the fixed point's
 * depth_scale.  c* is found by bisecting c' - c on [0, 1) after bracketing it below 1
 * (c' is increasing and convex on [0, 1] for any f: a series in c with coefficients
 * >= 0), to 1e-13 in c, then limited by the float rounding of the plugin (c' - c below
 * 1e-11 counts as 0: at the edge c* = 1).  When c' (0) = 0 (an odd activation without
 * bias, in the chaotic phase) c* = 0.  When q* is 0 or infinite, the map is taken where
 * winit_theory_fixed_point takes chi_1 (q = 1e-20, 1e30), normalised by q1' q2'; chi_c is
 * then sigma_w^2 E[f'(u1) f'(u2)] as defined, no longer the normalised map's slope (ReLU
 * beyond sqrt 2: c* = 1, where c' >= c for every c, and chi_c = chi_1 = sigma_w^2 / 2). */
struct winit_correlation_fixed_point {
	double q_star, chi_1; /* as winit_theory_fixed_point */
	double c_star;
	double chi_c;
	double xi_q;
	double xi_c;
};

/* The correlation fixed point for `act` (element-wise) at sigma_w > 0, sigma_b >= 0.
 * Returns 0 or an error as winit_theory_correlation_map, err filled. */
int winit_theory_correlation_fixed_point(struct winit_correlation_fixed_point *out,
                                         const struct winit_activation *act,
                                         const double *params, double sigma_w,
                                         double sigma_b, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_THEORY_H */
