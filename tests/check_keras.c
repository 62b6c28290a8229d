/* tests/check_keras.c -- Keras's names and forms in the Lua API (docs/keras.md): class
 * names for initializers and activations, Dense's positional forms, the losses, and the
 * refusals Keras makes too. */
#include <math.h>
#include <sys/stat.h>

#include "luatest.h"

/* Lua helpers: the first Dense kernel of a model built under a fixed seed, and exact
 * equality of two such kernels. */
static const char helpers[] =
	"local winit = require 'winit'\n"
	"function kernel(dense, seed)\n"
	"  winit.set_seed(seed or 3)\n"
	"  local m = winit.Sequential { winit.layers.Flatten { input_shape = {4, 4} }, dense,\n"
	"                               winit.layers.Dense { 3, activation = 'softmax' } }\n"
	"  return m:get_weights(1)\n"
	"end\n"
	"function same(a, b)\n"
	"  if #a ~= #b then return false end\n"
	"  for i = 1, #a do\n"
	"    if type(a[i]) == 'table' then\n"
	"      if not same(a[i], b[i]) then return false end\n"
	"    elseif a[i] ~= b[i] then return false end\n"
	"  end\n"
	"  return true\n"
	"end\n"
	"function init_kernel(init, seed)\n"
	"  return kernel(winit.layers.Dense { 16, activation = 'relu', kernel_initializer = init }, seed)\n"
	"end\n";

START_TEST(initializer_classes_are_plugin_references)
{
	RUN_OK(helpers);
	RUN_OK("local I = require('winit').initializers\n"
	       "local r = I.RandomNormal { mean = 0, stddev = 1 }\n"
	       "assert(r[1] == 'random_normal' and r.mean == 0 and r.stddev == 1)\n"
	       "local p = I.RandomNormal(0.5, 2)\n"
	       "assert(p[1] == 'random_normal' and p.mean == 0.5 and p.stddev == 2)\n"
	       "assert(I.RandomUniform { -1, 1 }.maxval == 1)\n"
	       "assert(I.Constant(0.25).value == 0.25 and I.Constant(0.25)[1] == 'constant')\n"
	       "local v = I.VarianceScaling { scale = 2, mode = 'fan_in', distribution = 'uniform' }\n"
	       "assert(v[1] == 'variance_scaling' and v.scale == 2 and v.distribution == 'uniform')\n"
	       "local want = { Zeros = 'zeros', Ones = 'ones', Constant = 'constant',\n"
	       "  RandomNormal = 'random_normal', RandomUniform = 'random_uniform',\n"
	       "  TruncatedNormal = 'truncated_normal', GlorotNormal = 'glorot_normal',\n"
	       "  GlorotUniform = 'glorot_uniform', HeNormal = 'he_normal', HeUniform = 'he_uniform',\n"
	       "  LecunNormal = 'lecun_normal', LecunUniform = 'lecun_uniform',\n"
	       "  VarianceScaling = 'variance_scaling', Orthogonal = 'orthogonal', Identity = 'identity' }\n"
	       "local n = 0\n"
	       "for cls, plugin in pairs(want) do\n"
	       "  assert(I[cls], 'missing ' .. cls)\n"
	       "  assert(I[cls]()[1] == plugin, cls .. ' -> ' .. tostring(I[cls]()[1]))\n"
	       "  n = n + 1\n"
	       "end\n"
	       "local m = 0\n"
	       "for _ in pairs(I) do m = m + 1 end\n"
	       "assert(n == 15 and m == 15, 'classes: ' .. m)\n"
	       "local A = require('winit').activations\n"
	       "assert(A.ReLU()[1] == 'relu' and A.Softmax()[1] == 'softmax')\n"
	       "assert(A.LeakyReLU()[1] == 'leaky_relu' and A.LeakyReLU().alpha == 0.3, 'Keras default 0.3')\n"
	       "assert(A.LeakyReLU(0.1).alpha == 0.1 and A.ELU { alpha = 0.5 }.alpha == 0.5)\n");
}
END_TEST

/* Every spelling of one initializer fills the same weights, to the last bit; another
 * initializer does not (so the comparison can fail). */
