#!/bin/sh
# tests/journal.sh -- saving results in constant time per run (winit/results.h): with
# WINIT_JOURNAL=always every finished run goes through PATH.journal; a study killed with
# SIGKILL at many moments (inside journal appends too) loses no finished run, every reader
# sees the runs the journal holds, and --resume ends equal to an uninterrupted study.  One
# writer at a time; a file of finished runs is kept aside, never dropped; --resume keeps
# the runs a script no longer lists, --prune drops them.
set -u
test_name=journal
. "$top_srcdir/tests/lib.sh"
EPOCHS=40
study() { # OUT RUNS [winit run options...]
	out=$1 runs=$2
	shift 2
	"$winit" run -j 1 "$@" "$src/tests/lua/small_study.lua" "$tmp/data" "$out" "$runs" $EPOCHS off
}
# What the readers see: winit merge writes the file the journal describes, byte for byte.
view() { rm -f "$2" && "$winit" merge "$2" "$1" >/dev/null 2>"$tmp/merge.err"; }
count() { n=$(grep -c '"status": "ok"' "$1" 2>/dev/null); echo "${n:-0}"; }
records() { n=$(grep -c '^R ' "$1" 2>/dev/null); echo "${n:-0}"; }
strip() { grep -v '"seconds"' "$1"; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
study "$tmp/full.json" 6 >"$tmp/out" 2>&1 || no "uninterrupted study"
[ "$(count "$tmp/full.json")" -eq 6 ] && ok "the uninterrupted study saves six runs" || no "the uninterrupted study saves six runs"
[ -e "$tmp/full.json.journal" ] || [ -e "$tmp/full.json.lock" ] \
	&& no "no journal or lock is left after a study" || ok "no journal or lock is left after a study"

# Journal only: the file is written at the start and the end, every run in between is a
# record.  While it runs, the file holds no run, the journal all that finished.
WINIT_JOURNAL=always study "$tmp/j.json" 6 >"$tmp/out" 2>&1 &
pid=$!
i=0
while ! grep -q '^R 1 ' "$tmp/j.json.journal" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.02; i=$((i + 1)); done
file_runs=$(count "$tmp/j.json")
view "$tmp/j.json" "$tmp/view.json"
seen=$(count "$tmp/view.json")
wait $pid
[ "$file_runs" -eq 0 ] && [ "$seen" -ge 2 ] && ok "while it runs, readers see the journal's runs ($seen), the file has $file_runs" \
	|| no "while it runs, readers see the journal's runs (file $file_runs, seen $seen)"
strip "$tmp/full.json" >"$tmp/full.s"
strip "$tmp/j.json" >"$tmp/j.s"
cmp -s "$tmp/full.s" "$tmp/j.s" && ok "through the journal, the same file, timings aside" || no "through the journal, the same file, timings aside"

# SIGKILL as soon as each resumed study has saved one more run (so right after a journal
# append, or inside the next), resuming each time: no finished run is lost, every state
# left is readable, and the end equals the uninterrupted study.
rm -f "$tmp/k.json"
lost=0 unreadable=0 in_journal=0 prev=0 kills=0
for d in 0 0.01 0.02 0 0.03 0.01 0 0.02; do
	WINIT_JOURNAL=always "$winit" run -j 1 --resume "$src/tests/lua/small_study.lua" "$tmp/data" \
		"$tmp/k.json" 6 $EPOCHS off >"$tmp/kill.out" 2>&1 &
	pid=$!
	i=0
	while kill -0 $pid 2>/dev/null && [ "$(records "$tmp/k.json.journal")" -le "$prev" ] &&
		[ $i -lt 3000 ]; do
		sleep 0.005
		i=$((i + 1))
	done
	sleep "$d"
	kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
	[ -e "$tmp/k.json.journal" ] && in_journal=$((in_journal + 1))
	if [ -e "$tmp/k.json" ] || [ -e "$tmp/k.json.journal" ]; then
		if view "$tmp/k.json" "$tmp/kview.json"; then
			n=$(count "$tmp/kview.json")
			[ "$n" -lt "$prev" ] && lost=$((lost + 1))
			prev=$n
		else
			unreadable=$((unreadable + 1))
			cp "$tmp/merge.err" "$tmp/unreadable.err"
		fi
	fi
done
[ "$kills" -ge 4 ] && [ "$in_journal" -ge 3 ] && [ "$prev" -ge 4 ] \
	&& ok "the study was killed $kills times, $in_journal times leaving a journal, $prev runs saved by then" \
	|| no "the study was killed $kills times, $in_journal times leaving a journal, $prev runs saved by then (wanted 4, 3, 4)"
[ "$unreadable" -eq 0 ] && ok "every state a kill left is readable" \
	|| { no_file="$tmp/unreadable.err" no "every state a kill left is readable ($unreadable not)"; }
[ "$lost" -eq 0 ] && ok "no kill lost a run saved before it" || no "no kill lost a run saved before it ($lost times)"
WINIT_JOURNAL=always study "$tmp/k.json" 6 --resume >"$tmp/out" 2>&1 || no "the last --resume"
strip "$tmp/k.json" >"$tmp/k.s"
cmp -s "$tmp/full.s" "$tmp/k.s" && ok "killed and resumed: the uninterrupted file, timings aside" \
	|| { no "killed and resumed: the uninterrupted file, timings aside"; diff "$tmp/full.s" "$tmp/k.s" | head -5; }
[ -e "$tmp/k.json.journal" ] && no "the journal goes once the study ends" || ok "the journal goes once the study ends"

# A torn last record (a write cut by the kill) is dropped, and only it; a damaged record
# with others after it is refused with its byte.
WINIT_JOURNAL=always "$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" "$tmp/t.json" 4 300 off >"$tmp/out" 2>&1 &
pid=$!
i=0
while ! grep -q '^R 1 ' "$tmp/t.json.journal" 2>/dev/null && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done
kill -KILL $pid
wait $pid 2>/dev/null
cp "$tmp/t.json.journal" "$tmp/saved.journal"
size=$(wc -c <"$tmp/t.json.journal")
head -c $((size - 40)) "$tmp/saved.journal" >"$tmp/t.json.journal"
view "$tmp/t.json" "$tmp/tview.json" && [ "$(count "$tmp/tview.json")" -eq 1 ] \
	&& ok "a torn last record is dropped, the run before it kept" || no "a torn last record is dropped, the run before it kept"
# Damage the first run's record (a byte of its payload), the second following it.
off=$(grep -b -m1 '^R 0 ' "$tmp/saved.journal" | cut -d: -f1)
cp "$tmp/saved.journal" "$tmp/t.json.journal"
printf 'X' | dd of="$tmp/t.json.journal" bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null
expect "a damaged record with more after it is refused with its byte" 1 "t.json.journal: byte $off: a record whose CRC-32 does not match" \
	-- "$winit" merge "$tmp/tview.json" "$tmp/t.json"
expect "report refuses it too" 1 "byte $off" -- "$winit" report "$tmp/t.json" -o "$tmp/t.html"

# One writer at a time: a second study (or shard) writing the same file is refused,
# naming the first one's pid, and the first goes on.
"$winit" run -j 1 "$src/tests/lua/small_study.lua" "$tmp/data" "$tmp/l.json" 2 200 off >"$tmp/first.out" 2>&1 &
pid=$!
i=0
while [ ! -e "$tmp/l.json.lock" ] && [ $i -lt 600 ]; do sleep 0.02; i=$((i + 1)); done
expect "a second writer of the same file is refused, naming the first" 1 "another winit (pid $pid) is writing this results file" \
	-- "$winit" run -j 1 --shard 1/2 "$src/tests/lua/small_study.lua" "$tmp/data" "$tmp/l.json" 2 2 off
wait $pid
st=$?
[ "$st" -eq 0 ] && [ "$(count "$tmp/l.json")" -eq 2 ] && ok "the first writer finishes with its runs" || no "the first writer finishes with its runs (exit $st)"

# A finished study run again without --resume and interrupted: its runs are kept aside.
EPOCHS=40
cp "$tmp/full.json" "$tmp/a.json"
EPOCHS=300
study "$tmp/a.json" 6 >"$tmp/out" 2>&1 &
pid=$!
sleep 0.3
kill -INT $pid
wait $pid
grep -q "a.json held 6 runs of an earlier study: kept as $tmp/a.json.1" "$tmp/out" \
	&& ok "re-running says where the earlier runs went" || no "re-running says where the earlier runs went"
cmp -s "$tmp/full.json" "$tmp/a.json.1" && ok "the earlier runs are kept whole in a.json.1" || no "the earlier runs are kept whole in a.json.1"

# --resume with a script that lists fewer runs keeps the others; --prune drops them.
EPOCHS=40
cp "$tmp/full.json" "$tmp/p.json"
study "$tmp/p.json" 4 --resume >"$tmp/out" 2>&1
grep -q "resume: 2 runs in $tmp/p.json are not in the script: kept" "$tmp/out" \
	&& ok "--resume says what it keeps of the unlisted runs" || no "--resume says what it keeps of the unlisted runs"
strip "$tmp/p.json" >"$tmp/p.s"
cmp -s "$tmp/full.s" "$tmp/p.s" && ok "--resume keeps unlisted runs as they were" || no "--resume keeps unlisted runs as they were"
study "$tmp/p.json" 4 --prune >"$tmp/out" 2>&1
[ "$(count "$tmp/p.json")" -eq 4 ] && grep -q "are not in the script: dropped (prune)" "$tmp/out" \
	&& ok "--prune drops them" || no "--prune drops them"
finish
