#!/bin/sh
# tests/mpi.sh -- a study across MPI ranks (configure --with-mpi): the results file of
# `mpirun -np 1`, `2` and `3` equals the single-process one (timings, generator and kernel
# set aside), only rank 0 prints, a failing run is reported and the others finish,
# --resume hands out only unfinished runs, a rank killed mid-study ends the job non-zero
# within a bounded time with the runs finished before it saved and rank 0 naming it, a
# study of graph models (tests/tools/graph_study.c) gives the single-process file, a
# rank stopped mid-study is named after --rank-timeout and its run trained elsewhere, a
# stopped rank 0 is named by the others, and so is a rank stopped after its studies;
# winit picks Open MPI's ob1 PML unless the user chose one.  Skipped (77) without MPI.
set -u
test_name=mpi
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=8 # mpirun's last words
if ! why=$(mpi_why_not); then
	echo "SKIP: $why"
	exit 77
fi
mpi() { timeout -k 10 120 mpirun --oversubscribe --allow-run-as-root "$@"; }
# A results file without what depends on the machine or the moment.
strip() { grep -v -e '"seconds":' -e '"generator":' -e '"kernels":' "$1"; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
# The study's run "mismatch" fails: winit run exits 1 (after saving the others).
"$winit" run -j 2 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/single.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] || no "single-process study (exit 1 for its failing run)"
strip "$tmp/single.json" >"$tmp/single.txt"
runs=$(grep -c '"index":' "$tmp/single.json")
[ "$runs" -eq 7 ] && ok "single-process study saves 7 runs" || no "single-process study saves 7 runs (got $runs)"

for np in 1 2 3; do
	mpi -np $np "$winit" run -j 1 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/np$np.json" \
		>"$tmp/out" 2>&1
	got=$?
	[ $got -eq 1 ] && ok "mpirun -np $np exits 1 (one run failed)" || no "mpirun -np $np exits 1 (got $got)"
	n=$(grep -c 'runs failed: mismatch' "$tmp/out")
	[ "$n" -eq 1 ] && ok "mpirun -np $np: one summary of the failed runs (rank 0's)" ||
		no "mpirun -np $np: one summary of the failed runs ($n)"
	grep -q 'MPI_ABORT' "$tmp/out" && no "mpirun -np $np: failed runs end MPI normally (no MPI_Abort)"
	strip "$tmp/np$np.json" >"$tmp/np$np.txt"
	if cmp -s "$tmp/single.txt" "$tmp/np$np.txt"; then
		ok "mpirun -np $np: results file equals the single-process one"
	else
		no "mpirun -np $np: results file equals the single-process one"
		diff "$tmp/single.txt" "$tmp/np$np.txt" | head -10 | sed 's/^/#   /'
	fi
	n=$(grep -c '^failed: ' "$tmp/out")
	[ "$n" -eq 1 ] && ok "mpirun -np $np: only rank 0 prints" || no "mpirun -np $np: only rank 0 prints ($n tables)"
	n=$(grep -c 'test_accuracy:' "$tmp/out")
	[ "$n" -eq 6 ] && ok "mpirun -np $np: rank 0 reports every run" ||
		no "mpirun -np $np: rank 0 reports every run ($n of 6)"
	grep -q '^\[mismatch\] FAILED: data has 784 features' "$tmp/out" && grep -qx 'failed: 1' "$tmp/out" &&
		ok "mpirun -np $np: the failing run is reported failed, the others finish" ||
		no "mpirun -np $np: the failing run is reported failed, the others finish"
done

# A study of graph models (tests/tools/graph_study.c: Add, Reshape, Concatenate, a named
# layer with multipliers), its specs built on every rank: the same file on 1, 2, 3 ranks.
graph="$top_builddir/tests/graph_study"
"$graph" "$tmp/graph.json" >"$tmp/out" 2>&1 && grep -qx 'failed: 0, ranks: 1' "$tmp/out" ||
	no "graph study in one process"
strip "$tmp/graph.json" >"$tmp/graph.txt"
grep -q '"type": "Concatenate"' "$tmp/graph.txt" && grep -q '"distinct_units": -1' "$tmp/graph.txt" ||
	no "graph study: its file describes the graphs and every layer's diagnostics"
