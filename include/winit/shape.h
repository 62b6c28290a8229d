/* winit/shape.h -- the shape of one example as a layer sees it, channels-last as Keras
 * (height, width, channels), the batch not included: (784) for a flat vector, (28, 28)
 * for an image, (28, 28, 1) for an image with its channel axis. */
#ifndef WINIT_SHAPE_H
#define WINIT_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most axes of one example (image height, width, channels). */
#define WINIT_MAX_RANK 3

struct winit_shape {
	int32_t rank;                /* 1 .. WINIT_MAX_RANK */
	int64_t dim[WINIT_MAX_RANK]; /* each >= 1; entries past rank are 0 */
};

/* The number of values of one example: the product of the dims (0 for rank 0). */
int64_t winit_shape_elements(const struct winit_shape *s);

/* 1 when a and b have the same rank and dims. */
int winit_shape_equal(const struct winit_shape *a, const struct winit_shape *b);

/* The shape as Keras prints a tensor's, batch first: "(None, 28, 28, 1)".  Writes at most
 * n bytes (NUL included) to buf and returns buf. */
char *winit_shape_format(const struct winit_shape *s, char *buf, size_t n);

/* *s = the shape of rank `rank` with those dims; 0, or -1 (s untouched) when rank is not
 * in 1 .. WINIT_MAX_RANK or a dim is < 1 or the product overflows 2^31. */
int winit_shape_set(struct winit_shape *s, int32_t rank, const int64_t *dims);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_SHAPE_H */
