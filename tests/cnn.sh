#!/bin/sh
# tests/cnn.sh -- scripts/compare_inits_cnn.lua (the four initializers on Keras's tutorial
# CNN) in a fast mode: one epoch on the first 1,000 training images (--train_rows), the
# whole test set.  Checked on its results file (python3's json): the model is the
# tutorial CNN with the initializer on both conv kernels (the output Dense keeps
# glorot_uniform; --dense_init same puts it there too); zeros ends at exactly 0.1000 (no
# conv unit ever leaves ReLU's flat zero, the output learns the class prior, the test set
# is balanced).  What is robust in one epoch of 13 steps, measured over seeds 1, 2, 3 and
# 42: random_normal sd 1 starts with the second conv layer's pre-activation variance at
# 350 to 790 (He's about 1, Glorot's 0.01; its logits' variance is in the hundreds too) and
# ends with a test loss of 6 to 12 against their 1.3 to 2.1 -- but its test accuracy (0.46
# to 0.51) is not reliably below glorot_normal's (0.42 to 0.54), so accuracy is not
# asserted in that mode.  With --dense_init same its logits' variance starts near 1e5 and
# it falls 34 to 47 points behind both (seeds 1-3 on 1,000 images, 42 on 3,000): asserted
# there, by 20 points.  Glorot against He is not ranked: it changes with the seed.  The
# report is well-formed; bad --train_rows and --dense_init values are refused.
# Needs the real Fashion-MNIST (Debian's dataset-fashion-mnist).
set -u
test_name=cnn
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to read the results files: apt-get install python3 (setup.sh does)"
	exit 1
fi
script="$src/scripts/compare_inits_cnn.lua"
# check NAME PYTHON [FILE]: the python code, with d = the results file (default cnn.json),
# r = its runs by name, acc(name), loss(name) and pre(name, k) (layer k + 1's pre-activation
# variance at initialization), exits 0 (its message otherwise).
check() {
	if python3 - "${3:-$tmp/cnn.json}" "$2" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["name"]: x for x in d["runs"]}
def acc(n): return r[n]["test_accuracy"]
def loss(n): return r[n]["test_loss"]
def pre(n, k): return [s for s in r[n]["diagnostics"] if s["step"] == 0][0]["layers"][k]["pre_var"]
ok = eval(sys.argv[2])
print("test accuracies:", {k: acc(k) for k in r})
sys.exit(0 if ok else 1)
PY
	then ok "$1"; else no "$1"; fi
}

expect "compare_inits_cnn.lua, 1 epoch on 1,000 images: zeros ends at 0.1000" 0 \
	"^zeros  *0\.1000 " -- \
	"$winit" run -j 2 "$script" --train_rows 1000 --epochs 1 --out "$tmp/cnn.json"
cp "$tmp/out" "$tmp/run.out"
grep -q "^report written to $tmp/cnn.html" "$tmp/run.out" && ok "compare_inits_cnn.lua writes its report" ||
	no "compare_inits_cnn.lua writes its report"
check "the runs are the four initializers, in order" \
	'[x["name"] for x in d["runs"]] == ["zeros", "random_normal", "glorot_normal", "he_normal"]'
check "the model is the tutorial CNN, the initializer on both Conv2D kernels, glorot_uniform on the Dense" '
all([(l["type"], l.get("filters"), l.get("units"), l.get("kernel_size"),
      (l.get("kernel_initializer") or {}).get("name")) for l in x["model"]["layers"]] ==
    [("Conv2D", 32, None, [3, 3], x["label"]), ("MaxPooling2D", None, None, None, None),
     ("Conv2D", 64, None, [3, 3], x["label"]), ("MaxPooling2D", None, None, None, None),
     ("Flatten", None, None, None, None), ("Dropout", None, None, None, None),
     ("Dense", None, 10, None, "glorot_uniform")] and x["model"]["input_shape"] == [28, 28, 1]
    for x in d["runs"])'
check "random_normal is N(0, 1)" \
	'r["random_normal"]["model"]["layers"][0]["kernel_initializer"]["params"] == {"mean": 0.0, "stddev": 1.0}'
check "one epoch of 800 training rows and 200 validation rows, batch 64" \
	'all(x["fit"]["epochs"] == 1 and x["fit"]["batch_size"] == 64 and x["fit"]["validation_split"] == 0.2
	     and len(x["history"]) == 1 for x in d["runs"]) and r["zeros"]["diagnostics"][-1]["step"] == 13'
check "zeros: test accuracy exactly 0.1000" 'acc("zeros") == 0.1'
check "random_normal sd 1: the second conv layer's pre-activations start 100 times Glorot's and He's" \
	'all(pre("random_normal", 2) > 100 * pre(n, 2) for n in ("glorot_normal", "he_normal"))'
check "glorot_normal's and he_normal's test loss is below half random_normal's" \
	'loss("glorot_normal") < loss("random_normal") / 2 and loss("he_normal") < loss("random_normal") / 2'
