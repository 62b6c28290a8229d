local winit = require 'winit'
local function once()
  winit.set_seed(11)
  local m = build({'random_normal', stddev = 0.5})
  local h = m:fit(train, { epochs = 2, batch_size = 16, verbose = 0 })
  local l, a = m:evaluate(test)
  return h.loss[2], l, a
end
local a1, b1, c1 = once()
local a2, b2, c2 = once()
assert(a1 == a2 and b1 == b2 and c1 == c2, 'not reproducible')
winit.set_seed(12)
local m = build({'random_normal', stddev = 0.5})
local h = m:fit(train, { epochs = 2, batch_size = 16, verbose = 0 })
assert(h.loss[2] ~= a1, 'seed ignored')
