libwinit_core_la_SOURCES += \
	src/theory/propagation.c \
	src/theory/fixed_point.c
