#!/bin/sh
# tests/cli.sh -- the winit command end to end: help, version, list, script errors, and
# the seed study on generated Fashion-MNIST-shaped data, run twice and with -j 1 / -j 2.
set -u
winit="$top_builddir/winit"
src="$top_srcdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winit-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export WINIT_NO_PROGRESS=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | head -20; }
# expect NAME STATUS PATTERN -- COMMAND...: exit status and a pattern in stdout+stderr
expect() {
	name=$1 want=$2 pat=$3; shift 4
	"$@" >"$tmp/out" 2>&1; got=$?
	if [ "$got" -ne "$want" ]; then no "$name (exit $got, wanted $want)"; return; fi
	if ! grep -q -- "$pat" "$tmp/out"; then no "$name (no '$pat' in output)"; return; fi
	ok "$name"
}

expect "--help shows usage" 0 "winit run" -- "$winit" --help
expect "--version" 0 "winit $PACKAGE_VERSION" -- "$winit" --version
expect "no command is a usage error" 2 "Usage" -- "$winit"
expect "WINIT_KERNELS=generic is honoured" 0 "kernels generic" -- env WINIT_KERNELS=generic "$winit" --version
expect "a bad WINIT_KERNELS is an error" 2 "WINIT_KERNELS=avx9: unknown kernel set" -- env WINIT_KERNELS=avx9 "$winit" --version
expect "unknown command" 2 "unknown command 'frobnicate'" -- "$winit" frobnicate
expect "list shows initializers with files" 0 "he_normal.*\.so" -- "$winit" list
expect "list shows activations" 0 "softmax" -- "$winit" list
expect "info describes a plugin" 0 "stddev" -- "$winit" info random_normal
expect "info takes the gain of an activation" 0 "gain 1.41421 of relu): 0.0505" -- "$winit" info kaiming_normal --activation relu
expect "info with an unknown activation" 2 "unknown activation 'nope'" -- "$winit" info he_normal --activation nope
expect "info on an unknown name" 1 "no plugin named 'nope'" -- "$winit" info nope
expect "check-plugin passes a shipped plugin" 0 "checks, 0 failed" -- "$winit" check-plugin "$top_builddir/plugins/initializers/.libs/he_normal.so"
expect "check-plugin -v lists passing checks" 0 "ok   he_normal" -- "$winit" check-plugin -v "$top_builddir/plugins/initializers/.libs/he_normal.so"
expect "check-plugin fails a NaN fill" 1 "FAIL nan_fill" -- "$winit" check-plugin "$top_builddir/tests/plugins/conformance/.libs/nan_fill.so"
expect "check-plugin fails a wrong derivative" 1 "FAIL wrong_derivative" -- "$winit" check-plugin "$top_builddir/tests/plugins/conformance/.libs/wrong_derivative.so"
expect "check-plugin on a non-plugin" 1 "cannot load plugin" -- "$winit" check-plugin "$src/README.md"
expect "check-plugin on a missing file says check the path" 1 "No such file.*check the path" -- "$winit" check-plugin "$tmp/none.so"
expect "check-plugin counts one check in the singular" 1 "^1 check, 1 failed" -- "$winit" check-plugin "$tmp/none.so"
expect "info shows a bound check_params refuses as open" 0 "scale  *number in (0, inf) " -- "$winit" info variance_scaling
expect "info shows an accepted bound as closed" 0 "max_iter  *integer in \[1, 100\]" -- "$winit" info lsuv
expect "check-plugin usage" 2 "expected one FILE.so" -- "$winit" check-plugin
expect "run without a script" 2 "missing SCRIPT" -- "$winit" run
expect "bad -j" 2 "-j expects" -- "$winit" run -j x script.lua
expect "missing script file" 1 "cannot open $tmp/none.lua" -- "$winit" run "$tmp/none.lua"
expect "syntax error names file and line" 1 "syntax_error.lua:4:" -- "$winit" run "$src/tests/lua/syntax_error.lua"
expect "unknown initializer lists known ones" 1 "bad_initializer.lua:4: .*unknown initializer 'glorot_nromal' (known: .*glorot_normal" -- "$winit" run "$src/tests/lua/bad_initializer.lua"
expect "an unknown name mentions refused plugins" 1 "a plugin was refused while loading: [^ ]*/bad_abi\.so: incompatible plugin ABI version (plugin: 99, winit: 1)" -- \
	env WINIT_PLUGIN_PATH="$WINIT_TEST_PLUGIN_DIR" "$winit" run "$src/tests/lua/bad_initializer.lua"
