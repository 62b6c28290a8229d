libwinit_core_la_SOURCES += \
	src/nn/model.c \
	src/nn/spec.c \
	src/nn/graph.c \
	src/nn/graph.h \
	src/nn/parametrization.c \
	src/nn/passes.c \
	src/nn/model_guard.h \
	src/nn/loss.c \
	src/nn/optimizer.c \
	src/nn/trainer.c \
	src/nn/fit.c \
	src/nn/early_stopping.c \
	src/nn/diagnostics.c \
	src/nn/diag_hist.c \
	src/nn/diag_pool.c \
	src/nn/diag_pool.h \
	src/nn/save.c \
	src/nn/load.c \
	src/nn/model_file.h
