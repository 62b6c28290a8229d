#!/bin/sh
# tests/isometry.sh -- scripts/theory/isometry.lua in its fast mode (real Fashion-MNIST):
# the input-output Jacobian's spectrum at initialization beside free probability's
# prediction (width 128, depths 5, 10, 25, 2 networks x 4 inputs), and the steps-to-target
# study's lines, files and report.  Tolerances: over 12 seeds of this configuration the
# orthogonal tanh network's mean_sq at depth 25 had sd 0.035 and its var/mean^2 sd 0.012
# around 0.296 (theory 0.287); the bounds below are about 4 sd wide.  The Gaussian
# network's var/mean^2 at depth 25 ranged 24 to 46 over those seeds (theory 25.3): the
# ratio orthogonal / Gaussian (theory 0.011) is asserted below 0.05.  The spectra are in the
# results file's "spectra" (no side file), drawn once by the report; shards each hold them,
# merge keeps them once and refuses shards that disagree, --resume keeps them.
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
[ ! -e "$tmp/i_spectrum.json" ] && ok "no side file: the spectra are in the results file" ||
	no "a side file i_spectrum.json was written beside the results file"
if python3 - "$tmp/i.json" "$tmp/fast.out" >"$tmp/py" 2>&1 <<'PY'
import json, re, sys
res = json.load(open(sys.argv[1]))
assert res["format"] == "winit-results" and list(res)[:7] == ["format", "version", "generator", "study", "seed", "spectra", "runs"], list(res)
sp = {s["name"]: s for s in res["spectra"]}
assert [s["name"] for s in res["spectra"]] == ["tanh orthogonal", "tanh gaussian", "relu he", "relu orthogonal"], list(sp)
out = open(sys.argv[2]).read()
for name, c in sp.items():
    assert [r["depth"] for r in c["depths"]] == [5, 10, 25], (name, [r["depth"] for r in c["depths"]])
    assert c["width"] == 128 and c["networks"] == 2 and c["examples"] == 4 and c["hist_bins"] == 80, name
    assert c["activation"] == name.split()[0] and c["weights"] == name.split()[1], name
    assert (c["q_star"] is None) == (c["activation"] == "relu"), (name, c["q_star"])
    for r in c["depths"]:
        assert r["values"] == 2 * 4 * 128 and sum(r["hist_counts"]) == r["values"], (name, r["depth"])
        assert len(r["hist_counts"]) == c["hist_bins"] and len(r["mean_sq_per_network"]) == 2
        # the printed row is the file's
        line = re.search(r"^  %s +%d +(\S+)" % (name, r["depth"]), out, re.M)
        assert line and line.group(1) == "%.4f" % r["mean_sq"], (name, r["depth"], line and line.group(1))
        assert abs(r["theory_norm_var"] - r["depth"] * (c["v_w"] + c["v_d"])) < 1e-12
assert len(res["runs"]) == 4, len(res["runs"])
assert all(r["learning"]["target"] == 0.5 and "steps_to_target" in r["learning"] for r in res["runs"])
print("the results file's spectra (4 configurations at depths 5, 10, 25) agree with the printed lines")
PY
then ok "$(cat "$tmp/py")"; else no "the spectra in the results file: $(cat "$tmp/py")"; fi
# The report draws the spectra, and only once: from the file's section (winit report draws
# the same page), not as the script's own figures.
expect "winit report draws the results file" 0 "report written" -- "$winit" report "$tmp/i.json" -o "$tmp/r.html"
for page in i r; do
	if python3 - "$tmp/$page.html" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
assert "<h2>Figures</h2>" not in s and s.count("<title>Mean squared singular value against depth</title>") == 1
sec = s[s.index("<h2>Jacobian spectrum at initialization</h2>"):s.index("<h2>Statistics</h2>")]
svgs = re.findall(r"<svg\b.*?</svg>", sec, re.S)
titles = [re.search(r"<title>(.*?)</title>", v).group(1) for v in svgs]
names = ["tanh orthogonal", "tanh gaussian", "relu he", "relu orthogonal"]
assert titles == ["Mean squared singular value against depth",
                  "Spread of the squared singular values against depth"] + [n + ": histogram of log10 s" for n in names], titles
