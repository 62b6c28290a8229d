#!/bin/sh
# tests/resume.sh -- winit run --resume: a 4-run study killed with SIGKILL after its
# second run is saved is resumed: only runs 3 and 4 are computed again, and the file ends
# equal to an uninterrupted run's, timings aside.  Resuming a finished study computes
# nothing; a file of another study is refused; no file yet means every run runs.
set -u
test_name=resume
. "$top_srcdir/tests/lib.sh"
EPOCHS=300 # each run takes about half a second: long enough to be killed during run 3, even
           # when a loaded machine wakes the polling loop below late (at 100 epochs, 0.15 s
           # a run, it twice saw three runs saved)
study() { # OUT [winit run options...]
	out=$1
	shift
	"$winit" run -j 1 "$@" "$src/tests/lua/small_study.lua" "$tmp/data" "$out" 4 $EPOCHS
}
# The same as the process itself, for a background job: `study ... &` would run a subshell
# whose SIGKILL leaves winit running on (and writing the file) behind the test's back.
study_exec() { # OUT [winit run options...]
	out=$1
	shift
	exec "$winit" run -j 1 "$@" "$src/tests/lua/small_study.lua" "$tmp/data" "$out" 4 $EPOCHS
}
runs_in() { n=$(grep -c '"status": "ok"' "$1" 2>/dev/null); echo "${n:-0}"; }
strip() { grep -v '"seconds"' "$1"; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"

# The reference: the study uninterrupted.
study "$tmp/full.json" >"$tmp/out" 2>&1 || no "uninterrupted study"
[ "$(runs_in "$tmp/full.json")" -eq 4 ] && ok "uninterrupted study saves four runs" || no "uninterrupted study saves four runs"

# Killed (SIGKILL: no handler runs) as soon as the file holds two runs.
study_exec "$tmp/r.json" >"$tmp/out" 2>&1 &
pid=$!
i=0
while [ "$(runs_in "$tmp/r.json")" -lt 2 ] && [ $i -lt 1200 ]; do sleep 0.02; i=$((i + 1)); done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(runs_in "$tmp/r.json")
[ "$n" -eq 2 ] && ok "killed after its second run (two runs saved)" || no "killed after its second run ($n runs saved)"

study "$tmp/r.json" --resume >"$tmp/out" 2>&1
got=$?
[ "$got" -eq 0 ] && ok "--resume exits 0" || no "--resume exits 0 (got $got)"
grep -q "resume: 2 of 4 runs already finished in $tmp/r.json; running the other 2" "$tmp/out" \
	&& ok "--resume says what it keeps" || no "--resume says what it keeps"
grep -q "^\[r1\]\|^\[r2\]" "$tmp/out" && no "runs 1 and 2 are not computed again" || ok "runs 1 and 2 are not computed again"
grep -q "^\[r3\] Epoch $EPOCHS/$EPOCHS" "$tmp/out" && grep -q "^\[r4\] Epoch $EPOCHS/$EPOCHS" "$tmp/out" \
	&& ok "runs 3 and 4 are computed" || no "runs 3 and 4 are computed"
grep -q "^r2 \|^he_normal  *[01]\." "$tmp/out" && ok "the table shows the kept runs" || no "the table shows the kept runs"
strip "$tmp/full.json" >"$tmp/full.s"
strip "$tmp/r.json" >"$tmp/r.s"
if cmp -s "$tmp/full.s" "$tmp/r.s"; then
	ok "the resumed file equals the uninterrupted one, timings aside"
else
	no "the resumed file equals the uninterrupted one"
	diff "$tmp/full.s" "$tmp/r.s" | head -10
fi
find "$tmp" -maxdepth 1 -name "*.tmp.*" | grep -q . && no "no temporary file is left" || ok "no temporary file is left"

# Resuming a finished study computes nothing and changes nothing but nothing.
cp "$tmp/r.json" "$tmp/before.json"
study "$tmp/r.json" --resume >"$tmp/out" 2>&1 || no "--resume of a finished study"
grep -q "resume: all 4 runs already finished" "$tmp/out" && ok "a finished study: nothing to run" || no "a finished study: nothing to run"
grep -q "^\[r[1-4]\]" "$tmp/out" && no "a finished study trains nothing" || ok "a finished study trains nothing"
cmp -s "$tmp/before.json" "$tmp/r.json" && ok "a finished study's file is unchanged" || no "a finished study's file is unchanged"

# A failed run in the file is run again; so is a run whose description changed.
first() { # FROM TO FILE: replace the first FROM (a regex) by TO (run 1's)
	awk -v from="$1" -v to="$2" '!done && sub(from, to) { done = 1 } { print }' "$3"
}
first '"status": "ok"' '"status": "failed"' "$tmp/r.json" >"$tmp/f.json"
first '"learning_rate": 0.001' '"learning_rate": 0.5' "$tmp/r.json" >"$tmp/c.json"
study "$tmp/f.json" --resume >"$tmp/out" 2>&1 || no "--resume with a failed run"
grep -q "^\[r1\] Epoch" "$tmp/out" && ! grep -q "^\[r[234]\]" "$tmp/out" \
	&& ok "a failed run is run again, alone" || no "a failed run is run again, alone"
study "$tmp/c.json" --resume >"$tmp/out" 2>&1 || no "--resume with a changed run"
grep -q "resume: run 'r1' in .* is not the run described now" "$tmp/out" && grep -q "^\[r1\] Epoch" "$tmp/out" \
	&& ! grep -q "^\[r[234]\]" "$tmp/out" && ok "a changed run is run again, alone" || no "a changed run is run again, alone"
strip "$tmp/f.json" >"$tmp/f.s"
strip "$tmp/c.json" >"$tmp/c.s"
cmp -s "$tmp/full.s" "$tmp/f.s" && cmp -s "$tmp/full.s" "$tmp/c.s" \
	&& ok "both end equal to the uninterrupted file" || no "both end equal to the uninterrupted file"

# A file written by another build or install: its plugins' paths differ, their contents
# (size, crc32) do not -- nothing runs again.  Another crc32 is another plugin: run again.
sed 's|"file": "[^"]*/\([a-z_]*\.so\)"|"file": "/elsewhere/lib/winit/\1"|' "$tmp/r.json" >"$tmp/moved.json"
grep -q '"file": "/elsewhere/lib/winit/relu.so"' "$tmp/moved.json" || no "the moved file names other paths"
study "$tmp/moved.json" --resume >"$tmp/out" 2>&1 || no "--resume of a file from elsewhere"
grep -q "resume: all 4 runs already finished" "$tmp/out" && ! grep -q "^\[r[1-4]\]" "$tmp/out" \
	&& ok "plugins at other paths with the same contents: nothing runs again" \
	|| no "plugins at other paths with the same contents: nothing runs again"
first '"crc32": "[0-9a-f]*"' '"crc32": "00000000"' "$tmp/r.json" >"$tmp/crc.json"
study "$tmp/crc.json" --resume >"$tmp/out" 2>&1 || no "--resume with another plugin"
grep -q "resume: run 'r1' in .* is not the run described now" "$tmp/out" && grep -q "^\[r1\] Epoch" "$tmp/out" \
	&& ok "a plugin with other contents: its run runs again" || no "a plugin with other contents: its run runs again"

# No file yet: every run runs.  Another study's file: refused, left alone.
EPOCHS=1
study "$tmp/new.json" --resume >"$tmp/out" 2>&1 || no "--resume without a file"
grep -q "resume: no results file at $tmp/new.json yet: running every run" "$tmp/out" && grep -q "^\[r4\] Epoch" "$tmp/out" \
	&& ok "--resume without a file runs every run" || no "--resume without a file runs every run"
"$winit" run "$src/tests/lua/failing_study.lua" "$tmp/data" "$tmp/other.json" "" >/dev/null 2>&1
cp "$tmp/other.json" "$tmp/other.before"
study "$tmp/other.json" --resume >"$tmp/out" 2>&1
got=$?
[ "$got" -eq 1 ] && grep -q "cannot resume from $tmp/other.json: it holds study 'failing' with seed 5, this is study 'small' with seed 5" "$tmp/out" \
	&& ok "another study's file is refused" || no "another study's file is refused (exit $got)"
grep -q "^\[r1\]" "$tmp/out" && no "nothing trains after a refused resume" || ok "nothing trains after a refused resume"
cmp -s "$tmp/other.json" "$tmp/other.before" && ok "the refused file is left alone" || no "the refused file is left alone"

finish
