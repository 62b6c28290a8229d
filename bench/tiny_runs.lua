-- bench/tiny_runs.lua RUNS OUT -- a study of RUNS tiny runs (4-feature generated data,
-- 1 epoch, diagnostics off), saved to OUT: what saving a results file costs per run when
-- training costs next to nothing (bench/saving.sh).
local winit = require "winit"
local n_runs, out = tonumber(arg[1]), arg[2]
assert(n_runs and out, "usage: tiny_runs.lua RUNS OUT")
local train = winit.datasets.gaussian { n = 256, features = 4, classes = 2, seed = 1 }
local study = winit.Study { name = "tiny", seed = 3 }
for i = 1, n_runs do
  local m = winit.Sequential {
    winit.layers.Dense { 8, activation = "relu", input_shape = { 4 } },
    winit.layers.Dense { 2, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam() }
  study:add { name = "t" .. i, label = "glorot_uniform", model = m, train = train,
              epochs = 1, batch_size = 64, diagnostics = false }
end
study:run { save = out, verbose = 0 }
