#!/bin/sh
# tests/report.sh -- `winit report` end to end: the page from a study on generated data
# and from the fixture with diagnostics, theory, weight histograms and hostile labels; the
# page and every SVG in it are well-formed XML; usage and file errors.
set -u
test_name=report
. "$top_srcdir/tests/lib.sh"
fixture="$src/tests/data/results_diag.json"
# has NAME FILE PATTERN / hasnt NAME FILE PATTERN (fixed strings)
has() { grep -qF -- "$3" "$2" && ok "$1" || no "$1 (no '$3' in $2)"; }
hasnt() { grep -qF -- "$3" "$2" && no "$1 ('$3' in $2)" || ok "$1"; }

# well_formed NAME FILE.html: the page parses as XML, and so does each <svg> alone.
if command -v python3 >/dev/null 2>&1; then
	well_formed() {
		if python3 - "$2" >"$tmp/xml" 2>&1 <<'EOF'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
svgs = re.findall(r"<svg\b.*?</svg>", s, re.S)
for k, x in enumerate(svgs):
    try:
        ET.fromstring(x)
    except ET.ParseError as e:
        sys.exit("svg %d: %s" % (k, e))
print(len(svgs), "svg")
EOF
		then ok "$1 ($(cat "$tmp/xml"))"; else no "$1: $(cat "$tmp/xml")"; fi
	}
elif command -v xmllint >/dev/null 2>&1; then
	well_formed() {
		xmllint --noout "$2" >"$tmp/xml" 2>&1 && ok "$1 (xmllint, whole page)" || no "$1: $(head -3 "$tmp/xml")"
	}
else
	well_formed() {
		no "$1: neither python3 nor xmllint is installed to parse XML: apt-get install python3 (setup.sh does)"
	}
fi

expect "usage: no file" 2 "missing RESULTS.json" -- "$winit" report
expect "usage: unknown option" 2 "unrecognized option '--pdf'" -- "$winit" report --pdf "$fixture"
expect "usage: -o needs a name" 2 "requires an argument" -- "$winit" report "$fixture" -o
expect "usage: one file" 2 "one RESULTS.json at a time" -- "$winit" report "$fixture" "$fixture"
expect "a missing file" 1 "$tmp/none.json: cannot read results: No such file" -- "$winit" report "$tmp/none.json"
printf '{"format": "keras", "version": 1}\n' >"$tmp/other.json"
expect "another format is refused" 1 'not a winit results file: expected "format": "winit-results", found "keras"' -- \
	"$winit" report "$tmp/other.json"
printf '{"format": "winit-results", "version": 7, "runs": []}\n' >"$tmp/newer.json"
expect "a newer version is refused" 1 "version 7 is newer than this winit reads (up to version [0-9]*)" -- \
	"$winit" report "$tmp/newer.json"
printf '{"format": "winit-results",\n "version": 1,\n "runs": [\n' >"$tmp/cut.json"
expect "a truncated file gives line, column and byte" 1 "cut.json:4:[0-9]*: byte .*invalid JSON" -- "$winit" report "$tmp/cut.json"
# The validation every reader runs (resume and merge too): a key twice, a value out of range,
# a histogram the writer never writes, a device read forever, each refused with its place.
sed '0,/"label": "zeros",/s//"label": "zeros", "label": "x",/' "$fixture" >"$tmp/dup.json"
expect "a key twice is refused" 1 "dup.json:10:[0-9]*: byte [0-9]*: not a results file: invalid JSON: duplicate object key" -- \
	"$winit" report "$tmp/dup.json"
sed '0,/"test_accuracy": [0-9.]*/s//"test_accuracy": -5/' "$fixture" >"$tmp/acc.json"
expect "an accuracy out of [0, 1] is refused" 1 'acc.json: runs\[0\].test_accuracy: expected a number in \[0, 1\], found -5' -- \
	"$winit" report "$tmp/acc.json"
sed '0,/"range": \[0, 0\]/s//"range": [-1, 2]/' "$fixture" >"$tmp/range.json"
expect "a histogram range other than [-h, h] is refused" 1 'range.json: runs\[0\].diagnostics\[0\].layers\[0\].weights_hist.range: expected \[-h, h\]' -- \
	"$winit" report "$tmp/range.json"
expect "a device is refused before it is read" 1 "/dev/zero: cannot read results: it is a device, not a regular file" -- \
	timeout 20 "$winit" report /dev/zero
[ ! -e "$tmp/other.html" ] && [ ! -e "$tmp/cut.html" ] && ok "no page for a refused file" || no "no page for a refused file"

