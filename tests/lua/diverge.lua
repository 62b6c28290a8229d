-- diverge.lua DATA OUT -- runs that explode (issue 10): random_normal{stddev = 100} with
-- Adam at learning rate 1e20 and SGD at 1e10, between two runs that train normally.
local winit = require "winit"
local train, test = winit.datasets.fashion_mnist.load_data(arg[1])
local function model(opt, init)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 128, activation = "relu", kernel_initializer = init },
    winit.layers.Dense { 10, activation = "softmax" },
  }
  m:compile { optimizer = opt, loss = "categorical_crossentropy" }
  return m
end
local huge = { "random_normal", stddev = 100 }
local s = winit.Study { name = "diverge", seed = 1 }
local function add(name, opt, init)
  s:add { name = name, model = model(opt, init), train = train, test = test, epochs = 2,
          batch_size = 64, validation_split = 0.2 }
end
add("before", winit.optimizers.Adam(), "he_normal")
add("adam_1e20", winit.optimizers.Adam { learning_rate = 1e20 }, huge)
add("sgd_1e10", winit.optimizers.SGD { learning_rate = 1e10 }, huge)
add("after", winit.optimizers.Adam(), "glorot_normal")
s:run { save = arg[2] }:print_table()
