# Tests: one Check suite per unit (tests/check_*.c), linked against libwinit_core.la
# (libwinit's objects, internals included; the installed .so exports only the API).
# Each area's tests are listed in its own fragment.
WINIT_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LUA_CFLAGS) $(ZLIB_CFLAGS) $(JANSSON_CFLAGS)
WINIT_TEST_LIBS = libwinit_core.la $(CHECK_LIBS) $(LUA_LIBS) $(ZLIB_LIBS) $(JANSSON_LIBS) -lm
# Test-only plugins (deliberately broken ones among them) are not installed:
# -rpath makes libtool build them shared anyway.
WINIT_TEST_PLUGIN_FLAGS = -module -avoid-version -shared -rpath /nowhere

AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	PACKAGE_VERSION='$(PACKAGE_VERSION)'; export PACKAGE_VERSION; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	WINIT_TEST_PLUGIN_DIR='$(abs_top_builddir)/tests/plugins/.libs'; export WINIT_TEST_PLUGIN_DIR; \
	WINIT_BUILD_PLUGIN_DIRS='$(abs_top_builddir)/plugins/initializers/.libs:$(abs_top_builddir)/plugins/activations/.libs'; export WINIT_BUILD_PLUGIN_DIRS; \
	WINIT_CACHE_DIR='$(abs_top_builddir)/tests/cache'; export WINIT_CACHE_DIR; \
	LUA_INTERP='$(LUA_INTERP)'; export LUA_INTERP; \
	CK_DEFAULT_TIMEOUT=120; export CK_DEFAULT_TIMEOUT;
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/testwrapper.sh
EXTRA_DIST += tests/testwrapper.sh tests/testutil.h tests/valgrind.supp

if ENABLE_TESTS
include tests/core.mk
include tests/kernels.mk
include tests/nn.mk
include tests/theory.mk
include tests/data.mk
include tests/plugin.mk
include tests/report.mk
include tests/lua.mk
include tests/cli.mk
include tests/dist.mk
include tests/symbols.mk
endif
include tests/fuzz.mk

# The whole suite under valgrind (slow; CI runs the plain suite).
# Valgrind slows the numerical suites (check_theory's deep stacks) 20-50 times: Check's
# per-test timeouts are stretched to match.
check-valgrind:
	@test -n '$(VALGRIND)' || { echo "check-valgrind: configure found no valgrind (apt-get install valgrind, then rerun configure)"; exit 1; }
	WINIT_VALGRIND=1 VALGRIND='$(VALGRIND)' CK_TIMEOUT_MULTIPLIER=20 $(MAKE) $(AM_MAKEFLAGS) check
.PHONY: check-valgrind
# The dataset cache the tests fill (WINIT_CACHE_DIR above), instead of the user's.
clean-local: clean-test-cache
clean-test-cache:
	rm -rf tests/cache
.PHONY: clean-test-cache
