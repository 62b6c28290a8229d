-- isometry.lua -- does orthogonal initialization give dynamical isometry?  Pennington,
-- Schoenholz & Ganguli (2017, "Resurrecting the sigmoid in deep learning through dynamical
-- isometry"): deep tanh MLPs at the edge of chaos with orthogonal or Gaussian weights, and
-- ReLU (Gaussian He and orthogonal) for contrast.
--
-- (a) The input-output Jacobian J = D_L W_L ... D_1 W_1 at initialization (model:
--     jacobian_spectrum: exact singular values from backward passes, Jacobi in double) of
--     stacks of --width units, at each depth of --depths (prefixes of one --max depth
--     network: the Jacobian of layer l's output with respect to the input), on --examples
--     generated inputs per network, --networks networks per configuration.  The inputs are
--     N(0, s^2) with s^2 = (q* - sigma_b^2) / sigma_w^2, so that every layer's
--     pre-activations sit at the fixed point q* from the first (ReLU: s = 1).
--       tanh orthogonal   Keras's orthogonal, gain sigma_w (the critical sigma_w for
--                         --sb2 = sigma_b^2: chi_1 = 1), biases N(0, sigma_b^2)
--       tanh gaussian     N(0, sigma_w^2 / fan_in) kernels, the same sigma_w and biases
--       relu he           N(0, 2 / fan_in) kernels (He's variance, untruncated), zero biases
--       relu orthogonal   orthogonal, gain sqrt(2), zero biases
--     Theory (free probability; Pennington et al. 2017, 2018): the squared singular values
--     lambda = s^2 have mean chi_1^L, chi_1 = sigma_w^2 E[phi'(h)^2] at q* (winit.theory:
--     1 at criticality, for ReLU with sigma_w^2 = 2 too), and a normalized variance
--     Var(lambda) / mean^2 that adds up over layers:
--       L * (v_W + v_D),  v_D = E[phi'(h)^4] / E[phi'(h)^2]^2 - 1 at q*,
--       v_W = 1 for Gaussian weights (Marchenko-Pastur), 0 for orthogonal ones.
--     So a Gaussian network's spread grows linearly with depth whatever its activation
--     (a linear one: exactly L), an orthogonal tanh network's by L * v_D, which goes to 0
--     with q* (as sigma_b^2 -> 0: tanh is linear near 0), and an orthogonal ReLU one's by
--     L (v_D = 1: half the units are off).  Finite width adds corrections of order L / N
--     (the Gaussian spectrum's tail is heavy: its sample variance falls short of L at
--     L ~ N).  Printed: mean_sq, the variance of lambda, its normalized variance and the
--     largest s, each beside the prediction; a histogram of log10 s per depth.  Each
--     configuration's spectrum goes into the study's results file (study:add_spectrum: its
--     "spectra", docs/results-format.md) and the report draws it.
-- (b) Steps to a target: --train-depth tanh layers of --train-width at the same critical
--     point (Flatten -> Dense(w, tanh) x depth -> Dense(10, softmax)), orthogonal vs
--     Gaussian kernels, on Fashion-MNIST (--rows training rows, of which 20% validation:
--     the last rows, as Keras), plain SGD (no momentum) at each learning rate of --lrs
--     (the two need different rates: a fair comparison takes each at its best), batch
--     --batch, for --epochs epochs, --replicates paired replicates.  The study's target (--target, a
--     validation accuracy) gives each run's steps_to_target: the first diagnostics
--     snapshot (steps 1, 2, 4, ..., 512 on 512 validation rows, and every epoch's end on
--     all of them) whose validation accuracy reaches it.  Pennington et al.: orthogonal
--     weights learn much faster than Gaussian ones at this depth.
--
--   winit run scripts/theory/isometry.lua [--fast] [--width 256] [--depths 10,50,100,200]
--       [--networks 3] [--examples 4] [--sb2 1e-4] [--train-depth 200] [--train-width 128]
--       [--rows 8000] [--epochs 6] [--batch 64] [--lrs 0.001,0.003,0.01] [--target 0.7]
--       [--replicates 3] [--seed 1] [--out results/theory/isometry.json]
--
-- Fast mode (make check, ~10 s): width 128, depths 5, 10, 25, 2 networks of 4 examples; the
-- study at depth 20, width 64, 1,600 rows, 2 epochs, learning rates 0.003 and 0.01, target 0.5, 1
-- replicate.  Full mode (the defaults): 310 s of CPU on one core (the spectra 109 s, each
-- of the 18 training runs about 11 s), 765 MB, a 45 MB results file (the runs' per-layer
-- diagnostics of 200 layers); figures in docs/theory.md, "Does orthogonal initialization
-- give dynamical isometry?".
--
-- Prints the spectrum table and a finding line per configuration, the study's table and
-- the steps-to-target finding; writes the study's results to --out and its report (.html).
-- The results file holds the spectra in its "spectra" section, one record per
-- configuration (name, e.g. "tanh orthogonal"): activation, weights, sigma_w, sigma_b,
-- q_star (null for ReLU), chi_1, v_w, v_d, width, networks, examples, hist_log10_range
-- (of s), hist_bins and per depth: depth, values (how many s), mean_sq,
-- mean_sq_per_network, var_sq (of s^2), norm_var (var_sq / mean_sq^2), max, min,
-- theory_mean_sq, theory_var_sq, theory_norm_var and hist_counts (how many log10 s fall
-- in each bin, the outermost bins holding what lies beyond).  The report draws mean_sq and
-- the normalized variance against depth, the predictions dashed, and the histograms
-- (winit report draws the same from the file).  Every shard and MPI rank computes the
-- spectra (they are deterministic), so each shard's file holds them and winit merge keeps
-- them once.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  fast = { false, "the small version make check runs" },
  width = { 256, "spectrum: units per layer (and input features)" },
  depths = { { 10, 50, 100, 200 }, "spectrum: depths, comma-separated (prefixes of one network)" },
  networks = { 3, "spectrum: networks per configuration" },
  examples = { 4, "spectrum: generated inputs per network" },
  sb2 = { 1e-4, "sigma_b^2 of the tanh networks (sigma_w: the critical one for it)" },
  train_depth = { 200, "study: tanh layers" },
  train_width = { 128, "study: units per layer" },
  rows = { 8000, "study: Fashion-MNIST training rows (the last 20% validate)" },
  epochs = { 6, "study: epochs" },
  batch = { 64, "study: batch size" },
  lrs = { { 0.001, 0.003, 0.01 }, "study: SGD learning rates (no momentum), comma-separated" },
  target = { 0.7, "study: the validation accuracy to reach" },
  replicates = { 3, "study: paired replicates per initializer" },
  seed = { 1, "the study's and the spectra's seed" },
  out = "results/theory/isometry.json",
}, "Dynamical isometry: Jacobian spectra of deep tanh and ReLU MLPs, orthogonal vs Gaussian, and steps to a target.")

