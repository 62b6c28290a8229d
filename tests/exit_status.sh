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

# A run added with expect = "diverged": its divergence is the finding, not a failure.
# expect_run NAME STATUS MODE: tests/lua/expect_study.lua, stdout and stderr apart
expect_run() {
	name=$1 want=$2
	"$winit" run -j 2 "$src/tests/lua/expect_study.lua" "$tmp/data" "$tmp/e.json" "$3" \
		>"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] && ok "$name exits $want" || no "$name exits $want (got $got)"
}
expect_run "a divergence the run expected" 0 expected
[ -s "$tmp/err" ] && no "nothing on stderr for an expected divergence" || ok "nothing on stderr for an expected divergence"
grep -q "^r2  *diverged (expected)$" "$tmp/out" && ok "the table shows the divergence as expected" \
	|| no "the table shows the divergence as expected"
grep -q "^1 run diverged (loss or weights not finite), as expected: left out" "$tmp/out" \
	&& ok "the table's note says it was expected" || no "the table's note says it was expected"
grep -q "^run r2 diverged expect diverged$" "$tmp/out" && grep -q "^run r1 ok expect ok$" "$tmp/out" \
	&& ok "results:runs() gives each run's expect" || no "results:runs() gives each run's expect"
[ "$(grep -c '"expect": "diverged"' "$tmp/e.json")" -eq 1 ] && ok "the results file records the one expect" \
	|| no "the results file records the one expect"
"$winit" report "$tmp/e.json" -o "$tmp/e.html" >/dev/null 2>&1 || no "winit report reads expect"
grep -q '<td>0<br/>+ 1 diverged (expected)</td>' "$tmp/e.html" && grep -q "Diverged, as the script expected" "$tmp/e.html" \
	&& ! grep -q "Failed runs" "$tmp/e.html" && ok "the report shows the divergence as expected" \
	|| no "the report shows the divergence as expected"

expect_run "the same divergence, not expected" 1 unexpected
grep -q "^winit: 1 of 3 runs failed: r2 (training diverged in epoch 1, step 1: " "$tmp/err" \
	&& ok "an unexpected divergence is a failure" || no "an unexpected divergence is a failure"
grep -q "^r2  *diverged$" "$tmp/out" && ok "the table shows it without (expected)" || no "the table shows it without (expected)"

expect_run "a run expected to diverge that finished" 0 unmet
grep -q '^winit: 1 of 3 runs expected to diverge finished: r3$' "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 1 ] \
	&& ok "stderr names the run that did not diverge" || no "stderr names the run that did not diverge"
grep -q "^r3  *0\.[0-9].*  (finished, expected to diverge)$" "$tmp/out" \
	&& grep -q "^1 run expected to diverge finished (marked above)\.$" "$tmp/out" \
	&& ok "the table marks the run that did not diverge" || no "the table marks the run that did not diverge"

expect_run "expect = \"maybe\"" 1 bad
grep -q "Study:add: 'expect' must be \"ok\" or \"diverged\" (got \"maybe\")" "$tmp/err" \
	&& ok "an unknown expect is refused" || no "an unknown expect is refused"

finish
