# src/data: IDX reader (plain or gzip), labelled datasets (images or floats), Fashion-MNIST,
# batch gather, input normalisation, generated datasets.
libwinit_la_SOURCES += \
	src/data/idx.c \
	src/data/dataset.c \
	src/data/normalize.c \
	src/data/synthetic.c
