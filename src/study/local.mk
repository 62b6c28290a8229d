libwinit_core_la_SOURCES += \
	src/study/executor.c \
	src/study/run.c \
	src/study/grid.c \
	src/study/wire.h \
	src/study/wire.c \
	src/study/mpi.c \
	src/study/progress.h \
	src/study/progress.c
