# tests: theory -- Gauss-Hermite quadrature, the signal-propagation recursion against
# deep stacks measured on Gaussian inputs.
check_PROGRAMS += tests/check_theory
TESTS += tests/check_theory
tests_check_theory_SOURCES = tests/check_theory.c
tests_check_theory_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_theory_LDADD = $(WINIT_TEST_LIBS)

# The experiment scripts of scripts/theory/ in their fast mode: each finding's direction
# (tests/theory.sh, real Fashion-MNIST), and results:report's figures on bad input.
TESTS += tests/theory.sh
EXTRA_DIST += tests/theory.sh tests/lua/bad_figure.lua
