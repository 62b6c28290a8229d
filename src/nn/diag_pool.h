/* src/nn/diag_pool.h -- the buffers of the diagnostics probe, kept per thread from one
 * probe to the next (internal; diag_pool.c).
 *
 * A study runs its runs one after another on each thread, every run with its own probe
 * of the same shapes: handing a freed probe's buffers to the thread's next probe spares
 * the kernel zero-filling megabytes of fresh pages at every run.  One spare per role per
 * thread, freed when the thread exits or by winit_diag_spares_free.
 */
#ifndef WINIT_NN_DIAG_POOL_H
#define WINIT_NN_DIAG_POOL_H

#include <stddef.h>

#include <winit/diagnostics.h>
#include <winit/model.h>

#include "core/internal.h"

/* What each of a probe's buffers (struct winit_diag_probe's buf[]) holds. */
enum winit_diag_buf {
	WINIT_DIAG_BUF_X,     /* the probe rows */
	WINIT_DIAG_BUF_Y,     /* their labels */
	WINIT_DIAG_BUF_DOUT,  /* the loss gradient */
	WINIT_DIAG_BUF_ONES,  /* dy = 1 */
	WINIT_DIAG_BUF_DERIV, /* f'(z) */
	WINIT_DIAG_BUF_LIVE,  /* which units are live */
	WINIT_DIAG_BUF_PREV,  /* the weights before the last step */
	WINIT_DIAG_BUF_GRADS, /* the scratch model's gradients */
	WINIT_DIAG_BUF_IDX,   /* the shuffled row indices (while the probe is drawn) */
	WINIT_DIAG_BUF_VAL,   /* the validation rows as floats (byte data) */
	WINIT_DIAG_BUF_COUNT
};

/* A 64-byte aligned buffer of at least `bytes` for `role`, between guard zones
 * (core/guard.h; freed by winit_guarded_free): the thread's spare when it is large
 * enough, else a new one.  *cap gets its size; NULL when memory is short. */
WINIT_INTERNAL void *winit_diag_pool_take(enum winit_diag_buf role, size_t bytes, size_t *cap);
/* Give back a buffer from winit_diag_pool_take (NULL is ignored): it becomes the
 * thread's spare for role, the larger of the two kept when there is one already. */
WINIT_INTERNAL void winit_diag_pool_give(enum winit_diag_buf role, void *buf, size_t cap);

/* Hand the thread's spare work buffers (z, a, delta: winit_model_reserve's) to `scratch`
 * when they were made for a model of the same layer shapes; else leave it without. */
WINIT_INTERNAL void winit_diag_pool_take_work(struct winit_model *scratch);
/* Keep scratch's work buffers as the thread's spare (freeing any older spare) and
 * clear them from scratch. */
WINIT_INTERNAL void winit_diag_pool_give_work(struct winit_model *scratch);

#endif /* WINIT_NN_DIAG_POOL_H */
