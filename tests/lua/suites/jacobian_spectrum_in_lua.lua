-- model:jacobian_spectrum: a 16-layer linear model with orthogonal kernels is an isometry
-- (every singular value 1 to 1e-4), a Gaussian one is not (its spectrum spreads); from a
-- list of rows as from a dataset; from/to take layer numbers counted from 1, 0 the input.
local winit = require 'winit'
local L = winit.layers
local function stack(init)
  local ls = { L.Dense { 24, kernel_initializer = init, use_bias = false, input_shape = {24} } }
  for i = 2, 16 do ls[i] = L.Dense { 24, kernel_initializer = init, use_bias = false } end
  return winit.Sequential(ls)
end
local data = winit.datasets.gaussian { n = 12, features = 24, classes = 2, seed = 1 }
winit.set_seed(2)
local s = stack('orthogonal'):jacobian_spectrum(data)
assert(#s == 8, 'examples: ' .. #s)
for e = 1, #s do
  assert(#s[e] == 24, 'values: ' .. #s[e])
  for j = 1, 24 do
    assert(math.abs(s[e][j] - 1) < 1e-4, ('example %d value %d: %.9g'):format(e, j, s[e][j]))
  end
end
assert(math.abs(s.mean_sq - 1) < 1e-4 and math.abs(s.max - 1) < 1e-4 and math.abs(s.min - 1) < 1e-4)
winit.set_seed(2)
local g = stack({ 'random_normal', stddev = 1 / math.sqrt(24) }):jacobian_spectrum(data, { examples = 3 })
assert(#g == 3, 'examples = 3')
assert(g.max > 2 and g.min < 0.5, ('a Gaussian stack spreads: max %g, min %g'):format(g.max, g.min))
for e = 1, #g do
  for j = 2, #g[e] do assert(g[e][j] <= g[e][j - 1], 'descending') end
end
-- rows as a table; a slice between layers 2 and 5 of the orthogonal stack is an isometry too
winit.set_seed(2)
local m = stack('orthogonal')
local rows = {}
for i = 1, 2 do
  rows[i] = {}
  for j = 1, 24 do rows[i][j] = math.sin(i * j) end
end
local t = m:jacobian_spectrum(rows, { from = 2, to = 5 })
assert(#t == 2 and math.abs(t.max - 1) < 1e-4 and math.abs(t.min - 1) < 1e-4)
