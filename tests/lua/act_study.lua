-- act_study.lua DATA OUT ACT [DIAGNOSTICS] -- three runs saved to OUT after each: relu,
-- then the hidden activation ACT (a broken test plugin found through WINIT_PLUGIN_PATH),
-- then relu again; DIAGNOSTICS "off" takes no snapshot (the training passes alone).
local winit = require "winit"
local train, test = winit.datasets.fashion_mnist.load_data(arg[1])
local s = winit.Study { name = "act_study", seed = 1 }
for i, act in ipairs { "relu", arg[3], "relu" } do
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 32, activation = act, kernel_initializer = "he_normal" },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
  s:add { name = act .. i, label = act, model = m, train = train, test = test, epochs = 1,
          batch_size = 64, diagnostics = arg[4] ~= "off" }
end
local r = s:run { save = arg[2] }
r:print_table()
