#!/bin/sh
# tests/exit_status.sh -- winit run's exit status: 0 only when every run of every study
# finished; 1 when any run failed (or diverged), with one line on stderr naming each
# failed run and its reason, while study:run still returns the results so the script
# goes on to print its table.  (130/143 for signals: tests/signals.sh.)
set -u
test_name=exit_status
. "$top_srcdir/tests/lib.sh"
no_file="$tmp/err" no_lines=20 # the checks are about stderr
# run NAME STATUS FAILING [N]: the failing study, stdout and stderr apart
run() {
	name=$1 want=$2
	shift 2
	"$winit" run -j 2 "$src/tests/lua/failing_study.lua" "$tmp/data" "$tmp/r.json" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] && ok "$name exits $want" || no "$name exits $want (got $got)"
}

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"

run "every run finished" 0 ""
[ -s "$tmp/err" ] && no "nothing on stderr when every run finished" || ok "nothing on stderr when every run finished"

run "two of four runs failed" 1 "2,4"
grep -q "^winit: 2 of 4 runs failed: r2 (layer 1 bias: initializer 'orthogonal' failed: .*), r4 (layer 1 bias: .*)$" "$tmp/err" \
	&& ok "one line names the failed runs and why" || no "one line names the failed runs and why"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "the summary is one line" || no "the summary is one line"
grep -q "the script went on: 2 failed" "$tmp/out" && ok "study:run returns the results" || no "study:run returns the results"
grep -q "^r1  *0\.[0-9]" "$tmp/out" && ok "the table shows the finished runs" || no "the table shows the finished runs"
n=$(grep -c '"status": "ok"' "$tmp/r.json")
[ "$n" -eq 2 ] && ok "the finished runs are saved" || no "the finished runs are saved ($n)"

run "every run failed" 1 "1,2,3,4"
grep -q "^winit: 4 of 4 runs failed: r1 (" "$tmp/err" && ok "all four named" || no "all four named"

run "twenty runs failed" 1 all 20
grep -q "^winit: 20 of 20 runs failed: r1 (.*), and [0-9]* more$" "$tmp/err" \
	&& ok "a long list ends with how many more" || no "a long list ends with how many more"
[ "$(wc -c <"$tmp/err")" -lt 1024 ] && ok "the long summary stays one short line" || no "the long summary stays one short line"

finish
