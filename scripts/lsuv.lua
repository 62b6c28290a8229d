-- lsuv.lua -- data-dependent initialization on real data: LSUV (Mishkin & Matas 2016)
-- against orthogonal, glorot_normal and he_normal, in 10-layer tanh and ReLU MLPs.
--
-- For each depth-10 model it prints the variance of every hidden layer's pre-activation
-- on Fashion-MNIST at initialization (LSUV brings each to 1 within its tolerance), then
-- trains every model and compares test accuracy over --repeats seeds.
--
--   winit run scripts/lsuv.lua [--epochs 2] [--repeats 2] [--width 64] [--out results/lsuv.json]
local winit = require "winit"

local opts = winit.parse_args(arg, {
  epochs = 2, repeats = 2, width = 64, depth = 10, seed = 1, data = "",
  out = "results/lsuv.json",
})

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local function build(act, init)
  local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
  for _ = 1, opts.depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = act, kernel_initializer = init }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = "adam" }
  return model
end

local inits = { "lsuv", "orthogonal", "glorot_normal", "he_normal" }

print(string.format("Variance of each hidden layer's pre-activation at initialization (%d-layer MLPs, first 512 training images)",
                    opts.depth))
for _, act in ipairs { "tanh", "relu" } do
  for _, init in ipairs(inits) do
    winit.set_seed(opts.seed)
    local st = build(act, init):activation_stats(train, { rows = 512 })
    local cells = {}
    for i = 1, opts.depth do cells[#cells + 1] = string.format("%6.3f", st[i].pre_var) end
    print(string.format("  %-4s %-13s %s", act, init, table.concat(cells, " ")))
  end
end
print()

local study = winit.Study { name = "lsuv", seed = opts.seed }
for _, act in ipairs { "tanh", "relu" } do
  for _, init in ipairs(inits) do
    for r = 1, opts.repeats do
      study:add {
        name = act .. "/" .. init .. "#" .. r, label = act .. "/" .. init, replicate = r - 1,
        model = build(act, init), train = train, test = test,
        epochs = opts.epochs, batch_size = 64, validation_split = 0.2,
      }
    end
  end
end
local results = study:run { save = opts.out }
print()
results:print_table()
print("results saved to " .. opts.out)
