-- bench/activations.lua -- what an activation costs in a deep network, side by side with
-- ReLU: one epoch of a --depth-layer, --width-wide MLP on Fashion-MNIST (Adam, batch 64,
-- he_normal kernels, the study's validation_split 0.2: 48,000 samples trained, 12,000
-- evaluated) per activation, the epoch's seconds and the ratio to ReLU's.  The
-- activations' own exp and tanh are the vectorised ones of include/winit/plugin_util.h; the
-- target for tanh is <= 1.2x ReLU.  One thread unless --jobs says otherwise.
--
--   winit run bench/activations.lua [--depth 30] [--width 256] [--jobs 1]
--                                   [--acts relu,tanh,sigmoid,gelu,selu,elu,swish,mish]
--                                   [--data DIR]
local winit = require "winit"

local opts = winit.parse_args(arg, {
  depth = 30,
  width = 256,
  acts = "relu,tanh,sigmoid,gelu,selu,elu,swish,mish",
  jobs = 1,
  data = "",
})
winit.set_jobs(opts.jobs)

local train = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local function one_epoch(act)
  local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
  for _ = 1, opts.depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = act,
                                               kernel_initializer = "he_normal" }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
  local h = model:fit(train, { epochs = 1, batch_size = 64, validation_split = 0.2,
                               verbose = 0, diagnostics = false })
  return h.history.seconds[1]
end

print(string.format("%d-layer width-%d MLP, one epoch (48,000 samples + 12,000 validation), "
                    .. "batch 64, one thread", opts.depth, opts.width))
print(string.format("%-10s %9s %9s", "activation", "seconds", "x relu"))
local base
for act in opts.acts:gmatch("[^,]+") do
  local s = one_epoch(act)
  base = base or (act == "relu" and s or nil)
  print(string.format("%-10s %9.2f %9s", act, s, base and string.format("%.2f", s / base) or "-"))
end
