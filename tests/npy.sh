#!/bin/sh
# tests/npy.sh -- winit.datasets.from_npy on files NumPy itself writes: numpy.save (format
# 1.0), numpy.lib.format.write_array with version (2, 0) and (3, 0), big-endian and float64
# arrays, a 1-sample file; every label and feature value compared with what NumPy computes
# (pixel / 255 in float32 for uint8 images); the same bytes as IDX files train exactly as
# the .npy files do; and files NumPy writes that winit refuses (Fortran order, a structured
# dtype with a non-Latin-1 field name, which NumPy writes as format 3.0, float16, booleans),
# each at the byte offset NumPy's own layout gives.  Needs python3 with NumPy (Debian's
# python3-numpy, which setup.sh check installs): skipped, saying so, without it.
set -u
# The first python3 with NumPy: the one on PATH, else Debian's (python3-numpy is for it).
py=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import numpy' >/dev/null 2>&1; then py=$p; break; fi
done
if [ -z "$py" ]; then
	echo "SKIP: no python3 with NumPy (python3 on PATH nor /usr/bin/python3): apt-get install python3-numpy (./setup.sh check does)"
	exit 77
fi
test_name=npy
. "$top_srcdir/tests/lib.sh"

mkdir -p "$tmp/d"
cat >"$tmp/write.py" <<'PY'
import os, struct, sys, warnings
import numpy as np
from numpy.lib import format as fmt

d = sys.argv[1]
rng = np.random.default_rng(7)
expect = open(os.path.join(d, "expect.txt"), "w")
refused = open(os.path.join(d, "refused.txt"), "w")

def save(name, a, version=None):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, a)
        else:
            fmt.write_array(f, a, version=version)
    return path

def data_at(path):
    with open(path, "rb") as f:
        v = fmt.read_magic(f)
        fmt._read_array_header(f, v)
        return f.tell()

def case(name, x, y, n_classes=None):
    # What the model sees: uint8 / 255 in float32, floats as float32.
    xf = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32)
    k = n_classes if n_classes is not None else int(y.max()) + 1
    expect.write("case %s n=%d shape=%s classes=%d\n" % (name, x.shape[0], ",".join(map(str, x.shape[1:])), k))
    expect.write("labels %s\n" % " ".join(str(int(v)) for v in y))
    for i in range(x.shape[0]):
        expect.write("x%d %s\n" % (i + 1, " ".join("%.9g" % float(v) for v in xf[i].reshape(-1))))

def refuse(name, want):
    refused.write("%s\t%s\n" % (name, want))

# Format 1.0 (numpy.save of small arrays), uint8 images, int64 labels.
x = rng.integers(0, 256, size=(6, 4, 5), dtype=np.uint8)
y = rng.integers(0, 3, size=6).astype(np.int64)
y[0] = 2
save("v1_x.npy", x), save("v1_y.npy", y)
case("v1", x, y)
# The same bytes as IDX files, for the training comparison.
with open(os.path.join(d, "v1_x.idx"), "wb") as f:
    f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 6, 4, 5) + x.tobytes())
with open(os.path.join(d, "v1_y.idx"), "wb") as f:
    f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 6) + y.astype(np.uint8).tobytes())

# Format 2.0, float32 (N, H, W, C), uint8 labels, n_classes given.
x = rng.standard_normal((5, 3, 4, 2)).astype(np.float32)
y = np.array([0, 1, 2, 1, 0], dtype=np.uint8)
save("v2_x.npy", x, (2, 0)), save("v2_y.npy", y, (2, 0))
case("v2", x, y, 4)

# Format 3.0, big-endian float32 and int32.
x = rng.standard_normal((4, 2, 3, 1)).astype(">f4")
y = np.array([3, 0, 1, 2], dtype=">i4")
save("v3_x.npy", x, (3, 0)), save("v3_y.npy", y, (3, 0))
case("v3", x, y)

# float64 images (rounded to float32), int16 labels.
x = rng.standard_normal((3, 2, 2)) * 100
y = np.array([1, 0, 1], dtype=np.int16)
save("f8_x.npy", x), save("f8_y.npy", y)
case("f8", x, y)

# One 28 x 28 image: shapes (1, 28, 28) and the 1-tuple (1,).
x = rng.integers(0, 256, size=(1, 28, 28), dtype=np.uint8)
y = np.array([9], dtype=np.int32)
save("one_x.npy", x), save("one_y.npy", y)
case("one", x, y)

# Refused.
x = rng.integers(0, 256, size=(6, 4, 5), dtype=np.uint8)
p = save("fortran_x.npy", np.asfortranarray(x))
raw = open(p, "rb").read()
refuse("fortran", "%s: byte %d: fortran_order is True" % (p, raw.index(b"True")))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Stored array in format 3.0"
    p = save("fields_x.npy", np.zeros((6, 4, 5), dtype=[("\u00e9t\u00e9\u2192", "<f4")]))
