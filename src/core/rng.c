/* src/core/rng.c -- xoshiro256** streams seeded through splitmix64, and the host
 * service table plugins draw their randomness from. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include <winit/plugin_util.h> /* WINIT_HOT */
#include <winit/rng.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t winit_seed_mix(uint64_t seed, uint64_t label)
{
	uint64_t x = seed ^ (label * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
	splitmix64(&x);
	return splitmix64(&x);
}

uint64_t winit_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void winit_rng_seed(struct winit_rng *rng, uint64_t seed, uint64_t stream)
{
	uint64_t x = winit_seed_mix(seed, stream);
	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t winit_rng_next(struct winit_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double winit_rng_uniform(struct winit_rng *rng)
{
	return (double)(winit_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Each value is a uniform draw compared as an integer: with u = k * 2^-53 (k the draw's
 * top 53 bits), u >= rate exactly when k >= ceil(rate * 2^53) (both products are exact).
 * The streams go eight at a time, one per vector lane, 64 values of each per block,
 * transposed into their rows from a block on the stack: a call per value was most of a
 * Dropout layer's forward pass. */
#define MASK_LANES 8
#define MASK_BLOCK 64

WINIT_HOT static void keep_mask_rows(struct winit_rng *rngs, int64_t n_rows, float *mask,
                                     int64_t stride, int64_t n, double rate, float keep)
{
	const uint64_t least = rate > 0 ? (uint64_t)ceil(rate * 0x1.0p53) : 0;
	for (int64_t g0 = 0; g0 < n_rows; g0 += MASK_LANES) {
		const int lanes = n_rows - g0 < MASK_LANES ? (int)(n_rows - g0) : MASK_LANES;
		uint64_t s0[MASK_LANES], s1[MASK_LANES], s2[MASK_LANES], s3[MASK_LANES];
		for (int l = 0; l < MASK_LANES; l++) { /* spare lanes run a copy of the first */
			const struct winit_rng *r = &rngs[g0 + (l < lanes ? l : 0)];
			s0[l] = r->s[0];
			s1[l] = r->s[1];
			s2[l] = r->s[2];
			s3[l] = r->s[3];
		}
		for (int64_t k0 = 0; k0 < n; k0 += MASK_BLOCK) {
			const int64_t kb = n - k0 < MASK_BLOCK ? n - k0 : MASK_BLOCK;
			float block[MASK_BLOCK][MASK_LANES];
			for (int64_t k = 0; k < kb; k++)
				for (int l = 0; l < MASK_LANES; l++) {
					const uint64_t result = rotl(s1[l] * 5, 7) * 9, t = s1[l] << 17;
					s2[l] ^= s0[l];
					s3[l] ^= s1[l];
					s1[l] ^= s2[l];
					s0[l] ^= s3[l];
					s2[l] ^= t;
					s3[l] = rotl(s3[l], 45);
					block[k][l] = (result >> 11) >= least ? keep : 0.0f;
				}
			for (int l = 0; l < lanes; l++)
				for (int64_t k = 0; k < kb; k++)
					mask[(g0 + l) * stride + k0 + k] = block[k][l];
		}
		for (int l = 0; l < lanes; l++) {
			struct winit_rng *r = &rngs[g0 + l];
			r->s[0] = s0[l];
			r->s[1] = s1[l];
			r->s[2] = s2[l];
			r->s[3] = s3[l];
		}
	}
}

/* Exported plainly: libtool's list of exports leaves out a function with clones. */
void winit_rng_keep_mask_rows(struct winit_rng *rngs, int64_t n_rows, float *mask, int64_t stride,
                              int64_t n, double rate, float keep)
{
	keep_mask_rows(rngs, n_rows, mask, stride, n, rate, keep);
}

/* Box-Muller on (0, 1] x [0, 1): one normal per call, no hidden spare, so a consumer's
 * draws depend only on how many it made. */
double winit_rng_normal(struct winit_rng *rng)
{
	double u1 = 1.0 - winit_rng_uniform(rng); /* (0, 1] */
	double u2 = winit_rng_uniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

uint64_t winit_rng_below(struct winit_rng *rng, uint64_t n)
{
	/* Lemire's nearly divisionless method. */
	__uint128_t m = (__uint128_t)winit_rng_next(rng) * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		uint64_t t = -n % n;
		while (l < t) {
			m = (__uint128_t)winit_rng_next(rng) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void winit_rng_shuffle_u32(struct winit_rng *rng, uint32_t *idx, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = (uint32_t)winit_rng_below(rng, i);
		uint32_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

