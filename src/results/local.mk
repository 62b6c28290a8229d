libwinit_core_la_SOURCES += \
	src/results/json.h \
	src/results/json.c \
	src/results/coord.h \
	src/results/coord.c \
	src/results/coord_read.c \
	src/results/spectrum.h \
	src/results/spectrum.c \
	src/results/spectrum_read.c \
	src/results/results.h \
	src/results/results.c \
	src/results/results_schema.h \
	src/results/results_schema.c \
	src/results/fields.h \
	src/results/fields.c \
	src/results/results_read.c \
	src/results/json_read.h \
	src/results/json_read.c \
	src/results/report_read.c \
	src/results/spans.h \
	src/results/spans.c \
	src/results/journal.h \
	src/results/journal.c \
	src/results/saver.c \
	src/results/resume.c
