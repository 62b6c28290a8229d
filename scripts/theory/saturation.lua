-- saturation.lua -- what too large a weight variance does to sigmoid and tanh units: they
-- saturate (|z| so large that f'(z) is nearly 0), little gradient flows back through them,
-- and the network trains slower.
--
-- MLPs of --depth hidden layers of --width units (sigmoid or tanh) -> Dense(10, softmax),
-- every hidden kernel random_normal with stddev log-spaced from --min_sd to --max_sd
-- (--points of them), plus glorot_normal for reference; Fashion-MNIST (or --data gaussian:
-- generated Gaussian data, 784 features, 10 classes), Adam (or --optimizer sgd), batch 64,
-- the last 20% of the training rows held out for validation.  Measured per run:
--   - at initialization, the saturated fraction: the share of (probe row, unit) pairs whose
--     |f'(z)| is below 1% of f's largest |f'| (the run's diagnostics snapshot at step 0, on
--     its 512-row probe batch), averaged over the hidden layers, and for the first layer;
--   - after the fixed budget (--epochs), the final training loss, the test accuracy and the
--     first epoch whose validation accuracy reaches --target.
--
--   winit run scripts/theory/saturation.lua [--epochs 3] [--depth 3] [--width 128]
--       [--points 6] [--min_sd 0.01] [--max_sd 3] [--target 0.8] [--optimizer adam|sgd]
--       [--data fashion|gaussian] [--rows 60000] [--seed 1]
--       [--out results/theory/saturation.json]
--
-- Prints a table per activation and a one-line finding, and writes the study's results and
-- HTML report (the .json's name with .html) with the saturated fraction and the test
-- accuracy against the stddev on a log axis, glorot_normal's sd marked.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = { 1, "seed of the study" },
  epochs = { 3, "epochs per run (the fixed training budget)" },
  depth = { 3, "hidden layers" },
  width = { 128, "units per hidden layer" },
  points = { 6, "random_normal stddevs, log-spaced from --min_sd to --max_sd" },
  min_sd = { 0.01, "smallest stddev" },
  max_sd = { 3.0, "largest stddev" },
  target = { 0.8, "validation accuracy whose first epoch each run reports" },
  optimizer = { "adam", "adam (the study's) or sgd (plain, learning rate 0.01)" },
  data = { "fashion", "fashion (Fashion-MNIST) or gaussian (generated, 784 features)" },
  rows = { 60000, "training rows of generated data (--data gaussian)" },
  out = { "results/theory/saturation.json", "results file (JSON); the report gets .html" },
}, "Saturated fraction at initialization and the cost in training speed of sigmoid and tanh\n" ..
   "networks as the weights' stddev grows.")
assert(opts.points >= 2, "--points must be at least 2")
assert(opts.min_sd > 0 and opts.max_sd > opts.min_sd, "--min_sd must be > 0 and below --max_sd")
assert(opts.depth >= 1 and opts.width >= 1, "--depth and --width must be positive")
assert(opts.optimizer == "adam" or opts.optimizer == "sgd", "--optimizer must be adam or sgd")

local train, test, shape
if opts.data == "fashion" then
  train, test = winit.datasets.fashion_mnist.load_data()
  shape = { 28, 28 }
elseif opts.data == "gaussian" then
  -- One draw of n + n/5 rows (the same class means), split into train and test.
  local all = winit.datasets.gaussian { n = opts.rows, features = 784, classes = 10, seed = opts.seed,
                                        separation = 0.15 }
  train = all
  test = winit.datasets.gaussian { n = opts.rows // 5, features = 784, classes = 10, seed = opts.seed,
                                   separation = 0.15 }
  shape = { 784 }
else
  error("--data must be fashion or gaussian, got " .. opts.data)
end

local fan_in = #shape == 2 and shape[1] * shape[2] or shape[1]
local function build(act, init)
  local layers = { winit.layers.Flatten { input_shape = shape } }
  for _ = 1, opts.depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = act, kernel_initializer = init }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile {
    optimizer = opts.optimizer == "adam" and winit.optimizers.Adam() or winit.optimizers.SGD { learning_rate = 0.01 },
    loss = "categorical_crossentropy", metrics = { "accuracy" },
  }
  return model
end

