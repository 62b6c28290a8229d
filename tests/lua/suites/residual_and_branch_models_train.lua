-- A residual block (Add) and two branches (Concatenate) train on the generated data, and
-- give the same numbers on one thread and on two.
local winit = require 'winit'
local L = winit.layers
local function residual()
  local x = winit.Input { shape = {4, 4} }
  local f = L.Flatten {}(x)
  local h = L.Dense { 16, activation = 'relu' }(f)
  h = L.Dense { 16 }(h)
  local r = L.Add {}({ h, f })
  local y = L.Dense { 3, activation = 'softmax' }(r)
  return winit.Model { inputs = x, outputs = y }
end
local function branches()
  local x = winit.Input { shape = {16} }
  local a = L.Dense { 8, activation = 'relu' }(x)
  local b = L.Dense { 8, activation = 'tanh' }(x)
  local c = L.Concatenate { axis = -1 }({ a, b })
  local y = L.Dense { 3, activation = 'softmax' }(c)
  return winit.Model { inputs = x, outputs = y }
end
local function trained(build, jobs)
  winit.set_seed(11)
  winit.set_jobs(jobs)
  local m = build()
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },
              loss = 'categorical_crossentropy', metrics = {'accuracy'} }
  local h = m:fit(train, { epochs = 4, batch_size = 16, verbose = 0 })
  return m, h
end
for name, build in pairs { residual = residual, branches = branches } do
  local m1, h1 = trained(build, 1)
  local m2, h2 = trained(build, 2)
  assert(h1.loss[4] < 0.8 * h1.loss[1], name .. ': loss ' .. h1.loss[1] .. ' -> ' .. h1.loss[4])
  local _, acc = m1:evaluate(test)
  assert(acc > 0.6, name .. ': test accuracy ' .. acc)
  for e = 1, 4 do assert(h1.loss[e] == h2.loss[e], name .. ': epoch ' .. e .. ' loss differs with -j 2') end
  local p1, p2 = m1:predict(test), m2:predict(test)
  for i = 1, #p1 do for j = 1, 3 do
    assert(p1[i][j] == p2[i][j], name .. ': prediction ' .. i .. ',' .. j .. ' differs with -j 2')
  end end
end
