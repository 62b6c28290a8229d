-- endless.lua DATA_DIR MARK MODE -- Lua code that never returns, inside training, for the
-- signal tests (tests/signals.sh).  MODE "callback": an on_epoch_end callback running
-- `while true do end` (MARK written first); "fill": a study whose second run's kernel comes
-- from an initializer written in Lua that never returns (MARK is the results file, saved
-- after the first run); "stubborn": a callback that catches every error and loops on, so
-- only a second signal ends it.
local winit = require "winit"
local dir, mark, mode = arg[1], arg[2], arg[3]
local train, test = winit.datasets.fashion_mnist.load_data(dir)
local function touch()
  local f = assert(io.open(mark, "w"))
  f:write("started\n")
  f:close()
end
local function model(init)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 8, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
  return m
end
if mode == "callback" or mode == "stubborn" then
  local cb = {
    on_epoch_end = function()
      touch()
      if mode == "callback" then
        while true do end
      end
      while true do
        pcall(function() while true do end end)
      end
    end,
  }
  model("he_normal"):fit(train, { epochs = 2, verbose = 0, callbacks = { cb } })
elseif mode == "fill" then
  local forever = winit.initializer {
    name = "forever",
    fill = function() while true do end end,
  }
  local s = winit.Study { name = "lua_fill", seed = 1 }
  s:add { name = "first", model = model("he_normal"), train = train, test = test, epochs = 1 }
  s:add { name = "forever", model = model(forever), train = train, test = test, epochs = 1 }
  s:run { save = mark, verbose = 0, jobs = 1 }
else
  error("unknown mode " .. tostring(mode))
end
print("not reached")
