#!/bin/sh
# tests/keras.sh -- the seed's study written with Keras's names (tests/lua/keras_spelling.lua)
# gives the same results file as scripts/compare_inits.lua, bit for bit, on generated
# Fashion-MNIST-shaped data; and a change of spelling that changes the model does not.
set -u
test_name=keras
. "$top_srcdir/tests/lib.sh"
strip() { grep -v '"seconds"' "$1"; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
run() { # SCRIPT OUT
	"$winit" run -j 2 "$1" --data "$tmp/data" --epochs 1 --repeats 2 --seed 3 --out "$2" >"$tmp/out" 2>&1
}
run "$src/scripts/compare_inits.lua" "$tmp/a.json" && ok "compare_inits.lua runs" || no "compare_inits.lua runs"
run "$src/tests/lua/keras_spelling.lua" "$tmp/k.json" && ok "keras_spelling.lua runs" || no "keras_spelling.lua runs"
n=$(grep -c '"test_accuracy"' "$tmp/k.json" 2>/dev/null)
[ "${n:-0}" -eq 8 ] && ok "eight runs saved" || no "eight runs saved (${n:-0})"
strip "$tmp/a.json" >"$tmp/a.s"
strip "$tmp/k.json" >"$tmp/k.s"
if cmp -s "$tmp/a.s" "$tmp/k.s"; then
	ok "Keras spelling, same results file to the last bit"
else
	no "Keras spelling, same results"; diff "$tmp/a.s" "$tmp/k.s" | head -10
fi
# The comparison can fail: the same script with HeUniform in place of HeNormal differs.
sed 's/initializers.HeNormal()/initializers.HeUniform()/' "$src/tests/lua/keras_spelling.lua" >"$tmp/he_uniform.lua"
run "$tmp/he_uniform.lua" "$tmp/u.json" || no "he_uniform variant runs"
strip "$tmp/u.json" >"$tmp/u.s"
cmp -s "$tmp/a.s" "$tmp/u.s" && no "another initializer changes the file" || ok "another initializer changes the file"

finish
