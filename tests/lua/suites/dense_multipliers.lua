-- Dense's multipliers: lr = 0 keeps a layer's weights through fit while the others train;
-- kernel = {init = 0.5} draws exactly half the kernel the same seed draws without it.
local winit = require 'winit'
local L = winit.layers
local function build(mult)
  winit.set_seed(4)
  local m = winit.Sequential {
    L.Dense { 16, activation = 'relu', input_shape = {16}, multipliers = mult },
    L.Dense { 3, activation = 'softmax' } }
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },
              loss = 'categorical_crossentropy' }
  return m
end
local frozen = build { kernel = { lr = 0 }, bias = { lr = 0 } }
local k0, b0 = frozen:get_weights(1)
local o0 = frozen:get_weights(2)
frozen:fit(train, { epochs = 2, batch_size = 32, verbose = 0 })
local k1, b1 = frozen:get_weights(1)
local o1 = frozen:get_weights(2)
local moved = 0
for r = 1, 16 do for c = 1, 16 do assert(k1[r][c] == k0[r][c], 'frozen kernel moved') end end
for c = 1, 16 do assert(b1[c] == b0[c], 'frozen bias moved') end
for r = 1, 16 do for c = 1, 3 do moved = moved + (o1[r][c] ~= o0[r][c] and 1 or 0) end end
-- (a hidden unit dead on every sample leaves its row of 3 where it was)
assert(moved >= 42, 'the output layer trains: ' .. moved .. ' of 48 moved')
local plain, half = build(nil), build { kernel = { init = 0.5 } }
local kp, kh = plain:get_weights(1), half:get_weights(1)
for r = 1, 16 do for c = 1, 16 do
  assert(kh[r][c] == 0.5 * kp[r][c], 'init 0.5 at ' .. r .. ',' .. c .. ': ' .. kh[r][c] .. ' vs ' .. kp[r][c])
end end
local op, oh = plain:get_weights(2), half:get_weights(2)
for r = 1, 16 do for c = 1, 3 do assert(op[r][c] == oh[r][c], 'the other layer unchanged') end end
-- all 1 is the layer without multipliers
local ones = build { kernel = { init = 1, lr = 1 }, output = 1 }
local h1 = plain:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
local h2 = ones:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
assert(h1.loss[1] == h2.loss[1], 'multipliers of 1 change nothing')
