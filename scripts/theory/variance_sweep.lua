-- variance_sweep.lua -- how much the variance of the initial weights matters on the study's
-- own model, and where Glorot's and He's choice sits on that curve.
--
-- Flatten(28x28) -> Dense(128, relu) -> Dense(10, softmax) on Fashion-MNIST, Adam, batch 64,
-- the last 20% of the training set held out for validation (as scripts/compare_inits.lua).
-- Only the hidden kernel changes: random_normal with stddev log-spaced from --min_sd to
-- --max_sd (--points of them), plus glorot_normal and he_normal themselves.  For this layer
-- (fan_in 784, fan_out 128) Glorot's sd is sqrt(2 / (784 + 128)) = 0.0468 and He's
-- sqrt(2 / 784) = 0.0505.  Measured per sd: the final test accuracy and the first epoch
-- whose validation accuracy reaches --target (with the optimizer steps that epoch ends on:
-- the learning metrics are per epoch, so steps are known to epoch granularity only).
--
--   winit run scripts/theory/variance_sweep.lua [--epochs 5] [--points 9] [--min_sd 1e-3]
--       [--max_sd 10] [--target 0.8] [--seed 42] [--data DIR]
--       [--out results/theory/variance_sweep.json]
--
-- Prints a table and a one-line finding, and writes the study's results and HTML report
-- (the .json's name with .html) with accuracy and epochs-to-target against sd on a log
-- axis, Glorot's and He's sd marked.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = { 42, "seed of the study" },
  epochs = { 5, "epochs per run" },
  points = { 9, "random_normal stddevs, log-spaced from --min_sd to --max_sd" },
  min_sd = { 1e-3, "smallest stddev" },
  max_sd = { 10.0, "largest stddev" },
  target = { 0.8, "validation accuracy whose first epoch each run reports" },
  data = { "", "Fashion-MNIST directory; empty: $WINIT_FASHION_MNIST_DIR, else the Debian path" },
  out = { "results/theory/variance_sweep.json", "results file (JSON); the report gets .html" },
}, "Test accuracy and epochs to a validation target against the hidden kernel's stddev\n" ..
   "on the study's model (Fashion-MNIST, Dense(128, relu), Adam).")
assert(opts.points >= 2, "--points must be at least 2")
assert(opts.min_sd > 0 and opts.max_sd > opts.min_sd, "--min_sd must be > 0 and below --max_sd")

