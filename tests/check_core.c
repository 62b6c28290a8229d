/* tests/check_core.c -- src/core: the random streams (xoshiro256** seeded through
 * splitmix64, rng_below, the shuffle) against a reference written here from the
 * published algorithms, the error record's truncation rules, and the guard zones around
 * the buffers plugins write (core/guard.h). */
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "core/guard.h"
#include "testutil.h"

/* ---- the reference: splitmix64 and xoshiro256** as published by Vigna ---- */

static uint64_t ref_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t ref_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t ref_xoshiro(uint64_t s[4])
{
	const uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ref_rotl(s[3], 45);
	return result;
}

/* winit's seeding, as winit/rng.h describes it: mix (seed, stream) into one splitmix64
 * seed (the label through an odd multiplier, then two splitmix64 steps), then fill
 * xoshiro's four words with the next four splitmix64 outputs. */
static void ref_seed(uint64_t s[4], uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * UINT64_C(0xd1342543de82ef95) + UINT64_C(0x2545f4914f6cdd1d));
	ref_splitmix64(&x);
	x = ref_splitmix64(&x);
	for (int i = 0; i < 4; i++)
		s[i] = ref_splitmix64(&x);
}

/* The reference itself, against the published sequences. */
START_TEST(reference_matches_published_values)
{
	/* splitmix64 from 1234567 (the sequence of Java's SplittableRandom). */
	const uint64_t sm[5] = { UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
		                 UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
		                 UINT64_C(16408922859458223821) };
	uint64_t x = 1234567;
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(ref_splitmix64(&x), sm[i]);
	/* xoshiro256** from the state {1, 2, 3, 4}. */
	const uint64_t xo[4] = { 11520, 0, 1509978240, UINT64_C(1215971899390074240) };
	uint64_t s[4] = { 1, 2, 3, 4 };
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(ref_xoshiro(s), xo[i]);
}
END_TEST

/* ---- core: the stream ---- */

static const uint64_t pairs[][2] = {
	{ 0, 0 },
	{ 42, 7 },
	{ UINT64_C(0xdeadbeefcafef00d), UINT64_MAX },
};
#define N_PAIRS (sizeof pairs / sizeof pairs[0])

START_TEST(stream_matches_reference)
{
	uint64_t s[4];
	struct winit_rng rng;
	ref_seed(s, pairs[_i][0], pairs[_i][1]);
	winit_rng_seed(&rng, pairs[_i][0], pairs[_i][1]);
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(rng.s[k], s[k]);
	for (int k = 0; k < 64; k++)
		ck_assert_uint_eq(winit_rng_next(&rng), ref_xoshiro(s));
}
END_TEST

/* Literal first outputs, so that a change to the reference above and the library
 * together still shows (computed by an independent Python implementation). */
START_TEST(stream_known_answers)
{
	static const uint64_t want[N_PAIRS][4] = {
		{ UINT64_C(0x224419172c4a96d5), UINT64_C(0x95d78c04f324291b),
		  UINT64_C(0x4804a5cc2e52305a), UINT64_C(0x551531e7a8a8346f) },
		{ UINT64_C(0x3db7979a0f854724), UINT64_C(0x6fc7ea9e22327c03),
		  UINT64_C(0x769fdee9fb2643a7), UINT64_C(0xc4a8a1c5953e9c3e) },
		{ UINT64_C(0xb2ba7f00099ff114), UINT64_C(0x5a7a0f8149ad94ce),
		  UINT64_C(0x3cf4ba097d67f22f), UINT64_C(0x7c5c42b8b54e8f7b) },
	};
	struct winit_rng rng;
	winit_rng_seed(&rng, pairs[_i][0], pairs[_i][1]);
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(winit_rng_next(&rng), want[_i][k]);
}
END_TEST

START_TEST(streams_differ)
{
	struct winit_rng a, b, c;
	winit_rng_seed(&a, 42, 7);
	winit_rng_seed(&b, 42, 8);
	winit_rng_seed(&c, 43, 7);
	uint64_t x = winit_rng_next(&a);
	ck_assert_uint_ne(x, winit_rng_next(&b));
	ck_assert_uint_ne(x, winit_rng_next(&c));
}
END_TEST

