libwinit_core_la_SOURCES += \
	src/analysis/conditions.h \
	src/analysis/conditions.c \
	src/analysis/learning.c \
	src/analysis/stats.c
