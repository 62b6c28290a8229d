-- BatchNormalization in a Sequential model trains (the loss falls), and its weights are
-- Keras's four arrays, gamma, beta, moving_mean, moving_variance: the moving statistics
-- start at 0 and 1 and fit moves them; set_weights writes all four.
local winit = require 'winit'
local L = winit.layers
winit.set_seed(4)
local m = winit.Sequential {
  L.Dense { 16, input_shape = {16} },
  L.BatchNormalization { momentum = 0.9 },
  L.Dense { 3, activation = 'softmax' },
}
m:compile { optimizer = winit.optimizers.SGD { learning_rate = 0.05 }, loss = 'categorical_crossentropy' }
local w0 = m:get_weights()
assert(#w0 == 8, 'arrays: ' .. #w0)
local gamma, beta, mean, var = m:get_weights(2)
assert(#gamma == 16 and #beta == 16 and #mean == 16 and #var == 16, 'per channel')
for i = 1, 16 do
  assert(gamma[i] == 1 and beta[i] == 0 and mean[i] == 0 and var[i] == 1, 'initial values')
end
local h = m:fit(train, { epochs = 3, batch_size = 32, verbose = 0 })
assert(h.loss[3] < h.loss[1], ('the loss falls: %g then %g'):format(h.loss[1], h.loss[3]))
local g1, b1, mean1, var1 = m:get_weights(2)
local moved = 0
for i = 1, 16 do
  if mean1[i] ~= 0 then moved = moved + 1 end
end
assert(moved == 16, 'moving_mean changed in ' .. moved .. ' of 16 channels')
local w = m:get_weights()
assert(w[5][1] == mean1[1] and w[6][1] == var1[1], 'get_weights() holds the moving statistics')
w[5][1] = 0.25
m:set_weights(w)
local _, _, mean2 = m:get_weights(2)
assert(mean2[1] == 0.25, 'set_weights writes moving_mean')
assert(m:get_layer(3).class_name == 'BatchNormalization' or m:get_layer(2).class_name == 'BatchNormalization')
