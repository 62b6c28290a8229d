#!/bin/sh
# tests/trainability.sh -- scripts/theory/trainability.lua in its fast mode (real
# Fashion-MNIST; sigma_w^2 1, 2.5, 4 by depths 3, 12, 60, width 32, 64 SGD steps): the
# accuracy table and its 6 xi_c row against winit.theory, the finding's counts as the
# table implies them, the results file (9 runs, their factors, no diagnostics), the page's
# heat map (9 cells, values, the 6 xi_c line and its +-20% band), winit.plot.heatmap's new
# options on bad input, and two shards merged: the same runs, bit for bit, as one process.
set -u
test_name=trainability
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to parse the page: apt-get install python3 (setup.sh does)"
	exit 1
fi

script="$src/scripts/theory/trainability.lua"
expect "trainability.lua --fast runs and prints its finding" 0 \
	"^finding: away from L = 6 xi_c (edge of chaos at sigma_w^2 = 1.761), [0-9]* of 6 ([0-9]*%) cells with L < 0.8 x 6 xi_c train (accuracy >= 0.5) and [0-9]* of 2 ([0-9]*%) with L > 1.2 x 6 xi_c stall (accuracy < 0.2), after 64 SGD steps at width 32\.$" -- \
	"$winit" run "$script" --fast --out "$tmp/t.json"
cp "$tmp/out" "$tmp/fast.out"

# The table: three depth rows (deepest first) of three accuracies, each marked by its side
# of the line; the 6 xi_c row as winit.theory gives it.
cat >"$tmp/xi.lua" <<'EOF'
local winit = require "winit"
local t = {}
for _, s2 in ipairs { 1, 2.5, 4 } do
  t[#t + 1] = string.format("%7.1f", 6 * winit.theory.correlation_fixed_point("tanh", math.sqrt(s2),
                                                                              math.sqrt(0.05)).xi_c)
end
print(string.format("  %7s", "6 xi_c") .. " " .. table.concat(t, " "))
EOF
"$winit" run "$tmp/xi.lua" >"$tmp/xi" 2>&1
if grep -q '^   6 xi_c    21\.8    70\.8    41\.9$' "$tmp/xi" && grep -qxF "$(cat "$tmp/xi")" "$tmp/fast.out"; then
	ok "the 6 xi_c row is winit.theory's ($(cat "$tmp/xi"))"
else
	no_file="$tmp/xi" no "the 6 xi_c row is winit.theory's: $(grep '6 xi_c' "$tmp/fast.out")"
fi
no_file="$tmp/fast.out"
acc='[01]\.[0-9][0-9][0-9]'
grep -q "^       60  $acc\*  $acc   $acc\*$" "$tmp/fast.out" &&
	grep -q "^       12  $acc\.  $acc\.  $acc\.$" "$tmp/fast.out" &&
	grep -q "^        3  $acc\.  $acc\.  $acc\.$" "$tmp/fast.out" &&
	ok "the table: depths 60, 12, 3, each cell marked by its side of 6 xi_c" ||
	no "the table: depths 60, 12, 3, each cell marked by its side of 6 xi_c"
# The finding's counts are the table's: cells marked . at >= 0.5, cells marked * below 0.2.
if python3 - "$tmp/fast.out" >"$tmp/count" 2>&1 <<'PY'
import re, sys
out = open(sys.argv[1]).read()
cells = re.findall(r"([01]\.\d{3})([.* ])", "\n".join(l for l in out.splitlines() if re.match(r"^ +\d+  ", l)))
below = [float(a) for a, m in cells if m == "."]
above = [float(a) for a, m in cells if m == "*"]
want = "%d of %d (%.0f%%) cells with L < 0.8 x 6 xi_c train (accuracy >= 0.5) and %d of %d (%.0f%%) with" % (
    sum(a >= 0.5 for a in below), len(below), 100 * sum(a >= 0.5 for a in below) / len(below),
    sum(a < 0.2 for a in above), len(above), 100 * sum(a < 0.2 for a in above) / len(above))
print(len(cells), "cells;", want)
# The direction: the shallowest row trains in every column, the deepest stalls where marked.
shallow = [float(a) for a, _ in cells[-3:]]
sys.exit(0 if len(cells) == 9 and want in out and min(shallow) >= 0.5 and all(a < 0.2 for a in above) else 1)
PY
then ok "the finding counts the table's cells, depth 3 trains, the * cells stall ($(cat "$tmp/count"))"
else no_file="$tmp/count" no "the finding counts the table's cells"; fi

