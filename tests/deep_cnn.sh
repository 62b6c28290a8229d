#!/bin/sh
# tests/deep_cnn.sh -- scripts/theory/deep_cnn.lua in its fast mode (real Fashion-MNIST).
# Forty steps of 7x7 images train too little for either finding's ordering to be
# meaningful (the accuracies sit near 0.1-0.25): what is asserted is the structure and
# what is deterministic at that size.  Theory at initialization: the edge of chaos for
# tanh at sigma_b^2 = 0.001 (chi_1 = 1 for delta-orthogonal and the critical Gaussian,
# below 1 for Glorot, above for He); measured, a 16-layer ReLU stack's Var(z) falls by
# orders of magnitude more under Glorot than under He (theory: a factor 2^15); the conv
# Jacobian over 8 layers is near an isometry with delta-orthogonal kernels, spread with the
# critical Gaussian's.  The runs:
# every depth and initializer in the tables and the results file (16 runs, all "ok"),
# every conv kernel of the delta-orthogonal runs drawn by delta_orthogonal with the
# critical gain and the critical Gaussian's sd sigma_w / sqrt(9 cin); both finding
# lines; the report's two figures; a shard leaves the analysis to the resumed run.
set -u
test_name=deep_cnn
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to read the results and the page: apt-get install python3 (setup.sh does)"
	exit 1
fi

expect "deep_cnn.lua --fast runs and prints both findings" 0 \
	"^finding: B: ReLU CNNs, 40 steps: depth 4: he_normal 0\.[0-9]*, glorot_normal 0\.[0-9]* (he - glorot [-+]0\.[0-9]* (1 replicate: no interval); Glorot [a-z]*); depth 16: " -- \
	"$winit" run "$src/scripts/theory/deep_cnn.lua" --fast --out "$tmp/c.json"
cp "$tmp/out" "$tmp/fast.out"
no_file="$tmp/fast.out"
grep -q "^finding: A: tanh CNNs, 40 steps: delta_orthogonal 0\.[0-9]* at depth 2 -> 0\.[0-9]* at 32; gaussian_critical .*; he_normal .*; at depth 32 delta-orthogonal minus (paired): gaussian_critical [-+]0\.[0-9]* (1 replicate: no interval), glorot_normal [-+]0\.[0-9]* (1 replicate: no interval), he_normal [-+]0\.[0-9]* (1 replicate: no interval); Xiao et al.'s finding \(holds\|does not hold\) at this budget (delta-orthogonal ahead of [0-3] of 3 Gaussian initializers at the deepest, " "$tmp/fast.out" &&
	ok "finding A names every initializer at depths 2 and 32 and the paired differences at 32" ||
	no "finding A names every initializer at depths 2 and 32 and the paired differences at 32"

# Theory at initialization (tanh, sigma_b^2 = 0.001).
grep -q "edge of chaos sigma_w = 1\.0905 " "$tmp/fast.out" &&
	grep -q "^  delta_orthogonal     1\.0905  *0\.1073   1\.0000         inf " "$tmp/fast.out" &&
	grep -q "^  gaussian_critical    1\.0905  *0\.1073   1\.0000         inf " "$tmp/fast.out" &&
	grep -q "^  glorot_normal        1\.0000  *[0-9.]*   0\.9[0-9]* " "$tmp/fast.out" &&
	grep -q "^  he_normal            1\.4142  *[0-9.]*   1\.[0-9]* " "$tmp/fast.out" &&
	ok "theory: chi_1 = 1 at the critical sigma_w 1.0905, Glorot ordered (< 1), He chaotic (> 1)" ||
	no "theory: chi_1 = 1 at the critical sigma_w 1.0905, Glorot ordered (< 1), He chaotic (> 1)"
he=$(sed -n 's/^  he_normal  *[0-9.e+-]* -> [0-9.e+-]* (x\([0-9.e+-]*\))$/\1/p' "$tmp/fast.out")
gl=$(sed -n 's/^  glorot_normal  *[0-9.e+-]* -> [0-9.e+-]* (x\([0-9.e+-]*\))$/\1/p' "$tmp/fast.out")
awk -v h="$he" -v g="$gl" 'BEGIN { exit !(h != "" && g != "" && g / h < 0.01) }' &&
	ok "ReLU, 16 layers: Var(z) x$gl under Glorot, x$he under He (Glorot's at least 100 times smaller)" ||
	no "ReLU, 16 layers: Var(z) x'$gl' under Glorot, x'$he' under He (Glorot's at least 100 times smaller)"

# Dynamical isometry at depth 8 (the Jacobian of conv layer 8 w.r.t. conv layer 1, 392 on a
# side): delta-orthogonal's spectrum stays tight (largest^2 / mean 1.6), the critical
# Gaussian's spreads (20).
dj=$(sed -n 's/^  delta_orthogonal  *[0-9.e+-]*  *[0-9.e+-]*  *[0-9.e+-]*  *\([0-9][0-9.e+-]*\)$/\1/p' "$tmp/fast.out")
gj=$(sed -n 's/^  gaussian_critical  *[0-9.e+-]*  *[0-9.e+-]*  *[0-9.e+-]*  *\([0-9][0-9.e+-]*\)$/\1/p' "$tmp/fast.out")
awk -v d="$dj" -v g="$gj" 'BEGIN { exit !(d != "" && g != "" && d < 3 && g > 3 * d) }' &&
	ok "Jacobian at depth 8: largest^2 / mean squared singular value $dj (delta-orthogonal) against $gj (critical Gaussian)" ||
	no "Jacobian at depth 8: largest^2 / mean '$dj' (delta-orthogonal, < 3) against '$gj' (critical Gaussian, > 3 times it)"

