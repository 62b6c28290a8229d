# tests: fuzz -- libFuzzer harnesses for the IDX reader and the results-file reader
# (tests/fuzz/).
#
#   make fuzz FUZZ_SECONDS=N   build each harness with clang -fsanitize=fuzzer,address,undefined
#                              against the reader's sources (the rest of libwinit linked from
#                              libwinit_core.a, uninstrumented) and run it N seconds, one at a time,
#                              from its seed corpus (tests/fuzz/seeds/NAME); what it learns goes
#                              to tests/fuzz/corpus-NAME in the build tree, a crash to
#                              tests/fuzz/crash-* (then: add it to tests/fuzz/regressions/NAME).
#
# `make check` replays the seeds and every regression through the same harness code built
# with the normal compiler (tests/fuzz/replay.c), so a fixed finding stays fixed.
FUZZ_SECONDS = 30
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_HARNESSES = fuzz_idx fuzz_idx_gz fuzz_results fuzz_model
FUZZ_IDX_SRC = $(top_srcdir)/src/data/idx.c $(top_srcdir)/src/core/error.c
FUZZ_RESULTS_SRC = $(top_srcdir)/src/report/results_read.c $(top_srcdir)/src/report/results.c \
	$(top_srcdir)/src/report/results_schema.c $(top_srcdir)/src/report/json_read.c \
	$(top_srcdir)/src/report/report_read.c $(top_srcdir)/src/report/json.c $(top_srcdir)/src/core/error.c
FUZZ_MODEL_SRC = $(top_srcdir)/src/nn/load.c $(top_srcdir)/src/core/error.c

fuzz: libwinit_core.la
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz needs $(FUZZ_CC) and libFuzzer (Debian: clang libfuzzer-14-dev)"; exit 1; }
	@mkdir -p tests/fuzz
	@set -e; for h in $(FUZZ_HARNESSES); do \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
		case $$h in fuzz_results) src="$(FUZZ_RESULTS_SRC)";; fuzz_model) src="$(FUZZ_MODEL_SRC)";; \
		*) src="$(FUZZ_IDX_SRC)";; esac; \
		$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_builddir) -I$(top_srcdir)/include -I$(top_srcdir)/src \
			$(top_srcdir)/tests/fuzz/$$h.c $$src .libs/libwinit_core.a \
			$(JANSSON_LIBS) $(ZLIB_LIBS) $(DEFLATE_LIBS) -ldl -lm -lpthread -o tests/fuzz/$$h; \
		mkdir -p tests/fuzz/corpus-$$h; \
		WINIT_PLUGIN_PATH='$(abs_top_builddir)/plugins/initializers/.libs:$(abs_top_builddir)/plugins/activations/.libs' \
		tests/fuzz/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=tests/fuzz/ \
			tests/fuzz/corpus-$$h $(top_srcdir)/tests/fuzz/seeds/$$h; \
	done
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz_idx tests/fuzz/fuzz_idx_gz tests/fuzz/fuzz_results tests/fuzz/fuzz_model
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/corpus-fuzz_idx tests/fuzz/corpus-fuzz_idx_gz tests/fuzz/corpus-fuzz_results \
		tests/fuzz/corpus-fuzz_model
.PHONY: clean-fuzz

EXTRA_DIST += tests/fuzz/fuzz_common.h tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_idx_gz.c \
	tests/fuzz/fuzz_results.c tests/fuzz/fuzz_model.c \
	tests/fuzz/seeds tests/fuzz/regressions tests/fuzz/replay.sh tests/fuzz/replay.c

if ENABLE_TESTS
check_PROGRAMS += tests/fuzz/replay_idx tests/fuzz/replay_idx_gz tests/fuzz/replay_results \
	tests/fuzz/replay_model
tests_fuzz_replay_model_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_model.c
tests_fuzz_replay_model_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_model_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_results_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_results.c
tests_fuzz_replay_results_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_results_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_idx_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_common.h
tests_fuzz_replay_idx_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_idx_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_idx_gz_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_idx_gz.c tests/fuzz/fuzz_common.h
tests_fuzz_replay_idx_gz_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_idx_gz_LDADD = $(WINIT_TEST_LIBS)
TESTS += tests/fuzz/replay.sh
endif
