#!/bin/sh
# tests/theory_residual.sh -- scripts/theory/residual.lua and normalization.lua in their
# fast modes, asserting what is robust at that size: the residual He stack's signal
# triples per block at initialization (theory: 3) and its run diverges as expected;
# ReZero, Fixup and zero-last blocks are the identity (ReZero's predictions equal its stem
# and head's); every other variant trains without diverging; a zeros kernel keeps one
# distinct unit per hidden layer with BatchNormalization too (per layer, in the results
# file) and predicts one class; the pages are well-formed.  Needs the real Fashion-MNIST.
set -u
test_name=theory_residual
. "$top_srcdir/tests/lib.sh"
well_formed() {
	if python3 - "$2" >"$tmp/xml" 2>&1 <<'PY'
import re, sys
import xml.etree.ElementTree as ET
s = open(sys.argv[1], encoding="utf-8").read()
ET.fromstring(re.sub(r"^<!DOCTYPE html>\s*", "", s))
print(len(re.findall(r"<svg\b.*?</svg>", s, re.S)), "svg elements")
PY
	then ok "$1 ($(cat "$tmp/xml"))"; else no "$1: $(cat "$tmp/xml")"; fi
}

# Residual blocks, small: 8 blocks of width 64, 2048 rows, one replicate.
expect "residual.lua: fast mode runs, only the plain residual stack diverges (expected)" 0 \
	"runs above 1\.5 ln 10 or diverged: residual#1\. " -- \
	"$winit" run "$src/scripts/theory/residual.lua" --blocks 8 --width 64 --rows 2048 \
	--test-rows 512 --replicates 1 --out "$tmp/res.json"
cp "$tmp/out" "$tmp/res.out"
g=$(sed -n 's/^  residual .* x\([0-9.]*\) per block$/\1/p' "$tmp/res.out")
awk -v g="$g" 'BEGIN { exit !(g != "" && g > 2.85 && g < 3.15) }' &&
	ok "residual.lua: He residual blocks multiply E[x^2] by $g per block (theory 3, within 5%)" ||
	no "residual.lua: He residual blocks multiply E[x^2] by '$g' per block (theory 3, within 5%)"
for v in rezero fixup zero_last; do
	grep -q "^  $v .* x1\.000 per block$" "$tmp/res.out" &&
		ok "residual.lua: $v's blocks leave E[x^2] unchanged at initialization" ||
		no "residual.lua: $v's blocks leave E[x^2] unchanged at initialization"
done
grep -q "^  rezero: max |p(model) - p(stem and head alone)| over 64 rows at initialization: 0$" "$tmp/res.out" &&
	ok "residual.lua: ReZero's initial predictions equal its stem and head's exactly" ||
	no "residual.lua: ReZero's initial predictions equal its stem and head's exactly"
grep -q "^  residual   diverged " "$tmp/res.out" && ! grep -q "failed" "$tmp/res.out" &&
	ok "residual.lua: the He residual stack's divergence is reported as expected, not as a failure" ||
	no "residual.lua: the He residual stack's divergence is reported as expected, not as a failure"
head -3 "$tmp/res.json" | tr -d '\n ' | grep -q '^{"format":"winit-results",' &&
	ok "residual.lua writes its results" || no "residual.lua writes its results"
well_formed "residual.lua writes its report" "$tmp/res.html"

# Past ~165 blocks 3^L overflows float: the growth is taken over the blocks before it.
expect "residual.lua: 200 He residual blocks overflow float, said and measured before it" 0 \
	"^  residual .* overflow   x2\.[89][0-9]* per block (over blocks 1-1[0-9][0-9]: float overflows after block 1[0-9][0-9])$" -- \
	"$winit" run "$src/scripts/theory/residual.lua" --blocks 200 --width 32 --rows 128 \
	--test-rows 64 --replicates 1 --variants residual --probe-rows 64 --diagnostics off \
	--out "$tmp/res200.json"

# BatchNormalization, small: the 30-layer ReLU MLP at width 32 on 16384 rows.
expect "normalization.lua: zeros with BN keeps 1 distinct unit per hidden layer and predicts one class" 0 \
	"zeros with BN keeps 1\.\.1 distinct unit(s) in each of its 30 hidden layers and tests at 0\.[0-9]* = class [0-9]'s share of the test rows (one class predicted)" -- \
	"$winit" run "$src/scripts/theory/normalization.lua" --width 32 --rows 16384 --test-rows 1000 \
	--replicates 1 --out "$tmp/norm.json"
cp "$tmp/out" "$tmp/norm.out"
grep -q "^  normal sd 1  *diverged x1  *-  *0\.[0-9]* *32\.\.32$" "$tmp/norm.out" &&
	ok "normalization.lua: N(0, 1) diverges without BN (expected) and trains with it, every unit distinct" ||
	no "normalization.lua: N(0, 1) diverges without BN (expected) and trains with it, every unit distinct"
if python3 - "$tmp/norm.json" >"$tmp/du" 2>&1 <<'PY'
import json, sys
runs = {r["name"]: r for r in json.load(open(sys.argv[1]))["runs"]}
for name, want in (("BN zeros#1", 1), ("BN he_normal#1", 32)):
    snaps = runs[name]["diagnostics"]
    du = [l["distinct_units"] for l in snaps[-1]["layers"]
          if l.get("distinct_units") is not None and l["distinct_units"] >= 0][:-1]
    assert len(du) == 30 and all(d == want for d in du), (name, du)
    print(name, "every hidden layer:", want)
PY
then ok "normalization.lua: the results file's last snapshot: 1 distinct unit per hidden layer for BN zeros, 32 for BN He"
else no "normalization.lua: the results file's per-layer distinct units: $(cat "$tmp/du")"; fi
well_formed "normalization.lua writes its report" "$tmp/norm.html"

finish