if python3 - "$tmp/t.json" >"$tmp/runs" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
cells = sorted((float(r["factors"]["sw2"]), int(r["factors"]["depth"])) for r in runs)
assert cells == sorted((s, l) for s in (1, 2.5, 4) for l in (3, 12, 60)), cells
assert all(r["status"] == "ok" and r["diagnostics"] == [] for r in runs), "diagnostics = false: no snapshot"
assert len({r["run_seed"] for r in runs}) == 1, "paired: one run seed"
print(len(runs), "runs")
PY
then ok "the results file: 9 runs, one per cell, one run seed (paired), no diagnostics"
else no_file="$tmp/runs" no "the results file: 9 runs, one per cell, one run seed, no diagnostics"; fi

# Several rates (--lr 0.1,0.3): a run per cell and rate, each at rate / L, and each cell's
# printed accuracy is its better run's.
expect "trainability.lua --fast --lr 0.1,0.3 names both rates" 0 \
	"lr the best of 0\.1 / L, 0\.3 / L" -- "$winit" run "$script" --fast --lr 0.1,0.3 --out "$tmp/lr2.json"
cp "$tmp/out" "$tmp/lr2.out"
if python3 - "$tmp/lr2.json" "$tmp/lr2.out" >"$tmp/lr2" 2>&1 <<'PY'
import json, re, sys
runs = json.load(open(sys.argv[1]))["runs"]
assert len(runs) == 18 and all(r["status"] == "ok" for r in runs), len(runs)
best = {}
for r in runs:
    f = r["factors"]
    s2, L, c = float(f["sw2"]), int(f["depth"]), float(f["lr"])
    assert abs(r["optimizer"]["learning_rate"] - c / L) < 1e-12, (r["name"], r["optimizer"])
    best[(s2, L)] = max(best.get((s2, L), 0), r["test_accuracy"])
rows = {int(m.group(1)): [float(x) for x in re.findall(r"(\d\.\d{3})", m.group(2))]
        for m in re.finditer(r"^ +(\d+) +((?:\d\.\d{3}[*. ] *)+)$", open(sys.argv[2]).read(), re.M)}
for (s2, L), a in best.items():
    printed = rows[L][(1, 2.5, 4).index(s2)]
    assert abs(printed - a) < 5e-4, (s2, L, printed, a)
print(len(runs), "runs")
PY
then ok "--lr 0.1,0.3: 18 runs at rate / L, each cell printed at its better rate's accuracy"
else no_file="$tmp/lr2" no "--lr 0.1,0.3: the runs and the table"; fi

# The page: well-formed, one heat map of 9 cells with their values, and the three lines.
if python3 - "$tmp/t.html" "$tmp/fast.out" >"$tmp/page" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
out = open(sys.argv[2]).read()
assert s.count("<svg xmlns") == 1, s.count("<svg xmlns")
cells = re.findall(r'<rect class="cell"[^>]*><title>x ([0-9.]+), y ([0-9]+): ([0-9.]+)</title>', s)
assert len(cells) == 9, cells
# Each tooltip is the table's accuracy of that cell.
rows = {int(l.split()[0]): l.split()[1:] for l in out.splitlines() if re.match(r"^ +(3|12|60)  ", l)}
for x, y, v in cells:
    a = rows[int(y)][[1.0, 2.5, 4.0].index(float(x))].rstrip(".*")
    assert abs(float(v) - float(a)) < 6e-4, (x, y, v, a)
assert len(re.findall(r'class="value"', s)) == 9
lines = re.search(r'<g class="lines".*?</g>', s, re.S).group(0)
assert len(re.findall(r"<polyline", lines)) == 6, "3 lines over their halos"
assert len(re.findall(r"stroke-dasharray", lines)) == 4, "the band dashed"
for label in ("L = 6 xi_c", "0.8 x 6 xi_c", "1.2 x 6 xi_c", "training accuracy", "sigma_w^2", "depth L"):
    assert ">" + label in s, label
print("1 heat map, 9 cells, 3 lines")
PY
then ok "the page: the heat map's 9 cells hold the table's accuracies, the 6 xi_c line and its band over them"
else no_file="$tmp/page" no "the page's heat map"; fi