local train, test = winit.datasets.fashion_mnist.load_data(opts.data ~= "" and opts.data or nil)
local fan_in, fan_out, batch, split = 784, 128, 64, 0.2
local glorot_sd, he_sd = math.sqrt(2 / (fan_in + fan_out)), math.sqrt(2 / fan_in)
local steps_per_epoch = math.ceil(math.floor(#train * (1 - split)) / batch)

local function build(init)
  local model = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 128, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  model:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy",
                  metrics = { "accuracy" } }
  return model
end

-- sd_k = min_sd * (max_sd / min_sd)^(k / (points - 1)), rounded to 3 significant digits
-- so labels stay readable.
local cases = {}
for k = 0, opts.points - 1 do
  local sd = opts.min_sd * (opts.max_sd / opts.min_sd) ^ (k / (opts.points - 1))
  sd = tonumber(string.format("%.3g", sd))
  cases[#cases + 1] = { label = string.format("normal sd %g", sd), sd = sd,
                        init = { "random_normal", stddev = sd } }
end
cases[#cases + 1] = { label = "glorot_normal", sd = glorot_sd, init = "glorot_normal" }
cases[#cases + 1] = { label = "he_normal", sd = he_sd, init = "he_normal" }

local study = winit.Study { name = "variance_sweep", seed = opts.seed, target = opts.target }
for _, c in ipairs(cases) do
  study:add { name = c.label, model = build(c.init), train = train, test = test,
              epochs = opts.epochs, batch_size = batch, validation_split = split }
end
local results = study:run { save = opts.out, verbose = 0 }

local by = {}
for _, r in ipairs(results:runs()) do by[r.label] = r end
print(string.format("Dense(128, relu) kernel stddev vs test accuracy after %d epoch%s (Adam) and the first epoch"
                    .. " with validation accuracy >= %.2f (%d steps an epoch):", opts.epochs,
                    opts.epochs == 1 and "" or "s", opts.target, steps_per_epoch))
print(string.format("  %-16s %9s %9s %9s %8s", "kernel", "sd", "test acc", "epochs", "steps"))
local sweep_x, sweep_acc, sweep_ep, sweep_ep_x = {}, {}, {}, {}
for _, c in ipairs(cases) do
  local r = by[c.label]
  c.acc = r.status == "ok" and r.test_accuracy or 0 / 0
  c.ep = r.epochs_to_target
  print(string.format("  %-16s %9.4g %9.4f %9s %8s", c.label, c.sd, c.acc, c.ep or "never",
                      c.ep and tostring(c.ep * steps_per_epoch) or "-"))
  if type(c.init) == "table" then
    sweep_x[#sweep_x + 1], sweep_acc[#sweep_acc + 1] = c.sd, c.acc
    if c.ep then sweep_ep_x[#sweep_ep_x + 1], sweep_ep[#sweep_ep + 1] = c.sd, c.ep end
  end
end

local markers = {
  { x = glorot_sd, label = string.format("Glorot sd %.4f", glorot_sd) },
  { x = he_sd, label = string.format("He sd %.4f", he_sd) },
}
local g, h = by.glorot_normal, by.he_normal
local report = opts.out:gsub("%.json$", "") .. ".html"
results:report(report, { figures = {
  { title = "Test accuracy against the hidden kernel's stddev", xlabel = "random_normal stddev (log)",
    ylabel = "test accuracy", xlog = true, markers = markers,
    series = { { label = "random_normal", x = sweep_x, y = sweep_acc },
               { label = "glorot_normal", x = { glorot_sd }, y = { g.test_accuracy } },
               { label = "he_normal", x = { he_sd }, y = { h.test_accuracy } } },
    caption = string.format("Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam, %d epochs, "
                            .. "seed %d; dashed: Glorot's and He's sd for fan_in 784, fan_out 128.",
                            opts.epochs, opts.seed) },
  { title = string.format("Epochs to %.0f%% validation accuracy", 100 * opts.target),
    xlabel = "random_normal stddev (log)", ylabel = "epochs", xlog = true, markers = markers,
    series = { { label = "random_normal", x = sweep_ep_x, y = sweep_ep } },
    caption = string.format("Runs that never reached %.2f within %d epochs have no point.",
                            opts.target, opts.epochs) },
} })

-- The finding: the best random_normal sd, the contiguous range of sd within 1 point of it,
-- what happens beyond that range, and glorot_normal against he_normal.
local best = 1
for k = 2, opts.points do
  if cases[k].acc > cases[best].acc then best = k end
end
local a, b = best, best
while a > 1 and cases[a - 1].acc >= cases[best].acc - 0.01 do a = a - 1 end
while b < opts.points and cases[b + 1].acc >= cases[best].acc - 0.01 do b = b + 1 end
local beyond = {}
for k = 1, opts.points do
  if k < a or k > b then
    beyond[#beyond + 1] = string.format("sd %g %.4f (%s)", cases[k].sd, cases[k].acc,
                                        cases[k].ep and (cases[k].ep .. " epoch" .. (cases[k].ep == 1 and "" or "s"))
                                        or "never")
  end
end
print(string.format(
  "finding (%d epoch%s): test accuracy peaks at sd %g (%.4f; %.2fx Glorot's %.4f) and stays within 1 point of it "
  .. "from sd %g to %g, a factor %.0f; beyond, with epochs to %.2f validation accuracy: %s; glorot_normal %.4f, "
  .. "he_normal %.4f (difference %+.4f, one seed).",
  opts.epochs, opts.epochs == 1 and "" or "s", cases[best].sd, cases[best].acc, cases[best].sd / glorot_sd, glorot_sd,
  cases[a].sd, cases[b].sd, cases[b].sd / cases[a].sd, opts.target,
  #beyond > 0 and table.concat(beyond, ", ") or "none", g.test_accuracy, h.test_accuracy,
  h.test_accuracy - g.test_accuracy))
print("results saved to " .. opts.out .. "; report written to " .. report)
