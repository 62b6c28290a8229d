-- tests/fuzz/fuzz_lua.lua -- the driver of tests/fuzz/fuzz_lua.c: the fuzz input, read as
-- bytes, becomes a program of calls into the winit module.  Called as
--   driver(input, base, "run")    one program (a fresh state with the module loaded)
--   driver(nil, base, "setup")    once per process: the small Fashion-MNIST copy in base/fm
-- Every call runs under pcall: an error is fine, only a sanitizer report, a crash or a hang
-- is a finding.  Nothing is written outside base: paths are base/work/NAME, and a '/' in a
-- generated string becomes '_' (the process's cwd is base/work).
local input, base, mode = ...

-- Fashion-MNIST's four files with 30 images (10 classes of 28x28, all pixels i % 256).
local function write_idx(path, dims, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(string.pack(">BBBB", 0, 0, 8, #dims))
  for _, d in ipairs(dims) do f:write(string.pack(">I4", d)) end
  f:write(bytes)
  f:close()
end
if mode == "setup" then
  local n = 30
  local px, lab = {}, {}
  for i = 1, n do
    px[i] = string.rep(string.char((i * 37) % 256), 28 * 28)
    lab[i] = string.char((i - 1) % 10)
  end
  for _, pre in ipairs { "train", "t10k" } do
    write_idx(base .. "/fm/" .. pre .. "-images-idx3-ubyte", { n, 28, 28 }, table.concat(px))
    write_idx(base .. "/fm/" .. pre .. "-labels-idx1-ubyte", { n }, table.concat(lab))
  end
  write_idx(base .. "/small-images", { 12, 2, 2 }, string.rep("\1\200\3\250", 12))
  write_idx(base .. "/small-labels", { 12 }, string.rep("\0\1\2", 4))
  return
end

local winit = require "winit"
local work = base .. "/work"
local pos, len = 1, #input

local function u8()
  if pos > len then return 0 end
  local b = input:byte(pos)
  pos = pos + 1
  return b
end
local function pick(list) return list[u8() % #list + 1] end

-- Everything callable in the module (sorted, so an input means the same program in any
-- process: pairs' order depends on the string hash seed).
local FUNCS = {}
local function collect(t, prefix, depth, seen)
  if seen[t] or depth > 3 then return end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "function" then
      FUNCS[#FUNCS + 1] = { prefix .. k, v }
    elseif type(v) == "table" then
      collect(v, prefix .. k .. ".", depth + 1, seen)
    end
  end
end
collect(winit, "winit.", 1, {})
-- The functions that make models, data and studies, drawn half of the time (the Keras
-- class names of initializers and activations would otherwise be most of the calls).
local CORE = {}
for _, f in ipairs(FUNCS) do
  local n = f[1]
  if not n:match("^winit%.initializers%.") and not n:match("^winit%.activations%.") then
    CORE[#CORE + 1] = f
  end
end

-- Method names of every class the module registers (and so of wrong receivers too).
local METHODS, seen_m = {}, {}
do
  local reg = debug.getregistry()
  local names = {}
  for k, v in pairs(reg) do
    if type(k) == "string" and k:match("^winit%.") and type(v) == "table" then names[#names + 1] = k end
  end
  table.sort(names)
  local function add_from(t)
    local ks = {}
    for k, v in pairs(t) do
      if type(k) == "string" and type(v) == "function" then ks[#ks + 1] = k end
    end
    table.sort(ks)
    for _, k in ipairs(ks) do
      if not seen_m[k] then seen_m[k] = true; METHODS[#METHODS + 1] = k end
    end
  end
  for _, name in ipairs(names) do
    local idx = reg[name].__index
    if type(idx) == "table" then
      add_from(idx)
    elseif type(idx) == "function" then      -- methods kept as the function's upvalues
      for i = 1, 8 do
        local n, v = debug.getupvalue(idx, i)
        if not n then break end
        if type(v) == "table" then add_from(v) end
      end
    end
  end
  -- Methods and fields behind an __index function without upvalues (a model's, a
  -- dataset's, a layer's), as the binding's sources name them.
  for _, k in ipairs { "compile", "fit", "evaluate", "predict", "summary", "count_params",
                       "get_weights", "set_weights", "save", "save_weights", "load_weights",
                       "activation_stats", "layers", "name", "units", "activation", "n",
                       "n_classes", "n_features", "weights", "kernel_initializer",
                       "input_shape", "label" } do
    if not seen_m[k] then seen_m[k] = true; METHODS[#METHODS + 1] = k end
  end
end

local WORDS = {
  -- option names of the binding's tables
  "Adam", "CosineDecay", "ExponentialDecay", "SGD", "activation", "activation_stats", "alpha",
  "baseline", "batch_size", "beta_1", "beta_2", "bias_initializer", "build", "callbacks",
  "caption", "center", "classes", "compile", "decay_rate", "decay_steps", "design",
  "diagnostics", "early", "epochs", "epsilon", "eval_batch_size", "evaluate", "factors",
  "features", "figures", "fill", "gaussian", "include_optimizer", "independent", "init",
  "initial_epoch", "initial_learning_rate", "initializer", "input_shape", "jobs",
  "kernel_initializer", "label", "learning_rate", "lines", "load_data", "loss", "markers",
  "metrics", "min_delta", "mode", "model", "momentum", "monitor", "n", "n_classes", "name",
  "nesterov", "normalize", "optimizer", "order", "paired", "patience", "range", "replicate",
  "replicates", "restore_best_weights", "resume", "rows", "save", "seed", "separation",
  "series", "shuffle", "staircase", "summary", "target", "test", "title", "train", "units",
  "use_bias", "validation_data", "validation_split", "verbose", "x", "xlabel", "xlog", "y",
  "ylabel", "ylog", "z", "zlabel", "out", "every", "steps", "stddev", "mean", "minval",
  "maxval", "gain", "scale", "distribution", "value", "approximate", "expect", "csv", "html",
  "force", "overwrite", "prune", "on_train_begin", "on_train_end", "on_epoch_begin",
  "on_epoch_end", "on_batch_end", "schedule",
  -- plugin, loss, optimizer and metric names
  "zeros", "ones", "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
  "identity", "lsuv", "orthogonal", "random_normal", "random_uniform", "truncated_normal",
  "variance_scaling", "lecun_normal", "kaiming_uniform", "relu", "softmax", "tanh", "sigmoid",
  "linear", "elu", "selu", "gelu", "leaky_relu", "swish", "softplus", "mish", "hard_sigmoid",
  "adam", "sgd", "categorical_crossentropy", "mse", "mean_squared_error", "accuracy",
  "val_loss", "val_accuracy", "min", "max", "auto", "scale", "standardize", "none", "fuzzinit",
  "GlorotNormal", "HeNormal", "Zeros", "RandomNormal",
  -- command lines, formats
  "--epochs", "--epochs=2", "-h", "--help", "--", "-", "%s%n%d%%", "%I", "\27[31m", "=1+1",
  "0", "1", "-1", "1e400", "nan", "0x10", " 3 ",
  "", "\0", "a\0b",
}
-- Paths to write and read: all in base/work (the data files in base are only read, by
-- the recipe below, so that no program changes what the next one reads).
local PATHS = { work .. "/m.winit", work .. "/w.bin", work .. "/r.json", work .. "/p.html",
                work .. "/c", work, work .. "/missing/x", "m.winit", "r.json", "" }

local INTS = { 0, 1, 2, 3, 4, 5, 8, -1, -2, 16, 31, 64, 255, 256, 1000,
               math.maxinteger, math.mininteger, 2147483647, 2147483648, -2147483648,
               4294967296, 1 << 53, 100000 }
local FLOATS = { 0.0, -0.0, 0.5, 1.0, 2.0, 0.1, 0.01, 1e-3, 0.999, 1e-8, 1e-310, 1e300,
                 -1e300, 1 / 0, -1 / 0, 0 / 0, 2.0 ^ 31, 2.0 ^ 63, 2.0 ^ 64, -2.0 ^ 63, 3.5,
                 1e6, -0.5 }

local pool = {}        -- values made so far (results of calls)
local depth = 0        -- nesting of calls made from inside callbacks
local value            -- forward
local step             -- forward

local function clean(s) return (s:gsub("/", "_")) end

local function raw_string()
  local n = u8() % 24
  local s = input:sub(pos, pos + n - 1)
  pos = pos + n
  return clean(s)
end

-- Lua functions to pass where the module takes one: fills (right, short, long, wrong
-- types, errors), callbacks, and one that makes another generated call (re-entrancy).
local FUNCTIONS
FUNCTIONS = {
  function() end,
  function() error("fuzz error") end,
  function() error({}) end,
  function() error(nil) end,
  function(t) local v = {} for i = 1, math.min(type(t) == "table" and tonumber(t.n) or 0, 4096) do v[i] = 0.01 * i end return v end,
  function(t) local v = {} for i = 1, math.min(type(t) == "table" and tonumber(t.n) or 0, 4096) - 1 do v[i] = 0.5 end return v end,
  function(t) local v = {} for i = 1, math.min(type(t) == "table" and tonumber(t.n) or 0, 4096) do v[i] = "x" end return v end,
  function(t) local v = {} for i = 1, math.min(type(t) == "table" and tonumber(t.n) or 0, 4096) do v[i] = 0 / 0 end return v end,
  function(t, rng) KEPT = rng local v = {} for i = 1, math.min(type(t) == "table" and tonumber(t.n) or 0, 4096) do v[i] = rng and rng.normal and rng:normal() or 0 end return v end,
  function(t, rng) if rng and rng.integer then return rng:integer(value()) end end,
  function(...) return ... end,
  function() return 1 / 0 end,
  function() collectgarbage() return {} end,
  function() return setmetatable({}, { __len = function() return 2 ^ 62 end }) end,
  function() return setmetatable({}, { __index = function() error("index") end, __len = function() return 1 end }) end,
  function() if depth < 2 then depth = depth + 1 step() depth = depth - 1 end return value() end,
  function() coroutine.yield(1) end,
  function() return value(), value() end,
}

-- One value of any Lua type; d bounds the nesting of tables.
function value(d)
  d = d or 0
  local k = u8() % 20
  if k == 0 then return nil
  elseif k == 1 then return u8() % 2 == 1
  elseif k <= 4 then return u8() % 9 - 1              -- small integers, the common case
  elseif k == 5 then return pick(INTS)
  elseif k == 6 then return pick(FLOATS)
  elseif k <= 8 then return pick(WORDS)
  elseif k == 9 then return pick(PATHS)
  elseif k == 10 then return raw_string()
  elseif k == 11 then return string.rep(pick { "a", "\0", "9", "%" }, pick { 0, 63, 64, 65, 255, 256, 4096, 70000 })
  elseif k <= 13 then                                   -- a list
    if d > 2 then return {} end
    local t = {}
    for i = 1, u8() % 6 do t[i] = value(d + 1) end
    return t
  elseif k <= 15 then                                   -- a table with names
    if d > 2 then return {} end
    local t = {}
    for _ = 1, u8() % 5 do
      local key = u8() % 8 == 0 and value(d + 1) or pick(WORDS)
      if key ~= nil and key == key then t[key] = value(d + 1) end
    end
    if u8() % 4 == 0 then t[1] = value(d + 1) end
    return t
  elseif k == 16 then return pick(FUNCTIONS)
  elseif k <= 18 then                                   -- something made earlier
    if #pool == 0 then return nil end
    return pool[u8() % #pool + 1]
  else
    local w = u8() % 5
    if w == 0 then return io.stdout
    elseif w == 1 then return coroutine.create(function() end)
    elseif w == 2 then return pick(FUNCS)[2]
    elseif w == 3 then return winit
    else return setmetatable({}, { __index = function() error("trap") end, __len = function() error("len trap") end }) end
  end
end

local function keep(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if v ~= nil and type(v) ~= "boolean" and type(v) ~= "number" then
      if #pool < 24 then pool[#pool + 1] = v else pool[u8() % 24 + 1] = v end
    end
  end
end

local function args()
  local a, n = {}, u8() % 5
  for i = 1, n do a[i] = value() end
  return a, n
end

-- A valid small model and data set, with fuzzed choices, so programs reach training
-- quickly; later steps then call anything on them.
local ACTS = { "relu", "tanh", "sigmoid", "linear", "softmax", "elu", "gelu", "softplus", "swish" }
local INITS = { "he_normal", "glorot_uniform", "zeros", "orthogonal", "lsuv", "identity",
                "random_normal", "fuzzinit", "variance_scaling", "truncated_normal" }
local function recipe()
  local f = 1 + u8() % 4
  local classes = 2 + u8() % 3
  local ds
  local r = u8() % 3
  if r == 0 then
    ds = winit.datasets.gaussian { n = 8 + u8() % 24, features = f, classes = classes, seed = u8() }
  elseif r == 1 then
    local x, y = {}, {}
    for i = 1, 6 + u8() % 10 do
      x[i] = {}
      for j = 1, f do x[i][j] = (u8() - 128) / 16 end
      y[i] = i % classes
    end
    ds = winit.datasets.from_arrays(x, y, { n_classes = classes })
  else
    ds = winit.load_idx(base .. "/small-images", base .. "/small-labels", 3)
    f, classes = 4, 3
  end
  keep(ds)
  local layers = {}
  if r == 2 then layers[1] = winit.layers.Flatten { input_shape = { 2, 2 } } end
  for i = 1, 1 + u8() % 2 do
    local spec = { 1 + u8() % 6, activation = pick(ACTS), kernel_initializer = pick(INITS) }
    if i == 1 and r ~= 2 then spec.input_shape = { f } end
    layers[#layers + 1] = winit.layers.Dense(spec)
  end
  layers[#layers + 1] = winit.layers.Dense { classes, activation = "softmax" }
  local m = winit.Sequential(layers)
  m:compile { optimizer = pick { "adam", "sgd" }, loss = "categorical_crossentropy", metrics = { "accuracy" } }
  keep(m)
  if u8() % 2 == 0 then
    m:fit(ds, { epochs = 1, batch_size = 1 + u8() % 8, verbose = 0, validation_split = pick { 0, 0.25 } })
  end
  if u8() % 3 == 0 then
    local s = winit.Study { seed = u8(), name = "fuzz" }
    s:add { name = "a", model = m, train = ds, test = ds, epochs = 1 }
    keep(s)
    if u8() % 2 == 0 then keep(s:run { jobs = 1 + u8() % 2, verbose = 0 }) end
  end
end

-- WINIT_FUZZ_LUA_TRACE=1: each call and its outcome on stderr (to read a finding).
local TRACE = os.getenv("WINIT_FUZZ_LUA_TRACE")
local function show(v)
  if type(v) == "string" then return string.format("%q", #v > 40 and v:sub(1, 40) .. "..." or v) end
  return tostring(v)
end
local function trace(what, ok, ...)
  if TRACE then
    io.stderr:write(string.rep("  ", depth), what, " -> ", tostring(ok), " ", show((...)), "\n")
  end
  return ok, ...
end
local function describe(name, a, n)
  if not TRACE then return name end
  local parts = {}
  for i = 1, n do parts[i] = show(a[i]) end
  return name .. "(" .. table.concat(parts, ", ") .. ")"
end
local function call(name, f, a, n) return trace(describe(name, a, n), pcall(f, table.unpack(a, 1, n))) end

function step()
  local op = u8() % 16
  if op <= 5 then                                       -- a module function
    local f = u8() % 2 == 0 and pick(CORE) or pick(FUNCS)
    local a, n = args()
    keep(select(2, call(f[1], f[2], a, n)))
  elseif op <= 10 then                                  -- a method of something made
    if #pool == 0 then return end
    local obj = pool[u8() % #pool + 1]
    local name = pick(METHODS)
    local ok, m = pcall(function() return obj[name] end)
    if ok and type(m) == "function" then
      local a, n = args()
      table.insert(a, 1, u8() % 8 == 0 and value() or obj)
      keep(select(2, call(":" .. name, m, a, n + 1)))
    end
  elseif op == 11 then                                  -- metamethods
    if #pool == 0 then return end
    local obj = pool[u8() % #pool + 1]
    local key = value()
    pcall(function() return obj[key] end)
    pcall(function() return #obj end)
    pcall(tostring, obj)
    pcall(function() obj[key] = value() end)
  elseif op == 12 then
    trace("recipe", pcall(recipe))
  elseif op == 13 then                                  -- a Lua initializer
    trace("initializer", pcall(winit.initializer, { name = "fuzzinit", fill = pick(FUNCTIONS) }))
  elseif op == 14 then
    if #pool > 0 then table.remove(pool, u8() % #pool + 1) end
    collectgarbage()
  else
    pcall(winit.set_jobs, u8() % 3)
  end
end

-- The collector's mode, from the first byte: Lua's default, or a collector that runs at
-- almost every allocation (pause 1%), so that a C function relying on a value nothing
-- references any more meets a freed object at once (a Lua fill's rng userdata freed
-- between the fill's return and the host's last use of it was found this way).
local gc = u8() % 4
if gc == 1 then collectgarbage("incremental", 1, 400)
elseif gc == 2 then collectgarbage("generational", 1, 100)
elseif gc == 3 then collectgarbage("incremental", 1, 1000) end

for _ = 1, 48 do
  if pos > len then break end
  step()
end
pool = nil
collectgarbage()
