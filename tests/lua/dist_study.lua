-- dist_study.lua DATA_DIR OUT [LONG [EPOCHS [PAUSE]]] -- a small study for the MPI and
-- shard tests: three initializers x two replicates, one epoch each on make_data.lua's
-- data, then a run that fails (its model expects 27x28 inputs), saved to OUT.
-- With LONG = n, n more runs of EPOCHS epochs follow (default 100000, for the fault test:
-- they never end by themselves).  With PAUSE, the script sleeps PAUSE seconds at its end.
local winit = require "winit"
local dir, out, long = arg[1], arg[2], tonumber(arg[3] or "0")
local long_epochs = tonumber(arg[4] or "100000")
local pause = tonumber(arg[5] or "0")
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local function model(init, seed)
  winit.set_seed(seed)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 16, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam() }
  return m
end
local study = winit.Study { name = "dist", seed = 11 }
for r = 0, 1 do
  for _, init in ipairs { "glorot_normal", "he_normal", "random_normal" } do
    study:add { name = init .. "/" .. r, label = init, replicate = r, model = model(init, r),
                train = train, test = test, epochs = 1 }
  end
end
winit.set_seed(0)
local bad = winit.Sequential {
  winit.layers.Flatten { input_shape = { 27, 28 } },
  winit.layers.Dense { 10, activation = "softmax" },
}
bad:compile { optimizer = winit.optimizers.Adam() }
study:add { name = "mismatch", model = bad, train = train, test = test, epochs = 1 }
for k = 1, long do
  study:add { name = "long" .. k, model = model("he_normal", k), train = train, test = test,
              epochs = long_epochs }
end
local results = study:run { save = out, verbose = 1 }
results:print_table()
print("failed: " .. results:failed())
if pause > 0 then
  io.stdout:flush()
  os.execute("sleep " .. pause)
end
