-- width.lua -- does muP transfer my learning rate?  The coordinate check and learning-rate
-- transfer of Tensor Programs V (Yang et al. 2022) on Fashion-MNIST, standard
-- parametrization (SP, Keras's and PyTorch's) against muP (model:compile's
-- parametrization = "mup", the base model at the smallest width).
--
-- 1. Coordinate check (winit.coord_check, mup's coord_check): MLP 784-w-w-10 (ReLU, Keras's
--    default glorot_uniform kernels, zero biases), Adam lr --cc-lr, --cc-steps steps of
--    batch --batch on consecutive training batches, --cc-seeds seeds per width; each
--    layer's mean |x| on the first batch at steps 0..K: the hidden layers' activations and
--    the output's logits.  muP's promise: after training they stay O(1) as the width grows;
--    under SP the logits grow with it.
-- 2. Learning-rate transfer (a study:grid of parametrization x width x log2(lr), --seeds
--    replicates, paired design): the same MLP (2 hidden layers) trained with Adam for
--    --epochs epochs of batch --batch; per width the learning rate of the lowest final
--    training loss, with a 95% interval from the replicates (each replicate's best), and the
--    shift of the best log2(lr) from the smallest to the largest width under SP and muP.
--
--   winit run scripts/theory/width.lua [--fast] [--cc-widths 128,256,512,1024,2048,4096]
--       [--cc-seeds 5] [--cc-steps 3] [--cc-lr 0.01] [--widths 64,128,256,512,1024,2048]
--       [--lr-min -14] [--lr-max -4] [--lr-step 1] [--epochs 1] [--seeds 3] [--rows 0]
--       [--batch 64] [--seed 1] [--out results/theory/width.json]
--
-- --fast (what make check runs, ~2 s): the coordinate check at widths 128 and 1024 (5
-- seeds); transfer at widths 64 and 256, log2(lr) -10, -7, -4, 1 replicate, 1 epoch of the
-- first 1,024 training rows.
--
-- Cost of the full mode (2 cores): the coordinate check takes ~16 s (widths to 4096:
-- 20M parameters, 3 steps of 64 rows, 5 seeds).  The transfer grid is 2 x 6 widths x 11
-- rates x 3 seeds = 396 runs of one epoch of 60,000 images; at ~6 FLOP per parameter and
-- example that is ~3.2 TFLOP per (parametrization, rate, seed), 208 TFLOP in all (width
-- 2048 two thirds of it): about 20-25 minutes per epoch at the 75-85 GFLOP/s per core
-- smaller runs measured here (docs/theory.md); --epochs 3 triples it.
-- The study's runs are independent (each draws from its own run seed), so spread them:
--
--   mpirun -np 8 winit run -j 2 scripts/theory/width.lua        # an MPI build: rank 0 saves
--   # or shards, any machines, then merge and let --resume read every run back:
--   winit run --shard 0/4 scripts/theory/width.lua --out w0.json   # ... 1/4, 2/4, 3/4
--   winit merge results/theory/width.json w0.json w1.json w2.json w3.json
--   winit run --resume scripts/theory/width.lua                  # computes no run again
--
-- (docs/cluster.md).  Every rank and shard also runs the coordinate check (the same
-- numbers everywhere; it is not a study's runs) and saves it with its runs: winit merge
-- keeps it once.  A shard prints how many runs it ran and leaves the analysis to the
-- resumed run.  Prints the coordinate check's table, the transfer table and one finding
-- line each; writes the study's results to --out, the coordinate check in them (its
-- "coord_checks", study:add_coord_check: the means over the seeds per layer, step and
-- width; `winit report` draws them), and the page (.html: the coordinate check and the
-- loss against log2(lr), one curve per width, SP and muP).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  fast = { false, "the small version make check runs" },
  cc_widths = { { 128, 256, 512, 1024, 2048, 4096 }, "coordinate check: widths, comma-separated" },
  cc_seeds = { 5, "coordinate check: seeds per width" },
  cc_steps = { 3, "coordinate check: Adam steps" },
  cc_lr = { 0.01, "coordinate check: Adam's learning rate" },
  widths = { { 64, 128, 256, 512, 1024, 2048 }, "transfer: widths, comma-separated (the first is muP's base)" },
  lr_min = { -14, "transfer: smallest log2(learning rate)" },
  lr_max = { -4, "transfer: largest log2(learning rate)" },
  lr_step = { 1, "transfer: step of log2(learning rate)" },
  epochs = { 1, "transfer: epochs" },
  seeds = { 3, "transfer: replicates per cell" },
  rows = { 0, "transfer: training rows (0: all 60,000)" },
  batch = { 64, "batch size" },
  seed = { 1, "the study's seed" },
  out = "results/theory/width.json",
}, "muP against the standard parametrization: the coordinate check and learning-rate transfer.")