for np in 1 2 3; do
	mpi -np $np "$graph" "$tmp/graph$np.json" >"$tmp/out" 2>&1 && grep -qx "failed: 0, ranks: $np" "$tmp/out" ||
		no "graph study: mpirun -np $np"
	strip "$tmp/graph$np.json" >"$tmp/graph$np.txt"
	cmp -s "$tmp/graph.txt" "$tmp/graph$np.txt" && ok "graph study: mpirun -np $np gives the single-process file" ||
		no "graph study: mpirun -np $np gives the single-process file"
done

# A script's own output of the results (table, results file, report) comes from rank 0
# alone: one table, one report line, and the report is the page of the saved file.
mpi -np 2 "$winit" run -j 1 "$src/scripts/compare_inits.lua" --data "$tmp/data" --epochs 1 \
	--out "$tmp/ci.json" >"$tmp/out" 2>&1
n=$(grep -c '^initializer ' "$tmp/out")
[ "$n" -eq 1 ] && ok "mpirun -np 2: a script's results:print_table prints once" ||
	no "mpirun -np 2: a script's results:print_table prints once ($n)"
n=$(grep -c '^report written to ' "$tmp/out")
[ "$n" -eq 1 ] && [ -s "$tmp/ci.html" ] && ok "mpirun -np 2: one report written" ||
	no "mpirun -np 2: one report written ($n)"

# Resume under mpirun: rank 0 reads the file (here shard 0 of 2: 3 finished runs and the
# failed one) and hands out only the others; the file ends equal to the single one.
"$winit" run -j 1 --shard 0/2 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/resume.json" \
	>"$tmp/out" 2>&1
mpi -np 2 "$winit" run -j 1 --resume "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/resume.json" \
	>"$tmp/out" 2>&1
n=$(grep -c 'start:' "$tmp/out")
[ "$n" -eq 4 ] && ok "mpirun --resume trains only the 4 runs not finished" ||
	no "mpirun --resume trains only the 4 runs not finished ($n)"
strip "$tmp/resume.json" >"$tmp/resume.txt"
cmp -s "$tmp/single.txt" "$tmp/resume.txt" && ok "mpirun --resume: the file equals the single-process one" ||
	no "mpirun --resume: the file equals the single-process one"

# Wait (at most 60 s, while mpirun $mp runs) until $1 holds the 6 short runs and the
# failed one, then half a second more: every rank is then training one of the 3 long runs.
# $victim: the process of rank $2 (default 1).
wait_for_long() {
	i=0
	while [ $i -lt 600 ] && kill -0 $mp 2>/dev/null; do
		[ -f "$1" ] && [ "$(grep -c '"status": "ok"' "$1")" -ge 6 ] &&
			grep -q '"status": "failed"' "$1" && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	victim=
	for c in $(pgrep -f "$1"); do
		tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=${2:-1}" && victim=$c
	done
}

# Rank 0's stderr lines may start inside one of its stdout lines: mpirun relays each
# stream as it reads it, and stdout is a pipe (block-buffered).

# A rank killed with SIGKILL once the short runs are saved (three endless runs keep every
# rank busy): mpirun must end, non-zero, within 30 s, the file keeps the finished runs,
# and rank 0 names the rank that died and the run it had (mpirun's own message names
# the rank alone).
rm -f "$tmp/kill.json"
timeout -k 10 120 mpirun --oversubscribe --allow-run-as-root -np 3 "$winit" run -j 1 \
	"$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/kill.json" 3 >"$tmp/out" 2>&1 &
mp=$!
wait_for_long "$tmp/kill.json"
if [ -z "$victim" ]; then
	kill -TERM $mp 2>/dev/null
	wait $mp
	no "rank killed mid-study (rank 1 not found, or the short runs never finished)"
else
	t0=$(date +%s)
	kill -KILL "$victim"
	i=0
	while kill -0 $mp 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -TERM $mp 2>/dev/null # timeout(1) passes it on to mpirun
	wait $mp
	got=$?
	took=$(($(date +%s) - t0))
	[ "$got" -ne 0 ] && [ "$took" -lt 30 ] && ok "rank killed mid-study: mpirun exits $got after ${took}s" ||
		no "rank killed mid-study: mpirun exits non-zero in < 30 s (status $got after ${took}s)"
	n=$(grep -c '"status": "ok"' "$tmp/kill.json")
	[ "$n" -eq 6 ] && ok "rank killed mid-study: the 6 finished runs are saved" ||
		no "rank killed mid-study: the 6 finished runs are saved ($n)"
	grep -q "winit: rank 1 ([^,]*, pid $victim) died while running long[123]\$" "$tmp/out" &&
		ok "rank killed mid-study: rank 0 names rank 1, its pid and its run" ||
		no "rank killed mid-study: rank 0 names rank 1 (pid $victim) and its run"
