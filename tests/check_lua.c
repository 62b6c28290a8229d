/* tests/check_lua.c -- the `winit` Lua module: the Keras-like API and script errors. */
#include <math.h>
#include <sys/stat.h>

#include "luatest.h"
#include "lua/lbinding.h"

#include "lua/lbinding.h"

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
	RUN_FILE_OK("model");
	RUN_FILE_OK("keras_like_fit_evaluate_predict");
}
END_TEST

/* No fixed depth: 300 layers train alike on one thread and two, and reload exactly. */
START_TEST(deep_models_train_and_reload)
{
	RUN_FILE_OK("deep_models_train_and_reload");
}
END_TEST

/* One lifecycle: a model whose seed is a study run's seed, fitted with the run's settings,
 * goes through the same computation as the run -- every epoch's loss and the test metrics
 * are equal to the last bit, with and without a validation split. */
START_TEST(fit_repeats_a_study_run_exactly)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("fit_repeats_a_study_run_exactly");
}
END_TEST

/* Study designs: paired (the default) gives replicate r of every label one run seed;
 * runs without `replicate` are numbered within their label; independent seeds differ. */
START_TEST(study_design_pairs_replicates)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("study_design_pairs_replicates");
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
	RUN_FILE_OK("model");
	RUN_FILE_OK("grid_expands_factors_into_runs");
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

/* A study run takes a learning-rate schedule (the optimizer's) and an EarlyStopping: the
 * engine's fit applies them as model:fit does, and the results file records them; a
 * changed schedule is another run for resume. */
START_TEST(study_runs_take_schedules_and_early_stopping)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("study_runs_take_schedules_and_early_stopping");
	const char *out = run_stdout("study(0.5):run { verbose = 1, save = path, resume = true }\n");
	ck_assert_msg(strstr(out, "resume: all 3 runs already finished") != NULL, "%s", out);
	out = run_stdout("study(0.6):run { verbose = 1, save = path, resume = true }\n");
	ck_assert_msg(strstr(out, "resume: run 'sched' in ") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "resume: 2 of 3 runs already finished") != NULL, "%s", out);
}
END_TEST

START_TEST(same_seed_same_numbers)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("same_seed_same_numbers");
}
END_TEST

START_TEST(study_runs_and_saves)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("study_runs_and_saves");
}
END_TEST

START_TEST(results_report_writes_the_page)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("results_report_writes_the_page");
	/* A page that cannot be written is an error naming it. */
	RUN_ERR("R:report(DIR .. '/no/such/dir/page.html')\n", "test.lua:1:",
	        "results:report: ", "no/such/dir/page.html: cannot write the report");
}
END_TEST

/* winit.plot.xy and results:report's figures: a series drawn dashed, without points, in a
 * chosen colour of the palette (a prediction beside its measurement). */
START_TEST(plot_xy_draws_predictions_dashed)
{
	RUN_FILE_OK("plot_xy_draws_predictions_dashed");
	RUN_FILE_OK("model");
	RUN_FILE_OK("results_report_writes_the_page");
	RUN_OK("R:report(DIR .. '/fig.html', { figures = { { title = 'f', series = {\n"
	       "  { label = 'm', x = { 1, 2 }, y = { 1, 2 } },\n"
	       "  { label = 'p', x = { 1, 2 }, y = { 1, 3 }, dashed = true, color = 1 } } } } })\n"
	       "local f = assert(io.open(DIR .. '/fig.html')) local t = f:read('a') f:close()\n"
	       "local c = t:match('<polyline fill=\"none\" stroke=\"(#%x+)\" stroke%-width=\"2\" points=')\n"
	       "assert(c and t:find('<polyline fill=\"none\" stroke=\"' .. c .. '\" stroke-width=\"2\" "
	       "stroke-dasharray=\"6 4\"', 1, true), t)\n");
	RUN_ERR("R:report(DIR .. '/fig.html', { figures = { { series = {\n"
	        "  { x = { 1 }, y = { 1 }, color = 0.5 } } } } })\n", "results:report (a series)", "'color'");
}
END_TEST

/* Every Lua operation of a fill runs inside its protected call: a __len that raises fails
 * the run cleanly, with one job or two, and the callback lock is free again after it
 * (a deadlock would hang the next fill; an error crossing threads would crash). */
START_TEST(lua_fill_errors_stay_inside_the_call)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("lua_fill_errors_stay_inside_the_call");
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
	RUN_FILE_OK("model");
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
	RUN_FILE_OK("model");
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

/* winit.stats: a summary's mean, sd and Student-t interval by hand (t_{0.975, 3} =
 * 3.182446), one value (no interval), none, an infinite mean (no interval); a paired
 * comparison (d = 1, 2, 4: mean 7/3, sd sqrt(7/3), t = sqrt 7 on 2 df); bad arguments
 * refused at the script line.  results:complete is checked where shards run
 * (tests/deep_cnn.sh, width.sh, trainability.sh: the shard line). */
START_TEST(stats_summary_and_paired)
{
	RUN_OK("local s = winit.stats.summary { 1, 2, 3, 4 }\n"
	       "local t3 = winit.stats.t_quantile(0.975, 3)\n"
	       "assert(math.abs(t3 - 3.182446305284263) < 1e-9, t3)\n"
	       "assert(math.abs(winit.stats.t_quantile(0.975, 9) - 2.262157) < 1e-6)\n"
	       "assert(s.n == 4 and s.mean == 2.5 and s.min == 1 and s.max == 4)\n"
	       "assert(math.abs(s.sd - math.sqrt(5 / 3)) < 1e-12, s.sd)\n"
	       "assert(math.abs(s.half - t3 * math.sqrt(5 / 3) / 2) < 1e-12, s.half)\n"
	       "assert(math.abs(s.ci_lo - (2.5 - s.half)) < 1e-12 and math.abs(s.ci_hi - (2.5 + s.half)) < 1e-12)\n"
	       "local one = winit.stats.summary { 7 }\n"
	       "assert(one.n == 1 and one.mean == 7 and one.sd == 0 and one.half == nil and one.ci_lo == nil)\n"
	       "local none = winit.stats.summary {}\n"
	       "assert(none.n == 0 and none.mean == nil)\n"
	       "local inf = winit.stats.summary { 1, math.huge }\n"
	       "assert(inf.mean == math.huge and inf.half == nil)\n"
	       "local p = winit.stats.paired({ 2, 4, 7 }, { 1, 2, 3 })\n"
	       "assert(p.n == 3 and math.abs(p.diff - 7 / 3) < 1e-12 and p.df == 2, p.diff)\n"
	       "assert(math.abs(p.t - math.sqrt(7)) < 1e-12 and math.abs(p.d_z - math.sqrt(7 / 3)) < 1e-12, p.t)\n"
	       "local t2 = winit.stats.t_quantile(0.975, 2)\n"
	       "assert(math.abs(p.half - t2 * math.sqrt(7 / 3) / math.sqrt(3)) < 1e-12, p.half)\n"
	       "assert(p.p > 0.11 and p.p < 0.13, p.p)\n"
	       "local q = winit.stats.paired({ 5 }, { 1 })\n"
	       "assert(q.n == 1 and q.diff == 4 and q.half == nil and q.p == nil)\n");
	RUN_ERR("winit.stats.paired({ 1, 2 }, { 1 })\n", "test.lua:1:",
	        "stats.paired: 2 values against 1: each value needs its pair");
	RUN_ERR("winit.stats.summary { 1, 'x' }\n", "test.lua:1:",
	        "stats.summary: argument #1: element 2 is not a number");
	RUN_ERR("winit.stats.t_quantile(1, 3)\n", "test.lua:1:", "q must be in (0, 1)");
	RUN_ERR("winit.stats.t_quantile(0.5, 0)\n", "test.lua:1:", "df must be a finite number > 0");
}
END_TEST

/* winit.theory's correlation map and its fixed point against closed forms, and their
 * arguments checked, each error naming the function and the argument. */
START_TEST(theory_correlations)
{
	RUN_FILE_OK("theory_correlations_match_closed_forms");
	RUN_ERR("winit.theory.correlation_map('tanh', 1, 0, 1, 1, 1.5)\n", "test.lua:1:",
	        "theory.correlation_map: the correlation c must be in [-1, 1] (got 1.5)");
	RUN_ERR("winit.theory.correlation_map('tanh', 1, 0, 0, 1, 0)\n", "test.lua:1:",
	        "theory.correlation_map: the variances q1 and q2 must be finite numbers > 0 (got 0 and 1)");
	RUN_ERR("winit.theory.correlation_map('tanh', 1, -1, 1, 1, 0)\n", "test.lua:1:",
	        "theory.correlation_map: sigma_b must be a finite number >= 0 (got -1)");
	RUN_ERR("winit.theory.correlation_map('tanh', 1, 0, 1, 1)\n", "test.lua:1:",
	        "bad argument #6 to 'correlation_map' (number expected, got no value)");
	RUN_ERR("winit.theory.correlation_map('softmax', 1, 0, 1, 1, 0)\n", "test.lua:1:",
	        "theory.correlation_map: activation 'softmax' is row-wise");
	RUN_ERR("winit.theory.correlation_fixed_point('tanh', 0, 0)\n", "test.lua:1:",
	        "theory.correlation_fixed_point: sigma_w must be a finite number > 0 (got 0)");
	RUN_ERR("winit.theory.correlation_fixed_point('tahn', 1, 0)\n", "test.lua:1:",
	        "theory.correlation_fixed_point: unknown activation 'tahn'");
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
	RUN_FILE_OK("model");
	RUN_FILE_OK("diverged_runs_are_named");
}
END_TEST

