/* tests/check_lua.c -- the `winit` Lua module: the Keras-like API and script errors. */
#include <sys/stat.h>

#include "luatest.h"

/* Fashion-MNIST's four files in dir/sub (gzipped when gz): 20 blank 4x4 images of class 0. */
static void make_fashion(const char *sub, int gz)
{
	static const char *const split[] = { "train", "t10k" };
	uint8_t x[20 * 16] = { 0 }, y[20] = { 0 };
	uint32_t d3[3] = { 20, 4, 4 }, d1[1] = { 20 };
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s/%s-images-idx3-ubyte%s", dir, sub, split[i],
		         gz ? ".gz" : "");
		tu_write_idx(path, gz, 3, d3, x, sizeof x);
		snprintf(path, sizeof path, "%s/%s/%s-labels-idx1-ubyte%s", dir, sub, split[i],
		         gz ? ".gz" : "");
		tu_write_idx(path, gz, 1, d1, y, sizeof y);
	}
}


START_TEST(keras_like_fit_evaluate_predict)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "winit.set_seed(5)\n"
	       "local m = build('he_normal')\n"
	       "assert(m:count_params() == 16*16 + 16 + 16*3 + 3)\n"
	       "local h = m:fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })\n"
	       "assert(#h.loss == 3 and #h.accuracy == 3 and #h.val_loss == 3 and #h.val_accuracy == 3)\n"
	       "assert(h.loss[3] < h.loss[1], 'loss did not fall')\n"
	       "local loss, acc = m:evaluate(test)\n"
	       "assert(acc > 0.9, 'test accuracy ' .. acc)\n"
	       "local p = m:predict(test, 1, 5)\n"
	       "assert(#p == 5 and #p[1] == 3)\n"
	       "local s = p[1][1] + p[1][2] + p[1][3]\n"
	       "assert(math.abs(s - 1) < 1e-5)\n"
	       "assert(#train == 600 and train.n_classes == 3 and train.n_features == 16)\n");
}
END_TEST

/* One lifecycle: a model whose seed is a study run's seed, fitted with the run's settings,
 * goes through the same computation as the run -- every epoch's loss and the test metrics
 * are equal to the last bit, with and without a validation split. */
START_TEST(fit_repeats_a_study_run_exactly)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local study = winit.Study { name = 'same', seed = 21 }\n"
	       "study:add { name = 'a', model = build('glorot_normal'), train = train, test = test,\n"
	       "            epochs = 3, batch_size = 16, validation_split = 0.2 }\n"
	       "study:add { name = 'b', model = build({'random_normal', stddev = 0.3}), train = train,\n"
	       "            test = test, epochs = 2, batch_size = 7 }\n"
	       "local runs = study:run { verbose = 0, jobs = 2 }:runs()\n"
	       "local function refit(run, init, fit)\n"
	       "  winit.set_seed(run.run_seed)\n"
	       "  local m = build(init)\n"
	       "  local h = m:fit(train, fit)\n"
	       "  local loss, acc = m:evaluate(test)\n"
	       "  for e = 1, #run.history.loss do\n"
	       "    assert(h.loss[e] == run.history.loss[e], ('epoch %d loss %.17g vs %.17g'):format(e, h.loss[e], run.history.loss[e]))\n"
	       "    if h.val_loss then assert(h.val_loss[e] == run.history.val_loss[e]) end\n"
	       "  end\n"
	       "  assert(#h.loss == #run.history.loss)\n"
	       "  assert(loss == run.test_loss and acc == run.test_accuracy, ('%.17g vs %.17g'):format(loss, run.test_loss))\n"
	       "end\n"
	       "-- Paired design: replicate 0 of both labels shares its run seed.\n"
	       "assert(type(runs[1].run_seed) == 'string' and runs[1].run_seed == runs[2].run_seed)\n"
	       "refit(runs[1], 'glorot_normal', { epochs = 3, batch_size = 16, validation_split = 0.2, verbose = 0 })\n"
	       "refit(runs[2], {'random_normal', stddev = 0.3}, { epochs = 2, batch_size = 7, verbose = 0 })\n"
	       "-- Another seed is another computation: the check above can fail.\n"
	       "winit.set_seed(1)\n"
	       "local h = build('glorot_normal'):fit(train, { epochs = 1, batch_size = 16, validation_split = 0.2, verbose = 0 })\n"
	       "assert(h.loss[1] ~= runs[1].history.loss[1])\n");
}
END_TEST

/* Study designs: paired (the default) gives replicate r of every label one run seed;
 * runs without `replicate` are numbered within their label; independent seeds differ. */
START_TEST(study_design_pairs_replicates)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local function seeds(design)\n"
	       "  local study = winit.Study { seed = 3, design = design, target = 0.01 }\n"
	       "  for _, init in ipairs { 'glorot_normal', 'he_normal' } do\n"
	       "    for r = 1, 2 do\n"
	       "      study:add { name = init .. r, label = init, model = build(init), train = train, epochs = 1, validation_split = 0.2 }\n"
	       "    end\n"
	       "  end\n"
	       "  local runs = study:run { verbose = 0, save = DIR .. '/' .. (design or 'default') .. '.json' }:runs()\n"
	       "  assert(runs[1].replicate == 0 and runs[2].replicate == 1 and runs[4].replicate == 1)\n"
	       "  assert(runs[1].design == (design or 'paired'))\n"
	       "  assert(runs[1].best_epoch == 1 and runs[1].epochs_to_target == 1 and runs[1].val_auc > 0)\n"
	       /* at initialization already above 1%: step 0 */
	       "  assert(runs[1].steps_to_target == 0, tostring(runs[1].steps_to_target))\n"
	       "  assert(runs[1].diagnostics[1].val_rows > 0 and runs[1].diagnostics[1].val_accuracy >= 0.01)\n"
	       "  return runs\n"
	       "end\n"
	       "local p = seeds()\n"
	       "assert(p[1].run_seed == p[3].run_seed and p[2].run_seed == p[4].run_seed)\n"
	       "assert(p[1].run_seed ~= p[2].run_seed)\n"
	       "local i = seeds('independent')\n"
	       "assert(i[1].run_seed ~= i[3].run_seed and i[1].run_seed ~= p[1].run_seed)\n"
	       "local f = assert(io.open(DIR .. '/independent.json'))\n"
	       "local json = f:read('a')\n"
	       "assert(json:find('\"design\": \"independent\"', 1, true))\n"
	       "assert(json:find('\"epochs_to_target\": 1', 1, true) and json:find('\"best_epoch\": 1', 1, true))\n"
	       "assert(json:find('\"steps_to_target\": 0', 1, true))\n"
	       "f:close()\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "local s = winit.Study {}\n"
	        "s:add { name = 'a', model = build('zeros'), train = train, epochs = 1 }\n"
	        "local r = s:run { verbose = 0 }\n"
	        "r:print_table { baseline = 'a' }\n"
	        "r:print_table { baseline = 'b' }\n",
	        "test.lua:6:", "baseline 'b' is not a label of this study");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { design = 'crossed' }\n", "test.lua:2:",
	        "design \"crossed\" is unknown");
	RUN_ERR("local winit = require 'winit'\n"
	        "local s = winit.Study {}\n"
	        "s:add { name = 'a', label = 'x', replicate = 1, model = build('zeros'), train = train }\n"
	        "s:add { name = 'b', label = 'x', replicate = 1, model = build('zeros'), train = train }\n",
	        "test.lua:4:", "repeats replicate 1 of label 'x'");
}
END_TEST

