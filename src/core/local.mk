libwinit_la_SOURCES += \
	src/core/error.c \
	src/core/rng.c
