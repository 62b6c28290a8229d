#!/bin/sh
# tests/width.sh -- scripts/theory/width.lua in its fast mode (real Fashion-MNIST): the
# coordinate check's finding as issue 23 states it (MLP 784-w-w-10, ReLU, Adam lr 0.01,
# 3 steps of batch 64, widths 128 and 1024): under muP each hidden layer's and the
# logits' mean |x| vary by at most 25%, under the standard parametrization the logits'
# grows at least 3x; the numbers in _coord.json; the transfer study's finding line and
# table; the page well-formed with its eight plots; shards merged and resumed give the
# one-machine finding.
set -u
test_name=width
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to parse the page: apt-get install python3 (setup.sh does)"
	exit 1
fi

expect "width.lua --fast runs and prints the coordinate check's finding" 0 \
	"^finding: coordinate check: mean |x| after 3 steps, width 128 to 1024: standard: dense_1 [0-9.]*x, dense_2 [0-9.]*x, logits [0-9.]*x; mup: dense_1 [0-9.]*x, dense_2 [0-9.]*x, logits [0-9.]*x" -- \
	"$winit" run "$src/scripts/theory/width.lua" --fast --out "$tmp/w.json"
cp "$tmp/out" "$tmp/fast.out"
line=$(grep '^finding: coordinate check' "$tmp/fast.out")
sp=$(printf '%s\n' "$line" | sed -n 's/.*standard: .*logits \([0-9.]*\)x; mup.*/\1/p')
mup=$(printf '%s\n' "$line" | sed -n 's/.*; mup: dense_1 \([0-9.]*\)x, dense_2 \([0-9.]*\)x, logits \([0-9.]*\)x.*/\1 \2 \3/p')
awk -v r="$sp" 'BEGIN { exit !(r != "" && r + 0 >= 3) }' &&
	ok "standard: the logits' mean |x| grows ${sp}x (>= 3x) from width 128 to 1024" ||
	no "standard: the logits' mean |x| grows '${sp}'x (>= 3x) from width 128 to 1024"
# shellcheck disable=SC2086 # three numbers
set -- $mup
if [ $# -eq 3 ] && awk -v a="$1" -v b="$2" -v c="$3" \
	'BEGIN { for (i = 0; i < 3; i++) { x = i == 0 ? a : i == 1 ? b : c; if (x < 0.75 || x > 1.25) exit 1 } }'; then
	ok "mup: dense_1 ${1}x, dense_2 ${2}x, logits ${3}x: each within 25%"
else
	no "mup: hidden layers and logits within 25% (got '$mup')"
fi
grep -q "^  mup       logits      3 " "$tmp/fast.out" && grep -q "^  standard  dense_1     0 " "$tmp/fast.out" &&
	ok "the coordinate check's table has every step of every layer" ||
	no "the coordinate check's table has every step of every layer"
grep -q "^finding: learning-rate transfer (grid step 3 in log2(lr)): standard: best log2(lr) -[0-9.]* at width 64, -[0-9.]* at 256, shift [-+][0-9.]* (1 replicate: no interval); mup: best log2(lr) -[0-9.]* at width 64, -[0-9.]* at 256, shift [-+][0-9.]* (1 replicate: no interval)\.$" "$tmp/fast.out" &&
	ok "the transfer's finding names each width's best rate and the shift" ||
	no "the transfer's finding names each width's best rate and the shift"
if python3 - "$tmp/w.html" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
n = len(re.findall(r"<svg\b.*?</svg>", s, re.S))
print(n, "svg elements")
sys.exit(0 if n == 8 and "log2(learning rate)" in s and "step 3" in s else 1)
PY
then ok "the page is well-formed with 8 plots ($(cat "$tmp/xml"))"; else no "the page: $(cat "$tmp/xml")"; fi
if python3 - "$tmp/w_coord.json" "$sp" "$mup" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d)[:2] == ["format", "version"] and d["format"] == "winit-coord-check" and d["version"] == 1, list(d)[:2]
def ratios(p):  # after the last step: hidden activations, then the logits
    m = d[p]["mean"]
    return [m[l]["pre" if l + 1 == d[p]["output"] else "act"][d["steps"]] for l in range(len(m))]
got = {p: ["%.3f" % (v[1] / v[0]) for v in ratios(p)] for p in ("standard", "mup")}
print(got)
assert got["standard"][-1] == sys.argv[2] and got["mup"] == sys.argv[3].split(), got
assert len(d["mup"]["runs"]) == 10 and d["widths"] == [128, 1024] and d["seeds"] == [1, 2, 3, 4, 5]
PY
then ok "width_coord.json holds the coordinate check (format, version, the printed ratios, 10 runs)"
else no "width_coord.json holds the coordinate check"; fi

# Shards: each runs its share of the study; merged and resumed, nothing is trained again
# and the finding is the one-machine run's.
for i in 0 1; do
	expect "width.lua --fast --shard $i/2 leaves the analysis to the resumed run" 0 \
		"^shard: [0-9]* of 12 runs here; merge the shards" -- \
		"$winit" run --shard "$i/2" "$src/scripts/theory/width.lua" --fast --out "$tmp/s$i.json"
done
expect "winit merge joins the shards" 0 "12" -- "$winit" merge "$tmp/m.json" "$tmp/s0.json" "$tmp/s1.json"
cp "$tmp/m.json" "$tmp/m0.json"
expect "width.lua --fast --resume on the merged file" 0 "^finding: learning-rate transfer" -- \
	"$winit" run --resume "$src/scripts/theory/width.lua" --fast --out "$tmp/m.json"
grep '^finding: learning-rate' "$tmp/out" >"$tmp/a"
grep '^finding: learning-rate' "$tmp/fast.out" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "the merged shards give the one-machine finding" ||
	no "the merged shards give the one-machine finding: $(cat "$tmp/a") / $(cat "$tmp/b")"
python3 - "$tmp/m0.json" "$tmp/m.json" >"$tmp/out" 2>&1 <<'PY' &&
import json, sys
a, b = (json.load(open(f))["runs"] for f in sys.argv[1:])
print(len(a), len(b))
sys.exit(0 if len(a) == 12 and [r["seconds"] for r in a] == [r["seconds"] for r in b] else 1)
PY
	ok "--resume took every run from the merged file (12 runs, their timings unchanged)" ||
	no "--resume took every run from the merged file"
finish
