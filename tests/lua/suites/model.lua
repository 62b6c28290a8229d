local winit = require 'winit'
train = winit.load_idx(DIR .. '/train-images', DIR .. '/train-labels', 3)
test = winit.load_idx(DIR .. '/test-images', DIR .. '/test-labels', 3)
function build(init)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = {4, 4} },
    winit.layers.Dense { 16, activation = 'relu', kernel_initializer = init },
    winit.layers.Dense { 3, activation = 'softmax' },
  }
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },
              loss = 'categorical_crossentropy', metrics = {'accuracy'} }
  return m
end
