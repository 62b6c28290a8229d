# tests: fuzz -- libFuzzer harnesses for the IDX reader, the .npy reader (and datasets from
# a pair of .npy files), the results-file reader, the saved-model reader and the Lua binding
# (tests/fuzz/).
#
#   make fuzz FUZZ_SECONDS=N   build each harness with clang -fsanitize=fuzzer,address,undefined
#                              against the reader's sources (the rest of libwinit linked from
#                              libwinit_core.a, uninstrumented) and run it N seconds, one at a time,
#                              from its seed corpus (tests/fuzz/seeds/NAME); what it learns goes
#                              to tests/fuzz/corpus-NAME in the build tree, a crash to
#                              tests/fuzz/crash-* (then: add it to tests/fuzz/regressions/NAME).
#                              fuzz_lua (the Lua binding, driven by tests/fuzz/fuzz_lua.lua) is
#                              built from all of libwinit's and the binding's sources, every one
#                              instrumented, and runs with ASan's allocator returning NULL for
#                              a single allocation above 1 GiB (the library must survive that).
#
# `make check` replays the seeds and every regression through the same harness code built
# with the normal compiler (tests/fuzz/replay.c), so a fixed finding stays fixed.
FUZZ_SECONDS = 30
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_HARNESSES = fuzz_idx fuzz_idx_gz fuzz_npy fuzz_results fuzz_model fuzz_lua
FUZZ_IDX_SRC = $(top_srcdir)/src/data/idx.c $(top_srcdir)/src/core/error.c
FUZZ_NPY_SRC = $(top_srcdir)/src/data/npy.c $(top_srcdir)/src/core/error.c
FUZZ_RESULTS_SRC = $(top_srcdir)/src/results/results_read.c $(top_srcdir)/src/results/results.c \
	$(top_srcdir)/src/results/results_schema.c $(top_srcdir)/src/results/json_read.c \
	$(top_srcdir)/src/results/report_read.c $(top_srcdir)/src/results/json.c \
	$(top_srcdir)/src/results/coord.c $(top_srcdir)/src/results/coord_read.c \
	$(top_srcdir)/src/results/spectrum.c $(top_srcdir)/src/results/spectrum_read.c \
	$(top_srcdir)/src/core/error.c
FUZZ_MODEL_SRC = $(top_srcdir)/src/nn/load.c $(top_srcdir)/src/core/error.c
FUZZ_LUA_FLAGS = $(LUA_CFLAGS) $(JANSSON_CFLAGS) $(ZLIB_CFLAGS) $(DEFLATE_CFLAGS) $(MPI_CFLAGS) \
	-DFUZZ_LUA_DRIVER='"$(abs_top_srcdir)/tests/fuzz/fuzz_lua.lua"' \
	-DWINIT_PREFIX='"$(prefix)"' -DWINIT_PLUGIN_INSTALL_DIR='"$(winitplugindir)"' \
	-DWINIT_BUILD_PLUGIN_DIRS='"$(abs_top_builddir)/plugins/initializers/.libs:$(abs_top_builddir)/plugins/activations/.libs"' \
	-DWINIT_SCRIPTS_DIR='"$(scriptsdir)"' \
	-DWINIT_FASHION_MNIST_DEFAULT='"$(FASHION_MNIST_DIR)"'

