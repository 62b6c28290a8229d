local winit = require 'winit'
local low, draws, bad = 0, 4000, 0
winit.initializer { name = 'counting', fill = function(t, rng)
  for i = 1, draws do if rng:integer(3 << 61) <= 1 << 62 then low = low + 1 end end
  for i = 1, 200 do
    local k = rng:integer(6)
    if math.type(k) ~= 'integer' or k < 1 or k > 6 then bad = bad + 1 end
    if rng:integer(1) ~= 1 then bad = bad + 1 end
  end
  local v = {}
  for i = 1, t.n do v[i] = 0 end
  return v
end }
build('counting'):get_weights(1)
assert(bad == 0, bad .. ' draws out of range')
local f = low / draws
assert(f > 0.63 and f < 0.70, 'P(k <= 2n/3) = ' .. f .. ', expected 2/3')