START_TEST(diagnostics_in_lua)
{
	RUN_FILE_OK("model");
	/* 600 rows, 480 for training in batches of 32: 15 steps an epoch.  Snapshots at 0,
	 * 1, 2, 4, 8, 15 (epoch 1 ends), 16, 30 (epoch 2 ends). */
	RUN_FILE_OK("diagnostics_in_lua");
	RUN_ERR("local winit = require 'winit'\n"
	        "build('zeros'):fit(train, { diagnostics = 'yes' })\n",
	        "fit: option 'diagnostics' must be true, false or a table");
	RUN_ERR("local winit = require 'winit'\n"
	        "build('zeros'):fit(train, { diagnostics = { eraly = false } })\n",
	        "eraly");
}
END_TEST

/* The table at idx holds every member of s that `table` declares and s has, as its type
 * says (integers as Lua integers, a choice as its string), and nothing for the others. */
static void lua_fields_same(int idx, const struct winit_field *table, const void *s, const char *what)
{
	for (const struct winit_field *f = table; f->key; f++) {
		int ty = lua_getfield(L, idx, f->key);
		/* Lua leaves out what is absent, not for Lua, or missing where the row says so. */
		unsigned miss = WINIT_FIELD_MISS_NONPOS | WINIT_FIELD_MISS_NEG;
		int nan_nil = f->type == WINIT_FIELD_F64 && (f->flags & WINIT_FIELD_NAN_NIL) && isnan(winit_field_f64(f, s));
		if (!winit_field_present(f, s, 0) || (f->flags & WINIT_FIELD_NO_LUA) || nan_nil ||
		    ((f->flags & miss) && winit_field_missing(f, s))) {
			ck_assert_msg(ty == LUA_TNIL, "%s.%s: present in Lua, absent in C", what, f->key);
		} else if (f->type == WINIT_FIELD_F64) {
			ck_assert_msg(ty == LUA_TNUMBER && !lua_isinteger(L, -1) &&
			                      lua_tonumber(L, -1) == winit_field_f64(f, s),
			              "%s.%s: not the number %.17g", what, f->key, winit_field_f64(f, s));
		} else if (f->type == WINIT_FIELD_CHOICE || f->type == WINIT_FIELD_TEXT) {
			ck_assert_msg(ty == LUA_TSTRING && strcmp(lua_tostring(L, -1), winit_field_text(f, s, 0)) == 0,
			              "%s.%s: not its string \"%s\"", what, f->key, winit_field_text(f, s, 0));
		} else {
			ck_assert_msg(lua_isinteger(L, -1) && lua_tointeger(L, -1) == winit_field_int(f, s),
			              "%s.%s: not the integer %lld", what, f->key, (long long)winit_field_int(f, s));
		}
		lua_pop(L, 1);
	}
}

/* Every member that src/results/fields.h's tables declare reaches Lua (results:runs()'s
 * outcome, how fast it learned, its diagnostics, a fit's history) with a value of its own,
 * and a conditional one only when present: a row added to a table is checked with no
 * change here. */
START_TEST(every_run_field_reaches_lua)
{
	for (int on = 0; on < 2; on++) {
		struct winit_run_result r = { 0 };
		struct winit_diag_snapshot snaps[2] = { { 0 } };
		struct winit_diagnostics d = { .n = 2, .cap = 2, .snaps = snaps };
		struct winit_epoch_stats ep[3] = { { 0 } };
		int k = 0;
		tu_fields_fill(winit_fields_status, &r, &k);
		tu_fields_fill(winit_fields_outcome, &r, &k);
		for (int n = 0; n < 2; n++)
			tu_fields_fill(winit_fields_snapshot, &snaps[n], &k);
		for (int e = 0; e < 3; e++) {
			tu_fields_fill(winit_fields_epoch, &ep[e], &k);
			ep[e].has_val = on;
		}
		r.has_test = on;
		int top = lua_gettop(L);
		lua_newtable(L);
		winit_lua_set_fields(L, winit_fields_status, &r);
		lua_fields_same(top + 1, winit_fields_status, &r, "status");
		winit_lua_set_fields(L, winit_fields_outcome, &r);
		lua_fields_same(top + 1, winit_fields_outcome, &r, "outcome");
		/* Learning: known and reached with validation (on), unknown without. */
		struct winit_history h = { .epochs = ep, .n = 3, .cap = 3 };
		struct winit_learning lm;
		winit_learning_metrics(&lm, &h, &d, snaps[1].val_accuracy);
		ck_assert_int_eq(lm.epochs_to_target > 0 && lm.steps_to_target >= 0, on);
		winit_lua_set_fields(L, winit_fields_learning, &lm);
		lua_fields_same(top + 1, winit_fields_learning, &lm, "learning");
		if (on) /* the keys Lua has always had */
			for (const char *const *key = (const char *const[]){ "best_epoch", "val_auc", "epochs_to_target",
			                                                     "steps_to_target", NULL };
			     *key; key++) {
				ck_assert_msg(lua_getfield(L, top + 1, *key) != LUA_TNIL, "learning.%s: absent", *key);
				lua_pop(L, 1);
			}
		winit_lua_push_diagnostics(L, &d, 0);
		for (int n = 0; n < 2; n++) {
			ck_assert_int_eq(lua_rawgeti(L, top + 2, n + 1), LUA_TTABLE);
			lua_fields_same(top + 3, winit_fields_snapshot, &snaps[n], "snapshot");
			lua_pop(L, 1);
		}
		/* The history: a list per number (Keras's History), the epoch numbers aside. */
		winit_lua_push_history(L, ep, 3);
		for (const struct winit_field *f = winit_fields_epoch; f->key; f++) {
			int ty = lua_getfield(L, top + 3, f->key);
			if (f->type != WINIT_FIELD_F64 || !winit_field_present(f, &ep[0], 0)) {
				ck_assert_msg(ty == LUA_TNIL, "history.%s: present", f->key);
			} else {
				ck_assert_msg(ty == LUA_TTABLE && luaL_len(L, -1) == 3, "history.%s: not 3 epochs", f->key);
				for (int e = 0; e < 3; e++) {
					lua_rawgeti(L, -1, e + 1);
					ck_assert_msg(lua_tonumber(L, -1) == winit_field_f64(f, &ep[e]), "history.%s[%d]", f->key, e + 1);
					lua_pop(L, 1);
				}
			}
			lua_pop(L, 1);
		}
		ck_assert_int_gt(k, 2 + 4 + 2 * 7 + 3 * 6 - 1);
		lua_settop(L, top);
	}
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
	RUN_FILE_OK("model");
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
	RUN_FILE_OK("model");
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
	        "option 'seed' must be an integer in [0, 2^63 - 1], or any 64-bit seed in [0, 2^64 - 1] "
	        "as a decimal string (e.g. \"18446744073709551615\") (got 9.2233720368548e+18)");
}
END_TEST

/* Keras: a batch_size above the training rows is one batch of all of them -- the same
 * numbers as batch_size = rows, not an allocation failure. */
START_TEST(batch_size_above_the_data_is_clamped)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("batch_size_above_the_data_is_clamped");
}
END_TEST

