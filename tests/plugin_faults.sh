#!/bin/sh
# tests/plugin_faults.sh -- plugins that misbehave, end to end: exit() inside a fill is
# named (and the finished runs stay saved); a crash in an activation during the theory
# pass is named as in training; a negative gain is refused at load; check-plugin sees a
# fill writing before its buffer; an activation writing outside its buffers fails its run
# (or winit.theory's fixed point or correlation map), named; a plugin shadowing a built-in
# is said on stderr even with verbose = 0.
set -u
test_name=plugin_faults
. "$top_srcdir/tests/lib.sh"

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
crash="$top_builddir/tests/plugins/crash/.libs"

# exit(3) in a fill: the status stays 3, one line names the plugin and the callback.
WINIT_PLUGIN_PATH="$crash" "$winit" run -j 1 "$src/tests/lua/plugin_study.lua" "$tmp/data" \
	"$tmp/exit.json" exit_fill >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 3 ] && ok "exit(3) in a fill ends the study with status 3" || no "exit(3) in a fill ends the study with status 3 (exit $st)"
grep -q "^winit: plugin 'exit_fill' called exit() during its initializer fill; stopping (finished runs are saved)$" "$tmp/out" &&
	ok "exit() in a plugin names the plugin and callback" || no "exit() in a plugin names the plugin and callback"
grep -q '"name": "he_normal"' "$tmp/exit.json" && grep -q '"test_accuracy"' "$tmp/exit.json" &&
	ok "the finished run is on disk" || no "the finished run is on disk"
# A plain exit outside a plugin call says nothing more.
WINIT_PLUGIN_PATH="$crash" "$winit" run "$src/tests/lua/plugin_study.lua" /nonexistent "$tmp/x.json" exit_fill >"$tmp/out" 2>&1
grep -q "called exit()" "$tmp/out" && no "no exit note outside a plugin call" || ok "no exit note outside a plugin call"

# A SIGSEGV in an activation during the theory pass (a fit with diagnostics).
cat >"$tmp/theory.lua" <<'LUA'
local winit = require "winit"
local train = winit.datasets.fashion_mnist.load_data(arg[1])
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 8, activation = "segv_act", kernel_initializer = "he_normal" },
  winit.layers.Dense { 10, activation = "softmax" },
}
m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
m:fit(train, { epochs = 1, verbose = 0, diagnostics = true })
LUA
WINIT_PLUGIN_PATH="$crash" "$winit" run -j 1 "$tmp/theory.lua" "$tmp/data" >"$tmp/out" 2>&1
st=$?
{ [ "$st" -eq 139 ] || { [ "$st" -ne 0 ] && grep -q "AddressSanitizer" "$tmp/out"; }; } &&
	ok "a crash in the theory pass still dies of SIGSEGV" || no "a crash in the theory pass still dies of SIGSEGV (exit $st)"
grep -q "^winit: fatal signal SIGSEGV in plugin 'segv_act' (activation forward); stopping" "$tmp/out" &&
	ok "a crash in the theory pass names the plugin" || no "a crash in the theory pass names the plugin"

# gain() = -1: refused at load, naming the file, by `winit info` and in a script.
mkdir -p "$tmp/gain"
cp "$top_builddir/tests/plugins/.libs/bad_gain.so" "$tmp/gain/"
expect "winit info refuses a negative gain" 1 \
	"$tmp/gain/bad_gain.so: plugin 'bad_gain': gain() at the default parameters is -1, expected a positive finite number" -- \
	env WINIT_PLUGIN_PATH="$tmp/gain" "$winit" info bad_gain
expect "winit list warns of it" 0 "warning: $tmp/gain/bad_gain.so: plugin 'bad_gain': gain()" -- \
	env WINIT_PLUGIN_PATH="$tmp/gain" "$winit" list

# A fill writing the 64 floats before its buffer: check-plugin fails it, saying where.
expect "check-plugin sees a fill writing before its buffer" 1 \
	"FAIL underrun_fill: fill 784x128 wrote before the start of its buffer (at \[-64\])" -- \
	"$winit" check-plugin "$top_builddir/tests/plugins/conformance/.libs/underrun_fill.so"

# The same fill inside a study: its run fails naming the plugin and where it wrote (the
# fill writes into a buffer with guard zones, copied into the parameters only when
# intact), instead of corrupting the heap; the finished run stays saved.
WINIT_PLUGIN_PATH="$top_builddir/tests/plugins/conformance/.libs" "$winit" run -j 1 \
	"$src/tests/lua/plugin_study.lua" "$tmp/data" "$tmp/under.json" underrun_fill >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q "initializer 'underrun_fill' wrote before the start of its buffer (at \[-64\])" "$tmp/out" \
	&& ok "a fill writing before its buffer fails its run in a study, named" \
	|| no "a fill writing before its buffer fails its run in a study, named (exit $st)"
grep -q '"name": "he_normal"' "$tmp/under.json" && grep -q '"test_accuracy"' "$tmp/under.json" &&
	ok "the run before it stays saved" || no "the run before it stays saved"