/* study:grid expands factors x replicates into runs whose cells reach runs(), the
 * results file and the table (one column per factor, comparisons within groups). */
START_TEST(grid_expands_factors_into_runs)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "study = winit.Study { seed = 4 }\n"
	       "study:grid { factors = { init = { 'glorot_normal', 'zeros', {'random_normal', stddev = 0.3} },\n"
	       "                         width = { 8, 16 } },\n"
	       "             order = { 'init', 'width' }, replicates = 3, train = train, test = test,\n"
	       "             epochs = 1, batch_size = 32,\n"
	       "             build = function(cfg)\n"
	       "               assert(cfg.replicate >= 0 and cfg.replicate < 3)\n"
	       "               local m = winit.Sequential {\n"
	       "                 winit.layers.Flatten { input_shape = {4, 4} },\n"
	       "                 winit.layers.Dense { cfg.width, activation = 'relu', kernel_initializer = cfg.init },\n"
	       "                 winit.layers.Dense { 3, activation = 'softmax' } }\n"
	       "               m:compile { optimizer = winit.optimizers.Adam(), loss = 'categorical_crossentropy' }\n"
	       "               return m\n"
	       "             end }\n"
	       "assert(#study == 18, #study)\n"
	       "results = study:run { verbose = 0, save = DIR .. '/grid.json' }\n"
	       "local runs = results:runs()\n"
	       "assert(runs[1].label == 'glorot_normal / 8' and runs[1].name == 'glorot_normal / 8#1')\n"
	       "assert(runs[4].factors.init == 'glorot_normal' and runs[4].factors.width == '16')\n"
	       "assert(runs[18].factors.init == 'random_normal' and runs[18].replicate == 2)\n"
	       "local f = assert(io.open(DIR .. '/grid.json'))\n"
	       "assert(f:read('a'):find('\"factors\": {%s*\"init\": \"zeros\",%s*\"width\": \"8\"%s*}'))\n"
	       "f:close()\n");
	const char *out = run_stdout("results:print_table { baseline = 'init=glorot_normal' }\n");
	ck_assert_msg(strstr(out, "init           width    n mean_acc") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "Against init=glorot_normal in each group of the other factors") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "  zeros          16   ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "over these 4 comparisons") != NULL, "%s", out);
	RUN_ERR("study:grid { factors = { init = {} }, build = print, train = train }\n", "non-empty list");
	RUN_ERR("study:grid { factors = { init = { 'zeros', 'zeros' } }, build = print, train = train }\n",
	        "two levels named 'zeros'");
	RUN_ERR("study:grid { factors = { init = { 'zeros' } }, build = function() return 1 end, train = train }\n",
	        "returned a number, not a model");
}
END_TEST

START_TEST(same_seed_same_numbers)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local function once()\n"
	       "  winit.set_seed(11)\n"
	       "  local m = build({'random_normal', stddev = 0.5})\n"
	       "  local h = m:fit(train, { epochs = 2, batch_size = 16, verbose = 0 })\n"
	       "  local l, a = m:evaluate(test)\n"
	       "  return h.loss[2], l, a\n"
	       "end\n"
	       "local a1, b1, c1 = once()\n"
	       "local a2, b2, c2 = once()\n"
	       "assert(a1 == a2 and b1 == b2 and c1 == c2, 'not reproducible')\n"
	       "winit.set_seed(12)\n"
	       "local m = build({'random_normal', stddev = 0.5})\n"
	       "local h = m:fit(train, { epochs = 2, batch_size = 16, verbose = 0 })\n"
	       "assert(h.loss[2] ~= a1, 'seed ignored')\n");
}
END_TEST

START_TEST(study_runs_and_saves)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local s = winit.Study { name = 'lua', seed = 3 }\n"
	       "for _, init in ipairs { 'zeros', 'glorot_normal', 'he_normal' } do\n"
	       "  s:add { name = init, model = build(init), train = train, test = test,\n"
	       "          epochs = 2, batch_size = 32, validation_split = 0.2 }\n"
	       "end\n"
	       "assert(#s == 3)\n"
	       "local r = s:run { jobs = 2, save = DIR .. '/out/results.json', verbose = 0 }\n"
	       "local runs = r:runs()\n"
	       "assert(#runs == 3 and r:failed() == 0)\n"
	       "assert(runs[1].name == 'zeros' and runs[1].status == 'ok')\n"
	       "assert(runs[3].test_accuracy > 0.9, runs[3].test_accuracy)\n"
	       "assert(#runs[2].history.val_accuracy == 2)\n"
	       "local f = assert(io.open(DIR .. '/out/results.json'))\n"
	       "local text = f:read('a') f:close()\n"
	       "assert(text:find('\"format\": \"winit%-results\"'))\n"
	       "assert(select(2, text:gsub('\"test_accuracy\"', '')) == 3)\n");
}
END_TEST

