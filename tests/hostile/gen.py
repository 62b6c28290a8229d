# tests/hostile/gen.py -- the hostile harness's generators (tests/hostile/run.sh): broken
# IDX files, mutated results files and saved models, and Lua scripts calling the binding
# with values of every type.  Each generator takes a random.Random, so a seed reproduces
# every input.
import gzip
import json
import struct

# --- IDX data files ----------------------------------------------------------------

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_header(dims, typ=8, magic0=0):
    return struct.pack(">BBBB", magic0, 0, typ, len(dims)) + b"".join(struct.pack(">I", d) for d in dims)


def idx_mutations(rng, good):
    """(name, file, bytes) for one of the four files of a good data set (a dict name ->
    bytes); the bytes replace that file.  Every mutation makes the data set invalid."""
    f = rng.choice(IDX_FILES)
    b = good[f]
    ndim = b[3]
    dims = list(struct.unpack(">" + "I" * ndim, b[4:4 + 4 * ndim]))
    body = b[4 + 4 * ndim:]
    kinds = ["truncate", "truncate_header", "magic", "type", "ndim", "dims_small",
             "dims_rows", "dims_huge", "dims_zero", "extra", "empty", "count_mismatch"]
    k = rng.choice(kinds)
    if k == "truncate":
        return k, f, b[:rng.randrange(4 + 4 * ndim, len(b))]
    if k == "truncate_header":
        return k, f, b[:rng.randrange(0, 4 + 4 * ndim)]
    if k == "magic":
        bb = bytearray(b)
        bb[rng.randrange(0, 2)] = rng.randrange(1, 256)
        return k, f, bytes(bb)
    if k == "type":
        return k, f, idx_header(dims, typ=rng.choice([0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF])) + body
    if k == "ndim":
        nd = rng.choice([0, 2 if ndim == 3 else 3, 4, 255])
        d = (dims + [28, 28, 28, 28])[:nd] if nd <= 4 else dims
        return k, f, struct.pack(">BBBB", 0, 0, 8, nd) + b"".join(struct.pack(">I", x) for x in d) + body
    if k == "dims_small":
        d = list(dims)
        d[0] = max(1, d[0] - rng.randrange(1, d[0]))
        return k, f, idx_header(d) + body
    if k == "dims_rows" and ndim == 3:
        d = list(dims)
        d[rng.choice([1, 2])] = rng.choice([1, 27, 29, 56, 0])
        return k, f, idx_header(d) + body
    if k == "dims_huge" or k == "dims_rows":
        d = list(dims)
        d[rng.randrange(len(d))] = rng.choice([0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 1 << 28, 65536 * 7 + 1])
        return "dims_huge", f, idx_header(d) + body
    if k == "dims_zero":
        d = list(dims)
        d[0] = 0
        return k, f, idx_header(d) + body
    if k == "extra":
        return k, f, b + bytes(rng.randrange(1, 100))
    if k == "empty":
        return k, f, b""
    # count_mismatch: a well-formed file of another number of items
    d = list(dims)
    n = max(1, d[0] - rng.randrange(1, 50))
    d[0] = n
    item = 1
    for x in dims[1:]:
        item *= x
    return k, f, idx_header(d) + body[:n * item]


def maybe_gzip(rng, data):
    """The bytes gzip'ed, or a broken gzip stream of them."""
    z = gzip.compress(data, compresslevel=1)
    k = rng.choice(["gz", "gz", "gz_trunc", "gz_flip", "gz_crc"])
    if k == "gz_trunc" and len(z) > 20:
        return k, z[:rng.randrange(1, len(z) - 1)]
    if k == "gz_flip":
        zz = bytearray(z)
        zz[rng.randrange(10, len(zz))] ^= 1 << rng.randrange(8)
        return k, bytes(zz)
    if k == "gz_crc":
        zz = bytearray(z)
        zz[-8] ^= 0xFF
        return k, bytes(zz)
    return "gz", z


# --- results files -----------------------------------------------------------------

class Dup(Exception):
    pass


def _no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Dup(keys)
    return dict(pairs)


def strict_json(text):
    """The value, or None when the text is not JSON or has a key twice."""
    try:
        return json.loads(text, object_pairs_hook=_no_dups,
                          parse_constant=lambda c: float(c))
    except RecursionError:
        return "too deep"  # valid JSON past Python's depth: no certainty
    except (Dup, ValueError):
        return None


UNIT = {"accuracy", "val_accuracy", "test_accuracy", "probe_accuracy",
        "best_val_accuracy", "val_auc", "target", "last_accuracy", "validation_split",
        "dead_fraction", "saturated_fraction"}