START_TEST(every_spelling_gives_the_same_weights)
{
	RUN_OK(helpers);
	RUN_OK("local I = winit.initializers\n"
	       "local he = init_kernel('he_normal')\n"
	       "for _, s in ipairs { I.HeNormal(), 'HeNormal', {'HeNormal'}, I.HeNormal {} } do\n"
	       "  assert(same(init_kernel(s), he))\n"
	       "end\n"
	       "assert(not same(init_kernel('glorot_normal'), he))\n"
	       "assert(not same(init_kernel('he_normal', 4), he))\n"
	       "local rn = init_kernel({'random_normal', mean = 0, stddev = 1})\n"
	       "for _, s in ipairs { I.RandomNormal { mean = 0, stddev = 1 }, I.RandomNormal(0, 1),\n"
	       "                     {'RandomNormal', stddev = 1}, {'RandomNormal', 0, 1} } do\n"
	       "  assert(same(init_kernel(s), rn))\n"
	       "end\n"
	       "assert(not same(init_kernel(I.RandomNormal()), rn), 'Keras default stddev 0.05')\n"
	       "-- activations by class\n"
	       "local relu = kernel(winit.layers.Dense { 16, activation = 'relu' })\n"
	       "assert(same(kernel(winit.layers.Dense { 16, activation = winit.activations.ReLU() }), relu))\n"
	       "assert(same(kernel(winit.layers.Dense { 16, activation = 'ReLU' }), relu))\n");
}
END_TEST

/* Dense's Keras forms describe the same layer as the table form. */
START_TEST(dense_positional_forms)
{
	RUN_OK(helpers);
	RUN_OK("local D, I = winit.layers.Dense, winit.initializers\n"
	       "local ref = kernel(D { 16, activation = 'tanh', kernel_initializer = 'lecun_normal' })\n"
	       "for _, l in ipairs {\n"
	       "    D(16, 'tanh', { kernel_initializer = 'lecun_normal' }),\n"
	       "    D(16, 'tanh', { kernel_initializer = I.LecunNormal() }),\n"
	       "    D { 16, 'tanh', kernel_initializer = 'LecunNormal' },\n"
	       "    D { units = 16, activation = 'tanh', kernel_initializer = 'lecun_normal' },\n"
	       "    D(16, { activation = 'tanh', kernel_initializer = 'lecun_normal' }) } do\n"
	       "  assert(same(kernel(l), ref))\n"
	       "end\n"
	       "-- Dense(units) is linear with glorot_uniform, Dense(units, act) too\n"
	       "assert(same(kernel(D(16)), kernel(D { 16, activation = 'linear', kernel_initializer = 'glorot_uniform' })))\n"
	       "assert(same(kernel(D(16, 'relu')), kernel(D { 16, 'relu' })))\n"
	       "assert(same(kernel(D(16, { 'leaky_relu', alpha = 0.2 })), kernel(D { 16, activation = { 'leaky_relu', alpha = 0.2 } })))\n"
	       "assert(not same(kernel(D(16)), ref))\n");
}
END_TEST

/* Both Keras losses are the one loss of integer labels: the same training, bit for bit. */
START_TEST(sparse_and_categorical_losses_agree)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "local function hist(loss)\n"
	       "  winit.set_seed(8)\n"
	       "  local m = winit.Sequential { winit.layers.Flatten { input_shape = {4, 4} },\n"
	       "    winit.layers.Dense(8, 'relu'), winit.layers.Dense(3, 'softmax') }\n"
	       "  m:compile { optimizer = 'adam', loss = loss, metrics = { 'accuracy' } }\n"
	       "  return m:fit(train, { epochs = 2, batch_size = 50, verbose = 0 })\n"
	       "end\n"
	       "local a, b = hist('categorical_crossentropy'), hist('sparse_categorical_crossentropy')\n"
	       "assert(a.loss[2] == b.loss[2] and a.accuracy[2] == b.accuracy[2])\n");
}
END_TEST

/* fit returns Keras's History; h.loss still reads h.history.loss. */
START_TEST(fit_returns_a_history)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "local h = build('he_normal'):fit(train, { epochs = 3, batch_size = 32, validation_split = 0.2, verbose = 0 })\n"
	       "assert(#h.history.loss == 3 and #h.history.val_accuracy == 3)\n"
	       "assert(h.epoch[1] == 0 and h.epoch[3] == 2 and #h.epoch == 3)\n"
	       "assert(h.loss == h.history.loss and h.params.epochs == 3 and h.params.batch_size == 32)\n"
	       "assert(h.history.loss[3] < h.history.loss[1])\n");
}
END_TEST

/* model.layers and the Keras weight lists: get_weights() then set_weights() on another
 * model makes it predict the same, to the last bit; a layer's weights are its part. */
