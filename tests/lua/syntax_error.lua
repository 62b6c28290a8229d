local winit = require "winit"
-- line 3 has an unclosed table
local t = { 1, 2
print(t)
