local winit = require 'winit'
local s = winit.Study { name = 'lua', seed = 3 }
for _, init in ipairs { 'zeros', 'glorot_normal', 'he_normal' } do
  s:add { name = init, model = build(init), train = train, test = test,
          epochs = 2, batch_size = 32, validation_split = 0.2 }
end
assert(#s == 3)
local r = s:run { jobs = 2, save = DIR .. '/out/results.json', verbose = 0 }
local runs = r:runs()
assert(#runs == 3 and r:failed() == 0)
assert(runs[1].name == 'zeros' and runs[1].status == 'ok')
assert(runs[3].test_accuracy > 0.9, runs[3].test_accuracy)
assert(#runs[2].history.val_accuracy == 2)
local f = assert(io.open(DIR .. '/out/results.json'))
local text = f:read('a') f:close()
assert(text:find('"format": "winit%-results"'))
assert(select(2, text:gsub('"test_accuracy"', '')) == 3)