START_TEST(layers_and_weights_as_keras)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "winit.set_seed(1)\n"
	       "local a = build('he_normal')\n"
	       "a:fit(train, { epochs = 1, batch_size = 32, verbose = 0 })\n"
	       "local L = a.layers\n"
	       "assert(#L == 3 and L[1].name == 'flatten' and L[1].class_name == 'Flatten')\n"
	       "assert(L[2].name == 'dense_1' and L[2].units == 16 and L[2].activation == 'relu')\n"
	       "assert(L[2].kernel_initializer == 'he_normal' and L[3].activation == 'softmax')\n"
	       "assert(#L[1]:get_weights() == 0)\n"
	       "local w = a:get_weights()\n"
	       "assert(#w == 4 and #w[1] == 16 and #w[1][1] == 16 and #w[2] == 16 and #w[3] == 16 and #w[3][1] == 3 and #w[4] == 3)\n"
	       "local k, b = a:get_weights(2)\n"
	       "assert(k[5][2] == w[3][5][2] and b[3] == w[4][3])\n"
	       "local lw = L[3]:get_weights()\n"
	       "assert(#lw == 2 and lw[1][5][2] == w[3][5][2])\n"
	       "winit.set_seed(2)\n"
	       "local c = build('zeros')\n"
	       "local pa = a:predict(test, 1, 4)\n"
	       "assert(c:predict(test, 1, 4)[1][1] ~= pa[1][1])\n"
	       "assert(c:set_weights(w) == c)\n"
	       "local pc = c:predict(test, 1, 4)\n"
	       "for i = 1, 4 do for j = 1, 3 do assert(pc[i][j] == pa[i][j]) end end\n"
	       "-- a layer's own set_weights\n"
	       "local z = { {}, {} }\n"
	       "for r = 1, 16 do z[1][r] = { 0, 0, 0 } end\n"
	       "z[2] = { 1, 2, 3 }\n"
	       "c.layers[3]:set_weights(z)\n"
	       "local k2, b2 = c:get_weights(2)\n"
	       "assert(k2[7][3] == 0 and b2[3] == 3)\n"
	       "assert(c:get_weights(1)[1][1] == w[1][1][1], 'other layer unchanged')\n");
}
END_TEST

/* validation_data is validated on whole; without callbacks or with observing ones the
 * numbers are the same as before; logs carry what the history records. */
START_TEST(validation_data_and_callback_tables)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "local function go(opts)\n"
	       "  winit.set_seed(4)\n"
	       "  local m = build('glorot_normal')\n"
	       "  opts.epochs, opts.batch_size, opts.verbose = 3, 40, 0\n"
	       "  return m:fit(train, opts), m\n"
	       "end\n"
	       "local h, m = go { validation_data = test }\n"
	       "local loss, acc = m:evaluate(test)\n"
	       "assert(#h.val_loss == 3 and h.val_loss[3] == loss and h.val_accuracy[3] == acc)\n"
	       "local seen, order = {}, {}\n"
	       "local cb = { on_train_begin = function() order[#order + 1] = 'train' end,\n"
	       "  on_epoch_begin = function(e) order[#order + 1] = 'b' .. e end,\n"
	       "  on_epoch_end = function(e, logs) order[#order + 1] = 'e' .. e; seen[e + 1] = logs end,\n"
	       "  on_train_end = function() order[#order + 1] = 'end' end, note = 'user state' }\n"
	       "local h2 = go { validation_data = test, callbacks = { cb } }\n"
	       "assert(table.concat(order, ' ') == 'train b0 e0 b1 e1 b2 e2 end', table.concat(order, ' '))\n"
	       "for e = 1, 3 do\n"
	       "  assert(h2.loss[e] == h.loss[e] and h2.val_loss[e] == h.val_loss[e], 'same numbers')\n"
	       "  assert(seen[e].loss == h.loss[e] and seen[e].val_accuracy == h.val_accuracy[e])\n"
	       "  assert(seen[e].learning_rate == 0.01)\n"
	       "end\n"
	       "local h3 = go { callbacks = { { on_epoch_end = function(e) if e == 1 then return 'stop' end end } } }\n"
	       "assert(#h3.loss == 2 and h3.loss[2] == go({}).loss[2])\n"
	       "-- initial_epoch: Keras's epoch numbering continues\n"
	       "local h4 = go { initial_epoch = 2 }\n"
	       "assert(#h4.loss == 1 and h4.epoch[1] == 2 and h4.history.loss[1] == h.loss[1])\n");
}
END_TEST

/* EarlyStopping stops when the monitored value stops improving by min_delta, and with
 * restore_best_weights leaves the best epoch's weights. */
