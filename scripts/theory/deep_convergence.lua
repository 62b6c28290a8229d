-- deep_convergence.lua -- which initializers let a deep network learn at all: 20- and
-- 30-layer MLPs on Fashion-MNIST trained with plain SGD, as Glorot & Bengio (2010) and
-- He et al. (2015) trained theirs.
--
-- Flatten -> --depth Dense(--width, activation) -> Dense(10, softmax), every hidden kernel
-- from one initializer (biases zero), SGD without momentum at --lr, batch --batch, for
-- --epochs epochs of the 60,000 training images: a fixed budget.  Per depth, activation
-- and initializer: the training loss over the budget (its last epoch's mean) and the test
-- loss and accuracy after it.  A network "stalls" when its test loss after the budget is
-- still within 5% of chance's ln 10 = 2.303 (the signal or its gradient does not get
-- through the depth), is "slow" while above half of it (1.151), and "trains" below.
--
-- Theory's expectation: ReLU needs He (Var(W) = 2 / fan_in keeps the signal's variance);
-- Glorot halves it every ReLU layer (2^-30 after 30 layers) and N(0, 0.01^2) kills it
-- everywhere; tanh is near its edge of chaos with Glorot (sigma_w ~ 1) and trains.
--
--   winit run scripts/theory/deep_convergence.lua [--depths 20,30] [--activations relu,tanh]
--       [--inits normal,glorot_normal,he_normal,lecun_normal,orthogonal] [--width 128]
--       [--epochs 1] [--batch 64] [--lr 0.01] [--seed 1]
--       [--out results/theory/deep_convergence.json]
--
-- Prints a table and a one-line finding; writes the study's results and HTML report
-- (learning curves, per-layer diagnostics beside theory) next to --out (.html).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = 1,
  depths = { { 20, 30 }, "hidden layers, comma-separated" },
  activations = { { "relu", "tanh" }, "activation plugins, comma-separated" },
  inits = { { "normal", "glorot_normal", "he_normal", "lecun_normal", "orthogonal" },
            "kernel initializers, comma-separated (normal: random_normal with stddev 0.01)" },
  width = { 128, "units per hidden layer" },
  epochs = { 1, "epochs of the 60,000 training images (the budget)" },
  batch = { 64, "batch size" },
  lr = { 0.01, "SGD learning rate (no momentum)" },
  out = "results/theory/deep_convergence.json",
}, "Deep MLPs on Fashion-MNIST with plain SGD: which initializers train and which stall.")

local depths, acts, inits = opts.depths, opts.activations, opts.inits
for _, d in ipairs(depths) do
  assert(d >= 1 and d <= 62, "--depths: each must be an integer in 1..62, got " .. d)
end
local function init_ref(name)
  if name == "normal" then return { "random_normal", stddev = 0.01 }, "normal sd 0.01" end
  return name, name
end

local train, test = winit.datasets.fashion_mnist.load_data()

local function build(depth, act, init)
  local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
  for _ = 1, depth do
    layers[#layers + 1] = winit.layers.Dense { opts.width, activation = act, kernel_initializer = init }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = winit.optimizers.SGD { learning_rate = opts.lr } }
  return model
end

local study = winit.Study { name = "deep_convergence", seed = opts.seed }
local order = {}
for _, depth in ipairs(depths) do
  for _, act in ipairs(acts) do
    for _, name in ipairs(inits) do
      local ref, label = init_ref(name)
      local key = string.format("%d/%s/%s", depth, act, label)
      order[#order + 1] = { key = key, depth = depth, act = act, init = label }
      study:add { name = key, label = key, model = build(depth, act, ref), train = train,
                  test = test, epochs = opts.epochs, batch_size = opts.batch }
    end
  end
end
local t0 = os.time()
local results = study:run { save = opts.out, verbose = 0 }
local seconds = os.time() - t0
local html = results:report((opts.out:gsub("%.json$", "")) .. ".html")

local CHANCE = math.log(10)
local by = {}
for _, r in ipairs(results:runs()) do by[r.name] = r end
local steps = opts.epochs * math.ceil(#train / opts.batch)
print(string.format("Plain SGD (lr %g, batch %d), %d epoch(s) = %d steps on Fashion-MNIST, width %d; "
                    .. "loss at chance: %.3f", opts.lr, opts.batch, opts.epochs, steps, opts.width, CHANCE))
print(string.format("  %-28s %10s %10s %9s  %s", "depth/activation/init", "train loss", "test loss",
                    "test acc", "verdict"))
local verdict = {}
for _, o in ipairs(order) do
  local r = by[o.key]
  local tl = r.history and r.history.loss and r.history.loss[#r.history.loss]
  local v
  if r.status ~= "ok" then
    v = r.status
  elseif r.test_loss >= 0.95 * CHANCE then
    v = "stalls"
  elseif r.test_loss >= 0.5 * CHANCE then
    v = "slow"
  else
    v = "trains"
  end
  verdict[o.key] = { v = v, loss = r.status == "ok" and r.test_loss or 0 / 0,
                     acc = r.status == "ok" and r.test_accuracy or 0 / 0 }
  print(string.format("  %-28s %10.4f %10.4f %9.4f  %s", o.key, tl or 0 / 0,
                      verdict[o.key].loss, verdict[o.key].acc, v))
end

-- The finding: per depth and activation, which initializers trained; then the comparisons
-- theory makes.
local parts = {}
for _, depth in ipairs(depths) do
  for _, act in ipairs(acts) do
    local yes, slow, no = {}, {}, {}
    for _, name in ipairs(inits) do
      local _, label = init_ref(name)
      local x = verdict[string.format("%d/%s/%s", depth, act, label)]
      local s = string.format("%s %.3f", label, x.loss)
      local into = x.v == "trains" and yes or x.v == "slow" and slow or no
      into[#into + 1] = s
    end
    local function names(t) return #t > 0 and table.concat(t, ", ") or "none" end
    parts[#parts + 1] = string.format("%d-layer %s trains with %s; slow with %s; stalls with %s", depth,
                                      act, names(yes), names(slow), names(no))
  end
end
print(string.format("finding: test loss after %d plain-SGD steps (chance %.3f): %s. (%d s)", steps, CHANCE,
                    table.concat(parts, "; "), seconds))
print("results: " .. opts.out .. ", report: " .. html)
