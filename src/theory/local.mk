libwinit_core_la_SOURCES += \
	src/theory/theory_internal.h \
	src/theory/propagation.c \
	src/theory/fixed_point.c \
	src/theory/correlation.c
