# src/kernels -- dense-layer compute kernels: blocked SGEMM with AVX-512, AVX2+FMA and
# portable micro-kernels chosen at run time, the dense forward/backward wrappers, Adam.
libwinit_core_la_SOURCES += \
	src/kernels/kernels_internal.h \
	src/kernels/dispatch.c \
	src/kernels/gemm_driver.c \
	src/kernels/gemm_generic.c \
	src/kernels/gemm_avx2.c \
	src/kernels/gemm_avx512.c \
	src/kernels/adam.c