START_TEST(study_errors)
{
	RUN_FILE_OK("model");
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
	RUN_FILE_OK("data_sources_and_class_counts");
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
	/* List options: {{default list}, "description"}, comma-separated values of the
	 * default's element type, spaces around elements allowed; the default when absent. */
#define LISTS "local winit = require 'winit'\n" \
	      "local spec = { depths = { { 4, 16 }, 'depths' }, lrs = { { 1, 0.5 } }, inits = { { 'zeros' }, 'inits' } }\n"
	RUN_OK(LISTS "local o = winit.parse_args({'--depths', '2, 8,32', '--lrs=1e-3,3', '--inits', 'a,he_normal'}, spec)\n"
	             "assert(#o.depths == 3 and o.depths[1] == 2 and o.depths[3] == 32, #o.depths)\n"
	             "assert(math.type(o.depths[2]) == 'integer' and o.lrs[1] == 0.001 and o.lrs[2] == 3)\n"
	             "assert(#o.inits == 2 and o.inits[2] == 'he_normal')\n"
	             "local d = winit.parse_args({}, spec)\n"
	             "assert(#d.depths == 2 and d.depths[2] == 16 and d.lrs[2] == 0.5 and d.inits[1] == 'zeros')\n");
	RUN_ERR(LISTS "winit.parse_args({'--depths', '2,x'}, spec)\n", "test.lua:3:",
	        "option '--depths' expects a comma-separated list of integers, element 2 is 'x'");
	RUN_ERR(LISTS "winit.parse_args({'--depths', '2.5'}, spec)\n",
	        "option '--depths' expects a comma-separated list of integers, element 1 is '2.5'");
	RUN_ERR(LISTS "winit.parse_args({'--lrs', '1,,2'}, spec)\n",
	        "option '--lrs' expects a comma-separated list of numbers, element 2 of '1,,2' is empty");
	RUN_ERR(LISTS "winit.parse_args({}, { mixed = { { 1, 'a' } } })\n",
	        "option 'mixed': a list default holds numbers or strings, all of one type");
#undef LISTS
}
END_TEST

START_TEST(plugins_are_listed_with_files)
{
	RUN_FILE_OK("plugins_are_listed_with_files");
}
END_TEST

START_TEST(lua_defined_initializer)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("lua_defined_initializer");
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
	RUN_FILE_OK("model");
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
	RUN_FILE_OK("model");
	const char *s = run_stdout(
		"local winit = require 'winit'\n"
		"local s = winit.Study { seed = 1 }\n"
		"local one = winit.Sequential { winit.layers.Dense { 3, input_shape = {16}, activation = 'softmax' } }\n"
		"one:compile { optimizer = winit.optimizers.Adam(), loss = 'categorical_crossentropy' }\n"
		"s:add { name = 'one', train = train, epochs = 1, model = one }\n"
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
	RUN_FILE_OK("model");
	RUN_FILE_OK("rng_integer_is_uniform");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.initializer { name = 'zero_n', fill = function(t, rng) rng:integer(0) end }\n"
	        "build('zero_n'):get_weights(1)\n",
	        "n must be >= 1");
}
END_TEST

START_TEST(activation_stats_and_lsuv)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("activation_stats_and_lsuv");
}
END_TEST

/* luaopen_winit's parts (lwinit.c) depend on no order: each, opened alone in a state of
 * its own, sets fields of the module no other part sets, together exactly the module's
 * (version aside); opened in reverse order, they make a module that trains, saves and
 * loads a model (save's methods and models.load_model no longer need model's first). */
START_TEST(parts_open_in_any_order)
{
	size_t n = 0;
	while (winit_lua_parts[n].open)
		n++;
	ck_assert_uint_ge(n, 15);
	lua_newtable(L); /* field name -> the part that sets it */
	int owners = lua_gettop(L);
	size_t n_fields = 0;
	for (size_t i = 0; i < n; i++) {
		lua_State *A = luaL_newstate();
		lua_newtable(A);
		winit_lua_parts[i].open(A, 1);
		lua_pushnil(A);
		while (lua_next(A, 1)) {
			lua_pop(A, 1);
			const char *k = lua_tostring(A, -1);
			ck_assert_msg(lua_getfield(L, owners, k) == LUA_TNIL, "part '%s' sets '%s', as '%s' does",
			              winit_lua_parts[i].name, k, lua_tostring(L, -1));
			lua_pop(L, 1);
			lua_pushstring(L, winit_lua_parts[i].name);
			lua_setfield(L, owners, k);
			n_fields++;
		}
		lua_close(A);
	}
	ck_assert_int_eq(lua_getglobal(L, "winit"), LUA_TTABLE);
	size_t n_module = 0;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		const char *k = lua_tostring(L, -1);
		n_module++;
		if (strcmp(k, "version") == 0)
			continue;
		ck_assert_msg(lua_getfield(L, owners, k) == LUA_TSTRING, "no part sets winit.%s", k);
		lua_pop(L, 1);
	}
	ck_assert_uint_eq(n_module, n_fields + 1);

	lua_close(L); /* the fixture's state, replaced by one opened in reverse */
	L = luaL_newstate();
	luaL_openlibs(L);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_newtable(L);
	for (size_t i = n; i-- > 0;)
		winit_lua_parts[i].open(L, lua_gettop(L));
	lua_setfield(L, -2, "winit");
	lua_pop(L, 1);
	lua_pushstring(L, dir);
	lua_setglobal(L, "DIR");
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "winit.set_seed(5)\n"
	       "local m = build('he_normal')\n"
	       "m:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })\n"
	       "m:save(DIR .. '/reverse.wm')\n"
	       "local back = winit.models.load_model(DIR .. '/reverse.wm')\n"
	       "local a, b = m:predict(test, 1, 5), back:predict(test, 1, 5)\n"
	       "for i = 1, 5 do for j = 1, 3 do assert(a[i][j] == b[i][j]) end end\n"
	       "assert(m:evaluate(test) == back:evaluate(test))\n");
}
END_TEST

/* The functional API: a chain built from an Input trains exactly as the Sequential model;
 * graphs with a skip (Add) and a branch (Concatenate) train, the same on any team. */
START_TEST(functional_chain_matches_sequential)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("functional_chain_matches_sequential");
}
END_TEST

START_TEST(shape_layers_change_no_number)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("shape_layers_change_no_number");
}
END_TEST

START_TEST(residual_and_branch_models_train)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("residual_and_branch_models_train");
}
END_TEST

/* Weights of graphs: only the layers that have some, in layer order; model.layers and
 * get_layer name every kind. */
START_TEST(graph_weights_round_trip)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("graph_weights_round_trip");
}
END_TEST

/* Dense's multipliers: lr 0 freezes a layer, init scales its draws exactly. */
START_TEST(dense_multipliers)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("dense_multipliers");
}
END_TEST

/* A functional model's summary is Keras's Functional table (Keras 2's print_summary):
 * the InputLayer, each layer's inputs under Connected to, one row per further input. */
START_TEST(functional_summary_is_keras)
{
	const char *s = run_stdout(
		"local winit = require 'winit'\n"
		"local L = winit.layers\n"
		"local x = winit.Input { shape = {4, 4} }\n"
		"local f = L.Flatten {}(x)\n"
		"local h = L.Dense { 16, activation = 'relu' }(f)\n"
		"h = L.Dense { 16 }(h)\n"
		"local r = L.Add {}({ h, f })\n"
		"local y = L.Dense { 3, activation = 'softmax', name = 'probabilities' }(r)\n"
		"winit.Model { inputs = x, outputs = y }:summary()\n");
	const char *want =
		"__________________________________________________________________________________________________\n"
		"Layer (type)                    Output Shape         Param #     Connected to\n"
		"==================================================================================================\n"
		"input_1 (InputLayer)            (None, 4, 4)         0\n"
		"__________________________________________________________________________________________________\n"
		"flatten_1 (Flatten)             (None, 16)           0           input_1[0][0]\n"
		"__________________________________________________________________________________________________\n"
		"dense_1 (Dense)                 (None, 16)           272         flatten_1[0][0]\n"
		"__________________________________________________________________________________________________\n"
		"dense_2 (Dense)                 (None, 16)           272         dense_1[0][0]\n"
		"__________________________________________________________________________________________________\n"
		"add_1 (Add)                     (None, 16)           0           dense_2[0][0]\n"
		"                                                                 flatten_1[0][0]\n"
		"__________________________________________________________________________________________________\n"
		"probabilities (Dense)           (None, 3)            51          add_1[0][0]\n"
		"==================================================================================================\n"
		"Total params: 595\n";
	ck_assert_str_eq(s, want);
}
END_TEST

/* The functional API refuses, at the script line, what Keras refuses and what winit does
 * not do yet, naming the layers and shapes. */
