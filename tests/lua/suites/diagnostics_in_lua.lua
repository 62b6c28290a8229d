local winit = require 'winit'
local s = winit.Study { name = 'd', seed = 3 }
s:add { name = 'zeros', model = build('zeros'), train = train, epochs = 2,
        batch_size = 32, validation_split = 0.2 }
s:add { name = 'he', model = build('he_normal'), train = train, epochs = 2,
        batch_size = 32, validation_split = 0.2, diagnostics = { early = false } }
s:add { name = 'off', model = build('he_normal'), train = train, epochs = 2,
        batch_size = 32, validation_split = 0.2, diagnostics = false }
local runs = s:run { jobs = 1, verbose = 0 }:runs()
local d = runs[1].diagnostics
assert(#d == 8, #d)
local steps = {}
for i, snap in ipairs(d) do
  steps[i] = snap.step
  assert(snap.layers[1].distinct_units == 1 and snap.layers[1].dead == 16)
end
assert(table.concat(steps, ',') == '0,1,2,4,8,15,16,30', table.concat(steps, ','))
assert(d[1].layers[1].update_ratio == nil and d[1].epoch == 0 and d[8].epoch == 2)
assert(runs[1].theory.applies and #runs[1].theory.pre_var == 2)
local h = runs[2].diagnostics
assert(#h == 3 and h[3].step == 30 and h[2].layers[1].distinct_units == 16)
-- weight histograms at initialization: zeros is one spike (a zero range); He's
-- counts add up to the 16 x 16 weights, with the sd the initializer declares
local zh = d[1].layers[1].weights_hist
assert(zh.range[1] == 0 and zh.range[2] == 0 and #zh.counts == 41 and zh.counts[21] == 256)
assert(zh.declared_sd == 0 and d[2].layers[1].weights_hist == nil)
for k, want in ipairs { 16 * 16, 16 * 3 } do
  local wh = h[1].layers[k].weights_hist
  local n = wh.underflow + wh.overflow
  for _, c in ipairs(wh.counts) do n = n + c end
  assert(n == want, n)
  assert(wh.range[1] == -wh.range[2] and wh.range[2] > 0)
end
assert(math.abs(h[1].layers[1].weights_hist.declared_sd - math.sqrt(2 / 16)) < 1e-12)
assert(#runs[3].diagnostics == 0 and runs[3].theory.applies == false)
assert(runs[3].theory.reason:find('diagnostics off'))
local m = build('he_normal')
local hist = m:fit(train, { epochs = 1, batch_size = 32, verbose = 0,
                            diagnostics = { early = false } })
assert(#hist.diagnostics == 2 and hist.diagnostics[2].step == 19)
assert(hist.theory.applies and hist.theory.grad_var[2] > 0)
hist = m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })
-- steps count across fits: the early snapshot at step 32 falls in this one
assert(#hist.diagnostics == 2 and hist.diagnostics[1].step == 32)
assert(hist.diagnostics[2].step == 38 and hist.diagnostics[2].epoch == 1)
