# tests: plugin -- the loader, parameters, and the shipped plugins.
# Test-only plugins (tests/plugins/*.c, most deliberately broken) are built at
# `make check` into tests/plugins/.libs ($WINIT_TEST_PLUGIN_DIR) and never installed.
check_LTLIBRARIES += tests/plugins/bad_abi.la
tests_plugins_bad_abi_la_SOURCES = tests/plugins/bad_abi.c
tests_plugins_bad_abi_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_abi_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/bad_default.la
tests_plugins_bad_default_la_SOURCES = tests/plugins/bad_default.c
tests_plugins_bad_default_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_default_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/bad_gain.la
tests_plugins_bad_gain_la_SOURCES = tests/plugins/bad_gain.c
tests_plugins_bad_gain_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_gain_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/bad_name.la
tests_plugins_bad_name_la_SOURCES = tests/plugins/bad_name.c
tests_plugins_bad_name_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_bad_name_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/dup_zeros.la
tests_plugins_dup_zeros_la_SOURCES = tests/plugins/dup_zeros.c
tests_plugins_dup_zeros_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_dup_zeros_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/endless.la
tests_plugins_endless_la_SOURCES = tests/plugins/endless.c
tests_plugins_endless_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_endless_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/good_two.la
tests_plugins_good_two_la_SOURCES = tests/plugins/good_two.c
tests_plugins_good_two_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_good_two_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/no_entry.la
tests_plugins_no_entry_la_SOURCES = tests/plugins/no_entry.c
tests_plugins_no_entry_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_no_entry_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/null_fill.la
tests_plugins_null_fill_la_SOURCES = tests/plugins/null_fill.c
tests_plugins_null_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_null_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/small_struct.la
tests_plugins_small_struct_la_SOURCES = tests/plugins/small_struct.c
tests_plugins_small_struct_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_small_struct_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/undefined_sym.la
tests_plugins_undefined_sym_la_SOURCES = tests/plugins/undefined_sym.c
tests_plugins_undefined_sym_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_undefined_sym_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

# Loadable but wrong, for the conformance checks (check_conformance): in their own
# directory, so the loader tests' scans of $WINIT_TEST_PLUGIN_DIR do not see them.
check_LTLIBRARIES += tests/plugins/conformance/bad_alias.la
tests_plugins_conformance_bad_alias_la_SOURCES = tests/plugins/conformance/bad_alias.c
tests_plugins_conformance_bad_alias_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_bad_alias_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_bad_alias_la_LIBADD = -lm
check_LTLIBRARIES += tests/plugins/conformance/false_from_output.la
tests_plugins_conformance_false_from_output_la_SOURCES = tests/plugins/conformance/false_from_output.c
tests_plugins_conformance_false_from_output_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_false_from_output_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_false_from_output_la_LIBADD = -lm

check_LTLIBRARIES += tests/plugins/conformance/bad_stddev.la
tests_plugins_conformance_bad_stddev_la_SOURCES = tests/plugins/conformance/bad_stddev.c
tests_plugins_conformance_bad_stddev_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_bad_stddev_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_bad_stddev_la_LIBADD = -lm

check_LTLIBRARIES += tests/plugins/conformance/nan_fill.la
tests_plugins_conformance_nan_fill_la_SOURCES = tests/plugins/conformance/nan_fill.c
tests_plugins_conformance_nan_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_nan_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_nan_fill_la_LIBADD = -lm

check_LTLIBRARIES += tests/plugins/conformance/nondeterministic.la
tests_plugins_conformance_nondeterministic_la_SOURCES = tests/plugins/conformance/nondeterministic.c
tests_plugins_conformance_nondeterministic_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_nondeterministic_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_nondeterministic_la_LIBADD = -lm

check_LTLIBRARIES += tests/plugins/conformance/underrun_act.la
tests_plugins_conformance_underrun_act_la_SOURCES = tests/plugins/conformance/underrun_act.c
tests_plugins_conformance_underrun_act_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_underrun_act_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/conformance/overrun_act.la
tests_plugins_conformance_overrun_act_la_SOURCES = tests/plugins/conformance/overrun_act.c
tests_plugins_conformance_overrun_act_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_overrun_act_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/conformance/underrun_fill.la
tests_plugins_conformance_underrun_fill_la_SOURCES = tests/plugins/conformance/underrun_fill.c
tests_plugins_conformance_underrun_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_underrun_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/conformance/wrong_derivative.la
tests_plugins_conformance_wrong_derivative_la_SOURCES = tests/plugins/conformance/wrong_derivative.c
tests_plugins_conformance_wrong_derivative_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_conformance_wrong_derivative_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)
tests_plugins_conformance_wrong_derivative_la_LIBADD = -lm

