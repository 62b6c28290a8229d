/* src/study/progress.h -- the progress printer's internals, for its tests: the clock it
 * reads and the live line it would draw. */
#ifndef WINIT_STUDY_PROGRESS_H
#define WINIT_STUDY_PROGRESS_H

#include <stddef.h>

#include <winit/progress.h>

#include "core/internal.h"

/* Read the time (seconds, any origin) from `clock` instead of the monotonic clock. */
WINIT_INTERNAL void winit_progress_set_clock(struct winit_progress *p, double (*clock)(void));
/* The live line at this moment, untruncated, into buf; returns its length (0: nothing to
 * show). */
WINIT_INTERNAL size_t winit_progress_line(struct winit_progress *p, char *buf, size_t size);

#endif
