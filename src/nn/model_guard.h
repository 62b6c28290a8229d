/* src/nn/model_guard.h -- an activation's writes outside the buffers it was handed
 * (internal; passes.c): the buffers have guard zones (core/guard.h), checked after the
 * call or the pass, and the first fault found is kept in the model for
 * winit_model_fault. */
#ifndef WINIT_NN_MODEL_GUARD_H
#define WINIT_NN_MODEL_GUARD_H

#include <winit/model.h>

#include "core/internal.h"

/* When buf (a guarded buffer) was written outside its values, record in m that layer
 * `layer`'s activation did it in its `callback` ("forward" or "backward"); `what` names
 * the buffer ("the layer's activations", ...).  The first record is kept. */
WINIT_INTERNAL void winit_model_guard_note(struct winit_model *m, const void *buf, int layer,
                                           const char *callback, const char *what);

#endif /* WINIT_NN_MODEL_GUARD_H */
