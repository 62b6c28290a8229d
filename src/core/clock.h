/* src/core/clock.h -- wall-clock seconds for timings (internal). */
#ifndef WINIT_CORE_CLOCK_H
#define WINIT_CORE_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock: differences are elapsed wall time. */
static inline double winit_clock_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