START_TEST(early_stopping)
{
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "local C = winit.callbacks\n"
	       "local function go(epochs, cbs)\n"
	       "  winit.set_seed(6)\n"
	       "  local m = build('he_normal')\n"
	       "  return m:fit(train, { epochs = epochs, batch_size = 40, verbose = 0, validation_split = 0.25,\n"
	       "                         callbacks = cbs }), m\n"
	       "end\n"
	       "-- nothing improves by 10: stops after the second epoch (Keras never stops after the first)\n"
	       "local h, m = go(10, { C.EarlyStopping { monitor = 'loss', min_delta = 10, restore_best_weights = true } })\n"
	       "assert(#h.loss == 2, 'epochs run: ' .. #h.loss)\n"
	       "local _, m1 = go(1)\n"
	       "local a, b = m:get_weights(), m1:get_weights()\n"
	       "assert(a[1][3][4] == b[1][3][4] and a[3][2][1] == b[3][2][1], 'best (first) epoch restored')\n"
	       "local _, m2 = go(2)\n"
	       "assert(m2:get_weights()[1][3][4] ~= a[1][3][4], 'the second epoch did change them')\n"
	       "-- a patient one on a falling loss runs every epoch\n"
	       "local h2 = go(4, { C.EarlyStopping { monitor = 'val_accuracy', patience = 10 } })\n"
	       "assert(#h2.loss == 4)\n"
	       "local e = C.EarlyStopping()\n"
	       "assert(e[1] == 'EarlyStopping' and e.monitor == 'val_loss' and e.patience == 0)\n");
}
END_TEST

/* LearningRateScheduler sets each epoch's rate; a schedule as Adam's learning_rate sets
 * each step's, as Keras computes it. */
START_TEST(learning_rate_schedules)
{
	struct winit_lr_schedule ex = { .kind = WINIT_LR_EXPONENTIAL_DECAY,
		                        .initial_learning_rate = 0.1,
		                        .decay_steps = 10,
		                        .decay_rate = 0.5 };
	ck_assert_double_eq_tol(winit_lr_schedule_at(&ex, 0), 0.1, 1e-15);
	ck_assert_double_eq_tol(winit_lr_schedule_at(&ex, 10), 0.05, 1e-15);
	ck_assert_double_eq_tol(winit_lr_schedule_at(&ex, 5), 0.1 * sqrt(0.5), 1e-15);
	ex.staircase = 1;
	ck_assert_double_eq_tol(winit_lr_schedule_at(&ex, 19), 0.05, 1e-15);
	struct winit_lr_schedule co = { .kind = WINIT_LR_COSINE_DECAY,
		                        .initial_learning_rate = 1,
		                        .decay_steps = 10,
		                        .alpha = 0.1 };
	ck_assert_double_eq_tol(winit_lr_schedule_at(&co, 0), 1, 1e-15);
	ck_assert_double_eq_tol(winit_lr_schedule_at(&co, 5), 0.55, 1e-15);
	ck_assert_double_eq_tol(winit_lr_schedule_at(&co, 50), 0.1, 1e-15);
	RUN_FILE_OK("model");
	RUN_OK("local winit = require 'winit'\n"
	       "local function go(opt, cbs)\n"
	       "  winit.set_seed(9)\n"
	       "  local m = build('he_normal')\n"
	       "  if opt then m:compile { optimizer = opt } end\n"
	       "  local lrs = {}\n"
	       "  cbs = cbs or {}\n"
	       "  cbs[#cbs + 1] = { on_epoch_end = function(e, logs) lrs[e + 1] = logs.learning_rate end }\n"
	       "  return m:fit(train, { epochs = 3, batch_size = 100, verbose = 0, callbacks = cbs }), lrs\n"
	       "end\n"
	       "local base = go()\n"
	       "local S = winit.callbacks.LearningRateScheduler\n"
	       "local same = go(nil, { S(function(epoch, lr) return lr end) })\n"
	       "assert(same.loss[3] == base.loss[3])\n"
	       "local got = {}\n"
	       "local h, lrs = go(nil, { S(function(epoch, lr) got[#got + 1] = epoch; return 0.01 / (epoch + 1) end) })\n"
	       "assert(table.concat(got, ',') == '0,1,2' and lrs[3] == 0.01 / 3 and h.loss[1] == base.loss[1] and h.loss[3] ~= base.loss[3])\n"
	       "local D = winit.optimizers.schedules\n"
	       "local ed = D.ExponentialDecay(0.01, 10, 0.5)\n"
	       "assert(ed[1] == 'ExponentialDecay' and ed.decay_steps == 10)\n"
	       "local h2, lrs2 = go(winit.optimizers.Adam { learning_rate = ed })\n"
	       "-- 6 steps an epoch: the last step of epoch 1 is step 5 (counted from 0)\n"
	       "assert(math.abs(lrs2[1] - 0.01 * 0.5 ^ (5 / 10)) < 1e-15, lrs2[1])\n"
	       "assert(math.abs(lrs2[3] - 0.01 * 0.5 ^ (17 / 10)) < 1e-15)\n"
	       "local _, lrs3 = go(winit.optimizers.SGD { learning_rate = D.CosineDecay { initial_learning_rate = 0.1, decay_steps = 12 } })\n"
	       "assert(math.abs(lrs3[2] - 0.1 * 0.5 * (1 + math.cos(math.pi * 11 / 12))) < 1e-15 and lrs3[3] == 0)\n");
}
END_TEST

