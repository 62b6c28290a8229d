-- signal_propagation.lua -- what the variance of the initial weights does to the signal,
-- layer after layer: measured at initialization beside the mean-field prediction.
--
-- Deep MLPs (--depth hidden layers of --width units, then Dense(10, softmax)) on generated
-- Gaussian inputs (256 features, each N(0, 1)), for linear, tanh, relu and selu units and
-- seven kernel initializers.  Measured: each hidden
-- layer's pre-activation variance over 512 rows (model:activation_stats).  Predicted:
--   q_1 = E[w^2] * mean over rows of sum_i x_i^2,
--   q_l = fan_in * E[w^2] * E[f(z)^2],  z ~ N(0, q_(l-1))   (biases start at zero)
-- with E[w^2] taken from the model's own kernels (so any initializer is covered) and the
-- expectation by quadrature.  The finding is the per-layer ratio (q_L / q_1)^(1/(L-1)):
-- 1 keeps the signal, below 1 it vanishes, above 1 it explodes.
--
--   winit run scripts/theory/signal_propagation.lua [--depth 32] [--width 256] [--seed 1]
--                               [--out results/theory/signal_propagation.json]
--
-- Prints a table per activation and a one-line finding; trains each model one epoch (the
-- --rows rows, batch 64) as a study per activation and writes its results and HTML report
-- (NAME_ACTIVATION.json/.html: with per-run diagnostics recorded, the report plots
-- variance by depth beside theory).  A model whose signal overflows at initialization is
-- added with expect = "diverged": its divergence is shown as expected and winit run still
-- exits 0.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = 1, depth = 32, width = 256, rows = 512, out = "results/theory/signal_propagation.json",
})
assert(opts.depth >= 2 and opts.depth <= 63, "--depth must be in 2..63")

-- Generated inputs: --rows rows of 256 features drawn from N(0, 1), labels cycling through
-- 10 classes (only the study's training uses them).
math.randomseed(opts.seed)
local function gauss()
  return math.sqrt(-2 * math.log(1 - math.random())) * math.cos(2 * math.pi * math.random())
end
local rows, labels, sumsq = {}, {}, 0
for i = 1, opts.rows do
  local r = {}
  for k = 1, 256 do
    r[k] = gauss()
    sumsq = sumsq + r[k] * r[k]
  end
  rows[i], labels[i] = r, (i - 1) % 10
end
local x2 = sumsq / opts.rows -- mean over the rows of sum_i x_i^2
local data = winit.datasets.from_arrays(rows, labels, { n_classes = 10 })

local acts = {
  linear = function(z) return z end,
  tanh = math.tanh,
  relu = function(z) return z > 0 and z or 0 end,
  selu = function(z)
    local l, a = 1.0507009873554805, 1.6732632423543772
    return z > 0 and l * z or l * a * (math.exp(z) - 1)
  end,
}
local act_order = { "linear", "tanh", "relu", "selu" }
local inits = {
  { "zeros", "zeros" },
  { "normal sd 0.01", { "random_normal", stddev = 0.01 } },
  { "normal sd 1", { "random_normal", stddev = 1 } },
  { "glorot_normal", "glorot_normal" },
  { "he_normal", "he_normal" },
  { "lecun_normal", "lecun_normal" },
  { "orthogonal", "orthogonal" },
}

-- E[f(z)^2] for z ~ N(0, q): Simpson's rule over z = sqrt(q) u, u in [-10, 10].
local function second_moment(fn, q)
  if q <= 0 then return fn(0) ^ 2 end
  if q == math.huge or q ~= q then return q end
  local m, h, s = 800, 20 / 800, 0
  for k = 0, m do
    local u = -10 + k * h
    local w = (k == 0 or k == m) and 1 or (k % 2 == 1 and 4 or 2)
    s = s + w * fn(math.sqrt(q) * u) ^ 2 * math.exp(-u * u / 2)
  end
  return s * h / 3 / math.sqrt(2 * math.pi)
end

local function build(act, init)
  local layers = { winit.layers.Flatten { input_shape = { 256 } } }
  for _ = 1, opts.depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = act, kernel_initializer = init }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = "adam" }
  return model
