# tests: kernels