START_TEST(callback_refusals)
{
	RUN_FILE_OK("model");
	RUN_OK("m = build('he_normal')\n");
	RUN_ERR("m:fit(train, { verbose = 0, validation_split = 0.2, validation_data = test })\n",
	        "test.lua:1:", "validation_data or validation_split, not both");
	RUN_ERR("m:fit(train, { verbose = 0, validation_data = {} })\n", "test.lua:1:",
	        "validation_data must be a dataset");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { winit.callbacks.EarlyStopping() } })\n",
	        "test.lua:1:", "EarlyStopping: monitor 'val_loss' is not available", "validation_split");
	RUN_ERR("winit.callbacks.EarlyStopping { monitor = 'val_los' }\n", "test.lua:1:",
	        "monitor must be one of");
	RUN_ERR("winit.callbacks.EarlyStopping { patience = -1 }\n", "test.lua:1:", "patience");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { { on_batch_end = print } } })\n",
	        "test.lua:1:", "on_batch_end is not called by winit");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { 5 } })\n", "test.lua:1:",
	        "callbacks[1] is not a callback");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { { 'ModelCheckpoint' } } })\n",
	        "test.lua:1:", "unknown callback 'ModelCheckpoint'");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { { on_epoch_end = function() error('boom') end } } })\n",
	        "test.lua:1:", "fit: on_epoch_end: test.lua:1: boom");
	RUN_ERR("m:fit(train, { verbose = 0, callbacks = { winit.callbacks.LearningRateScheduler(function() return -1 end) } })\n",
	        "test.lua:1:", "must return a learning rate > 0");
	RUN_ERR("winit.optimizers.schedules.ExponentialDecay { 0.1, 0, 0.5 }\n", "test.lua:1:",
	        "decay_steps must be > 0");
	RUN_ERR("winit.optimizers.schedules.CosineDecay { 0.1, 10, warmup_steps = 5 }\n",
	        "test.lua:1:", "CosineDecay: unknown option 'warmup_steps'");
	RUN_ERR("winit.optimizers.Adam { learning_rate = { 'StepDecay' } }\n", "test.lua:1:",
	        "learning_rate must be a number or a schedule");
	RUN_ERR("m:fit(train, { verbose = 0, initial_epoch = -1 })\n", "test.lua:1:", "initial_epoch");
	/* A study run is data: no Lua function in it, one EarlyStopping at most (its
	 * schedules are the optimizer's, taken since the run spec has them). */
	RUN_ERR("local s = winit.Study {}\n"
	        "s:add { name = 'x', model = m, train = train, callbacks = { winit.callbacks.LearningRateScheduler(print) } }\n",
	        "test.lua:2:", "callbacks[1]: a study run takes winit.callbacks.EarlyStopping only");
	RUN_ERR("local s = winit.Study {}\n"
	        "local e = winit.callbacks.EarlyStopping()\n"
	        "s:add { name = 'x', model = m, train = train, callbacks = { e, e } }\n",
	        "test.lua:3:", "callbacks[2]: a run takes one EarlyStopping");
	RUN_ERR("winit.callbacks.EarlyStopping { baseline = 0 / 0 }\n", "test.lua:1:",
	        "EarlyStopping: baseline must be a finite number");
	RUN_ERR("m:compile { optimizer = winit.optimizers.Adam { learning_rate = winit.optimizers.schedules.CosineDecay(0.1, 10) } }\n"
	        "m:save(DIR .. '/sched.winit')\n",
	        "test.lua:2:", "save: the model's optimizer has a learning-rate schedule");
}
END_TEST

/* Float data: gathered as given; statistics from the training rows only, applied to the
 * rest unchanged. */
