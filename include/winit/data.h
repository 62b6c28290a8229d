/* winit/data.h -- IDX files and in-memory labelled datasets.
 *
 * Images are kept as uint8 in memory (Fashion-MNIST's 60,000 training images are 47 MB)
 * and scaled to float (pixel / 255) when a batch is gathered; other data (from arrays,
 * generated, or normalised) is kept as float and gathered as it is.
 */
#ifndef WINIT_DATA_H
#define WINIT_DATA_H

#include <stddef.h>
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

/* The gzip inflater built in: "libdeflate" (whole files of one member; zlib for the rest
 * and for every error message) or "zlib". */
const char *winit_idx_inflater(void);
void winit_idx_free(struct winit_idx *idx);

struct winit_dataset {
	int64_t n;             /* samples */
	int64_t n_features;    /* e.g. 784 */
	int32_t height, width; /* image shape (height * width == n_features) */
	int32_t n_classes;
	uint8_t *x; /* (n, n_features) pixels, owned; NULL when xf holds the samples */
	float *xf;  /* (n, n_features) features as the model sees them, owned; or NULL */
	uint8_t *y; /* (n), labels in [0, n_classes), owned */
	/* Loaded from the dataset cache (winit_fashion_mnist_load): x and y point into this
	 * read-only mapping of map_len bytes, which winit_dataset_free unmaps; NULL
	 * otherwise (x and y come from malloc). */
	void *map;
	size_t map_len;
};

/* A float dataset of n samples of n_features (shape 1 x n_features) and n_classes (1 to
 * 256), xf and y allocated and zeroed for the caller to fill. */
int winit_dataset_init_float(struct winit_dataset *out, int64_t n, int64_t n_features,
                             int32_t n_classes, struct winit_error *err);

/* Gaussian classes for experiments: n samples of `features` features, labels uniform over
 * `classes`; class c's samples are N(mu_c, I), each mu_c drawn once from N(0, separation^2 I).
 * Everything comes from streams of `seed`, so the same arguments give the same data. */
int winit_dataset_gaussian(struct winit_dataset *out, int64_t n, int64_t features,
                           int32_t classes, double separation, uint64_t seed,
                           struct winit_error *err);

/* Input normalisation, per feature: x' = (x - shift) * scale, on the values the model
 * sees (pixel / 255 for images), with statistics from the training rows only. */
enum winit_normalize_kind {
	WINIT_NORMALIZE_NONE = 0,
	WINIT_NORMALIZE_SCALE = 1,      /* x / max |x|: one factor for every feature */
	WINIT_NORMALIZE_STANDARDIZE = 2 /* (x - mean) / sd per feature (sd 0: x - mean) */
};

struct winit_normalizer {
	int32_t kind;
	int64_t n_features;
	double *shift, *scale; /* (n_features), owned */
};

/* Statistics of rows [0, n_rows) of ds (the training rows: never the validation tail nor
 * the test set). */
int winit_normalizer_fit(struct winit_normalizer *nz, int32_t kind, const struct winit_dataset *ds,
                         int64_t n_rows, struct winit_error *err);
/* Apply nz to every row of ds.  An identity leaves ds as it is (so scaling pixel data
 * whose largest value is 255 changes nothing); otherwise ds holds floats afterwards. */
int winit_dataset_normalize(struct winit_dataset *ds, const struct winit_normalizer *nz,
                            struct winit_error *err);
void winit_normalizer_free(struct winit_normalizer *nz);

/* Load an images file (3-D IDX) and a labels file (1-D IDX); checks the counts agree and
 * every label is below n_classes. */
int winit_dataset_load_idx(struct winit_dataset *out, const char *images_path,
                           const char *labels_path, int32_t n_classes,
                           struct winit_error *err);
/* Load Fashion-MNIST's train and test sets from dir (NULL: winit_fashion_mnist_dir()).
 * Either out pointer may be NULL to skip that split.  Each split is kept inflated and
 * validated in the dataset cache ($WINIT_CACHE_DIR, else $XDG_CACHE_HOME/winit, else
 * ~/.cache/winit; WINIT_NO_CACHE=1 turns it off) and mapped read-only from there while
 * its source files are unchanged: the same bytes, without the gzip inflate.  A stale or
 * corrupt cache file is rebuilt; one that cannot be written is skipped, silently. */
int winit_fashion_mnist_load(struct winit_dataset *train, struct winit_dataset *test,
                             const char *dir, struct winit_error *err);
/* $WINIT_FASHION_MNIST_DIR if set and non-empty, else the configured default
 * (/usr/share/datasets/fashion-mnist). */
const char *winit_fashion_mnist_dir(void);
void winit_dataset_free(struct winit_dataset *ds);

/* Gather rows idx[0..n) of ds into out (n, n_features) -- pixel / 255, or the floats as
 * they are -- and their labels into labels (may be NULL). */
void winit_dataset_gather(float *out, uint8_t *labels, const struct winit_dataset *ds,
                          const uint32_t *idx, int64_t n);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_DATA_H */
