/* src/nn/model_file.h -- sizes of the model file's fixed parts, shared by its writer
 * (save.c) and reader (load.c); docs/model-format.md is the format. */
#ifndef WINIT_NN_MODEL_FILE_H
#define WINIT_NN_MODEL_FILE_H

#define HEADER_BYTES 24    /* magic 8, version 4, content flags 4, body length 8 */
#define TRAILER_BYTES 4    /* crc32 of everything before it */
#define NAME_MAX_BYTES 255 /* a str: one length byte */

/* The versions: a writer writes the oldest that describes the model, so files of the
 * models of before graphs are read by every winit (docs/model-format.md). */
#define MODEL_VERSION_CHAIN 1 /* a chain of Dense layers without names or multipliers */
#define MODEL_VERSION_GRAPH 2 /* any graph of the kinds of src/layers/ */
#define MODEL_INPUT_REF 0xffffffffu /* version 2: a layer's input that is the model's */

#endif
