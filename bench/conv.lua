-- bench/conv.lua -- the training throughput of the tutorial CNN's two Conv2D layers, each
-- on its own, on one core.
--
-- The tutorial CNN (scripts/compare_inits_cnn.lua) spends nearly all its arithmetic in its
-- two convolutions; this measures each alone, trained for one epoch (Adam, batch --batch)
-- on --rows random float32 images of its input shape:
--
--   conv1: Input(28, 28, 1)  -> Conv2D(32, 3x3, relu) -> GlobalAveragePooling2D -> Dense(10)
--   conv2: Input(13, 13, 32) -> Scale -> Conv2D(64, 3x3, relu) -> GlobalAveragePooling2D
--          -> Dense(10)
--
-- and prints, per layer, the useful GFLOP/s of its products per training sample: forward
-- (2 * positions * kh*kw*cin * cout), weight gradient (the same) and, for conv2 only, the
-- input gradient (the same again; the Scale before it makes the engine compute it, as the
-- CNN does; conv1 reads the model's input, whose gradient no one needs).  Everything else
-- (pooling, the 10-unit Dense, Scale, Adam, im2col's copies) is in the time and not in the
-- count: the figure is what the layer achieves, to set against the GEMM rate of the same
-- products (bench_kernels' "cnn conv" lines).
--
--   winit run bench/conv.lua [--rows 6400] [--batch 64]
--
-- Prints "conv1 GFLOP/s X" and "conv2 GFLOP/s Y" lines (bench/study.sh part 7 reads them).
-- The images are written as .npy files under /tmp (removed at the end).  One untimed epoch
-- on one batch precedes the timed one (weights made, buffers touched).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  rows = { 6400, "random images per timed epoch" },
  batch = { 64, "batch size" },
})
if opts.rows < opts.batch or opts.batch < 1 then
  error("conv.lua: --rows must be at least --batch (a positive integer)", 0)
end

-- An .npy file of n float32 images of shape dims (version 1.0 header, 64-byte aligned).
local function write_npy(path, descr, shape, payload)
  local dict = string.format("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                             descr, shape)
  local pad = 64 - (10 + #dict + 1) % 64
  local header = dict .. string.rep(" ", pad % 64) .. "\n"
  local f = assert(io.open(path, "wb"))
  f:write("\147NUMPY\1\0", string.pack("<I2", #header), header, payload)
  f:close()
end

local function dataset(n, h, w, c)
  local rng = 12345
  local parts, chunk = {}, {}
  for i = 1, n * h * w * c do
    rng = (rng * 1103515245 + 12345) % 2147483648
    chunk[#chunk + 1] = string.pack("<f", rng / 2147483648 - 0.5)
    if #chunk == 4096 then
      parts[#parts + 1] = table.concat(chunk)
      chunk = {}
    end
    if i == n * h * w * c then
      parts[#parts + 1] = table.concat(chunk)
    end
  end
  local labels = {}
  for i = 1, n do
    labels[i] = string.char((i * 7) % 10)
  end
  local xi, yi = os.tmpname(), os.tmpname()
  write_npy(xi, "<f4", string.format("%d, %d, %d, %d", n, h, w, c), table.concat(parts))
  write_npy(yi, "|u1", string.format("%d,", n), table.concat(labels))
  local ok, ds = pcall(winit.datasets.from_npy, xi, yi, { n_classes = 10 })
  os.remove(xi)
  os.remove(yi)
  if not ok then
    error(ds, 0)
  end
  return ds
end

local function build(which)
  local L = winit.layers
  local x = winit.Input { shape = which == 1 and { 28, 28, 1 } or { 13, 13, 32 } }
  local y = x
  if which == 2 then
    y = L.Scale {}(y)
  end
  y = L.Conv2D { which == 1 and 32 or 64, { 3, 3 }, activation = "relu",
                 kernel_initializer = "he_normal" }(y)
  y = L.GlobalAveragePooling2D {}(y)
  y = L.Dense { 10, activation = "softmax" }(y)
  local model = winit.Model { inputs = x, outputs = y }
  model:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy",
                  metrics = { "accuracy" } }
  return model
end

-- Useful FLOPs per sample: positions * kh*kw*cin * cout multiply-adds per product.
local products = {
  { name = "conv1", h = 28, w = 28, c = 1, macs = 26 * 26 * 9 * 1 * 32, n_products = 2 },
  { name = "conv2", h = 13, w = 13, c = 32, macs = 11 * 11 * 9 * 32 * 64, n_products = 3 },
}

winit.set_jobs(1)
winit.set_seed(1)
print(string.format("winit %s conv layers: one epoch of %d random images, batch %d, one core",
                    winit.version, opts.rows, opts.batch))
for which, p in ipairs(products) do
  local model = build(which)
  model:fit(dataset(opts.batch, p.h, p.w, p.c), { epochs = 1, batch_size = opts.batch,
                                                  verbose = 0, diagnostics = false })
  local ds = dataset(opts.rows, p.h, p.w, p.c)
  local h = model:fit(ds, { epochs = 1, batch_size = opts.batch, verbose = 0,
                            diagnostics = false })
  local flops = 2 * p.macs * p.n_products
  print(string.format("%s GFLOP/s %.2f (%d FLOPs per sample in %d products, %.3f s)", p.name,
                      opts.rows * flops / h.seconds[1] / 1e9, flops, p.n_products,
                      h.seconds[1]))
  io.stdout:flush()
  model, ds = nil, nil
  collectgarbage()
end
