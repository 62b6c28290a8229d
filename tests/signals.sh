#!/bin/sh
# tests/signals.sh -- stopping: SIGINT (Ctrl-C) and SIGTERM stop a study or a fit within a
# second whether or not progress is printed, keep the finished runs in the results file,
# and exit 130 / 143 as shells expect; also when the time goes to code that never returns
# (a Lua callback or initializer, a plugin's fill), and a second Ctrl-C exits at once.  A
# plugin call past the time limit fails its run; a FIFO named like a data file is refused.
set -u
test_name=signals
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=5 # how the stopped command ended

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"

now() { date +%s.%N; }

# gone PID: whether PID ends within 10 s (polled every 10 ms); if not, it is killed, so
# a hang fails the test instead of hanging it.
gone() {
	j=0
	while kill -0 "$1" 2>/dev/null && [ $j -lt 1000 ]; do sleep 0.01; j=$((j + 1)); done
	kill -0 "$1" 2>/dev/null || return 0
	kill -KILL "$1"
	wait "$1"
	return 1
}

# stop NAME SIGNAL STATUS PATTERN -- COMMAND...: start COMMAND, wait until $tmp/mark
# exists, send SIGNAL; expect STATUS within one second and PATTERN in the output.
stop() {
	name=$1 sig=$2 want=$3 pat=$4; shift 5
	rm -f "$tmp/mark"
	"$@" >"$tmp/out" 2>&1 &
	pid=$!
	i=0
	# Generous: under valgrind or the sanitizers on a loaded machine, starting is slow.
	while [ ! -s "$tmp/mark" ] && [ $i -lt 3000 ]; do sleep 0.05; i=$((i + 1)); done
	if [ ! -s "$tmp/mark" ]; then
		kill -KILL $pid 2>/dev/null
		no "$name (never started)"
		return
	fi
	sleep 0.3 # well inside a training step loop
	t0=$(now)
	kill -"$sig" $pid
	gone $pid || { no "$name (still running 10 s after SIG$sig)"; return; }
	wait $pid
	got=$?
	t1=$(now)
	took=$(echo "$t1 - $t0" | bc)
	if [ "$got" -ne "$want" ]; then no "$name (exit $got, wanted $want)"; return; fi
	if [ "$(echo "$took < 1" | bc)" -ne 1 ]; then no "$name (took ${took}s to stop)"; return; fi
	if ! grep -q -- "$pat" "$tmp/out"; then no "$name (no '$pat' in output)"; return; fi
	ok "$name (stopped in ${took}s)"
}

# run MODE VERBOSE: a study (whose first run is short, then long ones) or one long fit.
run() { exec "$winit" run "$src/tests/lua/long_run.lua" "$tmp/data" "$tmp/mark" "$1" "$2"; }

# Progress printed.
stop "Ctrl-C stops a printing study" INT 130 "interrupted by SIGINT; finished runs saved to $tmp/mark" -- run study 1
grep -q '"name": "short"' "$tmp/mark" && grep -q '"test_accuracy"' "$tmp/mark" &&
	ok "Ctrl-C keeps the finished run" || no "Ctrl-C keeps the finished run"
grep -q "Traceback\|traceback" "$tmp/out" && no "no traceback on interruption" || ok "no traceback on interruption"
stop "SIGTERM stops a printing study" TERM 143 "interrupted by SIGTERM; finished runs saved to" -- run study 1
grep -q '"name": "short"' "$tmp/mark" && ok "SIGTERM keeps the finished run" || no "SIGTERM keeps the finished run"
stop "Ctrl-C stops a printing model:fit" INT 130 "interrupted by SIGINT" -- run fit 1

# Nothing printed: the stop must not depend on the progress printer.
stop "Ctrl-C stops a silent study" INT 130 "interrupted by SIGINT; finished runs saved to" -- run study 0
grep -q '"name": "short"' "$tmp/mark" && ok "silent study keeps the finished run" || no "silent study keeps the finished run"
grep -q '"name": "long2"' "$tmp/mark" && no "runs after the stop were not started" || ok "runs after the stop were not started"
stop "SIGTERM stops a silent study" TERM 143 "interrupted by SIGTERM" -- run study 0
stop "Ctrl-C stops a silent model:fit" INT 130 "interrupted by SIGINT" -- run fit 0
stop "SIGTERM stops a silent model:fit" TERM 143 "interrupted by SIGTERM" -- run fit 0
grep -q "not reached" "$tmp/out" && no "the script does not go on after a stop" || ok "the script does not go on after a stop"

# Code that never returns, inside training: the first Ctrl-C still ends it.
endless() { exec "$winit" run "$src/tests/lua/endless.lua" "$tmp/data" "$tmp/mark" "$1"; }
stop "Ctrl-C stops a Lua callback looping forever" INT 130 "^winit: interrupted by SIGINT" -- endless callback
stop "Ctrl-C stops a Lua initializer's endless fill in a study" INT 130 \
	"^winit: interrupted by SIGINT; finished runs saved to $tmp/mark" -- endless fill
grep -q '"name": "first"' "$tmp/mark" && grep -q '"test_accuracy"' "$tmp/mark" &&
	ok "and the finished run is in the results file" || no "and the finished run is in the results file"