/* ---- core: rng_below ---- */

START_TEST(below_stays_in_bounds)
{
	static const uint64_t ns[] = { 1, 2, 3, 7, 10, 1000, UINT64_C(0x100000001),
		                       UINT64_C(0x8000000000000001), UINT64_MAX };
	struct winit_rng rng;
	winit_rng_seed(&rng, 9, 1);
	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
		for (int k = 0; k < 2000; k++) {
			uint64_t r = winit_rng_below(&rng, ns[i]);
			ck_assert_msg(r < ns[i], "below(%llu) gave %llu", (unsigned long long)ns[i],
			              (unsigned long long)r);
		}
	/* n = 1 is always 0, n = 2 gives both values. */
	ck_assert_uint_eq(winit_rng_below(&rng, 1), 0);
	int seen[2] = { 0, 0 };
	for (int k = 0; k < 64; k++)
		seen[winit_rng_below(&rng, 2)]++;
	ck_assert(seen[0] > 0 && seen[1] > 0);
}
END_TEST

/* Known answers for a fixed stream (Lemire's method with rejection, as the reference). */
START_TEST(below_known_answers)
{
	static const uint64_t want[8] = { 8, 3, 7, 9, 8, 0, 8, 2 };
	struct winit_rng rng;
	winit_rng_seed(&rng, 5, 3);
	for (int k = 0; k < 8; k++)
		ck_assert_uint_eq(winit_rng_below(&rng, 10), want[k]);
}
END_TEST

/* keep_mask_rows is n comparisons of winit_rng_uniform with the rate per stream, to the
 * bit: 11 streams (a group of eight and a partial one), 257 values each (whole blocks of
 * 64 and a part), at rates 0, 0.5 and 0.9, and at a rate equal to one draw (kept: u >=
 * rate) and just above it (dropped); every stream then goes on where n uniform draws
 * leave it. */
START_TEST(keep_mask_matches_uniform_draws)
{
	enum { ROWS = 11, N = 257, STRIDE = 260 };
	struct winit_rng probe;
	winit_rng_seed(&probe, 31, 4 + 9);
	const double u2 = (winit_rng_next(&probe), winit_rng_next(&probe), winit_rng_uniform(&probe));
	const double rates[] = { 0.0, 0.5, 0.9, u2, nextafter(u2, 1.0) };
	static float mask[ROWS * STRIDE];
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		struct winit_rng a[ROWS], b[ROWS];
		for (int r = 0; r < ROWS; r++) {
			winit_rng_seed(&a[r], 31, 4 + (uint64_t)r);
			b[r] = a[r];
		}
		winit_rng_keep_mask_rows(a, ROWS, mask, STRIDE, N, rates[i], 2.5f);
		int kept = 0;
		for (int r = 0; r < ROWS; r++) {
			for (int k = 0; k < N; k++) {
				const float got = mask[r * STRIDE + k];
				const float want = winit_rng_uniform(&b[r]) >= rates[i] ? 2.5f : 0.0f;
				ck_assert_msg(got == want, "rate %.17g, stream %d, value %d: %g, want %g",
				              rates[i], r, k, (double)got, (double)want);
				kept += got != 0;
			}
			ck_assert_uint_eq(winit_rng_next(&a[r]), winit_rng_next(&b[r]));
		}
		if (i == 0)
			ck_assert_int_eq(kept, ROWS * N);
		if (i == 3) /* stream 9's third draw equals the rate */
			ck_assert_float_eq(mask[9 * STRIDE + 2], 2.5f);
		if (i == 4)
			ck_assert_float_eq(mask[9 * STRIDE + 2], 0.0f);
	}
}
END_TEST

/* Upper 1e-6 quantile of chi-square with df degrees of freedom (Wilson-Hilferty). */
static double chi2_crit(int df)
{
	const double z = 4.753; /* upper 1e-6 quantile of N(0, 1) */
	const double a = 2.0 / (9.0 * df);
	return df * pow(1.0 - a + z * sqrt(a), 3);
}

