-- tests/lua/writers.lua WRITER PATH [overwrite] -- one of winit's Lua writers on a
-- one-run study of generated data, writing PATH; "overwrite" passes overwrite = true
-- (else the option is left out: the CLI's --force decides).  WRITER: study (study:run's
-- save), save, save_weights, results_save, report, report_figures, write_csv (PATH is
-- the directory), page (winit.plot.page).  For tests/results.sh.
local winit = require "winit"
local writer, path, force = arg[1], arg[2], arg[3] == "overwrite"
local ow = force and true or nil
local data = winit.datasets.gaussian { n = 64, features = 4, classes = 2, seed = 3 }
local model = winit.Sequential {
  winit.layers.Flatten { input_shape = { 4 } },
  winit.layers.Dense { 3, activation = "relu" },
  winit.layers.Dense { 2, activation = "softmax" },
}
model:compile { optimizer = "adam" }
local study = winit.Study { name = "writers", seed = 1 }
study:add { name = "one", model = model, train = data, test = data, epochs = 1, batch_size = 16 }
if writer == "study" then
  study:run { verbose = 0, save = path, overwrite = ow }
  print("written: " .. writer)
  return
end
local results = study:run { verbose = 0 }
local series = { { label = "curve", x = { 0.01, 0.1, 1 }, y = { 0.5, 0.75, 0.25 } } }
local writers = {
  save = function() model:save(path, { overwrite = ow }) end,
  save_weights = function() model:save_weights(path, { overwrite = ow }) end,
  results_save = function() results:save(path, { overwrite = ow }) end,
  report = function() results:report(path, { overwrite = ow }) end,
  report_figures = function()
    results:report(path, { figures = { { title = "A figure", series = series } }, overwrite = ow })
  end,
  write_csv = function() results:write_csv(path, { overwrite = ow }) end,
  page = function()
    local h = winit.plot.heatmap { x = { 1, 2 }, y = { 1, 2 }, z = { { 1, 2 }, { 3, 4 } } }
    winit.plot.page(path, { title = "a page", "text", { svg = h }, overwrite = ow })
  end,
}
assert(writers[writer], "unknown writer " .. tostring(writer))()
print("written: " .. writer)
