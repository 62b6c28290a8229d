-- keras_spelling.lua -- scripts/compare_inits.lua written with Keras's names and shapes
-- (docs/keras.md), line for line where Keras has a spelling.  tests/keras.sh checks that
-- both give the same results file, bit for bit.
--
--   winit run tests/lua/keras_spelling.lua [--seed N] [--repeats K] [--epochs E]
--                                          [--out FILE] [--data DIR]
local winit = require "winit"
local keras = {                       -- import keras; from keras import layers, ...
  Sequential = winit.Sequential,
  layers = winit.layers,
  initializers = winit.initializers,
  optimizers = winit.optimizers,
  datasets = winit.datasets,
}
local layers, initializers = keras.layers, keras.initializers

local opts = winit.parse_args(arg, {
  seed = { 42, "seed of the study: every run's streams derive from it" },
  repeats = { 1, "train each initializer this many times, from different seeds" },
  epochs = { 5, "epochs per run" },
  batch_size = { 64, "samples per step" },
  out = { "results/compare_inits.json", "results file (JSON), saved after every run" },
  data = { "", "Fashion-MNIST directory; empty: $WINIT_FASHION_MNIST_DIR, else the Debian path" },
}, "The seed's study in Keras's spelling (docs/keras.md); the same results as\n" ..
   "scripts/compare_inits.lua.")

-- (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data(),
-- already / 255 (normalize = "scale" would be the same: the data's largest pixel is 255)
local train, test = keras.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local kernel_initializers = {
  { "zeros",         initializers.Zeros() },
  { "random_normal", initializers.RandomNormal { mean = 0.0, stddev = 1.0 } },
  { "glorot_normal", "GlorotNormal" },
  { "he_normal",     initializers.HeNormal() },
}

local function build_model(kernel_initializer)
  local model = keras.Sequential {
    layers.Flatten { input_shape = { 28, 28 } },
    layers.Dense(128, "relu", { kernel_initializer = kernel_initializer }),
    layers.Dense(10, "softmax"),
  }
  model:compile {
    optimizer = keras.optimizers.Adam(),
    loss = "sparse_categorical_crossentropy",
    metrics = { "accuracy" },
  }
  return model
end

-- model.fit(x_train, y_train, epochs=5, batch_size=64, validation_split=0.2), for each
-- initializer: as runs of one study, so that every run has its own seed and the results
-- are saved as they finish.
local study = winit.Study { name = "compare_inits", seed = opts.seed }
for _, entry in ipairs(kernel_initializers) do
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