START_TEST(below_is_uniform)
{
	enum { N_BINS = 10,
	       DRAWS = 100000 };
	long count[N_BINS] = { 0 };
	struct winit_rng rng;
	winit_rng_seed(&rng, 2024, 11);
	for (int k = 0; k < DRAWS; k++)
		count[winit_rng_below(&rng, N_BINS)]++;
	const double expect = (double)DRAWS / N_BINS;
	/* Each bin within 5 binomial sd of DRAWS / N_BINS ... */
	const double sd = sqrt(DRAWS * (1.0 / N_BINS) * (1.0 - 1.0 / N_BINS));
	double chi2 = 0.0;
	for (int b = 0; b < N_BINS; b++) {
		ck_assert_msg(fabs((double)count[b] - expect) <= 5.0 * sd,
		              "bin %d: %ld draws, expected %.0f +- %.0f", b, count[b], expect,
		              5.0 * sd);
		chi2 += ((double)count[b] - expect) * ((double)count[b] - expect) / expect;
	}
	/* ... and the whole histogram under chi-square's 1e-6 tail. */
	ck_assert_msg(chi2 < chi2_crit(N_BINS - 1), "chi2 %g >= %g", chi2, chi2_crit(N_BINS - 1));
}
END_TEST

/* With n = 3 * 2^62, `next % n` would land below 2^62 half the time; unbiased draws
 * do so a third of the time. */
START_TEST(below_has_no_modulo_bias)
{
	enum { DRAWS = 30000 };
	const uint64_t n = UINT64_C(3) << 62, low = UINT64_C(1) << 62;
	struct winit_rng rng;
	winit_rng_seed(&rng, 77, 2);
	long below_low = 0;
	for (int k = 0; k < DRAWS; k++)
		below_low += winit_rng_below(&rng, n) < low;
	const double p = 1.0 / 3.0, sd = sqrt(p * (1 - p) / DRAWS);
	const double frac = (double)below_low / DRAWS;
	ck_assert_msg(fabs(frac - p) <= 5.0 * sd, "fraction below 2^62: %g, expected %g +- %g",
	              frac, p, 5.0 * sd);
}
END_TEST

/* ---- core: the shuffle ---- */

START_TEST(shuffle_is_a_permutation)
{
	enum { N = 1000 };
	uint32_t idx[N];
	int seen[N] = { 0 };
	for (uint32_t i = 0; i < N; i++)
		idx[i] = i;
	struct winit_rng rng;
	winit_rng_seed(&rng, 1, 2);
	winit_rng_shuffle_u32(&rng, idx, N);
	int moved = 0;
	for (uint32_t i = 0; i < N; i++) {
		ck_assert_uint_lt(idx[i], N);
		seen[idx[i]]++;
		moved += idx[i] != i;
	}
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(seen[i], 1);
	ck_assert_int_gt(moved, N / 2);
}
END_TEST

/* Fisher-Yates from the end, j = below(i) for i = n..2 (reference in Python). */
START_TEST(shuffle_known_answer)
{
	static const uint32_t want[10] = { 0, 1, 9, 4, 7, 6, 5, 8, 3, 2 };
	uint32_t idx[10];
	for (uint32_t i = 0; i < 10; i++)
		idx[i] = i;
	struct winit_rng rng;
	winit_rng_seed(&rng, 42, 7);
	winit_rng_shuffle_u32(&rng, idx, 10);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(idx[i], want[i]);
}
END_TEST

/* Shuffling 0 or 1 element draws nothing: the stream is where it was. */
START_TEST(shuffle_of_one_draws_nothing)
{
	uint32_t one = 5;
	struct winit_rng a, b;
	winit_rng_seed(&a, 3, 4);
	winit_rng_seed(&b, 3, 4);
	winit_rng_shuffle_u32(&a, &one, 1);
	winit_rng_shuffle_u32(&a, NULL, 0);
	ck_assert_uint_eq(one, 5);
	ck_assert_uint_eq(winit_rng_next(&a), winit_rng_next(&b));
}
END_TEST

