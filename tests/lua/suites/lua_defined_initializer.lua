local winit = require 'winit'
local calls = 0
local name = winit.initializer { name = 'halfnormal', summary = 'test',
  fill = function(t, rng)
    calls = calls + 1
    assert(t.shape[1] == t.fan_in and t.shape[2] == t.fan_out and t.n == t.fan_in * t.fan_out)
    local v, s = {}, math.sqrt(1 / t.fan_in)
    for i = 1, t.n do v[i] = math.abs(rng:normal()) * s end
    return v
  end }
assert(name == 'halfnormal')
local function run()
  winit.set_seed(3)
  local m = build('halfnormal')
  local w = m:get_weights(1)
  for r = 1, 16 do for c = 1, 16 do assert(w[r][c] >= 0) end end
  return w[1][1], w[16][16]
end
local a, b = run()
local c, d = run()
assert(a == c and b == d, 'not reproducible')
assert(calls == 2)
local s = winit.Study { seed = 1 }
s:add { name = 'x', model = build('halfnormal'), train = train, test = test, epochs = 1 }
s:add { name = 'y', model = build('halfnormal'), train = train, test = test, epochs = 1 }
local r = s:run { jobs = 2, verbose = 0 }
assert(r:failed() == 0 and calls == 4)
assert(r:runs()[1].test_accuracy > 0.5)
