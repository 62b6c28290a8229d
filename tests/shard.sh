#!/bin/sh
# tests/shard.sh -- `winit run --shard I/N`: each shard's results file holds the study
# header and exactly its runs (i % N == I), each as the single-process run writes it
# (timings aside); `winit merge` of the shards equals the single-process file, and keeps a
# section before the runs (the Jacobian spectra) present in several inputs once.
set -u
test_name=shard
. "$top_srcdir/tests/lib.sh"
no_from=tail no_lines=8 # winit's last words
check() { if "$@"; then ok "$name"; else no "$name"; fi; }
# A results file without what depends on the machine or the moment.
strip() { grep -v -e '"seconds":' -e '"generator":' -e '"kernels":' "$1"; }
indices() { sed -n 's/^ *"index": \([0-9]*\),$/\1/p' "$1" | tr '\n' ' '; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
# The study's run "mismatch" fails: winit run exits 1 (after saving the others).
"$winit" run -j 2 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/single.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] || no "single-process study (exit 1 for its failing run)"
strip "$tmp/single.json" >"$tmp/single.txt"

for s in 0 1 2; do
	"$winit" run -j 1 --shard $s/3 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/shard$s.json" \
		>"$tmp/out" 2>&1
	got=$?
	want=0
	[ $s = 0 ] && want=1 # shard 0 holds the failing run (index 6)
	name="shard $s/3 exits $want"
	check [ $got -eq $want ]
done
name="shard 0/3 holds runs 0, 3 and 6"
check [ "$(indices "$tmp/shard0.json")" = "0 3 6 " ]
name="shard 1/3 holds runs 1 and 4"
check [ "$(indices "$tmp/shard1.json")" = "1 4 " ]
name="shard 2/3 holds runs 2 and 5"
check [ "$(indices "$tmp/shard2.json")" = "2 5 " ]
name="a shard file starts with the study's header"
check cmp -s "$(head -6 "$tmp/single.json" | grep -v generator >"$tmp/h1"; echo "$tmp/h1")" \
	"$(head -6 "$tmp/shard1.json" | grep -v generator >"$tmp/h2"; echo "$tmp/h2")"
# run FILE K: run K's object in a results file, timings aside, without its closing comma.
run() {
	strip "$1" | awk -v k="$2" '/^    \{$/ { buf = ""; on = 1 } on { buf = buf $0 "\n" }
		on && /^ *"index": / { idx = $2 + 0 }
		/^    \},?$/ && on { on = 0; if (idx == k) { sub(/,\n$/, "\n", buf); printf "%s", buf } }'
}
# Each shard's run objects are the single-process ones, line for line.
for s in 0 1 2; do
	for k in $s $((s + 3)) $([ $s = 0 ] && echo 6); do
		name="shard $s/3: run $k as in the single-process file"
		run "$tmp/single.json" $k >"$tmp/a"
		run "$tmp/shard$s.json" $k >"$tmp/b"
		check sh -c "[ -s '$tmp/a' ] && cmp -s '$tmp/a' '$tmp/b'"
	done
done
name="a shard without runs still writes the study's header (every task of an array has a file)"
"$winit" run --shard 7/8 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/none.json" >"$tmp/out" 2>&1
check grep -q '"runs": \[\]' "$tmp/none.json"
name="merging the empty shard changes nothing"
"$winit" merge "$tmp/with_none.json" "$tmp/none.json" "$tmp/single.json" >"$tmp/out" 2>&1
check cmp -s "$tmp/single.json" "$tmp/with_none.json"
name="merging only files without runs writes a file without runs (no runs to sort)"
"$winit" merge "$tmp/empty.json" "$tmp/none.json" "$tmp/none.json" >"$tmp/out" 2>&1 &&
	grep -q '"runs": \[\]' "$tmp/empty.json" && grep -qx "$tmp/empty.json: 0 runs from 2 files" "$tmp/out"
check [ $? -eq 0 ]
name="--shard refuses I >= N"
"$winit" run --shard 3/3 "$src/tests/lua/dist_study.lua" >"$tmp/out" 2>&1
check [ $? -eq 2 ]
name="--shard refuses a malformed value"
"$winit" run --shard 1of3 "$src/tests/lua/dist_study.lua" >"$tmp/out" 2>&1
check grep -q 'expects I/N' "$tmp/out"

# winit merge: the shards, in any order, give the single-process file (timings aside).
name="merge of the three shards equals the single-process file"
"$winit" merge "$tmp/merged.json" "$tmp/shard2.json" "$tmp/shard0.json" "$tmp/shard1.json" \
	>"$tmp/out" 2>&1 && strip "$tmp/merged.json" >"$tmp/merged.txt"
check cmp -s "$tmp/single.txt" "$tmp/merged.txt"
name="merge says how many runs it joined"
check grep -q '7 runs from 3 files' "$tmp/out"
name="merge of one file rewrites it byte for byte (the writer's format)"
"$winit" merge "$tmp/again.json" "$tmp/single.json" >"$tmp/out" 2>&1
check cmp -s "$tmp/single.json" "$tmp/again.json"
name="a run present twice with the same results is kept once"
"$winit" merge "$tmp/twice.json" "$tmp/shard0.json" "$tmp/single.json" >"$tmp/out" 2>&1 &&
	strip "$tmp/twice.json" >"$tmp/twice.txt"
