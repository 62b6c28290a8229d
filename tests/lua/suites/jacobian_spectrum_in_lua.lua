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
assert(s.method == 'exact' and t.method == 'exact', 'auto is exact at 24 values')
-- method = "lanczos": 10 Ritz values per example, the extremes of the Gaussian stack's
-- spectrum and its exact mean_sq; refusals name the option
winit.set_seed(2)
local gs = stack({ 'random_normal', stddev = 1 / math.sqrt(24) })
local ex = gs:jacobian_spectrum(data, { examples = 3 })
local lz = gs:jacobian_spectrum(data, { examples = 3, method = 'lanczos', steps = 10 })
assert(lz.method == 'lanczos' and #lz == 3 and #lz[1] == 10, 'Ritz values: ' .. #lz[1])
assert(math.abs(lz.max / ex.max - 1) < 1e-6, ('largest %.9g vs %.9g'):format(lz.max, ex.max))
assert(math.abs(lz.mean_sq / ex.mean_sq - 1) < 1e-9, ('mean_sq %.12g vs %.12g'):format(lz.mean_sq, ex.mean_sq))
local ok, e = pcall(gs.jacobian_spectrum, gs, data, { method = 'svd' })
assert(not ok and e:find('method must be "auto", "exact" or "lanczos", got svd', 1, true), e)
ok, e = pcall(gs.jacobian_spectrum, gs, data, { method = 'lanczos', steps = 0 })
assert(not ok and e:find('steps', 1, true), e)
-- from the input of a Sequential that starts with Flatten{input_shape}: the first Dense
-- reads the image flattened (it was refused as "Dense needs a flat input")
winit.set_seed(2)
local img = winit.Sequential { L.Flatten { input_shape = { 4, 6 } }, L.Dense { 5, activation = 'tanh' },
                               L.Dense { 3 } }
local sf = img:jacobian_spectrum(data, { examples = 2 })
assert(#sf == 2 and #sf[1] == 3 and sf.min > 0, 'image input: ' .. #sf[1])
