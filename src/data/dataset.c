/* src/data/dataset.c -- labelled datasets: images from IDX files, Fashion-MNIST, float
 * datasets; batches.
 *
 * Images stay uint8 in memory; winit_dataset_gather scales a batch to float as
 * (float)p / 255.0f, which is exactly Keras's float32(x / 255.0) for every byte.  Float
 * datasets (xf) are gathered as they are.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/data.h>
#include <winit/plugin_util.h> /* WINIT_HOT */

#include "data/cache.h"

#ifndef WINIT_FASHION_MNIST_DEFAULT
#define WINIT_FASHION_MNIST_DEFAULT "/usr/share/datasets/fashion-mnist"
#endif

#define FASHION_MNIST_CLASSES 10
#define FASHION_MNIST_HINT \
	"install it with `apt-get install dataset-fashion-mnist`, or set " WINIT_FASHION_MNIST_ENV " to a directory holding the four IDX files"


int winit_dataset_load_idx(struct winit_dataset *out, const char *images_path,
                           const char *labels_path, int32_t n_classes,
                           struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (!images_path || !labels_path)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_dataset_load_idx: %s path is NULL",
		                       images_path ? "labels" : "images");
	if (n_classes < 1 || n_classes > 256)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_dataset_load_idx: n_classes %" PRId32 " out of range; expected 1 to 256 (labels are bytes)",
		                       n_classes);

	struct winit_idx images, labels;
	int rc = winit_idx_read(&images, images_path, err);
	if (rc != WINIT_OK)
		return rc;
	rc = winit_idx_read(&labels, labels_path, err);
	if (rc != WINIT_OK) {
		winit_idx_free(&images);
		return rc;
	}
	if (images.n_dims != 3) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: byte 3: images file has %" PRIu32 " dimension%s; expected 3 (count, height, width)", images_path,
		                     images.n_dims, images.n_dims == 1 ? "" : "s");
		goto fail;
	}
	if (labels.n_dims != 1) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: byte 3: labels file has %" PRIu32 " dimensions; expected 1 (count)", labels_path, labels.n_dims);
		goto fail;
	}
	if (images.dims[0] != labels.dims[0]) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "sample counts disagree: %s holds %" PRIu32 " images but %s holds %" PRIu32 " labels",
		                     images_path, images.dims[0], labels_path, labels.dims[0]);
		goto fail;
	}
	if ((uint64_t)images.dims[1] * images.dims[2] > INT32_MAX) { /* dims are >= 1 */
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: byte 8: image shape %" PRIu32 "x%" PRIu32 " too large; expected height * width <= %d",
		                     images_path, images.dims[1], images.dims[2], INT32_MAX);
		goto fail;
	}
	for (uint64_t i = 0; i < labels.n; i++) {
		if (labels.data[i] >= n_classes) {
			rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: byte %" PRIu64 " (label %" PRIu64 "): label %u out of range; expected 0 to %" PRId32 " (%" PRId32 " classes)", labels_path, 8 + i, i,
			                     labels.data[i], n_classes - 1, n_classes);
			goto fail;
		}
	}

	out->n = images.dims[0];
	out->height = (int32_t)images.dims[1];
	out->width = (int32_t)images.dims[2];
	out->n_features = (int64_t)out->height * out->width;
	out->n_classes = n_classes;
	out->x = images.data; /* ownership moves to the dataset */
	out->y = labels.data;
	return WINIT_OK;

fail:
	winit_idx_free(&images);
	winit_idx_free(&labels);
	return rc;
}

int winit_dataset_init_float(struct winit_dataset *out, int64_t n, int64_t n_features,
                             int32_t n_classes, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (n < 1 || n_features < 1 || n_features > INT32_MAX || n > UINT32_MAX)
		return winit_error_set(err, WINIT_ERR_ARG, "dataset: %lld samples of %lld features; expected at least one of each (at most 2^32 samples, 2^31 - 1 features)",
		                       (long long)n, (long long)n_features);
	if (n_classes < 1 || n_classes > 256)
		return winit_error_set(err, WINIT_ERR_ARG, "dataset: %" PRId32 " classes; expected 1 to 256 (labels are bytes)", n_classes);
	if ((uint64_t)n > SIZE_MAX / sizeof(float) / (uint64_t)n_features)
		return winit_error_set(err, WINIT_ERR_NOMEM, "dataset: %lld x %lld floats do not fit in memory",
		                       (long long)n, (long long)n_features);
	out->xf = calloc((size_t)n * (size_t)n_features, sizeof(float));
	out->y = calloc((size_t)n, 1);
	if (!out->xf || !out->y) {
		winit_dataset_free(out);
		return winit_error_set(err, WINIT_ERR_NOMEM, "dataset: cannot allocate %lld x %lld floats",
		                       (long long)n, (long long)n_features);
	}
	out->n = n;
	out->n_features = n_features;
	out->height = 1;
	out->width = (int32_t)n_features;
	out->n_classes = n_classes;
	return WINIT_OK;
}