# Per configuration a measured line and theory's, dashed, 3 depths each; a prediction equal
# to an earlier one is drawn once: every mean of s^2 is predicted 1 (chi_1 = 1), so the
# first panel has one dashed line, the second four (L (v_W + v_D) differs).
for v, dashed in zip(svgs[:2], (1, 4)):
    lines = re.findall(r'<polyline ([^>]*)points="([^"]*)"', v)
    assert len(lines) == 4 + dashed and all(len(p.split()) == 3 for _, p in lines), [(a, len(p.split())) for a, p in lines]
    assert sum('stroke-dasharray="6 4"' in a for a, _ in lines) == dashed, [a for a, _ in lines]
    assert all(n + " theory" in v for n in names)
for v in svgs[2:]:  # a line per depth over the 80 bins
    lines = re.findall(r'<polyline [^>]*points="([^"]*)"', v)
    assert len(lines) == 3 and all(len(p.split()) == 80 for p in lines), [len(p.split()) for p in lines]
    assert all("depth %d" % d in v for d in (5, 10, 25))
print(len(svgs), "panels: 2 against depth (1 and 4 dashed theory lines), 4 histograms of 3 depths")
PY
	then ok "$page.html draws the spectra: $(cat "$tmp/xml")"; else no "$page.html's spectra: $(cat "$tmp/xml")"; fi
done

# Shards: each shard's file holds the spectra (every shard computes them); merged, they are
# kept once and are the one-process file's; a shard whose spectra differ is refused.
for i in 0 1; do
	expect "isometry.lua --fast --shard $i/2" 0 "^shard: 2 of 4 runs here; merge the shards" -- \
		"$winit" run --shard "$i/2" "$src/scripts/theory/isometry.lua" --fast --out "$tmp/s$i.json"
done
expect "winit merge joins the shards" 0 "4 runs from 2 files" -- "$winit" merge "$tmp/m.json" "$tmp/s0.json" "$tmp/s1.json"
same_spectra() {
	python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b):
    for r in d["runs"]:
        r.pop("seconds", None)
        for e in r["history"]:
            e.pop("seconds", None)
sys.exit(0 if a == b and len(a["spectra"]) == 4 else 1)
PY
}
same_spectra "$tmp/i.json" "$tmp/m.json" &&
	ok "the merged shards are the one-process file, timings aside (the spectra kept once)" ||
	no "the merged shards are the one-process file, timings aside"
python3 - "$tmp/s1.json" "$tmp/s1bad.json" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.compile(r'"relu he",.*?"mean_sq": ([0-9.e-]+)', re.S).search(s)
open(sys.argv[2], "w").write(s[:m.start(1)] + "0.5" + s[m.end(1):])  # relu he's first mean_sq
PY
expect "winit merge refuses shards whose spectra differ" 1 \
	"spectrum 'relu he' is in .*s0.json and .*s1bad.json with different numbers (first difference: \"depths\"); they cannot both be right" -- \
	"$winit" merge "$tmp/bad.json" "$tmp/s0.json" "$tmp/s1bad.json"
[ ! -e "$tmp/bad.json" ] && ok "nothing written when the spectra conflict" || no "bad.json was written"
expect "isometry.lua --fast --resume on the merged file" 0 "^finding: steps to val_accuracy" -- \
	"$winit" run --resume "$src/scripts/theory/isometry.lua" --fast --out "$tmp/m.json"
same_spectra "$tmp/i.json" "$tmp/m.json" &&
	ok "resumed, the merged file still holds the spectra once and is the one-process file, timings aside" ||
	no "resumed, the merged file is still the one-process file, timings aside"
# Under mpirun (an MPI build, configure --with-mpi): every rank computes the spectra, rank 0
# saves them: the one-process file, timings aside.
mpi_np2 "$src/scripts/theory/isometry.lua" --fast --out "$tmp/np2.json"
case $? in
0) same_spectra "$tmp/i.json" "$tmp/np2.json" &&
	ok "mpirun -np 2 gives the one-process file, timings aside (the spectra once)" ||
	no "mpirun -np 2 gives the one-process file, timings aside" ;;
1) no "mpirun -np 2 isometry.lua --fast (exit $got)" ;;
esac
finish