START_TEST(results_report_writes_the_page)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local s = winit.Study { name = 'page <1>', seed = 3 }\n"
	       "s:add { name = 'z', label = 'zeros & co', model = build('zeros'), train = train,\n"
	       "        test = test, epochs = 1, batch_size = 32 }\n"
	       "R = s:run { verbose = 0 }\n"
	       "assert(R:report(DIR .. '/page.html') == DIR .. '/page.html')\n"
	       "local f = assert(io.open(DIR .. '/page.html'))\n"
	       "local text = f:read('a') f:close()\n"
	       "assert(text:find('<h1>winit report: page &lt;1&gt;</h1>', 1, true), text:sub(1, 400))\n"
	       "assert(text:find('zeros &amp; co', 1, true))\n"
	       "assert(select(2, text:gsub('<svg ', '')) > 4)\n"
	       "assert(text:find('Pre-activation variance by depth', 1, true))\n");
	/* A page that cannot be written is an error naming it. */
	RUN_ERR("R:report(DIR .. '/no/such/dir/page.html')\n", "test.lua:1:",
	        "results:report: ", "no/such/dir/page.html: cannot write the report");
}
END_TEST

/* Every Lua operation of a fill runs inside its protected call: a __len that raises fails
 * the run cleanly, with one job or two, and the callback lock is free again after it
 * (a deadlock would hang the next fill; an error crossing threads would crash). */
START_TEST(lua_fill_errors_stay_inside_the_call)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "winit.initializer { name = 'badlen', fill = function(t)\n"
	       "  return setmetatable({}, { __len = function() error('len boom') end })\n"
	       "end }\n"
	       "winit.initializer { name = 'nested', fill = function(t)\n"
	       "  build('texts'):get_weights(1) return {}\n"
	       "end }\n"
	       "winit.initializer { name = 'texts', fill = function(t)\n"
	       "  local v = {} for i = 1, t.n do v[i] = {} end return v\n"
	       "end }\n"
	       "for _, jobs in ipairs { 1, 2 } do\n"
	       "  local s = winit.Study { seed = 1 }\n"
	       "  for i = 1, 3 do\n"
	       "    s:add { name = 'bad' .. i, model = build('badlen'), train = train, test = test, epochs = 1 }\n"
	       "  end\n"
	       "  s:add { name = 'good', model = build('he_normal'), train = train, test = test, epochs = 1 }\n"
	       "  local r = s:run { jobs = jobs, verbose = 0 }\n"
	       "  local runs = r:runs()\n"
	       "  assert(r:failed() == 3, r:failed())\n"
	       "  for i = 1, 3 do\n"
	       "    assert(runs[i].status == 'failed')\n"
	       "    assert(runs[i].error:find(\"initializer 'badlen' failed: test.lua:3: len boom\"), runs[i].error)\n"
	       "  end\n"
	       "  assert(runs[4].status == 'ok')\n"
	       "end\n"
	       "local ok, e = pcall(function() build('nested'):get_weights(1) end)\n"
	       "assert(not ok and e:find('cannot fill weights from inside its own fill'), e)\n"
	       "ok, e = pcall(function() build('texts'):get_weights(1) end)\n"
	       "assert(not ok and e:find('value 1 of the returned table is a table, expected a number'), e)\n"
	       "local s = winit.Study { seed = 1 }\n"
	       "s:add { name = 'after', model = build('he_normal'), train = train, test = test, epochs = 1 }\n"
	       "assert(s:run { jobs = 2, verbose = 0 }:failed() == 0)\n");
}
END_TEST

/* A fill that returns one value too few, or a non-number, for a 784x128 kernel: the script
 * built 100,351 values, so the collector runs between its return and the error.  The rng
 * userdata handed to it must live until the host has disarmed it (a use after free before,
 * seen by ASan and valgrind), and the error names the function's line, the count expected
 * and the shape. */
START_TEST(lua_fill_wrong_result_on_a_large_kernel)
{
	RUN_OK("local winit = require 'winit'\n"
	       "MODE = 'short'\n"
	       "winit.initializer { name = 'almost', fill = function(t, rng)\n"
	       "  local v = {}\n"
	       "  for i = 1, t.n - 1 do v[i] = rng:normal() * 0.01 end\n"
	       "  if MODE == 'string' then v[t.n] = 'x' end\n"
	       "  if MODE == 'keep' then KEPT = rng end\n"
	       "  return v\n"
	       "end }\n"
	       "function big()\n"
	       "  local m = winit.Sequential {\n"
	       "    winit.layers.Dense { 128, input_shape = {784}, kernel_initializer = 'almost' },\n"
	       "    winit.layers.Dense { 10, activation = 'softmax' } }\n"
	       "  m:compile { optimizer = 'adam', loss = 'categorical_crossentropy' }\n"
	       "  return m\n"
	       "end\n");
	for (int i = 0; i < 3; i++)
		RUN_ERR("big():get_weights(1)\n", "test.lua:1:", "initializer 'almost' failed",
		        "the Lua fill function defined at test.lua:3 must return a table of 100352 "
		        "numbers (row-major), got table of length 100351 (the tensor's shape is 784x128)");
	RUN_ERR("MODE = 'string'\nbig():get_weights(1)\n", "test.lua:2:",
	        "the Lua fill function defined at test.lua:3: value 100352 of the returned table is "
	        "a string, expected a number (100352 numbers for shape 784x128)");
	/* A stream the script kept is refused after its fill, not freed under it. */
	RUN_ERR("MODE = 'keep'\npcall(function() big():get_weights(1) end)\ncollectgarbage()\n"
	        "KEPT:normal()\n",
	        "test.lua:4:", "belonged to a finished fill");
	RUN_ERR("winit.initializer { name = 'nothing', fill = function() end }\n"
	        "local m = winit.Sequential { winit.layers.Dense { 2, input_shape = {3}, "
	        "kernel_initializer = 'nothing' } }\n"
	        "m:get_weights(1)\n",
	        "test.lua:3:", "the Lua fill function defined at test.lua:1 must return a table of 6 "
	                       "numbers (row-major), got nil (the tensor's shape is 3x2)");
}
END_TEST

