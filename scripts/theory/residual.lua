-- residual.lua -- what lets a ReLU network 64 blocks deep train: skip connections,
-- normalization, or an initialization that starts every block at the identity.  The ReZero
-- authors' fully connected comparison (Bachlechner et al. 2020: 64 layers of width 256 on
-- CIFAR-10, 10 epochs; final training losses 2.02 plain, 1.87 residual, 2.02 residual +
-- LayerNorm, 0.52 ReZero) on Fashion-MNIST, with Fixup (Zhang et al. 2019) beside it.
--
-- The blocks are the ReZero paper's Table 1 forms, with a two-layer branch
-- F(x) = W2 relu(W1 x + b1) + b2 (Dense(width, relu) -> Dense(width)), so that Fixup's rule
-- (m = 2 layers per branch) applies; the notebook's branch is one layer.  No activation
-- follows the sum (the ReZero/pre-activation form): a block whose branch is 0 is exactly
-- the identity.  Stem: Dense(width, relu, he_normal) from the 784 pixels; head:
-- Dense(10, softmax).
--   plain      x <- relu(W2 relu(W1 x)): the branch alone, both layers ReLU (a plain
--              2L-layer He ReLU MLP; with the branch's last layer linear, He's factor 2
--              would compound every block), he_normal
--   residual   x <- x + F(x), he_normal
--   layernorm  x <- LayerNormalization(x + F(x)) (post-norm, as the paper's Table 1), he_normal
--   rezero     x <- x + alpha F(x), alpha a Scale initialized at 0 (ReZero; SkipInit's gate)
--   fixup      x <- x + s F(x): W1 He scaled by L^(-1/(2m-2)) = L^(-1/2) (Dense's
--              multipliers.kernel.init), W2 and the head's kernel at zero, s a Scale at 1;
--              Dense's biases (zero) stand in for Fixup's scalar biases
--   zero_last  x <- x + F(x) with W2 at zero, He elsewhere ("zero the last layer of each
--              residual branch", Fixup without its rescaling, multiplier and zero head)
-- Every run: plain SGD (lr --lr, batch --batch) for --epochs epochs, paired replicates
-- (replicate r of every variant sees the same data order and stem/head draws).
--
-- Theory at initialization: with He, E[x^2] triples every residual block (the branch adds
-- 2 E[x^2]: 3^L), stays put through the plain stack and is reset to 1 per unit by LayerNorm;
-- ReZero, Fixup and zero_last blocks are the identity (the network is its stem and head).
--
--   winit run scripts/theory/residual.lua [--blocks 64] [--width 256] [--epochs 1]
--       [--replicates 3] [--rows 0] [--test-rows 0] [--batch 64] [--lr 0.01] [--seed 1]
--       [--variants plain,residual,layernorm,rezero,fixup,zero_last] [--probe-rows 512]
--       [--diagnostics on] [--out results/theory/residual.json]
--
-- At 1,000 blocks every probe holds each layer's activations for its rows: use
-- --probe-rows 64 --diagnostics off there (docs/cluster.md).
--
-- Fast mode (make check): --blocks 8 --width 64 --rows 2048 --test-rows 512 --replicates 1.
-- Prints the per-block growth at initialization, ReZero's identity check, each variant's
-- final training loss (mean and 95% interval over replicates, paired differences to
-- ReZero), the ordering and whether the notebook's holds; writes the study's results and
-- report (next to --out, .html).
local winit = require "winit"
local L = winit.layers

local opts = winit.parse_args(arg, {
  seed = 1,
  blocks = { 64, "residual blocks (L)" },
  width = { 256, "units per layer" },
  epochs = { 1, "epochs (the budget)" },
  replicates = { 3, "paired replicates per variant" },
  rows = { 0, "training rows (0: all 60,000)" },
  test_rows = { 0, "test rows (0: all 10,000)" },
  batch = { 64, "batch size" },
  lr = { 0.01, "SGD learning rate (no momentum)" },
  variants = { { "plain", "residual", "layernorm", "rezero", "fixup", "zero_last" }, "variants, comma-separated" },
  probe_rows = { 512, "rows of the script's probe at initialization (growth per block)" },
  diagnostics = { "on", "the runs' diagnostics snapshots: on or off (off saves their probe's memory)" },
  out = "results/theory/residual.json",
}, "64 residual ReLU blocks on Fashion-MNIST: plain, residual, LayerNorm, ReZero, Fixup.")

local KNOWN = { plain = true, residual = true, layernorm = true, rezero = true, fixup = true, zero_last = true }
local variants = opts.variants
for _, v in ipairs(variants) do
  assert(KNOWN[v], "--variants: unknown variant '" .. v .. "' (plain, residual, layernorm, rezero, fixup, "
         .. "zero_last)")
end
local nb = math.tointeger(opts.blocks)
assert(nb and nb >= 1, "--blocks must be an integer >= 1")
assert(math.tointeger(opts.replicates) and opts.replicates >= 1, "--replicates must be an integer >= 1")
assert(math.tointeger(opts.probe_rows) and opts.probe_rows >= 1, "--probe-rows must be an integer >= 1")
assert(opts.diagnostics == "on" or opts.diagnostics == "off", "--diagnostics must be on or off")

local train, test = winit.datasets.fashion_mnist.load_data()
-- The first n rows (fast mode), as a dataset of the same pixels / 255.
local function head(ds, n)
  if n == 0 or n >= #ds then return ds end
  local f, l = {}, {}
  for i = 1, n do f[i], l[i] = ds:features(i), ds:label(i) end
  return winit.datasets.from_arrays(f, l, { n_classes = 10 })
end
train, test = head(train, opts.rows), head(test, opts.test_rows)

-- The blocks, as docs/catalogue.md's recipes write them (x: the block's input tensor).
local function plain_block(x, width)
  local h = L.Dense { width, activation = "relu", kernel_initializer = "he_normal" }(x)
  return L.Dense { width, activation = "relu", kernel_initializer = "he_normal" }(h)
end
local function residual_block(x, width)
  local f = L.Dense { width, activation = "relu", kernel_initializer = "he_normal" }(x)
  f = L.Dense { width, kernel_initializer = "he_normal" }(f)
  return L.Add {}({ x, f })
end
local function layernorm_block(x, width)
  return L.LayerNormalization {}(residual_block(x, width))
end
-- ReZero / SkipInit: the branch times a trained gate alpha that starts at 0.
local function rezero_block(x, width)
  local f = L.Dense { width, activation = "relu", kernel_initializer = "he_normal" }(x)
  f = L.Dense { width, kernel_initializer = "he_normal" }(f)
  return L.Add {}({ x, L.Scale { initializer = "zeros" }(f) })
end
-- Fixup, m = 2 layers per branch: the first He scaled by L^(-1/(2m-2)), the last at zero,
-- a scalar multiplier at 1 (and the head's kernel at zero, below).
local function fixup_block(x, width, blocks)
  local f = L.Dense { width, activation = "relu", kernel_initializer = "he_normal",
                      multipliers = { kernel = { init = blocks ^ (-1 / (2 * 2 - 2)) } } }(x)
  f = L.Dense { width, kernel_initializer = "zeros" }(f)
  return L.Add {}({ x, L.Scale { initializer = "ones" }(f) })
end
-- "Zero the last layer of each residual branch": He everywhere else.
local function zero_last_block(x, width)
  local f = L.Dense { width, activation = "relu", kernel_initializer = "he_normal" }(x)
  f = L.Dense { width, kernel_initializer = "zeros" }(f)   -- the branch's last layer
  return L.Add {}({ x, f })
end
local BLOCK = { plain = plain_block, residual = residual_block, layernorm = layernorm_block,
                rezero = rezero_block, fixup = fixup_block, zero_last = zero_last_block }

-- build(variant) -> model, the index (activation_stats order) of each block's output
local function build(variant)
  local x = winit.Input { shape = { train.n_features } }
  local h = L.Dense { opts.width, activation = "relu", kernel_initializer = "he_normal" }(x)
  local outs = {}
  for _ = 1, nb do h = BLOCK[variant](h, opts.width, nb) end
  local y = L.Dense { 10, activation = "softmax",
                      kernel_initializer = variant == "fixup" and "zeros" or "glorot_uniform" }(h)
  local model = winit.Model { inputs = x, outputs = y }
  model:compile { optimizer = winit.optimizers.SGD { learning_rate = opts.lr } }
  -- Each block ends with its Add (its LayerNormalization when it has one; the plain
  -- block's second Dense).  model.layers starts with the InputLayer, activation_stats not.
  local ends = variant == "layernorm" and "LayerNormalization" or variant == "plain" and "Dense" or "Add"
  local seen = 0
  for i = 3, #model.layers - 1 do
    if model.layers[i].class_name == ends then
      seen = seen + 1
      if variant ~= "plain" or seen % 2 == 0 then outs[#outs + 1] = i - 1 end
    end
  end
  assert(#outs == nb, "internal: " .. #outs .. " block outputs found for " .. nb .. " blocks")
  return model, outs
end

-- At initialization (replicate 0's weights come from the study; these are the script's own
-- draws): the mean square E[x^2] of each block's output, its growth per block, and ReZero's
-- identity: its predictions equal those of the stem and head alone, with the same weights.
winit.set_seed(opts.seed)
local growth = {}
print(string.format("At initialization (%d blocks of width %d, %d probe rows): E[x^2] after block 1 and "
                    .. "block %d, growth per block (geometric mean; theory: residual 3, plain 1)",
                    nb, opts.width, math.min(opts.probe_rows, #train), nb))
for _, v in ipairs(variants) do
  local model, outs = build(v)
  local st = model:activation_stats(train, { rows = math.min(opts.probe_rows, #train) })
  local function q(i) local s = st[outs[i]]; return s.act_var + s.act_mean ^ 2 end
  -- the growth over the blocks whose E[x^2] a float still holds: 3^L overflows float past
  -- about 80 blocks (the mean square of 3.4e38 values), and the rest read inf or NaN
  local last = nb
  while last > 1 and not (q(last) > 0 and q(last) < math.huge) do last = last - 1 end
  local g = last > 1 and (q(last) / q(1)) ^ (1 / (last - 1)) or 1
  growth[v] = g
  local qn = q(nb) < math.huge and string.format("%12.4g", q(nb)) or string.format("%12s", "overflow")
  print(string.format("  %-10s %12.4g %s   x%.3f per block%s", v, q(1), qn, g,
                      last < nb and string.format(" (over blocks 1-%d: float overflows after block %d)",
                                                  last, last) or ""))
  if v == "rezero" then
    local x = winit.Input { shape = { train.n_features } }
    local h = L.Dense { opts.width, activation = "relu" }(x)
    local s = winit.Model { inputs = x, outputs = L.Dense { 10, activation = "softmax" }(h) }
    local w, sw = model:get_weights(), {}
    sw[1], sw[2], sw[3], sw[4] = w[1], w[2], w[#w - 1], w[#w]
    s:set_weights(sw)
    local rows = math.min(64, #train)
    local p, ps, diff = model:predict(train, 1, rows), s:predict(train, 1, rows), 0
    for i = 1, rows do
      for k = 1, 10 do diff = math.max(diff, math.abs(p[i][k] - ps[i][k])) end
    end
    growth.rezero_identity = diff
    print(string.format("  rezero: max |p(model) - p(stem and head alone)| over %d rows at initialization: %g",
                        rows, diff))
  end
  model = nil -- a 1,000-block model holds ~0.5 GB of weights: free it before the next
  collectgarbage()
end

local study = winit.Study { name = "residual", seed = opts.seed, design = "paired" }
for _, v in ipairs(variants) do
  for r = 0, opts.replicates - 1 do
    -- Theory's 3^L growth of the plain residual stack's signal overflows its logits: its
    -- divergence is expected (a finding, not a failure); if it trains, stderr says so.
    study:add { name = string.format("%s#%d", v, r + 1), label = v, replicate = r, model = (build(v)),
                train = train, test = test, epochs = opts.epochs, batch_size = opts.batch,
                diagnostics = opts.diagnostics == "on",
                expect = v == "residual" and "diverged" or "ok" }
  end
end
local t0 = os.time()
local results = study:run { save = opts.out, verbose = 0 }
local seconds = os.time() - t0
local html = results:report((opts.out:gsub("%.json$", "")) .. ".html")

-- Final training loss (the last epoch's mean) per run; a run that diverged counts as +inf.
local loss = {}
for _, v in ipairs(variants) do loss[v] = {} end
for _, r in ipairs(results:runs()) do
  local h = r.history and r.history.loss
  if r.status ~= "not run" then -- another shard's (winit run --shard)
    loss[r.label][#loss[r.label] + 1] = (r.status == "ok" and h and h[#h]) or math.huge
  end
end
-- The mean and the half-width of its 95% Student-t interval (nil below 2 values or for a
-- mean that is not finite); nil for no value.
local function interval(xs)
  if #xs == 0 then return nil end
  local s = winit.stats.summary(xs)
  return s.mean, s.half
end
local function fmt(m, hw)
  if m == nil then return "not run" end
  if m == math.huge then return "diverged" end
  return hw and string.format("%.4f +- %.4f", m, hw) or string.format("%.4f", m)
end
local steps = opts.epochs * math.ceil(#train / opts.batch)
print(string.format("Final training loss (last epoch's mean) after %d SGD steps (lr %g, batch %d), %d rows, "
                    .. "%d replicate(s): mean +- 95%% interval; paired difference to rezero", steps, opts.lr,
                    opts.batch, #train, opts.replicates))
local mean = {}
for _, v in ipairs(variants) do
  local m, hw = interval(loss[v])
  mean[v] = m
  local d = ""
  if loss.rezero and v ~= "rezero" and #loss[v] == #loss.rezero then
    local diffs = {}
    for i = 1, #loss[v] do diffs[i] = loss[v][i] - loss.rezero[i] end
    local dm, dhw = interval(diffs)
    d = (dm == nil or dm ~= dm) and "n/a" or fmt(dm, dhw)
  end
  print(string.format("  %-10s %-22s %s", v, fmt(m, hw), d))
end
local order = {}
for _, v in ipairs(variants) do
  if mean[v] then order[#order + 1] = v end
end
table.sort(order, function(a, b) return mean[a] < mean[b] end)
local ranked = {}
for _, v in ipairs(order) do ranked[#ranked + 1] = string.format("%s %s", v, fmt(mean[v])) end
-- The notebook's ordering is three comparisons: rezero < residual < plain and layernorm.
local verdict = "not decided (it needs plain, residual, layernorm and rezero)"
if mean.plain and mean.residual and mean.layernorm and mean.rezero then
  local worst = math.max(mean.plain, mean.layernorm)
  local parts = {
    { mean.rezero < math.min(mean.plain, mean.layernorm), "rezero < plain, layernorm" },
    { mean.rezero < mean.residual, "rezero < residual" },
    { mean.residual < worst, "residual < plain, layernorm" },
  }
  local yes, no = {}, {}
  for _, p in ipairs(parts) do
    local into = p[1] and yes or no
    into[#into + 1] = p[2]
  end
  verdict = #no == 0 and "holds (rezero < residual < plain, layernorm)"
            or string.format("does not hold (notebook: rezero 0.52 < residual 1.87 < plain 2.02 = layernorm "
                             .. "2.02): as there %s; not %s", #yes > 0 and table.concat(yes, "; ") or "nothing",
                             table.concat(no, "; "))
end
local bad = {}
for _, v in ipairs(variants) do
  for i, x in ipairs(loss[v]) do
    if not (x < math.log(10) * 1.5) then bad[#bad + 1] = string.format("%s#%d", v, i) end
  end
end
print(string.format("finding: %d blocks of width %d, final training loss low to high: %s; on Fashion-MNIST the "
                    .. "ReZero notebook's ordering %s; runs above 1.5 ln 10 or diverged: %s. (%d s)", nb, opts.width,
                    table.concat(ranked, " < "), verdict, #bad > 0 and table.concat(bad, ", ") or "none", seconds))
print("results: " .. opts.out .. ", report: " .. html)
