-- failing_study.lua DATA_DIR OUT FAILING [N] -- a study of N (default 4) one-epoch runs
-- r1..rN whose runs listed in FAILING (e.g. "2,4"; "" for none; "all") fail when they
-- start: their bias
-- initializer is 'orthogonal', which needs a matrix.  The script prints the table and
-- goes on after study:run, as scripts do.
local winit = require "winit"
local dir, out, failing, n = arg[1], arg[2], arg[3] or "", tonumber(arg[4] or 4)
local bad = {}
for i in failing:gmatch("%d+") do bad[tonumber(i)] = true end
if failing == "all" then for i = 1, n do bad[i] = true end end
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local study = winit.Study { name = "failing", seed = 5 }
for i = 1, n do
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 8, activation = "relu", bias_initializer = bad[i] and "orthogonal" or "zeros" },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam() }
  study:add { name = "r" .. i, model = m, train = train, test = test, epochs = 1 }
end
local results = study:run { save = out }
results:print_table()
print("the script went on: " .. results:failed() .. " failed")
