-- A model has no fixed depth: 300 Dense layers (the limit was 64; a thread team had room
-- for 160 phases a pass, a backward pass of 300 layers has 601) build, train with the
-- same numbers on one thread and on two, save and reload to the same predictions.
local winit = require 'winit'
local ds = winit.datasets.gaussian { n = 256, features = 16, classes = 4, seed = 3 }
local function deep(depth)
  local layers = { winit.layers.Flatten { input_shape = { 16 } } }
  for _ = 1, depth do
    layers[#layers + 1] = winit.layers.Dense { 16, activation = 'tanh', kernel_initializer = 'orthogonal' }
  end
  layers[#layers + 1] = winit.layers.Dense { 4, activation = 'softmax' }
  local m = winit.Sequential(layers)
  m:compile { optimizer = winit.optimizers.SGD { learning_rate = 0.01 }, loss = 'categorical_crossentropy' }
  return m
end
local function trained(jobs)
  winit.set_jobs(jobs)
  winit.set_seed(5)
  local m = deep(300)
  local h = m:fit(ds, { epochs = 2, batch_size = 64, verbose = 0 })
  return m, h.loss[2]
end
local m1, loss1 = trained(1)
local _, loss2 = trained(2)
assert(#m1.layers == 302, 'layers: ' .. #m1.layers)
assert(loss1 == loss1 and loss1 > 0, 'loss ' .. tostring(loss1))
assert(loss1 == loss2, string.format('one thread %.17g, two %.17g', loss1, loss2))
local path = os.tmpname()
m1:save(path)
local back = winit.models.load_model(path)
os.remove(path)
local p1, p2 = m1:predict(ds), back:predict(ds)
for i = 1, #p1 do
  for j = 1, #p1[i] do
    assert(p1[i][j] == p2[i][j], string.format('row %d class %d: %.9g then %.9g', i, j, p1[i][j], p2[i][j]))
  end
end
