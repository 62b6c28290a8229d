local winit = require 'winit'
study = winit.Study { seed = 4 }
study:grid { factors = { init = { 'glorot_normal', 'zeros', {'random_normal', stddev = 0.3} },
                         width = { 8, 16 } },
             order = { 'init', 'width' }, replicates = 3, train = train, test = test,
             epochs = 1, batch_size = 32,
             build = function(cfg)
               assert(cfg.replicate >= 0 and cfg.replicate < 3)
               local m = winit.Sequential {
                 winit.layers.Flatten { input_shape = {4, 4} },
                 winit.layers.Dense { cfg.width, activation = 'relu', kernel_initializer = cfg.init },
                 winit.layers.Dense { 3, activation = 'softmax' } }
               m:compile { optimizer = winit.optimizers.Adam(), loss = 'categorical_crossentropy' }
               return m
             end }
assert(#study == 18, #study)
results = study:run { verbose = 0, save = DIR .. '/grid.json' }
local runs = results:runs()
assert(runs[1].label == 'glorot_normal / 8' and runs[1].name == 'glorot_normal / 8#1')
assert(runs[4].factors.init == 'glorot_normal' and runs[4].factors.width == '16')
assert(runs[18].factors.init == 'random_normal' and runs[18].replicate == 2)
local f = assert(io.open(DIR .. '/grid.json'))
assert(f:read('a'):find('"factors": {%s*"init": "zeros",%s*"width": "8"%s*}'))
f:close()
-- diagnostics passes on to every run, as study:add takes it
local quiet = winit.Study { seed = 4 }
quiet:grid { factors = { init = { 'glorot_normal', 'zeros' } }, train = train, test = test,
             epochs = 1, batch_size = 32, diagnostics = false,
             build = function(cfg)
               local m = winit.Sequential {
                 winit.layers.Flatten { input_shape = {4, 4} },
                 winit.layers.Dense { 3, activation = 'softmax', kernel_initializer = cfg.init } }
               m:compile { optimizer = winit.optimizers.Adam(), loss = 'categorical_crossentropy' }
               return m
             end }
local qruns = quiet:run { verbose = 0 }:runs()
assert(#qruns == 2 and #qruns[1].diagnostics == 0 and #qruns[2].diagnostics == 0, #qruns[1].diagnostics)
assert(#runs[1].diagnostics > 0, 'diagnostics are on by default')
