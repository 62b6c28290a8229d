/* src/core/cancel.c -- the process-wide stop flag (winit/cancel.h).  A lock-free atomic
 * int, so setting it from a signal handler and reading it from worker threads is safe. */
#include "config.h"

#include <stdatomic.h>

#include <winit/cancel.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free to be set from a signal handler");

static atomic_int stop_reason;

void winit_cancel(int reason)
{
	int expected = 0;
	if (reason == 0)
		reason = -1;
	atomic_compare_exchange_strong(&stop_reason, &expected, reason);
}

int winit_cancelled(void)
{
	return atomic_load_explicit(&stop_reason, memory_order_relaxed);
}

void winit_cancel_reset(void)
{
	atomic_store(&stop_reason, 0);
}
