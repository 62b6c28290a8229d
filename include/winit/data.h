/* winit/data.h -- IDX files and in-memory labelled image datasets.
 *
 * Samples are kept as uint8 in memory (Fashion-MNIST's 60,000 training images are 47 MB);
 * batches are scaled to float (pixel / 255) when they are gathered.
 */
#ifndef WINIT_DATA_H
#define WINIT_DATA_H

#include <stdint.h>
#include <winit/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_IDX_MAX_DIMS 4
#define WINIT_FASHION_MNIST_ENV "WINIT_FASHION_MNIST_DIR"

/* An IDX file's contents.  Only type code 0x08 (unsigned byte) is accepted. */
struct winit_idx {
	uint32_t n_dims;
	uint32_t dims[WINIT_IDX_MAX_DIMS];
	uint64_t n;    /* product of dims */
	uint8_t *data; /* n bytes, owned */
};

/* Read an IDX file, gzip-compressed or not (detected from the content, not the name).
 * Validates: the magic (two zero bytes, type code 0x08, 1..4 dimensions), dimensions
 * non-zero, the payload size against the dimensions (too short and trailing bytes are
 * both errors).  Errors name the file and the byte offset. */
int winit_idx_read(struct winit_idx *out, const char *path, struct winit_error *err);
void winit_idx_free(struct winit_idx *idx);

struct winit_dataset {
	int64_t n;             /* samples */
	int64_t n_features;    /* e.g. 784 */
	int32_t height, width; /* image shape (height * width == n_features) */
	int32_t n_classes;
	uint8_t *x; /* (n, n_features), owned */
	uint8_t *y; /* (n), labels in [0, n_classes), owned */
};

/* Load an images file (3-D IDX) and a labels file (1-D IDX); checks the counts agree and
 * every label is below n_classes. */
int winit_dataset_load_idx(struct winit_dataset *out, const char *images_path,
                           const char *labels_path, int32_t n_classes,
                           struct winit_error *err);
/* Load Fashion-MNIST's train and test sets from dir (NULL: winit_fashion_mnist_dir()).
 * Either out pointer may be NULL to skip that split. */
int winit_fashion_mnist_load(struct winit_dataset *train, struct winit_dataset *test,
                             const char *dir, struct winit_error *err);
/* $WINIT_FASHION_MNIST_DIR if set and non-empty, else the configured default
 * (/usr/share/datasets/fashion-mnist). */
const char *winit_fashion_mnist_dir(void);
void winit_dataset_free(struct winit_dataset *ds);

/* Gather rows idx[0..n) of ds into out (n, n_features) as float pixel / 255 and their
 * labels into labels (may be NULL). */
void winit_dataset_gather(float *out, uint8_t *labels, const struct winit_dataset *ds,
                          const uint32_t *idx, int64_t n);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_DATA_H */
