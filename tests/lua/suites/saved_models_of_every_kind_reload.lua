-- Models of the new kinds save and load to the same weights and predictions, and fit on
-- as the model that was saved: a functional model with Add, BatchNormalization (its
-- moving statistics moved by a fit), muP's multipliers, a conv-first Sequential with
-- Dropout, pooling, LayerNormalization and Scale.
local winit = require 'winit'
local L = winit.layers
local function same(a, b, where)
  if type(a) == 'table' then
    assert(#a == #b, where .. ': lengths ' .. #a .. ' and ' .. #b)
    for i = 1, #a do same(a[i], b[i], where .. '[' .. i .. ']') end
  else
    assert(a == b, where .. ': ' .. tostring(a) .. ' ~= ' .. tostring(b))
  end
end
local function mlp(width)
  return winit.Sequential { L.Dense { width, activation = 'relu', input_shape = {16} },
                            L.BatchNormalization {},
                            L.Dense { 3, activation = 'softmax' } }
end
local x = winit.Input { shape = {16} }
local h = L.Dense { 16, activation = 'tanh' }(x)
local functional = winit.Model { inputs = x, outputs = L.Dense { 3, activation = 'softmax' }(L.Add {}({ h, x })) }
local conv = winit.Sequential { L.Conv2D { 3, 2, padding = 'circular', input_shape = {4, 4, 1} },
                                L.AveragePooling2D(), L.Dropout(0.25), L.LayerNormalization {},
                                L.Scale { per_channel = true }, L.Flatten {},
                                L.Dense { 3, activation = 'softmax' } }
local models = { functional = functional, bn = mlp(16), conv = conv, mup = mlp(32) }
for name, m in pairs(models) do
  winit.set_seed(3)
  local opts = { optimizer = winit.optimizers.SGD { learning_rate = 0.05 }, loss = 'categorical_crossentropy' }
  if name == 'mup' then opts.parametrization = 'mup'; opts.base = mlp(8) end
  m:compile(opts)
  m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
  local path = DIR .. '/' .. name .. '.winit'
  m:save(path)
  local back = winit.models.load_model(path)
  same(back:get_weights(), m:get_weights(), name .. ': weights')
  same(back:predict(test, 1, 10), m:predict(test, 1, 10), name .. ': predictions')
  assert(#back.layers == #m.layers, name .. ': layers ' .. #back.layers .. ' and ' .. #m.layers)
  local h1 = m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
  local h2 = back:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
  same(h2.loss, h1.loss, name .. ': a further fit')
end
