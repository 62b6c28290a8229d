local winit = require 'winit'
winit.initializer { name = 'badlen', fill = function(t)
  return setmetatable({}, { __len = function() error('len boom') end })
end }
winit.initializer { name = 'nested', fill = function(t)
  build('texts'):get_weights(1) return {}
end }
winit.initializer { name = 'texts', fill = function(t)
  local v = {} for i = 1, t.n do v[i] = {} end return v
end }
for _, jobs in ipairs { 1, 2 } do
  local s = winit.Study { seed = 1 }
  for i = 1, 3 do
    s:add { name = 'bad' .. i, model = build('badlen'), train = train, test = test, epochs = 1 }
  end
  s:add { name = 'good', model = build('he_normal'), train = train, test = test, epochs = 1 }
  local r = s:run { jobs = jobs, verbose = 0 }
  local runs = r:runs()
  assert(r:failed() == 3, r:failed())
  for i = 1, 3 do
    assert(runs[i].status == 'failed')
    assert(runs[i].error:find("initializer 'badlen' failed: lua_fill_errors_stay_inside_the_call.lua:3: len boom"), runs[i].error)
  end
  assert(runs[4].status == 'ok')
end
local ok, e = pcall(function() build('nested'):get_weights(1) end)
assert(not ok and e:find('cannot fill weights from inside its own fill'), e)
ok, e = pcall(function() build('texts'):get_weights(1) end)
assert(not ok and e:find('value 1 of the returned table is a table, expected a number'), e)
local s = winit.Study { seed = 1 }
s:add { name = 'after', model = build('he_normal'), train = train, test = test, epochs = 1 }
assert(s:run { jobs = 2, verbose = 0 }:failed() == 0)
