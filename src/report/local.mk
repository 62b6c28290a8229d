libwinit_core_la_SOURCES += \
	src/report/html.h \
	src/report/html.c \
	src/report/html_diag.c \
	src/report/html_hist.c \
	src/report/html_coord.c \
	src/report/html_spectrum.c \
	src/report/table.c \
	src/report/csv.c