raw = open(p, "rb").read()
assert raw[6] == 3, "NumPy wrote format %d.%d, expected 3.0" % (raw[6], raw[7])
refuse("fields", "%s: byte %d: descr: a list of fields (a structured dtype) is not supported" % (p, raw.index(b"[")))

p = save("half_x.npy", np.zeros((6, 4, 5), dtype=np.float16))
raw = open(p, "rb").read()
refuse("half", "%s: byte %d: dtype '<f2' not supported (half-precision floats are not read)" % (p, raw.index(b"'<f2'")))

p = save("bool_y.npy", np.zeros(6, dtype=bool))
raw = open(p, "rb").read()
refuse("bool", "%s: byte %d: dtype '|b1' not supported (booleans are not read)" % (p, raw.index(b"'|b1'")))

y = np.array([0, 1, 2, 7, 1, 0], dtype=np.int64)
p = save("range_y.npy", y)
refuse("range", "%s: byte %d: label 3 is 7, out of range; expected 0 to 4 (5 classes)" % (p, data_at(p) + 3 * 8))

p = save("two_d_y.npy", np.zeros((6, 1), dtype=np.int64))
refuse("two_d", "%s: byte %d: labels of shape (6, 1); expected 1 dimension (count,)" % (p, open(p, "rb").read().index(b"(6, 1)")))

p = save("five_y.npy", np.zeros(5, dtype=np.int64))
refuse("count", "sample counts disagree: %s holds 6 images (shape (6, 4, 5) at byte" % os.path.join(d, "v1_x.npy"))

raw = open(os.path.join(d, "v1_x.npy"), "rb").read()
p = os.path.join(d, "short_x.npy")
open(p, "wb").write(raw[:-10])
refuse("short", "%s: byte %d: data too short for shape (6, 4, 5) of '|u1': expected 120 bytes from byte %d, found 110" % (p, len(raw) - 10, len(raw) - 120))
p = os.path.join(d, "long_x.npy")
open(p, "wb").write(raw + b"\0")
refuse("long", "%s: byte %d: 1 trailing byte after the data of shape (6, 4, 5) of '|u1'; expected end of file" % (p, len(raw)))
PY
if "$py" "$tmp/write.py" "$tmp/d" >"$tmp/out" 2>&1; then
	ok "NumPy writes the files"
else
	no "NumPy writes the files"
	finish
	exit 1
fi

