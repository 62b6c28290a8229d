/* winit/plugin_call.h -- calling plugins from the host: the one place that builds their
 * arguments (Keras fans, gain, parameter values, host services, random stream) and
 * checks what they return.  Used by model initialisation, `winit info` and
 * `winit check-plugin`; a program embedding libwinit calls plugins the same way.
 */
#ifndef WINIT_PLUGIN_CALL_H
#define WINIT_PLUGIN_CALL_H

#include <stdint.h>
#include <winit/error.h>
#include <winit/plugin.h>
#include <winit/rng.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The host service table handed to plugins (src/plugin/host.c); its `rng` arguments are
 * struct winit_rng * (winit/rng.h). */
const struct winit_host *winit_host_services(void);

/* out[i] = the declared default of parameter i, for every declared parameter; the rest 0. */
void winit_params_defaults(double out[WINIT_MAX_PARAMS], const struct winit_plugin_info *info);

/* Arguments for calling `init` on a row-major tensor of n_dims dims: n = product of dims,
 * fans by Keras's compute_fans (winit_compute_fans), the activation's gain, the parameter
 * values (declaration order, already validated), winit_host_services() and the stream
 * `rng` (NULL for stddev, which must not draw).  dims and params must outlive args. */
void winit_fill_args_init(struct winit_fill_args *args, const struct winit_initializer *init,
                          const int64_t *dims, uint32_t n_dims, double gain,
                          const double *params, struct winit_rng *rng);

/* Fill w (the product of dims values) from the stream rng.  w is first set to a NaN
 * sentinel; a non-zero return, a value left unwritten or a non-finite value is an error
 * naming `what` (e.g. "layer 2 kernel"), the initializer and the first bad index:
 *   WINIT_ERR_PLUGIN  "layer 2 kernel: initializer 'x' failed: <its reason>"
 *                     "layer 2 kernel: initializer 'x' left 3 of 10 values unwritten
 *                      (first at index 7); fill must write all args->n values"
 *   WINIT_ERR_NUMERIC "layer 2 kernel: initializer 'x' produced a non-finite value at
 *                      index 4" */
int winit_initializer_fill(const struct winit_initializer *init, float *w, const int64_t *dims,
                           uint32_t n_dims, double gain, const double *params,
                           struct winit_rng *rng, const char *what, struct winit_error *err);

/* The standard deviation `init` says its fill yields for this shape (called without a
 * stream); NaN when it has no stddev callback or the value is not defined. */
double winit_initializer_stddev(const struct winit_initializer *init, const int64_t *dims,
                                uint32_t n_dims, double gain, const double *params);

/* The data-aware hook, when `init` has one (WINIT_HAS_FIELD and non-NULL), else NULL. */
const struct winit_initializer *winit_initializer_adapter(const struct winit_initializer *init);

/* Run `init`'s adapt hook on w (dims, after its fill) with the probe and the stream rng.
 * A non-zero return or a non-finite value afterwards is an error naming `what`, the
 * initializer and (for a value) the first bad index.  WINIT_OK without a call when
 * `init` is not data-aware. */
int winit_initializer_adapt(const struct winit_initializer *init, float *w, const int64_t *dims,
                            uint32_t n_dims, double gain, const double *params,
                            struct winit_rng *rng, const struct winit_probe *probe,
                            const char *what, struct winit_error *err);

/* An activation's callbacks, called through the host so that a crash inside them is
 * named (see below). */
double winit_activation_gain(const struct winit_activation *act, const double *params);
void winit_activation_forward(const struct winit_activation *act, float *y, const float *x,
                              int64_t rows, int64_t cols, const double *params);
void winit_activation_backward(const struct winit_activation *act, float *dx, const float *dy,
                               const float *x, const float *y, int64_t rows, int64_t cols,
                               const double *params);

/* Which plugin call this thread is running, for the fatal-signal report: every helper
 * above records it.  When winit loads its first plugin object it installs handlers for
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that write "winit: fatal signal SIGSEGV in
 * plugin 'x' (initializer fill); stopping" to stderr with write(2), then pass the signal
 * to the handler installed before (if any) or re-raise it, so the process dies of it.  A
 * program calling a plugin's callbacks itself wraps them in enter/leave. */
struct winit_plugin_call {
	const char *plugin;   /* the descriptor's name, or NULL outside a plugin call */
	const char *callback; /* e.g. "initializer fill", "activation forward" */
};
/* Record a call; returns the previous record for winit_plugin_call_leave. */
struct winit_plugin_call winit_plugin_call_enter(const char *plugin, const char *callback);
void winit_plugin_call_leave(struct winit_plugin_call saved);
/* Install the handlers now (idempotent; the loader does it on the first load). */
void winit_plugin_crash_report_install(void);
/* "SIGSEGV" for SIGSEGV, and so on; "a signal" for one it does not name. */
const char *winit_signal_name(int sig);

/* Said by host code running as a guarded plugin call (an initializer written in Lua) that
 * stops by itself (a Lua hook): no jump out of it; it asks winit_plugin_call_overdue. */
void winit_plugin_call_cooperative(void);
/* 1 when this thread's guarded plugin call is past the time limit (*limit: the limit in
 * seconds), else 0. */
int winit_plugin_call_overdue(double *limit);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_PLUGIN_CALL_H */