if opts.fast then
  opts.cc_widths, opts.widths = { 128, 1024 }, { 64, 256 }
  opts.lr_min, opts.lr_max, opts.lr_step, opts.seeds, opts.rows = -10, -4, 3, 1, 1024
end
local cc_widths, widths = opts.cc_widths, opts.widths
assert(#cc_widths >= 2 and #widths >= 2, "--cc-widths and --widths need at least two widths")
assert(opts.lr_step > 0 and opts.lr_max >= opts.lr_min, "bad --lr-* range")
local rates = {}
for k = 0, math.floor((opts.lr_max - opts.lr_min) / opts.lr_step + 1e-9) do
  rates[#rates + 1] = opts.lr_min + k * opts.lr_step
end

local L = winit.layers
local train = winit.datasets.fashion_mnist.load_data()
local function mlp(w)
  return winit.Sequential { L.Dense { w, activation = "relu", input_shape = { 784 } },
                            L.Dense { w, activation = "relu" },
                            L.Dense { 10, activation = "softmax" } }
end
local function compiled(param, w, base_w, lr)
  local m = mlp(w)
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = lr },
              loss = "categorical_crossentropy", parametrization = param,
              base = param == "mup" and mlp(base_w) or nil }
  return m
end
local PARAMS = { "standard", "mup" }
local t0 = os.time()
local study = winit.Study { name = "width", seed = opts.seed }
local CC_NAME = string.format("MLP 784-w-w-10 (relu), Adam lr %g", opts.cc_lr)

