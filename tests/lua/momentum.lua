-- momentum.lua -- a momentum that is not a number: refused where it is written.
local o = require("winit").optimizers.SGD { momentum = 0 / 0 }