START_TEST(functional_refusals_name_the_line)
{
	const char *head = "local winit = require 'winit'\nlocal L = winit.layers\n"
	                   "local x = winit.Input { shape = {16}, name = 'x' }\n";
	char code[2048];
#define GRAPH_ERR(body, ...)                                              \
	do {                                                              \
		snprintf(code, sizeof code, "%s%s", head, body);          \
		RUN_ERR(code, __VA_ARGS__);                               \
	} while (0)
	/* a layer called twice */
	GRAPH_ERR("local d = L.Dense { 8 }\nassert(tostring(d) == 'Dense(dense: 8 units, linear)')\n"
	          "local a = d(x)\nassert(tostring(d) == 'Dense(dense_1: 8 units, linear)')\n"
	          "local b = d(a)\n", "test.lua:8:",
	          "Dense 'dense_1': this layer was already called (at test.lua:6)",
	          "winit does not share layers");
	/* shapes that differ at Add: both named */
	GRAPH_ERR("local a = L.Dense { 8 }(x)\nlocal y = L.Add {}({ a, x })\n", "test.lua:5:",
	          "Add 'add_1'", "(None, 8) (input 1) and (None, 16) (input 2)");
	GRAPH_ERR("local a = L.Dense { 8 }(x)\nlocal y = L.Concatenate { axis = 0 }({ a, x })\n",
	          "test.lua:5:", "Concatenate 'concatenate_1'", "got axis 0");
	GRAPH_ERR("local y = L.Add {}(x)\n", "test.lua:4:", "Add needs several inputs, a list of tensors");
	/* Dense on an image, Reshape's sizes */
	GRAPH_ERR("local i = winit.Input { shape = {4, 4} }\nlocal y = L.Dense { 3 }(i)\n", "test.lua:5:",
	          "Dense 'dense_1'", "Dense needs a flat input, got (None, 4, 4)");
	GRAPH_ERR("local y = L.Reshape { {3, 3} }(x)\n", "test.lua:4:",
	          "cannot reshape (None, 16) (16 values) to (None, 3, 3) (9 values)");
	GRAPH_ERR("local y = L.Reshape { target_shape = {-1, 5} }(x)\n", "test.lua:4:",
	          "cannot reshape (None, 16)");
	/* a layer used before it has an input; not a tensor */
	GRAPH_ERR("local y = L.Dense { 3 }(L.Dense { 8 })\n", "test.lua:4:",
	          "its input is a layer (Dense), not a tensor");
	GRAPH_ERR("local y = L.Add {}({ x, L.Dense { 8 } })\n", "test.lua:4:",
	          "input 2 is a layer (Dense), not a tensor");
	GRAPH_ERR("local y = L.Dense { 3 }(5)\n", "test.lua:4:", "must be a tensor", "got number");
	GRAPH_ERR("local m = winit.Model { inputs = x, outputs = L.Dense { 3 } }\n", "test.lua:4:",
	          "outputs is a layer (Dense), not a tensor");
	/* inputs that are not the model's one Input */
	GRAPH_ERR("local x2 = winit.Input { shape = {16}, name = 'x2' }\nlocal y = L.Dense { 3 }(x2)\n"
	          "local m = winit.Model { inputs = x, outputs = y }\n",
	          "test.lua:6:", "the outputs do not depend on x (they come from x2)");
	GRAPH_ERR("local x2 = winit.Input { shape = {16}, name = 'x2' }\nlocal y = L.Add {}({ x, x2 })\n",
	          "test.lua:5:", "its inputs come from different Inputs (x and x2)",
	          "one input");
	GRAPH_ERR("local x2 = winit.Input { shape = {16} }\nlocal y = L.Dense { 3 }(x)\n"
	          "local m = winit.Model { inputs = { x, x2 }, outputs = y }\n",
	          "test.lua:6:", "inputs has 2 tensors", "one input and one output, for now");
	GRAPH_ERR("local a = L.Dense { 3 }(x)\nlocal b = L.Dense { 3 }(x)\n"
	          "local m = winit.Model { inputs = x, outputs = { a, b } }\n",
	          "test.lua:6:", "outputs has 2 tensors", "one input and one output, for now");
	GRAPH_ERR("local a = L.Dense { 3 }(x)\nlocal y = L.Dense { 3 }(a)\n"
	          "local m = winit.Model { inputs = a, outputs = y }\n",
	          "test.lua:6:", "inputs must be a tensor made by winit.Input, got the output of dense_1");
	GRAPH_ERR("local m = winit.Model { inputs = x, outputs = x }\n", "test.lua:4:",
	          "needs at least one layer");
	/* names: unique in a model, Keras's characters */
	GRAPH_ERR("local a = L.Dense { 8, name = 'h' }(x)\nlocal y = L.Dense { 3, name = 'h' }(a)\n"
	          "local m = winit.Model { inputs = x, outputs = y }\n",
	          "test.lua:6:", "two layers are named 'h', layer 1 (Dense) and layer 2 (Dense)");
	GRAPH_ERR("local a = L.Dense { 8, name = 'x' }(x)\n"
	          "local m = winit.Model { inputs = x, outputs = a }\n",
	          "test.lua:5:", "two layers are named 'x', the InputLayer and layer 1 (Dense)");
	GRAPH_ERR("local m = winit.Sequential { L.Dense { 8, name = 'h', input_shape = {16} },\n"
	          "  L.Dense { 3, name = 'h' } }\n",
	          "test.lua:4:", "Sequential: two layers are named 'h'");
	GRAPH_ERR("local d = L.Dense { 8, name = 'a b' }\n", "test.lua:4:",
	          "name 'a b' may hold only letters");
	/* Sequential takes single-input layers only */
	GRAPH_ERR("local m = winit.Sequential { L.Dense { 8, input_shape = {16} }, L.Add {} }\n",
	          "test.lua:4:", "entry 2: Add needs several inputs: use the functional API");
	GRAPH_ERR("local m = winit.Sequential { L.Reshape { {4, 4}, input_shape = {16} }, L.Dense { 3 } }\n",
	          "test.lua:4:", "entry 2 (Dense)", "Dense needs a flat input, got (None, 4, 4)");
	/* Dense's multipliers */
	GRAPH_ERR("local d = L.Dense { 8, multipliers = { kernel = { lr = -1 } } }\n", "test.lua:4:",
	          "multipliers.kernel: lr must be a finite number >= 0");
	GRAPH_ERR("local d = L.Dense { 8, multipliers = { bias = { init = 0/0 } } }\n", "test.lua:4:",
	          "multipliers.bias: init must be a finite number >= 0");
	GRAPH_ERR("local d = L.Dense { 8, multipliers = { output = 0 } }\n", "test.lua:4:",
	          "multipliers.output must be a finite number > 0");
	GRAPH_ERR("local d = L.Dense { 8, multipliers = { kernal = {} } }\n", "test.lua:4:",
	          "unknown option 'kernal'");
	GRAPH_ERR("local d = L.Dense { 8, use_bias = false, multipliers = { bias = { lr = 2 } } }\n",
	          "test.lua:4:", "the layer has no bias");
	GRAPH_ERR("local d = L.Add { axis = 1 }\n", "test.lua:4:", "Add: unknown option 'axis'");
#undef GRAPH_ERR
}
END_TEST

/* Dense's defaults are the engine's (winit_layer_spec_default): Dense(10) is the layer a C
 * program gets; compile refuses a non-softmax output with the engine's rule. */
START_TEST(dense_defaults_and_compile_are_the_engines)
{
	RUN_OK("local winit = require 'winit'\n"
	       "d = winit.layers.Dense(10)\n");
	lua_getglobal(L, "d");
	const struct llayer *d = luaL_checkudata(L, -1, MT_LAYER);
	struct winit_layer_spec want;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_layer_spec_default(&want, winit_lua_registry(L), 10, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(d->spec.kind, WINIT_LAYER_DENSE);
	ck_assert_int_eq(d->spec.units, want.units);
	ck_assert_int_eq(d->spec.use_bias, want.use_bias);
	const struct winit_plugin_use *got[3] = { &d->spec.activation, &d->spec.kernel_initializer,
		                                  &d->spec.bias_initializer };
	const struct winit_plugin_use *exp[3] = { &want.activation, &want.kernel_initializer,
		                                  &want.bias_initializer };
	for (int k = 0; k < 3; k++) {
		ck_assert_ptr_eq(got[k]->info, exp[k]->info);
		ck_assert_mem_eq(got[k]->params, exp[k]->params, sizeof exp[k]->params);
	}
	lua_pop(L, 1);
	const char *e = run("local winit = require 'winit'\n"
	                    "local m = winit.Sequential { winit.layers.Dense(3, 'relu', { input_shape = {4} }) }\n"
	                    "m:compile { optimizer = 'adam', loss = 'categorical_crossentropy' }\n");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e, "test.lua:3: compile: categorical cross-entropy needs a softmax output layer, "
	                    "but the last Dense layer's activation is 'relu': the loss reads the outputs "
	                    "as class probabilities, which only softmax makes (use activation = "
	                    "\"softmax\" on the last layer; winit has no from_logits)");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense(3, 'softmax', { input_shape = {4} }) }\n"
	        "m:compile { loss = 'mse' }\n",
	        "test.lua:3: compile: unknown loss 'mse' (known: categorical_crossentropy, "
	        "sparse_categorical_crossentropy)");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense(3, 'softmax', { input_shape = {4} }) }\n"
	        "m:compile { loss = {} }\n",
	        "test.lua:3: compile: unknown loss 'table' (known: ");
}
END_TEST

/* Keras's MNIST convnet: its summary with Keras's output shapes and parameter counts
 * (total 34,826), its fit (the loss falls; -j 1 and -j 2 the same weights), its weights in
 * Keras's order and shapes, and a save and load. */