const char *winit_fashion_mnist_dir(void)
{
	const char *env = getenv(WINIT_FASHION_MNIST_ENV);
	return env && *env ? env : WINIT_FASHION_MNIST_DEFAULT;
}

/* dir/name.gz if anything is there (a link that leads nowhere too: reading it then says
 * why, rather than the plain file being read in its place), else dir/name if it exists;
 * else an error naming the .gz. */
static int fashion_path(char *buf, size_t size, const char *dir, const char *name,
                        struct winit_error *err)
{
	int w = snprintf(buf, size, "%s/%s.gz", dir, name);
	if (w < 0 || (size_t)w >= size)
		return winit_error_set(err, WINIT_ERR_ARG, "Fashion-MNIST directory name too long "
		                                           "(%zu bytes): %s",
		                       strlen(dir), dir);
	struct stat st;
	if (lstat(buf, &st) == 0)
		return WINIT_OK;
	int gz_errno = errno;
	buf[w - 3] = '\0';
	if (access(buf, F_OK) == 0)
		return WINIT_OK;
	return winit_error_set(err, WINIT_ERR_IO, "Fashion-MNIST: %s/%s.gz: %s (nor %s); %s",
	                       dir, name, strerror(gz_errno), buf, FASHION_MNIST_HINT);
}

static int fashion_split(struct winit_dataset *out, const char *dir, const char *prefix,
                         struct winit_error *err)
{
	char images[4096], labels[4096], name[64];
	snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
	int rc = fashion_path(images, sizeof images, dir, name, err);
	if (rc != WINIT_OK)
		return rc;
	snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
	if ((rc = fashion_path(labels, sizeof labels, dir, name, err)) != WINIT_OK)
		return rc;
	struct winit_data_cache cache;
	int cached = winit_data_cache_open(&cache, images, labels, FASHION_MNIST_CLASSES);
	if (cached && winit_data_cache_load(&cache, out))
		return WINIT_OK;
	rc = winit_dataset_load_idx(out, images, labels, FASHION_MNIST_CLASSES, err);
	if (rc != WINIT_OK)
		winit_error_prefix(err, "Fashion-MNIST %s set: ", prefix);
	else if (cached)
		winit_data_cache_store(&cache, out);
	return rc;
}

int winit_fashion_mnist_load(struct winit_dataset *train, struct winit_dataset *test,
                             const char *dir, struct winit_error *err)
{
	if (train)
		memset(train, 0, sizeof *train);
	if (test)
		memset(test, 0, sizeof *test);
	const char *origin = "";
	if (!dir) {
		const char *env = getenv(WINIT_FASHION_MNIST_ENV);
		if (env && *env)
			origin = " (from $" WINIT_FASHION_MNIST_ENV ")";
		dir = winit_fashion_mnist_dir();
	}
	if (access(dir, F_OK) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "Fashion-MNIST: %s%s: %s; %s", dir,
		                       origin, strerror(errno), FASHION_MNIST_HINT);
	int rc;
	if (train && (rc = fashion_split(train, dir, "train", err)) != WINIT_OK)
		return rc;
	if (test && (rc = fashion_split(test, dir, "t10k", err)) != WINIT_OK) {
		if (train)
			winit_dataset_free(train);
		return rc;
	}
	return WINIT_OK;
}

void winit_dataset_free(struct winit_dataset *ds)
{
	if (!ds)
		return;
	if (ds->map) {
		munmap(ds->map, ds->map_len);
	} else {
		free(ds->x);
		free(ds->y);
	}
	free(ds->xf);
	memset(ds, 0, sizeof *ds);
}

/* Built for several ISAs (WINIT_HOT, an ifunc): static, since an ifunc symbol is local to
 * libwinit.so and the public name below must be exported. */
WINIT_HOT static void gather(float *out, uint8_t *labels, const struct winit_dataset *ds,
                             const uint32_t *idx, int64_t n)
{
	const int64_t f = ds->n_features;
	if (ds->xf) {
		for (int64_t i = 0; i < n; i++) {
			memcpy(out + i * f, ds->xf + (size_t)idx[i] * (size_t)f, (size_t)f * sizeof(float));
			if (labels)
				labels[i] = ds->y[idx[i]];
		}
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		const uint8_t *src = ds->x + (size_t)idx[i] * (size_t)f; /* (n_features) */
		float *dst = out + i * f;                                /* (n_features) */
		/* (float)p / 255.0f is correctly rounded, so it equals Keras's
		 * float32(p / 255.0) for every byte (the tests check all 256); a plain
		 * division vectorises. */
		for (int64_t j = 0; j < f; j++)
			dst[j] = (float)src[j] / 255.0f;
		if (labels)
			labels[i] = ds->y[idx[i]];
	}
}

void winit_dataset_gather(float *out, uint8_t *labels, const struct winit_dataset *ds,
                          const uint32_t *idx, int64_t n)
{
	gather(out, labels, ds, idx, n);
}
