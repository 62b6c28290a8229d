/* src/nn/graph.h -- checks of a model's graph (internal; graph.c). */
#ifndef WINIT_NN_GRAPH_H
#define WINIT_NN_GRAPH_H

#include <winit/model.h>

#include "core/internal.h"
#include "layers/kind.h"

/* WINIT_ERR_ARG naming the first layer (other than the last) whose output no later layer
 * reads. */
WINIT_INTERNAL int winit_model_spec_check_graph(const struct winit_model_spec *spec,
                                                struct winit_error *err);

/* Layer i's parameter tensors (its kind's declare on its first input), given every
 * layer's output shape (winit_model_spec_shapes); their count, at most
 * WINIT_MAX_LAYER_TENSORS. */
WINIT_INTERNAL int32_t winit_model_spec_tensors(const struct winit_model_spec *spec, int32_t i,
                                                const struct winit_shape *shapes,
                                                struct winit_tensor_decl *decl);

#endif /* WINIT_NN_GRAPH_H */