START_TEST(keras_cnn_tutorial_trains)
{
	RUN_FILE_OK("keras_cnn_tutorial_trains");
	const char *s = run_stdout("cnn():summary()\n");
	const char *want =
		"Layer                          Output shape          Param #  Activation       Kernel initializer\n"
		"conv2d_1 (Conv2D)              (None, 26, 26, 32)        320  relu             glorot_uniform\n"
		"max_pooling2d_1 (MaxPooling2D) (None, 13, 13, 32)          0\n"
		"conv2d_2 (Conv2D)              (None, 11, 11, 64)      18496  relu             glorot_uniform\n"
		"max_pooling2d_2 (MaxPooling2D) (None, 5, 5, 64)            0\n"
		"flatten_1 (Flatten)            (None, 1600)                0\n"
		"dropout_1 (Dropout)            (None, 1600)                0\n"
		"dense_1 (Dense)                (None, 10)              16010  softmax          glorot_uniform\n"
		"Total params: 34,826\n";
	ck_assert_str_eq(s, want);
	/* every new kind's row: BatchNormalization's 4 arrays of 2 channels are 8 parameters,
	 * as Keras counts them (moving statistics included), Scale per channel 2 */
	s = run_stdout("local L = require('winit').layers\n"
	               "require('winit').Sequential { L.BatchNormalization { input_shape = {4, 4, 2} },\n"
	               "  L.GlobalAveragePooling2D {}, L.Scale { per_channel = true },\n"
	               "  L.LayerNormalization {}, L.Dense { 3 } }:summary()\n");
	ck_assert_msg(strstr(s, "batch_normalization_1 (BatchNormalization)          (None, 4, 4, 2)          8\n") &&
	                      strstr(s, "global_average_pooling2d_1 (GlobalAveragePooling2D) (None, 2)                0\n") &&
	                      strstr(s, "scale_1 (Scale)                                     (None, 2)                2\n") &&
	                      strstr(s, "layer_normalization_1 (LayerNormalization)          (None, 2)                4\n") &&
	                      strstr(s, "Total params: 23\n"),
	              "summary:\n%s", s);
}
END_TEST

/* The Lua layers make the specs a C program makes for them (tests/testutil.h's and
 * check_norm.c's conventions): every configuration field, which plugins are set, the
 * first layer's explicit edge from the model's input. */
START_TEST(lua_layers_make_the_c_specs)
{
	RUN_OK("local L = require('winit').layers\n"
	       "m = require('winit').Sequential {\n"
	       "  L.Conv2D { 4, {3, 2}, padding = 'same', dilation_rate = {1, 2}, activation = 'relu',\n"
	       "             kernel_initializer = 'he_normal', input_shape = {8, 8, 2} },\n"
	       "  L.MaxPooling2D { 2, 1, 'same' }, L.AveragePooling2D(), L.BatchNormalization { momentum = 0.9 },\n"
	       "  L.LayerNormalization { epsilon = 1e-5 }, L.Dropout(0.25), L.Scale { per_channel = true },\n"
	       "  L.GlobalAveragePooling2D {}, L.Dense { 3, 'softmax' } }\n");
	lua_getglobal(L, "m");
	const struct lmodel *m = luaL_checkudata(L, -1, MT_MODEL);
	struct winit_layer_spec want[9];
	memset(want, 0, sizeof want);
	want[0] = tu_dense(4, "relu", "he_normal");
	want[0].kind = WINIT_LAYER_CONV2D;
	want[0].kernel_size[0] = 3, want[0].kernel_size[1] = 2;
	want[0].strides[0] = want[0].strides[1] = 1;
	want[0].dilation[0] = 1, want[0].dilation[1] = 2;
	want[0].padding = WINIT_PADDING_SAME;
	want[1].kind = WINIT_LAYER_MAX_POOLING2D;
	want[1].kernel_size[0] = want[1].kernel_size[1] = 2;
	want[1].strides[0] = want[1].strides[1] = 1;
	want[1].padding = WINIT_PADDING_SAME;
	want[2].kind = WINIT_LAYER_AVERAGE_POOLING2D;
	want[2].kernel_size[0] = want[2].kernel_size[1] = 2;
	want[2].strides[0] = want[2].strides[1] = 2;
	want[3].kind = WINIT_LAYER_BATCH_NORMALIZATION;
	want[3].momentum = 0.9;
	want[3].epsilon = 1e-3;
	want[4].kind = WINIT_LAYER_LAYER_NORMALIZATION;
	want[4].epsilon = 1e-5;
	for (int i = 3; i <= 4; i++) {
		want[i].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "ones", 0, NULL, NULL);
		want[i].bias_initializer = tu_use(WINIT_KIND_INITIALIZER, "zeros", 0, NULL, NULL);
	}
	want[5].kind = WINIT_LAYER_DROPOUT;
	want[5].rate = 0.25;
	want[6].kind = WINIT_LAYER_SCALE;
	want[6].per_channel = 1;
	want[6].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "ones", 0, NULL, NULL);
	want[7].kind = WINIT_LAYER_GLOBAL_AVERAGE_POOLING2D;
	want[8] = tu_dense(3, "softmax", "glorot_uniform");
	ck_assert_int_eq(m->spec.n_layers, 9);
	ck_assert_int_eq(m->spec.n_inputs, 128);
	for (int i = 0; i < 9; i++) {
		const struct winit_layer_spec *a = &m->spec.layers[i], *b = &want[i];
		ck_assert_msg(a->kind == b->kind && a->units == b->units && a->use_bias == b->use_bias &&
		                      a->kernel_size[0] == b->kernel_size[0] && a->kernel_size[1] == b->kernel_size[1] &&
		                      a->strides[0] == b->strides[0] && a->strides[1] == b->strides[1] &&
		                      a->dilation[0] == b->dilation[0] && a->dilation[1] == b->dilation[1] &&
		                      a->padding == b->padding && a->rate == b->rate && a->momentum == b->momentum &&
		                      a->epsilon == b->epsilon && a->per_channel == b->per_channel &&
		                      a->mult_set == 0 && a->name[0] == '\0',
		              "layer %d: configuration differs from C's", i + 1);
		const struct winit_plugin_use *pa[3] = { &a->activation, &a->kernel_initializer, &a->bias_initializer };
		const struct winit_plugin_use *pb[3] = { &b->activation, &b->kernel_initializer, &b->bias_initializer };
		for (int k = 0; k < 3; k++)
			ck_assert_msg((pa[k]->info == NULL) == (pb[k]->info == NULL) &&
			                      (!pa[k]->info || strcmp(pa[k]->info->name, pb[k]->info->name) == 0),
			              "layer %d: plugin %d: %s, C's %s", i + 1, k,
			              pa[k]->info ? pa[k]->info->name : "none", pb[k]->info ? pb[k]->info->name : "none");
		int32_t in[1];
		int32_t n = winit_model_spec_layer_inputs(&m->spec, i, in, 1);
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(m->spec.layers[i].n_in, i == 0 ? 1 : 0); /* the first: an explicit edge */
		ck_assert_int_eq(in[0], i == 0 ? WINIT_MODEL_INPUT : i - 1);
	}
}
END_TEST