# An activation writing outside the buffers it is handed: every buffer a study hands an
# activation (the model's z, a and gradients, the output gradient, the diagnostics' and the
# theory's) has guard zones, checked after the pass or the call; the run fails naming the
# layer, the plugin, the callback and what it overwrote, instead of corrupting the heap
# (glibc's "munmap_chunk(): invalid pointer" or "corrupted size vs. prev_size", 134); the
# other runs finish and stay saved.
conf="$top_builddir/tests/plugins/conformance/.libs"
act_case() { # name act diagnostics jobs message
	WINIT_PLUGIN_PATH="$conf" "$winit" run -j "$4" "$src/tests/lua/act_study.lua" "$tmp/data" \
		"$tmp/$1.json" "$2" "$3" >"$tmp/out" 2>&1
	st=$?
	[ "$st" -eq 1 ] && ok "$1: the study exits 1" || no "$1: the study exits 1 (exit $st)"
	grep -qF "[${2}2] FAILED: $5" "$tmp/out" && ok "$1: its run fails naming the plugin and callback" ||
		no "$1: its run fails naming the plugin and callback"
	grep -qF "winit: 1 of 3 runs failed: ${2}2 (layer 1: activation '$2' wrote outside" "$tmp/out" &&
		ok "$1: the summary line names it" || no "$1: the summary line names it"
	n=$(grep -c '"test_accuracy"' "$tmp/$1.json")
	grep -q '"name": "relu1"' "$tmp/$1.json" && grep -q '"name": "relu3"' "$tmp/$1.json" && [ "$n" -eq 2 ] &&
		ok "$1: the runs before and after it are saved" || no "$1: the runs before and after it are saved ($n)"
}
act_case underrun_act underrun_act on 1 \
	"layer 1: activation 'underrun_act' wrote outside its buffers in its forward: 8 floats before the start of the diagnostics' derivative grid; forward must write only its rows * cols values"
act_case underrun_nodiag underrun_act off 1 \
	"layer 1: activation 'underrun_act' wrote outside its buffers in its forward: 8 floats before the start of the layer's activations"
act_case before_act before_act off 2 \
	"layer 1: activation 'before_act' wrote outside its buffers in its forward: 8 floats before the start of the layer's activations"
act_case past_act past_act off 1 \
	"layer 1: activation 'past_act' wrote outside its buffers in its forward: 4 floats past the end of the layer's activations"
act_case back_act back_act off 2 \
	"layer 1: activation 'back_act' wrote outside its buffers in its backward: 8 floats before the start of the layer's gradients"
act_case back_diag back_act on 1 \
	"layer 1: activation 'back_act' wrote outside its buffers in its backward: 8 floats before the start of the diagnostics' derivative grid"
# winit.theory's fixed point calls the activation on 2,400 values: underrun_act writes
# before them there too.
cat >"$tmp/fp.lua" <<'LUA'
local winit = require "winit"
winit.theory.fixed_point("underrun_act", 1.5, 0.1)
LUA
WINIT_PLUGIN_PATH="$conf" "$winit" run "$tmp/fp.lua" >"$tmp/out" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -qF "fp.lua:2: theory.fixed_point: activation 'underrun_act' wrote outside its buffers in its forward: 8 floats before the start of its output y" "$tmp/out" &&
	ok "the fixed point names an activation writing before its output" ||
	no "the fixed point names an activation writing before its output (exit $st)"

# The correlation map calls it on 262,144 values: a write before or past them is named.
for case in "before_act:8 floats before the start of its output y" \
	"past_act:4 floats past the end of its output y"; do
	name=${case%%:*}
	printf 'local winit = require "winit"\nwinit.theory.correlation_map("%s", 1.5, 0.1, 1, 1, 0.5)\n' \
		"$name" >"$tmp/cm.lua"
	WINIT_PLUGIN_PATH="$conf" "$winit" run "$tmp/cm.lua" >"$tmp/out" 2>&1
	st=$?
	[ "$st" -eq 1 ] && grep -qF "cm.lua:2: theory.correlation_map: activation '$name' wrote outside its buffers in its forward during the correlation map: ${case#*:}" "$tmp/out" &&
		ok "the correlation map names $name writing outside its output" ||
		no "the correlation map names $name writing outside its output (exit $st): $(cat "$tmp/out")"
done

# A user's he_normal shadowing the built-in one, with verbose = 0: one warning on stderr.
mkdir -p "$tmp/user"
cp "$top_builddir/plugins/initializers/.libs/he_normal.so" "$tmp/user/"
cat >"$tmp/quiet.lua" <<'LUA'
local winit = require "winit"
local train = winit.datasets.fashion_mnist.load_data(arg[1])
local m = winit.Sequential {
  winit.layers.Flatten { input_shape = { 28, 28 } },
  winit.layers.Dense { 8, activation = "relu", kernel_initializer = "he_normal" },
  winit.layers.Dense { 10, activation = "softmax", kernel_initializer = "he_normal" },
}
m:compile { optimizer = "adam", loss = "categorical_crossentropy" }
m:fit(train, { epochs = 1, verbose = 0 })
LUA
WINIT_PLUGIN_PATH="$tmp/user" "$winit" run -j 1 "$tmp/quiet.lua" "$tmp/data" >"$tmp/stdout" 2>"$tmp/out"
n=$(grep -c "^winit: warning: initializer 'he_normal' comes from $tmp/user/he_normal.so, which shadows .*/he_normal.so (the first in the search path wins)$" "$tmp/out")
[ "$n" -eq 1 ] && ok "shadowing is warned once on stderr with verbose = 0" || no "shadowing is warned once on stderr with verbose = 0 ($n)"
"$winit" run -j 1 "$tmp/quiet.lua" "$tmp/data" >"$tmp/stdout" 2>"$tmp/out"
grep -q "shadows" "$tmp/out" && no "no warning without shadowing" || ok "no warning without shadowing"

finish
