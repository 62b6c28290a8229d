#!/bin/sh
# tests/signals.sh -- stopping: SIGINT (Ctrl-C) and SIGTERM stop a study or a fit within a
# second whether or not progress is printed, keep the finished runs in the results file,
# and exit 130 / 143 as shells expect.
set -u
test_name=signals
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=5 # how the stopped command ended

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"

now() { date +%s.%N; }

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

finish
