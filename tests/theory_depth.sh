#!/bin/sh
# tests/theory_depth.sh -- the deep-network theory scripts in their fast modes, asserting
# their findings' direction: scripts/theory/edge_of_chaos.lua (tanh's edge at sigma_w = 1
# without bias; measured gradient ratios < 1 deep in the ordered phase, > 1 deep in the
# chaotic one) and scripts/theory/deep_convergence.lua (a deep ReLU network trains with
# He, stalls with N(0, 0.01^2): He's test loss is lower), scripts/theory/correlations.lua
# (xi_c peaks beside tanh's edge of chaos); winit.theory and winit.plot's
# errors; the pages are well-formed XML.  Needs the real Fashion-MNIST.
set -u
test_name=theory
. "$top_srcdir/tests/lib.sh"
# lua NAME PATTERN CODE: a script that must fail with PATTERN in its message
lua() {
	printf '%s\n' "$3" >"$tmp/t.lua"
	expect "$1" 1 "$2" -- "$winit" run "$tmp/t.lua"
}
well_formed() {
	if python3 - "$2" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
n = len(re.findall(r"<svg\b.*?</svg>", s, re.S))
want = int(sys.argv[2]) if len(sys.argv) > 2 else n
print(n, "svg elements")
sys.exit(0 if n >= want else 1)
PY
	then ok "$1 ($(cat "$tmp/xml"))"; else no "$1: $(cat "$tmp/xml")"; fi
}

# The edge of chaos, small: 20 layers of 64 units, a 5 x 3 grid, tanh and relu.
expect "edge_of_chaos.lua: tanh's edge at sigma_b = 0 within 5% of sigma_w = 1" 0 \
	"tanh: edge of chaos at sigma_b = 0: sigma_w = \(0\.9[5-9][0-9]\|1\.0[0-4][0-9]\) (theory)" -- \
	"$winit" run "$src/scripts/theory/edge_of_chaos.lua" --depth 20 --width 64 --rows 64 \
	--sw-step 0.75 --sb-step 0.25 --out "$tmp/eoc.json"
cp "$tmp/out" "$tmp/eoc.out"
for act in tanh relu; do
	grep -q "$act: .* is < 1 in \([1-9][0-9]*\) of \1 cells" "$tmp/eoc.out" &&
		ok "edge_of_chaos.lua: $act: every cell deep in the ordered phase has a ratio < 1" ||
		no "edge_of_chaos.lua: $act: every cell deep in the ordered phase has a ratio < 1"
	grep -q "$act: .* > 1 in \([1-9][0-9]*\) of \1 cells" "$tmp/eoc.out" &&
		ok "edge_of_chaos.lua: $act: every cell deep in the chaotic phase has a ratio > 1" ||
		no "edge_of_chaos.lua: $act: every cell deep in the chaotic phase has a ratio > 1"
done
grep -q "relu: edge of chaos at sigma_b = 0: sigma_w = 1\.414 " "$tmp/eoc.out" &&
	ok "edge_of_chaos.lua: relu's edge at sqrt 2" || no "edge_of_chaos.lua: relu's edge at sqrt 2"
head -3 "$tmp/eoc.json" | tr -d '\n ' | grep -q '^{"format":"winit-edge-of-chaos","version":1,' &&
	ok "edge_of_chaos.lua writes its results with format and version" ||
	no "edge_of_chaos.lua writes its results with format and version"
well_formed "edge_of_chaos.lua: the page and its heat maps are well-formed" "$tmp/eoc.html" 4

# Deep convergence, small: 20 ReLU layers of 32 units, one epoch of plain SGD.
expect "deep_convergence.lua: 20-layer relu trains with He, stalls with N(0, 0.01^2)" 0 \
	"20-layer relu trains with he_normal [0-9.]*; slow with none; stalls with normal sd 0.01 [0-9.]*" -- \
	"$winit" run "$src/scripts/theory/deep_convergence.lua" --depths 20 --activations relu \
	--inits he_normal,normal --width 32 --out "$tmp/dc.json"
he=$(sed -n 's/.*trains with he_normal \([0-9]*\.[0-9]*\).*/\1/p' "$tmp/out")
rn=$(sed -n 's/.*stalls with normal sd 0.01 \([0-9]*\.[0-9]*\).*/\1/p' "$tmp/out")
awk -v a="$he" -v b="$rn" 'BEGIN { exit !(a != "" && b != "" && a + 0 < b - 0.5) }' &&
	ok "deep_convergence.lua: He's test loss $he is below N(0, 0.01^2)'s $rn by more than 0.5" ||
	no "deep_convergence.lua: He's test loss '$he' is below N(0, 0.01^2)'s '$rn' by more than 0.5"
