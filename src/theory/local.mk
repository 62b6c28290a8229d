libwinit_la_SOURCES += \
	src/theory/propagation.c
