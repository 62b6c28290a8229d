-- normalization.lua -- does BatchNorm make initialization irrelevant?  Ioffe & Szegedy
-- (2015) say normalization lets one "be less careful about initialization"; this script
-- measures how much less on deep_convergence.lua's network: a --depth-layer ReLU MLP of
-- width --width on Fashion-MNIST, plain SGD (lr --lr, batch --batch) for --epochs epochs,
-- with and without a BatchNormalization after each hidden Dense (Keras's defaults; after
-- the ReLU, since winit has no activation-only layer: Dense(relu) -> BN), over the hidden
-- kernels' initializers zeros, random_normal sd 0.01 and 1, glorot_normal, he_normal and
-- orthogonal (biases zero, the softmax head glorot_uniform), with paired replicates.
--
-- Theory's expectation: BN divides each unit by its batch's spread, so a kernel's scale no
-- longer reaches the next layer: sd 0.01 (the signal dies: 0.01^2 * 128 / 2 per layer) and
-- sd 1 (it grows 64-fold per layer and overflows float after ~20 layers) train as He does.
-- What BN cannot undo is symmetry: a zeros kernel makes every unit of a layer compute the
-- same value (0), BN maps a constant to beta, and the units' gradients stay identical (they
-- are 0: ReLU'(0) = 0 and the next kernel is 0), so each hidden layer keeps 1 distinct unit
-- (the diagnostics' distinct_units, per layer in the results file and the report) and the
-- network predicts one class: chance accuracy.
--
--   winit run scripts/theory/normalization.lua [--depth 30] [--width 128] [--epochs 1]
--       [--replicates 3] [--rows 0] [--test-rows 0] [--batch 64] [--lr 0.01] [--seed 1]
--       [--inits zeros,normal,normal1,glorot_normal,he_normal,orthogonal]
--       [--out results/theory/normalization.json]
--
-- (normal: random_normal sd 0.01; normal1: random_normal sd 1.)  Fast mode (make check):
-- --width 32 --rows 2048 --test-rows 1000 --replicates 1.  Prints a table (test accuracy
-- mean and 95% interval per initializer, without and with BN), the distinct units of the
-- zeros runs per hidden layer after training, and a one-line finding; writes the study's
-- results and report next to --out (.html).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = 1,
  depth = { 30, "hidden layers" },
  width = { 128, "units per hidden layer" },
  epochs = { 1, "epochs (the budget)" },
  replicates = { 3, "paired replicates per condition" },
  rows = { 0, "training rows (0: all 60,000)" },
  test_rows = { 0, "test rows (0: all 10,000)" },
  batch = { 64, "batch size" },
  lr = { 0.01, "SGD learning rate (no momentum)" },
  inits = { { "zeros", "normal", "normal1", "glorot_normal", "he_normal", "orthogonal" },
            "hidden kernel initializers, comma-separated (normal: sd 0.01, normal1: sd 1)" },
  out = "results/theory/normalization.json",
}, "A deep ReLU MLP with and without BatchNormalization over six initializers.")

local depth = math.tointeger(opts.depth)
assert(depth and depth >= 1, "--depth must be an integer >= 1")
assert(math.tointeger(opts.replicates) and opts.replicates >= 1, "--replicates must be an integer >= 1")
local function init_ref(name)
  if name == "normal" then return { "random_normal", stddev = 0.01 }, "normal sd 0.01" end
  if name == "normal1" then return { "random_normal", stddev = 1 }, "normal sd 1" end
  return name, name
end
local inits = opts.inits

local train, test = winit.datasets.fashion_mnist.load_data()
local function head(ds, n)
  if n == 0 or n >= #ds then return ds end
  local f, l = {}, {}
  for i = 1, n do f[i], l[i] = ds:features(i), ds:label(i) end
  return winit.datasets.from_arrays(f, l, { n_classes = 10 })
end
train, test = head(train, opts.rows), head(test, opts.test_rows)

local function build(init, bn)
  local layers = { winit.layers.Flatten { input_shape = { train.n_features } } }
  for _ = 1, depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = "relu", kernel_initializer = init }
    if bn then layers[#layers + 1] = winit.layers.BatchNormalization {} end
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = winit.optimizers.SGD { learning_rate = opts.lr } }
  return model
end

-- Without BN, sd 1's signal variance grows by width / 2 per layer (784 / 2 in the first):
-- once its logits' variance passes 1e10 the first SGD step overflows, so its divergence is
-- theory's prediction, not a failure (a finished run is named on stderr).
local function overflows(name)
  if name ~= "normal1" then return false end
  return math.log(784 / 2, 10) + (depth - 1) * math.log(opts.width / 2, 10) > 10
end