START_TEST(float_datasets_and_normalisation)
{
	struct winit_dataset ds;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_dataset_init_float(&ds, 4, 2, 2, &err), 0);
	const float x[8] = { 1, -10, 3, 10, 5, 30, 1000, -1000 }; /* the last row: validation */
	memcpy(ds.xf, x, sizeof x);
	ds.y[3] = 1;
	float out[4];
	uint8_t lab[2];
	uint32_t idx[2] = { 3, 1 };
	winit_dataset_gather(out, lab, &ds, idx, 2);
	ck_assert(out[0] == 1000 && out[1] == -1000 && out[2] == 3 && out[3] == 10);
	ck_assert(lab[0] == 1 && lab[1] == 0);
	struct winit_normalizer nz;
	ck_assert_int_eq(winit_normalizer_fit(&nz, WINIT_NORMALIZE_STANDARDIZE, &ds, 3, &err), 0);
	ck_assert_double_eq_tol(nz.shift[0], 3, 1e-12);
	ck_assert_double_eq_tol(nz.shift[1], 10, 1e-12);
	ck_assert_double_eq_tol(nz.scale[0], 1 / sqrt(8.0 / 3), 1e-12);
	ck_assert_int_eq(winit_dataset_normalize(&ds, &nz, &err), 0);
	ck_assert_float_eq_tol(ds.xf[2], 0, 1e-6);                            /* (3 - 3) */
	ck_assert_float_eq_tol(ds.xf[6], (float)(997 / sqrt(8.0 / 3)), 1e-3); /* not clipped */
	winit_normalizer_free(&nz);
	ck_assert_int_eq(winit_normalizer_fit(&nz, WINIT_NORMALIZE_SCALE, &ds, 0, &err), WINIT_ERR_ARG);
	winit_dataset_free(&ds);
	/* Pixels scaled by their largest value 255 stay bytes: nothing changes. */
	uint8_t px[4] = { 0, 255, 17, 3 };
	struct winit_dataset img = { .n = 2, .n_features = 2, .height = 1, .width = 2, .n_classes = 2 };
	img.x = malloc(4);
	img.y = calloc(2, 1);
	memcpy(img.x, px, 4);
	ck_assert_int_eq(winit_normalizer_fit(&nz, WINIT_NORMALIZE_SCALE, &img, 2, &err), 0);
	ck_assert_int_eq(winit_dataset_normalize(&img, &nz, &err), 0);
	ck_assert(img.x != NULL && img.xf == NULL);
	winit_normalizer_free(&nz);
	winit_dataset_free(&img);
}
END_TEST

START_TEST(datasets_from_lua)
{
	RUN_OK("local winit = require 'winit'\n"
	       "local D = winit.datasets\n"
	       "local ds = D.from_arrays({ {1, 2}, {3, 40}, {-5, 6} }, { 0, 2, 1 })\n"
	       "assert(#ds == 3 and ds.n_features == 2 and ds.n_classes == 3 and ds:label(2) == 2)\n"
	       "local g = D.gaussian { n = 300, features = 4, classes = 3, seed = 7, separation = 3 }\n"
	       "local g2 = D.gaussian { n = 300, features = 4, classes = 3, seed = 7, separation = 3 }\n"
	       "local g3 = D.gaussian { n = 300, features = 4, classes = 3, seed = 8, separation = 3 }\n"
	       "local same, differ = true, false\n"
	       "for i = 1, 300 do same = same and g:label(i) == g2:label(i); differ = differ or g:label(i) ~= g3:label(i) end\n"
	       "assert(same and differ)\n"
	       "-- a model learns the Gaussian classes (separation 3 in 4 dimensions)\n"
	       "winit.set_seed(1)\n"
	       "local m = winit.Sequential { winit.layers.Dense(16, 'relu', { input_shape = {4} }),\n"
	       "                             winit.layers.Dense(3, 'softmax') }\n"
	       "m:compile { optimizer = winit.optimizers.Adam { learning_rate = 0.01 }, loss = 'sparse_categorical_crossentropy' }\n"
	       "local h = m:fit(g, { epochs = 10, batch_size = 32, verbose = 0 })\n"
	       "assert(h.accuracy[10] > 0.9, h.accuracy[10])\n"
	       "local _, acc = m:evaluate(g3)\n"
	       "-- standardize: the test set takes the training set's statistics\n"
	       "local tr = D.from_arrays({ {0, 100}, {2, 300}, {1000, 0} }, { 0, 1, 0 }, { normalize = 'standardize', validation_split = 0.3 })\n"
	       "local te = D.from_arrays({ {1, 200} }, { 0 }, { normalize = tr, n_classes = 2 })\n"
	       "local m2 = winit.Sequential { winit.layers.Dense(2, 'softmax', { input_shape = {2}, kernel_initializer = 'identity' }) }\n"
	       "m2:compile { optimizer = 'sgd' }\n"
	       "local p = m2:predict(te)[1]\n"
	       "assert(math.abs(p[1] - 0.5) < 1e-7, 'the mean of the training rows maps to 0: ' .. p[1])\n");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {1, 2}, {3} }, { 0, 1 })\n",
	        "test.lua:2:", "features[2] must be a list of 2 numbers");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {1}, {3} }, { 0 })\n",
	        "test.lua:2:", "2 rows of features but 1 labels");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {1} }, { 1.5 })\n",
	        "test.lua:2:", "labels[1] must be an integer class");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {0/0} }, { 0 })\n",
	        "test.lua:2:", "features[1][1] must be a finite number");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {1} }, { 3 }, { n_classes = 2 })\n",
	        "test.lua:2:", "label 3 is not below n_classes 2");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.from_arrays({ {1} }, { 0 }, { normalize = 'minmax' })\n",
	        "test.lua:2:", "normalize must be \"scale\", \"standardize\"");
	RUN_ERR("local winit = require 'winit'\nlocal a = winit.datasets.from_arrays({ {1} }, { 0 })\n"
	        "winit.datasets.from_arrays({ {1} }, { 0 }, { normalize = a })\n",
	        "test.lua:3:", "was not normalised");
	RUN_ERR("local winit = require 'winit'\nwinit.datasets.gaussian { n = 10, classes = 300 }\n",
	        "test.lua:2:", "option 'classes' must be an integer in [1, 256]");
}
END_TEST

