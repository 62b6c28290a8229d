#!/bin/sh
# tests/cli.sh -- the winit command end to end: help, version, list, script errors, and
# the seed study on generated Fashion-MNIST-shaped data, run twice and with -j 1 / -j 2.
set -u
test_name=cli
. "$top_srcdir/tests/lib.sh"

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
expect "info on a Conv2D kernel: Keras's fans" 0 "stddev for 3x3x32x64 (fan_in 288, fan_out 576, gain 1): 0.0833333" -- "$winit" info he_normal --shape 3x3x32x64
expect "info: delta_orthogonal's sd on a conv kernel" 0 "stddev for 3x3x32x64 (fan_in 288, fan_out 576, gain 1): 0.0416667" -- "$winit" info delta_orthogonal --shape 3x3x32x64
expect "info refuses a shape of 5 dims" 2 "expects 1 to 4 positive sizes joined by 'x'.*got '1x2x3x4x5'" -- "$winit" info he_normal --shape 1x2x3x4x5
expect "info refuses a size of 0" 2 "got '3x0'" -- "$winit" info he_normal --shape 3x0
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
expect "bad --rank-timeout" 2 "rank-timeout expects seconds in 0..1000000, got '-1'" -- "$winit" run --rank-timeout -1 script.lua
expect "missing script file" 1 "cannot open $tmp/none.lua" -- "$winit" run "$tmp/none.lua"
expect "syntax error names file and line" 1 "syntax_error.lua:4:" -- "$winit" run "$src/tests/lua/syntax_error.lua"
expect "unknown initializer lists known ones" 1 "bad_initializer.lua:4: .*unknown initializer 'glorot_nromal' (known: .*glorot_normal" -- "$winit" run "$src/tests/lua/bad_initializer.lua"
expect "an unknown name mentions refused plugins" 1 "a plugin was refused while loading: [^ ]*/bad_abi\.so: incompatible plugin ABI version (plugin: 99, winit: 1)" -- \
	env WINIT_PLUGIN_PATH="$WINIT_TEST_PLUGIN_DIR" "$winit" run "$src/tests/lua/bad_initializer.lua"
expect "unknown script option lists the known ones" 1 "compare_inits.lua:[0-9]*: unknown option '--sede' (known: --baseline, --batch_size, --csv, --data, --design, --diagnostics, --epochs, --out, --repeats, --seed, --target, --help)" -- \
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
if command -v python3 >/dev/null 2>&1; then
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
	"^load_model: .*/v3.winit: byte 8: format version 3, this winit reads versions 1 to 2"; do
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
# image (class 0, which the output bias favours after this seed's shuffles; the paired
# design's, shared by every initializer): test accuracy is that class's share of
# make_data.lua's test set (44 of 500), validation accuracy its share of the held-out
# rows (26 of 300); the loss stays near ln 10 = 2.3026.
grep -q "^zeros  *0\.0880  *2\.30[0-9][0-9]  *0\.0867 " "$tmp/out" \
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
# --diagnostics off: no snapshots, and every training number as with them on.
expect "study with --diagnostics off" 0 "he_normal" -- \
	"$winit" run -j 2 "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 2 --seed 7 \
	--diagnostics off --out "$tmp/off.json"
n=$(grep -c '"diagnostics": \[\]' "$tmp/off.json")
[ "$n" -eq 4 ] && ! grep -q '"weights_hist"' "$tmp/off.json" && ok "--diagnostics off: no snapshot in 4 runs" ||
	no "--diagnostics off: no snapshot in 4 runs ($n)"
# The runs' history and test figures (the snapshots also hold losses and accuracies).
nums() {
	python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["runs"]:
    print(r["name"], r["test_loss"], r["test_accuracy"], [sorted(e.items()) for e in r["history"] if e.pop("seconds", 0) is not None])' "$1"
}
nums "$tmp/a.json" >"$tmp/a.n" && nums "$tmp/off.json" >"$tmp/off.n" && [ -s "$tmp/a.n" ] &&
	cmp -s "$tmp/a.n" "$tmp/off.n" && ok "--diagnostics off: the same losses and accuracies, bit for bit" ||
	no "--diagnostics off: the same losses and accuracies"
expect "--diagnostics wants on or off" 1 "option '--diagnostics' expects on or off, got 'maybe'" -- \
	"$winit" run "$src/scripts/compare_inits.lua" --data "$tmp/data" --diagnostics maybe

# Runs that explode stop at the step it happens; the study goes on.
"$winit" run "$src/tests/lua/diverge.lua" "$tmp/data" "$tmp/div.json" >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q "^winit: 2 of 4 runs failed: adam_1e20 (training diverged" "$tmp/out" \
	&& ok "diverged runs make the exit status 1, named" || no "diverged runs make the exit status 1, named (exit $st)"
grep -q "^\[adam_1e20\] DIVERGED: training diverged in epoch 1, step [0-9]" "$tmp/out" \
	&& ok "Adam lr 1e20 is reported DIVERGED" || no "Adam lr 1e20 is reported DIVERGED"
grep -q "^\[sgd_1e10\] DIVERGED: training diverged in epoch 1, step [0-9]" "$tmp/out" \
	&& ok "SGD lr 1e10 is reported DIVERGED" || no "SGD lr 1e10 is reported DIVERGED"
grep -q "^adam_1e20  *diverged$" "$tmp/out" && grep -q "^sgd_1e10  *diverged$" "$tmp/out" \
	&& grep -q "^2 runs diverged" "$tmp/out" && ! grep -v "diverged in epoch" "$tmp/out" | grep -qi "nan" \
	&& ok "the table shows diverged, no NaN" || no "the table shows diverged, no NaN"