well_formed "deep_convergence.lua writes its report" "$tmp/dc.html" 1

# Correlations, from theory alone (fast: a coarse grid of sigma_w^2).
expect "correlations.lua: xi_c peaks beside tanh's edge of chaos at sigma_w^2 = 1.761 (sigma_b^2 = 0.05)" 0 \
	"finding: tanh, sigma_b^2 = 0.05: xi_c peaks at sigma_w^2 = 1.750 on the grid (426\.[0-9] layers), beside the edge of chaos at sigma_w^2 = 1.7610 (chi_1 = 1, chi_c = 1.000000," -- \
	"$winit" run "$src/scripts/theory/correlations.lua" --sw2-step 0.25 --out "$tmp/corr.html"
grep -q "ordered below (c\* = 1, .*chaotic above (c\* = 0\.165, xi_c = 6\.98 at sigma_w^2 = 4)" "$tmp/out" &&
	ok "correlations.lua: c* = 1 below the edge, 0.165 at sigma_w^2 = 4" ||
	no "correlations.lua: c* = 1 below the edge, 0.165 at sigma_w^2 = 4"
well_formed "correlations.lua: the page and its two plots are well-formed" "$tmp/corr.html" 2
lua "plot.xy: no series" "plot.xy: 'series' must be a list" 'require("winit").plot.xy { title = "t" }'
lua "plot.xy: x and y of different lengths" "plot.xy: series\[1\] has 2 x and 1 y values" \
	'require("winit").plot.xy { series = { { x = {1, 2}, y = {3} } } }'
lua "plot.xy: a marker without x" "plot.xy: markers\[1\] must be a table {x = number" \
	'require("winit").plot.xy { series = { { x = {1}, y = {3} } }, markers = { { label = "m" } } }'
lua "correlation_map: c out of range" "theory.correlation_map: the correlation c must be in \[-1, 1\] (got 2)" \
	'require("winit").theory.correlation_map("tanh", 1, 0, 1, 1, 2)'

lua "critical_sigma_w: a bad range" "theory.critical_sigma_w: the range must satisfy 0 < lo < hi < inf (got \[2, 1\])" \
	'require("winit").theory.critical_sigma_w("tanh", 0, 2, 1)'
# winit.theory and winit.plot refuse bad input with a message naming what was expected.
lua "fixed_point: a row-wise activation" "theory.fixed_point: activation 'softmax' is row-wise" \
	'require("winit").theory.fixed_point("softmax", 1, 0)'
lua "fixed_point: sigma_w = 0" "theory.fixed_point: sigma_w must be a finite number > 0 (got 0)" \
	'require("winit").theory.fixed_point("tanh", 0, 0)'
lua "fixed_point: negative sigma_b" "theory.fixed_point: sigma_b must be a finite number >= 0 (got -0.5)" \
	'require("winit").theory.fixed_point("tanh", 1, -0.5)'
lua "fixed_point: unknown activation" "theory.fixed_point: unknown activation 'tahn'" \
	'require("winit").theory.fixed_point("tahn", 1, 0)'
printf '%s\n' 'local w = require "winit"' \
	'local s, msg = w.theory.critical_sigma_w("tanh", 0, 1.5, 4)' \
	'print(s, msg)' 'print(string.format("%.4f", w.theory.critical_sigma_w("relu", 0.3)))' >"$tmp/t.lua"
expect "critical_sigma_w: nil and why when the range does not bracket the edge" 0 \
	"nil.*chi_1 must be below 1 at sigma_w = 1.5 and above 1 at sigma_w = 4 to bracket" -- "$winit" run "$tmp/t.lua"
grep -q "^1\.4142$" "$tmp/out" && ok "critical_sigma_w: relu at sqrt 2" || no "critical_sigma_w: relu at sqrt 2"
lua "heatmap: x not increasing" "plot.heatmap: x values must be finite and strictly increasing" \
	'require("winit").plot.heatmap { x = {1, 1}, y = {0}, z = {{1, 2}} }'
lua "heatmap: a short row" "plot.heatmap: z\[2\] must be a list of 2 numbers" \
	'require("winit").plot.heatmap { x = {1, 2}, y = {0, 1}, z = {{1, 2}, {3}} }'
lua "heatmap: an unknown option" "plot.heatmap: .*colour" \
	'require("winit").plot.heatmap { x = {1}, y = {0}, z = {{1}}, colour = "red" }'
lua "page: a part that is no plot" "plot.page: part 1: svg must be an <svg> element" \
	"require('winit').plot.page('$tmp/p.html', { { svg = '<script>' } })"
lua "page: an unwritable path" "plot.page: $tmp/none/p.html: cannot write the page" \
	"require('winit').plot.page('$tmp/none/p.html', { 'x' })"

finish
