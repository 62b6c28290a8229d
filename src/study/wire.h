/* src/study/wire.h -- a run's result as bytes, for sending between processes (internal).
 *
 * The one place struct winit_run_result is packed and unpacked: the members declared in
 * src/results/fields.h's tables and winit/diagnostics.h's WINIT_DIAG_LAYER_FIELDS travel
 * as those tables list them; another field is added here, at the end.  Either way
 * WINIT_WIRE_VERSION goes up.  The layout is the host's byte order
 * and IEEE doubles: every rank of a job must share the architecture (checked through
 * the magic number, which reads differently in the other byte order). */
#ifndef WINIT_STUDY_WIRE_H
#define WINIT_STUDY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <winit/study.h>

#include "core/internal.h"

#define WINIT_WIRE_MAGIC 0x57494e52u /* "WINR" */
#define WINIT_WIRE_VERSION 5u        /* 2: diagnostics and theory; 3: snapshots carry loss, \
	                              * accuracy and (at step 0) weight histograms; 4: the  \
	                              * members of src/results/fields.h's tables in their   \
	                              * order; 5: the status, error and kernels among them */

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
