# bench: the kernel benchmark.  Not built by default: `make bench` builds it,
# `make bench-run` runs it (single-threaded OpenBLAS alongside when configured).
EXTRA_PROGRAMS = bench/bench_kernels
bench_bench_kernels_SOURCES = bench/bench_kernels.c
bench_bench_kernels_LDADD = libwinit.la -lm
if HAVE_OPENBLAS
bench_bench_kernels_LDADD += $(OPENBLAS_LIBS)
endif
CLEANFILES += bench/bench_kernels$(EXEEXT)

.PHONY: bench bench-run
bench: bench/bench_kernels$(EXEEXT)
bench-run: bench
	OPENBLAS_NUM_THREADS=1 ./bench/bench_kernels