end

local function mean_square(model, l)
  local w, s, k = model:get_weights(l), 0, 0
  for r = 1, #w do
    local row = w[r]
    for c = 1, #row do s = s + row[c] * row[c] end
    k = k + #row
  end
  return s / k
end

local function ratio(q, L)
  if not (q[1] > 0) or not (q[L] > 0) or q[L] == math.huge then return nil end
  return (q[L] / q[1]) ^ (1 / (L - 1))
end
local function fmt(v)
  if v == nil then return "     -" end
  return string.format("%6.3f", v)
end

local L = opts.depth
local found = {}
print(string.format("Pre-activation variance at initialization, %d hidden layers of %d units, %d rows:",
                    L, opts.width, opts.rows))
print(string.format("  per-layer ratio (q_%d / q_1)^(1/%d), measured (predicted), and q_%d", L, L - 1, L))
for _, act in ipairs(act_order) do
  print(act .. ":")
  found[act] = {}
  for _, entry in ipairs(inits) do
    local label, init = entry[1], entry[2]
    winit.set_seed(opts.seed)
    local model = build(act, init)
    local st = model:activation_stats(data, { rows = opts.rows })
    local meas, pred = {}, {}
    local q = mean_square(model, 1) * x2
    for l = 1, L do
      if l > 1 then
        q = (l == 1 and 256 or opts.width) * mean_square(model, l) * second_moment(acts[act], pred[l - 1])
      end
      pred[l] = q
      meas[l] = st[l].pre_var
    end
    local rm, rp = ratio(meas, L), ratio(pred, L)
    found[act][label] = { m = rm, p = rp, qm = meas[L], qp = pred[L] }
    print(string.format("  %-15s %s (%s)   q_%d %9.3g (%9.3g)", label, fmt(rm), fmt(rp), L, meas[L], pred[L]))
  end
end

-- The same models trained one epoch, one study per activation, for the results and reports.
local base = opts.out:gsub("%.json$", "")
local reports = {}
for _, act in ipairs(act_order) do
  local study = winit.Study { name = "signal_propagation_" .. act, seed = opts.seed }
  for _, entry in ipairs(inits) do
    -- A signal that overflowed float at initialization (q_L measured not finite, as linear
    -- units with normal sd 1 at depth 32) makes the first step's loss NaN: that run is
    -- expected to diverge, a finding rather than a failure (winit says so if it does not).
    local q = found[act][entry[1]].qm
    study:add { name = act .. "/" .. entry[1], label = entry[1], model = build(act, entry[2]),
                train = data, epochs = 1, batch_size = 64,
                expect = (q ~= q or q == math.huge) and "diverged" or "ok" }
  end
  local results = study:run { save = base .. "_" .. act .. ".json", verbose = 0 }
  reports[#reports + 1] = base .. "_" .. act .. ".html"
  results:report(reports[#reports])
end

local r, t, li = found.relu, found.tanh, found.linear
print(string.format(
  "finding: per-layer variance ratio measured (predicted): relu he_normal %.3f (%.3f), relu glorot_normal "
  .. "%.3f (%.3f) (Glorot halves a ReLU signal every layer: %.2g of layer 1's variance left at layer %d), linear "
  .. "glorot_normal %.3f (%.3f), tanh glorot_normal %.3f (%.3f), relu normal sd 1 %.1f (%.1f): explodes; "
  .. "normal sd 0.01 vanishes (relu %.3f); zeros: no signal at all.",
  r.he_normal.m, r.he_normal.p, r.glorot_normal.m, r.glorot_normal.p, r.glorot_normal.m ^ (L - 1), L,
  li.glorot_normal.m, li.glorot_normal.p, t.glorot_normal.m, t.glorot_normal.p,
  r["normal sd 1"].m or 0 / 0, r["normal sd 1"].p or 0 / 0, r["normal sd 0.01"].m or 0 / 0))
print("reports: " .. table.concat(reports, ", "))
