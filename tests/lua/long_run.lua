-- long_run.lua DATA_DIR OUT MODE VERBOSE -- long trainings for the signal tests: MODE
-- "study" runs a 4-run study saved to OUT whose first run is short (so OUT appears as soon
-- as training is well under way), MODE "fit" one model:fit after writing OUT.  VERBOSE is
-- the verbose option (0: nothing printed, 1: per-epoch lines).
local winit = require "winit"
local dir, out, mode = arg[1], arg[2], arg[3]
local verbose = tonumber(arg[4] or "0")
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local function model()
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 32, activation = "relu" },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam() }
  return m
end
if mode == "study" then
  local study = winit.Study { name = "quiet", seed = 3 }
  study:add { name = "short", model = model(), train = train, test = test, epochs = 1 }
  for i = 1, 3 do
    study:add { name = "long" .. i, model = model(), train = train, test = test, epochs = 100000 }
  end
  study:run { save = out, verbose = verbose, jobs = 1 }
else
  local f = assert(io.open(out, "w"))
  f:write("started\n")
  f:close()
  model():fit(train, { epochs = 100000, verbose = verbose })
end
print("not reached")