expect "unknown script option lists the known ones" 1 "compare_inits.lua:[0-9]*: unknown option '--sede' (known: --batch_size, --data, --epochs, --out, --repeats, --seed, --help)" -- \
	"$winit" run "$src/scripts/compare_inits.lua" --sede 1
grep -q "traceback" "$tmp/out" && no "a user error has no traceback" || ok "a user error has no traceback"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok "a user error is one line" || no "a user error is one line"
expect "--traceback adds Lua's traceback" 1 "stack traceback:" -- \
	"$winit" run --traceback "$src/scripts/compare_inits.lua" --sede 1
printf 'local t = nil\nreturn t.x\n' >"$tmp/nil.lua"
expect "a runtime error is script:line: message" 1 "^$tmp/nil.lua:2: attempt to index a nil value" -- "$winit" run "$tmp/nil.lua"
grep -q "traceback" "$tmp/out" && no "no traceback for a runtime error" || ok "no traceback for a runtime error"
expect "a script's --help lists its options" 0 "^  --seed N  *seed of the study.*(default 42)" -- \
	"$winit" run "$src/scripts/compare_inits.lua" --help
grep -q "^  --data TEXT .*(default \"\")" "$tmp/out" && ok "string defaults are quoted" || no "string defaults are quoted"
grep -q "^Usage: winit run compare_inits.lua \[OPTIONS\]" "$tmp/out" && ok "script usage line" || no "script usage line"
grep -q "Epoch" "$tmp/out" && no "--help trains nothing" || ok "--help trains nothing"
cat >"$tmp/args.lua" <<'LUA'
local winit = require "winit"
local o = winit.parse_args(arg, { n = 1, x = { 0.5, "a number" }, s = { "a", "text" }, b = { false } })
print(string.format("n=%s x=%s s=%s b=%s", math.type(o.n), o.x, o.s, o.b))
LUA
expect "parse_args: both forms, typed values" 0 "n=integer x=2.5 s=z b=true" -- "$winit" run "$tmp/args.lua" --n 3 --x=2.5 --s z --b
expect "parse_args: an integer option refuses 1.5" 1 "args.lua:2: option '--n' expects an integer, got '1.5'" -- "$winit" run "$tmp/args.lua" --n 1.5
for cmd in run merge list info check-plugin; do
	expect "winit $cmd --help" 0 "^Usage: winit $cmd" -- "$winit" "$cmd" --help
	grep -q "^Exit status" "$tmp/out" && ok "winit $cmd --help gives the exit status" || no "winit $cmd --help gives the exit status"
done
expect "winit help info" 0 "^Usage: winit info" -- "$winit" help info
expect "an unknown option of a command" 2 "unrecognized option '--bogus'" -- "$winit" list --bogus
expect "run -j2 (attached value)" 0 "n=integer" -- "$winit" run -j2 "$tmp/args.lua"
expect "list --names" 0 "^he_normal$" -- "$winit" list --names
expect "list --names --kind activation" 0 "^relu$" -- "$winit" list --names --kind activation
grep -q "^he_normal$" "$tmp/out" && no "--kind activation leaves out initializers" || ok "--kind activation leaves out initializers"
expect "list --json" 0 '^{"search_path": ' -- "$winit" list --json
grep -q '{"kind": "initializer", "name": "he_normal", "summary": ".*", "file": ".*he_normal.so"' "$tmp/out" \
	&& ok "list --json: kind, name, summary, file" || no "list --json: kind, name, summary, file"
grep -q '"name": "stddev", "type": "number", "default": 0.05, "min": 0, "max": null' "$tmp/out" \
	&& ok "list --json: parameters with ranges" || no "list --json: parameters with ranges"
