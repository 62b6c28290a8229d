/* src/theory/theory_internal.h -- the theory's calls of activation plugins, checked
 * (internal): the buffers an activation writes into sit between guard zones
 * (core/guard.h), so a plugin writing outside them is named instead of corrupting the
 * stack or the heap. */
#ifndef WINIT_THEORY_INTERNAL_H
#define WINIT_THEORY_INTERNAL_H

#include <stddef.h>

#include <winit/error.h>
#include <winit/theory.h>

#include "core/internal.h"

/* Whether an activation's call left the guard zones around its arrays intact: zone[0]
 * before its input z, zone[1] before its input dy, zone[2] before its output y, zone[3]
 * before its output dx, zone[4] after it; else the fault (the plugin, the callback,
 * `during` after its name, which zone of which array) into fault (of size). */
WINIT_INTERNAL int winit_theory_act_intact(const float *const zone[5],
                                           const struct winit_activation *act, int backward,
                                           const char *during, char *fault, size_t size);

/* winit_gauss_expect; when the activation wrote outside its buffers, NaN and the fault,
 * naming the plugin and the callback, in fault (of size; untouched otherwise). */
WINIT_INTERNAL double winit_gauss_expect_checked(const struct winit_activation *act,
                                                 const double *params, double q, int deriv,
                                                 char *fault, size_t size);

/* E[f(sqrt(q) M)^power] for M the largest of k independent N(0, 1) (k = 1: a plain
 * Gaussian), power 1 or 2, by Gauss-Hermite against the density k phi Phi^(k-1); f runs
 * through the plugin wrappers, checked as winit_gauss_expect_checked. */
WINIT_INTERNAL double winit_gauss_max_moment_checked(const struct winit_activation *act,
                                                     const double *params, double q, int power,
                                                     int64_t k, char *fault, size_t size);

/* winit_theory_predict; WINIT_ERR_PLUGIN (the layer, the plugin, the callback) when an
 * activation wrote outside its buffers, out then not applying. */
WINIT_INTERNAL int winit_theory_predict_checked(struct winit_theory *out,
                                                const struct winit_model_spec *spec,
                                                double input_m2, double input_mean,
                                                double output_grad_var,
                                                struct winit_error *err);

/* Where the fixed point (fixed_point.c) takes chi_1 when q* is infinite (the largest q
 * tried) and when it is 0 (the limit q -> 0+: f'(0) alone would take a kink's convention,
 * ReLU'(0) = 0, for the derivative's typical value); correlation.c takes its map there. */
#define WINIT_THEORY_Q_MAX 1e30
#define WINIT_THEORY_Q_ZERO 1e-20

/* The two-dimensional rule of correlation.c: WINIT_CORR_NODES nodes (x1, x2) and weights
 * w for E[g(x1, x2)], (x1, x2) standard normals with correlation c (clamped to [-1, 1]):
 * polar coordinates cut at the rays where x1 = 0 or x2 = 0, composite Gauss-Legendre on
 * each arc and along the radius (see correlation.c for its measured error).  The weights
 * sum to 1 - e^{-72}. */
#define WINIT_CORR_NODES 131072
WINIT_INTERNAL void winit_corr_rule(double c, double *x1, double *x2, double *w);

#endif /* WINIT_THEORY_INTERNAL_H */
