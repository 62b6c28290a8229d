-- plugin_study.lua DATA OUT INIT -- two runs: he_normal, then the initializer INIT (a
-- broken test plugin found through WINIT_PLUGIN_PATH), saved to OUT after each run.
local winit = require "winit"
local train, test = winit.datasets.fashion_mnist.load_data(arg[1])
local s = winit.Study { name = "plugin_study", seed = 1 }
for _, init in ipairs { "he_normal", arg[3] } do
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 8, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
  s:add { name = init, model = m, train = train, test = test, epochs = 1, batch_size = 64 }
end
local r = s:run { save = arg[2] }
r:print_table()
