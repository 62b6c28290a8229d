# tests: core -- the random streams (known answers against the published algorithms,
# rng_below's bounds and uniformity, the shuffle), the error record's truncation, and the
# guard zones around the buffers plugins write (what is counted before and past a buffer).
check_PROGRAMS += tests/check_core
TESTS += tests/check_core
tests_check_core_SOURCES = tests/check_core.c
tests_check_core_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_core_LDADD = $(WINIT_TEST_LIBS)

# tests: safe_write -- the one way winit writes a file (winit/safe_write.h): what is
# replaced (a file of the kind, an empty one, anything with force), what is refused
# (foreign files, kept byte for byte; devices, FIFOs, sockets, directories, even forced),
# links followed under the same checks, the temporary file never opened through a link.
check_PROGRAMS += tests/check_safe_write
TESTS += tests/check_safe_write
tests_check_safe_write_SOURCES = tests/check_safe_write.c
tests_check_safe_write_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_safe_write_LDADD = $(WINIT_TEST_LIBS)
