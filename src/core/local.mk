libwinit_core_la_SOURCES += \
	src/core/clock.h \
	src/core/internal.h \
	src/core/error.c \
	src/core/guard.h \
	src/core/guard.c \
	src/core/fileio.h \
	src/core/fileio.c \
	src/core/rng.c \
	src/core/stream.c \
	src/core/cancel.c \
	src/core/team.c \
	src/core/relocate.h \
	src/core/relocate.c \
	src/core/safe_write.c