# The fixture: diagnostics and theory, hostile labels.
cp "$fixture" "$tmp/diag.json"
expect "report beside the results by default" 0 "report written to $tmp/diag.html" -- "$winit" report "$tmp/diag.json"
page="$tmp/diag.html"
well_formed "fixture page is well-formed XML" "$page"
has "learning curves" "$page" "Training loss (running mean over each epoch)"
has "variance by depth" "$page" "Pre-activation variance by depth, at initialization"
has "gradient variance by depth" "$page" "Gradient variance by depth, at initialization"
has "weight sd per layer" "$page" "Weight standard deviation by layer"
has "dead units over training" "$page" "Dead units, layer 1"
has "saturation over training" "$page" "Saturated pairs, layer 3 (softmax)"
has "ReLU's zero derivative named inactive" "$page" "Inactive pairs, layer 1 (relu)"
has "theory beside measurement" "$page" "predicted (theory)"
has "zeros keeps one distinct unit" "$page" "<td>1 &#8594; 1 of 64</td>"
has "weight histograms at initialization" "$page" "<h3>Weights at initialization</h3>"
has "histograms: a zeros kernel is one spike (a zero range)" "$page" "all 50176 weights = 0</text>"
has "histograms: the declared sd is marked" "$page" "declared sd 0.0505</text>"
has "histograms: weights outside the range are counted" "$page" "outside the range: 5</text>"
has "labels escaped" "$page" "broken &lt;script&gt;alert(1)&lt;/script&gt;"
hasnt "no script in the page" "$page" "<script"
hasnt "nothing fetched" "$page" "href="
expect "-o elsewhere" 0 "report written to $tmp/sub.html" -- "$winit" report -o "$tmp/sub.html" "$tmp/diag.json"
has "the source is named in the page" "$tmp/sub.html" "from <code>$tmp/diag.json</code>"

# A study on generated data: the script writes the page.
mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
expect "compare_inits writes a report beside its results" 0 "report written to $tmp/res/ci.html" -- \
	"$winit" run -j 2 "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 2 --repeats 2 --out "$tmp/res/ci.json"
study="$tmp/res/ci.html"
well_formed "study page is well-formed XML" "$study"
# Studies record diagnostics and theory: the page shows them (the zeros kernel's hidden
# layer is one distinct unit from start to end).
has "study page: variance by depth beside theory" "$study" "Pre-activation variance by depth, at initialization"
has "study page: theory drawn" "$study" "predicted (theory)"
has "study page: zeros keeps one distinct unit of 128" "$study" "<td>1 &#8594; 1 of 128</td>"
has "study page: random kernels keep all 128" "$study" "<td>128 &#8594; 128 of 128</td>"
has "study page: replicates summarised" "$study" "<td>2</td><td>0</td>"
# Steps to the script's target (0.85) from the snapshots: a column, and zeros never gets there.
has "study page: steps to the target" "$study" "<th>steps to val<br/>accuracy 0.85</th>"
grep -F '>zeros</td>' "$study" | grep -qF '<td>never</td>' && ok "study page: zeros never reaches the target" ||
	no "study page: zeros never reaches the target"
hasnt "fixture page: no steps column without snapshots' validation" "$page" "steps to val"
# The weight histograms: zeros is one spike of all 784 x 128 weights; He's declared sd
# is sqrt(2 / 784) = 0.0505.
has "study page: zeros histogram is one spike" "$study" "all 100352 weights = 0</text>"
has "study page: he_normal's declared sd" "$study" "declared sd 0.0505</text>"
# A zeros kernel predicts one class: test accuracy is that class's share of the test set
# (39 or 44 of 500, by the class each replicate's output bias favours).
has "study page: zeros at a class share" "$study" "<td>0.0780 &#8211; 0.0880</td>"
expect "winit report on the saved file" 0 "report written to" -- "$winit" report "$tmp/res/ci.json" -o "$tmp/again.html"
# The same page but for the line naming the source file.
grep -v 'class="meta"' "$study" >"$tmp/a" && grep -v 'class="meta"' "$tmp/again.html" >"$tmp/b" &&
	cmp -s "$tmp/a" "$tmp/b" && ok "script and CLI write the same page" || no "script and CLI write the same page"

# The theory scripts, small: each prints its finding and writes its report.
expect "symmetry.lua: zeros keeps one unit and scores 1/10" 0 \
	"finding: zeros/relu keeps 1 distinct hidden unit of 16 .* test accuracy 0.1000 = 1/10 exactly" -- \
	"$winit" run "$src/scripts/theory/symmetry.lua" --epochs 1 --hidden 16 --out "$tmp/th/symmetry.json"
[ -s "$tmp/th/symmetry.html" ] && ok "symmetry.lua writes its report" || no "symmetry.lua writes its report"
expect "signal_propagation.lua: finding with measured and predicted ratios" 0 \
	"finding: per-layer variance ratio measured (predicted): relu he_normal [0-9.]* ([0-9.]*), relu glorot_normal [0-9.]* ([0-9.]*)" -- \
	"$winit" run "$src/scripts/theory/signal_propagation.lua" --depth 3 --width 32 --rows 128 --out "$tmp/th/sp.json"
[ -s "$tmp/th/sp_relu.html" ] && ok "signal_propagation.lua writes its reports" || no "signal_propagation.lua writes its reports"

finish
