/* winit/model_io.h -- saving and loading trained models (docs/model-format.md).
 *
 * A model file begins with the magic "WINITMOD" and a format version, and ends with a
 * zlib crc32 of everything before it.  It holds the weights, optionally the architecture
 * (input shape, every layer's kind, inputs, size, activation and initializers with their
 * parameter values, configuration and multipliers, the loss, the optimizer settings, the
 * run seed) and optionally the optimizer's
 * state.  A reader refuses a truncated, corrupted, wrong-version or shape-mismatched
 * file with a message naming the byte offset, and leaves its output untouched: nothing
 * is ever half-loaded. */
#ifndef WINIT_MODEL_IO_H
#define WINIT_MODEL_IO_H

#include <stdint.h>
#include <winit/error.h>
#include <winit/registry.h>
#include <winit/train.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_MODEL_MAGIC "WINITMOD" /* 8 bytes at offset 0 */
/* The newest format version this winit reads (it reads every earlier one) and writes
 * for a model that version 1 cannot describe (a graph, a layer name, multipliers); a chain
 * of Dense layers is still written as version 1. */
#define WINIT_MODEL_FORMAT_VERSION 2

/* What a file holds besides the weights (the flags word at offset 12). */
enum winit_model_content {
	WINIT_MODEL_ARCHITECTURE = 1u, /* enough to rebuild the model: winit_model_load */
	WINIT_MODEL_WEIGHTS = 2u,      /* always set */
	WINIT_MODEL_OPTIMIZER = 4u     /* the optimizer's moments, step count, shuffle stream */
};

/* Write t's weights to path, with the architecture and the optimizer state when `what`
 * has WINIT_MODEL_ARCHITECTURE / WINIT_MODEL_OPTIMIZER.  Written as winit/safe_write.h
 * writes every file: a temporary file in the same directory, fsync'ed and renamed over
 * path (a failed save leaves path as it was); only a regular file is replaced, and only
 * a saved model (or an empty file) unless flags (the _ext form) has WINIT_WRITE_FORCE;
 * a symbolic link is followed to the file it names, which gets the same checks. */
int winit_model_save(const char *path, const struct winit_trainer *t, uint32_t what,
                     struct winit_error *err);
int winit_model_save_ext(const char *path, const struct winit_trainer *t, uint32_t what,
                         unsigned flags, struct winit_error *err);

/* Rebuild a trainer from a file written with WINIT_MODEL_ARCHITECTURE: the plugins are
 * looked up by kind and name in reg, their parameters by name.  t is initialised only on
 * success (free it with winit_trainer_free); *what (may be NULL) receives the file's
 * content flags. */
int winit_model_load(const char *path, const struct winit_registry *reg,
                     struct winit_trainer *t, uint32_t *what, struct winit_error *err);

/* Replace t's weights by a file's (any content; its layer shapes must match t's).  The
 * optimizer's state is left as it is; data-aware initializers count as done (a later fit
 * does not overwrite the loaded weights).  On error t is unchanged. */
int winit_model_load_weights(const char *path, struct winit_trainer *t,
                             struct winit_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_MODEL_IO_H */
