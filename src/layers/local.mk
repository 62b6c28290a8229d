libwinit_core_la_SOURCES += \
	src/layers/kind.h \
	src/layers/kinds.c \
	src/layers/shape.c \
	src/layers/shape_ops.c \
	src/layers/kernel_ops.c \
	src/layers/window.c \
	src/layers/window.h \
	src/layers/dense/dense.c \
	src/layers/flatten/flatten.c \
	src/layers/reshape/reshape.c \
	src/layers/add/add.c \
	src/layers/concatenate/concatenate.c \
	src/layers/conv2d/conv2d.c \
	src/layers/pool.c \
	src/layers/pool.h \
	src/layers/max_pooling2d/max_pooling2d.c \
	src/layers/average_pooling2d/average_pooling2d.c \
	src/layers/global_average_pooling2d/global_average_pooling2d.c \
	src/layers/dropout/dropout.c \
	src/layers/batch_normalization/batch_normalization.c \
	src/layers/layer_normalization/layer_normalization.c \
	src/layers/scale/scale.c \
	src/layers/norm_ops.c
