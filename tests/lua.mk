# tests: lua