if opts.fast then
  opts.width, opts.depths, opts.networks, opts.examples = 128, { 5, 10, 25 }, 2, 4
  opts.train_depth, opts.train_width, opts.rows, opts.epochs, opts.replicates = 20, 64, 1600, 2, 1
  opts.lrs, opts.target = { 0.003, 0.01 }, 0.5
end
local lrs = opts.lrs
for _, lr in ipairs(lrs) do assert(lr > 0, "--lrs: a learning rate must be > 0") end
local depths = opts.depths
for _, d in ipairs(depths) do assert(d >= 1, "--depths: not a positive integer: " .. d) end
table.sort(depths)
local N, maxd = math.tointeger(opts.width), depths[#depths]
assert(N and N >= 2, "--width must be an integer >= 2")
assert(opts.sb2 >= 0, "--sb2 must be >= 0")
for _, k in ipairs { "networks", "examples", "train_depth", "train_width", "rows", "epochs", "batch",
                     "replicates" } do
  assert(math.tointeger(opts[k]) and opts[k] >= 1, "--" .. k:gsub("_", "-") .. " must be an integer >= 1")
end
assert(opts.target > 0 and opts.target <= 1, "--target is a validation accuracy in (0, 1]")
local t_start = os.time()

-- Theory.  E[g(h)], h ~ N(0, q): composite Simpson over +-10 sd (4000 intervals).
local function gauss(g, q)
  local n, a = 4000, 10
  local h, s, sq = 2 * a / n, 0, math.sqrt(q)
  for i = 0, n do
    local z = -a + i * h
    local w = (i == 0 or i == n) and 1 or (i % 2 == 1 and 4 or 2)
    s = s + w * g(sq * z) * math.exp(-z * z / 2)
  end
  return s * h / 3 / math.sqrt(2 * math.pi)
end
local function tanh_d2(x) local t = math.tanh(x); return (1 - t * t) ^ 2 end
local function tanh_d4(x) local t = math.tanh(x); return (1 - t * t) ^ 4 end

local sb = math.sqrt(opts.sb2)
local sw_t = assert(winit.theory.critical_sigma_w("tanh", sb))
local fp_t = winit.theory.fixed_point("tanh", sw_t, sb)
local mu1, mu2 = gauss(tanh_d2, fp_t.q_star), gauss(tanh_d4, fp_t.q_star)
local vd_tanh = mu2 / mu1 ^ 2 - 1
-- chi_1 from winit.theory; the quadrature's sigma_w^2 mu1 agrees with it (a check of both).
assert(math.abs(sw_t ^ 2 * mu1 - fp_t.chi_1) < 1e-6,
       ("chi_1: quadrature %.9g, winit.theory %.9g"):format(sw_t ^ 2 * mu1, fp_t.chi_1))
local fp_r = winit.theory.fixed_point("relu", math.sqrt(2), 0)

local CONFIGS = {
  { name = "tanh orthogonal", act = "tanh", sw = sw_t, sb = sb, chi = fp_t.chi_1, q = fp_t.q_star,
    vw = 0, vd = vd_tanh, kernel = function() return { "orthogonal", gain = sw_t } end },
  { name = "tanh gaussian", act = "tanh", sw = sw_t, sb = sb, chi = fp_t.chi_1, q = fp_t.q_star,
    vw = 1, vd = vd_tanh, kernel = function(fan_in) return { "random_normal", stddev = sw_t / math.sqrt(fan_in) } end },
  -- ReLU: phi'^2 is 0 or 1, each with probability 1/2: E[phi'^4] / E[phi'^2]^2 - 1 = 1.
  { name = "relu he", act = "relu", sw = math.sqrt(2), sb = 0, chi = fp_r.chi_1, q = nil,
    vw = 1, vd = 1, kernel = function(fan_in) return { "random_normal", stddev = math.sqrt(2 / fan_in) } end },
  { name = "relu orthogonal", act = "relu", sw = math.sqrt(2), sb = 0, chi = fp_r.chi_1, q = nil,
    vw = 0, vd = 1, kernel = function() return { "orthogonal", gain = math.sqrt(2) } end },
}

local L = winit.layers
local function stack(c, n_in, width, depth, input_shape)
  local layers = { L.Flatten { input_shape = input_shape or { n_in } } }
  for i = 1, depth do
    layers[#layers + 1] = L.Dense { width, activation = c.act,
      kernel_initializer = c.kernel(i == 1 and n_in or width),
      bias_initializer = c.sb > 0 and { "random_normal", stddev = c.sb } or "zeros" }
  end
  layers[#layers + 1] = L.Dense { 10, activation = "softmax" }
  return winit.Sequential(layers)
end

print(string.format("Theory: tanh at sigma_b^2 = %g: critical sigma_w = %.6f (sigma_w^2 = %.6f), q* = %.6g, "
                    .. "chi_1 = %.9f, v_D = E[phi'^4]/E[phi'^2]^2 - 1 = %.5f; relu at sigma_w^2 = 2: chi_1 = %.9f, v_D = 1",
                    opts.sb2, sw_t, sw_t ^ 2, fp_t.q_star, fp_t.chi_1, vd_tanh, fp_r.chi_1))

-- (a) The spectra.  Deterministic: winit.set_seed for the weights, a xoshiro stream
-- (math.randomseed) for the inputs.
local HIST_LO, HIST_HI, HIST_BINS = -8, 2, 80 -- log10 s
local spectra = {} -- by configuration name: study:add_spectrum's records
local lines = {}
local function say(s) lines[#lines + 1] = s; print(s) end
say(string.format("Jacobian of layer l's output w.r.t. the input at initialization, width %d, %d networks x %d "
                  .. "examples; lambda = s^2. Theory: mean chi_1^l, normalized variance l (v_W + v_D)",
                  N, opts.networks, opts.examples))
say(string.format("  %-16s %5s %9s %9s %10s %10s %11s %11s %8s", "config", "depth", "mean_sq", "theory",
                  "var", "theory", "var/mean^2", "theory", "max s"))
local t_spec = os.clock()
for ci, c in ipairs(CONFIGS) do
  local per = {}
  for _, d in ipairs(depths) do per[d] = { lam = {}, means = {}, max = 0, min = math.huge } end
  for net = 1, opts.networks do
    winit.set_seed(opts.seed * 1000 + ci * 100 + net)
    math.randomseed(opts.seed * 1000 + ci * 100 + net)
    local m = stack(c, N, N, maxd)
    local s = c.q and math.sqrt((c.q - c.sb ^ 2) / c.sw ^ 2) or 1
    local rows = {}
    for e = 1, opts.examples do
      local r = {}
      for j = 1, N do
        local u1, u2 = 1 - math.random(), math.random()
        r[j] = s * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
      end
      rows[e] = r
    end
    for _, d in ipairs(depths) do
      local sv = m:jacobian_spectrum(rows, { from = 0, to = d })
      local P = per[d]
      P.means[#P.means + 1] = sv.mean_sq
      P.max, P.min = math.max(P.max, sv.max), math.min(P.min, sv.min)
      for _, ex in ipairs(sv) do
        for _, v in ipairs(ex) do P.lam[#P.lam + 1] = v * v end
      end
    end
    m = nil
    collectgarbage()
  end
  local C = { name = c.name, activation = c.act, weights = c.name:match("%S+$"), sigma_w = c.sw,
              sigma_b = c.sb, q_star = c.q, chi_1 = c.chi, v_w = c.vw, v_d = c.vd, width = N,
              networks = opts.networks, examples = opts.examples,
              hist_log10_range = { HIST_LO, HIST_HI }, hist_bins = HIST_BINS, depths = {} }
  spectra[c.name] = C
  for _, d in ipairs(depths) do
    local P, n, s1 = per[d], #per[d].lam, 0
    for _, v in ipairs(P.lam) do s1 = s1 + v end
    local mean, ss = s1 / n, 0
    for _, v in ipairs(P.lam) do ss = ss + (v - mean) ^ 2 end
    local var = ss / n
    local counts = {}
    for b = 1, HIST_BINS do counts[b] = 0 end
    for _, v in ipairs(P.lam) do
      local x = 0.5 * math.log(v, 10) -- log10 s
      local b = math.floor((x - HIST_LO) / (HIST_HI - HIST_LO) * HIST_BINS) + 1
      counts[math.max(1, math.min(HIST_BINS, b))] = counts[math.max(1, math.min(HIST_BINS, b))] + 1
    end
    local pm = c.chi ^ d
    local pnv = d * (c.vw + c.vd)
    C.depths[#C.depths + 1] = { depth = d, values = n, mean_sq = mean, mean_sq_per_network = P.means,
                                var_sq = var, norm_var = var / mean ^ 2, max = P.max, min = P.min,
                                theory_mean_sq = pm, theory_var_sq = pnv * pm ^ 2, theory_norm_var = pnv,
                                hist_counts = counts }
    say(string.format("  %-16s %5d %9.4f %9.4f %10.4g %10.4g %11.4g %11.4g %8.3f", c.name, d, mean, pm, var,
                      pnv * pm ^ 2, var / mean ^ 2, pnv, P.max))
  end
end
local spec_seconds = os.clock() - t_spec
-- Findings: per configuration, the normalized variance at the deepest depth against theory.
local function at(name, d)
  for _, r in ipairs(spectra[name].depths) do if r.depth == d then return r end end
end
for _, c in ipairs(CONFIGS) do
  local r1, r2 = at(c.name, depths[1]), at(c.name, maxd)
  say(string.format("finding: %s: var/mean^2 of s^2 %.4g at depth %d, %.4g at depth %d (theory %.4g, %.4g); "
                    .. "mean_sq %.4f (theory %.4f)", c.name, r1.norm_var, depths[1], r2.norm_var, maxd,
                    r1.theory_norm_var, r2.theory_norm_var, r2.mean_sq, r2.theory_mean_sq))
end
local to, tg = at("tanh orthogonal", maxd), at("tanh gaussian", maxd)
say(string.format("finding: at depth %d the orthogonal tanh network's spread is %.3gx the Gaussian one's "
                  .. "(theory %.3gx); the largest singular value %.3g against %.3g (%.1f s)", maxd,
                  to.norm_var / tg.norm_var, to.theory_norm_var / tg.theory_norm_var, to.max, tg.max,
                  spec_seconds))

-- (b) Steps to a target: the study.
local train = winit.datasets.fashion_mnist.load_data()
if opts.rows < #train then
  local x, y = {}, {}
  for i = 1, opts.rows do x[i], y[i] = train:features(i), train:label(i) end
  train = winit.datasets.from_arrays(x, y, { n_classes = 10 })
end
local study = winit.Study { name = "isometry", seed = opts.seed, design = "paired", target = opts.target }
for _, c in ipairs(CONFIGS) do study:add_spectrum(spectra[c.name]) end
local TRAINED = { CONFIGS[1], CONFIGS[2] }
local function label(c, lr) return string.format("%s lr %g", c.name, lr) end
for _, c in ipairs(TRAINED) do
  for _, lr in ipairs(lrs) do
    for r = 0, opts.replicates - 1 do
      local m = stack(c, 784, opts.train_width, opts.train_depth, { 28, 28 })
      m:compile { optimizer = winit.optimizers.SGD { learning_rate = lr } }
      study:add { name = string.format("%s#%d", label(c, lr):gsub(" ", "_"), r + 1), label = label(c, lr),
                  replicate = r, model = m, train = train, epochs = opts.epochs, batch_size = opts.batch,
                  validation_split = 0.2 }
    end
  end
end
local results = study:run { save = opts.out, verbose = 0 }
local steps, acc = {}, {}
for _, c in ipairs(TRAINED) do
  for _, lr in ipairs(lrs) do steps[label(c, lr)], acc[label(c, lr)] = {}, {} end
end
local here = 0
for _, r in ipairs(results:runs()) do
  if r.status ~= "not run" then
    here = here + 1
    local st = r.steps_to_target
    steps[r.label][#steps[r.label] + 1] = st or math.huge
    local h = r.history and r.history.val_accuracy
    acc[r.label][#acc[r.label] + 1] = h and h[#h] or 0 / 0
  end
end
local steps_per_epoch = math.ceil(math.floor(opts.rows * 0.8 + 0.5) / opts.batch)
print(string.format("Steps to a validation accuracy of %.2f: %d tanh layers of %d at the critical point, SGD, "
                    .. "batch %d, %d epochs of %d steps; per replicate (never: not within the budget)",
                    opts.target, opts.train_depth, opts.train_width, opts.batch, opts.epochs, steps_per_epoch))
local function fmt_steps(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v == math.huge and "never" or tostring(v) end
  return table.concat(s, " ")
end
local function median(t)
  local c = {}
  for i, v in ipairs(t) do c[i] = v end
  table.sort(c)
  if #c == 0 then return 0 / 0 end
  return #c % 2 == 1 and c[(#c + 1) // 2] or 0.5 * (c[#c // 2] + c[#c // 2 + 1])
end
local function med(t)
  local m = median(t)
  return m == math.huge and "never" or m ~= m and "not run" or string.format("%g", m)
end
for _, c in ipairs(TRAINED) do
  for _, lr in ipairs(lrs) do
    local a = {}
    for i, v in ipairs(acc[label(c, lr)]) do a[i] = string.format("%.4f", v) end
    print(string.format("  %-28s steps %-24s final val_accuracy %s", label(c, lr), fmt_steps(steps[label(c, lr)]),
                        table.concat(a, " ")))
  end
end
if here < #study then
  print(string.format("shard: %d of %d runs here; merge the shards (winit merge) and --resume for the finding",
                      here, #study))
else
  -- Each initializer at its best rate (lowest median steps; ties: the larger final accuracy).
  local best = {}
  for _, c in ipairs(TRAINED) do
    local b
    for _, lr in ipairs(lrs) do
      local m = median(steps[label(c, lr)])
      if not b or m < b.m or (m == b.m and median(acc[label(c, lr)]) > b.a) then
        b = { lr = lr, m = m, a = median(acc[label(c, lr)]) }
      end
    end
    best[c.name] = b
  end
  local bo, bg = best["tanh orthogonal"], best["tanh gaussian"]
  local so, sg = steps[label(CONFIGS[1], bo.lr)], steps[label(CONFIGS[2], bg.lr)]
  local faster = 0
  for i = 1, math.min(#so, #sg) do if so[i] < sg[i] then faster = faster + 1 end end
  print(string.format("finding: steps to val_accuracy %.2f at depth %d, each at its best rate: orthogonal %s "
                      .. "(lr %g), Gaussian %s (lr %g) (medians); orthogonal first in %d of %d paired replicates",
                      opts.target, opts.train_depth, med(so), bo.lr, med(sg), bg.lr, faster, math.min(#so, #sg)))
end
local html = results:report(opts.out:gsub("%.json$", "") .. ".html")
print(string.format("(%d s) results: %s (the spectra in its \"spectra\"), report: %s", os.time() - t_start,
                    opts.out, html))
