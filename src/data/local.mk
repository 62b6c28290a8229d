# src/data: IDX reader (plain or gzip), labelled datasets, Fashion-MNIST, batch gather.
libwinit_la_SOURCES += \
	src/data/idx.c \
	src/data/dataset.c
