# src/kernels