# the members every version-2 file has (src/report/results_schema.c: RS_ALL, RS_V2)
REQUIRED = {"format", "version", "study", "seed", "runs", "name", "label", "replicate",
            "run_seed", "model", "optimizer", "fit", "data", "status", "history",
            "seconds", "kernels"}
COUNTS = {"n_train", "n_val", "n_test", "index", "step", "val_rows", "dead",
          "distinct_units", "seconds"}


def _tname(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def certainly_invalid(orig, new, key=None):
    """A reason when NEW (parsed) breaks the documented rules where ORIG (the writer's
    file, parsed) was fine at the same place: a type change (number to null aside), an
    accuracy outside [0, 1], a negative count, a member removed.  None when NEW may be
    valid (then winit may accept it)."""
    to, tn = _tname(orig), _tname(new)
    if to != tn:
        if to == "number" and tn == "null":
            return None
        return "%s: %s became %s" % (key, to, tn)
    if tn == "number":
        if isinstance(new, float) and new != new:
            return None
        if key in UNIT and not (0 <= new <= 1):
            return "%s = %r outside [0, 1]" % (key, new)
        if key in COUNTS and new < 0:
            return "%s = %r below 0" % (key, new)
        return None
    if tn == "dict":
        for k in orig:
            if k not in new:
                if k in REQUIRED:
                    return "member %s removed" % k
                continue
            r = certainly_invalid(orig[k], new[k], k)
            if r:
                return r
        return None
    if tn == "list":
        if len(orig) != len(new):
            return None
        for a, b in zip(orig, new):
            r = certainly_invalid(a, b, key)
            if r:
                return r
    return None


def results_mutation(rng, text):
    """(kind, new text) for a results file's text."""
    k = rng.choice(["truncate", "flip", "flip", "wrong_type", "dup_key", "huge",
                    "empty_runs", "drop_member", "nan_text", "deep", "bom", "trailing"])
    if k == "truncate":
        return k, text[:rng.randrange(0, len(text))]
    if k == "flip":
        b = bytearray(text.encode())
        for _ in range(rng.choice([1, 1, 2, 5])):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return k, b.decode("latin-1")
    d = json.loads(text)
    runs = d["runs"]
    r = rng.choice(runs) if runs else {}
    if k == "wrong_type":
        key = rng.choice(list(r.keys()))
        r[key] = rng.choice(["x", [], {}, True, 1.5, None, -1, [1, 2]])
        return "wrong_type:" + key, json.dumps(d, indent=1)
    if k == "dup_key":
        key = rng.choice(list(r.keys()))
        s = json.dumps(d, indent=1)
        needle = '"%s": ' % key
        i = s.find(needle)
        return "dup_key:" + key, s[:i] + needle + json.dumps(r[key]) + ", " + s[i:]
    if k == "huge":
        key = rng.choice(["test_accuracy", "test_loss", "seed", "index", "replicate",
                          "seconds", "run_seed"])
        s = json.dumps(d, indent=1)
        val = rng.choice(["1e999", "-1e999", "18446744073709551616", "9" * 400,
                          "-9223372036854775809", "1e-400", "2e308"])
        i = s.find('"%s": ' % key)
        if i < 0:
            return k, s
        j = s.find(",", i)
        return "huge:" + key, s[:i] + '"%s": %s' % (key, val) + s[j:]
    if k == "empty_runs":
        d["runs"] = []
        return k, json.dumps(d, indent=1)
    if k == "drop_member":
        key = rng.choice(list(r.keys()))
        del r[key]
        return "drop_member:" + key, json.dumps(d, indent=1)
    if k == "nan_text":
        s = json.dumps(d, indent=1)
        i = s.find('"test_loss": ')
        j = s.find(",", i)
        return k, s[:i] + '"test_loss": ' + rng.choice(["NaN", "Infinity", "nan", "0x10", "+1", ".5", "01"]) + s[j:]
    if k == "deep":
        n = rng.choice([1000, 100000])
        return k, text.rstrip()[:-1] + ', "x": ' + "[" * n + "]" * n + "}"
    if k == "bom":
        return k, "\ufeff" + text
    return k, text + rng.choice(["\n{}", " x", "\0", "\n\n"])


# --- saved models ------------------------------------------------------------------

def model_mutation(rng, b):
    k = rng.choice(["flip", "flip", "flip", "truncate", "zero_run", "ff_run", "append"])
    bb = bytearray(b)
    if k == "flip":
        i = rng.randrange(len(bb))
        bb[i] ^= 1 << rng.randrange(8)
        return "flip@%d" % i, bytes(bb)
    if k == "truncate":
        n = rng.randrange(len(bb))
        return "truncate@%d" % n, bytes(bb[:n])
    if k in ("zero_run", "ff_run"):
        i = rng.randrange(len(bb))
        n = rng.choice([4, 8, 32])
        for j in range(i, min(len(bb), i + n)):
            bb[j] = 0 if k == "zero_run" else 0xFF
        return "%s@%d" % (k, i), bytes(bb)
    return "append", b + bytes([rng.randrange(256) for _ in range(rng.choice([1, 16]))])


# --- Lua scripts -------------------------------------------------------------------

# (lua code, kind) -- kind says which parameters it is certainly wrong for:
# "bool", "str" (not numeric), "num", "table", "func", "thread", "udata", "nil", "model",
# "dataset", "meta" (a table whose metamethods raise).
LUA_VALUES = [
    ("nil", "nil"), ("true", "bool"), ("false", "bool"), ("0", "num"), ("-1", "num"),
    ("1", "num"), ("0.5", "num"), ("1.5", "num"), ("-0.0", "num"), ("math.huge", "num"),
    ("-math.huge", "num"), ("0/0", "num"), ("math.maxinteger", "num"),
    ("math.mininteger", "num"), ("2^53", "num"), ("1e308", "num"), ("1e-320", "num"),
    ("2^31", "num"), ("-2^31", "num"), ('""', "str"), ('"x"', "str"), ('"relu"', "str"),
    ('"he_normal"', "str"), ('"1"', "numstr"), ('string.rep("A", 100000)', "str"),
    ('"a\\0b"', "str"), ('"\\27[31m"', "str"), ('"=cmd|calc"', "str"),
    ('"/nonexistent/dir/x"', "str"), ("{}", "table"), ("{1, 2, 3}", "table"),
    ("{{}}", "table"), ("{x = 1}", "table"), ("{0/0}", "table"), ("{math.huge, -1}", "table"),
    ("{{1, 1e300}, {2, 3}}", "table"), ("function() end", "func"),
    ('function() error("boom") end', "func"), ("function() return 0/0 end", "func"),
    ("coroutine.create(function() end)", "thread"), ("io.stdout", "udata"),
    ("m", "model"), ("ds", "dataset"),
    ('setmetatable({}, {__index = function() error("meta index") end})', "meta"),
    ('setmetatable({}, {__len = function() return -1 end})', "meta"),
    ('setmetatable({}, {__len = function() return math.maxinteger end})', "meta"),
    ('setmetatable({1, 2}, {__index = function(t, k) return k end})', "meta"),
    ("(function() local t = {} t[1] = t return t end)()", "table"),
]

NOT_NUMBER = {"bool", "str", "table", "func", "thread", "udata", "model", "dataset", "meta"}

PRELUDE = """local winit = require "winit"
local ds = winit.datasets.gaussian { n = 32, features = 4, classes = 2, seed = 3 }
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 4 } },
  winit.layers.Dense { 3, activation = "relu" },
  winit.layers.Dense { 2, activation = "softmax" },
}
m:compile { optimizer = "adam" }
local function model() local x = winit.Sequential { winit.layers.Flatten { input_shape = { 4 } }, winit.layers.Dense { 2, activation = "softmax" } } x:compile { optimizer = "adam" } return x end
local s = winit.Study { name = "h", seed = 1 }
local out = arg[1]
"""

# (template, parameter kind) -- the kind says when an error is certain: "count" (a
# positive integer: units, sizes), "count0" (epochs: 0 too, as Keras), "nonneg", "pos" (a positive number), "frac" ([0, 1)), "unit" ([0, 1]),
# "seed" (a non-negative integer), "num" (any number), "any" (no certainty).
LUA_TEMPLATES = [
    ("winit.layers.Dense { %s }", "count"),
    ("winit.layers.Dense { 4, activation = %s }", "any"),
    ("winit.layers.Dense { 4, kernel_initializer = %s }", "any"),
    ("winit.layers.Dense { 4, use_bias = %s }", "any"),
    ("winit.layers.Flatten { input_shape = %s }", "any"),
    ("winit.Sequential { %s }", "any"),
    ("winit.Sequential(%s)", "any"),
    ("m:compile { optimizer = %s }", "any"),
    ("m:compile { optimizer = 'adam', loss = %s }", "any"),
    ("m:compile { optimizer = winit.optimizers.Adam { learning_rate = %s } } m:fit(ds, { epochs = 1, verbose = 0 })", "pos"),
    ("m:compile { optimizer = winit.optimizers.SGD { learning_rate = 0.1, momentum = %s } } m:fit(ds, { epochs = 1, verbose = 0 })", "any"),
    ("m:fit(ds, { epochs = %s, batch_size = 8, verbose = 0 })", "count0"),
    ("m:fit(ds, { epochs = 1, batch_size = %s, verbose = 0 })", "count"),
    ("m:fit(ds, { epochs = 1, validation_split = %s, verbose = 0 })", "frac"),
    ("m:fit(%s, { epochs = 1, verbose = 0 })", "any"),
    ("m:fit(ds, %s)", "any"),
    ("m:fit(ds, { epochs = 1, verbose = 0, callbacks = { %s } })", "any"),
    ("m:fit(ds, { epochs = 2, verbose = 0, callbacks = { winit.callbacks.LearningRateScheduler(%s) } })", "any"),
    ("m:fit(ds, { epochs = 2, verbose = 0, callbacks = { winit.callbacks.EarlyStopping { patience = %s } } })", "any"),
    ("m:fit(ds, { epochs = 1, verbose = 0, callbacks = { { on_epoch_end = %s } } })", "any"),
    ("m:fit(ds, { epochs = 1, verbose = %s })", "any"),
    ("print(m:predict(ds, %s))", "any"),
    ("print(m:predict(ds, 2, %s))", "any"),
    ("print(m:predict(ds, %s, 3))", "any"),
    ("print(m:evaluate(%s))", "any"),
    ("m:set_weights(%s)", "any"),
    ("local w = m:get_weights() w[1] = %s m:set_weights(w)", "any"),
    ("m.layers[2]:set_weights({ %s })", "any"),
    ("print(m:summary(%s))", "any"),
    ("print(winit.datasets.from_arrays(%s, { 1, 2 }))", "any"),
    ("print(winit.datasets.from_arrays({ { 1, 2 }, { 3, 4 } }, %s))", "any"),
    ("print(winit.datasets.gaussian { n = %s, features = 4, classes = 2 })", "count"),
    ("print(winit.datasets.gaussian { n = 8, features = %s, classes = 2 })", "count"),
    ("print(winit.datasets.gaussian { n = 8, features = 4, classes = %s })", "count"),
    ("print(winit.datasets.gaussian { n = 8, features = 4, classes = 2, separation = %s })", "num"),
    ("winit.Study { name = %s, seed = 1 }", "any"),
    ("winit.Study { name = 'a', seed = %s }", "seed"),
    ("winit.Study { name = 'a', design = %s }", "any"),
    ("winit.Study { name = 'a', target = %s }:run { verbose = 0 }", "unit"),
    ("s:add { name = %s, model = m, train = ds, test = ds, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', label = %s, model = m, train = ds, test = ds, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = %s, train = ds, test = ds, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = m, train = %s, test = ds, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = %s, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = %s } s:run { verbose = 0 }", "count0"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1, replicate = %s } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1, batch_size = %s } s:run { verbose = 0 }", "count"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } s:run { verbose = 0, jobs = %s }", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } s:run { verbose = 0, save = %s }", "any"),
    ("s:grid { factors = %s, model = function() return model() end, train = ds, test = ds, epochs = 1 } s:run { verbose = 0 }", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } local r = s:run { verbose = 0 } r:print_table { target = %s }", "unit"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } local r = s:run { verbose = 0 } r:report(%s)", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } local r = s:run { verbose = 0 } r:write_csv(%s)", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } local r = s:run { verbose = 0 } r:save(%s)", "any"),
    ("s:add { name = 'a', model = m, train = ds, test = ds, epochs = 1 } local r = s:run { verbose = 0 } r:report(out .. '/r.html', { figures = { { title = 't', series = { { label = 'a', x = %s, y = { 1, 2 } } } } } })", "any"),
    ("winit.set_seed(%s)", "seed"),
    ("winit.set_jobs(%s)", "any"),
    ("local i = winit.initializer { name = 'hostile', fill = %s } local x = winit.Sequential { winit.layers.Dense { 8, input_shape = { 4 }, kernel_initializer = i }, winit.layers.Dense { 2, activation = 'softmax' } } x:compile { optimizer = 'adam' } x:fit(ds, { epochs = 1, verbose = 0 })", "any"),
    ("local i = winit.initializer { name = 'hostile', fill = function(shape, rng) return %s end } local x = winit.Sequential { winit.layers.Dense { 8, input_shape = { 4 }, kernel_initializer = i }, winit.layers.Dense { 2, activation = 'softmax' } } x:compile { optimizer = 'adam' } x:fit(ds, { epochs = 1, verbose = 0 })", "any"),
    ("local i = winit.initializer { name = %s, fill = function(shape, rng) local t = {} for k = 1, shape[1] * shape[2] do t[k] = rng:normal() * 0.1 end return t end } print(i)", "any"),
    ("winit.Sequential { winit.layers.Dense { 4, input_shape = { 4 }, kernel_initializer = { 'random_normal', stddev = %s } }, winit.layers.Dense { 2 } }", "nonneg"),
    ("winit.Sequential { winit.layers.Dense { 4, input_shape = { 4 }, kernel_initializer = { 'random_uniform', minval = %s } }, winit.layers.Dense { 2 } }", "num"),
    ("print(winit.plot.heatmap { x = %s, y = { 1, 2 }, z = { { 1, 2 }, { 3, 4 } } })", "any"),
    ("print(winit.plot.heatmap { x = { 1, 2 }, y = { 1, 2 }, z = %s })", "any"),
    ("winit.plot.page(out .. '/p.html', { title = %s, 'text' })", "any"),
    ("winit.plot.page(%s, { title = 't' })", "any"),
    ("print(winit.parse_args(%s, { seed = 1 }))", "any"),
    ("print(winit.parse_args({ '--seed', 'x' }, %s))", "any"),
    ("print(winit.models.load_model(%s))", "any"),
    ("m:save(%s)", "any"),
    ("m:save(out .. '/m.winit', %s)", "any"),
    ("m:save_weights(%s)", "any"),
    ("m:load_weights(%s)", "any"),
    ("print(winit.theory.fixed_point(%s))", "any"),
    ("print(winit.theory.edge_of_chaos(%s))", "any"),
]


