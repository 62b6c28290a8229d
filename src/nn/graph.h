/* src/nn/graph.h -- checks of a model's graph (internal; graph.c). */
#ifndef WINIT_NN_GRAPH_H
#define WINIT_NN_GRAPH_H

#include <winit/model.h>

#include "core/internal.h"

/* WINIT_ERR_ARG naming the first layer (other than the last) whose output no later layer
 * reads. */
WINIT_INTERNAL int winit_model_spec_check_graph(const struct winit_model_spec *spec,
                                                struct winit_error *err);

#endif /* WINIT_NN_GRAPH_H */
