local winit = require 'winit'
local function seeds(design)
  local study = winit.Study { seed = 3, design = design, target = 0.01 }
  for _, init in ipairs { 'glorot_normal', 'he_normal' } do
    for r = 1, 2 do
      study:add { name = init .. r, label = init, model = build(init), train = train, epochs = 1, validation_split = 0.2 }
    end
  end
  local runs = study:run { verbose = 0, save = DIR .. '/' .. (design or 'default') .. '.json' }:runs()
  assert(runs[1].replicate == 0 and runs[2].replicate == 1 and runs[4].replicate == 1)
  assert(runs[1].design == (design or 'paired'))
  assert(runs[1].best_epoch == 1 and runs[1].epochs_to_target == 1 and runs[1].val_auc > 0)
  assert(runs[1].steps_to_target == 0, tostring(runs[1].steps_to_target)) -- at initialization already above 1%: step 0
  assert(runs[1].diagnostics[1].val_rows > 0 and runs[1].diagnostics[1].val_accuracy >= 0.01)
  return runs
end
local p = seeds()
assert(p[1].run_seed == p[3].run_seed and p[2].run_seed == p[4].run_seed)
assert(p[1].run_seed ~= p[2].run_seed)
local i = seeds('independent')
assert(i[1].run_seed ~= i[3].run_seed and i[1].run_seed ~= p[1].run_seed)
local f = assert(io.open(DIR .. '/independent.json'))
local json = f:read('a')
assert(json:find('"design": "independent"', 1, true))
assert(json:find('"epochs_to_target": 1', 1, true) and json:find('"best_epoch": 1', 1, true))
assert(json:find('"steps_to_target": 0', 1, true))
f:close()
