# src/plugin
