# src/data: IDX reader (plain or gzip), NumPy .npy reader, labelled datasets (images or floats), Fashion-MNIST,
# batch gather, input normalisation, generated datasets; the dataset cache.
libwinit_core_la_SOURCES += \
	src/data/idx.c \
	src/data/npy.c \
	src/data/dataset.c \
	src/data/cache.h \
	src/data/cache.c \
	src/data/normalize.c \
	src/data/synthetic.c
