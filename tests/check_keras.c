/* tests/check_keras.c -- Keras's names and forms in the Lua API (docs/keras.md): class
 * names for initializers and activations, Dense's positional forms, the losses, and the
 * refusals Keras makes too. */
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
	RUN_OK(model_src);
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

START_TEST(keras_refusals)
{
	RUN_OK(model_src);
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
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keras_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(keras_suite());
}