if [ -n "${PYTHON3:-}" ] || command -v python3 >/dev/null 2>&1; then
	n_names=$("$winit" list --names | wc -l)
	n_json=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["plugins"]))' <"$tmp/out")
	[ "$n_json" -eq "$n_names" ] && ok "list --json parses, $n_json plugins" || no "list --json parses ($n_json vs $n_names)"
else
	echo "# list --json not parsed: python3 absent (the greps above still check it)"
fi
expect "missing data directory" 1 "dataset-fashion-mnist" -- "$winit" run "$src/scripts/compare_inits.lua" --data "$tmp/nodata"

# The study on generated data.
mkdir -p "$tmp/data"
if ! "$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1; then
	no "generate data"
fi
expect "unwritable results path fails before training" 1 "README.md/x.json: cannot write results" -- \
	"$winit" run "$src/scripts/compare_inits.lua" --data "$tmp/data" --out "$src/README.md/x.json"
grep -q "Epoch" "$tmp/out" && no "nothing trained before the path check" || ok "nothing trained before the path check"
# Saved models, through the Lua API (the format's refusals are tests/check_model_io.c's).
"$winit" run "$src/tests/lua/saved_model.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "saved_model.lua runs"
for line in "identical predictions" "identical after another epoch" "load_weights ok" \
	"saved without the optimizer: same predictions" "a layer without bias: same predictions" \
	"^load_weights: .*/w.winit: byte 28: shape mismatch: layer 1 is 784x16 with bias in the file, 784x8" \
	"^load_model: .*/w.winit: byte 12: the file holds weights only" \
	"^load_model: .*/short.winit: byte 1000: truncated" \
	"^load_model: .*/flip.winit: byte [0-9]*: checksum mismatch" \
	"^load_model: .*/v2.winit: byte 8: format version 2, this winit reads version 1"; do
	grep -q "$line" "$tmp/out" && ok "saved model: $line" || no "saved model: $line"
done
study() { # OUT JOBS
	"$winit" run -j "$2" "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 2 \
		--seed 7 --out "$1"
}
expect "study runs" 0 "he_normal" -- study "$tmp/a.json" 2
grep -q "Epoch 2/2 - .* - loss: .* - accuracy: .* - val_loss: .* - val_accuracy: " "$tmp/out" \
	&& ok "per-epoch lines" || no "per-epoch lines"
# A zeros kernel zeroes every hidden unit, so the model predicts one class whatever the
# image (class 1, which the output bias favours): test accuracy is that class's share of
# make_data.lua's test set (39 of 500), validation accuracy its share of the held-out
# rows (15 of 150); the loss stays near ln 10 = 2.3026.
grep -q "^zeros  *0\.0780  *2\.30[0-9][0-9]  *0\.1000 " "$tmp/out" \
	&& ok "zeros row: one class predicted, loss ln 10" || no "zeros row in the table"
cp "$tmp/out" "$tmp/first.txt"
expect "study again, one job" 0 "glorot_normal" -- study "$tmp/b.json" 1
# Identical numbers: everything but timings.
strip() { grep -v '"seconds"' "$1"; }
if strip "$tmp/a.json" >"$tmp/a.s" && strip "$tmp/b.json" >"$tmp/b.s" && cmp -s "$tmp/a.s" "$tmp/b.s"; then
	ok "same seed, same numbers, for -j 2 and -j 1"
else
	no "same seed, same numbers"; diff "$tmp/a.s" "$tmp/b.s" | head -10
fi
grep -q '"format": "winit-results"' "$tmp/a.json" && ok "results file format" || no "results file format"
n=$(grep -c '"test_accuracy"' "$tmp/a.json")
[ "$n" -eq 4 ] && ok "four runs saved" || no "four runs saved ($n)"
expect "another seed gives other numbers" 0 "he_normal" -- \
	"$winit" run "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 2 --seed 8 --out "$tmp/c.json"
strip "$tmp/c.json" >"$tmp/c.s"
cmp -s "$tmp/a.s" "$tmp/c.s" && no "seed changes numbers" || ok "seed changes numbers"

# Signals (Ctrl-C, SIGTERM) are tested in tests/signals.sh.

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
