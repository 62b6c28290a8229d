libwinit_la_SOURCES += \
	src/study/executor.c
