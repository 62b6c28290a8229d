# tests: plugin