fi

# A rank stopped (SIGSTOP) while it trains: mpirun sees nothing wrong, but rank 0 hears
# nothing from it for --rank-timeout 2 s, names it and its run, hands the run to another
# rank and finishes the study (every run saved, the file equal to the single-process
# one), then ends the job with status 3.  Once named, the rank is let go on (SIGCONT):
# what it sends then is ignored, and it does not mistake the end for a silent rank 0.
"$winit" run -j 2 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/single_long.json" 3 1000 \
	>"$tmp/out" 2>&1
[ $? -eq 1 ] || no "single-process study with 3 long runs (exit 1 for its failing run)"
strip "$tmp/single_long.json" >"$tmp/single_long.txt"
rm -f "$tmp/stop.json"
timeout -k 10 150 mpirun --oversubscribe --allow-run-as-root -np 3 "$winit" run -j 1 --rank-timeout 2 \
	"$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/stop.json" 3 1000 >"$tmp/out" 2>&1 &
mp=$!
wait_for_long "$tmp/stop.json"
if [ -z "$victim" ]; then
	kill -TERM $mp 2>/dev/null
	wait $mp
	no "rank stopped mid-study (rank 1 not found, or the short runs never finished)"
else
	t0=$(date +%s)
	kill -STOP "$victim"
	i=0
	while [ $i -lt 300 ] && ! grep -q 'has not been heard from' "$tmp/out"; do sleep 0.1; i=$((i + 1)); done
	kill -CONT "$victim"
	wait $mp
	got=$?
	took=$(($(date +%s) - t0))
	kill -KILL "$victim" 2>/dev/null # only if mpirun left it behind
	grep -q 'has had no answer from rank 0' "$tmp/out" &&
		no "rank stopped mid-study, then continued: it took the end for a silent rank 0"
	# The bound: the 2 s, then the stopped rank's run trained again (~2 s alone here).
	[ "$got" -eq 3 ] && [ "$took" -lt 90 ] && ok "rank stopped mid-study: mpirun exits 3 after ${took}s" ||
		no "rank stopped mid-study: mpirun exits 3 in < 90 s (status $got after ${took}s)"
	said=$(grep "winit: rank 1 ([^,]*, pid $victim) has not been heard from for [0-9.]* s while running long[123] (its process is stopped); its run goes to another rank;" "$tmp/out")
	[ -n "$said" ] && ok "rank stopped mid-study: rank 0 names rank 1, its pid and its run" ||
		no "rank stopped mid-study: rank 0 names rank 1 (pid $victim) and its run"
	# Noticed at the timeout, not much later: rank 0 checks every millisecond.
	quiet=$(echo "$said" | sed -n 's/.* for \([0-9]*\)\.[0-9] s while.*/\1/p')
	[ -n "$quiet" ] && [ "$quiet" -ge 2 ] && [ "$quiet" -lt 10 ] &&
		ok "rank stopped mid-study: noticed after ${quiet} s of silence (timeout 2 s)" ||
		no "rank stopped mid-study: noticed after 2-10 s of silence (got '${quiet}')"
	grep -q 'winit: 1 rank was lost under mpirun (named above); ending the job with status 3$' "$tmp/out" &&
		ok "rank stopped mid-study: rank 0 says why the job ends" ||
		no "rank stopped mid-study: rank 0 says why the job ends"
	strip "$tmp/stop.json" >"$tmp/stop.txt"
	if cmp -s "$tmp/single_long.txt" "$tmp/stop.txt"; then
		ok "rank stopped mid-study: every run saved, the file equals the single-process one"
	else
		no "rank stopped mid-study: every run saved, the file equals the single-process one"
		diff "$tmp/single_long.txt" "$tmp/stop.txt" | head -10 | sed 's/^/#   /'
	fi
fi

# Rank 0 stopped (SIGSTOP): the other ranks wait for its answer at most --rank-timeout,
# then name it and end the job (status 3); the file keeps what rank 0 saved.
rm -f "$tmp/stop0.json"
timeout -k 10 150 mpirun --oversubscribe --allow-run-as-root -np 3 "$winit" run -j 1 --rank-timeout 2 \
	"$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/stop0.json" 3 1000 >"$tmp/out" 2>&1 &
mp=$!
wait_for_long "$tmp/stop0.json" 0
if [ -z "$victim" ]; then
	kill -TERM $mp 2>/dev/null
	wait $mp
	no "rank 0 stopped mid-study (rank 0 not found, or the short runs never finished)"
