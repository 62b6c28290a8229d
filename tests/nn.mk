# tests: nn -- loss, optimizers, models, fit semantics, end-to-end training.
check_PROGRAMS += tests/check_nn
TESTS += tests/check_nn
tests_check_nn_SOURCES = tests/check_nn.c
tests_check_nn_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_nn_LDADD = $(WINIT_TEST_LIBS)

# tests: study -- the executor, reproducibility across jobs, results files.
check_PROGRAMS += tests/check_study
TESTS += tests/check_study
tests_check_study_SOURCES = tests/check_study.c
tests_check_study_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_study_LDADD = $(WINIT_TEST_LIBS)

# tests: model_io -- saved models: exact round trip, every damaged file refused.
check_PROGRAMS += tests/check_model_io
TESTS += tests/check_model_io
tests_check_model_io_SOURCES = tests/check_model_io.c
tests_check_model_io_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_model_io_LDADD = $(WINIT_TEST_LIBS)
EXTRA_DIST += tests/data/model_v1_chain.winit

# tests: diagnostics -- snapshots on the probe batch, distinct/dead/saturated units,
# results-file shape, bit-identical training with diagnostics on and off.
check_PROGRAMS += tests/check_diagnostics
TESTS += tests/check_diagnostics
tests_check_diagnostics_SOURCES = tests/check_diagnostics.c
tests_check_diagnostics_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_diagnostics_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_graph
TESTS += tests/check_graph
tests_check_graph_SOURCES = tests/check_graph.c
tests_check_graph_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_graph_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_conv
TESTS += tests/check_conv
tests_check_conv_SOURCES = tests/check_conv.c
tests_check_conv_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_conv_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_parametrization
TESTS += tests/check_parametrization
tests_check_parametrization_SOURCES = tests/check_parametrization.c
tests_check_parametrization_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_parametrization_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_norm
TESTS += tests/check_norm
tests_check_norm_SOURCES = tests/check_norm.c
tests_check_norm_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_norm_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_jacobian
TESTS += tests/check_jacobian
tests_check_jacobian_SOURCES = tests/check_jacobian.c
tests_check_jacobian_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_jacobian_LDADD = $(WINIT_TEST_LIBS)
