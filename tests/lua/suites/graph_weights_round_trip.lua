-- get_weights/set_weights on a graph with layers that have no weights (Flatten, Add,
-- Concatenate): the arrays of the Dense layers in layer order, kernel then bias; the
-- accessors of model.layers and get_layer do not take every layer for a Dense.
local winit = require 'winit'
local L = winit.layers
local function build(seed)
  winit.set_seed(seed)
  local x = winit.Input { shape = {4, 4} }
  local f = L.Flatten {}(x)
  local h = L.Dense { 16, activation = 'relu' }(f)
  h = L.Dense { 16, use_bias = false }(h)
  local r = L.Add {}({ h, f })
  local c = L.Concatenate {}({ r, f })
  local y = L.Dense { 3, activation = 'softmax', name = 'out' }(c)
  return winit.Model { inputs = x, outputs = y }
end
local a, b = build(1), build(2)
local w = a:get_weights()
assert(#w == 5, 'kernel, bias, kernel, kernel, bias: got ' .. #w)
assert(#w[1] == 16 and #w[1][1] == 16 and #w[2] == 16, 'dense_1 (16, 16) and (16)')
assert(#w[3] == 16 and #w[3][1] == 16, 'dense_2 (16, 16), no bias')
assert(#w[4] == 32 and #w[4][1] == 3 and #w[5] == 3, 'out (32, 3) and (3)')
assert(a:predict(test)[1][1] ~= b:predict(test)[1][1], 'two seeds, two models')
b:set_weights(w)
local pa, pb = a:predict(test), b:predict(test)
for i = 1, #pa do for j = 1, 3 do assert(pa[i][j] == pb[i][j], 'same weights, same predictions') end end
-- model.layers: the InputLayer first, then the graph's layers in order
local names = {}
for i, l in ipairs(a.layers) do names[i] = l.name .. ':' .. l.class_name .. ':' .. #l:get_weights() end
assert(table.concat(names, ' ') == 'input_1:InputLayer:0 flatten_1:Flatten:0 dense_1:Dense:2 '
  .. 'dense_2:Dense:1 add_1:Add:0 concatenate_1:Concatenate:0 out:Dense:2', table.concat(names, ' '))
assert(tostring(a.layers[5]) == 'Add(add_1)' and tostring(a.layers[1]) == 'InputLayer(input_1)')
assert(tostring(a:get_layer('out')) == 'Dense(out: 3 units, softmax)')
assert(a:get_layer('concatenate_1').axis == -1 and a:get_layer(4).name == 'dense_2')
assert(select('#', a:get_weights(1)) == 0, 'the Flatten node has no arrays')
local k = a:get_weights(6)
assert(#k == 32 and k[1][1] == w[4][1][1], "get_weights(6): out's kernel")
-- a layer's own weights, and none for the others
local lw = a.layers[3]:get_weights()
b.layers[3]:set_weights({ lw[1], lw[2] })
a.layers[5]:set_weights({})
local ok, err = pcall(function() a.layers[5]:set_weights({ {1} }) end)
assert(not ok and err:find('add_1 has no weights', 1, true), err)
ok, err = pcall(function() b:set_weights({ w[1], w[2] }) end)
assert(not ok and err:find('expected a list of 5 arrays', 1, true), err)
ok, err = pcall(function() a:get_layer('nope') end)
assert(not ok and err:find("no layer is named 'nope'", 1, true), err)
