-- compile's parametrization: muP with the model itself as its base is the standard
-- parametrization to the bit (every multiplier 1), after a fit too; at another width
-- muP changes the numbers; NTK trains.
local winit = require 'winit'
local L = winit.layers
local function mlp(width)
  return winit.Sequential { L.Dense { width, activation = 'relu', input_shape = {16} },
                            L.Dense { width, activation = 'relu' },
                            L.Dense { 3, activation = 'softmax' } }
end
local function fitted(width, opts)
  winit.set_seed(8)
  local m = mlp(width)
  opts.optimizer = winit.optimizers.Adam { learning_rate = 0.01 }
  opts.loss = 'categorical_crossentropy'
  m:compile(opts)
  local h = m:fit(train, { epochs = 2, batch_size = 32, verbose = 0 })
  return m:get_weights(), h
end
local function same(a, b, where)
  if type(a) == 'table' then
    assert(#a == #b, where .. ': lengths')
    for i = 1, #a do same(a[i], b[i], where .. '[' .. i .. ']') end
  else
    assert(a == b, where .. ': ' .. a .. ' ~= ' .. b)
  end
end
local ws, hs = fitted(32, {})
local wstd = fitted(32, { parametrization = 'standard' })
same(ws, wstd, 'standard')
local wm, hm = fitted(32, { parametrization = 'mup', base = mlp(32) })
same(ws, wm, 'mup at the base width')
same(hs.loss, hm.loss, 'mup at the base width: losses')
local wwide = fitted(32, { parametrization = 'mup', base = mlp(8) })
assert(not pcall(same, ws, wwide, 'mup wider than its base'), 'muP at 4x the base changed nothing')
local wz = fitted(32, { parametrization = 'mup', base = mlp(8), zero_output = true })
assert(not pcall(same, wwide, wz, 'zero_output'), 'zero_output changed nothing')
local _, hn = fitted(32, { parametrization = 'ntk' })
assert(hn.loss[2] < hn.loss[1], 'ntk trains')