check cmp -s "$tmp/single.txt" "$tmp/twice.txt"
sed 's/^  "study": "dist",$/  "study": "other",/' "$tmp/shard1.json" >"$tmp/study.json"
sed 's/^  "seed": "11",$/  "seed": "12",/' "$tmp/shard1.json" >"$tmp/seed.json"
sed 's/^  "version": [0-9]*,$/  "version": 99,/' "$tmp/shard1.json" >"$tmp/version.json"
sed 's/^\(      "test_loss": \)[0-9.]*/\10.5/' "$tmp/shard0.json" >"$tmp/disagree.json"
for case in "study|different studies|another study" "seed|different study seeds|another seed" \
	"version|version 99|another format version" \
	"disagree|with different results (first difference: \"test_loss\")|a run that disagrees"; do
	file=${case%%|*}
	rest=${case#*|}
	pat=${rest%%|*}
	name="merge refuses ${rest#*|}"
	rm -f "$tmp/bad_out.json"
	if "$winit" merge "$tmp/bad_out.json" "$tmp/shard0.json" "$tmp/$file.json" >"$tmp/out" 2>&1; then
		no "$name (exit 0)"
	elif ! grep -qF "$pat" "$tmp/out"; then
		no "$name (no '$pat')"
	elif [ -e "$tmp/bad_out.json" ]; then
		no "$name (wrote the output)"
	else
		ok "$name"
	fi
done
name="merge refuses a file that is not JSON, naming line and column"
printf '{"format": ' >"$tmp/broken.json"
"$winit" merge "$tmp/bad_out.json" "$tmp/broken.json" >"$tmp/out" 2>&1
check grep -q 'broken.json:1:[0-9]*: byte [0-9]*: not a results file: invalid JSON' "$tmp/out"

# merge validates its inputs as every reader does (src/results/results_schema.c): it used
# to copy these through into a file that `winit report` then refused.
sed '0,/"learning": {/s//"learning": "x", "old": {/' "$tmp/shard0.json" >"$tmp/learning.json"
sed '0,/"layers": \[/s//"layers": "x", "old": [/' "$tmp/shard0.json" >"$tmp/layers.json"
sed '0,/"test_accuracy": [0-9.e-]*/s//"test_accuracy": -5/' "$tmp/shard0.json" >"$tmp/accuracy.json"
sed '0,/"label": /s//"label": "x", "label": /' "$tmp/shard0.json" >"$tmp/dup.json"
for case in "learning|learning.json: runs[0].learning: expected an object, found a string" \
	"layers|layers.json: runs[0].model.layers: expected an array, found a string" \
	"accuracy|accuracy.json: runs[0].test_accuracy: expected a number in [0, 1], found -5" \
	"dup|dup.json:" "dup|invalid JSON: duplicate object key"; do
	file=${case%%|*}
	pat=${case#*|}
	name="merge refuses $file.json ('$pat')"
	rm -f "$tmp/bad_out.json"
	if "$winit" merge "$tmp/bad_out.json" "$tmp/$file.json" >"$tmp/out" 2>&1; then
		no "$name (exit 0)"
	elif ! grep -qF "$pat" "$tmp/out"; then
		no "$name (no '$pat' in: $(cat "$tmp/out"))"
	elif [ -e "$tmp/bad_out.json" ]; then
		no "$name (wrote the output)"
	else
		ok "$name"
	fi
done
# Not a regular file, or larger than a results file may be: refused before reading, naming
# it (/dev/zero used to hang; a FIFO would block until a writer came).
mkfifo "$tmp/fifo.json"
truncate -s 1073741825 "$tmp/huge.json" # sparse: 1 GiB + 1 byte of zeros, not read
for case in "/dev/zero|/dev/zero: cannot read results: it is a device, not a regular file" \
	"$tmp/fifo.json|fifo.json: cannot read results: it is a FIFO, not a regular file" \
	"$tmp|cannot read results: it is a directory, not a regular file" \
	"$tmp/huge.json|huge.json: not read: 1073741825 bytes, more than a results file may hold"; do
	file=${case%%|*}
	pat=${case#*|}
	name="merge refuses $file before reading it"
	timeout 20 "$winit" merge "$tmp/bad_out.json" "$tmp/shard0.json" "$file" >"$tmp/out" 2>&1
	status=$?
	if [ $status -ne 1 ]; then
		no "$name (exit $status)"
	elif ! grep -qF "$pat" "$tmp/out"; then
		no "$name (no '$pat' in: $(cat "$tmp/out"))"
	else
		ok "$name"
	fi
done


# The sections before the runs: a Jacobian spectrum in several inputs is kept once (the
# fuzz seed's file, which holds two and no runs); one that differs is refused, naming
# both files, and nothing is written.
seed_sp="$src/tests/fuzz/seeds/fuzz_results/spectra.json"
expect "merge keeps the spectra of two identical files once" 0 "0 runs from 2 files" -- \
	"$winit" merge "$tmp/sp.json" "$seed_sp" "$seed_sp"
name="the merged file holds the two spectra once each, as read"
check python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(0 if a["spectra"] == b["spectra"] and len(a["spectra"]) == 2 and list(a)[-2:] == ["spectra", "runs"] else 1)
' "$tmp/sp.json" "$seed_sp"
sed 's/"var_sq": 6.8,/"var_sq": 6.9,/' "$seed_sp" >"$tmp/sp_bad.json"
expect "merge refuses two spectra of one name that differ, naming both files" 1 \
	"spectrum 'relu he' is in .*spectra.json and .*sp_bad.json with different numbers (first difference: \"depths\"); they cannot both be right" -- \
	"$winit" merge "$tmp/sp_out.json" "$seed_sp" "$tmp/sp_bad.json"
name="nothing written when the spectra differ"
check [ ! -e "$tmp/sp_out.json" ]

finish
