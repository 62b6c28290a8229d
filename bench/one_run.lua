-- bench/one_run.lua -- one run of the seed study (he_normal), for bench/study.sh's
-- one-core throughput figure.  Same model, optimizer and fit settings as
-- scripts/compare_inits.lua; saves the results file and prints one machine-readable line:
--
--   one_run: epochs=E n_train=N epoch_seconds=s1,s2,... samples_per_second=R
--
--   winit run bench/one_run.lua [--seed 42] [--epochs 5] [--jobs 1] [--out FILE] [--data DIR]
--
-- --jobs N trains the run on N threads (its passes split among them; the same numbers).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = 42,
  epochs = 5,
  batch_size = 64,
  jobs = 1,
  out = "one_run.json",
  data = "",
})

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)

local model = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 128, activation = "relu", kernel_initializer = "he_normal" },
  winit.layers.Dense { 10, activation = "softmax" },
}
model:compile {
  optimizer = winit.optimizers.Adam(),
  loss = "categorical_crossentropy",
  metrics = { "accuracy" },
}

local split = 0.2
local study = winit.Study { name = "compare_inits", seed = opts.seed }
study:add {
  name = "he_normal",
  model = model,
  train = train,
  test = test,
  epochs = opts.epochs,
  batch_size = opts.batch_size,
  validation_split = split,
}
local results = study:run { jobs = opts.jobs, save = opts.out }
local run = results:runs()[1]
if run.status ~= "ok" then
  error("one_run: the run failed: " .. tostring(run.error))
end

local n_train = math.floor(#train * (1 - split))
local secs, total = {}, 0.0
for i, s in ipairs(run.history.seconds) do -- history = { loss = {...}, seconds = {...}, ... }
  secs[i] = string.format("%.4f", s)
  total = total + s
end
print(string.format("one_run: epochs=%d n_train=%d epoch_seconds=%s samples_per_second=%.1f",
                    #secs, n_train, table.concat(secs, ","), n_train * #secs / total))