-- sd_k = min_sd * (max_sd / min_sd)^(k / (points - 1)), 3 significant digits.
local sds = {}
for k = 0, opts.points - 1 do
  sds[#sds + 1] = tonumber(string.format("%.3g", opts.min_sd * (opts.max_sd / opts.min_sd) ^ (k / (opts.points - 1))))
end
local acts = { "sigmoid", "tanh" }

local study = winit.Study { name = "saturation", seed = opts.seed, target = opts.target }
for _, act in ipairs(acts) do
  for _, sd in ipairs(sds) do
    study:add { name = string.format("%s/sd %g", act, sd), model = build(act, { "random_normal", stddev = sd }),
                train = train, test = test, epochs = opts.epochs, batch_size = 64, validation_split = 0.2 }
  end
  study:add { name = act .. "/glorot_normal", model = build(act, "glorot_normal"), train = train, test = test,
              epochs = opts.epochs, batch_size = 64, validation_split = 0.2 }
end
local results = study:run { save = opts.out, verbose = 0 }

-- Per run: the saturated fraction at step 0 (mean over hidden layers, and layer 1), the last
-- epoch's training loss, the test accuracy, the epochs to the target.
local function measure(r)
  local m = { acc = r.status == "ok" and r.test_accuracy or 0 / 0, ep = r.epochs_to_target }
  local h = r.history
  m.loss = (h and #h.loss > 0) and h.loss[#h.loss] or 0 / 0
  local snap
  for _, s in ipairs(r.diagnostics or {}) do
    if s.step == 0 then snap = s; break end
  end
  m.sat, m.sat1 = 0 / 0, 0 / 0
  if snap then
    local s = 0
    for l = 1, opts.depth do s = s + snap.layers[l].saturated_fraction end
    m.sat, m.sat1 = s / opts.depth, snap.layers[1].saturated_fraction
  end
  return m
end
local by = {}
for _, r in ipairs(results:runs()) do by[r.name] = measure(r) end

-- Glorot's sd for the hidden layers: sqrt(2 / (fan_in + fan_out)) per layer.
local glorot1 = math.sqrt(2 / (fan_in + opts.width))
local glorot2 = math.sqrt(2 / (2 * opts.width))
print(string.format("%d hidden layers of %d units, %s, %d epoch%s of %s: saturated fraction at init (|f'| < 1%% of max;"
                    .. " mean over hidden layers, layer 1), final training loss, test accuracy, epochs to"
                    .. " %.2f validation accuracy", opts.depth, opts.width, opts.data == "fashion" and "Fashion-MNIST"
                    or "generated Gaussian data", opts.epochs, opts.epochs == 1 and "" or "s", opts.optimizer,
                    opts.target))
local figs_sat, figs_acc = {}, {}
for _, act in ipairs(acts) do
  print(act .. ":")
  print(string.format("  %-14s %9s %9s %9s %9s %7s", "kernel", "saturated", "layer 1", "loss", "test acc", "epochs"))
  local xs, ss, as = {}, {}, {}
  local rows = {}
  for _, sd in ipairs(sds) do rows[#rows + 1] = { string.format("sd %g", sd), sd } end
  rows[#rows + 1] = { "glorot_normal", nil }
  for _, row in ipairs(rows) do
    local m = by[act .. "/" .. row[1]]
    print(string.format("  %-14s %9.4f %9.4f %9.4f %9.4f %7s", row[1], m.sat, m.sat1, m.loss, m.acc, m.ep or "never"))
    if row[2] then xs[#xs + 1], ss[#ss + 1], as[#as + 1] = row[2], m.sat, m.acc end
  end
  figs_sat[#figs_sat + 1] = { label = act, x = xs, y = ss }
  figs_acc[#figs_acc + 1] = { label = act, x = xs, y = as }
end

local markers = { { x = glorot1, label = "Glorot sd, layer 1" } }
if opts.depth > 1 then markers[2] = { x = glorot2, label = "Glorot sd, layers 2+" } end
local glorot_note = string.format("Dashed: glorot_normal's sd, %.4f for layer 1 (fan_in %d)%s.", glorot1, fan_in,
                                  opts.depth > 1 and string.format(", %.4f for the others", glorot2) or "")
local report = opts.out:gsub("%.json$", "") .. ".html"
results:report(report, { figures = {
  { title = "Saturated units at initialization", xlabel = "random_normal stddev (log)",
    ylabel = "saturated fraction (mean over hidden layers)", xlog = true, series = figs_sat, markers = markers,
    caption = "Share of (probe row, unit) pairs with |f'(z)| below 1% of its maximum, at step 0. " .. glorot_note },
  { title = string.format("Test accuracy after %d epoch%s", opts.epochs, opts.epochs == 1 and "" or "s"),
    xlabel = "random_normal stddev (log)", ylabel = "test accuracy", xlog = true, series = figs_acc,
    markers = markers, caption = glorot_note },
} })

-- The finding, per activation: whether the saturated fraction grows with sd, and what the
-- budget bought at the largest sd against the largest sd still below 5% saturated.
local parts = {}
for _, act in ipairs(acts) do
  local list, grows, ref = {}, true, nil
  for k, sd in ipairs(sds) do
    local m = by[string.format("%s/sd %g", act, sd)]
    list[k] = string.format("%.3f", m.sat)
    if k > 1 and m.sat < by[string.format("%s/sd %g", act, sds[k - 1])].sat - 0.005 then grows = false end
    if m.sat < 0.05 then ref = { sd = sd, m = m } end
  end
  local hi, g = by[string.format("%s/sd %g", act, sds[#sds])], by[act .. "/glorot_normal"]
  local p = string.format("%s: saturated fraction %s with sd (%s; glorot_normal %.3f)", act,
                          grows and "grows" or "does NOT grow", table.concat(list, ", "), g.sat)
  if ref then
    p = p .. string.format(", and test accuracy falls from %.4f at sd %g (%.3f saturated) to %.4f at sd %g (loss %.3f -> %.3f,"
                           .. " epochs to %.2f: %s -> %s; glorot_normal %.4f)", ref.m.acc, ref.sd, ref.m.sat, hi.acc,
                           sds[#sds], ref.m.loss, hi.loss, opts.target, ref.m.ep or "never", hi.ep or "never", g.acc)
  end
  parts[#parts + 1] = p
end
print(string.format("finding (%d epoch%s): ", opts.epochs, opts.epochs == 1 and "" or "s") .. table.concat(parts, "; ") .. ".")
print("results saved to " .. opts.out .. "; report written to " .. report)
