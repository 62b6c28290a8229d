local winit = require 'winit'
local layers = { winit.layers.Flatten { input_shape = {4, 4} } }
for i = 1, 6 do layers[#layers + 1] = winit.layers.Dense { 24, activation = 'tanh', kernel_initializer = 'lsuv' } end
layers[#layers + 1] = winit.layers.Dense { 3, activation = 'softmax' }
local m = winit.Sequential(layers)
local st = m:activation_stats(train, { rows = 400 })
assert(#st == 7)
for i = 1, 6 do assert(math.abs(st[i].pre_var - 1) < 0.1, i .. ': ' .. st[i].pre_var) end
local r = build('zeros'):activation_stats(train)
assert(r[1].zero_fraction == 1 and r[1].act_var == 0)
