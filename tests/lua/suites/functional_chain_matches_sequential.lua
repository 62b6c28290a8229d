-- Input -> Flatten -> Dense -> Dense(softmax) as a functional model trains exactly as the
-- same Sequential model: the functional Flatten is a real node of the graph (it copies the
-- values), the Sequential one implicit, and the numbers are the same.
local winit = require 'winit'
local L = winit.layers
local function compiled(m)
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },
              loss = 'categorical_crossentropy', metrics = {'accuracy'} }
  return m
end
local function sequential()
  return compiled(winit.Sequential {
    L.Flatten { input_shape = {4, 4} },
    L.Dense { 16, activation = 'relu', kernel_initializer = 'he_normal' },
    L.Dense { 3, activation = 'softmax' } })
end
local function functional()
  local x = winit.Input { shape = {4, 4} }
  local f = L.Flatten {}(x)
  local h = L.Dense { 16, activation = 'relu', kernel_initializer = 'he_normal' }(f)
  local y = L.Dense { 3, activation = 'softmax' }(h)
  return compiled(winit.Model { inputs = x, outputs = y })
end
local function same(a, b, what)
  assert(#a == #b and #a > 0, what .. ': lengths ' .. #a .. ' and ' .. #b)
  for i = 1, #a do
    if type(a[i]) == 'table' then same(a[i], b[i], what .. '[' .. i .. ']')
    else assert(a[i] == b[i], what .. '[' .. i .. ']: ' .. a[i] .. ' ~= ' .. b[i]) end
  end
end
winit.set_seed(7)
local s, g = sequential(), functional()
same(s:get_weights(), g:get_weights(), 'initial weights')
same(s:predict(test), g:predict(test), 'predictions before fit')
local hs = s:fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })
local hg = g:fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })
for _, k in ipairs { 'loss', 'accuracy', 'val_loss', 'val_accuracy' } do same(hs[k], hg[k], k) end
assert(hs.loss[3] < hs.loss[1], 'it learned')
same(s:predict(test), g:predict(test), 'predictions after fit')
same(s:get_weights(), g:get_weights(), 'trained weights')
local ls, as = s:evaluate(test)
local lg, ag = g:evaluate(test)
assert(ls == lg and as == ag, 'evaluate')
-- Keras's Sequential([keras.Input(shape), ...]) is the same Sequential model
winit.set_seed(7)
local si = compiled(winit.Sequential { winit.Input { shape = {4, 4} }, L.Flatten {},
  L.Dense { 16, activation = 'relu', kernel_initializer = 'he_normal' },
  L.Dense { 3, activation = 'softmax' } })
local hi = si:fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })
same(hs.loss, hi.loss, 'Sequential from an Input')