/* predict's first and count are checked one at a time against the data, before any sum
 * that could overflow: the extremes of Lua's integers are refused, saying the range. */
START_TEST(predict_refuses_samples_out_of_range)
{
	RUN_OK(model_src);
	RUN_OK("m = build('he_normal')\n"
	       "assert(#m:predict(test, 200) == 1 and #m:predict(test, 199, 2) == 2)\n"
	       "assert(#m:predict(test) == 200 and #m:predict(test, 1, 200) == 200)\n");
	RUN_ERR("m:predict(test, 2, math.maxinteger)\n", "test.lua:1:",
	        "bad argument #3 to 'predict' (count must be in [1, 199] from sample 2 of 200, "
	        "got 9223372036854775807)");
	RUN_ERR("m:predict(test, math.mininteger)\n", "test.lua:1:",
	        "bad argument #2 to 'predict' (first sample must be in [1, 200], "
	        "got -9223372036854775808)");
	RUN_ERR("m:predict(test, math.maxinteger, 1)\n", "test.lua:1:",
	        "bad argument #2 to 'predict' (first sample must be in [1, 200], "
	        "got 9223372036854775807)");
	RUN_ERR("m:predict(test, 1, math.mininteger)\n", "test.lua:1:",
	        "bad argument #3 to 'predict' (count must be in [1, 200] from sample 1 of 200, "
	        "got -9223372036854775808)");
	RUN_ERR("m:predict(test, 0)\n", "test.lua:1:", "first sample must be in [1, 200], got 0");
	RUN_ERR("m:predict(test, 200, 2)\n", "test.lua:1:",
	        "count must be in [1, 1] from sample 200 of 200, got 2");
	RUN_ERR("m:predict(test, 1, 0)\n", "test.lua:1:", "count must be in [1, 200] from sample 1");
}
END_TEST

/* A plugin or optimizer named by a number inside a table ({123}) is refused as having no
 * name: converting it to a string made a string nothing referenced, which the collector
 * (run here at almost every allocation) freed while its name was still being looked up
 * (found by tests/fuzz/fuzz_lua.c; ASan: heap-use-after-free in the registry lookup). */
START_TEST(plugin_and_optimizer_names_must_be_strings)
{
	RUN_OK(model_src);
	RUN_OK("collectgarbage('incremental', 1, 400)\n");
	for (int i = 0; i < 3; i++) {
		RUN_ERR("winit.theory.critical_sigma_w({123}, 0)\n", "test.lua:1:",
		        "theory.critical_sigma_w: expected {\"name\", param = value, ...} with the plugin "
		        "name first");
		RUN_ERR("winit.layers.Dense { 2, input_shape = {2}, kernel_initializer = {7, stddev = 1} }\n",
		        "test.lua:1:", "with the plugin name first");
		RUN_ERR("build('he_normal'):compile { optimizer = {42}, loss = 'categorical_crossentropy' }\n",
		        "test.lua:1:", "compile: optimizer must be \"adam\", \"sgd\" or winit.optimizers.Adam{...}");
	}
	RUN_OK("assert(winit.theory.fixed_point({'tanh'}, 1, 0).q_star > 0)\n"
	       "build('he_normal'):compile { optimizer = {'sgd'}, loss = 'categorical_crossentropy' }\n");
}
END_TEST

/* Hyper-parameters out of range are refused at the script line that gives them. */
START_TEST(optimizer_settings_are_range_checked)
{
	RUN_ERR("local winit = require 'winit'\nlocal o = winit.optimizers.SGD { momentum = 0/0 }\n",
	        "test.lua:2:", "momentum must be in [0, 1) (got NaN)");
	RUN_ERR("local winit = require 'winit'\nlocal o = winit.optimizers.SGD { momentum = 5 }\n",
	        "test.lua:2:", "momentum must be in [0, 1) (got 5)");
	RUN_ERR("local winit = require 'winit'\n\nwinit.optimizers.Adam { learning_rate = math.huge }\n",
	        "test.lua:3:", "learning_rate must be a finite number > 0 (got inf)");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense { 2, input_shape = {3} } }\n"
	        "m:compile { optimizer = { 'adam', epsilon = -1 } }\n",
	        "test.lua:3:", "compile: Adam epsilon must be a finite number > 0 (got -1)");
}
END_TEST

/* A run that explodes is "diverged", not "ok" with NaN numbers; the others finish. */
START_TEST(diverged_runs_are_named)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local function big(opt)\n"
	       "  local m = winit.Sequential {\n"
	       "    winit.layers.Flatten { input_shape = {4, 4} },\n"
	       "    winit.layers.Dense { 16, activation = 'linear',\n"
	       "                         kernel_initializer = { 'random_normal', stddev = 100 } },\n"
	       "    winit.layers.Dense { 3, activation = 'softmax' } }\n"
	       "  m:compile { optimizer = opt, loss = 'categorical_crossentropy' }\n"
	       "  return m\n"
	       "end\n"
	       "local s = winit.Study { seed = 1 }\n"
	       "s:add { name = 'adam', model = big(winit.optimizers.Adam { learning_rate = 1e20 }),\n"
	       "        train = train, test = test, epochs = 2 }\n"
	       "s:add { name = 'sgd', model = big(winit.optimizers.SGD { learning_rate = 1e10 }),\n"
	       "        train = train, test = test, epochs = 2 }\n"
	       "s:add { name = 'fine', model = build('he_normal'), train = train, test = test, epochs = 1 }\n"
	       "local r = s:run { jobs = 2, verbose = 0, save = DIR .. '/div.json' }\n"
	       "local runs = r:runs()\n"
	       "assert(runs[1].status == 'diverged', runs[1].status .. ' ' .. tostring(runs[1].test_loss))\n"
	       "assert(runs[2].status == 'diverged', runs[2].status)\n"
	       "assert(runs[1].error:find('training diverged in epoch 1, step %d+'), runs[1].error)\n"
	       "assert(runs[3].status == 'ok' and runs[3].test_accuracy > 0.5)\n"
	       "local f = assert(io.open(DIR .. '/div.json'))\n"
	       "local text = f:read('a') f:close()\n"
	       "assert(select(2, text:gsub('\"status\": \"diverged\"', '')) == 2)\n");
}
END_TEST

