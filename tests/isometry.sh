#!/bin/sh
# tests/isometry.sh -- scripts/theory/isometry.lua in its fast mode (real Fashion-MNIST):
# the input-output Jacobian's spectrum at initialization beside free probability's
# prediction (width 128, depths 5, 10, 25, 2 networks x 4 inputs), and the steps-to-target
# study's lines, files and report.  Tolerances: over 12 seeds of this configuration the
# orthogonal tanh network's mean_sq at depth 25 had sd 0.035 and its var/mean^2 sd 0.012
# around 0.296 (theory 0.287); the bounds below are about 4 sd wide.  The Gaussian
# network's var/mean^2 at depth 25 ranged 24 to 46 over those seeds (theory 25.3): the
# ratio orthogonal / Gaussian (theory 0.011) is asserted below 0.05.
set -u
test_name=isometry
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to parse the files: apt-get install python3 (setup.sh does)"
	exit 1
fi

expect "isometry.lua --fast runs and prints the orthogonal tanh network's spectrum finding" 0 \
	"^finding: tanh orthogonal: var/mean^2 of s^2 [0-9.e-]* at depth 5, [0-9.e-]* at depth 25 (theory 0.05731, 0.2866); mean_sq [0-9.]* (theory 1.0000)$" -- \
	"$winit" run "$src/scripts/theory/isometry.lua" --fast --out "$tmp/i.json"
cp "$tmp/out" "$tmp/fast.out"
# One table row: config, depth -> "mean_sq theory var theory norm_var theory max"
row() { sed -n "s/^  $1 *$2 *\(.*\)$/\1/p" "$tmp/fast.out"; }
# shellcheck disable=SC2046 # seven numbers
set -- $(row "tanh orthogonal" 25)
if [ $# -eq 7 ] && awk -v m="$1" -v nv="$5" -v t="$6" \
	'BEGIN { exit !(m > 0.85 && m < 1.15 && nv > 0.8 * t && nv < 1.2 * t) }'; then
	ok "tanh orthogonal, depth 25: mean_sq $1 within 0.15 of chi_1^25 = 1, var/mean^2 $5 within 20% of theory's $6"
else
	no "tanh orthogonal, depth 25: mean_sq within 0.15 of 1 and var/mean^2 within 20% of theory (got '$*')"
fi
orth=$5
# shellcheck disable=SC2046
set -- $(row "tanh gaussian" 25)
awk -v o="$orth" -v g="$5" 'BEGIN { exit !(g > 0 && o / g < 0.05) }' &&
	ok "at depth 25 the orthogonal tanh spread $orth is below 0.05x the Gaussian one's $5 (theory 0.011x)" ||
	no "at depth 25 the orthogonal tanh spread '$orth' is below 0.05x the Gaussian one's '$5'"
for c in "tanh gaussian" "relu he" "relu orthogonal"; do
	a=$(row "$c" 5 | awk '{ print $5 }')
	b=$(row "$c" 25 | awk '{ print $5 }')
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(a != "" && b > 2.5 * a) }' &&
		ok "$c: var/mean^2 grows with depth, $a at 5 to $b at 25 (theory: 5x)" ||
		no "$c: var/mean^2 grows with depth (theory 5x from 5 to 25): '$a' to '$b'"
done
grep -q "^finding: steps to val_accuracy 0.50 at depth 20, each at its best rate: orthogonal \([0-9]*\|never\) (lr [0-9.]*), Gaussian \([0-9]*\|never\) (lr [0-9.]*) (medians); orthogonal first in [01] of 1 paired replicates$" "$tmp/fast.out" &&
	ok "the study's finding names each initializer's steps at its best rate" ||
	no "the study's finding names each initializer's steps at its best rate"
if python3 - "$tmp/i_spectrum.json" "$tmp/i.json" "$tmp/fast.out" >"$tmp/py" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
assert list(d)[:2] == ["format", "version"] and d["format"] == "winit-jacobian-spectrum" and d["version"] == 1, list(d)[:2]
assert d["depths"] == [5, 10, 25] and d["width"] == 128, (d["depths"], d["width"])
assert sorted(d["configs"]) == ["relu he", "relu orthogonal", "tanh gaussian", "tanh orthogonal"], list(d["configs"])
out = open(sys.argv[3]).read()
for name, c in d["configs"].items():
    for r in c["depths"]:
        assert r["values"] == 2 * 4 * 128 and sum(r["hist_counts"]) == r["values"], (name, r["depth"])
        assert len(r["hist_counts"]) == d["hist_bins"] and len(r["mean_sq_per_network"]) == 2
        # the printed row is the file's
        line = re.search(r"^  %s +%d +(\S+)" % (name, r["depth"]), out, re.M)
        assert line and line.group(1) == "%.4f" % r["mean_sq"], (name, r["depth"], line and line.group(1))
        assert abs(r["theory_norm_var"] - r["depth"] * (c["v_w"] + c["v_d"])) < 1e-12
res = json.load(open(sys.argv[2]))
assert res["format"] == "winit-results" and len(res["runs"]) == 4, len(res["runs"])
assert all(r["learning"]["target"] == 0.5 and "steps_to_target" in r["learning"] for r in res["runs"])
print("spectrum file and results file agree with the printed lines")
PY
then ok "$(cat "$tmp/py")"; else no "the spectrum and results files: $(cat "$tmp/py")"; fi
if python3 - "$tmp/i.html" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
figs = s[s.index("<h2>Figures</h2>"):s.index("<h2>Statistics</h2>")]
n = len(re.findall(r"<svg\b.*?</svg>", figs, re.S))
dashed = len(re.findall(r'<polyline [^>]*stroke-dasharray="6 4"', figs))
print(n, "figures,", dashed, "dashed lines")
# 2 against depth (each with 4 theory lines, dashed), 4 histograms (each a dashed marker at s = 1)
sys.exit(0 if n == 6 and dashed >= 12 and "Mean squared singular value" in figs else 1)
PY
then ok "the report holds the spectrum's figures, theory dashed ($(cat "$tmp/xml"))"; else no "the report's figures: $(cat "$tmp/xml")"; fi
finish
