#!/bin/sh
# tests/terminal_text.sh -- what `winit run` prints for text from a script: control
# characters in a name or label (ESC, CR, a newline in a table cell or a progress line) reach the terminal as
# \xHH, never raw; an error that is not a string (error({}), error(42)) keeps the script line.
set -u
test_name=terminal_text
. "$top_srcdir/tests/lib.sh"

esc=$(printf '\033')
cr=$(printf '\r')
has_raw() { grep -q "$esc" "$1" || grep -q "$cr" "$1"; }

cat >"$tmp/plugin.lua" <<'LUA'
local winit = require "winit"
local m = winit.Sequential { winit.layers.Flatten { input_shape = { 2, 2 } },
  winit.layers.Dense { 3, kernel_initializer = "he\27[2J\rx" } }
LUA
"$winit" run "$tmp/plugin.lua" >"$tmp/out" 2>&1; rc=$?
if [ "$rc" -eq 1 ] && ! has_raw "$tmp/out" && grep -q "unknown initializer 'he\\\\x1b\[2J\\\\x0dx'" "$tmp/out"; then
	ok "a plugin name with ESC and CR: escaped in the error"
else
	no "a plugin name with ESC and CR: escaped in the error (exit $rc)"
fi

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
cat >"$tmp/table.lua" <<'LUA'
local winit = require "winit"
local train, test = winit.datasets.fashion_mnist.load_data(arg[1])
local study = winit.Study { seed = 1 }
for _, label in ipairs { "red\27[31m", "two\nlines" } do
  local m = winit.Sequential { winit.layers.Flatten { input_shape = { 28, 28 } },
    winit.layers.Dense { 4, activation = "relu" }, winit.layers.Dense { 10, activation = "softmax" } }
  m:compile { optimizer = winit.optimizers.Adam(), loss = "categorical_crossentropy" }
  study:add { name = label, label = label, model = m, train = train, test = test, epochs = 1, batch_size = 256 }
end
study:run({ verbose = 1, jobs = 1 }):print_table()
LUA
"$winit" run "$tmp/table.lua" "$tmp/data" >"$tmp/out" 2>&1; rc=$?
if [ "$rc" -eq 0 ] && ! has_raw "$tmp/out" && grep -q '^red\\x1b\[31m  *0\.' "$tmp/out" &&
	grep -q '^two\\x0alines  *0\.' "$tmp/out"; then
	ok "print_table: labels with ESC and a newline escaped, one row each"
else
	no "print_table: labels with ESC and a newline escaped, one row each (exit $rc)"
fi
if grep -q '^\[red\\x1b\[31m\] start: ' "$tmp/out" && grep -q '^\[two\\x0alines\] Epoch 1/1 ' "$tmp/out" &&
	grep -q '^\[red\\x1b\[31m\] test_loss: ' "$tmp/out"; then
	ok "progress lines: run names escaped"
else
	no "progress lines: run names escaped"
fi

printf 'local t = {}\nerror(t)\n' >"$tmp/table_error.lua"
expect "error({}): the script line" 1 "table_error.lua:2: (error object is a table value)" -- \
	"$winit" run "$tmp/table_error.lua"
printf 'local x = 1\n\nerror(42)\n' >"$tmp/number_error.lua"
expect "error(42): the script line" 1 "number_error.lua:3: 42$" -- "$winit" run "$tmp/number_error.lua"
printf 'error(setmetatable({}, { __tostring = function() return "custom" end }))\n' >"$tmp/meta_error.lua"
expect "an error object with __tostring: the script line" 1 "meta_error.lua:1: custom$" -- \
	"$winit" run "$tmp/meta_error.lua"
printf 'local function f()\n  error({ code = 1 })\nend\nf()\n' >"$tmp/nested.lua"
expect "--traceback: the line and the traceback" 1 "nested.lua:2: (error object is a table value)" -- \
	"$winit" run --traceback "$tmp/nested.lua"
grep -q "stack traceback:" "$tmp/out" && ok "--traceback still prints the traceback" ||
	no "--traceback still prints the traceback"
finish
