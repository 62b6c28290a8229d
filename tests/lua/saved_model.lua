local winit = require "winit"
-- tests/lua/saved_model.lua DIR -- model:save / winit.models.load_model / save_weights /
-- load_weights on DIR's generated data: predictions identical after reload, training
-- continued identically, and the refusals (cli.sh checks the lines printed).
local dir = assert(arg[1], "usage: saved_model.lua DIR")
local train, test = winit.datasets.fashion_mnist.load_data(dir)
winit.set_seed(3)
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 16, activation = "relu", kernel_initializer = { "random_normal", stddev = 0.1 } },
  winit.layers.Dense { 10, activation = "softmax" },
}
m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 } }
m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
local p1 = m:predict(test, 1, 5)
m:save(dir .. "/m.winit")
local m2 = winit.models.load_model(dir .. "/m.winit")
local p2 = m2:predict(test, 1, 5)
for i = 1, 5 do for j = 1, 10 do assert(p1[i][j] == p2[i][j], "differ") end end
print("identical predictions")
-- continue training both: identical
m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
m2:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
local a, b = m:predict(test, 1, 3), m2:predict(test, 1, 3)
for i = 1, 3 do for j = 1, 10 do assert(a[i][j] == b[i][j], "fit differs") end end
print("identical after another epoch")
m:save_weights(dir .. "/w.winit")
local m3 = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 16, activation = "relu" },
  winit.layers.Dense { 10, activation = "softmax" },
}
m3:load_weights(dir .. "/w.winit")
local c = m3:predict(test, 1, 3)
for i = 1, 3 do for j = 1, 10 do assert(a[i][j] == c[i][j], "weights differ") end end
print("load_weights ok")
local m4 = winit.Sequential { winit.layers.Dense { 8, input_shape = { 784 } }, winit.layers.Dense { 10, activation = "softmax" } }
print(select(2, pcall(m4.load_weights, m4, dir .. "/w.winit")))
print(select(2, pcall(winit.models.load_model, dir .. "/w.winit")))
local f = assert(io.open(dir .. "/m.winit", "rb"))
local bytes = f:read("a")
f:close()
local function try(name, content)
  local g = assert(io.open(dir .. "/" .. name, "wb"))
  g:write(content)
  g:close()
  print(select(2, pcall(winit.models.load_model, dir .. "/" .. name)))
end
try("short.winit", bytes:sub(1, 1000))
try("flip.winit", bytes:sub(1, 500) .. string.char(bytes:byte(501) ~ 1) .. bytes:sub(502))
try("v3.winit", bytes:sub(1, 8) .. "\3" .. bytes:sub(10))
-- A layer without bias, and a linear output, round-trip too.
local nb = winit.Sequential {
  winit.layers.Dense { 5, input_shape = { 784 }, use_bias = false, activation = "tanh" },
  winit.layers.Dense { 10, activation = "softmax" },
}
nb:save(dir .. "/nb.winit")
local nb2 = winit.models.load_model(dir .. "/nb.winit")
local q1, q2 = nb:predict(test, 1, 2), nb2:predict(test, 1, 2)
for i = 1, 2 do for j = 1, 10 do assert(q1[i][j] == q2[i][j], "no-bias model differs") end end
print("a layer without bias: same predictions")
local m5 = winit.models.load_model(dir .. "/m.winit")
m5:save(dir .. "/m5.winit", { include_optimizer = false })
local m6 = winit.models.load_model(dir .. "/m5.winit")
local e = m6:predict(test, 1, 3)
for i = 1, 3 do for j = 1, 10 do assert(p1[i][j] == e[i][j], "no-optimizer save differs") end end
print("saved without the optimizer: same predictions")
