/* winit/rng.h -- counter-free, splittable random streams.
 *
 * Every run draws from its own stream, derived from (study seed, run key), and every
 * consumer within a run (each layer's initializer, the shuffler) from a sub-stream derived
 * from the run's, so neither execution order nor thread count changes a number.
 * Generator: xoshiro256** seeded through splitmix64.
 */
#ifndef WINIT_RNG_H
#define WINIT_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct winit_rng {
	uint64_t s[4];
};

/* Seed a stream from (seed, stream id); distinct ids give independent streams. */
void winit_rng_seed(struct winit_rng *rng, uint64_t seed, uint64_t stream);
/* Mix a seed with a label (e.g. a layer index or a hashed name) into a new seed. */
uint64_t winit_seed_mix(uint64_t seed, uint64_t label);
/* 64-bit FNV-1a of a string, for deriving seeds from names. */
uint64_t winit_hash_str(const char *s);

uint64_t winit_rng_next(struct winit_rng *rng);
double winit_rng_uniform(struct winit_rng *rng);             /* [0, 1) */
double winit_rng_normal(struct winit_rng *rng);              /* N(0, 1) */
uint64_t winit_rng_below(struct winit_rng *rng, uint64_t n); /* uniform in [0, n), unbiased */
/* Keep masks of n_rows streams: mask[r * stride + k] = keep where the k-th of n uniform
 * draws of rngs[r] is >= rate, else 0 (0 <= rate <= 1): the same draws and outcomes as n
 * calls of winit_rng_uniform(&rngs[r]) >= rate, each stream left where those leave it. */
void winit_rng_keep_mask_rows(struct winit_rng *rngs, int64_t n_rows, float *mask,
                              int64_t stride, int64_t n, double rate, float keep);
/* Fisher-Yates shuffle of idx[0..n). */
void winit_rng_shuffle_u32(struct winit_rng *rng, uint32_t *idx, uint32_t n);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_RNG_H */
