/* src/core/rng.c -- xoshiro256** streams seeded through splitmix64, and the host
 * service table plugins draw their randomness from. */
#include "config.h"

#include <math.h>
#include <stdio.h>

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