# winit.plot.heatmap's colour scale, values and dashes on bad input: errors naming the option.
lua() {
	printf '%s\n' "$3" >"$tmp/bad.lua"
	expect "$1" 1 "$2" -- "$winit" run "$tmp/bad.lua"
}
lua "heatmap: an unknown colour scale" 'plot.heatmap: colors must be "diverging" or "sequential", got "rainbow"' \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, colors = "rainbow" }'
lua "heatmap: zmin without zmax" "plot.heatmap: zmin and zmax go together" \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, colors = "sequential", zmin = 0 }'
lua "heatmap: zmin above zmax" "plot.heatmap: zmin must be below zmax" \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, colors = "sequential", zmin = 1, zmax = 0 }'
lua "heatmap: zmin on the diverging scale" "plot.heatmap: zmin and zmax set the sequential scale" \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, zmin = 0, zmax = 1 }'
lua "heatmap: 7 decimals" "plot.heatmap: option 'values' must be an integer in \[0, 6\] (got 7)" \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, values = 7 }'
lua "heatmap: a log axis through 0" "plot.heatmap: y values must be > 0 on a log axis" \
	'require("winit").plot.heatmap { x = {1}, y = {0, 10}, z = {{1}, {2}}, ylog = true }'
lua "heatmap: a dash that is not a boolean" "plot.heatmap: .*dash" \
	'require("winit").plot.heatmap { x = {1, 2}, y = {0}, z = {{1, 2}}, lines = { { x = {1, 2}, y = {0, 0}, dash = "yes" } } }'

# Two shards, merged: the same runs as one process, bit for bit (all but their timings:
# the run's and each epoch's seconds),
# and --resume on the merged file prints the one-process table and finding.
for i in 0 1; do
	expect "trainability.lua --fast --shard $i/2 leaves the analysis to the resumed run" 0 \
		"^shard: [0-9] of 9 runs here; merge the shards" -- \
		"$winit" run --shard "$i/2" "$script" --fast --out "$tmp/s$i.json"
done
expect "winit merge joins the shards" 0 "9" -- "$winit" merge "$tmp/m.json" "$tmp/s0.json" "$tmp/s1.json"
cat >"$tmp/same.py" <<'PY'
import json, sys
one, merged = (json.load(open(f))["runs"] for f in sys.argv[1:])
def key(r):  # a run without its timings: its own and each epoch's
    r = dict(r, history=[dict(e, seconds=None) for e in r["history"]])
    r.pop("seconds")
    return r["name"], json.dumps(r, sort_keys=True)
a, b = sorted(map(key, one)), sorted(map(key, merged))
assert len(a) == 9 and a == b, [x[0] for x, y in zip(a, b) if x != y]
print(len(a), "runs identical")
PY
if python3 "$tmp/same.py" "$tmp/t.json" "$tmp/m.json" >"$tmp/cmp" 2>&1
then ok "the merged shards hold the one-process runs, bit for bit ($(cat "$tmp/cmp"))"
else no_file="$tmp/cmp" no "the merged shards hold the one-process runs"; fi
expect "trainability.lua --fast --resume on the merged file trains nothing and finds the same" 0 "^finding" -- \
	"$winit" run --resume "$script" --fast --out "$tmp/m.json"
grep -v '^(' "$tmp/out" >"$tmp/a"
grep -v '^(' "$tmp/fast.out" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "the merged shards give the one-process table and finding" ||
	no "the merged shards give the one-process table and finding: $(diff "$tmp/a" "$tmp/b" | head -5)"

# Under MPI (an MPI build), two ranks: rank 0 saves the one-process runs and prints the
# one-process table and finding.
if "$winit" --version | grep -q 'no MPI'; then
	echo "# mpirun -np 2: not checked, winit was built without MPI (configure --with-mpi)"
elif ! command -v mpirun >/dev/null 2>&1; then
	no "mpirun -np 2: winit is built with MPI but mpirun is not on PATH (apt-get install openmpi-bin)"
else
	expect "mpirun -np 2 trainability.lua --fast" 0 "^finding" -- timeout -k 10 120 \
		mpirun --oversubscribe --allow-run-as-root -np 2 "$winit" run -j 1 "$script" --fast --out "$tmp/np2.json"
	grep -v '^(' "$tmp/out" >"$tmp/a"
	cmp -s "$tmp/a" "$tmp/b" && ok "mpirun -np 2 prints the one-process table and finding, once" ||
		no "mpirun -np 2 prints the one-process table and finding: $(diff "$tmp/a" "$tmp/b" | head -5)"
	python3 "$tmp/same.py" "$tmp/t.json" "$tmp/np2.json" >"$tmp/cmp" 2>&1 &&
		ok "mpirun -np 2 saves the one-process runs, bit for bit ($(cat "$tmp/cmp"))" ||
		no_file="$tmp/cmp" no "mpirun -np 2 saves the one-process runs"
fi
finish