START_TEST(diagnostics_in_lua)
{
	RUN_OK(model_src);
	/* 600 rows, 480 for training in batches of 32: 15 steps an epoch.  Snapshots at 0,
	 * 1, 2, 4, 8, 15 (epoch 1 ends), 16, 30 (epoch 2 ends). */
	RUN_OK("local winit = require 'winit'\n"
	       "local s = winit.Study { name = 'd', seed = 3 }\n"
	       "s:add { name = 'zeros', model = build('zeros'), train = train, epochs = 2,\n"
	       "        batch_size = 32, validation_split = 0.2 }\n"
	       "s:add { name = 'he', model = build('he_normal'), train = train, epochs = 2,\n"
	       "        batch_size = 32, validation_split = 0.2, diagnostics = { early = false } }\n"
	       "s:add { name = 'off', model = build('he_normal'), train = train, epochs = 2,\n"
	       "        batch_size = 32, validation_split = 0.2, diagnostics = false }\n"
	       "local runs = s:run { jobs = 1, verbose = 0 }:runs()\n"
	       "local d = runs[1].diagnostics\n"
	       "assert(#d == 8, #d)\n"
	       "local steps = {}\n"
	       "for i, snap in ipairs(d) do\n"
	       "  steps[i] = snap.step\n"
	       "  assert(snap.layers[1].distinct_units == 1 and snap.layers[1].dead == 16)\n"
	       "end\n"
	       "assert(table.concat(steps, ',') == '0,1,2,4,8,15,16,30', table.concat(steps, ','))\n"
	       "assert(d[1].layers[1].update_ratio == nil and d[1].epoch == 0 and d[8].epoch == 2)\n"
	       "assert(runs[1].theory.applies and #runs[1].theory.pre_var == 2)\n"
	       "local h = runs[2].diagnostics\n"
	       "assert(#h == 3 and h[3].step == 30 and h[2].layers[1].distinct_units == 16)\n"
	       "-- weight histograms at initialization: zeros is one spike (a zero range); He's\n"
	       "-- counts add up to the 16 x 16 weights, with the sd the initializer declares\n"
	       "local zh = d[1].layers[1].weights_hist\n"
	       "assert(zh.range[1] == 0 and zh.range[2] == 0 and #zh.counts == 41 and zh.counts[21] == 256)\n"
	       "assert(zh.declared_sd == 0 and d[2].layers[1].weights_hist == nil)\n"
	       "for k, want in ipairs { 16 * 16, 16 * 3 } do\n"
	       "  local wh = h[1].layers[k].weights_hist\n"
	       "  local n = wh.underflow + wh.overflow\n"
	       "  for _, c in ipairs(wh.counts) do n = n + c end\n"
	       "  assert(n == want, n)\n"
	       "  assert(wh.range[1] == -wh.range[2] and wh.range[2] > 0)\n"
	       "end\n"
	       "assert(math.abs(h[1].layers[1].weights_hist.declared_sd - math.sqrt(2 / 16)) < 1e-12)\n"
	       "assert(#runs[3].diagnostics == 0 and runs[3].theory.applies == false)\n"
	       "assert(runs[3].theory.reason:find('diagnostics off'))\n"
	       "local m = build('he_normal')\n"
	       "local hist = m:fit(train, { epochs = 1, batch_size = 32, verbose = 0,\n"
	       "                            diagnostics = { early = false } })\n"
	       "assert(#hist.diagnostics == 2 and hist.diagnostics[2].step == 19)\n"
	       "assert(hist.theory.applies and hist.theory.grad_var[2] > 0)\n"
	       "hist = m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })\n"
	       "-- steps count across fits: the early snapshot at step 32 falls in this one\n"
	       "assert(#hist.diagnostics == 2 and hist.diagnostics[1].step == 32)\n"
	       "assert(hist.diagnostics[2].step == 38 and hist.diagnostics[2].epoch == 1)\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "build('zeros'):fit(train, { diagnostics = 'yes' })\n",
	        "fit: option 'diagnostics' must be true, false or a table");
	RUN_ERR("local winit = require 'winit'\n"
	        "build('zeros'):fit(train, { diagnostics = { eraly = false } })\n",
	        "eraly");
}
END_TEST

START_TEST(unknown_plugin_lists_known_names)
{
	RUN_ERR("local winit = require 'winit'\n"
	        "\n"
	        "local l = winit.layers.Dense { 4, kernel_initializer = 'he_nromal' }\n",
	        "test.lua:3:", "unknown initializer 'he_nromal'", "he_normal", "glorot_normal");
	RUN_ERR("local winit = require 'winit'\n"
	        "local l = winit.layers.Dense { 4, activation = 'rleu' }\n",
	        "test.lua:2:", "unknown activation 'rleu'", "relu", "softmax");
}
END_TEST

START_TEST(bad_plugin_parameters_are_named)
{
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.layers.Dense { 4, kernel_initializer = {'random_normal', stddev = -1} }\n",
	        "test.lua:2:", "random_normal", "stddev");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.layers.Dense { 4, kernel_initializer = {'random_normal', sdtdev = 1} }\n",
	        "test.lua:2:", "sdtdev", "stddev", "mean");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.layers.Dense { 4, kernel_initializer = {'random_normal', stddev = {}} }\n",
	        "test.lua:2:", "stddev", "number");
	/* Combinations each range allows but the plugin rejects: caught at the script line. */
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.layers.Dense { 4, kernel_initializer = {'random_uniform', minval = 1, maxval = 0} }\n",
	        "test.lua:2:", "random_uniform", "minval 1 is above maxval 0");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.layers.Dense { 4, kernel_initializer = {'variance_scaling', scale = 0} }\n",
	        "test.lua:2:", "variance_scaling", "scale must be positive");
}
END_TEST