stop "SIGTERM stops a Lua initializer's endless fill" TERM 143 "^winit: interrupted by SIGTERM" -- endless fill
crash="$top_builddir/tests/plugins/crash/.libs"
hang() { WINIT_PLUGIN_PATH="$crash" exec "$winit" run -j "$1" "$src/tests/lua/plugin_study.lua" "$tmp/data" "$tmp/mark" hang_fill; }
stop "Ctrl-C stops a plugin's endless fill in a study" INT 130 \
	"^winit: interrupted by SIGINT; finished runs saved to $tmp/mark" -- hang 1
grep -q "interrupted by SIGINT inside plugin 'hang_fill' (initializer fill)" "$tmp/out" &&
	ok "the interrupted run names the plugin" || no "the interrupted run names the plugin"
grep -q '"name": "he_normal"' "$tmp/mark" && grep -q '"test_accuracy"' "$tmp/mark" &&
	ok "and the finished run is in the results file" || no "and the finished run is in the results file"
stop "Ctrl-C stops a plugin's endless fill on a worker thread (-j 2)" INT 130 \
	"^winit: interrupted by SIGINT; finished runs saved to" -- hang 2
# A script that swallows every error: the second Ctrl-C exits at once, by the signal.
stubborn() {
	rm -f "$tmp/mark"
	"$winit" run "$src/tests/lua/endless.lua" "$tmp/data" "$tmp/mark" stubborn >"$tmp/out" 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$tmp/mark" ] && [ $i -lt 3000 ]; do sleep 0.05; i=$((i + 1)); done
	sleep 0.3
	kill -INT $pid
	sleep 0.5
	kill -0 $pid 2>/dev/null || { wait $pid; no "a script catching errors survives the first Ctrl-C (exit $?)"; return; }
	ok "a script catching errors survives the first Ctrl-C"
	t0=$(now)
	kill -INT $pid
	gone $pid || { no "a second Ctrl-C exits at once (still running after 10 s)"; return; }
	wait $pid
	got=$?
	took=$(echo "$(now) - $t0" | bc)
	[ "$got" -eq 130 ] && [ "$(echo "$took < 1" | bc)" -eq 1 ] &&
		grep -q "^winit: SIGINT again: exiting now (finished runs are saved)" "$tmp/out" &&
		ok "a second Ctrl-C exits at once (${took}s, exit $got)" ||
		no "a second Ctrl-C exits at once (${took}s, exit $got)"
}
stubborn

# The time limit of a plugin call: the run fails, naming the plugin; the study goes on.
t0=$(now)
WINIT_PLUGIN_PATH="$crash" timeout 30 "$winit" run -j 1 --plugin-timeout 1 "$src/tests/lua/plugin_study.lua" \
	"$tmp/data" "$tmp/limit.json" hang_fill >"$tmp/out" 2>&1
got=$?
took=$(echo "$(now) - $t0" | bc)
[ "$got" -eq 1 ] && [ "$(echo "$took < 5" | bc)" -eq 1 ] &&
	grep -q "^winit: 1 of 2 runs failed: hang_fill (layer 1 kernel: plugin 'hang_fill' (initializer fill) did not return within 1 s" "$tmp/out" &&
	ok "--plugin-timeout 1 fails a hanging fill's run (${took}s)" ||
	no "--plugin-timeout 1 fails a hanging fill's run (exit $got, ${took}s)"
grep -q '"name": "he_normal"' "$tmp/limit.json" && grep -q '"status": "failed"' "$tmp/limit.json" &&
	ok "the results file keeps the finished run and the failed one" ||
	no "the results file keeps the finished run and the failed one"
WINIT_PLUGIN_TIMEOUT=1 timeout 30 "$winit" run "$src/tests/lua/endless.lua" "$tmp/data" "$tmp/limit2.json" fill >"$tmp/out" 2>&1
grep -q "^winit: 1 of 2 runs failed: forever (.*did not return within 1 s" "$tmp/out" &&
	ok "WINIT_PLUGIN_TIMEOUT=1 fails a Lua fill that never returns" ||
	no "WINIT_PLUGIN_TIMEOUT=1 fails a Lua fill that never returns"
expect "--plugin-timeout must be seconds" 2 "plugin-timeout expects seconds >= 0" -- \
	"$winit" run --plugin-timeout -1 "$src/tests/lua/endless.lua"
expect "WINIT_PLUGIN_TIMEOUT must be seconds" 2 "WINIT_PLUGIN_TIMEOUT expects seconds" -- \
	env WINIT_PLUGIN_TIMEOUT=soon "$winit" run "$src/tests/lua/endless.lua"

# A FIFO named like a data file: refused at once, naming it (opening it would block).
mkdir -p "$tmp/fifo"
cp "$tmp/data"/* "$tmp/fifo/"
rm -f "$tmp/fifo/train-images-idx3-ubyte"
mkfifo "$tmp/fifo/train-images-idx3-ubyte"
t0=$(now)
timeout 10 "$winit" run "$src/tests/lua/plugin_study.lua" "$tmp/fifo" "$tmp/fifo.json" he_normal >"$tmp/out" 2>&1
got=$?
took=$(echo "$(now) - $t0" | bc)
[ "$got" -eq 1 ] && [ "$(echo "$took < 2" | bc)" -eq 1 ] &&
	grep -q "$tmp/fifo/train-images-idx3-ubyte: is a FIFO, expected a regular IDX file" "$tmp/out" &&
	ok "a FIFO as a data file is refused (${took}s)" || no "a FIFO as a data file is refused (exit $got, ${took}s)"

finish
