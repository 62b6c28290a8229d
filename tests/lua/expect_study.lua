-- expect_study.lua DATA_DIR OUT MODE -- three one-epoch runs r1..r3; in modes "expected"
-- and "unexpected" r2 has three hidden layers with random_normal kernels of sd 1e15, so
-- its signal overflows float (about 1e16, 1e31, 1e47) and it diverges at the first step.
-- MODE "expected": r2 is added with expect = "diverged"; "unexpected": without;
-- "unmet": r3 (which finishes) is added with expect = "diverged"; "bad": expect = "maybe".
-- Prints the table after study:run, as scripts do.
local winit = require "winit"
local dir, out, mode = arg[1], arg[2], arg[3]
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local study = winit.Study { name = "expect", seed = 5 }
for i = 1, 3 do
  local big = i == 2 and (mode == "expected" or mode == "unexpected")
  local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
  for _ = 1, big and 3 or 1 do
    local init = big and { "random_normal", stddev = 1e15 } or "glorot_uniform"
    layers[#layers + 1] = winit.layers.Dense { 8, activation = "relu", kernel_initializer = init }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local m = winit.Sequential(layers)
  m:compile { optimizer = winit.optimizers.Adam() }
  local expect
  if (mode == "expected" and i == 2) or (mode == "unmet" and i == 3) then expect = "diverged" end
  if mode == "bad" and i == 1 then expect = "maybe" end
  study:add { name = "r" .. i, model = m, train = train, test = test, epochs = 1, expect = expect }
end
local results = study:run { save = out, verbose = 0 }
results:print_table()
for _, r in ipairs(results:runs()) do print("run " .. r.name .. " " .. r.status .. " expect " .. r.expect) end
