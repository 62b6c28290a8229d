-- trainability.lua -- how deep can a tanh network train?  The phase diagram of Schoenholz
-- et al. 2017 ("Deep information propagation") on Fashion-MNIST: a grid of sigma_w^2 by
-- depth L, each cell a tanh MLP trained with plain SGD for a fixed number of steps, its
-- training accuracy drawn as a heat map with theory's bound L = 6 xi_c(sigma_w^2) over it.
--
-- Every cell: 784 pixels -> L x Dense(--width, tanh) -> Dense(10, softmax); every kernel
-- Gaussian with variance sigma_w^2 / fan_in (variance_scaling { scale = sigma_w^2, mode =
-- "fan_in", distribution = "untruncated_normal" }: untruncated, as the paper's), every bias
-- Gaussian with variance sigma_b^2 = --sb2 (random_normal { stddev = sqrt(sigma_b^2) }).
-- SGD without momentum, learning rate --lr / L (--lr-depth on; off: --lr for every depth):
-- at the edge of chaos a deep network's gradient grows with its depth, and one rate for 10
-- and 300 layers either stalls the shallow ones or blows up the deep ones in a short budget
-- (measured here: 0.01 trains L = 60 at sigma_w^2 = 1.75 and not L = 100; 0.003 L = 100
-- and not 200).  Schoenholz et al. use one rate, 1e-3, and train far longer.  With several
-- rates (--lr 0.1,0.3) every cell trains at each (a third grid factor) and counts its best
-- run: near the edge of chaos the deepest cells train at 0.1 / L and not at 0.3 / L within
-- the budget (docs/theory.md).
-- --epochs epochs of batch --batch over --rows training rows (the same data order for
-- every cell: a paired study, replicate r of every cell shares its run seed), then the
-- accuracy on the first --eval-rows training rows: training accuracy.
--
-- Theory (winit.theory.correlation_fixed_point, sigma_b^2 = --sb2): xi_c = -1 / ln chi_c,
-- the depth over which the correlation between two inputs settles: at its fixed point c* = 1
-- in the ordered phase (every input ends alike), c* < 1 in the chaotic one (inputs end
-- decorrelated whatever they were); xi_c diverges at the edge of chaos, sigma_w^2 = 1.76 for
-- tanh with sigma_b^2 = 0.05.  Schoenholz et al.: networks train only to about 6 xi_c layers.
--
-- The finding: of the cells more than 20% away from the line (L < 0.8 * 6 xi_c or
-- L > 1.2 * 6 xi_c), the fraction that train (accuracy >= --train-at) below the line and
-- the fraction that stall (accuracy < --stall-below) above it; a cell between the two
-- thresholds counts for neither (issue 22 asks >= 90% of each in the full run).
--
--   winit run scripts/theory/trainability.lua [--fast] [--sw2 1,1.25,1.5,1.75,2,2.5,3,3.5,4]
--       [--depths 10,20,30,40,50,60,80,100,150,200,300] [--width 64] [--epochs 3]
--       [--rows 0] [--eval-rows 5000] [--batch 64] [--lr 0.3[,0.1,...]] [--lr-depth on] [--sb2 0.05]
--       [--replicates 1] [--train-at 0.5] [--stall-below 0.2] [--seed 1]
--       [--out results/theory/trainability.json]
--
-- --fast (what make check runs, ~1 s of CPU): sigma_w^2 1, 2.5, 4; depths 3, 12, 60;
-- width 32; one epoch of the first 2,048 rows (64 steps of 32), accuracy on 1,024 rows.
--
-- Cost (measured here, width 64, batch 64, one core): ~16 us of CPU per hidden layer and
-- SGD step, so a cell costs about 16e-6 * L * steps seconds (a 300-layer cell of 3 epochs,
-- 2,814 steps: ~14 s).  The default grid (9 sigma_w^2 x 11 depths, 1,040 layers per
-- sigma_w^2, 99 runs) at 3 epochs of 60,000 rows is 9 * 1040 * 2814 * 16e-6 = ~420 s of one
-- core; the issue's grid (--sw2 1,1.25,...,4 and --depths 10,20,...,300: 13 x 30 = 390 runs,
-- 4,650 layers per sigma_w^2) ~2,700 s, 45 minutes (measured: 66 minutes on a core shared
-- with other work; docs/theory.md has its figures); --width 128 costs ~3.5x per layer.
-- Evaluation adds little (a forward pass over --eval-rows); so do the theory (~20 ms a
-- point of the curve) and loading the data.  The runs are independent (a run's numbers
-- depend on the study's seed and its replicate alone, not on where or when it runs), so
-- spread them:
--
--   mpirun -np 8 winit run scripts/theory/trainability.lua        # an MPI build: rank 0 saves
--   # or shards, any machines, then merge and let --resume read every run back:
--   winit run --shard 0/4 scripts/theory/trainability.lua --out t0.json   # ... 1/4, 2/4, 3/4
--   winit merge results/theory/trainability.json t0.json t1.json t2.json t3.json
--   winit run --resume scripts/theory/trainability.lua           # computes no run again
--
-- (docs/cluster.md).  A shard prints how many runs it ran and leaves the analysis to the
-- resumed run.  Prints the accuracy table (rows: depth, columns: sigma_w^2; * marks a cell
-- beyond 1.2 * 6 xi_c, . one below 0.8 * 6 xi_c), xi_c per sigma_w^2 and the finding; writes
-- the study's results to --out and a page with the heat map (.html beside it).
local winit = require "winit"
local L = winit.layers

local opts = winit.parse_args(arg, {
  fast = { false, "the small version make check runs" },
  sw2 = { { 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4 }, "sigma_w^2 values, comma-separated" },
  depths = { { 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300 }, "depths (hidden layers), comma-separated" },
  width = { 64, "units per hidden layer" },
  epochs = { 3, "epochs (the budget of steps)" },
  rows = { 0, "training rows (0: all 60,000)" },
  eval_rows = { 5000, "training rows the accuracy is measured on (the first ones)" },
  batch = { 64, "batch size" },
  lr = { { 0.3 }, "SGD learning rate(s) (over the depth with --lr-depth on); with several, each "
                  .. "cell trains at each and counts its best" },
  lr_depth = { "on", "on: each network's rate is --lr / L; off: --lr for every depth" },
  sb2 = { 0.05, "sigma_b^2, the bias variance" },
  replicates = { 1, "paired replicates per cell (the accuracy is their mean)" },
  train_at = { 0.5, "a cell trains when its accuracy is at least this" },
  stall_below = { 0.2, "a cell stalls when its accuracy is below this (chance: 0.1)" },
  seed = { 1, "the study's seed" },
  out = "results/theory/trainability.json",
}, "Schoenholz et al.'s phase diagram: tanh MLPs over sigma_w^2 and depth against L = 6 xi_c.")

local function increasing(t, what)
  for i = 2, #t do assert(t[i] > t[i - 1], what .. ": values must increase") end
  return t
end
if opts.fast then
  opts.sw2, opts.depths, opts.width = { 1, 2.5, 4 }, { 3, 12, 60 }, 32
  opts.epochs, opts.rows, opts.eval_rows, opts.batch = 1, 2048, 1024, 32
end
local sw2s, depths = increasing(opts.sw2, "--sw2"), increasing(opts.depths, "--depths")
for _, d in ipairs(depths) do
  assert(math.tointeger(d) and d >= 1, "--depths: each depth must be an integer >= 1")
end
for _, s in ipairs(sw2s) do assert(s > 0, "--sw2: each value must be > 0") end
assert(math.tointeger(opts.width) and opts.width >= 1, "--width must be an integer >= 1")
assert(math.tointeger(opts.replicates) and opts.replicates >= 1, "--replicates must be an integer >= 1")
local lrs = opts.lr
for _, lr in ipairs(lrs) do assert(lr > 0, "--lr: each rate must be > 0") end
assert(opts.lr_depth == "on" or opts.lr_depth == "off", "--lr-depth must be on or off")
assert(opts.sb2 >= 0, "--sb2 must be >= 0")
assert(opts.stall_below <= opts.train_at, "--stall-below must not exceed --train-at")

-- Theory: 6 xi_c per sigma_w^2 of the grid, and finely for the line.
local th, sb = winit.theory, math.sqrt(opts.sb2)
local function six_xi_c(s2) return 6 * th.correlation_fixed_point("tanh", math.sqrt(s2), sb).xi_c end
local bound = {}
for i, s2 in ipairs(sw2s) do bound[i] = six_xi_c(s2) end
local crit = th.critical_sigma_w("tanh", sb, math.sqrt(sw2s[1]) * 0.5, math.sqrt(sw2s[#sw2s]) * 2)

-- The data: the first --rows training rows (all of them with 0), the accuracy on the first
-- --eval-rows of those.
local train = winit.datasets.fashion_mnist.load_data()
local function head(ds, n)
  if n == 0 or n >= #ds then return ds end
  local f, l = {}, {}
  for i = 1, n do f[i], l[i] = ds:features(i), ds:label(i) end
  return winit.datasets.from_arrays(f, l, { n_classes = 10 })
end
train = head(train, opts.rows)
local eval = head(train, opts.eval_rows)

local function build(cfg)
  local s2, depth = cfg.sw2, math.tointeger(cfg.depth)
  local kernel = { "variance_scaling", scale = s2, mode = "fan_in", distribution = "untruncated_normal" }
  local bias = opts.sb2 > 0 and { "random_normal", stddev = sb } or "zeros"
  local layers = {}
  for k = 1, depth do
    layers[k] = L.Dense { opts.width, activation = "tanh", input_shape = k == 1 and { train.n_features } or nil,
                          kernel_initializer = kernel, bias_initializer = bias }
  end
  layers[depth + 1] = L.Dense { 10, activation = "softmax", kernel_initializer = kernel, bias_initializer = bias }
  local m = winit.Sequential(layers)
  local c = cfg.lr or lrs[1]
  local lr = opts.lr_depth == "on" and c / depth or c
  m:compile { optimizer = winit.optimizers.SGD { learning_rate = lr }, loss = "categorical_crossentropy" }
  return m
end

local study = winit.Study { name = "trainability", seed = opts.seed, design = "paired" }
-- One rate: the grid of sigma_w^2 x depth (run names as before rates were a list); several:
-- a third factor, the rate, and each cell's accuracy is its best rate's.
study:grid {
  factors = { sw2 = sw2s, depth = depths, lr = #lrs > 1 and lrs or nil },
  order = #lrs > 1 and { "sw2", "depth", "lr" } or { "sw2", "depth" },
  replicates = opts.replicates,
  build = build,
  train = train, test = eval, epochs = opts.epochs, batch_size = opts.batch,
  diagnostics = false, -- per-layer snapshots of 300-layer runs: ~3x the time, megabytes a run
}
local t0 = os.time()
local results = study:run { save = opts.out, verbose = 0 }
local runs = results:runs()
if not results:complete() then return end -- a shard: the analysis waits for the merged run

-- acc[j][i]: the training accuracy of depth j, sigma_w^2 i: per replicate the best over
-- the rates, then the mean over replicates (a run that failed or diverged counts as
-- chance, 0.1: it did not train).
local index_sw2, index_depth, index_lr = {}, {}, {}
for i, s in ipairs(sw2s) do index_sw2[s] = i end
for j, d in ipairs(depths) do index_depth[d] = j end
for k, lr in ipairs(lrs) do index_lr[lr] = k end
local best = {} -- best[j][i][replicate + 1]
for j = 1, #depths do
  best[j] = {}
  for i = 1, #sw2s do best[j][i] = {} end
end
local failed = 0
for _, r in ipairs(runs) do
  local i, j = index_sw2[tonumber(r.factors.sw2)], index_depth[tonumber(r.factors.depth)]
  local k = #lrs == 1 and not r.factors.lr and 1 or index_lr[tonumber(r.factors.lr)]
  if i and j and k then -- (a results file may keep runs of an earlier grid: --resume without --prune)
    local a = r.status == "ok" and r.test_accuracy or nil
    if not a then failed = failed + 1; a = 0.1 end
    local b = best[j][i]
    b[r.replicate + 1] = math.max(b[r.replicate + 1] or a, a)
  end
end
local acc = {}
for j = 1, #depths do
  acc[j] = {}
  for i = 1, #sw2s do acc[j][i] = winit.stats.summary(best[j][i]).mean end
end

-- The table, the line, the finding.
local steps = opts.epochs * math.ceil(#train / opts.batch)
local function rates_text()
  local t = {}
  for k, lr in ipairs(lrs) do t[k] = string.format(opts.lr_depth == "on" and "%g / L" or "%g", lr) end
  return (#lrs > 1 and "the best of " or "") .. table.concat(t, ", ")
end
local lines = {}
local function say(s) lines[#lines + 1] = s; print(s) end
say(string.format("Training accuracy (first %d training rows) of tanh MLPs of width %d after %d SGD steps "
                  .. "(batch %d, lr %s), sigma_b^2 = %g, %d replicate(s); * beyond 1.2 x 6 xi_c, . below "
                  .. "0.8 x 6 xi_c", #eval, opts.width, steps, opts.batch,
                  rates_text(),
                  opts.sb2, opts.replicates))
local head_line = { string.format("  %7s", "L \\ sw2") }
for _, s in ipairs(sw2s) do head_line[#head_line + 1] = string.format("%7g", s) end
say(table.concat(head_line, " "))
local below, below_ok, above, above_ok = 0, 0, 0, 0
for j = #depths, 1, -1 do
  local cells = { string.format("  %7d", depths[j]) }
  for i = 1, #sw2s do
    local a, mark = acc[j][i], " "
    if depths[j] < 0.8 * bound[i] then
      mark, below = ".", below + 1
      if a >= opts.train_at then below_ok = below_ok + 1 end
    elseif depths[j] > 1.2 * bound[i] then
      mark, above = "*", above + 1
      if a < opts.stall_below then above_ok = above_ok + 1 end
    end
    cells[#cells + 1] = string.format("%6.3f%s", a, mark)
  end
  say(table.concat(cells, " "))
end
local xi_line = { string.format("  %7s", "6 xi_c") }
for i = 1, #sw2s do xi_line[#xi_line + 1] = string.format("%7.1f", bound[i]) end
say(table.concat(xi_line, " "))
local function frac(k, m) return m > 0 and string.format("%d of %d (%.0f%%)", k, m, 100 * k / m) or "none" end
local finding = string.format(
  "away from L = 6 xi_c (edge of chaos at sigma_w^2 = %.3f), %s cells with L < 0.8 x 6 xi_c train "
    .. "(accuracy >= %g) and %s with L > 1.2 x 6 xi_c stall (accuracy < %g), after %d SGD steps at width %d",
  crit and crit ^ 2 or 0 / 0, frac(below_ok, below), opts.train_at, frac(above_ok, above), opts.stall_below,
  steps, opts.width)
print("finding: " .. finding .. (failed > 0 and string.format(" (%d runs failed or diverged)", failed) or "")
      .. ".")

-- The page: the heat map with 6 xi_c and its +-20% band drawn over it.
local lx, ly, lo, hi = {}, {}, {}, {}
local s2lo, s2hi = sw2s[1], sw2s[#sw2s]
local K = opts.fast and 30 or 90 -- each point a two-dimensional quadrature (~20 ms)
for k = 0, K do
  local s2 = s2lo + (s2hi - s2lo) * k / K
  local b = six_xi_c(s2)
  lx[#lx + 1], ly[#ly + 1], lo[#lo + 1], hi[#hi + 1] = s2, b, 0.8 * b, 1.2 * b
end
local heat = winit.plot.heatmap {
  title = string.format("Training accuracy after %d SGD steps, tanh, width %d", steps, opts.width),
  xlabel = "sigma_w^2", ylabel = "depth L (hidden layers, log scale)", zlabel = "training accuracy", ylog = true,
  x = sw2s, y = depths, z = acc, colors = "sequential", zmin = 0.1, zmax = 1, values = 2,
  lines = { { x = lx, y = ly, label = "L = 6 xi_c" },
            { x = lx, y = lo, label = "0.8 x 6 xi_c", dash = true },
            { x = lx, y = hi, label = "1.2 x 6 xi_c", dash = true } },
}
local page = winit.plot.page((opts.out:gsub("%.json$", "")) .. ".html", {
  title = "How deep can a tanh network train? (Schoenholz et al. 2017)",
  string.format("Each cell: a tanh MLP 784 -> L x %d -> 10 on Fashion-MNIST, kernels N(0, sigma_w^2 / fan_in), "
    .. "biases N(0, %g), trained with SGD for %d steps of batch %d; its colour is the accuracy on the first %d "
    .. "training rows (hover a cell for its value). The black line is theory's bound L = 6 xi_c, xi_c the depth "
    .. "over which two inputs' correlation settles (winit.theory.correlation_fixed_point); it diverges at the "
    .. "edge of chaos. The dashed lines are 0.8 and 1.2 times it: the cells between them are not counted.",
    opts.width, opts.sb2, steps, opts.batch, #eval),
  finding .. ".",
  { svg = heat },
  { pre = table.concat(lines, "\n") },
})
print(string.format("(%d s) results: %s, page: %s", os.time() - t0, opts.out, page))
