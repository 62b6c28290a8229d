local winit = require 'winit'
local D = winit.optimizers.schedules
local function sched_model(rate)
  local m = build('glorot_normal')
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = D.ExponentialDecay(0.05, 4, rate) } }
  return m
end
local fit = { epochs = 3, batch_size = 16, validation_split = 0.2 }
function study(rate)
  local s = winit.Study { name = 'spec', seed = 8 }
  s:add { name = 'sched', model = sched_model(rate), train = train, test = test,
          epochs = 3, batch_size = 16, validation_split = 0.2 }
  s:add { name = 'early', model = build('he_normal'), train = train, test = test,
          epochs = 10, batch_size = 16, validation_split = 0.2,
          callbacks = { winit.callbacks.EarlyStopping { monitor = 'loss', min_delta = 10,
                                                        restore_best_weights = true } } }
  s:add { name = 'plain', model = build('glorot_normal'), train = train, test = test,
          epochs = 3, batch_size = 16, validation_split = 0.2 }
  return s
end
path = DIR .. '/spec.json'
local runs = study(0.5):run { verbose = 0, save = path, overwrite = true }:runs()
assert(#runs == 3)
for _, r in ipairs(runs) do assert(r.status == 'ok', r.name .. ': ' .. tostring(r.error)) end

-- The schedule is applied as model:fit applies it: the same numbers to the last bit.
winit.set_seed(runs[1].run_seed)
local m = sched_model(0.5)
local h = m:fit(train, { epochs = 3, batch_size = 16, validation_split = 0.2, verbose = 0 })
for e = 1, 3 do
  assert(h.loss[e] == runs[1].history.loss[e], ('epoch %d: %.17g vs %.17g'):format(e, h.loss[e], runs[1].history.loss[e]))
end
local loss = m:evaluate(test)
assert(loss == runs[1].test_loss)
-- ... and it matters: the constant initial rate gives other numbers.
winit.set_seed(runs[1].run_seed)
local c = build('glorot_normal')
c:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.05 } }
assert(c:fit(train, { epochs = 3, batch_size = 16, validation_split = 0.2, verbose = 0 }).loss[3] ~= runs[1].history.loss[3])

-- Early stopping: nothing improves by 10, so it stops after the second epoch (Keras never
-- stops after the first) and the first epoch's weights come back before the test.
assert(#runs[2].history.loss == 2, 'epochs run: ' .. #runs[2].history.loss)
winit.set_seed(runs[2].run_seed)
local one = build('he_normal')
one:fit(train, { epochs = 1, batch_size = 16, validation_split = 0.2, verbose = 0 })
assert(one:evaluate(test) == runs[2].test_loss, 'the best (first) epoch restored')
assert(#runs[3].history.loss == 3)

-- The results file records them, for the runs that have them only.
local f = assert(io.open(path))
local text = f:read('a') f:close()
local function count(s) return select(2, text:gsub(s, '')) end
assert(count('"schedule": {') == 1 and count('"name": "ExponentialDecay"') == 1)
assert(text:find('"decay_rate": 0.5,') and text:find('"staircase": false'))
assert(count('"early_stopping": {') == 1 and text:find('"monitor": "loss"'))
assert(text:find('"min_delta": 10,') and text:find('"restore_best_weights": true'))