START_TEST(wrong_argument_types_and_typos)
{
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 'x' }\n", "test.lua:2:", "units");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 0 }\n", "test.lua:2:",
	        "units must be an integer in [1, 16777216] (got 0)");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 4, activaton = 'relu' }\n",
	        "test.lua:2:", "unknown option 'activaton'", "activation");
	RUN_ERR("local winit = require 'winit'\nwinit.Sequential { winit.layers.Dense { 4 } }\n",
	        "test.lua:2:", "input_shape");
	RUN_ERR("local winit = require 'winit'\nwinit.Sequential { 3 }\n", "test.lua:2:", "not a layer");
	RUN_OK(model_src);
	RUN_ERR("local m = build('zeros')\nm:fit(train, { epoch = 2 })\n", "test.lua:2:",
	        "unknown option 'epoch'", "epochs");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { batch_size = 0 })\n", "test.lua:2:", "batch_size");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { validation_split = 1.5 })\n", "test.lua:2:",
	        "validation_split");
	RUN_ERR("local m = build('zeros')\nm:fit(42)\n", "test.lua:2:", "winit.Dataset");
	RUN_ERR("local winit = require 'winit'\nlocal m = build('zeros')\n"
	        "m:compile { optimizer = 'adamw' }\n",
	        "test.lua:3:", "unknown optimizer 'adamw'");
	RUN_ERR("local winit = require 'winit'\nlocal m = build('zeros')\n"
	        "m:compile { loss = 'mse' }\n",
	        "test.lua:3:", "unknown loss 'mse'");
}
END_TEST

/* Integers are read in 64 bits and range-checked on the value as it will be used (32
 * bits for epochs and batch sizes), never truncated; strings are not coerced. */
START_TEST(integers_are_checked_before_narrowing)
{
	RUN_OK(model_src);
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 1e12 }\n", "test.lua:2:",
	        "Dense: units must be an integer in [1, 16777216] (got 1000000000000)");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense(2^70)\n", "test.lua:2:",
	        "Dense: units must be an integer in [1, 16777216] (got 1.1805916207174e+21)");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { '128' }\n", "test.lua:2:",
	        "units must come first", "(got string)");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 0/0 }\n", "test.lua:2:",
	        "units must be an integer, got nan");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Flatten { input_shape = { 2^24, 2^24 } }\n",
	        "test.lua:2:", "more than 2147483647 values");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { epochs = 4294967296 })\n", "test.lua:2:",
	        "option 'epochs' must be an integer in [0, 2147483647] (got 4294967296)");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { batch_size = 2^32 + 8 })\n", "test.lua:2:",
	        "option 'batch_size' must be an integer in [1, 2147483647] (got 4294967304)");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { epochs = '5' })\n", "test.lua:2:",
	        "option 'epochs' must be an integer, got string");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { epochs = 2.5 })\n", "test.lua:2:",
	        "option 'epochs' must be an integer, got a fraction");
	RUN_ERR("local m = build('zeros')\nm:fit(train, { epochs = 1e300 })\n", "test.lua:2:",
	        "option 'epochs' must be an integer in [0, 2147483647] (got 1e+300)");
	RUN_ERR("local m = build('zeros')\nm:evaluate(test, { batch_size = 2^31 })\n", "test.lua:2:",
	        "option 'batch_size' must be an integer in [1, 2147483647] (got 2147483648)");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = 'a', model = build('zeros'), train = train, epochs = 2^32 }\n",
	        "test.lua:3:", "option 'epochs' must be an integer in [0, 2147483647] (got 4294967296)");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = 'a', model = build('zeros'), train = train, replicate = 2^31 }\n",
	        "test.lua:3:", "option 'replicate' must be an integer in [0, 2147483647]");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = 2^63 }\n", "test.lua:2:",
	        "option 'seed' must be an integer in [0, 9223372036854775807] (got 9.2233720368548e+18)");
}
END_TEST

/* Keras: a batch_size above the training rows is one batch of all of them -- the same
 * numbers as batch_size = rows, not an allocation failure. */
START_TEST(batch_size_above_the_data_is_clamped)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local function fit(bs)\n"
	       "  winit.set_seed(3)\n"
	       "  local m = build('he_normal')\n"
	       "  local h = m:fit(train, { epochs = 2, batch_size = bs, validation_split = 0.2, verbose = 0 })\n"
	       "  return h, m\n"
	       "end\n"
	       "local a, ma = fit(480)\n" /* 600 rows, 480 for training */
	       "local b, mb = fit(2^31 - 1)\n"
	       "for e = 1, 2 do\n"
	       "  assert(a.loss[e] == b.loss[e], 'loss differs at epoch ' .. e)\n"
	       "  assert(a.val_loss[e] == b.val_loss[e], 'val_loss differs at epoch ' .. e)\n"
	       "end\n"
	       "local l1, a1 = ma:evaluate(test)\n"
	       "local l2, a2 = ma:evaluate(test, { batch_size = 2^31 - 1 })\n"
	       "assert(math.abs(l1 - l2) < 1e-6 and a1 == a2, 'evaluate with a huge batch')\n");
}
END_TEST

START_TEST(study_errors)
{
	RUN_OK(model_src);
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = 'a', model = build('zeros'), train = train }\n"
	        "s:add { name = 'a', model = build('zeros'), train = train }\n",
	        "test.lua:4:", "'a' already exists");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\ns:run()\n", "test.lua:3:", "no runs");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { model = build('zeros'), train = train }\n",
	        "test.lua:3:", "needs a name");
}
END_TEST

START_TEST(data_errors_name_the_file)
{
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.load_idx(DIR .. '/nope-images', DIR .. '/train-labels', 3)\n",
	        "test.lua:2:", "nope-images");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.load_idx(DIR .. '/train-images', DIR .. '/test-labels', 3)\n",
	        "test.lua:2:", "train-images", "test-labels", "600", "200");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.datasets.fashion_mnist.load_data(DIR .. '/missing')\n",
	        "test.lua:2:", "missing", "dataset-fashion-mnist");
}
END_TEST