# The tables: every initializer at every depth.
for init in delta_orthogonal gaussian_critical glorot_normal he_normal; do
	grep -q "^  $init  *0\.[0-9]*  *0\.[0-9]*  *0\.[0-9]* *$" "$tmp/fast.out" ||
		no "table A: no row of three accuracies for $init"
done
grep -q "^  initializer  *depth 2  *depth 8  *depth 32$" "$tmp/fast.out" &&
	grep -q "^  initializer  *depth 4  *depth 16$" "$tmp/fast.out" &&
	[ "$(grep -c '^  \(he_normal\|glorot_normal\)  *0\.[0-9]*  *0\.[0-9]* *$' "$tmp/fast.out")" -eq 2 ] &&
	ok "the tables: depths 2, 8, 32 (tanh) and 4, 16 (ReLU), a row per initializer" ||
	no "the tables: depths 2, 8, 32 (tanh) and 4, 16 (ReLU), a row per initializer"

# The results file: 16 runs, each trained, with the kernels the script says.
if python3 - "$tmp/c.json" >"$tmp/py" 2>&1 <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "winit-results", d["format"]
runs = d["runs"]
names = sorted(r["name"] for r in runs)
want = sorted(["tanh %s %d#1" % (i, n) for i in ("delta_orthogonal", "gaussian_critical", "glorot_normal",
                                                 "he_normal") for n in (2, 8, 32)] +
              ["relu %s %d#1" % (i, n) for i in ("he_normal", "glorot_normal") for n in (4, 16)])
assert names == want, names
assert all(r["status"] == "ok" and 0 <= r["test_accuracy"] <= 1 for r in runs)
sw = 1.0904996709228723
for r in runs:
    act, init, depth = r["name"].split("#")[0].split()
    convs = [l for l in r["model"]["layers"] if l["type"] == "Conv2D"]
    assert len(convs) == int(depth), (r["name"], len(convs))
    for k, l in enumerate(convs):
        assert l["activation"]["name"] == act and l["padding"] == "circular", (r["name"], k)
        ki = l["kernel_initializer"]
        if init == "delta_orthogonal":
            assert ki["name"] == "delta_orthogonal" and abs(ki["params"]["gain"] - sw) < 1e-6, ki
        elif init == "gaussian_critical":
            cin = 1 if k == 0 else 8
            assert ki["name"] == "random_normal" and abs(ki["params"]["stddev"] - sw / math.sqrt(9 * cin)) < 1e-9, ki
        else:
            assert ki["name"] == init, ki
print(len(runs), "runs")
PY
then ok "the results file: 16 runs trained, delta-orthogonal (gain 1.0905) and critical Gaussian kernels in every conv layer"
else no_file="$tmp/py" no "the results file: $(tail -1 "$tmp/py")"; fi
if python3 - "$tmp/c.html" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
ok = all(t in s for t in ("A: tanh CNNs (circular padding), training accuracy after 40 steps",
                          "B: ReLU CNNs (circular padding), training accuracy after 40 steps",
                          "depth (conv layers)"))
print(len(re.findall(r"<svg\b.*?</svg>", s, re.S)), "svg elements")
sys.exit(0 if ok else 1)
PY
then ok "the report is well-formed with both depth figures ($(cat "$tmp/xml"))"
else no_file="$tmp/xml" no "the report is well-formed with both depth figures"; fi

# --lr-depth: past that depth the tanh runs' rate falls as 1 / depth; ReLU's stays.
expect "deep_cnn.lua --fast --lr-depth 8 names the depth-scaled rate" 0 \
	"^A (tanh, circular padding): training accuracy on 256 trained images after 40 steps (batch 32, SGD lr 0\.002 (x 8 / depth past depth 8), momentum 0\.9)" -- \
	"$winit" run "$src/scripts/theory/deep_cnn.lua" --fast --lr-depth 8 --out "$tmp/lr.json"
if python3 - "$tmp/lr.json" "$tmp/c.json" >"$tmp/py" 2>&1 <<'PY'
import json, sys
lr = {r["name"]: r["optimizer"]["learning_rate"] for r in json.load(open(sys.argv[1]))["runs"]}
base = {r["name"]: r["optimizer"]["learning_rate"] for r in json.load(open(sys.argv[2]))["runs"]}
assert sorted(lr) == sorted(base) and len(lr) == 16, sorted(lr)
for name, v in lr.items():
    act, init, depth = name.split("#")[0].split()
    want = 0.002 * 8 / 32 if act == "tanh" and depth == "32" else 0.002
    assert abs(v - want) < 1e-12 and abs(base[name] - 0.002) < 1e-12, (name, v, base[name])
print("ok")
PY
then ok "--lr-depth 8: the tanh runs at depth 32 train at 0.0005, every other run (and every run by default) at 0.002"
else no_file="$tmp/py" no "--lr-depth 8: the runs' learning rates: $(tail -1 "$tmp/py")"; fi

# A shard runs its share and leaves the analysis to the resumed run.
expect "deep_cnn.lua --fast --shard 1/2 leaves the analysis to the resumed run" 0 \
	"^shard: 8 of 16 runs here; merge the shards" -- \
	"$winit" run --shard 1/2 "$src/scripts/theory/deep_cnn.lua" --fast --out "$tmp/s1.json"
finish
