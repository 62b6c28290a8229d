libwinit_core_la_SOURCES += \
	src/report/json.h \
	src/report/json.c \
	src/report/progress.c \
	src/report/results.h \
	src/report/results.c \
	src/report/conditions.h \
	src/report/conditions.c \
	src/report/results_schema.h \
	src/report/results_schema.c \
	src/report/results_read.c \
	src/report/json_read.h \
	src/report/json_read.c \
	src/report/report_read.c \
	src/report/svg.h \
	src/report/svg.c \
	src/report/plot_xy.h \
	src/report/plot_xy.c \
	src/report/plot.h \
	src/report/plot.c \
	src/report/html.h \
	src/report/html.c \
	src/report/html_diag.c \
	src/report/html_hist.c \
	src/report/table.c \
	src/report/csv.c \
	src/report/learning.c \
	src/report/stats.c