n=$(grep -c '"status": "diverged"' "$tmp/div.json")
m=$(grep -c '"status": "ok"' "$tmp/div.json")
[ "$n" -eq 2 ] && [ "$m" -eq 2 ] && ok "results file: 2 diverged, 2 ok" || no "results file: $n diverged, $m ok"
expect "SGD momentum NaN refused at the line" 1 "momentum.lua:2: optimizers.SGD: SGD momentum must be in \[0, 1) (got NaN)" -- \
	"$winit" run "$src/tests/lua/momentum.lua"

# Plugins that crash or hang: check-plugin runs each setting in a child process.
crash="$top_builddir/tests/plugins/crash/.libs"
expect "check-plugin reports a segfaulting fill and goes on" 1 "FAIL segv_fill: crashed with SIGSEGV (signal 11) during fill 128x10" -- \
	"$winit" check-plugin "$crash/segv_fill.so"
grep -q "^2 checks, 1 failed" "$tmp/out" && ok "the checks after the crash are counted" || no "the checks after the crash are counted"
t0=$(date +%s)
expect "check-plugin stops a hanging fill at its time limit" 1 "FAIL hang_fill: no answer within 1 s (a hang?) during fill 128x10 from stream 1: killed" -- \
	"$winit" check-plugin --timeout 1 "$crash/hang_fill.so"
[ $(($(date +%s) - t0)) -lt 10 ] && ok "within the time limit" || no "within the time limit"
expect "check-plugin reports a segfaulting describe()" 1 "FAIL load: crashed with SIGSEGV (signal 11) during loading" -- \
	"$winit" check-plugin "$top_builddir/tests/plugins/crash_describe/.libs/segv_describe.so"
expect "check-plugin --timeout must be positive" 2 "expects seconds" -- "$winit" check-plugin --timeout 0 x.so
# In a study, a crash inside a plugin names it and dies of the same signal; the run that
# finished before it is in the results file.
WINIT_PLUGIN_PATH="$crash" "$winit" run -j 1 "$src/tests/lua/plugin_study.lua" "$tmp/data" "$tmp/crash.json" segv_fill >"$tmp/out" 2>&1
st=$?
# (Under AddressSanitizer its own SIGSEGV handler, which winit's passes the signal to,
# reports and exits 1.)
{ [ "$st" -eq 139 ] || { [ "$st" -ne 0 ] && grep -q "AddressSanitizer" "$tmp/out"; }; } \
	&& ok "a study dies of the plugin's SIGSEGV" || no "a study dies of the plugin's SIGSEGV (exit $st)"
grep -q "^winit: fatal signal SIGSEGV in plugin 'segv_fill' (initializer fill); stopping" "$tmp/out" \
	&& ok "the fatal signal names the plugin and callback" || no "the fatal signal names the plugin and callback"
grep -q '"name": "he_normal"' "$tmp/crash.json" 2>/dev/null && ok "the finished run is on disk" || no "the finished run is on disk"
# A fill that leaves values unwritten fails its run; it never trains from the sentinel.
WINIT_PLUGIN_PATH="$top_builddir/tests/plugins/conformance/.libs" "$winit" run -j 1 "$src/tests/lua/plugin_study.lua" "$tmp/data" "$tmp/short.json" short_fill >"$tmp/out" 2>&1
grep -q "^\[short_fill\] FAILED: layer 1 kernel: initializer 'short_fill' left 1 of 6272 values unwritten" "$tmp/out" \
	&& ok "a fill leaving a value unwritten fails the run" || no "a fill leaving a value unwritten fails the run"
grep -q '"status": "failed"' "$tmp/short.json" && ! grep -q "short_fill.*Epoch" "$tmp/out" \
	&& ok "and nothing trained from it" || no "and nothing trained from it"

# A user's he_normal in $WINIT_PLUGIN_PATH shadows the build tree's: every run line that
# uses it says so, the results file records the file that ran, and a typo's hint does not
# blame the shadowing.
mkdir -p "$tmp/user"
cp "$top_builddir/plugins/initializers/.libs/he_normal.so" "$tmp/user/"
WINIT_PLUGIN_PATH="$tmp/user" "$winit" run -j 1 "$src/tests/lua/plugin_study.lua" "$tmp/data" "$tmp/user.json" glorot_normal >"$tmp/out" 2>&1
n=$(grep -c "^\[he_normal\] note: layer 1 uses initializer 'he_normal' from $tmp/user/he_normal.so, which shadows .*/he_normal.so$" "$tmp/out")
[ "$n" -eq 1 ] && ok "shadowing is reported on the run that uses it" || no "shadowing is reported on the run that uses it ($n)"
grep -q "^\[glorot_normal\] note:" "$tmp/out" && no "no note for a run without shadowing" || ok "no note for a run without shadowing"
size=$(wc -c <"$tmp/user/he_normal.so" | tr -d ' ')
grep -q "\"file\": \"$tmp/user/he_normal.so\"" "$tmp/user.json" && grep -q "\"size\": $size," "$tmp/user.json" \
	&& grep -q '"crc32": "[0-9a-f]\{8\}"' "$tmp/user.json" \
	&& ok "results record each plugin's file, size and crc32" || no "results record each plugin's file, size and crc32"
WINIT_PLUGIN_PATH="$tmp/user" "$winit" run "$src/tests/lua/bad_initializer.lua" >"$tmp/out" 2>&1
grep -q "unknown initializer 'glorot_nromal'" "$tmp/out" && ! grep -q "refused\|shadow" "$tmp/out" \
	&& ok "a typo's hint does not mention unrelated shadowing" || no "a typo's hint does not mention unrelated shadowing"

# Signals (Ctrl-C, SIGTERM) are tested in tests/signals.sh.

finish
