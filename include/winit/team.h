/* winit/team.h -- a team of threads that share one run's work.
 *
 * A team is the calling thread plus n - 1 workers kept for the team's lifetime.
 * winit_team_run(team, fn, ctx) calls fn(ctx, id, n) once on every member (id 0 is the
 * caller) and returns when all have returned; inside fn the members may meet at
 * winit_team_barrier.  What each member computes is decided by its id alone (e.g. a
 * fixed share of a product's output rows, each element summed in one fixed order by one
 * member), so a computation split this way gives the same bits for any team size: the
 * team only changes how fast it goes.
 *
 * Idle members spin briefly, then sleep; a barrier spins, then yields.  A team is used by
 * one thread at a time (the one that created it or any other, never two at once).
 */
#ifndef WINIT_TEAM_H
#define WINIT_TEAM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct winit_team;

/* A team of up to n members (n >= 1; the caller is one of them).  When the system
 * refuses a thread the team is smaller (winit_team_size says how big): never an error,
 * since the size changes no number.  Returns NULL only when out of memory. */
struct winit_team *winit_team_new(int n);
void winit_team_free(struct winit_team *team);

/* Members, the caller included (1 for a NULL team). */
int winit_team_size(const struct winit_team *team);

/* fn(ctx, id, n) on every member, id in [0, n); returns when every call has returned.
 * A NULL team or a team of one calls fn(ctx, 0, 1) directly. */
void winit_team_run(struct winit_team *team, void (*fn)(void *ctx, int id, int n), void *ctx);

/* Jobs the team has run on more than one member so far (for tests and benchmarks). */
uint64_t winit_team_jobs(const struct winit_team *team);

/* Inside winit_team_run's fn: wait until every member has reached this barrier. */
void winit_team_barrier(struct winit_team *team);

/* Member id's share [*begin, *end) of len items split among n members: near-equal,
 * consecutive, in id order, each a multiple of quantum except the last one with items. */
void winit_team_share(int64_t len, int64_t quantum, int id, int n, int64_t *begin, int64_t *end);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_TEAM_H */
