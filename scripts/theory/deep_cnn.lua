-- deep_cnn.lua -- does initialization decide whether a deep vanilla CNN trains?  Two
-- published answers on Fashion-MNIST:
--
-- A. Xiao et al. (2018, "Dynamical isometry and a mean field theory of CNNs: how to train
--    10,000-layer vanilla CNNs"): tanh CNNs of increasing depth, delta-orthogonal kernels
--    at the edge of chaos against Gaussian ones.  Their finding: delta-orthogonal at
--    criticality trains at every depth, Gaussian kernels degrade as depth grows.
-- B. He et al. (2015), Fig. 3: a 30-layer ReLU CNN without normalization trains with He's
--    initialization and stalls with Glorot's.
--
-- The network (both questions): the 28x28 image averaged down by AveragePooling2D(--pool)
-- (4, the default: 7x7; 2: 14x14, four times the cost), then --depth Conv2D layers of
-- --channels filters, 3x3, stride 1 (no pooling in the body), then GlobalAveragePooling2D
-- and Dense(10, softmax, glorot_uniform).  The depth counts the Conv2D layers.  7x7 makes
-- 256 layers affordable on one core, and three layers' receptive field already covers
-- the image before the average.
--   A (tanh): padding "circular" (winit's extension; Xiao et al.'s), biases N(0, sigma_b^2)
--     in every run (--sb2), kernels:
--       delta_orthogonal    gain sigma_w, sigma_w at the edge of chaos for sigma_b
--                           (winit.theory.critical_sigma_w: chi_1 = 1)
--       gaussian_critical   N(0, sigma_w^2 / fan_in), fan_in = 9 x input channels
--       glorot_normal       Keras's (variance 2 / (fan_in + fan_out): sigma_w = 1 in the body)
--       he_normal           Keras's (variance 2 / fan_in: sigma_w = sqrt 2, chaotic for tanh)
--   B (ReLU): zero biases, he_normal against glorot_normal, at the depths --relu-depths;
--     padding "circular" too: He et al.'s zero padding ("same") on images this small loses
--     a border's share of the variance at every layer (measured: He's Var(z) fell ~36x over
--     16 layers of 7x7), which would add to the initializers' own factor (1 against 1/2).
-- Every run: SGD with momentum (--lr, --momentum; past --lr-depth layers A's rate is
-- --lr x lr_depth / depth), batch --batch, a fixed budget of --steps
-- steps on the first steps x batch training images (one epoch: every step sees new
-- images), paired replicates (replicate r of every condition draws the same data order,
-- biases and head).  The figure of merit is the training accuracy after the budget: the
-- accuracy of the trained model on the first --eval-rows of the images it trained on (the
-- study's "test" set is those rows: read the report's test columns as training accuracy).
--
-- At initialization (cheap, beside the runs): theory's fixed point for each tanh
-- initializer's sigma_w (q*, chi_1, the depth scale 1 / |ln chi_1|) and, measured on
-- --probe-rows images (model:activation_stats, the script's own draws), the pre-activation
-- variance of the first and the last conv layer at the deepest depth of each question;
-- with --jacobian-depth D, the singular values of the Jacobian of conv layer D's output
-- with respect to conv layer 1's (model:jacobian_spectrum, 2 images; 7x7x16 = 784 on a
-- side) for delta_orthogonal and gaussian_critical: the isometry delta-orthogonal keeps
-- and a Gaussian kernel spreads (D = 64: ~30 s of CPU).
--
--   winit run scripts/theory/deep_cnn.lua [--fast] [--depths 4,16,64,256] [--channels 16]
--       [--pool 4] [--steps 400] [--batch 32] [--rows 0] [--eval-rows 2048] [--lr 0.002]
--       [--lr-depth 64] [--momentum 0.9] [--sb2 0.001] [--relu-depths 22,30] [--relu-lr 0.002]
--       [--inits delta_orthogonal,gaussian_critical,glorot_normal,he_normal]
--       [--seeds 3] [--seed 1] [--probe-rows 16] [--jacobian-depth 0] [--out results/theory/deep_cnn.json]
--
-- --fast (make check, a few seconds): 7x7 images (--pool 4), 8 channels, depths 2, 8 and
-- 32, 40 steps of 32 images, 256 evaluation rows, ReLU depths 4 and 16, one replicate,
-- the Jacobian at depth 8.
--
-- Cost of the full mode, measured (Intel Xeon, winit's AVX-512 path, the 2-core machine
-- shared with other jobs): with --seeds 1 its 20 runs took 340 s of CPU (19.5 minutes of
-- wall time at -j 2 on a loaded core; 4.6 GB peak resident), about 0.6 ms of CPU per conv
-- layer per step at 7x7 and 16 channels, so a run costs ~0.6 ms x depth x steps and the
-- four depth-256 runs are 75% of it; --seeds 3 is ~17 minutes of CPU, --pool 2 (14x14)
-- four times that.
-- Measured (docs/theory.md): at lr 0.002 delta-orthogonal alone trains at depth 64 and
-- nothing trains at 256, where lr 0.0005 trains delta-orthogonal and not the critical
-- Gaussian: the learning rate a depth tolerates falls with depth, hence --lr-depth.
-- The runs are independent (each draws from its own run seed), so spread them:
--
--   mpirun -np 8 winit run scripts/theory/deep_cnn.lua          # an MPI build: rank 0 saves
--   # or shards, any machines, then merge and let --resume read every run back:
--   winit run --shard 0/4 scripts/theory/deep_cnn.lua --out c0.json   # ... 1/4, 2/4, 3/4
--   winit merge results/theory/deep_cnn.json c0.json c1.json c2.json c3.json
--   winit run --resume scripts/theory/deep_cnn.lua                # computes no run again
--
-- (docs/cluster.md).  A shard prints how many runs it ran and leaves the analysis to the
-- resumed run.  Prints the theory at initialization, a table per question (training
-- accuracy by depth and initializer, mean and 95% interval over replicates) and one
-- finding line per question; writes the study's results to --out and the report beside it
-- (.html) with the training accuracy drawn against depth, one line per initializer.
local winit = require "winit"
local L = winit.layers

