# src/study
