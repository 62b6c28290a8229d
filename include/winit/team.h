/* winit/team.h -- a team of threads that share one run's work.
 *
 * A team is the calling thread plus n - 1 workers kept for the team's lifetime (n <= 64).
 * winit_team_run(team, fn, ctx) calls fn(ctx, id, n) on the caller (id 0) and on every
 * worker that is free to join, and returns when the work is done.  The work inside fn is
 * a sequence of phases, each cut into n chunks; chunk c of a phase is fixed by c and n
 * alone (e.g. the c-th share of a product's output columns, each element summed in one
 * fixed order), so whoever does it, the bits are the same: the team only changes how
 * fast it goes.  Every member runs the same phases in the same order:
 *
 *     WINIT_TEAM_CHUNKS(t, ph, id, c) {
 *         ... chunk c of phase ph ...
 *         winit_team_done(t, ph);
 *     }
 *     winit_team_wait(t, ph);    // every chunk of ph is done: its results may be read
 *
 * A member claims its own chunk (c = id) first, then any chunk still free, so on a quiet
 * machine each member keeps the same share (and its data in its own cache) from job to
 * job, while a member that the system has descheduled, or that has not woken yet, holds
 * nobody up: the others take its chunks.  fn must end with a winit_team_wait on its last
 * phase.  At most WINIT_TEAM_MAX_PHASES phases per job of winit_team_run; a job of more
 * phases says how many (winit_team_run_phases).
 *
 * Idle workers spin briefly, then sleep; waits spin, then yield.  A team is used by one
 * thread at a time (any thread, never two at once).
 */
#ifndef WINIT_TEAM_H
#define WINIT_TEAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_TEAM_MAX 64
#define WINIT_TEAM_MAX_PHASES 160

struct winit_team;

/* A team of up to n members (1 <= n, at most WINIT_TEAM_MAX; the caller is one of them).
 * When the system refuses a thread the team is smaller (winit_team_size says how big):
 * never an error, since the size changes no number.  Returns NULL only when out of
 * memory. */
struct winit_team *winit_team_new(int n);
void winit_team_free(struct winit_team *team);

/* Members, the caller included (1 for a NULL team). */
int winit_team_size(const struct winit_team *team);

/* fn(ctx, id, n) on the caller (id 0) and on the workers that join; returns when fn has
 * returned on every member that joined.  A NULL team or a team of one calls fn(ctx, 0, 1). */
void winit_team_run(struct winit_team *team, void (*fn)(void *ctx, int id, int n), void *ctx);
/* The same for a job of n_phases phases (0 .. n_phases - 1; any number: a 1,000-layer
 * model's backward pass has 2,001).  Without memory for them the caller does the job
 * alone, which changes no number. */
void winit_team_run_phases(struct winit_team *team, void (*fn)(void *ctx, int id, int n),
                           void *ctx, int n_phases);

/* Inside fn: the next chunk of phase `phase` for member id, or -1 when none is left;
 * `prev` is the chunk the member has just done (-1 to start the phase).  With a NULL team
 * (or one member) the phase has one chunk, 0. */
int winit_team_claim(struct winit_team *team, int phase, int id, int prev);
/* Inside fn: for each chunk c of phase ph that member id claims (WINIT_TEAM_CHUNKS(t, ph,
 * id, c) { ... }). */
#define WINIT_TEAM_CHUNKS(t, ph, id, c) \
	for (int c = winit_team_claim(t, ph, id, -1); c >= 0; c = winit_team_claim(t, ph, id, c))

/* Inside fn: one more chunk of `phase` is done (its results written). */
void winit_team_done(struct winit_team *team, int phase);
/* Inside fn: wait until every chunk of `phase` is done. */
void winit_team_wait(struct winit_team *team, int phase);

/* Jobs the team has run with more than one member (for tests and benchmarks), and how
 * many chunks the caller took from other members (work a late or descheduled member
 * did not get to). */
uint64_t winit_team_jobs(const struct winit_team *team);
uint64_t winit_team_steals(const struct winit_team *team);

/* Chunk id's share [*begin, *end) of len items cut into n chunks: near-equal,
 * consecutive, in chunk order, each a multiple of quantum except the last one with items. */
void winit_team_share(int64_t len, int64_t quantum, int id, int n, int64_t *begin, int64_t *end);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_TEAM_H */