local opts = winit.parse_args(arg, {
  fast = { false, "the small version make check runs" },
  depths = { { 4, 16, 64, 256 }, "A (tanh): conv layers, comma-separated" },
  relu_depths = { { 22, 30 }, "B (ReLU): conv layers, comma-separated" },
  channels = { 16, "filters of every conv layer" },
  pool = { 4, "AveragePooling2D on the input: 2 gives 14x14 images, 4 gives 7x7, 1 none" },
  steps = { 400, "SGD steps per run (the budget)" },
  batch = { 32, "batch size" },
  rows = { 0, "training rows (0: steps x batch, one epoch; fewer: as many epochs as the steps need)" },
  eval_rows = { 2048, "training rows the final training accuracy is measured on" },
  lr = { 0.002, "A: SGD learning rate (up to --lr-depth layers)" },
  lr_depth = { 64, "A: deeper tanh networks train at --lr x lr_depth / depth (0: --lr at every depth)" },
  relu_lr = { 0.002, "B: SGD learning rate" },
  momentum = { 0.9, "SGD momentum" },
  sb2 = { 0.001, "A: sigma_b^2, the bias variance (sigma_w is the edge of chaos for it)" },
  inits = { { "delta_orthogonal", "gaussian_critical", "glorot_normal", "he_normal" }, "A: initializers" },
  seeds = { 3, "paired replicates per condition" },
  seed = { 1, "the study's seed" },
  probe_rows = { 16, "rows of the script's own probe at initialization" },
  jacobian_depth = { 0, "A: the conv Jacobian's singular values at this depth at initialization (0: off)" },
  out = "results/theory/deep_cnn.json",
}, "Deep vanilla CNNs: delta-orthogonal at the edge of chaos against Gaussian kernels (tanh),\n"
   .. "He against Glorot (ReLU).")

if opts.fast then
  opts.depths, opts.relu_depths, opts.channels, opts.pool = { 2, 8, 32 }, { 4, 16 }, 8, 4
  opts.steps, opts.batch, opts.eval_rows, opts.seeds, opts.jacobian_depth = 40, 32, 256, 1, 8
end
local depths, relu_depths, inits = opts.depths, opts.relu_depths, opts.inits
for _, d in ipairs(depths) do assert(d >= 1, "--depths: not an integer >= 1: " .. d) end
for _, d in ipairs(relu_depths) do assert(d >= 1, "--relu-depths: not an integer >= 1: " .. d) end
local KNOWN = { delta_orthogonal = true, gaussian_critical = true, glorot_normal = true, he_normal = true }
for _, v in ipairs(inits) do
  assert(KNOWN[v], "--inits: unknown initializer '" .. v .. "' (delta_orthogonal, gaussian_critical, "
         .. "glorot_normal, he_normal)")
