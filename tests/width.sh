#!/bin/sh
# tests/width.sh -- scripts/theory/width.lua in its fast mode (real Fashion-MNIST): the
# coordinate check's finding as issue 23 states it (MLP 784-w-w-10, ReLU, Adam lr 0.01,
# 3 steps of batch 64, widths 128 and 1024): under muP each hidden layer's and the
# logits' mean |x| vary by at most 25%, under the standard parametrization the logits'
# grows at least 3x; the numbers in the results file's "coord_checks" and drawn by
# `winit report` (a panel per layer and parametrization, a line per step, a point per
# width); the transfer study's finding line and table; the page well-formed with its nine
# plots; shards merged (the coordinate checks kept once, conflicting ones refused) and
# resumed give the one-machine file, timings aside, and finding.
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
sys.exit(0 if n == 9 and "log2(learning rate)" in s and "step 3" in s and "mup: best" in s else 1)
PY
then ok "the page is well-formed with 9 plots ($(cat "$tmp/xml"))"; else no "the page: $(cat "$tmp/xml")"; fi
if python3 - "$tmp/w.json" "$sp" "$mup" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "winit-results" and list(d)[:6] == ["format", "version", "generator", "study", "seed", "coord_checks"], list(d)
cc = {c["parametrization"]: c for c in d["coord_checks"]}
assert [c["parametrization"] for c in d["coord_checks"]] == ["standard", "mup"]
def ratios(c):  # after the last step: hidden activations, then the logits
    return [l["mean_abs"][c["steps"]] for l in c["layers"]]
got = {p: ["%.3f" % (v[1] / v[0]) for v in ratios(cc[p])] for p in cc}
print(got)
assert got["standard"][-1] == sys.argv[2] and got["mup"] == sys.argv[3].split(), got
for c in d["coord_checks"]:
    assert c["widths"] == [128, 1024] and c["seeds"] == [1, 2, 3, 4, 5] and c["steps"] == 3 and c["batch_size"] == 64, c
    assert [l["of"] for l in c["layers"]] == ["activation", "activation", "pre_activation"]
    assert all(len(l["change"]) == 4 and l["change"][0] == [0, 0] and l["change"][3][0] > 0 for l in c["layers"])
PY
then ok "the results file holds the coordinate check (SP and muP, the printed ratios, every step and layer)"
else no "the results file holds the coordinate check: $(cat "$tmp/out")"; fi
expect "winit report draws the results file" 0 "report written" -- "$winit" report "$tmp/w.json" -o "$tmp/r.html"
if python3 - "$tmp/r.html" >"$tmp/out" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
sec = s[s.index("<h2>Coordinate check</h2>"):s.index("<h2>Statistics</h2>")]
svgs = re.findall(r"<svg\b.*?</svg>", sec, re.S)
titles = [re.search(r"<title>(.*?)</title>", v).group(1) for v in svgs]
want = ["%s: %s" % (p, l) for l in ("dense_1", "dense_2", "dense_3 (logits)") for p in ("standard (SP)", "muP")]
assert titles == want, titles
for v in svgs:  # a line per step 0..3, a point per width
    lines = [len(p.split()) for p in re.findall(r'<polyline [^>]*points="([^"]*)"', v)]
    assert lines == [2, 2, 2, 2], lines
    assert all("step %d" % t in v for t in range(4)), v[:200]
print(len(svgs), "panels of 4 lines of 2 points")
PY
then ok "the report draws the coordinate check: $(cat "$tmp/out")"; else no "the report's coordinate check: $(cat "$tmp/out")"; fi

# Shards: each runs its share of the study; merged and resumed, nothing is trained again
# and the finding is the one-machine run's.
for i in 0 1; do
	expect "width.lua --fast --shard $i/2 leaves the analysis to the resumed run" 0 \
		"^shard: [0-9]* of 12 runs here; merge the shards" -- \
		"$winit" run --shard "$i/2" "$src/scripts/theory/width.lua" --fast --out "$tmp/s$i.json"
done
expect "winit merge joins the shards" 0 "12" -- "$winit" merge "$tmp/m.json" "$tmp/s0.json" "$tmp/s1.json"
cp "$tmp/m.json" "$tmp/m0.json"
# same FILE1 FILE2: the two results files are equal but for the timings ("seconds").
same() {
	python3 - "$1" "$2" <<'PY'
import json, sys
def strip(d):
    for r in d["runs"]:
        r.pop("seconds", None)
        for e in r["history"]:
            e.pop("seconds", None)
    return d
a, b = (strip(json.load(open(f))) for f in sys.argv[1:])
sys.exit(0 if a == b and len(a["coord_checks"]) == 2 else 1)
PY
}
same "$tmp/w.json" "$tmp/m.json" &&
	ok "the merged shards are the one-process file, timings aside (the coordinate checks kept once)" ||
	no "the merged shards are the one-process file, timings aside"
python3 - "$tmp/s1.json" "$tmp/s1bad.json" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.compile(r'"mean_abs": \[\s*\[\s*([0-9.e-]+)').search(s)
open(sys.argv[2], "w").write(s[:m.start(1)] + "0.5" + s[m.end(1):])  # standard's first value
PY
expect "winit merge refuses shards whose coordinate checks differ" 1 \
	"coordinate check 'MLP 784-w-w-10 (relu), Adam lr 0.01' (standard) is in .*s0.json and .*s1bad.json with different numbers (first difference: \"layers\")" -- \
	"$winit" merge "$tmp/bad.json" "$tmp/s0.json" "$tmp/s1bad.json"
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
same "$tmp/w.json" "$tmp/m.json" &&
	ok "resumed, the merged file is still the one-process file, timings aside" ||
	no "resumed, the merged file is still the one-process file, timings aside"
# Under mpirun (an MPI build, configure --with-mpi): the one-process file, timings aside.
mpi_np2 "$src/scripts/theory/width.lua" --fast --out "$tmp/np2.json"
case $? in
0) same "$tmp/w.json" "$tmp/np2.json" &&
	ok "mpirun -np 2 gives the one-process file, timings aside (coordinate checks included)" ||
	no "mpirun -np 2 gives the one-process file, timings aside" ;;
1) no "mpirun -np 2 width.lua --fast (exit $got)" ;;
esac
finish