/* ---- errors: the error record ---- */

#define MAX ((size_t)WINIT_ERROR_MSG_MAX)

/* An error record with guard bytes behind it, to see any write past its end. */
struct guarded {
	struct winit_error e;
	unsigned char guard[64];
};

static void guard_init(struct guarded *g)
{
	memset(g, 0, sizeof *g);
	memset(g->guard, 0xa5, sizeof g->guard);
}

static void guard_check(const struct guarded *g)
{
	for (size_t i = 0; i < sizeof g->guard; i++)
		ck_assert_msg(g->guard[i] == 0xa5, "byte %zu past the record was written", i);
	ck_assert_uint_lt(strnlen(g->e.msg, sizeof g->e.msg), sizeof g->e.msg);
}

START_TEST(prefix_prepends_context)
{
	struct guarded g;
	guard_init(&g);
	ck_assert_int_eq(winit_error_set(&g.e, WINIT_ERR_FORMAT, "byte %d: bad magic", 3),
	                 WINIT_ERR_FORMAT);
	ck_assert_int_eq(winit_error_prefix(&g.e, "%s: ", "x.idx"), WINIT_ERR_FORMAT);
	ck_assert_str_eq(g.e.msg, "x.idx: byte 3: bad magic");
	ck_assert_int_eq(g.e.status, WINIT_ERR_FORMAT);
	guard_check(&g);
	ck_assert_int_eq(winit_error_prefix(NULL, "x"), WINIT_ERR_ARG);
}
END_TEST

/* A message that fills the record: the prefix is kept whole and the message's end is
 * dropped, NUL-terminated in the last byte. */
START_TEST(prefix_truncates_a_long_message)
{
	char longmsg[2 * MAX];
	memset(longmsg, 'm', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	struct guarded g;
	guard_init(&g);
	winit_error_set(&g.e, WINIT_ERR_IO, "%s", longmsg);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1); /* winit_error_set truncates too */
	ck_assert_int_eq(winit_error_prefix(&g.e, "while %s: ", "loading"), WINIT_ERR_IO);
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1);
	ck_assert_int_eq(strncmp(g.e.msg, "while loading: ", 15), 0);
	for (size_t i = 15; i < MAX - 1; i++)
		ck_assert_int_eq(g.e.msg[i], 'm');
	ck_assert_int_eq(g.e.msg[MAX - 1], '\0');
}
END_TEST

/* A prefix longer than the record: it alone fills it, cut, NUL-terminated. */
START_TEST(prefix_truncates_a_long_prefix)
{
	char longpre[3 * MAX];
	memset(longpre, 'p', sizeof longpre - 1);
	longpre[sizeof longpre - 1] = '\0';
	struct guarded g;
	guard_init(&g);
	winit_error_set(&g.e, WINIT_ERR_PLUGIN, "the original message");
	ck_assert_int_eq(winit_error_prefix(&g.e, "%s", longpre), WINIT_ERR_PLUGIN);
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1);
	for (size_t i = 0; i < MAX - 1; i++)
		ck_assert_int_eq(g.e.msg[i], 'p');
	/* Prefixing again keeps it bounded. */
	ck_assert_int_eq(winit_error_prefix(&g.e, "%s", longpre), WINIT_ERR_PLUGIN);
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1);
}
END_TEST

/* Prefix and message that just fit, and one byte more. */
START_TEST(prefix_fits_exactly)
{
	char msg[MAX];
	memset(msg, 'm', MAX - 1 - 4);
	msg[MAX - 1 - 4] = '\0';
	struct guarded g;
	guard_init(&g);
	winit_error_set(&g.e, WINIT_ERR_ARG, "%s", msg);
	winit_error_prefix(&g.e, "ab: ");
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1);
	ck_assert_int_eq(g.e.msg[MAX - 2], 'm');
	winit_error_prefix(&g.e, "c");
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), MAX - 1);
	ck_assert_int_eq(strncmp(g.e.msg, "cab: m", 6), 0);
}
END_TEST