/* ds.source names the files read (.gz or not); the class count's range is the library's. */
START_TEST(data_sources_and_class_counts)
{
	make_fashion("plain", 0);
	make_fashion("gz", 1);
	RUN_OK("local winit = require 'winit'\n"
	       "local tr, te = winit.datasets.fashion_mnist.load_data(DIR .. '/plain')\n"
	       "assert(tr.source == DIR .. '/plain/train-*-ubyte', tr.source)\n"
	       "assert(te.source == DIR .. '/plain/t10k-*-ubyte', te.source)\n"
	       "tr, te = winit.datasets.fashion_mnist.load_data(DIR .. '/gz')\n"
	       "assert(tr.source == DIR .. '/gz/train-*-ubyte.gz', tr.source)\n"
	       "assert(te.source == DIR .. '/gz/t10k-*-ubyte.gz', te.source)\n"
	       "local one = winit.load_idx(DIR .. '/plain/train-images-idx3-ubyte',\n"
	       "                           DIR .. '/plain/train-labels-idx1-ubyte', 1)\n"
	       "assert(one.n_classes == 1 and #one == 20)\n"
	       "assert(tostring(one):find('20 samples of 4x4, 1 class,', 1, true), tostring(one))\n"
	       "assert(tostring(tr):find('20 samples of 4x4, 10 classes,', 1, true), tostring(tr))\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.load_idx(DIR .. '/train-images', DIR .. '/train-labels', 0)\n",
	        "test.lua:2:", "n_classes 0 out of range; expected 1 to 256");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.load_idx(DIR .. '/train-images', DIR .. '/train-labels', 257)\n",
	        "test.lua:2:", "expected 1 to 256");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.load_idx(DIR .. '/train-images', DIR .. '/train-labels', 1 << 40)\n",
	        "test.lua:2:", "class count out of range");
}
END_TEST

START_TEST(parse_args_types_and_errors)
{
	RUN_OK("local winit = require 'winit'\n"
	       "local o = winit.parse_args({'--seed', '7', '--out=x.json', '--fast', '--rate', '0.5'},\n"
	       "  { seed = 1, out = 'r.json', fast = false, rate = 0.1, keep = 3 })\n"
	       "assert(o.seed == 7 and math.type(o.seed) == 'integer')\n"
	       "assert(o.out == 'x.json' and o.fast == true and o.rate == 0.5 and o.keep == 3)\n");
	RUN_ERR("local winit = require 'winit'\nwinit.parse_args({'--sed', '7'}, { seed = 1 })\n",
	        "test.lua:2:", "unknown option '--sed'", "--seed");
	RUN_ERR("local winit = require 'winit'\nwinit.parse_args({'--seed', 'x'}, { seed = 1 })\n",
	        "expects a number");
	RUN_ERR("local winit = require 'winit'\nwinit.parse_args({'--seed', '1.5'}, { seed = 1 })\n",
	        "expects an integer");
	RUN_ERR("local winit = require 'winit'\nwinit.parse_args({'--seed'}, { seed = 1 })\n",
	        "needs a value");
	RUN_ERR("local winit = require 'winit'\nwinit.parse_args({'seed'}, { seed = 1 })\n",
	        "expected --option");
}
END_TEST

START_TEST(plugins_are_listed_with_files)
{
	RUN_OK("local winit = require 'winit'\n"
	       "local found = {}\n"
	       "for _, p in ipairs(winit.plugins()) do\n"
	       "  assert(p.file:find('%.so$'), p.file)\n"
	       "  found[p.kind .. ':' .. p.name] = true\n"
	       "end\n"
	       "for _, n in ipairs { 'initializer:zeros', 'initializer:random_normal', 'initializer:glorot_normal',\n"
	       "                     'initializer:he_normal', 'initializer:glorot_uniform',\n"
	       "                     'activation:relu', 'activation:softmax', 'activation:linear' } do\n"
	       "  assert(found[n], n .. ' missing')\n"
	       "end\n");
}
END_TEST

START_TEST(lua_defined_initializer)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local calls = 0\n"
	       "local name = winit.initializer { name = 'halfnormal', summary = 'test',\n"
	       "  fill = function(t, rng)\n"
	       "    calls = calls + 1\n"
	       "    assert(t.shape[1] == t.fan_in and t.shape[2] == t.fan_out and t.n == t.fan_in * t.fan_out)\n"
	       "    local v, s = {}, math.sqrt(1 / t.fan_in)\n"
	       "    for i = 1, t.n do v[i] = math.abs(rng:normal()) * s end\n"
	       "    return v\n"
	       "  end }\n"
	       "assert(name == 'halfnormal')\n"
	       "local function run()\n"
	       "  winit.set_seed(3)\n"
	       "  local m = build('halfnormal')\n"
	       "  local w = m:get_weights(1)\n"
	       "  for r = 1, 16 do for c = 1, 16 do assert(w[r][c] >= 0) end end\n"
	       "  return w[1][1], w[16][16]\n"
	       "end\n"
	       "local a, b = run()\n"
	       "local c, d = run()\n"
	       "assert(a == c and b == d, 'not reproducible')\n"
	       "assert(calls == 2)\n"
	       "local s = winit.Study { seed = 1 }\n"
	       "s:add { name = 'x', model = build('halfnormal'), train = train, test = test, epochs = 1 }\n"
	       "s:add { name = 'y', model = build('halfnormal'), train = train, test = test, epochs = 1 }\n"
	       "local r = s:run { jobs = 2, verbose = 0 }\n"
	       "assert(r:failed() == 0 and calls == 4)\n"
	       "assert(r:runs()[1].test_accuracy > 0.5)\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'zeros', fill = function() end }\n",
	        "test.lua:2:", "'zeros' already exists");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'short', fill = function(t) return {1, 2} end }\n"
	        "local m = build('short')\n"
	        "m:evaluate(test)\n",
	        "test.lua:4:", "short", "table of 256 numbers");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'boom', fill = function(t) error('no luck') end }\n"
	        "build('boom'):evaluate(test)\n",
	        "test.lua:3:", "boom", "no luck");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'none', fill = function(t) return {} end }\n"
	        "local m = winit.Sequential { winit.layers.Dense { 1, input_shape = {1}, kernel_initializer = 'none' } }\n"
	        "m:get_weights(1)\n",
	        "test.lua:4:", "table of 1 number (row-major), got table of length 0");
	RUN_ERR("local winit = require 'winit'\nwinit.initializer { name = 'x', fil = 1 }\n",
	        "test.lua:2:", "unknown option 'fil'");
}
END_TEST

