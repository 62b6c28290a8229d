#!/bin/sh
# tests/theory.sh -- the experiment scripts of scripts/theory/ in their fast mode, each
# finding's direction checked on its results file (python3's json), their reports
# well-formed with the Figures section; results:report's figures option on bad input.
# Needs the real Fashion-MNIST (Debian's dataset-fashion-mnist).
set -u
test_name=theory
. "$top_srcdir/tests/lib.sh"
if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to read the results files: apt-get install python3 (setup.sh does)"
	exit 1
fi
# check NAME FILE PYTHON: the python code, with r = the results file's runs by name and
# acc / sat(run) helpers, exits 0 (its message otherwise).
check() {
	if python3 - "$2" "$3" >"$tmp/out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["name"]: x for x in d["runs"]}
def acc(n): return r[n]["test_accuracy"]
def sat(n):
    s = [x for x in r[n]["diagnostics"] if x["step"] == 0][0]
    hidden = s["layers"][:-1]
    return sum(l["saturated_fraction"] for l in hidden) / len(hidden)
ok = eval(sys.argv[2])
print("values:", {k: (round(acc(k), 4), round(sat(k), 4)) for k in r})
sys.exit(0 if ok else 1)
PY
	then ok "$1"; else no "$1"; fi
}
# figures NAME FILE N: the page and every <svg> parse as XML, with N svgs under "Figures".
figures() {
	if python3 - "$2" "$3" >"$tmp/out" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
part = s[s.index("<h2>Figures</h2>"):s.index("<h2>", s.index("<h2>Figures</h2>") + 5)]
n = len(re.findall(r"<svg\b", part))
for x in re.findall(r"<svg\b.*?</svg>", part, re.S):
    ET.fromstring(x)
sys.exit(0 if n == int(sys.argv[2]) else "%d figures, wanted %s" % (n, sys.argv[2]))
PY
	then ok "$1"; else no "$1"; fi
}

# saturation.lua, fast: sd 0.1 and 3 (2 hidden layers of 64, one epoch).  Theory: units
# saturate more at sd 3 than at 0.1 (tanh and sigmoid) and train worse than glorot_normal.
sat="$tmp/sat.json"
expect "saturation.lua runs and prints its finding" 0 "^finding (1 epoch): sigmoid: saturated fraction grows" -- \
	"$winit" run "$src/scripts/theory/saturation.lua" --epochs 1 --points 2 --min_sd 0.1 --max_sd 3 \
	--depth 2 --width 64 --out "$sat"
check "saturation: saturated fraction at sd 3 > at sd 0.1 + 0.3 (sigmoid, tanh)" "$sat" \
	'sat("sigmoid/sd 3") > sat("sigmoid/sd 0.1") + 0.3 and sat("tanh/sd 3") > sat("tanh/sd 0.1") + 0.3'
check "saturation: glorot_normal saturates under 5% of units" "$sat" \
	'sat("sigmoid/glorot_normal") < 0.05 and sat("tanh/glorot_normal") < 0.05'
check "saturation: test accuracy at sd 3 is 3 points below glorot_normal's (sigmoid, tanh)" "$sat" \
	'acc("sigmoid/sd 3") < acc("sigmoid/glorot_normal") - 0.03 and acc("tanh/sd 3") < acc("tanh/glorot_normal") - 0.03'
figures "saturation: report well-formed, 2 figures" "$tmp/sat.html" 2

# variance_sweep.lua, fast: sd 0.001, 0.1, 10, glorot_normal, he_normal, one epoch.
# Theory: sd 10 is far above the layer's Glorot/He sd (0.047, 0.051) and learns worse.
vs="$tmp/vs.json"
expect "variance_sweep.lua runs and prints its finding" 0 "^finding (1 epoch): test accuracy peaks" -- \
	"$winit" run "$src/scripts/theory/variance_sweep.lua" --epochs 1 --points 3 --out "$vs"
check "variance_sweep: test accuracy at sd 10 is 5 points below glorot_normal's and he_normal's" "$vs" \
	'acc("normal sd 10") < acc("glorot_normal") - 0.05 and acc("normal sd 10") < acc("he_normal") - 0.05'
check "variance_sweep: sd 10 never reaches 80% validation accuracy in one epoch; glorot_normal does" "$vs" \
	'r["normal sd 10"]["learning"]["epochs_to_target"] is None and r["glorot_normal"]["learning"]["epochs_to_target"] == 1'
figures "variance_sweep: report well-formed, 2 figures" "$tmp/vs.html" 2
grep -qF "Glorot sd 0.0468" "$tmp/vs.html" && ok "variance_sweep: Glorot's sd marked" ||
	no "variance_sweep: no 'Glorot sd 0.0468' in the report"

# results:report's figures on good and bad input.
fig="$src/tests/lua/bad_figure.lua"
expect "figures: a well-formed figure is drawn" 0 "report written" -- "$winit" run "$fig" ok "$tmp/f.html"
figures "figures: the page holds it, well-formed" "$tmp/f.html" 1
grep -qF "curve &lt;&amp;&gt;" "$tmp/f.html" && ok "figures: labels escaped" || no "figures: labels not escaped"
expect "figures: x and y of different lengths" 1 "figure 1 series '': x has 2 values, y 1" -- \
	"$winit" run "$fig" lengths "$tmp/g.html"
expect "figures: a marker at 0 on a log axis" 1 "figure 1: a marker's x must be > 0 on a log x axis" -- \
	"$winit" run "$fig" logmarker "$tmp/g.html"
expect "figures: no series" 1 "figure 1: a figure needs at least one series" -- \
	"$winit" run "$fig" noseries "$tmp/g.html"
expect "figures: an unknown key" 1 "serie" -- "$winit" run "$fig" key "$tmp/g.html"
[ ! -e "$tmp/g.html" ] && ok "figures: no report written on bad input" || no "figures: a report was written on bad input"

finish
