/* winit/data.h -- IDX and NumPy .npy files, and in-memory labelled datasets.
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
	int32_t height, width; /* image shape (height * width * max(channels, 1) == n_features) */
	int32_t n_classes;
	uint8_t *x; /* (n, n_features) pixels, owned; NULL when xf holds the samples */
	float *xf;  /* (n, n_features) features as the model sees them, owned; or NULL */
	uint8_t *y; /* (n), labels in [0, n_classes), owned */
	/* Loaded from the dataset cache (winit_fashion_mnist_load): x and y point into this
	 * read-only mapping of map_len bytes, which winit_dataset_free unmaps; NULL
	 * otherwise (x and y come from malloc). */
	void *map;
	size_t map_len;
	/* 0: samples of shape (height, width), as IDX images and float data have; else the
	 * images' channel count, samples of shape (height, width, channels) with the channel
	 * fastest (channels-last, as NumPy's (N, H, W, C) arrays and Keras keep them). */
	int32_t channels;
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
/* NumPy's .npy format (numpy.lib.format), versions 1.0, 2.0 and 3.0: the magic
 * "\x93NUMPY", the version's two bytes, the header's length (little-endian uint16 for 1.0,
 * uint32 for 2.0 and 3.0), the header -- a Python dict literal with the keys 'descr',
 * 'fortran_order' and 'shape', ended by a newline; Latin-1 text for 1.0 and 2.0, UTF-8
 * for 3.0 -- then the array's elements.  Accepted: simple dtypes only, unsigned and signed
 * integers of 1, 2, 4 and 8 bytes ('|u1', '<i4', '>u2', ...) and floats of 4 and 8 bytes
 * ('<f4', '>f8', ...), with an explicit byte order ('<' or '>', or '|' for one byte);
 * C order only (fortran_order True is refused); up to WINIT_NPY_MAX_DIMS dimensions.  The
 * header is parsed strictly, accepting what NumPy writers produce: single or double
 * quotes, keys in any order, spaces and tabs between tokens, a trailing comma in the dict
 * and the tuple, 1-tuples "(5,)", the "L" suffix Python 2 wrote on integers (1.0 and
 * 2.0), and a header of at most WINIT_NPY_MAX_HEADER bytes.  The data must end the file
 * (too short and trailing bytes are both errors).  Errors name the file and the byte
 * offset, what was expected and what was found. */
#define WINIT_NPY_MAX_DIMS 8
#define WINIT_NPY_MAX_HEADER (1u << 20)

struct winit_npy {
	uint8_t major, minor; /* the format version: 1.0, 2.0 or 3.0 */
	char kind;            /* 'u' (unsigned integer), 'i' (signed integer) or 'f' (float) */
	uint8_t item_size;    /* bytes per element: 1, 2, 4 or 8 ('f': 4 or 8) */
	char descr[8];        /* the dtype as the file wrote it, e.g. "<f4" */
	uint32_t n_dims;      /* 0 (a scalar) to WINIT_NPY_MAX_DIMS */
	uint64_t dims[WINIT_NPY_MAX_DIMS];
	uint64_t n;        /* product of dims (1 for a scalar) */
	uint64_t descr_at; /* byte offsets in the file: the descr value, */
	uint64_t shape_at; /* the shape tuple's "(", */
	uint64_t data_at;  /* the first element (the header's end) */
	void *data;        /* n * item_size bytes in this machine's byte order, owned (never
	                    * NULL after a successful read, also when n is 0) */
};

/* Read a .npy file (a regular file). */
int winit_npy_read(struct winit_npy *out, const char *path, struct winit_error *err);
/* The same from len bytes in memory; `name` stands for the file in messages.  For the
 * same bytes it gives what winit_npy_read gives, message for message. */
int winit_npy_parse(struct winit_npy *out, const void *bytes, size_t len, const char *name,
                    struct winit_error *err);
void winit_npy_free(struct winit_npy *npy);

/* Load images and labels from two .npy files, as Python users keep them (numpy.save):
 * images of shape (N, H, W) or (N, H, W, C) (channels-last, out->channels = C) and dtype
 * uint8 ('|u1': kept as bytes and gathered as pixel / 255, as IDX images are) or float32
 * ('<f4', '>f4') or float64 ('<f8', '>f8', rounded to float32), floats taken as they are
 * and required finite (and within a float's range); labels of shape (N,) and any integer
 * dtype winit_npy_read accepts, each in [0, n_classes).  n_classes is 1 to 256, or 0 for
 * the largest label + 1 (labels then in [0, 255]).  Also refused: N, H, W or C of 0, more
 * than 2^32 samples, H * W * C above 2^31 - 1, and N differing between the files. */
int winit_dataset_load_npy(struct winit_dataset *out, const char *images_path,
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
