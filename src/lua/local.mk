# src/lua
