-- bench/deep.lua -- depth costs arithmetic, not bookkeeping: one epoch of the 60,000
-- Fashion-MNIST training images through a --depth-layer, --width-wide tanh MLP
-- (Flatten -> depth x Dense(width, tanh, orthogonal kernels, zero biases) ->
-- Dense(10, softmax)), SGD (learning rate 0.01, Keras's default), batch 64, no validation,
-- diagnostics off, one thread unless --jobs says otherwise.  bench/deep.sh runs it beside
-- bench/deep_torch.py, the same network in PyTorch.  Prints one machine-readable line:
--
--   deep: depth=D width=W samples=60000 seconds=S loss=L
--
--   winit run bench/deep.lua [--depth 1000] [--width 64] [--jobs 1] [--seed 1] [--data DIR]
local winit = require "winit"

local opts = winit.parse_args(arg, { depth = 1000, width = 64, jobs = 1, seed = 1, data = "" })
winit.set_jobs(opts.jobs)
winit.set_seed(opts.seed)

local train = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
for _ = 1, opts.depth do
  layers[#layers + 1] = winit.layers.Dense { opts.width, activation = "tanh",
                                             kernel_initializer = "orthogonal" }
end
layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
local model = winit.Sequential(layers)
model:compile { optimizer = winit.optimizers.SGD(), loss = "categorical_crossentropy" }
local h = model:fit(train, { epochs = 1, batch_size = 64, verbose = 0, diagnostics = false })
print(string.format("deep: depth=%d width=%d samples=%d seconds=%.3f loss=%.6f", opts.depth,
                    opts.width, #train, h.history.seconds[1], h.loss[1]))