/* load_data's normalize: statistics from the training rows (the validation tail left
 * out), the test set normalised with them.  A linear identity layer shows the features. */
START_TEST(load_data_normalises_with_training_rows)
{
	static const char *const links[][2] = { { "train-images", "train-images-idx3-ubyte" },
		                                { "train-labels", "train-labels-idx1-ubyte" },
		                                { "test-images", "t10k-images-idx3-ubyte" },
		                                { "test-labels", "t10k-labels-idx1-ubyte" } };
	char from[600], to[600];
	snprintf(to, sizeof to, "%s/fm", dir);
	ck_assert_int_eq(mkdir(to, 0700), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(from, sizeof from, "%s/%s", dir, links[i][0]);
		snprintf(to, sizeof to, "%s/fm/%s", dir, links[i][1]);
		ck_assert_int_eq(symlink(from, to), 0);
	}
	RUN_OK("local winit = require 'winit'\n"
	       "local function features(ds, first, count)\n"
	       "  local m = winit.Sequential { winit.layers.Dense(16, 'linear', { input_shape = {16}, kernel_initializer = 'identity' }) }\n"
	       "  return m:predict(ds, first, count)\n"
	       "end\n"
	       "local tr, te = winit.datasets.fashion_mnist.load_data(DIR .. '/fm', { normalize = 'standardize', validation_split = 0.2 })\n"
	       "local x = features(tr, 1, 480)\n"
	       "for j = 1, 16 do\n"
	       "  local s, ss = 0, 0\n"
	       "  for i = 1, 480 do s = s + x[i][j]; ss = ss + x[i][j] ^ 2 end\n"
	       "  assert(math.abs(s / 480) < 1e-5 and math.abs(ss / 480 - 1) < 1e-4, ('feature %d: %g %g'):format(j, s / 480, ss / 480))\n"
	       "end\n"
	       "local all = features(tr, 1, 600)\n"
	       "local s = 0\n"
	       "for i = 1, 600 do s = s + all[i][1] end\n"
	       "assert(math.abs(s / 600) > 1e-4, 'the tail is not in the statistics')\n"
	       "local raw = winit.datasets.fashion_mnist.load_data(DIR .. '/fm')\n"
	       "local sc = winit.datasets.fashion_mnist.load_data(DIR .. '/fm', { normalize = 'scale' })\n"
	       "local r, q, mx = features(raw, 1, 600), features(sc, 1, 600), 0\n"
	       "for i = 1, 600 do for j = 1, 16 do mx = math.max(mx, r[i][j]) end end\n"
	       "assert(mx < 1, 'the made data stays below 255')\n"
	       "assert(math.abs(q[7][3] - r[7][3] / mx) < 1e-6)\n");
	RUN_ERR("local winit = require 'winit'\n"
	        "winit.datasets.fashion_mnist.load_data(DIR .. '/fm', { normalise = 'scale' })\n",
	        "test.lua:2:", "load_data: unknown option 'normalise'");
}
END_TEST

