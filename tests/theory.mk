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
# The deep-network theory scripts (edge_of_chaos.lua, deep_convergence.lua, correlations.lua)
# in fast mode.
TESTS += tests/theory_depth.sh
EXTRA_DIST += tests/theory_depth.sh
# scripts/theory/width.lua in fast mode: the coordinate check's finding (muP within 25%,
# SP's logits at least 3x from width 128 to 1024), learning-rate transfer, shards.
TESTS += tests/width.sh
EXTRA_DIST += tests/width.sh
# scripts/theory/isometry.lua in fast mode: the Jacobian spectrum beside free probability
# (orthogonal tanh at criticality tight, Gaussian and ReLU spreading with depth), the
# steps-to-target study, the spectrum file and the report's figures.
TESTS += tests/isometry.sh
EXTRA_DIST += tests/isometry.sh
# scripts/theory/trainability.lua in fast mode: the table against winit.theory's 6 xi_c,
# the heat map in the page, shards merged bit for bit.
TESTS += tests/trainability.sh
EXTRA_DIST += tests/trainability.sh
# scripts/compare_inits_cnn.lua (the four initializers on Keras's tutorial CNN) in fast
# mode: one epoch on 1,000 training images; zeros at exactly 0.1000, Glorot and He ahead of
# N(0, 1) (real Fashion-MNIST).
TESTS += tests/cnn.sh
EXTRA_DIST += tests/cnn.sh
# residual.lua (plain, residual, LayerNorm, ReZero, Fixup) and normalization.lua (BatchNorm
# over six initializers) in fast mode.
TESTS += tests/theory_residual.sh
EXTRA_DIST += tests/theory_residual.sh
# deep_cnn.lua (deep vanilla CNNs: delta-orthogonal at the edge of chaos, He against Glorot)
# in fast mode: theory at initialization, the tables, the results file's kernels, the page.
TESTS += tests/deep_cnn.sh
EXTRA_DIST += tests/deep_cnn.sh

# The activation erf(a x), whose correlation kernel has a closed form: a test-only plugin,
# in a directory of its own (tests/plugins/ holds the loader's broken objects, counted).
check_LTLIBRARIES += tests/plugins/theory/erf.la
tests_plugins_theory_erf_la_SOURCES = tests/plugins/theory/erf.c
tests_plugins_theory_erf_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_theory_erf_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_theory_erf_la_LIBADD = -lm
# How check_theory's correlation references were computed (mpmath; not run by make check).
EXTRA_DIST += tests/tools/correlation_reference.py