/* summary lists the layers the script gave: a Flatten row only when there is a Flatten. */
START_TEST(summary_lists_the_given_layers)
{
	RUN_OK(model_src);
	const char *s = run_stdout("build('he_normal'):summary()\n");
	ck_assert_msg(strstr(s, "flatten (Flatten)") && strstr(s, "dense_2 (Dense)") &&
	                      strstr(s, "Total params: 323"),
	              "summary:\n%s", s);
	s = run_stdout("local winit = require 'winit'\n"
	               "winit.Sequential { winit.layers.Dense { 3, input_shape = {16} } }:summary()\n");
	ck_assert_msg(!strstr(s, "Flatten") && strstr(s, "dense_1 (Dense)") &&
	                      strstr(s, "Total params: 51"),
	              "summary:\n%s", s);
}
END_TEST

/* A study's start line says "1 Dense layer, ... 1 epoch", not "1 Dense layers". */
START_TEST(progress_counts_in_the_singular)
{
	RUN_OK(model_src);
	const char *s = run_stdout(
		"local winit = require 'winit'\n"
		"local s = winit.Study { seed = 1 }\n"
		"s:add { name = 'one', train = train, epochs = 1,\n"
		"        model = winit.Sequential { winit.layers.Dense { 3, input_shape = {16} } } }\n"
		"s:add { name = 'two', train = train, epochs = 2, model = build('zeros') }\n"
		"s:run { jobs = 1 }\n");
	ck_assert_msg(strstr(s, "[one] start: 16 inputs, 1 Dense layer, Adam, 1 epoch, batch 32") &&
	                      strstr(s, "[two] start: 16 inputs, 2 Dense layers, Adam, 2 epochs, batch 32"),
	              "progress:\n%s", s);
}
END_TEST

/* rng:integer(n) is uniform on [1, n], without the modulo bias of next_u64() % n: for
 * n = 3 * 2^61, values <= 2^62 have probability 2/3, but 3/4 by modulo (2^64 = 2n + 2^62,
 * so the low third is hit three times).  4000 draws put 2/3 and 3/4 ~5 sd from 0.70. */
START_TEST(rng_integer_is_uniform)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local low, draws, bad = 0, 4000, 0\n"
	       "winit.initializer { name = 'counting', fill = function(t, rng)\n"
	       "  for i = 1, draws do if rng:integer(3 << 61) <= 1 << 62 then low = low + 1 end end\n"
	       "  for i = 1, 200 do\n"
	       "    local k = rng:integer(6)\n"
	       "    if math.type(k) ~= 'integer' or k < 1 or k > 6 then bad = bad + 1 end\n"
	       "    if rng:integer(1) ~= 1 then bad = bad + 1 end\n"
	       "  end\n"
	       "  local v = {}\n"
	       "  for i = 1, t.n do v[i] = 0 end\n"
	       "  return v\n"
	       "end }\n"
	       "build('counting'):get_weights(1)\n"
	       "assert(bad == 0, bad .. ' draws out of range')\n"
	       "local f = low / draws\n"
	       "assert(f > 0.63 and f < 0.70, 'P(k <= 2n/3) = ' .. f .. ', expected 2/3')\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'zero_n', fill = function(t, rng) rng:integer(0) end }\n"
	        "build('zero_n'):get_weights(1)\n",
	        "n must be >= 1");
}
END_TEST

START_TEST(activation_stats_and_lsuv)
{
	RUN_OK(model_src);
	RUN_OK("local winit = require 'winit'\n"
	       "local layers = { winit.layers.Flatten { input_shape = {4, 4} } }\n"
	       "for i = 1, 6 do layers[#layers + 1] = winit.layers.Dense { 24, activation = 'tanh', kernel_initializer = 'lsuv' } end\n"
	       "layers[#layers + 1] = winit.layers.Dense { 3, activation = 'softmax' }\n"
	       "local m = winit.Sequential(layers)\n"
	       "local st = m:activation_stats(train, { rows = 400 })\n"
	       "assert(#st == 7)\n"
	       "for i = 1, 6 do assert(math.abs(st[i].pre_var - 1) < 0.1, i .. ': ' .. st[i].pre_var) end\n"
	       "local r = build('zeros'):activation_stats(train)\n"
	       "assert(r[1].zero_fraction == 1 and r[1].act_var == 0)\n");
}
END_TEST

static Suite *lua_suite(void)
{
	Suite *s = suite_create("lua");
	TCase *tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, keras_like_fit_evaluate_predict);
	tcase_add_test(tc, same_seed_same_numbers);
	tcase_add_test(tc, fit_repeats_a_study_run_exactly);
	tcase_add_test(tc, study_design_pairs_replicates);
	tcase_add_test(tc, grid_expands_factors_into_runs);
	tcase_add_test(tc, study_runs_and_saves);
	tcase_add_test(tc, results_report_writes_the_page);
	tcase_add_test(tc, diagnostics_in_lua);
	tcase_add_test(tc, plugins_are_listed_with_files);
	tcase_add_test(tc, parse_args_types_and_errors);
	tcase_add_test(tc, lua_defined_initializer);
	tcase_add_test(tc, rng_integer_is_uniform);
	tcase_add_test(tc, summary_lists_the_given_layers);
	tcase_add_test(tc, progress_counts_in_the_singular);
	tcase_add_test(tc, activation_stats_and_lsuv);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, optimizer_settings_are_range_checked);
	tcase_add_test(tc, lua_fill_errors_stay_inside_the_call);
	tcase_add_test(tc, lua_fill_wrong_result_on_a_large_kernel);
	tcase_add_test(tc, predict_refuses_samples_out_of_range);
	tcase_add_test(tc, plugin_and_optimizer_names_must_be_strings);
	tcase_add_test(tc, diverged_runs_are_named);
	tcase_add_test(tc, unknown_plugin_lists_known_names);
	tcase_add_test(tc, bad_plugin_parameters_are_named);
	tcase_add_test(tc, wrong_argument_types_and_typos);
	tcase_add_test(tc, study_errors);
	tcase_add_test(tc, integers_are_checked_before_narrowing);
	tcase_add_test(tc, batch_size_above_the_data_is_clamped);
	tcase_add_test(tc, data_errors_name_the_file);
	tcase_add_test(tc, data_sources_and_class_counts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(lua_suite());
}
