libwinit_core_la_SOURCES += \
	src/plot/svg.h \
	src/plot/svg.c \
	src/plot/plot_xy.c \
	src/plot/plot.c
