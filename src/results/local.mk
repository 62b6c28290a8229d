libwinit_core_la_SOURCES += \
	src/results/spans.h \
	src/results/spans.c \
	src/results/journal.h \
	src/results/journal.c \
	src/results/saver.c \
	src/results/resume.c
