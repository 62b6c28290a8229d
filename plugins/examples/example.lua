-- example.lua -- use the example plugin's initializer and activation, and compare the
-- initializer against he_normal over a few seeds.
--
--   WINIT_PLUGIN_PATH=DIR_WITH_example.so winit run example.lua [--data DIR] [--repeats 3]
local winit = require "winit"
local opts = winit.parse_args(arg, { data = "", repeats = 3, epochs = 2, out = "results/example.json" })

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local candidates = {
  { "scaled_uniform", { "scaled_uniform", scale = 2.0, mode = "fan_in" }, "relu" },
  { "he_normal",      "he_normal",                                         "relu" },
  { "bent_identity",  { "scaled_uniform", scale = 1.0 },                   "bent_identity" },
}

local study = winit.Study { name = "example", seed = 1 }
for _, c in ipairs(candidates) do
  local label, init, act = c[1], c[2], c[3]
  for r = 1, opts.repeats do
    local model = winit.Sequential {
      winit.layers.Flatten { input_shape = { 28, 28 } },
      winit.layers.Dense { 64, activation = act, kernel_initializer = init },
      winit.layers.Dense { 10, activation = "softmax" },
    }
    model:compile { optimizer = "adam" }
    study:add { name = label .. "#" .. r, label = label, replicate = r - 1, model = model,
                train = train, test = test, epochs = opts.epochs, batch_size = 64,
                validation_split = 0.2 }
  end
end
local results = study:run { save = opts.out }
results:print_table()
