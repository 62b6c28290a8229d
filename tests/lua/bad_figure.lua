-- tests/lua/bad_figure.lua -- results:report's figures, well-formed and not: the case named
-- by arg[1] (ok, lengths, logmarker, noseries, key) on a one-run study of generated data.
local winit = require "winit"
local case, out = arg[1], arg[2]
local data = winit.datasets.gaussian { n = 64, features = 4, classes = 2, seed = 3 }
local model = winit.Sequential {
  winit.layers.Flatten { input_shape = { 4 } },
  winit.layers.Dense { 3, activation = "relu" },
  winit.layers.Dense { 2, activation = "softmax" },
}
model:compile { optimizer = "adam" }
local study = winit.Study { name = "figures", seed = 1 }
study:add { name = "one", model = model, train = data, epochs = 1, batch_size = 16 }
local results = study:run { verbose = 0 }
local series = { { label = "curve <&>", x = { 0.01, 0.1, 1 }, y = { 0.5, 0.75, 0.25 } } }
local figs = {
  ok = { { title = "A figure", xlabel = "sd", ylabel = "accuracy", xlog = true, series = series,
           markers = { { x = 0.05, label = "Glorot" } }, caption = "caption text" } },
  lengths = { { series = { { x = { 1, 2 }, y = { 1 } } } } },
  logmarker = { { xlog = true, series = series, markers = { { x = 0 } } } },
  noseries = { { title = "empty", series = {} } },
  key = { { serie = series } },
}
results:report(out, { figures = figs[case] })
print("report written")