# The module walked as tests/fuzz/fuzz_lua.lua does: every function reachable from
# `winit` (sorted names), one called with generated values, not under pcall.
WALK = """local F = {}
local function collect(t, prefix, depth, seen)
  if seen[t] or depth > 3 then return end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "function" then F[#F + 1] = { prefix .. k, v }
    elseif type(v) == "table" then collect(v, prefix .. k .. ".", depth + 1, seen) end
  end
end
collect(winit, "winit.", 0, {})
collect(getmetatable(m).__index or {}, "model:", 0, {})
local f = F[%d %% #F + 1]
io.stderr:write("calling " .. f[1] .. "\n")
if f[1]:sub(1, 6) == "model:" then f[2](m, %s) else f[2](%s) end
"""


def lua_script(rng):
    """(what, script text, expect) -- one hostile call after a valid prelude; expect is
    "error" when the value is certainly wrong for the parameter, else "either"."""
    if rng.random() < 0.3:
        vals = ", ".join(rng.choice(LUA_VALUES)[0] for _ in range(rng.randrange(0, 4)))
        k = rng.randrange(1000)
        return "walk F[%d](%s)" % (k, vals[:120]), PRELUDE + WALK % (k, vals, vals) + "print('hostile: done')\n", "either"
    t, kind = rng.choice(LUA_TEMPLATES)
    n = t.count("%s")
    vals = [rng.choice(LUA_VALUES) for _ in range(n)]
    code = t % tuple(v[0] for v in vals)
    expect = "either"
    for v, vk in vals:
        if kind in ("count", "count0", "pos", "nonneg", "frac", "unit", "seed", "num") and vk in NOT_NUMBER:
            expect = "error"
        if kind in ("count", "count0", "pos", "nonneg", "frac", "unit", "seed") and vk == "num":
            try:
                x = eval(v.replace("math.huge", "float('inf')").replace("math.maxinteger", str(2**63 - 1))
                         .replace("math.mininteger", str(-2**63)).replace("^", "**").replace("0/0", "float('nan')"),
                         {"__builtins__": {"float": float}})
            except Exception:
                x = None
            if x is not None:
                bad = (x != x or x in (float("inf"), float("-inf")) or
                       (kind == "count" and (x < 1 or x != int(x))) or
                       (kind == "count0" and (x < 0 or x != int(x))) or
                       (kind == "pos" and x <= 0) or
                       (kind == "nonneg" and x < 0) or
                       (kind == "frac" and not (0 <= x < 1)) or
                       (kind == "unit" and not (0 <= x <= 1)) or
                       (kind == "seed" and (x < 0 or x != int(x))))
                if bad:
                    expect = "error"
    return code[:160], PRELUDE + code + "\nprint('hostile: done')\n", expect
