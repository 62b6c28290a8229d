/* tests/check_lua_types.c -- the `winit` Lua module takes each value as the type it
 * documents and refuses the others with the script line: option numbers beyond
 * lua_pushfstring's formats, 64-bit seeds, plugin parameters, names and labels, uncompiled
 * models, non-finite data, errors of study:grid's runs. */
#include "luatest.h"

/* A study of one quick run, its results in the global `results`. */
static const char study_src[] =
	"local winit = require 'winit'\n"
	"local study = winit.Study { name = 'types', seed = 3 }\n"
	"study:add { name = 'a', model = build('glorot_normal'), train = train, test = test, epochs = 1 }\n"
	"results = study:run { verbose = 0 }\n";

/* `%g` is not a lua_pushfstring format: the refusal was "invalid option '%g'" without a
 * line; now the value and the line of the call. */
/* Found by tests/hostile: set_jobs kept a count beyond an int (2^53 wrapped to 0, every
 * core), and an initializer took a number as its name ("inf"). */
START_TEST(jobs_and_initializer_names_in_their_range_and_type)
{
	RUN_ERR("local winit = require 'winit'\nwinit.set_jobs(2^53)\n", "test.lua:2:",
	        "bad argument #1 to 'set_jobs' (jobs must be in [0, 2147483647])");
	RUN_ERR("local winit = require 'winit'\nwinit.set_jobs(-1)\n", "test.lua:2:",
	        "jobs must be in [0, 2147483647]");
	RUN_OK("local winit = require 'winit'\nwinit.set_jobs(2147483647)\nwinit.set_jobs(0)\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = math.huge, fill = function() end }\n",
	        "test.lua:2:", "'name' must be a string of 1 to 63 characters, got number");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = ('x'):rep(64), fill = function() end }\n",
	        "test.lua:2:", "got a string of another length");
}
END_TEST

/* Found by tests/hostile (issue 24 item 8): summary ignored an argument it does not take,
 * evaluate a number where its options go, and save_weights took 123 as the path "123". */
START_TEST(loose_arguments_are_refused_by_name)
{
	RUN_FILE_OK("model");
	RUN_OK("m = build('glorot_normal')\n");
	RUN_ERR("\nm:summary(coroutine.create(print))\n", "test.lua:2:",
	        "bad argument #1 to 'summary' (summary takes no argument, got thread)");
	RUN_ERR("m:summary(nil, 1)\n", "test.lua:1:", "(summary takes no argument, got number)");
	RUN_ERR("\nm:evaluate(test, 5)\n", "test.lua:2:",
	        "bad argument #2 to 'evaluate' (table expected, got number)");
	RUN_OK("local loss, acc = m:evaluate(test, nil)\nassert(acc >= 0 and acc <= 1)\n");
	RUN_ERR("\nm:save_weights(123)\n", "test.lua:2:",
	        "bad argument #1 to 'save_weights' (string (a path) expected, got number)");
	RUN_ERR("m:save(456)\n", "test.lua:1:",
	        "bad argument #1 to 'save' (string (a path) expected, got number)");
	RUN_ERR("m:load_weights(7)\n", "test.lua:1:",
	        "bad argument #1 to 'load_weights' (string (a path) expected, got number)");
	RUN_ERR("require('winit').models.load_model(8)\n", "test.lua:1:",
	        "bad argument #1 to 'load_model' (string (a path) expected, got number)");
}
END_TEST

/* Every path argument is a string: a number became a file of that name ("123"). */
START_TEST(paths_are_strings)
{
	RUN_FILE_OK("model");
	RUN_OK(study_src);
	RUN_ERR("\nresults:write_csv(9)\n", "test.lua:2:",
	        "bad argument #1 to 'write_csv' (string (a path) expected, got number)");
	RUN_ERR("results:save(10)\n", "test.lua:1:",
	        "bad argument #1 to 'save' (string (a path) expected, got number)");
	RUN_ERR("results:report(11)\n", "test.lua:1:",
	        "bad argument #1 to 'report' (string (a path) expected, got number)");
	RUN_ERR("require('winit').load_idx(1, 2)\n", "test.lua:1:",
	        "bad argument #1 to 'load_idx' (string (a path) expected, got number)");
	RUN_ERR("require('winit').load_idx('a', {})\n", "test.lua:1:",
	        "bad argument #2 to 'load_idx' (string (a path) expected, got table)");
	RUN_ERR("require('winit').datasets.fashion_mnist.load_data(3)\n", "test.lua:1:",
	        "bad argument #1 to 'load_data' (string (a path) expected, got number)");
	RUN_ERR("require('winit').plot.page(12, {})\n", "test.lua:1:",
	        "bad argument #1 to 'page' (string (a path) expected, got number)");
}
END_TEST