else
	t0=$(date +%s)
	kill -STOP "$victim"
	wait $mp
	got=$?
	took=$(($(date +%s) - t0))
	kill -KILL "$victim" 2>/dev/null # only if mpirun left it behind
	# The bound: the other ranks finish their long runs (~2 s alone here), then 2 s.
	[ "$got" -eq 3 ] && [ "$took" -lt 90 ] && ok "rank 0 stopped mid-study: mpirun exits 3 after ${took}s" ||
		no "rank 0 stopped mid-study: mpirun exits 3 in < 90 s (status $got after ${took}s)"
	grep -q "winit: rank [12] ([^,]*, pid [0-9]*) has had no answer from rank 0 ([^,]*, pid $victim) for [0-9.]* s (its process is stopped); rank 0 is stopped, hung or unreachable, so the job ends (MPI_Abort)" "$tmp/out" &&
		ok "rank 0 stopped mid-study: another rank names it and its pid" ||
		no "rank 0 stopped mid-study: another rank names it (pid $victim)"
	n=$(grep -c '"status": "ok"' "$tmp/stop0.json")
	[ "$n" -eq 6 ] && ok "rank 0 stopped mid-study: the 6 finished runs are saved" ||
		no "rank 0 stopped mid-study: the 6 finished runs are saved ($n)"
fi

# A rank stopped after its studies, while the script goes on: rank 0 waits for it at the
# end at most --rank-timeout (MPI_Finalize would wait forever), names it and ends the job
# (status 3).  The script sleeps 4 s at its end; rank 1 is stopped once rank 0 has
# printed the table, so it has its results.
rm -f "$tmp/stop_end.json"
timeout -k 10 150 mpirun --oversubscribe --allow-run-as-root -np 3 "$winit" run -j 1 --rank-timeout 2 \
	"$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/stop_end.json" 0 1 4 >"$tmp/out" 2>&1 &
mp=$!
i=0
while [ $i -lt 600 ] && kill -0 $mp 2>/dev/null && ! grep -q '^failed: 1$' "$tmp/out"; do
	sleep 0.1
	i=$((i + 1))
done
victim=
for c in $(pgrep -f "$tmp/stop_end.json"); do
	tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$c
done
if [ -z "$victim" ]; then
	kill -TERM $mp 2>/dev/null
	wait $mp
	no "rank stopped after the study (rank 1 not found, or the table never printed)"
else
	t0=$(date +%s)
	kill -STOP "$victim"
	wait $mp
	got=$?
	took=$(($(date +%s) - t0))
	kill -KILL "$victim" 2>/dev/null # only if mpirun left it behind
	[ "$got" -eq 3 ] && [ "$took" -lt 60 ] && ok "rank stopped after the study: mpirun exits 3 after ${took}s" ||
		no "rank stopped after the study: mpirun exits 3 in < 60 s (status $got after ${took}s)"
	grep -q "winit: rank 1 ([^,]*, pid $victim) has not reached the end of the script [0-9.]* s after rank 0 did (its process is stopped); the job ends (MPI_Abort)" "$tmp/out" &&
		ok "rank stopped after the study: rank 0 names rank 1 and its pid" ||
		no "rank stopped after the study: rank 0 names rank 1 (pid $victim)"
	n=$(grep -c '"status": "ok"' "$tmp/stop_end.json")
	[ "$n" -eq 6 ] && ok "rank stopped after the study: the 6 finished runs are saved" ||
		no "rank stopped after the study: the 6 finished runs are saved ($n)"
fi

# Open MPI's PML: ob1 unless the user chose one (src/study/mpi.c, choose_pml).
echo 'print("pml=" .. tostring(os.getenv("OMPI_MCA_pml")))' >"$tmp/pml.lua"
mpi -np 2 "$winit" run "$tmp/pml.lua" >"$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = "pml=ob1" ] && ok "under mpirun, winit chooses the ob1 PML" ||
	no "under mpirun, winit chooses the ob1 PML"
mpi --mca pml ob1,cm -np 2 "$winit" run "$tmp/pml.lua" >"$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = "pml=ob1,cm" ] && ok "mpirun --mca pml X: the user's choice is kept" ||
	no "mpirun --mca pml X: the user's choice is kept"
"$winit" run "$tmp/pml.lua" >"$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = "pml=nil" ] && ok "outside mpirun, nothing is set" ||
	no "outside mpirun, nothing is set"
finish