/* Every image layer refuses a bad argument by name, saying what it takes. */
START_TEST(image_layers_refuse_bad_arguments)
{
#define W "local L = require('winit').layers\n"
	RUN_ERR(W "L.Conv2D {}\n", "test.lua:2:", "Conv2D: filters must come first");
	RUN_ERR(W "L.Conv2D { 0, 3 }\n", "Conv2D: filters must be an integer in [1, 16777216] (got 0)");
	RUN_ERR(W "L.Conv2D { 2.5, 3 }\n", "filters must be an integer", "(got 2.5)");
	RUN_ERR(W "L.Conv2D { 32 }\n", "Conv2D: kernel_size is required");
	RUN_ERR(W "L.Conv2D { 32, {3, 0} }\n", "Conv2D: kernel_size must be an integer in [1, 16777216] or a pair {height, width}");
	RUN_ERR(W "L.Conv2D { 32, {3, 3, 3} }\n", "kernel_size must be an integer", "or a pair");
	RUN_ERR(W "L.Conv2D { 32, 3, strides = -1 }\n", "Conv2D: strides must be an integer");
	RUN_ERR(W "L.Conv2D { 32, 3, dilation_rate = 'x' }\n", "Conv2D: dilation_rate must be", "(got x)");
	RUN_ERR(W "L.Conv2D { 32, 3, strides = 2, dilation_rate = 2 }\n",
	        "strides > 1 and dilation_rate > 1 cannot be combined");
	RUN_ERR(W "L.Conv2D { 32, 3, padding = 'full' }\n",
	        "Conv2D: padding must be \"valid\" or \"same\" or \"circular\" (winit's) (got \"full\")");
	RUN_ERR(W "L.Conv2D { 32, 3, activation = 'relux' }\n", "Conv2D: activation", "relux");
	RUN_ERR(W "L.Conv2D { 32, 3, kernel_initializer = 'nope' }\n", "Conv2D: kernel_initializer", "nope");
	RUN_ERR(W "L.Conv2D { 32, 3, use_bias = 1 }\n", "Conv2D", "use_bias");
	RUN_ERR(W "L.Conv2D { 32, 3, filter = 2 }\n", "Conv2D", "unknown option 'filter'");
	RUN_ERR(W "L.Conv2D { 32, 3, filters = 2 }\n", "Conv2D: filters given twice");
	RUN_ERR(W "L.Conv2D { 32, 3, 1 }\n", "Conv2D: takes at most 2 positional entries");
	RUN_ERR(W "L.Conv2D(32, 3, 1, 'same')\n", "Conv2D: takes at most 2 positional arguments");
	RUN_ERR(W "L.Conv2D(32, {}, 3)\n", "Conv2D: the options table must be the last argument");
	RUN_ERR(W "L.MaxPooling2D { padding = 'circular' }\n",
	        "MaxPooling2D: padding must be \"valid\" or \"same\" (got \"circular\")");
	RUN_ERR(W "L.AveragePooling2D { pool_size = 0 }\n", "AveragePooling2D: pool_size must be an integer");
	RUN_ERR(W "L.AveragePooling2D { strides = {1} }\n", "AveragePooling2D: strides must be");
	RUN_ERR(W "L.MaxPooling2D { size = 2 }\n", "MaxPooling2D", "unknown option 'size'");
	RUN_ERR(W "L.GlobalAveragePooling2D { keepdims = true }\n", "GlobalAveragePooling2D", "unknown option 'keepdims'");
	RUN_ERR(W "L.Dropout()\n", "Dropout: rate is required");
	RUN_ERR(W "L.Dropout(1)\n", "Dropout: rate must be in [0, 1) (got 1)");
	RUN_ERR(W "L.Dropout { rate = -0.1 }\n", "Dropout: rate must be in [0, 1) (got -0.1)");
	RUN_ERR(W "L.Dropout { rate = 0/0 }\n", "Dropout: rate must be in [0, 1)");
	RUN_ERR(W "L.Dropout { rate = 'half' }\n", "Dropout", "rate");
	RUN_ERR(W "L.BatchNormalization { axis = 1 }\n",
	        "BatchNormalization: only axis = -1 (the last axis, the channels) is supported (got 1)");
	RUN_ERR(W "L.BatchNormalization { momentum = 1.5 }\n", "BatchNormalization: momentum must be in [0, 1] (got 1.5)");
	RUN_ERR(W "L.BatchNormalization { epsilon = 0 }\n", "BatchNormalization: epsilon must be in (0, inf) (got 0)");
	RUN_ERR(W "L.BatchNormalization { gamma_initializer = 'nope' }\n", "BatchNormalization: gamma_initializer", "nope");
	RUN_ERR(W "L.BatchNormalization { center = false }\n", "BatchNormalization", "unknown option 'center'");
	RUN_ERR(W "L.LayerNormalization { axis = {1, 2} }\n", "LayerNormalization: only axis = -1");
	RUN_ERR(W "L.LayerNormalization { epsilon = -1 }\n", "LayerNormalization: epsilon must be in (0, inf) (got -1)");
	RUN_ERR(W "L.LayerNormalization { beta_initializer = 3 }\n", "LayerNormalization: beta_initializer");
	RUN_ERR(W "L.Scale { per_channel = 'yes' }\n", "Scale", "per_channel");
	RUN_ERR(W "L.Scale { initializer = 'nope' }\n", "Scale: initializer", "nope");
	RUN_ERR(W "L.Scale { alpha = 1 }\n", "Scale", "unknown option 'alpha'");
	/* shapes are refused where the model is made, naming the entry */
	RUN_ERR(W "require('winit').Sequential { L.Conv2D { 4, 5, input_shape = {3, 3, 1} } }\n",
	        "Sequential: entry 1 (Conv2D)", "does not fit");
	RUN_ERR(W "require('winit').Sequential { L.Dense { 4, input_shape = {8} }, L.Conv2D { 4, 3 } }\n",
	        "Sequential: entry 2 (Conv2D)");
#undef W
}
END_TEST

/* Keras's positional forms (Conv2D(32, 3), MaxPooling2D(), Dropout(0.5), ...) are the
 * keyword forms: the same initial weights, in Sequential and the functional API. */
START_TEST(keras_positional_forms_are_the_keyword_forms)
{
	RUN_FILE_OK("keras_positional_forms_are_the_keyword_forms");
}
END_TEST

/* BatchNormalization trains in a Sequential model; its 4 arrays, moving_mean moved by fit. */
START_TEST(batch_normalization_trains)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("batch_normalization_trains");
}
END_TEST

/* winit.coord_check: its table, its values against activation_stats and fit, its refusals
 * by argument. */
START_TEST(coord_check_in_lua)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("coord_check_in_lua");
#define CB "local winit = require('winit')\n" \
	   "local function b(w) local m = winit.Sequential { winit.layers.Dense { w, activation = 'relu', " \
	   "input_shape = {16} }, winit.layers.Dense { 3, activation = 'softmax' } }\n" \
	   "m:compile { loss = 'categorical_crossentropy' } return m end\n"
	RUN_ERR(CB "winit.coord_check { widths = {8}, data = train }\n", "test.lua:4:",
	        "coord_check: 'build' must be a function(width) returning a compiled model (got nil)");
	RUN_ERR(CB "winit.coord_check { build = b, data = train }\n",
	        "coord_check: 'widths' must be a list of integers (got nil)");
	RUN_ERR(CB "winit.coord_check { build = b, widths = {8, 0}, data = train }\n",
	        "coord_check: widths[2] must be an integer >= 1 (got 0)");
	RUN_ERR(CB "winit.coord_check { build = b, widths = {8}, seeds = {-1}, data = train }\n",
	        "coord_check: seeds[1] must be an integer >= 0 (got -1)");
	RUN_ERR(CB "winit.coord_check { build = b, widths = {8} }\n", "coord_check: 'data' (a dataset) is required");
	RUN_ERR(CB "winit.coord_check { build = b, widths = {8}, data = train, steps = 13, batch_size = 50 }\n",
	        "coord_check: 13 steps of batch_size 50 need 650 rows of data; it has 600");
	RUN_ERR(CB "winit.coord_check { build = b, widths = {8}, data = train, step = 3 }\n", "coord_check", "step");
	RUN_ERR(CB "winit.coord_check { build = function() return 1 end, widths = {8}, data = train }\n",
	        "coord_check: build(8) returned number, not a model");
	RUN_ERR(CB "winit.coord_check { build = function(w) local m = b(w) m:get_weights() return m end, "
	           "widths = {8}, data = train }\n",
	        "coord_check: build(8) returned a model whose weights are already made");
	RUN_ERR(CB "winit.coord_check { build = function(w) return winit.Sequential { winit.layers.Dense "
	           "{ 3, activation = 'softmax', input_shape = {16} } } end, widths = {8}, data = train }\n",
	        "coord_check: build(8) returned a model that is not compiled");
	RUN_ERR(CB "winit.coord_check { build = function(w) local m = winit.Sequential { winit.layers.Dense "
	           "{ 3, activation = 'softmax', input_shape = {8} } } m:compile {} return m end, widths = {8}, "
	           "data = train }\n",
	        "coord_check: the model takes 8 inputs, the data has 16 features");
	RUN_ERR(CB "winit.coord_check { build = function(w) if w == 8 then return b(w) end "
	           "local m = winit.Sequential { winit.layers.Dense { 3, activation = 'softmax', "
	           "input_shape = {16} } } m:compile {} return m end, widths = {8, 16}, data = train }\n",
	        "coord_check: build(16) made 1 layers, build(8) 2: every width must have the same layers");
#undef CB
}
END_TEST

/* study:add_coord_check: the check goes into the study's results file (study:run's save,
 * results:save) as winit.coord_check measured it, bit for bit, the hidden layer's
 * activations and the output's logits; results:report draws it; its refusals. */