local study = winit.Study { name = "normalization", seed = opts.seed, design = "paired" }
local conds = {}
for _, name in ipairs(inits) do
  local ref, label = init_ref(name)
  for _, bn in ipairs { false, true } do
    local key = (bn and "BN " or "") .. label
    conds[#conds + 1] = { key = key, init = label, bn = bn }
    for r = 0, opts.replicates - 1 do
      study:add { name = string.format("%s#%d", key, r + 1), label = key, replicate = r,
                  model = build(ref, bn), train = train, test = test, epochs = opts.epochs,
                  batch_size = opts.batch, expect = (not bn and overflows(name)) and "diverged" or "ok" }
    end
  end
end
local t0 = os.time()
local results = study:run { save = opts.out, verbose = 0 }
local seconds = os.time() - t0
local html = results:report((opts.out:gsub("%.json$", "")) .. ".html")

-- The mean (NaN for none) and the half-width of its 95% Student-t interval (nil below 2
-- values).
local function interval(xs)
  local s = winit.stats.summary(xs)
  return s.mean or 0 / 0, s.half
end

-- Per condition: test accuracies of the finished runs, diverged runs, and the hidden
-- layers' distinct units at the last snapshot (min and max over the layers and runs).
local acc, div, du = {}, {}, {}
for _, c in ipairs(conds) do acc[c.key], div[c.key], du[c.key] = {}, 0, { math.huge, -1, {} } end
for _, r in ipairs(results:runs()) do
  if r.status == "ok" then
    local a = acc[r.label]
    a[#a + 1] = r.test_accuracy
    local snaps = r.diagnostics
    local last = snaps and snaps[#snaps]
    if last then
      local d, per = du[r.label], {}
      for _, l in ipairs(last.layers) do
        if l.distinct_units and l.distinct_units >= 0 then per[#per + 1] = l.distinct_units end
      end
      per[#per] = nil -- the softmax head
      for _, n in ipairs(per) do d[1], d[2] = math.min(d[1], n), math.max(d[2], n) end
      d[3] = per
    end
  elseif r.status ~= "not run" then -- not run: another shard's (winit run --shard)
    div[r.label] = div[r.label] + 1
  end
end
local function show(key)
  local a = acc[key]
  if #a == 0 then return string.format("%-22s", div[key] > 0 and "diverged x" .. div[key] or "not run") end
  local m, hw = interval(a)
  local s = hw and string.format("%.4f +- %.4f", m, hw) or string.format("%.4f", m)
  if div[key] > 0 then s = s .. string.format(" (%d diverged)", div[key]) end
  return string.format("%-22s", s)
end
local steps = opts.epochs * math.ceil(#train / opts.batch)
print(string.format("%d-layer ReLU MLP of width %d, plain SGD (lr %g, batch %d), %d steps on %d rows; test "
                    .. "accuracy (mean +- 95%% interval over %d paired replicate(s)) and hidden layers' distinct "
                    .. "units after training (min..max)", depth, opts.width, opts.lr, opts.batch, steps, #train,
                    opts.replicates))
print(string.format("  %-16s %-22s %-11s %-22s %s", "init", "no BN", "units", "BN", "units"))
local mean = { [false] = {}, [true] = {} }
for _, name in ipairs(inits) do
  local _, label = init_ref(name)
  local row = { label }
  for _, bn in ipairs { false, true } do
    local key = (bn and "BN " or "") .. label
    local d = du[key]
    row[#row + 1] = show(key)
    row[#row + 1] = d[2] >= 0 and string.format("%d..%d", d[1], d[2]) or "-"
    mean[bn][label] = #acc[key] > 0 and interval(acc[key]) or nil
  end
  print(string.format("  %-16s %s %-11s %s %s", table.unpack(row)))
end
local zb = du["BN zeros"]
if zb and zb[2] >= 0 then
  print("  BN zeros: distinct units per hidden layer after training: " .. table.concat(zb[3], " "))
end

-- Which differences vanish: the spread (max - min) of the mean test accuracy over the
-- random initializers, without and with BN.
local function spread(bn)
  local lo, hi, nlo, nhi, missing = math.huge, -math.huge, nil, nil, {}
  for _, name in ipairs(inits) do
    local _, label = init_ref(name)
    if name ~= "zeros" then
      local m = mean[bn][label]
      if m then
        if m < lo then lo, nlo = m, label end
        if m > hi then hi, nhi = m, label end
      else
        missing[#missing + 1] = label
      end
    end
  end
  if not nlo then return "no finished run" end
  local s = string.format("%.4f (%s %.4f .. %s %.4f)", hi - lo, nlo, lo, nhi, hi)
  if #missing > 0 then s = s .. "; diverged: " .. table.concat(missing, ", ") end
  return s
end
-- One class predicted everywhere scores that class's share of the test rows.
local share = {}
for i = 1, #test do share[test:label(i)] = (share[test:label(i)] or 0) + 1 / #test end
local function one_class(a)
  for k, s in pairs(share) do
    if a and math.abs(a - s) < 1e-9 then return string.format(" = class %d's share of the test rows (one class predicted)", k) end
  end
  return ""
end
local zpart = ""
if zb and zb[2] >= 0 then
  local za = mean[true].zeros
  zpart = string.format("; zeros with BN keeps %d..%d distinct unit(s) in each of its %d hidden layers and "
                        .. "tests at %.4f%s: BN maps a constant layer to a constant, it cannot make "
                        .. "identical units differ", zb[1], zb[2], depth, za or 0 / 0, one_class(za))
end
print(string.format("finding: spread of test accuracy over the random initializers: without BN %s; with BN %s%s. "
                    .. "(%d s)", spread(false), spread(true), zpart, seconds))
print("results: " .. opts.out .. ", report: " .. html)