fuzz: libwinit_core.la
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz needs $(FUZZ_CC) and libFuzzer (Debian: clang libfuzzer-14-dev)"; exit 1; }
	@mkdir -p tests/fuzz
	@set -e; for h in $(FUZZ_HARNESSES); do \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
		opts= asan=; \
		case $$h in fuzz_results) src="$(FUZZ_RESULTS_SRC)";; fuzz_model) src="$(FUZZ_MODEL_SRC)";; \
		fuzz_npy) src="$(FUZZ_NPY_SRC)";; \
		fuzz_lua) src=; opts=-timeout=20; asan=ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=1024; \
			for f in $(libwinit_core_la_SOURCES) $(WINIT_LUA_SOURCES); do \
			case $$f in *.c) src="$$src $(top_srcdir)/$$f";; esac; done;; \
		*) src="$(FUZZ_IDX_SRC)";; esac; \
		if [ $$h = fuzz_lua ]; then \
			$(FUZZ_CC) $(FUZZ_CFLAGS) -pthread -I$(top_builddir) -I$(top_srcdir)/include \
				-I$(top_srcdir)/src $(FUZZ_LUA_FLAGS) $(top_srcdir)/tests/fuzz/$$h.c $$src \
				$(LUA_LIBS) $(MPI_LIBS) $(JANSSON_LIBS) $(ZLIB_LIBS) $(DEFLATE_LIBS) \
				-ldl -lm -lpthread -o tests/fuzz/$$h; \
		else \
			$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_builddir) -I$(top_srcdir)/include -I$(top_srcdir)/src \
				$(top_srcdir)/tests/fuzz/$$h.c $$src .libs/libwinit_core.a \
				$(JANSSON_LIBS) $(ZLIB_LIBS) $(DEFLATE_LIBS) -ldl -lm -lpthread -o tests/fuzz/$$h; \
		fi; \
		mkdir -p tests/fuzz/corpus-$$h; \
		WINIT_PLUGIN_PATH='$(abs_top_builddir)/plugins/initializers/.libs:$(abs_top_builddir)/plugins/activations/.libs' \
		env $$asan tests/fuzz/$$h -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix=tests/fuzz/ $$opts \
			tests/fuzz/corpus-$$h $(top_srcdir)/tests/fuzz/seeds/$$h; \
	done
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz_idx tests/fuzz/fuzz_idx_gz tests/fuzz/fuzz_npy tests/fuzz/fuzz_results \
	tests/fuzz/fuzz_model tests/fuzz/fuzz_lua
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/corpus-fuzz_idx tests/fuzz/corpus-fuzz_idx_gz tests/fuzz/corpus-fuzz_npy \
		tests/fuzz/corpus-fuzz_results \
		tests/fuzz/corpus-fuzz_model tests/fuzz/corpus-fuzz_lua
.PHONY: clean-fuzz

EXTRA_DIST += tests/fuzz/fuzz_common.h tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_idx_gz.c tests/fuzz/fuzz_npy.c \
	tests/fuzz/fuzz_results.c tests/fuzz/fuzz_model.c tests/fuzz/fuzz_lua.c tests/fuzz/fuzz_lua.lua \
	tests/fuzz/seeds tests/fuzz/regressions tests/fuzz/replay.sh tests/fuzz/replay.c

if ENABLE_TESTS
check_PROGRAMS += tests/fuzz/replay_idx tests/fuzz/replay_idx_gz tests/fuzz/replay_npy tests/fuzz/replay_results \
	tests/fuzz/replay_model tests/fuzz/replay_lua
tests_fuzz_replay_lua_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_lua.c $(WINIT_LUA_SOURCES)
tests_fuzz_replay_lua_CFLAGS = $(WINIT_TEST_CFLAGS) \
	-DFUZZ_LUA_DRIVER='"$(abs_top_srcdir)/tests/fuzz/fuzz_lua.lua"'
tests_fuzz_replay_lua_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_model_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_model.c
tests_fuzz_replay_model_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_model_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_results_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_results.c
tests_fuzz_replay_results_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_results_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_idx_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_idx.c tests/fuzz/fuzz_common.h
tests_fuzz_replay_idx_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_idx_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_npy_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_npy.c
tests_fuzz_replay_npy_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_npy_LDADD = $(WINIT_TEST_LIBS)
tests_fuzz_replay_idx_gz_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_idx_gz.c tests/fuzz/fuzz_common.h
tests_fuzz_replay_idx_gz_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_fuzz_replay_idx_gz_LDADD = $(WINIT_TEST_LIBS)
TESTS += tests/fuzz/replay.sh
endif
