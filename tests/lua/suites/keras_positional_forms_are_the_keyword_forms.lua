-- Keras's positional forms make the same layers as the keyword forms: the same spec, so
-- the same initial weights from one seed (and the same summary).
local winit = require 'winit'
local L = winit.layers
local function weights(layers)
  winit.set_seed(5)
  local m = winit.Sequential(layers)
  return m:get_weights(), m
end
local function same(a, b, where)
  if type(a) == 'table' then
    assert(#a == #b, where .. ': lengths ' .. #a .. ' and ' .. #b)
    for i = 1, #a do same(a[i], b[i], where .. '[' .. i .. ']') end
  else
    assert(a == b, where .. ': ' .. tostring(a) .. ' ~= ' .. tostring(b))
  end
end
local kw = weights {
  L.Conv2D { filters = 4, kernel_size = {3, 3}, strides = {1, 1}, padding = 'same',
             dilation_rate = {1, 1}, activation = 'relu', input_shape = {8, 8, 2} },
  L.MaxPooling2D { pool_size = {2, 2}, strides = {2, 2}, padding = 'valid' },
  L.Conv2D { filters = 6, kernel_size = {2, 2}, kernel_initializer = 'he_normal' },
  L.AveragePooling2D { pool_size = {1, 1} },
  L.BatchNormalization { momentum = 0.99, epsilon = 1e-3, gamma_initializer = 'ones',
                         beta_initializer = 'zeros' },
  L.Dropout { rate = 0.25 },
  L.GlobalAveragePooling2D {},
  L.Scale { initializer = 'ones', per_channel = false },
  L.LayerNormalization { epsilon = 1e-3 },
  L.Dense { 3, activation = 'softmax' },
}
local forms = {
  { L.Conv2D(4, 3, { padding = 'same', activation = 'relu', input_shape = {8, 8, 2} }),
    L.MaxPooling2D(), L.Conv2D(6, {2, 2}, { kernel_initializer = 'he_normal' }),
    L.AveragePooling2D(1), L.BatchNormalization(), L.Dropout(0.25), L.GlobalAveragePooling2D(),
    L.Scale(), L.LayerNormalization(), L.Dense(3, 'softmax') },
  { L.Conv2D { 4, 3, padding = 'same', activation = 'relu', input_shape = {8, 8, 2} },
    L.MaxPooling2D { 2 }, L.Conv2D { 6, 2, kernel_initializer = 'he_normal' },
    L.AveragePooling2D { 1, 1 }, L.BatchNormalization {}, L.Dropout { 0.25 },
    L.GlobalAveragePooling2D {}, L.Scale {}, L.LayerNormalization {}, L.Dense { 3, 'softmax' } },
  { L.Conv2D { 4, {3, 3}, padding = 'same', activation = 'relu', input_shape = {8, 8, 2} },
    L.MaxPooling2D { 2, 2, 'valid' }, L.Conv2D { 6, kernel_size = 2, kernel_initializer = 'he_normal' },
    L.AveragePooling2D { pool_size = 1, strides = 1 }, L.BatchNormalization { axis = -1 },
    L.Dropout { rate = 0.25 }, L.GlobalAveragePooling2D(), L.Scale(), L.LayerNormalization { axis = -1 },
    L.Dense { 3, activation = 'softmax' } },
}
for f, layers in ipairs(forms) do
  local w = weights(layers)
  same(kw, w, 'form ' .. f)
end
assert(#kw == 4 + 4 + 1 + 2 + 2, 'arrays: ' .. #kw)
-- a trailing nil (an options variable left nil) is no argument
local none
local a = weights { L.Conv2D(4, 3, { input_shape = {8, 8, 2} }, none), L.MaxPooling2D(none),
                    L.Dropout(0.5, none), L.Flatten(), L.Dense(3, 'softmax') }
local b = weights { L.Conv2D { 4, 3, input_shape = {8, 8, 2} }, L.MaxPooling2D {}, L.Dropout { 0.5 },
                    L.Flatten {}, L.Dense { 3, 'softmax' } }
same(a, b, 'trailing nil')
-- the same layers in the functional API: the same weights again
winit.set_seed(5)
local x = winit.Input { shape = {8, 8, 2} }
local h = L.Conv2D(4, 3, { padding = 'same', activation = 'relu' })(x)
h = L.MaxPooling2D()(h)
h = L.Conv2D(6, 2, { kernel_initializer = 'he_normal' })(h)
h = L.AveragePooling2D(1)(h)
h = L.BatchNormalization()(h)
h = L.Dropout(0.25)(h)
h = L.GlobalAveragePooling2D()(h)
h = L.Scale()(h)
h = L.LayerNormalization()(h)
local y = L.Dense(3, 'softmax')(h)
same(kw, winit.Model { inputs = x, outputs = y }:get_weights(), 'functional')
-- the comparison sees a difference: another first initializer, other weights
local other = weights { L.Conv2D(4, 3, { padding = 'same', activation = 'relu', input_shape = {8, 8, 2},
                                         kernel_initializer = 'he_uniform' }),
                        L.MaxPooling2D(), L.Conv2D(6, {2, 2}, { kernel_initializer = 'he_normal' }),
                        L.AveragePooling2D(1), L.BatchNormalization(), L.Dropout(0.25),
                        L.GlobalAveragePooling2D(), L.Scale(), L.LayerNormalization(), L.Dense(3, 'softmax') }
assert(not pcall(same, kw, other, 'other'), 'he_uniform gave the same weights')
-- model.layers show each kind's Keras attributes as given
local _, m = weights(forms[1])
local ls = m.layers
local function pair(p, a, b, what) assert(p[1] == a and p[2] == b, what .. ': ' .. p[1] .. 'x' .. p[2]) end
assert(ls[1].class_name == 'Conv2D' and ls[1].filters == 4 and ls[1].padding == 'same' and
       ls[1].activation == 'relu' and ls[1].kernel_initializer == 'glorot_uniform' and
       ls[1].bias_initializer == 'zeros' and ls[1].use_bias == true, 'Conv2D attributes')
pair(ls[1].kernel_size, 3, 3, 'kernel_size')
pair(ls[1].strides, 1, 1, 'strides')
pair(ls[1].dilation_rate, 1, 1, 'dilation_rate')
assert(tostring(ls[1]) == 'Conv2D(conv2d_1: 4 filters 3x3, relu)', tostring(ls[1]))
assert(tostring(L.Conv2D(8, {3, 5})) == 'Conv2D(conv2d: 8 filters 3x5, linear)')
assert(ls[2].class_name == 'MaxPooling2D' and ls[2].padding == 'valid', 'MaxPooling2D')
pair(ls[2].pool_size, 2, 2, 'pool_size')
pair(ls[2].strides, 2, 2, 'pool strides')
pair(ls[4].pool_size, 1, 1, 'AveragePooling2D pool_size')
assert(ls[3].kernel_initializer == 'he_normal', 'conv2d_2 initializer')
assert(ls[5].momentum == 0.99 and ls[5].epsilon == 1e-3 and ls[5].gamma_initializer == 'ones' and
       ls[5].beta_initializer == 'zeros', 'BatchNormalization attributes')
assert(ls[6].rate == 0.25, 'Dropout rate')
assert(ls[8].initializer == 'ones' and ls[8].per_channel == false, 'Scale attributes')
assert(ls[9].epsilon == 1e-3, 'LayerNormalization epsilon')
assert(ls[7].filters == nil and ls[7].rate == nil, 'GlobalAveragePooling2D has none of those')