START_TEST(coord_check_saved_with_a_study)
{
	RUN_FILE_OK("model");
#define CB "local winit = require('winit')\n" \
	   "local function b(w) local m = winit.Sequential { winit.layers.Dense { w, activation = 'relu', " \
	   "input_shape = {16} }, winit.layers.Dense { 3, activation = 'softmax' } }\n" \
	   "m:compile { loss = 'categorical_crossentropy' } return m end\n" \
	   "cc = winit.coord_check { build = b, widths = {8, 32}, seeds = {3, 4}, steps = 2, data = train, " \
	   "batch_size = 50 }\n" \
	   "local s = winit.Study { name = 'cc', seed = 1 }\n"
	RUN_OK(CB "s:add_coord_check(cc, { name = 'mlp', parametrization = 'standard' })\n"
	          "s:add_coord_check(cc, { name = 'mlp', parametrization = 'mup' })\n"
	          "s:add { name = 'r', model = b(8), train = train, epochs = 1, batch_size = 100 }\n"
	          "local res = s:run { save = DIR .. '/cc.json', verbose = 0 }\n"
	          "res:save(DIR .. '/cc2.json')\n"
	          "res:report(DIR .. '/cc.html')\n");
	char path[600];
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, k ? "cc2.json" : "cc.json");
		struct winit_results_file f;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(f.n_runs, 1);
		ck_assert_uint_eq(f.n_coord_checks, 2);
		ck_assert_str_eq(f.coord_checks[1].parametrization, "mup");
		const struct winit_coord_check *c = &f.coord_checks[0];
		ck_assert_str_eq(c->name, "mlp");
		ck_assert_str_eq(c->parametrization, "standard");
		ck_assert_int_eq(c->n_widths, 2);
		ck_assert_int_eq(c->widths[1], 32);
		ck_assert_int_eq(c->n_seeds, 2);
		ck_assert_int_eq(c->seeds[1], 4);
		ck_assert_int_eq(c->steps, 2);
		ck_assert_int_eq(c->batch_size, 50);
		ck_assert_int_eq(c->n_layers, 2);
		ck_assert_str_eq(c->layers[0].name, "dense_1");
		ck_assert_int_eq(c->layers[0].of, WINIT_COORD_ACTIVATION);
		ck_assert_int_eq(c->layers[1].of, WINIT_COORD_PRE_ACTIVATION);
		/* Every value is the one Lua holds: cc.mean[l][stat][t][w]. */
		static const char *const stat[2][2] = { { "act", "act_delta" }, { "pre", "pre_delta" } };
		for (int l = 0; l < 2; l++)
			for (int q = 0; q < 2; q++)
				for (int t = 0; t <= 2; t++)
					for (int w = 0; w < 2; w++) {
						lua_getglobal(L, "cc");
						lua_getfield(L, -1, "mean");
						lua_rawgeti(L, -1, l + 1);
						lua_getfield(L, -1, stat[l][q]);
						lua_rawgeti(L, -1, t + 1);
						lua_rawgeti(L, -1, w + 1);
						double want = lua_tonumber(L, -1), got = (q ? c->layers[l].change : c->layers[l].mean_abs)[t * 2 + w];
						lua_settop(L, 0);
						ck_assert_msg(got == want && (t > 0 || q == 0 || got == 0),
						              "layer %d %s step %d width %d: %.17g in the file, %.17g in Lua", l,
						              stat[l][q], t, w, got, want);
					}
		winit_results_file_free(&f);
	}
	snprintf(path, sizeof path, "%s/cc.html", dir);
	FILE *h = fopen(path, "r");
	ck_assert_ptr_nonnull(h);
	static char page[1 << 20];
	size_t n = fread(page, 1, sizeof page - 1, h);
	fclose(h);
	page[n] = '\0';
	ck_assert_ptr_nonnull(strstr(page, "<h2>Coordinate check</h2>"));
	ck_assert_ptr_nonnull(strstr(page, "<title>muP: dense_2 (logits)</title>"));
	/* Resumed by a script that attaches only the muP check again, the file keeps the
	 * standard one too (the script's first, then the file's others), as it keeps runs the
	 * script no longer lists. */
	RUN_OK(CB "s:add_coord_check(cc, { name = 'mlp', parametrization = 'mup' })\n"
	          "s:add { name = 'r', model = b(8), train = train, epochs = 1, batch_size = 100 }\n"
	          "s:run { save = DIR .. '/cc.json', verbose = 0, resume = true }\n");
	{
		snprintf(path, sizeof path, "%s/cc.json", dir);
		struct winit_results_file f;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(f.n_coord_checks, 2);
		ck_assert_str_eq(f.coord_checks[0].parametrization, "mup");
		ck_assert_str_eq(f.coord_checks[1].parametrization, "standard");
		ck_assert_int_eq(f.coord_checks[1].widths[1], 32);
		winit_results_file_free(&f);
	}
	RUN_ERR(CB "s:add_coord_check(cc, { parametrization = 'mup' })\n", "test.lua:6:",
	        "Study:add_coord_check: 'name' must be a non-empty string");
	RUN_ERR(CB "s:add_coord_check(cc, { name = 'x', parametrization = 'sp' })\n",
	        "Study:add_coord_check: coordinate check 'x': expected a parametrization: \"standard\", \"ntk\" or \"mup\"");
	RUN_ERR(CB "s:add_coord_check(cc, { name = 'x', parametrization = 'mup' })\n"
	           "s:add_coord_check(cc, { name = 'x', parametrization = 'mup' })\n",
	        "Study:add_coord_check: the study has a coordinate check 'x' (mup) already");
	RUN_ERR(CB "s:add_coord_check(cc, { name = 'x', parametrization = 'mup', seed = 1 })\n",
	        "Study:add_coord_check", "seed");
	RUN_ERR(CB "s:add_coord_check({}, { name = 'x', parametrization = 'mup' })\n",
	        "Study:add_coord_check: the coordinate check's 'widths' must be a list of widths (got nil)");
	RUN_ERR(CB "cc.widths = {32, 8}\ns:add_coord_check(cc, { name = 'x', parametrization = 'mup' })\n",
	        "Study:add_coord_check: coordinate check 'x': expected widths >= 1, increasing");
	RUN_ERR(CB "cc.mean[2].pre[3] = {1}\ns:add_coord_check(cc, { name = 'x', parametrization = 'mup' })\n",
	        "Study:add_coord_check: the coordinate check's mean[2].pre[3] must be 2 numbers (one per width)");
#undef CB
}
END_TEST

/* study:add_spectrum: the table goes into the study's results file (study:run's save,
 * results:save) as the script built it, bit for bit; results:report draws it; its
 * refusals name the member. */
START_TEST(spectrum_saved_with_a_study)
{
	RUN_FILE_OK("model");
#define SP "local winit = require('winit')\n" \
	   "local function depth(d, m) return { depth = d, values = 10, mean_sq = m, " \
	   "mean_sq_per_network = { m, 1 / 7 }, var_sq = 0.1, norm_var = 0.1 / (m * m), max = 1.5, min = 0, " \
	   "theory_mean_sq = 1, theory_norm_var = d, hist_counts = { 1, 2, 3, 4 } } end\n" \
	   "sp = { name = 'relu he', activation = 'relu', weights = 'he', sigma_w = math.sqrt(2), " \
	   "sigma_b = 0, chi_1 = 1, v_w = 1, v_d = 1, width = 5, networks = 2, examples = 1, " \
	   "hist_log10_range = { -8, 2 }, hist_bins = 4, depths = { depth(3, 1 / 3), depth(7, 0.9) } }\n" \
	   "local s = winit.Study { name = 'sp', seed = 1 }\n"
	RUN_OK(SP "s:add_spectrum(sp)\n"
	          "s:add { name = 'r', model = build('he_normal'), train = train, epochs = 1, batch_size = 100 }\n"
	          "local res = s:run { save = DIR .. '/sp.json', verbose = 0 }\n"
	          "res:save(DIR .. '/sp2.json')\n"
	          "res:report(DIR .. '/sp.html')\n");
	char path[600];
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/%s", dir, k ? "sp2.json" : "sp.json");
		struct winit_results_file f;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(f.n_runs, 1);
		ck_assert_uint_eq(f.n_spectra, 1);
		const struct winit_spectrum *p = &f.spectra[0];
		ck_assert_str_eq(p->name, "relu he");
		ck_assert_str_eq(p->weights, "he");
		ck_assert(p->sigma_w == sqrt(2.0) && isnan(p->q_star) && p->hist_lo == -8 && p->hist_hi == 2);
		ck_assert_int_eq(p->n_depths, 2);
		ck_assert_int_eq(p->depths[1].depth, 7);
		ck_assert(p->depths[0].mean_sq == 1.0 / 3.0 && p->depths[0].mean_sq_per_network[1] == 1.0 / 7.0);
		ck_assert(p->depths[1].norm_var == 0.1 / (0.9 * 0.9) && isnan(p->depths[1].theory_var_sq));
		ck_assert(p->depths[1].theory_norm_var == 7 && p->depths[1].hist_counts[3] == 4);
		winit_results_file_free(&f);
	}
	snprintf(path, sizeof path, "%s/sp.html", dir);
	FILE *h = fopen(path, "r");
	ck_assert_ptr_nonnull(h);
	static char page[1 << 20];
	size_t n = fread(page, 1, sizeof page - 1, h);
	fclose(h);
	page[n] = '\0';
	ck_assert_ptr_nonnull(strstr(page, "<h2>Jacobian spectrum at initialization</h2>"));
	ck_assert_ptr_nonnull(strstr(page, "<title>relu he: histogram of log10 s</title>"));
	/* Resumed by a script that attaches the spectrum no more, the file keeps it, as it
	 * keeps runs the script no longer lists; prune drops it with them. */
	RUN_OK(SP "s:add { name = 'r', model = build('he_normal'), train = train, epochs = 1, batch_size = 100 }\n"
	          "s:run { save = DIR .. '/sp.json', verbose = 0, resume = true }\n");
	for (int prune = 0; prune < 2; prune++) {
		snprintf(path, sizeof path, "%s/sp.json", dir);
		struct winit_results_file f;
		struct winit_error err = { 0 };
		ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(f.n_runs, 1);
		ck_assert_uint_eq(f.n_spectra, prune ? 0 : 1);
		if (!prune)
			ck_assert(strcmp(f.spectra[0].name, "relu he") == 0 && f.spectra[0].depths[1].hist_counts[3] == 4);
		winit_results_file_free(&f);
		if (!prune)
			RUN_OK(SP "s:add { name = 'r', model = build('he_normal'), train = train, epochs = 1, batch_size = 100 }\n"
			          "s:run { save = DIR .. '/sp.json', verbose = 0, resume = true, prune = true }\n");
	}
	RUN_ERR(SP "sp.name = nil\ns:add_spectrum(sp)\n", "test.lua:6:",
	        "Study:add_spectrum: 'name' must be a string of 1 to 127 bytes (got nil)");
	RUN_ERR(SP "s:add_spectrum(sp)\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: the study has a spectrum 'relu he' already");
	RUN_ERR(SP "sp.seed = 1\ns:add_spectrum(sp)\n", "Study:add_spectrum", "seed");
	RUN_ERR(SP "sp.depths[2].hist_counts = { 1, 2, 3 }\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: 'depths[2].hist_counts' must be a list of 4 integers (hist_bins of them)");
	RUN_ERR(SP "sp.depths[2].hist_counts[4] = 5\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: spectrum 'relu he': expected depths[1].hist_counts >= 0 summing to values (10)");
	RUN_ERR(SP "sp.depths[2].depth = 3\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: spectrum 'relu he': expected depths[1].depth >= 1, increasing");
	RUN_ERR(SP "sp.depths[1].mean_sq = 0 / 0\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: spectrum 'relu he': expected depths[0]: mean_sq, mean_sq_per_network, var_sq, "
	        "norm_var, max and min finite and >= 0");
	RUN_ERR(SP "sp.depths[1].mean_sq = 'x'\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: 'depths[1].mean_sq' must be a number (got string)");
	RUN_ERR(SP "sp.depths = {}\ns:add_spectrum(sp)\n",
	        "Study:add_spectrum: 'depths' must be a non-empty list of tables (one per depth)");
