# tests: nn