/* A name holding ESC (a plugin's, a label) never reaches a terminal raw: every control
 * character but a newline or tab is written \xHH, within the record. */
START_TEST(control_characters_are_escaped)
{
	struct guarded g;
	guard_init(&g);
	winit_error_set(&g.e, WINIT_ERR_PLUGIN, "plugin '%s': bad\n\tnext", "he\x1b[31m\r\x7f");
	ck_assert_str_eq(g.e.msg, "plugin 'he\\x1b[31m\\x0d\\x7f': bad\n\tnext");
	winit_error_prefix(&g.e, "%s: ", "a\007b");
	ck_assert_str_eq(g.e.msg, "a\\x07b: plugin 'he\\x1b[31m\\x0d\\x7f': bad\n\tnext");
	guard_check(&g);
	/* A message that fills the record: escapes are cut at its end, never past it. */
	char longmsg[MAX];
	memset(longmsg, 0x1b, sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = '\0';
	winit_error_set(&g.e, WINIT_ERR_IO, "%s", longmsg);
	guard_check(&g);
	ck_assert_uint_eq(strlen(g.e.msg), (MAX - 1) / 4 * 4); /* whole escapes only */
	ck_assert_ptr_null(strchr(g.e.msg, 0x1b));
	ck_assert(strncmp(g.e.msg, "\\x1b\\x1b", 8) == 0);
	/* The table's mode: a newline and a tab too. */
	char buf[32] = "a\nb\tc";
	ck_assert_str_eq(winit_text_escape(buf, sizeof buf, 0), "a\\x0ab\\x09c");
	char tiny[6] = "\x1b\x1b";
	ck_assert_str_eq(winit_text_escape(tiny, sizeof tiny, 0), "\\x1b");
}
END_TEST

START_TEST(clear_and_names)
{
	struct winit_error e;
	winit_error_set(&e, WINIT_ERR_NOMEM, "x");
	winit_error_clear(&e);
	ck_assert_int_eq(e.status, WINIT_OK);
	ck_assert_str_eq(e.msg, "");
	winit_error_clear(NULL);
	ck_assert_int_eq(winit_error_set(NULL, WINIT_ERR_IO, "ignored"), WINIT_ERR_IO);
	ck_assert_str_eq(winit_status_name(WINIT_OK), "ok");
	ck_assert_str_eq(winit_status_name(WINIT_ERR_NOMEM), "out of memory");
}
END_TEST

/* ---- teams ---- */

enum { TEAM_PHASES = 150,
       TEAM_N = 5 };

struct team_probe {
	struct winit_team *team;
	int n;
	int joined[TEAM_N];            /* fn calls per member id */
	int done[TEAM_PHASES][TEAM_N]; /* how often each chunk was done */
	int by[TEAM_PHASES][TEAM_N];   /* which member did it */
	int early;                     /* a phase's chunk seen unfinished after its wait */
	int late_id;                   /* member that starts late (-1: none) */
};

static void team_body(void *ctx, int id, int n)
{
	struct team_probe *p = ctx;
	__atomic_fetch_add(&p->joined[id], 1, __ATOMIC_RELAXED);
	if (id == p->late_id) {
		struct timespec ts = { 0, 30 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	for (int ph = 0; ph < TEAM_PHASES; ph++) {
		WINIT_TEAM_CHUNKS(p->team, ph, id, c)
		{
			p->done[ph][c]++;
			p->by[ph][c] = id;
			winit_team_done(p->team, ph);
		}
		winit_team_wait(p->team, ph);
		/* After the wait every chunk of the phase is done, whoever did it. */
		for (int c = 0; c < n; c++)
			if (p->done[ph][c] != 1)
				__atomic_fetch_add(&p->early, 1, __ATOMIC_RELAXED);
	}
}

static void team_probe_run(struct winit_team *team, struct team_probe *p, int late_id)
{
	memset(p, 0, sizeof *p);
	p->team = team;
	p->n = winit_team_size(team);
	p->late_id = late_id;
	winit_team_run(team, team_body, p);
	ck_assert_int_eq(p->joined[0], 1); /* the caller always works */
	for (int id = 1; id < p->n; id++)
		ck_assert_int_le(p->joined[id], 1);
	ck_assert_int_eq(p->early, 0);
	for (int ph = 0; ph < TEAM_PHASES; ph++)
		for (int c = 0; c < p->n; c++)
			ck_assert_msg(p->done[ph][c] == 1, "phase %d chunk %d done %d times", ph, c,
			              p->done[ph][c]);
}

/* Every chunk of every phase is done exactly once and a phase's wait returns only after
 * all of them: 150 phases (more than a 64-layer backward pass uses), teams of 1 to 5 on
 * however many cores there are. */
START_TEST(team_does_every_chunk_once)
{
	for (int n = 1; n <= TEAM_N; n++) {
		struct winit_team *team = winit_team_new(n);
		ck_assert_ptr_nonnull(team);
		ck_assert_int_eq(winit_team_size(team), n);
		struct team_probe *p = malloc(sizeof *p);
		for (int job = 0; job < 3; job++)
			team_probe_run(team, p, -1);
		ck_assert_uint_eq(winit_team_jobs(team), n > 1 ? 3 : 0);
		free(p);
		winit_team_free(team);
	}
	/* No team: the caller alone, one chunk per phase. */
	struct team_probe *p = malloc(sizeof *p);
	team_probe_run(NULL, p, -1);
	ck_assert_int_eq(p->by[TEAM_PHASES - 1][0], 0);
	free(p);
	ck_assert_int_eq(winit_team_size(NULL), 1);
}
END_TEST

/* A member that starts 30 ms late holds nobody up: the others take its chunks (the
 * caller's steals count them), and the job still ends with every chunk done once. */
START_TEST(team_late_member_is_not_waited_for)
{
	struct winit_team *team = winit_team_new(2);
	ck_assert_int_eq(winit_team_size(team), 2);
	struct team_probe *p = malloc(sizeof *p);
	uint64_t before = winit_team_steals(team);
	team_probe_run(team, p, 1);
	/* Member 1 slept through the job: every chunk 1 was done by member 0. */
	for (int ph = 0; ph < TEAM_PHASES; ph++)
		ck_assert_int_eq(p->by[ph][1], 0);
	ck_assert_uint_eq(winit_team_steals(team) - before, TEAM_PHASES);
	/* The team goes on: the next job is complete too. */
	team_probe_run(team, p, -1);
	free(p);
	winit_team_free(team);
}
END_TEST

/* Shares are consecutive, in id order, cover [0, len) once, and all but the last
 * non-empty one are multiples of the quantum. */
START_TEST(team_shares_cover_the_range)
{
	static const int64_t lens[] = { 0, 1, 7, 8, 33, 64, 100, 784 };
	for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++)
		for (int64_t q = 1; q <= 16; q *= 2)
			for (int n = 1; n <= 6; n++) {
				int64_t next = 0;
				for (int id = 0; id < n; id++) {
					int64_t b, e;
					winit_team_share(lens[l], q, id, n, &b, &e);
					ck_assert_int_eq(b, next);
					ck_assert_int_ge(e, b);
					if (e < lens[l])
						ck_assert_int_eq((e - b) % q, 0);
					next = e;
				}
				ck_assert_int_eq(next, lens[l]);
			}
}
END_TEST

/* ---- guard zones ---- */

START_TEST(guarded_buffer_is_aligned_and_intact_when_written_inside)
{
	for (int64_t n = 0; n < 40; n++) {
		float *p = winit_guarded_alloc(n);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 64, 0);
		for (int64_t i = 0; i < n; i++)
			p[i] = (float)i;
		struct winit_guard_hit hit;
		ck_assert_int_eq(winit_guard_check(p, &hit), 0);
		winit_guarded_free(p);
	}
	struct winit_guard_hit hit;
	ck_assert_int_eq(winit_guard_check(NULL, &hit), 0);
}
END_TEST

/* Counted from the farthest float written: before the start, past the end, both. */
START_TEST(guard_counts_what_was_written_outside)
{
	struct winit_guard_hit hit;
	char msg[128];
	float *p = winit_guarded_alloc(100);
	p[-8] = 0.0f; /* only the farthest: the nearer ones are counted with it */
	ck_assert_int_ne(winit_guard_check(p, &hit), 0);
	ck_assert_int_eq(hit.before, 8);
	ck_assert_int_eq(hit.after, 0);
	ck_assert_int_eq(hit.n, 100);
	winit_guard_describe(&hit, msg, sizeof msg);
	ck_assert_str_eq(msg, "8 floats before the start");
	p[100 + 2] = 1.0f;
	ck_assert_int_ne(winit_guard_check(p, &hit), 0);
	ck_assert_int_eq(hit.after, 3);
	winit_guard_describe(&hit, msg, sizeof msg);
	ck_assert_str_eq(msg, "8 floats before the start and 3 floats past the end");
	p[-WINIT_GUARD] = 2.0f;
	ck_assert_int_ne(winit_guard_check(p, &hit), 0);
	ck_assert_int_eq(hit.before, WINIT_GUARD);
	winit_guarded_free(p);

	p = winit_guarded_alloc(5);
	p[5] = 0.0f;
	ck_assert_int_ne(winit_guard_check(p, &hit), 0);
	ck_assert_int_eq(hit.before, 0);
	ck_assert_int_eq(hit.after, 1);
	winit_guard_describe(&hit, msg, sizeof msg);
	ck_assert_str_eq(msg, "1 float past the end");
	winit_guarded_free(p);
}
END_TEST

/* Zones of the caller's own, around the arrays of a struct. */
START_TEST(zones_around_a_struct_array)
{
	struct {
		float pre[WINIT_GUARD], v[10], post[WINIT_GUARD];
	} b;
	winit_guard_zone_set(b.pre);
	winit_guard_zone_set(b.post);
	struct winit_guard_hit hit;
	for (int i = 0; i < 10; i++)
		b.v[i] = 1.0f;
	ck_assert_int_eq(winit_guard_zones_check(b.pre, b.post, &hit), 0);
	b.pre[WINIT_GUARD - 2] = 0.0f;
	b.post[3] = 0.0f;
	ck_assert_int_ne(winit_guard_zones_check(b.pre, b.post, &hit), 0);
	ck_assert_int_eq(hit.before, 2);
	ck_assert_int_eq(hit.after, 4);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("stream");
	tcase_add_test(tc, reference_matches_published_values);
	tcase_add_loop_test(tc, stream_matches_reference, 0, N_PAIRS);
	tcase_add_loop_test(tc, stream_known_answers, 0, N_PAIRS);
	tcase_add_test(tc, streams_differ);
	suite_add_tcase(s, tc);

	tc = tcase_create("below");
	tcase_add_test(tc, below_stays_in_bounds);
	tcase_add_test(tc, below_known_answers);
	tcase_add_test(tc, below_is_uniform);
	tcase_add_test(tc, below_has_no_modulo_bias);
	tcase_add_test(tc, keep_mask_matches_uniform_draws);
	suite_add_tcase(s, tc);

	tc = tcase_create("shuffle");
	tcase_add_test(tc, shuffle_is_a_permutation);
	tcase_add_test(tc, shuffle_known_answer);
	tcase_add_test(tc, shuffle_of_one_draws_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("teams");
	tcase_add_test(tc, team_does_every_chunk_once);
	tcase_add_test(tc, team_late_member_is_not_waited_for);
	tcase_add_test(tc, team_shares_cover_the_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, prefix_prepends_context);
	tcase_add_test(tc, prefix_truncates_a_long_message);
	tcase_add_test(tc, prefix_truncates_a_long_prefix);
	tcase_add_test(tc, prefix_fits_exactly);
	tcase_add_test(tc, control_characters_are_escaped);
	tcase_add_test(tc, clear_and_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("guards");
	tcase_add_test(tc, guarded_buffer_is_aligned_and_intact_when_written_inside);
	tcase_add_test(tc, guard_counts_what_was_written_outside);
	tcase_add_test(tc, zones_around_a_struct_array);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(core_suite());
}
