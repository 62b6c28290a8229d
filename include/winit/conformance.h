/* winit/conformance.h -- conformance checks for plugin objects (`winit check-plugin`).
 *
 * winit_plugin_check loads one shared object into a fresh registry, exactly as the host
 * does, and runs every descriptor it holds through the contract of <winit/plugin.h>, with
 * the host's own random streams (winit_rng_seed + winit_host_services()):
 *
 *  initializers, with the default parameters, then each REAL / INT parameter alone at
 *  its finite min and max, then each choice of each CHOICE parameter:
 *   - fill of a 1x1, 784x128 and 128x10 kernel, a (10) bias and a 3x3x16x32
 *     convolution kernel (Keras order: receptive field, in, out; fans from
 *     winit_compute_fans) returns 0, writes every value (none left as the checker's
 *     sentinel), writes nothing past the end, and every value is finite.  A fill may
 *     refuse a shape or setting (non-zero return with a reason in err): that is shown
 *     as "skip", except for a 2-D kernel with the default parameters, which every
 *     initializer must fill.  A non-zero return without a reason is a failure;
 *   - determinism: two fills from equal streams are bit-identical; a fill from another
 *     seed tells (info) whether the initializer is random or deterministic;
 *   - stddev (when the callback exists and its value is not NaN; called without a
 *     stream, args->rng NULL, as <winit/plugin.h> says): finite, >= 0, and
 *     equal to the sd of the fill -- within 6 standard errors of the sample sd
 *     (estimated from the sample's own kurtosis) for random fills of at least 1000
 *     values, within 1e-6 relative for deterministic ones;
 *   - with the default parameters, two threads filling at once (different streams)
 *     give the same bits as sequential fills;
 *  activations, with the same parameter settings:
 *   - gain finite and > 0;
 *   - forward and backward finite on a grid of -20..20 and on random normal inputs;
 *   - backward equals dy * f'(x) (or J^T dy per row, WINIT_ACT_ROWWISE, rows of 10) by
 *     central finite differences (h = 1e-3), points within 0.05 of 0 or of a kink
 *     (one-sided differences disagree) skipped; |error| <= 2e-2 |dy| max(1, |f'|);
 *   - forward with y aliasing x and backward with dx aliasing dy match the
 *     out-of-place results (to 1e-5 relative).
 *
 * No bad value, NaN or non-zero return aborts the checks: each becomes a FAIL line.  Nor
 * does a crash or a hang: the object is first loaded in a child process (fork), then each
 * parameter setting of each descriptor is checked in a child of its own with a time limit
 * (10 s by default); a child killed by a signal or by the time limit is one FAIL line
 * naming the setting and the call ("FAIL segv{}: crashed with SIGSEGV (signal 11) during
 * fill 784x128 from stream 1"), and the next setting runs.
 */
#ifndef WINIT_CONFORMANCE_H
#define WINIT_CONFORMANCE_H

#include <stddef.h>
#include <stdio.h>
#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Check the plugin object at `path` and report to `out` (may be NULL for silence):
 *
 *     plugin FILE
 *     initializer he_normal: He normal ...
 *       formula: ...
 *       param scale (real) = 1 in [0, inf): ...
 *       ok   he_normal: fill 784x128 returns 0, all values finite
 *       FAIL bad{scale=2}: stddev() says 0.0707 but the fill's sd is 0.1 (784x128, ...)
 *       info he_normal: random (fills from different seeds differ)
 *       skip identity: fill 10 refused: needs a 2-D tensor, got 1 dims
 *       he_normal: 23 checks, 0 failed
 *     ...
 *     N checks, M failed          ("1 check" when N is 1)
 *
 * `ok` lines appear only when `verbose` is non-zero; FAIL, info and skip lines, the
 * descriptor headers and the counts always do.  *n_failed (may be NULL) receives M.
 *
 * Returns 0 when the object loaded and every check passed; WINIT_ERR_PLUGIN when a check
 * failed (err says how many) or the object was refused by the loader (then the loader's
 * message is printed as a FAIL line, counted as one failed check, and copied to err);
 * WINIT_ERR_NOMEM / WINIT_ERR_ARG for an allocation failure or a NULL path (err set). */
int winit_plugin_check(const char *path, FILE *out, int verbose, size_t *n_failed,
                       struct winit_error *err);

#define WINIT_CHECK_TIMEOUT_DEFAULT 10.0

struct winit_check_options {
	int verbose;    /* print ok lines too */
	double timeout; /* seconds each setting's checks may take; <= 0: the default (10) */
	int in_process; /* 1: no child processes (a crash or hang takes the caller with it) */
};

/* winit_plugin_check with options. */
int winit_plugin_check_with(const char *path, FILE *out, const struct winit_check_options *opt,
                            size_t *n_failed, struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_CONFORMANCE_H */
