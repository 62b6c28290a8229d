# bench: the kernel benchmark.  Not built by default: `make bench` builds it,
# `make bench-run` runs it, with single-threaded OpenBLAS alongside when the benchmark
# finds libopenblas at run time (dlopen: installing libopenblas0 later needs no rebuild).
EXTRA_PROGRAMS = bench/bench_kernels
bench_bench_kernels_SOURCES = bench/bench_kernels.c
bench_bench_kernels_LDADD = libwinit.la -ldl -lm
CLEANFILES += bench/bench_kernels$(EXEEXT)

.PHONY: bench bench-run
bench: bench/bench_kernels$(EXEEXT)
bench-run: bench
	OPENBLAS_NUM_THREADS=1 ./bench/bench_kernels

# The study benchmark: winit against its PyTorch peer (bench/compare_inits_torch.py):
# whole-study wall time and peak RSS, one-core throughput, fraction of OpenBLAS SGEMM and
# -j scaling.  `make bench-study ROUNDS=5` for more rounds (default 3).  The scaling table
# (throughput against width, depth and batch size) is `make bench-scaling`.
EXTRA_DIST += bench/saving.sh bench/tiny_runs.lua
.PHONY: bench-saving
# Saving results as a study grows: 1,600 tiny runs against 100 (bench/saving.sh).
bench-saving: all-am
	ROUNDS=$${ROUNDS:-$(ROUNDS)} $(SHELL) $(srcdir)/bench/saving.sh -w ./winit$(EXEEXT)

EXTRA_DIST += bench/lib.sh bench/study.sh bench/one_run.lua bench/scaling.lua bench/compare_inits_torch.py \
	bench/activations.lua
# The PyTorch replica of scripts/compare_inits_cnn.lua (the tutorial CNN): the peer of
# bench-study's part 7, and for fidelity runs by hand:
# `python3 bench/compare_inits_cnn_torch.py --repeats 5 --threads 1` (slow: ~35 s per epoch
# per run).  bench/conv.lua times the CNN's Conv2D layers alone (bench-study's part 8).
EXTRA_DIST += bench/compare_inits_cnn_torch.py bench/conv.lua

# Depth's cost: a 1,000-layer width-64 tanh MLP, one epoch, against PyTorch, one thread.
EXTRA_DIST += bench/deep.sh bench/deep.lua bench/deep_torch.py
.PHONY: bench-deep
bench-deep: all-am
	ROUNDS=$${ROUNDS:-$(ROUNDS)} $(SHELL) $(srcdir)/bench/deep.sh -w ./winit$(EXEEXT)
.PHONY: bench-study bench-scaling bench-activations
# `make bench-study PARTS=7,8` runs only those parts (bench/study.sh's header lists them).
bench-study: all-am bench
	ROUNDS=$${ROUNDS:-$(ROUNDS)} PARTS=$${PARTS:-$(PARTS)} CNN_EPOCHS=$${CNN_EPOCHS:-$(CNN_EPOCHS)} \
		$(SHELL) $(srcdir)/bench/study.sh \
		-w ./winit$(EXEEXT) -k ./bench/bench_kernels$(EXEEXT)
bench-scaling: all-am
	./winit$(EXEEXT) run $(srcdir)/bench/scaling.lua
# One epoch of a 30-layer width-256 MLP per activation, seconds and ratio to ReLU.
bench-activations: all-am
	./winit$(EXEEXT) run $(srcdir)/bench/activations.lua

# A study across MPI ranks: 16 runs at 1 thread x 1 rank against 1 thread x 2 ranks
# (winit configured --with-mpi; needs a quiet machine).  `make bench-mpi ROUNDS=5`.
EXTRA_DIST += bench/mpi.sh
.PHONY: bench-mpi
bench-mpi: all-am
	ROUNDS=$${ROUNDS:-$(ROUNDS)} $(SHELL) $(srcdir)/bench/mpi.sh -w ./winit$(EXEEXT)

# What per-layer diagnostics cost: the whole seed study (compare_inits.lua, default
# epochs, -j 1) with --diagnostics on and off, alternating, medians, and the overhead
# against the target (<= 5% of the study's wall time).  `make bench-diagnostics ROUNDS=5`
# for more rounds (default 3); needs a quiet machine.
EXTRA_DIST += bench/diagnostics.sh
.PHONY: bench-diagnostics
bench-diagnostics: all-am
	ROUNDS=$${ROUNDS:-$(ROUNDS)} $(SHELL) $(srcdir)/bench/diagnostics.sh -w ./winit$(EXEEXT)
