local winit = require 'winit'
local function big(opt)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = {4, 4} },
    winit.layers.Dense { 16, activation = 'linear',
                         kernel_initializer = { 'random_normal', stddev = 100 } },
    winit.layers.Dense { 3, activation = 'softmax' } }
  m:compile { optimizer = opt, loss = 'categorical_crossentropy' }
  return m
end
local s = winit.Study { seed = 1 }
s:add { name = 'adam', model = big(winit.optimizers.Adam { learning_rate = 1e20 }),
        train = train, test = test, epochs = 2 }
s:add { name = 'sgd', model = big(winit.optimizers.SGD { learning_rate = 1e10 }),
        train = train, test = test, epochs = 2 }
s:add { name = 'fine', model = build('he_normal'), train = train, test = test, epochs = 1 }
local r = s:run { jobs = 2, verbose = 0, save = DIR .. '/div.json' }
local runs = r:runs()
assert(runs[1].status == 'diverged', runs[1].status .. ' ' .. tostring(runs[1].test_loss))
assert(runs[2].status == 'diverged', runs[2].status)
assert(runs[1].error:find('training diverged in epoch 1, step %d+'), runs[1].error)
assert(runs[3].status == 'ok' and runs[3].test_accuracy > 0.5)
local f = assert(io.open(DIR .. '/div.json'))
local text = f:read('a') f:close()
assert(select(2, text:gsub('"status": "diverged"', '')) == 2)