-- 1. The coordinate check.
local seeds = {}
for s = 1, opts.cc_seeds do seeds[s] = (opts.seed - 1) * opts.cc_seeds + s end
local cc, cc_lines, cc_ratio = {}, {}, {}
local function say(line) cc_lines[#cc_lines + 1] = line; print(line) end
say(string.format("Coordinate check: MLP 784-w-w-10 (relu), Adam lr %g, %d steps of batch %d, %d seeds; "
                  .. "mean |x| on the first batch (hidden: activations; output: logits)",
                  opts.cc_lr, opts.cc_steps, opts.batch, opts.cc_seeds))
local head = { string.format("  %-9s %-8s %4s", "param", "layer", "step") }
for _, w in ipairs(cc_widths) do head[#head + 1] = string.format("%9d", w) end
head[#head + 1] = string.format("  %s", "last/first")
say(table.concat(head, " "))
for _, p in ipairs(PARAMS) do
  local r = winit.coord_check {
    build = function(w) return compiled(p, w, cc_widths[1], opts.cc_lr) end,
    widths = cc_widths, seeds = seeds, steps = opts.cc_steps, data = train, batch_size = opts.batch,
  }
  cc[p] = r
  study:add_coord_check(r, { name = CC_NAME, parametrization = p })
  cc_ratio[p] = {}
  for l = 1, #r.layers do
    local stat = l == r.output and "pre" or "act"
    local name = l == r.output and "logits" or r.layers[l]
    for t = 0, r.steps do
      local m = r.mean[l][stat][t + 1]
      local cells = { string.format("  %-9s %-8s %4d", p, name, t) }
      for wi = 1, #m do cells[#cells + 1] = string.format("%9.4f", m[wi]) end
      cells[#cells + 1] = string.format("  %.3fx", m[#m] / m[1])
      say(table.concat(cells, " "))
    end
    local m = r.mean[l][stat][r.steps + 1]
    cc_ratio[p][#cc_ratio[p] + 1] = { name = name, ratio = m[#m] / m[1] }
  end
end
local function ratios(p)
  local t = {}
  for _, x in ipairs(cc_ratio[p]) do t[#t + 1] = string.format("%s %.3fx", x.name, x.ratio) end
  return table.concat(t, ", ")
end
local worst = 0
for _, x in ipairs(cc_ratio.mup) do worst = math.max(worst, math.abs(x.ratio - 1)) end
local cc_finding = string.format(
  "coordinate check: mean |x| after %d steps, width %d to %d: standard: %s; mup: %s "
    .. "(mup's largest change %.0f%%)", opts.cc_steps, cc_widths[1], cc_widths[#cc_widths],
  ratios("standard"), ratios("mup"), 100 * worst)
print("finding: " .. cc_finding .. ".")

-- 2. Learning-rate transfer.
local data = train
if opts.rows > 0 and opts.rows < #train then
  local x, y = {}, {}
  for i = 1, opts.rows do x[i], y[i] = train:features(i), train:label(i) end
  data = winit.datasets.from_arrays(x, y, { n_classes = 10 })
end
study:grid {
  factors = { param = PARAMS, width = widths, log2_lr = rates },
  order = { "param", "width", "log2_lr" },
  replicates = opts.seeds,
  build = function(cfg) return compiled(cfg.param, cfg.width, widths[1], 2.0 ^ cfg.log2_lr) end,
  train = data, epochs = opts.epochs, batch_size = opts.batch,
}
local results = study:run { save = opts.out, verbose = 0 }
local runs = results:runs()
if not results:complete() then return end -- a shard: the analysis waits for the merged run

-- loss[p][w][lr][rep]: the last epoch's training loss (a failed or diverged run: +inf).
local loss = {}
for _, r in ipairs(runs) do
  local f = r.factors
  local p, w, lr = f.param, tonumber(f.width), tonumber(f.log2_lr)
  loss[p] = loss[p] or {}
  loss[p][w] = loss[p][w] or {}
  loss[p][w][lr] = loss[p][w][lr] or {}
  local h = r.status == "ok" and r.history and r.history.loss
  local v = h and h[#h] or math.huge
  if v ~= v then v = math.huge end
  loss[p][w][lr][r.replicate + 1] = v
end
-- The mean and the half-width of its 95% Student-t interval (nil below 2 values).
local function summary(v)
  local s = winit.stats.summary(v)
  return s.mean, s.half
end
local function interval(mean, half)
  return half and string.format("%+.2f [%+.2f, %+.2f]", mean, mean - half, mean + half)
    or string.format("%+.2f (1 replicate: no interval)", mean)
end
local best, lr_lines = {}, {}
local function say2(line) lr_lines[#lr_lines + 1] = line; print(line) end
say2(string.format("Learning-rate transfer: Adam, %d epoch(s) of %d rows, batch %d, %d replicate(s); "
                   .. "final training loss (mean over replicates) per log2(lr)", opts.epochs, #data,
                   opts.batch, opts.seeds))
local h2 = { string.format("  %-9s %6s", "param", "width") }
for _, lr in ipairs(rates) do h2[#h2 + 1] = string.format("%8g", lr) end
h2[#h2 + 1] = "  best log2(lr) (95% CI over replicates)"
say2(table.concat(h2, " "))
for _, p in ipairs(PARAMS) do
  best[p] = {}
  for _, w in ipairs(widths) do
    local cells = { string.format("  %-9s %6d", p, w) }
    for _, lr in ipairs(rates) do
      local m = summary(loss[p][w][lr])
      cells[#cells + 1] = string.format("%8.4f", m)
    end
    -- each replicate's best rate
    local b = {}
    for rep = 1, opts.seeds do
      local arg_lr, arg_v = nil, math.huge
      for _, lr in ipairs(rates) do
        local v = loss[p][w][lr][rep]
        if v and v < arg_v then arg_lr, arg_v = lr, v end
      end
      b[rep] = arg_lr or 0 / 0
    end
    best[p][w] = b
    local m, half = summary(b)
    cells[#cells + 1] = "  " .. interval(m, half)
    say2(table.concat(cells, " "))
  end
end
local shifts = {}
for _, p in ipairs(PARAMS) do
  local d = {}
  for rep = 1, opts.seeds do d[rep] = best[p][widths[#widths]][rep] - best[p][widths[1]][rep] end
  local m, half = summary(d)
  local lo, hi = summary(best[p][widths[1]]), summary(best[p][widths[#widths]])
  shifts[#shifts + 1] = string.format("%s: best log2(lr) %.2f at width %d, %.2f at %d, shift %s", p,
                                      lo, widths[1], hi, widths[#widths], interval(m, half))
end
local lr_finding = string.format("learning-rate transfer (grid step %g in log2(lr)): %s",
                                 opts.lr_step, table.concat(shifts, "; "))
print("finding: " .. lr_finding .. ".")

-- The page: the coordinate check log-log against width, one line per step; the loss against
-- log2(lr), one curve per width.
local parts = {
  title = "Width: standard parametrization against muP",
  "How a layer's typical value (mean |x|) changes with width after a few Adam steps, and whether "
    .. "the best learning rate found at a small width stays the best at a large one. muP is "
    .. "model:compile's parametrization = \"mup\" with the base model at the smallest width; "
    .. "standard is Keras's (glorot_uniform kernels, zero biases).",
  cc_finding .. ".",
  { heading = "Coordinate check" },
}
for l = 1, #cc.standard.layers do
  for _, p in ipairs(PARAMS) do
    local r = cc[p]
    local stat = l == r.output and "pre" or "act"
    local name = l == r.output and "logits (" .. r.layers[l] .. ")" or r.layers[l] .. " activations"
    local series = {}
    for t = 0, r.steps do
      series[#series + 1] = { label = "step " .. t, x = r.widths, y = r.mean[l][stat][t + 1] }
    end
    parts[#parts + 1] = { svg = winit.plot.xy {
      title = p .. ": " .. name, xlabel = "width", ylabel = "mean |x|", xlog = true, ylog = true,
      series = series } }
  end
end
parts[#parts + 1] = { pre = table.concat(cc_lines, "\n") }
parts[#parts + 1] = { heading = "Learning-rate transfer" }
parts[#parts + 1] = lr_finding .. "."
for _, p in ipairs(PARAMS) do
  local series = {}
  for _, w in ipairs(widths) do
    local y = {}
    for i, lr in ipairs(rates) do
      local m = summary(loss[p][w][lr])
      y[i] = m < math.huge and m or 0 / 0
    end
    series[#series + 1] = { label = "width " .. w, x = rates, y = y }
  end
  parts[#parts + 1] = { svg = winit.plot.xy {
    title = p .. ": training loss after " .. opts.epochs .. " epoch(s)", xlabel = "log2(learning rate)",
    ylabel = "training loss", ylog = true, series = series } }
end
-- Each width's best log2(lr) (the mean of the replicates' best) with its 95% interval.
local bseries = {}
for _, p in ipairs(PARAMS) do
  local m, lo, hi, any = {}, {}, {}, false
  for i, w in ipairs(widths) do
    local mean, half = summary(best[p][w])
    m[i], lo[i], hi[i] = mean, half and mean - half or 0 / 0, half and mean + half or 0 / 0
    any = any or (half ~= nil and half > 0)
  end
  bseries[#bseries + 1] = { label = p .. ": best", x = widths, y = m }
  if any then -- bounds that differ from the mean somewhere (replicates that disagree)
    bseries[#bseries + 1] = { label = p .. ": 95% low", x = widths, y = lo }
    bseries[#bseries + 1] = { label = p .. ": 95% high", x = widths, y = hi }
  end
end
parts[#parts + 1] = { svg = winit.plot.xy {
  title = "best log2(lr) per width (mean of the replicates' best)", xlabel = "width",
  ylabel = "log2(learning rate)", xlog = true, series = bseries } }
parts[#parts + 1] = { pre = table.concat(lr_lines, "\n") }
local page = winit.plot.page((opts.out:gsub("%.json$", "")) .. ".html", parts)
print(string.format("(%d s) results: %s (the coordinate check in its \"coord_checks\": winit report "
                    .. "draws it), page: %s", os.time() - t0, opts.out, page))
