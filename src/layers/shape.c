/* src/layers/shape.c -- one example's shape (winit/shape.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <winit/shape.h>

int64_t winit_shape_elements(const struct winit_shape *s)
{
	if (s->rank <= 0)
		return 0;
	int64_t n = 1;
	for (int32_t i = 0; i < s->rank && i < WINIT_MAX_RANK; i++)
		n *= s->dim[i];
	return n;
}

int winit_shape_equal(const struct winit_shape *a, const struct winit_shape *b)
{
	if (a->rank != b->rank)
		return 0;
	for (int32_t i = 0; i < a->rank && i < WINIT_MAX_RANK; i++)
		if (a->dim[i] != b->dim[i])
			return 0;
	return 1;
}

char *winit_shape_format(const struct winit_shape *s, char *buf, size_t n)
{
	if (!n)
		return buf;
	size_t k = (size_t)snprintf(buf, n, "(None");
	for (int32_t i = 0; i < s->rank && i < WINIT_MAX_RANK && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, ", %lld", (long long)s->dim[i]);
	if (k < n)
		snprintf(buf + k, n - k, ")");
	return buf;
}

int winit_shape_set(struct winit_shape *s, int32_t rank, const int64_t *dims)
{
	if (rank < 1 || rank > WINIT_MAX_RANK)
		return -1;
	struct winit_shape t;
	memset(&t, 0, sizeof t);
	t.rank = rank;
	int64_t n = 1;
	for (int32_t i = 0; i < rank; i++) {
		if (dims[i] < 1 || dims[i] > (INT64_C(1) << 31) / n)
			return -1;
		t.dim[i] = dims[i];
		n *= dims[i];
	}
	*s = t;
	return 0;
}