START_TEST(keras_refusals)
{
	RUN_FILE_OK("model");
	RUN_ERR("local winit = require 'winit'\nwinit.optimizers.Adam { momentum = 0.9 }\n",
	        "test.lua:2:", "Adam: unknown option 'momentum'", "beta_1");
	RUN_ERR("local winit = require 'winit'\nwinit.optimizers.SGD { beta_1 = 5 }\n",
	        "test.lua:2:", "SGD: unknown option 'beta_1'", "momentum, nesterov");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense { 3, 'relu', input_shape = {16} } }\n"
	        "m:compile { loss = 'categorical_crossentropy' }\n",
	        "test.lua:3:", "needs a softmax output layer", "activation is 'relu'",
	        "class probabilities");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense { 3, 'softmax', input_shape = {16} } }\n"
	        "m:fit(train, { verbose = 0 })\n",
	        "test.lua:3:", "fit: the model is not compiled", "compile");
	RUN_ERR("local winit = require 'winit'\n"
	        "local m = winit.Sequential { winit.layers.Dense { 3, 'softmax', input_shape = {16} } }\n"
	        "m:evaluate(train)\n",
	        "test.lua:3:", "evaluate: the model is not compiled");
	RUN_ERR("local winit = require 'winit'\n"
	        "build('zeros'):compile { loss = 'mse' }\n",
	        "test.lua:2:", "unknown loss 'mse'", "sparse_categorical_crossentropy");
	RUN_ERR("local winit = require 'winit'\nwinit.initializers.RandomNormal { seed = 1 }\n",
	        "test.lua:2:", "RandomNormal", "no per-initializer seed");
	RUN_ERR("local winit = require 'winit'\nwinit.initializers.HeNormal(1)\n", "test.lua:2:",
	        "HeNormal: takes 0 positional arguments");
	RUN_ERR("local winit = require 'winit'\nwinit.initializers.RandomNormal(0, 1, 2)\n",
	        "test.lua:2:", "takes 2 positional arguments");
	RUN_ERR("local winit = require 'winit'\nwinit.initializers.RandomNormal { sdtdev = 1 }\n",
	        "test.lua:2:", "RandomNormal", "sdtdev");
	RUN_ERR("local winit = require 'winit'\nwinit.initializers.RandomNormal { stddev = -1 }\n",
	        "test.lua:2:", "RandomNormal", "stddev");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 4, 'relu', activation = 'tanh' }\n",
	        "test.lua:2:", "activation given twice");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 4, units = 4 }\n", "test.lua:2:",
	        "units given twice");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense { 4, 'relu', 'x' }\n", "test.lua:2:",
	        "at most two positional entries");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense(4, 'relu', { units = 3 })\n",
	        "test.lua:2:", "units given twice");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense(4, { }, { })\n", "test.lua:2:",
	        "activation expected");
	RUN_ERR("local winit = require 'winit'\nwinit.layers.Dense(4, 'Relu')\n", "test.lua:2:",
	        "unknown activation 'Relu'");
	/* set_weights checks every array first and leaves the weights alone on an error */
	RUN_OK("m = build('he_normal')\nw = m:get_weights()\n");
	RUN_ERR("m:set_weights({ w[1], w[2], w[3] })\n", "test.lua:1:",
	        "expected a list of 4 arrays", "got 3");
	RUN_ERR("local bad = { w[1], w[2], w[3], { 1, 2 } }\nm:set_weights(bad)\n", "test.lua:2:",
	        "dense_2's bias has 2 entries; expected 3");
	RUN_ERR("local bad = { w[1], w[2], { {1, 2, 3} }, w[4] }\nm:set_weights(bad)\n",
	        "test.lua:2:", "dense_2's kernel has 1 rows; expected 16");
	RUN_ERR("local z = {}\nfor i = 1, 16 do z[i] = { 0, 0, 0 } end\nz[16] = { 0, 'x', 0 }\n"
	        "m:set_weights({ w[1], w[2], z, w[4] })\n",
	        "test.lua:4:", "dense_2's kernel row 16[2] must be a number, got string");
	RUN_OK("local z = {}\nfor i = 1, 16 do z[i] = { 0, 0, 0 } end\nz[16] = { 0, 'x', 0 }\n"
	       "local w2 = {}\nfor i = 1, 4 do w2[i] = w[i] end\nw2[3] = z\n"
	       "assert(not pcall(m.set_weights, m, w2))\n"
	       "local k = m:get_weights(2)\nassert(k[1][1] == w[3][1][1] and k[1][1] ~= 0, 'unchanged')\n");
	RUN_ERR("m.layers[1]:set_weights({ {1} })\n", "flatten has no weights");
}
END_TEST

static Suite *keras_suite(void)
{
	Suite *s = suite_create("keras");
	TCase *tc = tcase_create("names");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, initializer_classes_are_plugin_references);
	tcase_add_test(tc, every_spelling_gives_the_same_weights);
	tcase_add_test(tc, dense_positional_forms);
	tcase_add_test(tc, sparse_and_categorical_losses_agree);
	tcase_add_test(tc, fit_returns_a_history);
	tcase_add_test(tc, layers_and_weights_as_keras);
	tcase_add_test(tc, validation_data_and_callback_tables);
	tcase_add_test(tc, early_stopping);
	tcase_add_test(tc, learning_rate_schedules);
	suite_add_tcase(s, tc);
	tc = tcase_create("data");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, float_datasets_and_normalisation);
	tcase_add_test(tc, datasets_from_lua);
	tcase_add_test(tc, load_data_normalises_with_training_rows);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keras_refusals);
	tcase_add_test(tc, callback_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(keras_suite());
}