START_TEST(target_out_of_range_names_value_and_line)
{
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study { target = 1.5 }\n", "test.lua:2:",
	        "Study: 'target' is a validation accuracy in [0, 1] (got 1.5)");
	RUN_FILE_OK("model");
	RUN_OK(study_src);
	RUN_ERR("\nresults:print_table { target = 2 }\n", "test.lua:2:",
	        "print_table: 'target' is a validation accuracy in [0, 1] (got 2.0)");
	RUN_ERR("results:write_csv(DIR .. '/csv', { target = -0.5 })\n", "test.lua:1:", "(got -0.5)");
}
END_TEST

/* Any 64-bit seed: an integer up to 2^63 - 1, or a decimal string up to 2^64 - 1 (as the
 * results file writes it); the refusal says so. */
START_TEST(seed_takes_every_64_bit_value)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "for _, seed in ipairs { '18446744073709551615', '9223372036854775808', math.maxinteger } do\n"
	       "  local study = winit.Study { name = 'big', seed = seed }\n"
	       "  study:add { name = 'a', model = build('glorot_normal'), train = train, epochs = 1 }\n"
	       "  local path = DIR .. '/big.json'\n"
	       "  study:run { verbose = 0, save = path }\n"
	       "  local f = assert(io.open(path))\n"
	       "  local text = f:read('a')\n"
	       "  f:close()\n"
	       "  local want = '\"seed\": \"' .. tostring(seed) .. '\"'\n"
	       "  assert(text:find(want, 1, true), want .. ' not in ' .. text:sub(1, 200))\n"
	       "end\n"
	       "local s = winit.Study { seed = 1 }\n"
	       "s:add { name = 'b', model = build('zeros'), train = train, epochs = 1, seed = '18446744073709551615' }\n");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = -1 }\n", "test.lua:2:",
	        "Study: option 'seed' must be an integer in [0, 2^63 - 1], or any 64-bit seed in [0, 2^64 - 1] "
	        "as a decimal string",
	        "(got -1)");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = 2^64 }\n", "test.lua:2:", "as a decimal string");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = '18446744073709551616' }\n", "test.lua:2:",
	        "must be a decimal string of a seed in [0, 2^64 - 1]", "\"18446744073709551616\"");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = '-1' }\n", "decimal string", "\"-1\"");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { seed = {} }\n", "(got table)");
}
END_TEST

/* No plugin parameter is a boolean: true is refused, not trained as 1. */
START_TEST(plugin_parameters_refuse_booleans)
{
	RUN_FILE_OK("model");
	/* The refusal names the Dense call inside build(), line 7 of tests/lua/suites/model.lua. */
	RUN_ERR("\nlocal m = build({ 'random_normal', stddev = true })\n", "model.lua:7:",
	        "'random_normal' parameter 'stddev' must be a number or a string, got boolean");
	RUN_ERR("local m = build({ 'variance_scaling', mode = false })\n", "parameter 'mode'", "got boolean");
}
END_TEST

