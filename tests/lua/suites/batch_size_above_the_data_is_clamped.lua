local winit = require 'winit'
local function fit(bs)
  winit.set_seed(3)
  local m = build('he_normal')
  local h = m:fit(train, { epochs = 2, batch_size = bs, validation_split = 0.2, verbose = 0 })
  return h, m
end
local a, ma = fit(480) -- 600 rows, 480 for training
local b, mb = fit(2^31 - 1)
for e = 1, 2 do
  assert(a.loss[e] == b.loss[e], 'loss differs at epoch ' .. e)
  assert(a.val_loss[e] == b.val_loss[e], 'val_loss differs at epoch ' .. e)
end
local l1, a1 = ma:evaluate(test)
local l2, a2 = ma:evaluate(test, { batch_size = 2^31 - 1 })
assert(math.abs(l1 - l2) < 1e-6 and a1 == a2, 'evaluate with a huge batch')
