local winit = require 'winit'
local found = {}
for _, p in ipairs(winit.plugins()) do
  assert(p.file:find('%.so$'), p.file)
  found[p.kind .. ':' .. p.name] = true
end
for _, n in ipairs { 'initializer:zeros', 'initializer:random_normal', 'initializer:glorot_normal',
                     'initializer:he_normal', 'initializer:glorot_uniform',
                     'activation:relu', 'activation:softmax', 'activation:linear' } do
  assert(found[n], n .. ' missing')
end