/* A name or label of another type is refused, not replaced by "study" or the run's name. */
START_TEST(names_and_labels_must_be_strings)
{
	RUN_FILE_OK("model");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { name = function() end }\n", "test.lua:2:",
	        "Study: 'name' must be a string, got function");
	RUN_ERR("local winit = require 'winit'\nwinit.Study { name = {} }\n", "'name' must be a string, got table");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = 'a', label = coroutine.create(print), model = build('zeros'), train = train }\n",
	        "test.lua:3:", "Study:add: 'label' must be a string, got thread");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = {}, model = build('zeros'), train = train }\n",
	        "test.lua:3:", "Study:add: 'name' must be a string, got table");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:add { name = 'a', label = ('x'):rep(200), model = build('zeros'), train = train }\n",
	        "'label' is longer than 127 characters");
	/* Numbers are written as Lua writes them. */
	RUN_OK("local winit = require 'winit'\nlocal s = winit.Study { name = 7 }\n"
	       "s:add { name = 'a', label = 0.5, model = build('zeros'), train = train, test = test, epochs = 1 }\n"
	       "local runs = s:run { verbose = 0 }:runs()\n"
	       "assert(runs[1].label == '0.5', runs[1].label)\n");
}
END_TEST

/* A model without compile has no optimizer or loss: study:add refuses it (it was trained
 * with Adam silently). */
START_TEST(study_add_refuses_an_uncompiled_model)
{
	RUN_FILE_OK("model");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Flatten { input_shape = {4, 4} },\n"
	        "                             winit.layers.Dense { 3, activation = 'softmax' } }\n"
	        "local s = winit.Study {}\n"
	        "s:add { name = 'raw', model = m, train = train, test = test }\n",
	        "test.lua:5:", "Study:add: the model of run 'raw' is not compiled: call model:compile");
}
END_TEST

/* Values a float cannot hold are refused with the element's index. */
START_TEST(data_refuses_values_beyond_float)
{
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.gaussian { separation = math.huge }\n", "test.lua:2:",
	        "gaussian: 'separation' must be a finite number in [0, ", "got inf");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.gaussian { separation = 0/0 }\n", "'separation'");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.gaussian { separation = 1e300 }\n", "got 1e+300");
	RUN_OK("local winit = require 'winit'\nassert(#winit.datasets.gaussian { n = 10, separation = 1e30 } == 10)\n");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ { 1, 2 }, { 1, 1e300 } }, { 0, 1 })\n",
	        "test.lua:2:", "from_arrays: features[2][2] = 1e+300 is beyond the range of a float");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ { -1e39 } }, { 0 })\n",
	        "features[1][1] = -1e+39");
	RUN_OK("local winit = require 'winit'\nassert(#winit.datasets.from_arrays({ { -3e38, 3e38 } }, { 0 }) == 1)\n");
}
END_TEST

/* A run study:grid adds is refused with the line of the study:grid call (study:add's own
 * line is inside the grid, in C). */
START_TEST(grid_errors_keep_the_script_line)
{
	RUN_FILE_OK("model");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n\n"
	        "s:grid { factors = { init = { 'zeros', 'he_normal' } }, train = 'nope', epochs = 1,\n"
	        "         build = function(cfg) return build(cfg.init) end }\n",
	        "test.lua:4: Study:add: 'train' must be a dataset");
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:grid { factors = { init = { 'zeros' } }, train = train, epochs = -1,\n"
	        "         build = function(cfg) return build(cfg.init) end }\n",
	        "test.lua:3: Study:add: option 'epochs'");
	/* An error inside build keeps its own line. */
	RUN_ERR("local winit = require 'winit'\nlocal s = winit.Study {}\n"
	        "s:grid { factors = { init = { 'zeros' } }, train = train,\n"
	        "         build = function(cfg)\n"
	        "           error('no model for ' .. cfg.init) end }\n",
	        "test.lua:5: no model for zeros");
}
END_TEST

static Suite *lua_types_suite(void)
{
	Suite *s = suite_create("lua_types");
	TCase *tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, target_out_of_range_names_value_and_line);
	tcase_add_test(tc, seed_takes_every_64_bit_value);
	tcase_add_test(tc, plugin_parameters_refuse_booleans);
	tcase_add_test(tc, names_and_labels_must_be_strings);
	tcase_add_test(tc, study_add_refuses_an_uncompiled_model);
	tcase_add_test(tc, data_refuses_values_beyond_float);
	tcase_add_test(tc, grid_errors_keep_the_script_line);
	tcase_add_test(tc, jobs_and_initializer_names_in_their_range_and_type);
	tcase_add_test(tc, loose_arguments_are_refused_by_name);
	tcase_add_test(tc, paths_are_strings);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(lua_types_suite());
}