if python3 - "$tmp/cnn.html" >"$tmp/out" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
line = ("Conv2D(32, 3&#215;3, relu, kernel zeros) &#8594; MaxPooling2D(2&#215;2) &#8594; "
        "Conv2D(64, 3&#215;3, relu, kernel zeros) &#8594; MaxPooling2D(2&#215;2) &#8594; Flatten "
        "&#8594; Dropout(0.5) &#8594; Dense(10, softmax, kernel glorot_uniform)")
assert line in s, "the model line is not the tutorial CNN's: " + s[s.find("Model (first run)"):][:600]
print(len(re.findall(r"<svg\b", s)), "svg elements")
PY
then ok "the report is well-formed and describes the CNN"; else no "the report is well-formed and describes the CNN"; fi

# --dense_init same: the initializer under study on the Dense kernel too.
expect "compare_inits_cnn.lua --dense_init same, 1 epoch on 1,000 images: zeros ends at 0.1000" 0 \
	"^zeros  *0\.1000 " -- \
	"$winit" run -j 2 "$script" --train_rows 1000 --epochs 1 --dense_init same --diagnostics off \
	--out "$tmp/same.json"
check "--dense_init same: the Dense kernel's initializer is the run's" \
	'all(x["model"]["layers"][6]["kernel_initializer"]["name"] == x["label"] for x in d["runs"])' "$tmp/same.json"
check "--dense_init same: zeros' test accuracy exactly 0.1000" 'acc("zeros") == 0.1' "$tmp/same.json"
check "--dense_init same: glorot_normal and he_normal beat random_normal sd 1 by 20 points" \
	'acc("glorot_normal") > acc("random_normal") + 0.2 and acc("he_normal") > acc("random_normal") + 0.2' "$tmp/same.json"
expect "--dense_init takes glorot_uniform or same" 1 \
	"option '--dense_init' expects glorot_uniform or same, got 'he_normal'" -- \
	"$winit" run "$script" --dense_init he_normal --out "$tmp/bad.json"

expect "--train_rows below 10 is refused" 1 \
	"option '--train_rows' expects an integer from 10 to 60000 (or 0: all), got '5'" -- \
	"$winit" run "$script" --train_rows 5 --out "$tmp/bad.json"
expect "--train_rows beyond the training set is refused" 1 \
	"option '--train_rows' expects an integer from 10 to 60000 (or 0: all), got '60001'" -- \
	"$winit" run "$script" --train_rows 60001 --out "$tmp/bad.json"
[ ! -e "$tmp/bad.json" ] && ok "no results file on a bad --train_rows" || no "a results file on a bad --train_rows"
expect "--help lists --train_rows" 0 "--train_rows" -- "$winit" run "$script" --help

# The report's model line gives strides, padding and dilation when they are not Keras's
# defaults (a pooling's strides default to its window).
cat >"$tmp/args.lua" <<EOF
local winit = require "winit"
local L = winit.layers
local ds = winit.datasets.gaussian { n = 64, features = 8 * 8 * 2, classes = 2, seed = 1 }
local x = winit.Input { shape = { 8, 8, 2 } }
local y = L.Conv2D { 4, 3, strides = 2, padding = "same", activation = "relu" }(x)
y = L.Conv2D { 4, 3, dilation_rate = 2, padding = "circular", activation = "tanh" }(y)
y = L.MaxPooling2D { 3, strides = 1, padding = "same" }(y)
y = L.AveragePooling2D { 2 }(y)
y = L.GlobalAveragePooling2D {}(y)
local m = winit.Model { inputs = x, outputs = L.Dense { 2, activation = "softmax" }(y) }
m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
local study = winit.Study { name = "args", seed = 1 }
study:add { name = "a", model = m, train = ds, epochs = 1, batch_size = 32, diagnostics = false }
study:run { verbose = 0, save = "$tmp/args.json" }:report("$tmp/args.html")
print("trained: " .. #m.layers .. " layers")
EOF
expect "a graph with strided, dilated and padded windows trains and reports" 0 "^trained: 7 layers$" -- \
	"$winit" run "$tmp/args.lua"
want='Conv2D(4, 3&#215;3, strides 2&#215;2, padding same, relu, kernel glorot_uniform) &#8594; Conv2D(4, 3&#215;3, dilation 2&#215;2, padding circular, tanh, kernel glorot_uniform) &#8594; MaxPooling2D(3&#215;3, strides 1&#215;1, padding same) &#8594; AveragePooling2D(2&#215;2) &#8594; GlobalAveragePooling2D &#8594; Dense(2, softmax, kernel glorot_uniform)'
if grep -qF "$want" "$tmp/args.html"; then
	ok "the model line gives non-default strides, dilation and padding only"
else
	no "the model line gives non-default strides, dilation and padding only: $(grep -o 'Model (first run)[^<]*' "$tmp/args.html")"
fi
finish
