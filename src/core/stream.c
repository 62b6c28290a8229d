/* src/core/stream.c -- the stream plan (winit/stream.h): purpose -> (seed, stream id).
 * The constants are frozen: they reproduce every result winit has published. */
#include "config.h"

#include <winit/stream.h>

void winit_stream_open(struct winit_rng *rng, uint64_t run_seed,
                       enum winit_stream_purpose purpose, uint32_t index)
{
	switch (purpose) {
	case WINIT_STREAM_KERNEL:
		winit_rng_seed(rng, winit_seed_mix(run_seed, 1), 2 * (uint64_t)index);
		return;
	case WINIT_STREAM_BIAS:
		winit_rng_seed(rng, winit_seed_mix(run_seed, 1), 2 * (uint64_t)index + 1);
		return;
	case WINIT_STREAM_SHUFFLE:
		winit_rng_seed(rng, run_seed, 2);
		return;
	case WINIT_STREAM_ADAPT_ROWS:
		winit_rng_seed(rng, run_seed, 3);
		return;
	case WINIT_STREAM_PROBE:
		winit_rng_seed(rng, run_seed, 4);
		return;
	case WINIT_STREAM_ADAPT:
		winit_rng_seed(rng, run_seed, 0x100 + (uint64_t)index);
		return;
	case WINIT_STREAM_DROPOUT:
		winit_stream_open_at(rng, run_seed, purpose, index, 0, 0);
		return;
	}
	/* An unknown purpose is a programming error; give it a stream no purpose uses. */
	winit_rng_seed(rng, winit_seed_mix(run_seed, 0xbad), ((uint64_t)purpose << 32) | index);
}

void winit_stream_open_at(struct winit_rng *rng, uint64_t run_seed,
                          enum winit_stream_purpose purpose, uint32_t index, uint64_t step,
                          uint64_t row)
{
	winit_rng_seed(rng, winit_seed_mix(winit_seed_mix(run_seed, (uint64_t)purpose), index),
	               (step << 24) + (row & 0xffffff));
}

/* "paired" in ASCII, mixed with the replicate: an independent run seed mixes the study
 * seed with the run name's 64-bit hash instead, so a paired run seed equals an
 * independent one of the same study only when a name's hash equals this mix (a chance of
 * about 2^-64 per pair of runs; nothing rules it out). */
#define SHARED_TAG UINT64_C(0x7061697265640000)

uint64_t winit_stream_shared_seed(uint64_t study_seed, int32_t replicate)
{
	return winit_seed_mix(study_seed, winit_seed_mix(SHARED_TAG, (uint64_t)(uint32_t)replicate));
}
