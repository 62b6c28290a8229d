-- Keras's MNIST convnet (keras.io/examples/vision/mnist_convnet) on 784 flat values per
-- example read as (28, 28, 1): it trains (the loss falls over three epochs on generated
-- data), on one thread and on two to the same weights, and its weights come in Keras's
-- order and shapes (kernel (kh, kw, cin, filters), then bias).
local winit = require 'winit'
local L = winit.layers
function cnn()
  return winit.Sequential {
    L.Conv2D { 32, kernel_size = {3, 3}, activation = 'relu', input_shape = {28, 28, 1} },
    L.MaxPooling2D { pool_size = {2, 2} },
    L.Conv2D { 64, kernel_size = {3, 3}, activation = 'relu' },
    L.MaxPooling2D { pool_size = {2, 2} },
    L.Flatten {},
    L.Dropout(0.5),
    L.Dense { 10, activation = 'softmax' },
  }
end
local data = winit.datasets.gaussian { n = 96, features = 784, classes = 10, seed = 3, separation = 0.2 }
local function trained(jobs)
  winit.set_jobs(jobs)
  winit.set_seed(11)
  local m = cnn()
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 1e-3 },
              loss = 'sparse_categorical_crossentropy', metrics = { 'accuracy' } }
  local h = m:fit(data, { epochs = 3, batch_size = 16, verbose = 0 })
  return h, m:get_weights(), m
end
local h1, w1, m = trained(1)
local h2, w2 = trained(2)
assert(h1.loss[3] < h1.loss[1], ('the loss falls: %g then %g'):format(h1.loss[1], h1.loss[3]))
local function same(a, b, where)
  if type(a) == 'table' then
    assert(#a == #b, where .. ': lengths ' .. #a .. ' and ' .. #b)
    for i = 1, #a do same(a[i], b[i], where .. '[' .. i .. ']') end
  else
    assert(a == b, where .. ': ' .. a .. ' ~= ' .. b)
  end
end
same(w1, w2, 'weights on -j 1 and -j 2')
same(h1.loss, h2.loss, 'losses on -j 1 and -j 2')
-- Keras's get_weights: 6 arrays; conv2d_2's kernel (3, 3, 32, 64)
assert(#w1 == 6, #w1)
local k = w1[3]
assert(#k == 3 and #k[1] == 3 and #k[1][1] == 32 and #k[1][1][1] == 64, 'conv2d_2 kernel shape')
assert(#w1[4] == 64 and #w1[5] == 1600 and #w1[5][1] == 10 and #w1[6] == 10, 'bias, dense shapes')
-- set_weights takes them back, and get_weights(i) gives layer i's
m:set_weights(w2)
same(m:get_weights(), w2, 'set_weights round trip')
local kk, bb = m:get_weights(1)
same(kk, w2[1], 'get_weights(1) kernel')
same(bb, w2[2], 'get_weights(1) bias')
assert(m:get_weights(2) == nil, 'MaxPooling2D has no weights')
-- a wrong shape is refused, naming the layer, the array and where
local bad = m:get_weights()
bad[3][2][3] = { 1, 2 }
local ok, err = pcall(m.set_weights, m, bad)
assert(not ok and err:find("conv2d_2's kernel[2][3] has 2 entries; expected 32", 1, true), err)
winit.set_jobs(0)
-- saved and loaded, it is the same Sequential model (no Flatten or InputLayer shown before
-- its Conv2D) with the same weights and predictions
local path = DIR .. '/cnn.winit'
m:save(path)
local back = winit.models.load_model(path)
same(back:get_weights(), m:get_weights(), 'weights after load_model')
same(back:predict(data, 1, 5), m:predict(data, 1, 5), 'predictions after load_model')
assert(#back.layers == 7 and back.layers[1].class_name == 'Conv2D', 'layers after load_model')
