libwinit_la_SOURCES += \
	src/report/json.h \
	src/report/json.c \
	src/report/progress.c \
	src/report/results.h \
	src/report/results.c \
	src/report/results_read.c \
	src/report/table.c \
	src/report/stats.c
