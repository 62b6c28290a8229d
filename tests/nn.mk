# tests: nn -- loss, optimizers, models, fit semantics, end-to-end training.
check_PROGRAMS += tests/check_nn
TESTS += tests/check_nn
tests_check_nn_SOURCES = tests/check_nn.c
tests_check_nn_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_nn_LDADD = $(WINIT_TEST_LIBS)
