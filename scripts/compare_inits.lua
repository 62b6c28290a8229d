-- compare_inits.lua -- the classic four-initializer study on Fashion-MNIST.
--
-- Flatten(28x28) -> Dense(128, relu) -> Dense(10, softmax), trained with Adam for five
-- epochs, batch 64, the last 20% of the training set held out for validation.  Only the
-- first Dense layer's kernel initializer changes between runs; every bias starts at zero
-- and the output layer keeps Keras's default glorot_uniform.
--
--   winit run scripts/compare_inits.lua [--seed N] [--repeats K] [--epochs E]
--                                       [--out results/compare_inits.json] [--data DIR]
--
-- With --repeats K each initializer is trained K times from different seeds and the table
-- shows mean +- sd, so differences can be told from seed-to-seed noise.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = { 42, "seed of the study: every run's streams derive from it" },
  repeats = { 1, "train each initializer this many times, from different seeds" },
  epochs = { 5, "epochs per run" },
  batch_size = { 64, "samples per step" },
  out = { "results/compare_inits.json", "results file (JSON), saved after every run" },
  data = { "", "Fashion-MNIST directory; empty: $WINIT_FASHION_MNIST_DIR, else the Debian path" },
}, "The classic four-initializer study (zeros, random_normal, glorot_normal, he_normal)\n" ..
   "on Fashion-MNIST: Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam.")

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local initializers = {
  { "zeros",         "zeros" },
  { "random_normal", { "random_normal", mean = 0.0, stddev = 1.0 } },
  { "glorot_normal", "glorot_normal" },
  { "he_normal",     "he_normal" },
}

local function build_model(kernel_initializer)
  local model = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 128, activation = "relu", kernel_initializer = kernel_initializer },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  model:compile {
    optimizer = winit.optimizers.Adam(),
    loss = "categorical_crossentropy",
    metrics = { "accuracy" },
  }
  return model
end

local study = winit.Study { name = "compare_inits", seed = opts.seed }
for _, entry in ipairs(initializers) do
  local label, init = entry[1], entry[2]
  for r = 1, opts.repeats do
    study:add {
      name = opts.repeats > 1 and (label .. "#" .. r) or label,
      label = label,
      replicate = r - 1,
      model = build_model(init),
      train = train,
      test = test,
      epochs = opts.epochs,
      batch_size = opts.batch_size,
      validation_split = 0.2,
    }
  end
end

local results = study:run { save = opts.out }
print()
results:print_table()
print("results saved to " .. opts.out)
