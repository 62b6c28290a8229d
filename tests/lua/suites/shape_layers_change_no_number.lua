-- Reshape and Flatten move no value: a Sequential model with them trains exactly as the
-- one without (their nodes draw from no stream and shift no other layer's), and a
-- functional model with Reshape and Flatten between its Dense layers as well.
local winit = require 'winit'
local L = winit.layers
local function fitted(m)
  m:compile { optimizer = winit.optimizers.SGD { learning_rate = 0.05 },
              loss = 'categorical_crossentropy' }
  local h = m:fit(train, { epochs = 2, batch_size = 16, verbose = 0 })
  return h, m:predict(test, 1, 20)
end
local function same(a, b, what)
  for i = 1, #a do
    if type(a[i]) == 'table' then same(a[i], b[i], what)
    else assert(a[i] == b[i], what .. ': ' .. a[i] .. ' ~= ' .. b[i]) end
  end
end
winit.set_seed(9)
local h0, p0 = fitted(winit.Sequential { L.Dense { 8, activation = 'tanh', input_shape = {16} },
                                         L.Dense { 3, activation = 'softmax' } })
winit.set_seed(9)
local h1, p1 = fitted(winit.Sequential { L.Reshape { {4, -1, 1}, input_shape = {16} }, L.Flatten {},
                                         L.Dense { 8, activation = 'tanh' },
                                         L.Reshape { target_shape = {2, 4} }, L.Flatten {},
                                         L.Dense { 3, activation = 'softmax' } })
same(h0.loss, h1.loss, 'Sequential loss')
same(p0, p1, 'Sequential predictions')
winit.set_seed(9)
local x = winit.Input { shape = {16} }
local r = L.Reshape { {2, 8} }(x)
local h = L.Dense { 8, activation = 'tanh' }(L.Flatten {}(r))
local y = L.Dense { 3, activation = 'softmax' }(L.Flatten {}(L.Reshape { {8, 1} }(h)))
local h2, p2 = fitted(winit.Model { inputs = x, outputs = y })
same(h0.loss, h2.loss, 'functional loss')
same(p0, p2, 'functional predictions')
assert(h0.loss[2] < h0.loss[1], 'it learned')