# ABI version 1 is frozen.  tests/abi_next.awk writes <winit/plugin.h> as a later release
# would have it (one field appended to each descriptor) into tests/abi-next/, a test-only
# header.  check_abi is a host -- loader and validation -- built against it, loading
# tests/plugins/abi/v1.so, built against the real header with the first-release sizes;
# tests/plugins/abi/future.so is built against it and loaded by check_registry.
WINIT_ABI_NEXT_HEADER = tests/abi-next/winit/plugin.h
WINIT_ABI_NEXT_CPPFLAGS = -I$(top_builddir)/tests/abi-next $(AM_CPPFLAGS)
$(WINIT_ABI_NEXT_HEADER): $(top_srcdir)/include/winit/plugin.h $(top_srcdir)/tests/abi_next.awk
	$(AM_V_GEN)$(MKDIR_P) tests/abi-next/winit && \
	$(AWK) -f $(top_srcdir)/tests/abi_next.awk $(top_srcdir)/include/winit/plugin.h >$@.tmp && \
	mv $@.tmp $@
BUILT_SOURCES = $(WINIT_ABI_NEXT_HEADER)
CLEANFILES += $(WINIT_ABI_NEXT_HEADER)
EXTRA_DIST += tests/abi_next.awk tests/plugins/test_plugin.h

check_LTLIBRARIES += tests/plugins/abi/v1.la
tests_plugins_abi_v1_la_SOURCES = tests/plugins/abi/v1.c
tests_plugins_abi_v1_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_abi_v1_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/abi/future.la
tests_plugins_abi_future_la_SOURCES = tests/plugins/abi/future.c
nodist_tests_plugins_abi_future_la_SOURCES = $(WINIT_ABI_NEXT_HEADER)
tests_plugins_abi_future_la_CPPFLAGS = $(WINIT_ABI_NEXT_CPPFLAGS)
tests_plugins_abi_future_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_abi_future_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_PROGRAMS += tests/check_abi
TESTS += tests/check_abi
tests_check_abi_SOURCES = tests/check_abi.c src/plugin/registry.c src/plugin/validate.c src/plugin/crash.c src/core/fileio.c src/core/cancel.c \
	src/plugin/plugin_internal.h src/core/error.c src/core/relocate.c
nodist_tests_check_abi_SOURCES = $(WINIT_ABI_NEXT_HEADER)
tests_check_abi_CPPFLAGS = $(WINIT_ABI_NEXT_CPPFLAGS)
tests_check_abi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ZLIB_CFLAGS)
tests_check_abi_LDADD = $(CHECK_LIBS) $(ZLIB_LIBS) -ldl -lm

check_PROGRAMS += tests/check_registry
TESTS += tests/check_registry
tests_check_registry_SOURCES = tests/check_registry.c
tests_check_registry_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_registry_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_params
TESTS += tests/check_params
tests_check_params_SOURCES = tests/check_params.c
tests_check_params_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_params_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_initializers
TESTS += tests/check_initializers
tests_check_initializers_SOURCES = tests/check_initializers.c
tests_check_initializers_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_initializers_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_activations
TESTS += tests/check_activations
tests_check_activations_SOURCES = tests/check_activations.c
tests_check_activations_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_activations_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_conformance
TESTS += tests/check_conformance
tests_check_conformance_SOURCES = tests/check_conformance.c
tests_check_conformance_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_conformance_LDADD = $(WINIT_TEST_LIBS)

check_PROGRAMS += tests/check_call
TESTS += tests/check_call
tests_check_call_SOURCES = tests/check_call.c
tests_check_call_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_call_LDADD = $(WINIT_TEST_LIBS)

# Crash at run time (tests/plugins/crash/) or at load time (tests/plugins/crash_describe/),
# for check-plugin's child processes and the study's fatal-signal report (cli.sh), and
# the plugin faults of tests/plugin_faults.sh (exit() in a fill, a SIGSEGV in the theory
# pass).
check_LTLIBRARIES += tests/plugins/crash/segv_fill.la
tests_plugins_crash_segv_fill_la_SOURCES = tests/plugins/crash/segv_fill.c tests/plugins/test_plugin.h
tests_plugins_crash_segv_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_crash_segv_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/crash/exit_fill.la
tests_plugins_crash_exit_fill_la_SOURCES = tests/plugins/crash/exit_fill.c tests/plugins/test_plugin.h
tests_plugins_crash_exit_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_crash_exit_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/crash/segv_act.la
tests_plugins_crash_segv_act_la_SOURCES = tests/plugins/crash/segv_act.c
tests_plugins_crash_segv_act_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_crash_segv_act_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/crash/hang_fill.la
tests_plugins_crash_hang_fill_la_SOURCES = tests/plugins/crash/hang_fill.c tests/plugins/test_plugin.h
tests_plugins_crash_hang_fill_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_crash_hang_fill_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

check_LTLIBRARIES += tests/plugins/crash_describe/segv_describe.la
tests_plugins_crash_describe_segv_describe_la_SOURCES = tests/plugins/crash_describe/segv_describe.c
tests_plugins_crash_describe_segv_describe_la_CFLAGS = $(AM_CFLAGS)
tests_plugins_crash_describe_segv_describe_la_LDFLAGS = $(WINIT_TEST_PLUGIN_FLAGS)

# Plugin faults end to end: exit() in a fill, a crash in the theory pass, a negative
# gain, an overrun before the buffer, a silent shadowing.
TESTS += tests/plugin_faults.sh
EXTRA_DIST += tests/plugin_faults.sh
