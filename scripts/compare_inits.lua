-- compare_inits.lua -- the classic four-initializer study on Fashion-MNIST.
--
-- Flatten(28x28) -> Dense(128, relu) -> Dense(10, softmax), trained with Adam for five
-- epochs, batch 64, the last 20% of the training set held out for validation.  Only the
-- first Dense layer's kernel initializer changes between runs; every bias starts at zero
-- and the output layer keeps Keras's default glorot_uniform.
--
--   winit run scripts/compare_inits.lua [--seed N] [--repeats K] [--epochs E]
--       [--baseline glorot_normal] [--target 0.85] [--design paired|independent]
--       [--out results/compare_inits.json] [--csv DIR] [--data DIR] [--diagnostics on|off]
--
-- It saves the results file (--out) and, beside it, an HTML report with the same name
-- and .html (learning curves, the statistics table; `winit report` writes the same page
-- from the saved file).
--
-- With --repeats K each initializer is trained K times and the table shows, per
-- initializer, the mean test accuracy with its 95% interval, then every initializer
-- against the baseline: the difference with its interval, a paired t-test (replicate r
-- of every initializer shares its data order and output-layer weights; --design
-- independent gives every run its own seed and Welch's test instead), Holm-adjusted
-- p-values and an effect size; and how fast each learned (epochs, and steps at the
-- diagnostics snapshots, to --target validation accuracy).  --csv DIR also writes
-- runs.csv and summary.csv there (`winit report FILE --csv DIR` does from a saved file).
-- Every run records per-layer diagnostics (and the theory beside them) unless
-- --diagnostics off: the accuracies are the same to the bit either way; `make
-- bench-diagnostics` times the cost.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = { 42, "seed of the study: every run's streams derive from it" },
  repeats = { 1, "train each initializer this many times (replicates)" },
  epochs = { 5, "epochs per run" },
  batch_size = { 64, "samples per step" },
  out = { "results/compare_inits.json", "results file (JSON), saved after every run" },
  data = { "", "Fashion-MNIST directory; empty: $WINIT_FASHION_MNIST_DIR, else the Debian path" },
  baseline = { "glorot_normal", "the initializer every other is compared with" },
  target = { 0.85, "validation accuracy whose first epoch and step each run reports" },
  design = { "paired", "paired (replicate r of every initializer shares its seed) or independent" },
  csv = { "", "also write runs.csv and summary.csv to this directory" },
  diagnostics = { "on", "on: record per-layer diagnostics in every run; off: none" },
}, "The classic four-initializer study (zeros, random_normal, glorot_normal, he_normal)\n" ..
   "on Fashion-MNIST: Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam.")

if opts.diagnostics ~= "on" and opts.diagnostics ~= "off" then
  error("option '--diagnostics' expects on or off, got '" .. opts.diagnostics .. "'", 0)
end

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

local study = winit.Study { name = "compare_inits", seed = opts.seed, design = opts.design,
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
-- The report beside the results: results/compare_inits.json -> results/compare_inits.html
local report = opts.out:gsub("%.json$", "") .. ".html"
results:report(report)
print("report written to " .. report)
