local winit = require "winit"
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 8, activation = "relu", kernel_initializer = "glorot_nromal" },
}
