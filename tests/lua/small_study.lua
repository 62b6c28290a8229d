-- small_study.lua DATA_DIR OUT [RUNS [EPOCHS [DIAGNOSTICS]]] -- a study of RUNS small runs
-- (r1, r2, ...; default 4) of EPOCHS epochs (default 2) saved to OUT, for the results-file
-- and resume tests; DIAGNOSTICS "off" records none (smaller files).  Jobs and resume come from the command line (-j, --resume).
local winit = require "winit"
local dir, out = arg[1], arg[2]
local n_runs, epochs = tonumber(arg[3] or 4), tonumber(arg[4] or 2)
local diagnostics = arg[5] ~= "off"
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local inits = { "glorot_normal", "he_normal", "glorot_uniform", "random_normal" }
local study = winit.Study { name = "small", seed = 5 }
for i = 1, n_runs do
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 16, activation = "relu", kernel_initializer = inits[(i - 1) % 4 + 1] },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam() }
  study:add { name = "r" .. i, label = inits[(i - 1) % 4 + 1], model = m, train = train,
              test = test, epochs = epochs, batch_size = 32, validation_split = 0.2,
              diagnostics = diagnostics }
end
local results = study:run { save = out }
results:print_table()