#undef SP
}
END_TEST

/* compile's parametrization: muP at the base widths is standard to the bit after a fit;
 * its refusals by argument. */
START_TEST(parametrization_in_compile)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("parametrization_in_compile");
#define M "local winit = require('winit')\nlocal m = build('he_normal')\n"
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 'mup' }\n",
	        "test.lua:3:", "compile: parametrization = \"mup\" needs base");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 'mu' }\n",
	        "compile: parametrization: unknown parametrization 'mu' (known: standard, ntk, mup)");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 2 }\n",
	        "compile: parametrization must be \"standard\", \"ntk\" or \"mup\" (got number)");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 'mup', base = {} }\n",
	        "compile: base must be a model", "got table");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', base = build('zeros') }\n",
	        "compile: base is muP's: give parametrization = \"mup\" with it");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 'ntk', zero_output = true }\n",
	        "compile: zero_output is muP's, not ntk's");
	RUN_ERR(M "m:compile { loss = 'categorical_crossentropy', parametrization = 'mup', base = build('zeros'), "
	          "zero_output = 1 }\n",
	        "compile", "zero_output");
	RUN_ERR(M "local b = winit.Sequential { winit.layers.Dense { 3, input_shape = {16}, activation = 'softmax' } }\n"
	          "m:compile { loss = 'categorical_crossentropy', parametrization = 'mup', base = b }\n",
	        "test.lua:4:", "compile: parametrization: the base model has 1 layers, the model 2: it must be the same graph");
	RUN_ERR(M "m:get_weights()\nm:compile { loss = 'categorical_crossentropy', parametrization = 'ntk' }\n",
	        "test.lua:4:", "compile: the model's weights exist already");
#undef M
}
END_TEST

/* model:jacobian_spectrum: an orthogonal linear stack is an isometry, a Gaussian one not;
 * its arguments refused by name. */
START_TEST(jacobian_spectrum_in_lua)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("jacobian_spectrum_in_lua");
#define M "local m = build('he_normal')\n"
	RUN_ERR(M "m:jacobian_spectrum(3)\n", "test.lua:2:", "bad argument #1",
	        "a dataset or a list of input rows expected, got number");
	RUN_ERR(M "m:jacobian_spectrum(train, { from = 2 })\n",
	        "jacobian_spectrum: option 'from' must be an integer in [0, 1] (got 2)");
	RUN_ERR(M "m:jacobian_spectrum(train, { to = 0 })\n",
	        "jacobian_spectrum: option 'to' must be an integer in [1, 2] (got 0)");
	RUN_ERR(M "m:jacobian_spectrum(train, { from = 1, to = 1 })\n",
	        "jacobian_spectrum: to (1) must be after from (1)");
	RUN_ERR(M "m:jacobian_spectrum(train, { examples = 0 })\n",
	        "jacobian_spectrum: option 'examples' must be an integer in [1, 600] (got 0)");
	RUN_ERR(M "m:jacobian_spectrum({ {1, 2} })\n", "jacobian_spectrum: row 1 must be a list of the model's 16 inputs");
	RUN_ERR(M "m:jacobian_spectrum(train, { layers = 2 })\n", "jacobian_spectrum", "unknown option 'layers'");
	RUN_ERR(M "m:jacobian_spectrum({})\n", "jacobian_spectrum: no examples given");
#undef M
}
END_TEST

/* Models of the new kinds save and load (the model format's version 2): a functional
 * model with Add, BatchNormalization with its moving statistics after a fit, muP's
 * multipliers, a conv-first Sequential (shown as a Sequential again, no InputLayer). */
START_TEST(saved_models_of_every_kind_reload)
{
	RUN_FILE_OK("model");
	RUN_FILE_OK("saved_models_of_every_kind_reload");
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
	tcase_add_test(tc, study_runs_take_schedules_and_early_stopping);
	tcase_add_test(tc, fit_repeats_a_study_run_exactly);
	tcase_add_test(tc, deep_models_train_and_reload);
	tcase_add_test(tc, study_design_pairs_replicates);
	tcase_add_test(tc, grid_expands_factors_into_runs);
	tcase_add_test(tc, study_runs_and_saves);
	tcase_add_test(tc, results_report_writes_the_page);
	tcase_add_test(tc, diagnostics_in_lua);
	tcase_add_test(tc, every_run_field_reaches_lua);
	tcase_add_test(tc, plugins_are_listed_with_files);
	tcase_add_test(tc, parse_args_types_and_errors);
	tcase_add_test(tc, lua_defined_initializer);
	tcase_add_test(tc, rng_integer_is_uniform);
	tcase_add_test(tc, summary_lists_the_given_layers);
	tcase_add_test(tc, progress_counts_in_the_singular);
	tcase_add_test(tc, activation_stats_and_lsuv);
	tcase_add_test(tc, parts_open_in_any_order);
	tcase_add_test(tc, dense_defaults_and_compile_are_the_engines);
	tcase_add_test(tc, functional_chain_matches_sequential);
	tcase_add_test(tc, residual_and_branch_models_train);
	tcase_add_test(tc, shape_layers_change_no_number);
	tcase_add_test(tc, graph_weights_round_trip);
	tcase_add_test(tc, dense_multipliers);
	tcase_add_test(tc, functional_summary_is_keras);
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
	tcase_add_test(tc, theory_correlations);
	tcase_add_test(tc, stats_summary_and_paired);
	tcase_add_test(tc, functional_refusals_name_the_line);
	tcase_add_test(tc, keras_cnn_tutorial_trains);
	tcase_add_test(tc, lua_layers_make_the_c_specs);
	tcase_add_test(tc, image_layers_refuse_bad_arguments);
	tcase_add_test(tc, keras_positional_forms_are_the_keyword_forms);
	tcase_add_test(tc, batch_normalization_trains);
	tcase_add_test(tc, parametrization_in_compile);
	tcase_add_test(tc, coord_check_in_lua);
	tcase_add_test(tc, coord_check_saved_with_a_study);
	tcase_add_test(tc, spectrum_saved_with_a_study);
	tcase_add_test(tc, jacobian_spectrum_in_lua);
	tcase_add_test(tc, plot_xy_draws_predictions_dashed);
	tcase_add_test(tc, saved_models_of_every_kind_reload);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(lua_suite());
}
