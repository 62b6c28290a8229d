/* src/study/wire.h -- a run's result as bytes, for sending between processes (internal).
 *
 * The one place struct winit_run_result is packed and unpacked: a new field is added
 * here, at the end, with WINIT_WIRE_VERSION raised.  The layout is the host's byte order
 * and IEEE doubles: every rank of a job must share the architecture (checked through
 * the magic number, which reads differently in the other byte order). */
#ifndef WINIT_STUDY_WIRE_H
#define WINIT_STUDY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <winit/study.h>

#include "core/internal.h"

#define WINIT_WIRE_MAGIC 0x57494e52u /* "WINR" */
#define WINIT_WIRE_VERSION 3u        /* 2: diagnostics and theory; 3: snapshots carry loss, \
	                              * accuracy and (at step 0) weight histograms */

/* Pack run `index`'s result into a new buffer (*buf, *len; free() it).  Returns WINIT_OK
 * or WINIT_ERR_NOMEM. */
WINIT_INTERNAL int winit_wire_pack(uint64_t index, const struct winit_run_result *r,
                                   unsigned char **buf, size_t *len, struct winit_error *err);

/* Unpack a buffer made by winit_wire_pack: *index and *r (r's history is allocated; free
 * with winit_run_result_free).  A truncated buffer, a foreign magic or another version is
 * WINIT_ERR_FORMAT naming the byte where it went wrong; r is then left empty. */
WINIT_INTERNAL int winit_wire_unpack(const unsigned char *buf, size_t len, uint64_t *index,
                                     struct winit_run_result *r, struct winit_error *err);

#endif