end
assert(#inits > 0, "--inits: none given")
local C, pool = math.tointeger(opts.channels), math.tointeger(opts.pool)
assert(C and C >= 1, "--channels must be an integer >= 1")
assert(pool and pool >= 1 and pool <= 14, "--pool must be an integer in 1..14")
for _, k in ipairs { "steps", "batch", "eval_rows", "seeds", "probe_rows" } do
  assert(math.tointeger(opts[k]) and opts[k] >= 1, "--" .. k:gsub("_", "-") .. " must be an integer >= 1")
end
assert(math.tointeger(opts.rows) and opts.rows >= 0, "--rows must be an integer >= 0")
assert(opts.sb2 >= 0, "--sb2 must be >= 0")

-- sigma_w at the edge of chaos for tanh and this sigma_b; each initializer's sigma_w in the
-- body (input channels = output channels = C, so fan_in = fan_out = 9 C).
local sb = math.sqrt(opts.sb2)
local sw_crit = assert(winit.theory.critical_sigma_w("tanh", sb))
local SIGMA_W = { delta_orthogonal = sw_crit, gaussian_critical = sw_crit, glorot_normal = 1,
                  he_normal = math.sqrt(2) }

-- The data: the first rows the budget needs (pixels / 255), and the rows of them the
-- training accuracy is measured on.
local all = winit.datasets.fashion_mnist.load_data()
local want = opts.steps * opts.batch
local nrows = opts.rows > 0 and math.min(opts.rows, want) or want
assert(nrows <= #all, string.format("--steps x --batch = %d rows: more than the %d training images; "
                                    .. "use --rows", want, #all))
local epochs = math.ceil(want / nrows)
local function head(n)
  if n >= #all then return all end
  local f, l = {}, {}
  for i = 1, n do f[i], l[i] = all:features(i), all:label(i) end
  return winit.datasets.from_arrays(f, l, { n_classes = 10 })
end
local train = head(nrows)
local eval = head(math.min(opts.eval_rows, nrows))
local steps = epochs * math.ceil(nrows / opts.batch)
local side = 28 // pool

-- kernel_initializer of conv layer i (input channels cin) for a tanh initializer.
local function tanh_kernel(init, cin)
  if init == "delta_orthogonal" then return { "delta_orthogonal", gain = sw_crit } end
  if init == "gaussian_critical" then return { "random_normal", stddev = sw_crit / math.sqrt(9 * cin) } end
  return init
end
-- The model: pooling, `depth` conv layers, GlobalAveragePooling2D, Dense(10, softmax).
local lr_depth = math.tointeger(opts.lr_depth)
assert(lr_depth and lr_depth >= 0, "--lr-depth must be an integer >= 0")
-- The learning rate of a run: a deep network's gradient at the edge of chaos grows with
-- its depth (measured: 0.002 trains delta-orthogonal at 64 layers, nothing at 256, where
-- 0.0005 = 0.002 x 64 / 256 does), so past --lr-depth layers A's rate falls as 1 / depth.
local function rate(act, depth)
  if act ~= "tanh" then return opts.relu_lr end
  if lr_depth > 0 and depth > lr_depth then return opts.lr * lr_depth / depth end
  return opts.lr
end
local function rate_text(act)
  if act ~= "tanh" then return string.format("%g", opts.relu_lr) end
  if lr_depth == 0 then return string.format("%g", opts.lr) end
  return string.format("%g (x %d / depth past depth %d)", opts.lr, lr_depth, lr_depth)
end

local function build(act, init, depth)
  local x = winit.Input { shape = { 28, 28, 1 } }
  local h = pool > 1 and L.AveragePooling2D { pool }(x) or x
  local cin = 1
  for _ = 1, depth do
    if act == "tanh" then
      h = L.Conv2D { C, 3, padding = "circular", activation = "tanh", kernel_initializer = tanh_kernel(init, cin),
                     bias_initializer = sb > 0 and { "random_normal", stddev = sb } or "zeros" }(h)
    else
      h = L.Conv2D { C, 3, padding = "circular", activation = "relu", kernel_initializer = init }(h)
    end
    cin = C
  end
  h = L.GlobalAveragePooling2D {}(h)
  local model = winit.Model { inputs = x, outputs = L.Dense { 10, activation = "softmax" }(h) }
  model:compile { optimizer = winit.optimizers.SGD { learning_rate = rate(act, depth), momentum = opts.momentum } }
  return model
end

-- At initialization: theory's fixed point per tanh initializer, and the pre-activation
-- variance of the first and last conv layer at the deepest depth (the script's own draws).
local function probe(model)
  local st = model:activation_stats(train, { rows = math.min(opts.probe_rows, nrows) })
  local first, last
  for i = 2, #model.layers do
    if model.layers[i].class_name == "Conv2D" then
      first = first or st[i - 1]
      last = st[i - 1]
    end
  end
  return first.pre_var, last.pre_var
end
winit.set_seed(opts.seed)
local say = print
local dmax, rmax = math.max(table.unpack(depths)), math.max(table.unpack(relu_depths))
say(string.format("At initialization: tanh, sigma_b^2 = %g, edge of chaos sigma_w = %.4f (sigma_w^2 = %.4f); "
                  .. "theory's fixed point per initializer (body), and Var(z) of conv layer 1 and %d measured on "
                  .. "%d images", opts.sb2, sw_crit, sw_crit ^ 2, dmax, math.min(opts.probe_rows, nrows)))
say(string.format("  %-18s %8s %10s %8s %11s %12s %12s", "initializer", "sigma_w", "q*", "chi_1", "depth scale",
                  "Var(z) 1", "Var(z) " .. dmax))
local theory = {}
for _, init in ipairs(inits) do
  local fp = winit.theory.fixed_point("tanh", SIGMA_W[init], sb)
  local v1, vl = probe(build("tanh", init, dmax))
  collectgarbage()
  theory[init] = { chi_1 = fp.chi_1, q_star = fp.q_star, var_first = v1, var_last = vl }
  say(string.format("  %-18s %8.4f %10.4g %8.4f %11s %12.4g %12.4g", init, SIGMA_W[init], fp.q_star, fp.chi_1,
                    fp.depth_scale > 1e6 and "inf" or string.format("%.1f", fp.depth_scale), v1, vl))
end
say(string.format("  ReLU (zero biases): Var(z) changes by a factor sigma_w^2 / 2 per layer: 1 for he_normal, "
                  .. "1/2 for glorot_normal (theory: 2^-%d over %d layers); measured Var(z) layer 1 -> %d:", rmax - 1,
                  rmax, rmax))
for _, init in ipairs { "he_normal", "glorot_normal" } do
  local v1, vl = probe(build("relu", init, rmax))
  collectgarbage()
  theory["relu " .. init] = { var_first = v1, var_last = vl }
  say(string.format("  %-18s %12.4g -> %.4g (x%.3g)", init, v1, vl, vl / v1))
end

local jd = math.tointeger(opts.jacobian_depth)
assert(jd and jd >= 0, "--jacobian-depth must be an integer >= 0")
if jd >= 2 then
  local n = side * side * C
  if n > 1024 then
    say(string.format("  (--jacobian-depth: the Jacobian would be %d on a side, beyond jacobian_spectrum's ~1,000: "
                      .. "skipped; use --pool 4 or fewer channels)", n))
  else
    say(string.format("  Jacobian of conv layer %d's output w.r.t. conv layer 1's at initialization (%d on a side, "
                      .. "2 images): mean squared singular value, largest, smallest, largest^2 / mean", jd, n))
    local first = pool > 1 and 2 or 1
    for _, init in ipairs(inits) do
      if init == "delta_orthogonal" or init == "gaussian_critical" then
        local s = build("tanh", init, jd):jacobian_spectrum(train, { from = first, to = first + jd - 1, examples = 2 })
        collectgarbage()
        theory[init].jacobian = s
        say(string.format("  %-18s %12.4g %12.4g %12.4g %12.4g", init, s.mean_sq, s.max, s.min, s.max ^ 2 / s.mean_sq))
      end
    end
  end
end

-- The study: every condition, paired replicates.
local study = winit.Study { name = "deep_cnn", seed = opts.seed, design = "paired" }
local conds = {}
local function label(act, init, depth) return string.format("%s %s %d", act, init, depth) end
for _, d in ipairs(depths) do
  for _, init in ipairs(inits) do conds[#conds + 1] = { act = "tanh", init = init, depth = d } end
end
for _, d in ipairs(relu_depths) do
  for _, init in ipairs { "he_normal", "glorot_normal" } do conds[#conds + 1] = { act = "relu", init = init, depth = d } end
end
for _, c in ipairs(conds) do
  for r = 0, opts.seeds - 1 do
    local lab = label(c.act, c.init, c.depth)
    study:add { name = string.format("%s#%d", lab, r + 1), label = lab, replicate = r,
                model = build(c.act, c.init, c.depth), train = train, test = eval, epochs = epochs,
                batch_size = opts.batch, diagnostics = false }
    collectgarbage()
  end
end
local t0 = os.time()
local results = study:run { save = opts.out, verbose = 0 }
local seconds = os.time() - t0
local runs = results:runs()
if not results:complete() then return end -- a shard: the analysis waits for the merged run

-- acc[label][replicate + 1]: the training accuracy after the budget (NaN: failed or diverged).
local acc = {}
for _, r in ipairs(runs) do
  acc[r.label] = acc[r.label] or {}
  local a = r.status == "ok" and r.test_accuracy or 0 / 0
  acc[r.label][r.replicate + 1] = a
end
-- The mean (NaN for none) and the half-width of its 95% Student-t interval (nil below 2
-- values or for a NaN mean).
local function summary(xs)
  local s = winit.stats.summary(xs)
  return s.mean or 0 / 0, s.half
end
local function cell(xs)
  local m, hw = summary(xs)
  if m ~= m then return "    failed    " end
  return hw and string.format("%.3f +- %.3f", m, hw) or string.format("%.3f        ", m)
end
-- Paired difference a - b over replicates, as text.
local function paired(a, b)
  local d = {}
  for i = 1, math.min(#a, #b) do d[i] = a[i] - b[i] end
  local m, hw = summary(d)
  if m ~= m then return "n/a" end
  return hw and string.format("%+.3f [%+.3f, %+.3f]", m, m - hw, m + hw)
            or string.format("%+.3f (1 replicate: no interval)", m)
end
local function mean(lab) return (summary(acc[lab])) end

local tables = {}
local function table_for(act, list, ds)
  local lines = {}
  local function out(line) lines[#lines + 1] = line; print(line) end
  out(string.format("%s: training accuracy on %d trained images after %d steps (batch %d, SGD lr %s, momentum %g), "
                    .. "%dx%d images, %d channels, %d replicate(s): mean +- 95%% interval",
                    act == "tanh" and "A (tanh, circular padding)" or "B (ReLU, circular padding)", #eval, steps,
                    opts.batch, rate_text(act), opts.momentum, side, side, C, opts.seeds))
  local h = { string.format("  %-18s", "initializer") }
  for _, d in ipairs(ds) do h[#h + 1] = string.format("%14s", "depth " .. d) end
  out(table.concat(h, " "))
  for _, init in ipairs(list) do
    local row = { string.format("  %-18s", init) }
    for _, d in ipairs(ds) do row[#row + 1] = cell(acc[label(act, init, d)]) end
    out(table.concat(row, " "))
  end
  tables[#tables + 1] = table.concat(lines, "\n")
end
table_for("tanh", inits, depths)
table_for("relu", { "he_normal", "glorot_normal" }, relu_depths)

-- Finding A: each initializer's accuracy from the shallowest to the deepest network; at
-- the deepest, delta-orthogonal against every Gaussian one (paired).
local d0 = math.min(table.unpack(depths))
local parts = {}
for _, init in ipairs(inits) do
  parts[#parts + 1] = string.format("%s %.3f at depth %d -> %.3f at %d", init, mean(label("tanh", init, d0)), d0,
                                    mean(label("tanh", init, dmax)), dmax)
end
local verdict_a = "not decided (it needs delta_orthogonal and a Gaussian initializer)"
if acc[label("tanh", "delta_orthogonal", dmax)] then
  local dl = label("tanh", "delta_orthogonal", dmax)
  local vs, ahead, gauss_drop, delta_drop = {}, 0, -math.huge, mean(label("tanh", "delta_orthogonal", d0)) - mean(dl)
  for _, init in ipairs(inits) do
    if init ~= "delta_orthogonal" then
      local gl = label("tanh", init, dmax)
      vs[#vs + 1] = string.format("%s %s", init, paired(acc[dl], acc[gl]))
      if mean(dl) > mean(gl) then ahead = ahead + 1 end
      gauss_drop = math.max(gauss_drop, mean(label("tanh", init, d0)) - mean(gl))
    end
  end
  if #vs > 0 then
    -- Xiao et al.'s finding at this budget: delta-orthogonal ahead of every Gaussian
    -- initializer at the deepest depth, and (with several depths) losing no more from the
    -- shallowest than the Gaussian initializer that loses most.
    local holds = ahead == #vs and (d0 == dmax or delta_drop <= gauss_drop)
    local drops = d0 == dmax and "" or string.format(", its drop from depth %d %.3f against the largest Gaussian "
                                                      .. "drop %.3f", d0, delta_drop, gauss_drop)
    verdict_a = string.format("at depth %d delta-orthogonal minus (paired): %s; Xiao et al.'s finding %s at this "
                              .. "budget (delta-orthogonal ahead of %d of %d Gaussian initializers at the deepest%s)",
                              dmax, table.concat(vs, ", "), holds and "holds" or "does not hold", ahead, #vs, drops)
  end
end
local finding_a = string.format("A: tanh CNNs, %d steps: %s; %s", steps, table.concat(parts, "; "), verdict_a)
-- Finding B: He against Glorot at each ReLU depth; "stalls" is within 0.05 of the 0.1 of
-- guessing one class (Fashion-MNIST's classes are balanced).
local bparts = {}
for _, d in ipairs(relu_depths) do
  local he, gl = acc[label("relu", "he_normal", d)], acc[label("relu", "glorot_normal", d)]
  local mg = mean(label("relu", "glorot_normal", d))
  bparts[#bparts + 1] = string.format("depth %d: he_normal %.3f, glorot_normal %.3f (he - glorot %s; Glorot %s)", d,
                                      mean(label("relu", "he_normal", d)), mg, paired(he, gl),
                                      mg ~= mg and "failed" or mg < 0.15 and "stalls" or "trains")
end
local finding_b = string.format("B: ReLU CNNs, %d steps: %s", steps, table.concat(bparts, "; "))
print("finding: " .. finding_a .. ".")
print("finding: " .. finding_b .. ".")

-- The report: the study's page with training accuracy against depth, one line per
-- initializer, for each question.
local function series(act, list, ds)
  local s = {}
  for _, init in ipairs(list) do
    local y = {}
    for i, d in ipairs(ds) do y[i] = mean(label(act, init, d)) end
    s[#s + 1] = { label = init, x = ds, y = y }
  end
  return s
end
-- The theory at initialization, in one sentence under figure A.
local th = {}
for _, init in ipairs(inits) do
  local t = theory[init]
  th[#th + 1] = string.format("%s chi_1 %.4f, Var(z) %.3g -> %.3g%s", init, t.chi_1, t.var_first, t.var_last,
                              t.jacobian and string.format(", Jacobian largest^2 / mean %.3g", t.jacobian.max ^ 2
                                                           / t.jacobian.mean_sq) or "")
end
local th_caption = string.format("At initialization (theory's chi_1 at sigma_w; measured Var(z) of conv layer 1 -> %d%s): "
                                 .. "%s", dmax, jd >= 2 and string.format("; the Jacobian from conv layer 1 to %d", jd)
                                 or "", table.concat(th, "; "))
local html = results:report((opts.out:gsub("%.json$", "")) .. ".html", { figures = {
  { title = string.format("A: tanh CNNs (%s), training accuracy after %d steps", "circular padding", steps),
    xlabel = "depth (conv layers)", ylabel = "training accuracy", xlog = true,
    series = series("tanh", inits, depths),
    caption = finding_a .. ". " .. th_caption .. "." },
  { title = string.format("B: ReLU CNNs (circular padding), training accuracy after %d steps", steps),
    xlabel = "depth (conv layers)", ylabel = "training accuracy", xlog = true,
    series = series("relu", { "he_normal", "glorot_normal" }, relu_depths),
    caption = string.format("%s. At initialization Var(z) of conv layer 1 -> %d: he_normal x%.3g, glorot_normal "
                            .. "x%.3g (theory: 1 and 2^-%d).", finding_b, rmax,
                            theory["relu he_normal"].var_last / theory["relu he_normal"].var_first,
                            theory["relu glorot_normal"].var_last / theory["relu glorot_normal"].var_first, rmax - 1) },
} })
print(string.format("(%d s) results: %s, report: %s", seconds, opts.out, html))
