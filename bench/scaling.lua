-- bench/scaling.lua -- training throughput of winit against model size, on one core.
--
-- For hidden widths 128, 512, 2048, depths (hidden layers) 1, 4, 16 and batch sizes 16,
-- 64, 256, trains 784 -> width x depth (relu, he_normal) -> 10 (softmax) with Adam for one
-- epoch on the first n Fashion-MNIST training images, n chosen from the FLOPs per sample
-- so that each configuration takes about --seconds of training, and prints
--
--   width  depth  batch  samples  s/epoch@48k  GFLOP/s
--
-- "s/epoch@48k" is the epoch time scaled to the seed study's 48,000 training samples;
-- "GFLOP/s" counts the useful FLOPs of a training step: every layer's forward and weight
-- gradient products and every input gradient except the first layer's (which no one
-- needs): 2*(2*P + (P - 784*width)) per sample, P = the sum of fan_in * fan_out.
-- Training runs on one thread (jobs = 1), so the figures are per core, with diagnostics
-- off: their snapshots cost the same per epoch whatever the batch, and this measures the
-- training step (make bench-diagnostics measures them).
--
--   winit run bench/scaling.lua [--seconds 0.5] [--gflops 60] [--data DIR]
--                               [--widths 128,512,2048] [--depths 1,4,16]
--                               [--batches 16,64,256]
--
-- --gflops is the throughput assumed when sizing the subsets.  The subset is written as
-- an IDX file (under /tmp) from the gzipped originals via `gzip -dc`, so no validation
-- split is needed and only training is timed; one untimed training step on `batch`
-- samples precedes the timed epoch (weight initialisation, first touch of the buffers).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seconds = 0.5,
  gflops = 60.0,
  data = "",
  widths = "128,512,2048",
  depths = "1,4,16",
  batches = "16,64,256",
})

local function list(s)
  local t = {}
  for v in s:gmatch("[^,]+") do
    t[#t + 1] = assert(math.tointeger(tonumber(v)), "not an integer list: " .. s)
  end
  return t
end

local dir = opts.data ~= "" and opts.data or os.getenv("WINIT_FASHION_MNIST_DIR")
    or "/usr/share/datasets/fashion-mnist"

-- The bytes of an IDX file, gzipped or not.
local function slurp(stem)
  local f = io.open(dir .. "/" .. stem, "rb")
  if f then
    local s = f:read("a")
    f:close()
    return s
  end
  local path = dir .. "/" .. stem .. ".gz"
  f = io.open(path, "rb")
  if not f then
    error("scaling.lua: cannot open " .. dir .. "/" .. stem .. "[.gz]")
  end
  f:close()
  local p = assert(io.popen("gzip -dc '" .. path .. "'", "r"))
  local s = p:read("a")
  local ok, how, code = p:close()
  if not ok then
    error(string.format("scaling.lua: gzip -dc %s failed (%s %s)", path, how, code))
  end
  return s
end

local images = slurp("train-images-idx3-ubyte")
local labels = slurp("train-labels-idx1-ubyte")
local n_all = string.unpack(">I4", images, 5)
local img_bytes = 784
assert(string.unpack(">I4", images, 1) == 0x803 and #images >= 16 + n_all * img_bytes,
       "scaling.lua: unexpected train-images header")
assert(string.unpack(">I4", labels, 1) == 0x801, "scaling.lua: unexpected train-labels header")

local tmp_images, tmp_labels = os.tmpname(), os.tmpname()

-- The first n training samples as a dataset.
local function subset(n)
  local f = assert(io.open(tmp_images, "wb"))
  f:write(string.pack(">I4I4I4I4", 0x803, n, 28, 28), images:sub(17, 16 + n * img_bytes))
  f:close()
  f = assert(io.open(tmp_labels, "wb"))
  f:write(string.pack(">I4I4", 0x801, n), labels:sub(9, 8 + n))
  f:close()
  return winit.load_idx(tmp_images, tmp_labels, 10)
end

local function build(width, depth)
  local layers = { winit.layers.Flatten { input_shape = { 28, 28 } } }
  for _ = 1, depth do
    layers[#layers + 1] = winit.layers.Dense { width, activation = "relu",
                                               kernel_initializer = "he_normal" }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy",
                  metrics = { "accuracy" } }
  return model
end

-- Useful FLOPs per training sample (see the header).
local function flops_per_sample(width, depth)
  local p = 784 * width + (depth - 1) * width * width + width * 10
  return 2 * (2 * p + (p - 784 * width))
end

winit.set_jobs(1)
winit.set_seed(1)
print(string.format("winit %s scaling: one epoch per configuration on one core, Adam, "
                    .. "he_normal", winit.version))
print(string.format("%6s %6s %6s %8s %12s %9s", "width", "depth", "batch", "samples",
                    "s/epoch@48k", "GFLOP/s"))
local t_start = os.clock()
local wall_start = os.time()
local function rows()
  for _, width in ipairs(list(opts.widths)) do
    for _, depth in ipairs(list(opts.depths)) do
      local f = flops_per_sample(width, depth)
      for _, batch in ipairs(list(opts.batches)) do
        local n = math.ceil(opts.seconds * opts.gflops * 1e9 / f / batch) * batch
        n = math.max(n, 2 * batch)
        n = math.min(n, n_all - n_all % batch)
        local model = build(width, depth)
        -- one untimed step first: initialises the weights and touches every buffer
        -- (gradients, Adam's moments), so the timed epoch measures steady-state training
        model:fit(subset(batch), { epochs = 1, batch_size = batch, verbose = 0,
                                   diagnostics = false })
        local ds = subset(n)
        local h = model:fit(ds, { epochs = 1, batch_size = batch, verbose = 0,
                                  diagnostics = false })
        local s = h.seconds[1]
        print(string.format("%6d %6d %6d %8d %12.3f %9.1f", width, depth, batch, n,
                            s * 48000 / n, n * f / s / 1e9))
        io.stdout:flush()
        model, ds = nil, nil
        collectgarbage()
      end
    end
  end
end

local ok, err = pcall(rows)
os.remove(tmp_images)
os.remove(tmp_labels)
if not ok then
  error(err, 0)
end
print(string.format("(%.0f s CPU, about %d s wall)", os.clock() - t_start,
                    os.time() - wall_start))