cat >"$tmp/read.lua" <<'LUA'
local winit = require "winit"
local d = arg[1]
local D = winit.datasets
local function show(name, ds)
  local s = ds.shape
  print(string.format("case %s n=%d shape=%s classes=%d", name, #ds, table.concat(s, ","), ds.n_classes))
  local l = {}
  for i = 1, #ds do l[i] = tostring(ds:label(i)) end
  print("labels " .. table.concat(l, " "))
  for i = 1, #ds do
    local v = {}
    for j, f in ipairs(ds:features(i)) do v[j] = string.format("%.9g", f) end
    print("x" .. i .. " " .. table.concat(v, " "))
  end
end
show("v1", D.from_npy(d .. "/v1_x.npy", d .. "/v1_y.npy"))
show("v2", D.from_npy(d .. "/v2_x.npy", d .. "/v2_y.npy", { n_classes = 4 }))
show("v3", D.from_npy(d .. "/v3_x.npy", d .. "/v3_y.npy"))
show("f8", D.from_npy(d .. "/f8_x.npy", d .. "/f8_y.npy"))
show("one", D.from_npy(d .. "/one_x.npy", d .. "/one_y.npy"))
LUA
if "$winit" run "$tmp/read.lua" "$tmp/d" >"$tmp/got.txt" 2>"$tmp/out"; then
	ok "from_npy loads every file"
	if cmp -s "$tmp/d/expect.txt" "$tmp/got.txt"; then
		ok "shapes, class counts, labels and every feature equal NumPy's (uint8 / 255 in float32)"
	else
		no "shapes, class counts, labels and every feature equal NumPy's (uint8 / 255 in float32)"
		diff "$tmp/d/expect.txt" "$tmp/got.txt" | head -8 | sed 's/^/#   /'
	fi
else
	no "from_npy loads every file"
fi

# The same bytes as .npy and as IDX: the same dataset, the same training to the last bit.
cat >"$tmp/train.lua" <<'LUA'
local winit = require "winit"
local d = arg[1]
local function train(ds)
  winit.set_seed(11)
  local m = winit.Sequential {
    winit.layers.Flatten { input_shape = { 4, 5 } },
    winit.layers.Dense { 8, activation = "tanh", kernel_initializer = "he_normal" },
    winit.layers.Dense { 3, activation = "softmax" },
  }
  m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy", metrics = { "accuracy" } }
  local h = m:fit(ds, { epochs = 3, batch_size = 2, verbose = 0 })
  local out = {}
  for i, l in ipairs(h.loss) do out[i] = string.format("%.17g", l) end
  return table.concat(out, " ")
end
local npy = winit.datasets.from_npy(d .. "/v1_x.npy", d .. "/v1_y.npy")
local idx = winit.load_idx(d .. "/v1_x.idx", d .. "/v1_y.idx", 3)
print((tostring(npy):gsub(", from .*", ")")), (tostring(idx):gsub(", from .*", ")")))
print("npy " .. train(npy))
print("idx " .. train(idx))
LUA
if "$winit" run "$tmp/train.lua" "$tmp/d" >"$tmp/train.txt" 2>"$tmp/out"; then
	a=$(sed -n 's/^npy //p' "$tmp/train.txt") b=$(sed -n 's/^idx //p' "$tmp/train.txt")
	if [ -n "$a" ] && [ "$a" = "$b" ] && grep -q '^Dataset(6 samples of 4x5, 3 classes)	Dataset(6 samples of 4x5, 3 classes)$' "$tmp/train.txt"; then
		ok "the same bytes as .npy and as IDX train identically ($a)"
	else
		no_file="$tmp/train.txt"
		no "the same bytes as .npy and as IDX train identically"
		no_file="$tmp/out"
	fi
else
	no "the training comparison runs"
fi

# Refusals: each message names the file and the byte NumPy's layout puts it at.
cat >"$tmp/refuse.lua" <<'LUA'
local winit = require "winit"
local d = arg[1]
local D = winit.datasets
local cases = {
  fortran = { "fortran_x.npy", "v1_y.npy" }, fields = { "fields_x.npy", "v1_y.npy" },
  half = { "half_x.npy", "v1_y.npy" }, bool = { "v1_x.npy", "bool_y.npy" },
  range = { "v1_x.npy", "range_y.npy", { n_classes = 5 } }, two_d = { "v1_x.npy", "two_d_y.npy" },
  count = { "v1_x.npy", "five_y.npy" }, short = { "short_x.npy", "v1_y.npy" },
  long = { "long_x.npy", "v1_y.npy" },
}
for name, c in pairs(cases) do
  local ok, msg = pcall(D.from_npy, d .. "/" .. c[1], d .. "/" .. c[2], c[3])
  print(name .. "\t" .. (ok and "loaded" or msg))
end
LUA
"$winit" run "$tmp/refuse.lua" "$tmp/d" >"$tmp/refused.txt" 2>"$tmp/out" || no "the refusal script runs"
n=0
while IFS='	' read -r name want; do
	n=$((n + 1))
	got=$(sed -n "s/^$name	//p" "$tmp/refused.txt")
	case $got in
	*"$want"*) ok "refused: $name" ;;
	*) echo "#   wanted: $want"; echo "#   got:    $got"; no "refused: $name" ;;
	esac
done <"$tmp/d/refused.txt"
[ "$n" -eq 9 ] && ok "nine refusals checked" || no "nine refusals checked (got $n)"

# Arguments: paths are strings, options are known.
cat >"$tmp/args.lua" <<'LUA'
local winit = require "winit"
local d = arg[1]
for _, f in ipairs {
  function() return winit.datasets.from_npy(42, d .. "/v1_y.npy") end,
  function() return winit.datasets.from_npy(d .. "/v1_x.npy", d .. "/v1_y.npy", { limit = 3 }) end,
  function() return winit.datasets.from_npy(d .. "/v1_x.npy", d .. "/v1_y.npy", { n_classes = 0 }) end,
  function() return winit.datasets.from_npy(d .. "/v1_x.npy", d .. "/v1_y.npy", { normalize = "standardize", validation_split = 0.5 }).n_features end,
  function() return winit.datasets.from_npy(d .. "/v2_x.npy", d .. "/v2_y.npy", { n_classes = 4 }) end,
} do
  local ok, msg = pcall(f)
  print(ok and "ok " .. tostring(msg) or msg)
end
LUA
"$winit" run "$tmp/args.lua" "$tmp/d" >"$tmp/args.txt" 2>"$tmp/out" || no "the argument script runs"
grep -q "bad argument #1 to 'from_npy' (string (a path) expected, got number)" "$tmp/args.txt" &&
	ok "a number as the path is refused" || no "a number as the path is refused"
grep -q "from_npy: unknown option 'limit'" "$tmp/args.txt" && ok "an unknown option is refused" ||
	{ no_file="$tmp/args.txt"; no "an unknown option is refused"; no_file="$tmp/out"; }
grep -q "from_npy: option 'n_classes' must be an integer in \[1, 256\] (got 0)" "$tmp/args.txt" &&
	ok "n_classes 0 is refused" || no "n_classes 0 is refused"
grep -q "^ok 20$" "$tmp/args.txt" && ok "normalize and validation_split are taken" ||
	no "normalize and validation_split are taken"
grep -q "^ok Dataset(5 samples of 3x4x2, 4 classes, from .*/v2_x.npy)$" "$tmp/args.txt" &&
	ok "a dataset with channels says so" || no "a dataset with channels says so"
finish
