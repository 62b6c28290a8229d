-- winit.coord_check on the generated 4x4 data (model.lua's train, 600 rows): its table's
-- shape, the values against what other methods measure (activation_stats at the same
-- weights; after one step of the whole data, a fit of that step), deltas 0 at step 0,
-- the seeds' effect, and the same numbers from the same arguments.
local L = winit.layers
local function mlp(w)
  return winit.Sequential { L.Dense { w, activation = 'relu', input_shape = {16} },
                            L.Dense { 3, activation = 'softmax' } }
end
local function compiled(w)
  local m = mlp(w)
  m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 },
              loss = 'categorical_crossentropy' }
  return m
end
local function close(a, b, what)
  assert(math.abs(a - b) <= 1e-6 * math.max(1, math.abs(b)), what .. ': ' .. a .. ' ~= ' .. b)
end
local r = winit.coord_check { build = compiled, widths = { 8, 32 }, seeds = { 3, 4 }, steps = 2,
                              data = train, batch_size = 50 }
assert(#r.runs == 4 and r.steps == 2 and r.batch_size == 50 and r.output == 2, 'the result table')
assert(r.layers[1] == 'dense_1' and r.layers[2] == 'dense_2' and #r.layers == 2, 'layer names')
assert(r.widths[2] == 32 and r.seeds[2] == 4, 'widths and seeds')
-- runs in width-major order, seeds fastest
assert(r.runs[1].width == 8 and r.runs[1].seed == 3 and r.runs[2].seed == 4 and r.runs[3].width == 32,
       'run order')
for _, run in ipairs(r.runs) do
  for l = 1, 2 do
    local x = run.layers[l]
    assert(#x.pre == 3 and #x.act == 3 and #x.pre_delta == 3 and #x.act_delta == 3, 'steps 0..2')
    assert(x.pre_delta[1] == 0 and x.act_delta[1] == 0, 'no change at step 0')
    assert(x.act_delta[2] > 0 and x.pre_delta[3] > 0, 'training changes the values')
  end
  -- the output layer's activations are softmax rows: mean |p| is 1/3
  for t = 1, 3 do close(run.layers[2].act[t], 1 / 3, 'softmax mean') end
end
-- the mean over seeds, one list over widths per step
for l = 1, 2 do
  for t = 1, 3 do
    local m = r.mean[l].pre[t]
    close(m[1], (r.runs[1].layers[l].pre[t] + r.runs[2].layers[l].pre[t]) / 2, 'mean over seeds')
    close(m[2], (r.runs[3].layers[l].pre[t] + r.runs[4].layers[l].pre[t]) / 2, 'mean over seeds')
  end
end
-- step 0 is the model at its seed's initialization: ReLU's mean |a| is activation_stats's
-- act_mean over the same rows
winit.set_seed(3)
local m = compiled(8)
close(r.runs[1].layers[1].act[1], m:activation_stats(train, { rows = 50 })[1].act_mean, 'step 0')
assert(r.runs[1].layers[1].act[1] ~= r.runs[2].layers[1].act[1], 'another seed, other weights')
-- one step of the whole data (batch 600) is one fit's step of it
local one = winit.coord_check { build = compiled, widths = { 8 }, seeds = { 3 }, steps = 1,
                                data = train, batch_size = #train }
winit.set_seed(3)
m = compiled(8)
m:fit(train, { epochs = 1, batch_size = #train, shuffle = false, verbose = 0 })
close(one.runs[1].layers[1].act[2], m:activation_stats(train, { rows = #train })[1].act_mean, 'step 1')
-- the same arguments, the same numbers
local again = winit.coord_check { build = compiled, widths = { 8, 32 }, seeds = { 3, 4 }, steps = 2,
                                  data = train, batch_size = 50 }
for i = 1, 4 do
  for l = 1, 2 do
    for t = 1, 3 do
      assert(again.runs[i].layers[l].act_delta[t] == r.runs[i].layers[l].act_delta[t], 'repeatable')
    end
  end
end
