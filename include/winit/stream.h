/* winit/stream.h -- the stream plan: every random draw of a run, by purpose.
 *
 * A run has one seed (its run seed, see winit_run_seed).  Each consumer of randomness
 * within the run draws from its own stream, opened here by purpose and index, so that
 * adding a layer, turning diagnostics on or reordering work never shifts another
 * consumer's numbers.  The mapping below is part of winit's reproducibility promise:
 * changing it changes every published result, so purposes are only ever added.
 *
 *   purpose                 index     stream
 *   WINIT_STREAM_KERNEL     layer i   (mix(run seed, 1), 2i)      initializer of kernel i
 *   WINIT_STREAM_BIAS       layer i   (mix(run seed, 1), 2i + 1)  initializer of bias i
 *   WINIT_STREAM_SHUFFLE    -         (run seed, 2)               every epoch's shuffle
 *   WINIT_STREAM_ADAPT_ROWS -         (run seed, 3)               rows shown to adapt hooks
 *   WINIT_STREAM_PROBE      -         (run seed, 4)               diagnostics' probe rows
 *   WINIT_STREAM_ADAPT      layer i   (run seed, 0x100 + i)       adapt hook of layer i
 *   WINIT_STREAM_DROPOUT    layer i,  (mix(mix(run seed, 7), i),    Dropout's mask of layer
 *                           step t,    t 2^24 + r)                   i, example r of the
 *                           example r                                batch of step t
 *
 * (stream = winit_rng_seed's (seed, stream id) pair.)
 *
 * The run seed itself depends on the study's design (winit/study.h, winit_run_seed):
 *   paired       run seed = winit_stream_shared_seed(study seed, replicate), the same for
 *                replicate r of every condition, so every stream above is shared: equal
 *                shuffles, probe and adapt rows, and equal weights for layer i wherever
 *                its initializer, parameters and shape are equal (common random numbers);
 *   independent  run seed = mix(study seed, FNV-1a(run name)).
 */
#ifndef WINIT_STREAM_H
#define WINIT_STREAM_H

#include <stdint.h>
#include <winit/rng.h>

#ifdef __cplusplus
extern "C" {
#endif

enum winit_stream_purpose {
	WINIT_STREAM_KERNEL = 1,
	WINIT_STREAM_BIAS = 2,
	WINIT_STREAM_SHUFFLE = 3,
	WINIT_STREAM_ADAPT_ROWS = 4,
	WINIT_STREAM_ADAPT = 5,
	WINIT_STREAM_PROBE = 6,
	WINIT_STREAM_DROPOUT = 7
};

/* Seed rng as the stream of `purpose` (and `index`, a layer for per-layer purposes; 0
 * otherwise) of the run whose seed is run_seed. */
void winit_stream_open(struct winit_rng *rng, uint64_t run_seed,
                       enum winit_stream_purpose purpose, uint32_t index);

/* Seed rng as the stream of a purpose drawn per step and example (WINIT_STREAM_DROPOUT):
 * the draws of example `row` (< 2^24) of the batch of step `step`, so a mask depends on
 * neither the thread that draws it nor the order. */
void winit_stream_open_at(struct winit_rng *rng, uint64_t run_seed,
                          enum winit_stream_purpose purpose, uint32_t index, uint64_t step,
                          uint64_t row);

/* The run seed replicate r of every condition shares in the paired design. */
uint64_t winit_stream_shared_seed(uint64_t study_seed, int32_t replicate);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_STREAM_H */
