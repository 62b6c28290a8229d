local winit = require 'winit'
winit.set_seed(5)
local m = build('he_normal')
assert(m:count_params() == 16*16 + 16 + 16*3 + 3)
local h = m:fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })
assert(#h.loss == 3 and #h.accuracy == 3 and #h.val_loss == 3 and #h.val_accuracy == 3)
assert(h.loss[3] < h.loss[1], 'loss did not fall')
local loss, acc = m:evaluate(test)
assert(acc > 0.9, 'test accuracy ' .. acc)
local p = m:predict(test, 1, 5)
assert(#p == 5 and #p[1] == 3)
local s = p[1][1] + p[1][2] + p[1][3]
assert(math.abs(s - 1) < 1e-5)
assert(#train == 600 and train.n_classes == 3 and train.n_features == 16)
