local winit = require 'winit'
local tr, te = winit.datasets.fashion_mnist.load_data(DIR .. '/plain')
assert(tr.source == DIR .. '/plain/train-*-ubyte', tr.source)
assert(te.source == DIR .. '/plain/t10k-*-ubyte', te.source)
tr, te = winit.datasets.fashion_mnist.load_data(DIR .. '/gz')
assert(tr.source == DIR .. '/gz/train-*-ubyte.gz', tr.source)
assert(te.source == DIR .. '/gz/t10k-*-ubyte.gz', te.source)
local one = winit.load_idx(DIR .. '/plain/train-images-idx3-ubyte',
                           DIR .. '/plain/train-labels-idx1-ubyte', 1)
assert(one.n_classes == 1 and #one == 20)
assert(tostring(one):find('20 samples of 4x4, 1 class,', 1, true), tostring(one))
assert(tostring(tr):find('20 samples of 4x4, 10 classes,', 1, true), tostring(tr))
