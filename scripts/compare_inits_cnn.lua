-- compare_inits_cnn.lua -- the classic four-initializer study on Keras's tutorial CNN.
--
-- Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2)
-- -> Flatten -> Dropout(0.5) -> Dense(10, softmax) on Fashion-MNIST read as (28, 28, 1)
-- (keras.io's MNIST convnet, 34,826 parameters), trained with Adam for five epochs,
-- batch 64, the last 20% of the training set held out for validation.  The initializer
-- under study sets the kernels of both Conv2D layers; as in compare_inits.lua, every bias
-- starts at zero and the output Dense keeps Keras's default glorot_uniform (--dense_init
-- same puts the initializer under study there too).  Keras's fans for a (kh, kw, cin,
-- cout) kernel are fan_in = kh*kw*cin, fan_out = kh*kw*cout.
--
--   winit run scripts/compare_inits_cnn.lua [--seed N] [--repeats K] [--epochs E]
--       [--baseline glorot_normal] [--target 0.85] [--design paired|independent]
--       [--out results/compare_inits_cnn.json] [--csv DIR] [--data DIR]
--       [--diagnostics on|off] [--train_rows N] [--dense_init glorot_uniform|same]
--
-- The options, the table and the report are compare_inits.lua's (see there): the results
-- file (--out), the HTML report beside it (same name, .html), --csv DIR's runs.csv and
-- summary.csv.  --train_rows N trains on the first N training images only (the last 20%
-- of them held out for validation; the test set stays whole): a quick look, or the fast
-- mode of `make check` (the rows are copied through Lua tables, ~12 MB per 1,000 images).  One sample of this model costs ~14.6 MFLOP to train, 36 times the
-- MLP's: five epochs of the four initializers take minutes, not seconds (-j 2 runs two at
-- a time).
--
-- With `zeros`, every conv unit's pre-activation is 0 and ReLU's derivative at 0 is 0:
-- no kernel or conv bias ever moves, the output sees only zeros and learns the class
-- prior, and test accuracy is exactly 0.1000 (Fashion-MNIST's test set is balanced).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = { 42, "seed of the study: every run's streams derive from it" },
  repeats = { 1, "train each initializer this many times (replicates)" },
  epochs = { 5, "epochs per run" },
  batch_size = { 64, "samples per step" },
  out = { "results/compare_inits_cnn.json", "results file (JSON), saved after every run" },
  data = { "", "Fashion-MNIST directory; empty: $WINIT_FASHION_MNIST_DIR, else the Debian path" },
  baseline = { "glorot_normal", "the initializer every other is compared with" },
  target = { 0.85, "validation accuracy whose first epoch and step each run reports" },
  design = { "paired", "paired (replicate r of every initializer shares its seed) or independent" },
  csv = { "", "also write runs.csv and summary.csv to this directory" },
  diagnostics = { "on", "on: record per-layer diagnostics in every run; off: none" },
  train_rows = { 0, "train on the first N training images only (0: all 60,000); the test set stays whole" },
  dense_init = { "glorot_uniform", "the output Dense's kernel: glorot_uniform (Keras's default) or same (the initializer under study)" },
}, "The classic four-initializer study (zeros, random_normal, glorot_normal, he_normal)\n" ..
   "on Keras's tutorial CNN: Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu)\n" ..
   "-> MaxPooling2D -> Flatten -> Dropout(0.5) -> Dense(10, softmax), Adam; the\n" ..
   "initializer sets both conv kernels (and the Dense kernel with --dense_init same).")

if opts.diagnostics ~= "on" and opts.diagnostics ~= "off" then
  error("option '--diagnostics' expects on or off, got '" .. opts.diagnostics .. "'", 0)
end
if opts.dense_init ~= "glorot_uniform" and opts.dense_init ~= "same" then
  error("option '--dense_init' expects glorot_uniform or same, got '" .. opts.dense_init .. "'", 0)
end

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

if opts.train_rows ~= 0 then
  local n = opts.train_rows
  if math.type(n) ~= "integer" or n < 10 or n > #train then
    error(("option '--train_rows' expects an integer from 10 to %d (or 0: all), got '%s'")
          :format(#train, tostring(n)), 0)
  end
  -- The first n rows, as the model sees them (pixel / 255), and their labels, copied
  -- through Lua tables (~16 bytes a value: meant for thousands of images, not all).
  if n < #train then
    local rows, labels = {}, {}
    for i = 1, n do
      rows[i] = train:features(i)
      labels[i] = train:label(i)
    end
    train = winit.datasets.from_arrays(rows, labels, { n_classes = train.n_classes })
  end
end

local initializers = {
  { "zeros",         "zeros" },
  { "random_normal", { "random_normal", mean = 0.0, stddev = 1.0 } },
  { "glorot_normal", "glorot_normal" },
  { "he_normal",     "he_normal" },
}

local function build_model(kernel_initializer)
  local L = winit.layers
  local model = winit.Sequential {
    L.Conv2D { 32, kernel_size = { 3, 3 }, activation = "relu", input_shape = { 28, 28, 1 },
               kernel_initializer = kernel_initializer },
    L.MaxPooling2D { pool_size = { 2, 2 } },
    L.Conv2D { 64, kernel_size = { 3, 3 }, activation = "relu",
               kernel_initializer = kernel_initializer },
    L.MaxPooling2D { pool_size = { 2, 2 } },
    L.Flatten {},
    L.Dropout(0.5),
    L.Dense { 10, activation = "softmax",
              kernel_initializer = opts.dense_init == "same" and kernel_initializer or "glorot_uniform" },
  }
  model:compile {
    optimizer = winit.optimizers.Adam(),
    loss = "categorical_crossentropy",
    metrics = { "accuracy" },
  }
  return model
end

local study = winit.Study { name = "compare_inits_cnn", seed = opts.seed, design = opts.design,
                            target = opts.target }
for _, entry in ipairs(initializers) do
  local label, init = entry[1], entry[2]
  for r = 1, opts.repeats do
    study:add {
      name = opts.repeats > 1 and (label .. "#" .. r) or label,
      label = label,
      model = build_model(init),
      train = train,
      test = test,
      epochs = opts.epochs,
      batch_size = opts.batch_size,
      validation_split = 0.2,
      diagnostics = opts.diagnostics == "on",
    }
  end
end

local results = study:run { save = opts.out }
print()
results:print_table { baseline = opts.baseline }
print("results saved to " .. opts.out)
if opts.csv ~= "" then
  results:write_csv(opts.csv, { baseline = opts.baseline })
  print("CSV saved to " .. opts.csv .. "/runs.csv and " .. opts.csv .. "/summary.csv")
end
-- The report beside the results: results/compare_inits_cnn.json -> results/compare_inits_cnn.html
local report = opts.out:gsub("%.json$", "") .. ".html"
results:report(report)
print("report written to " .. report)
