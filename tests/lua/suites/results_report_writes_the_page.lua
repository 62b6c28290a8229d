local winit = require 'winit'
local s = winit.Study { name = 'page <1>', seed = 3 }
s:add { name = 'z', label = 'zeros & co', model = build('zeros'), train = train,
        test = test, epochs = 1, batch_size = 32 }
R = s:run { verbose = 0 }
assert(R:report(DIR .. '/page.html') == DIR .. '/page.html')
local f = assert(io.open(DIR .. '/page.html'))
local text = f:read('a') f:close()
assert(text:find('<h1>winit report: page &lt;1&gt;</h1>', 1, true), text:sub(1, 400))
assert(text:find('zeros &amp; co', 1, true))
assert(select(2, text:gsub('<svg ', '')) > 4)
assert(text:find('Pre-activation variance by depth', 1, true))
