#!/bin/sh
# tests/shard.sh -- `winit run --shard I/N`: each shard's results file holds the study
# header and exactly its runs (i % N == I), each as the single-process run writes it
# (timings aside); `winit merge` of the shards equals the single-process file.
set -u
winit="$top_builddir/winit"
src="$top_srcdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winit-shard-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export WINIT_NO_PROGRESS=1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -f "$tmp/out" ] && sed 's/^/#   /' "$tmp/out" | tail -8; }
check() { if "$@"; then ok "$name"; else no "$name"; fi; }
# A results file without what depends on the machine or the moment.
strip() { grep -v -e '"seconds":' -e '"generator":' -e '"kernels":' "$1"; }
indices() { sed -n 's/^ *"index": \([0-9]*\),$/\1/p' "$1" | tr '\n' ' '; }

mkdir -p "$tmp/data"
"$winit" run "$src/tests/lua/make_data.lua" "$tmp/data" >"$tmp/out" 2>&1 || no "generate data"
"$winit" run -j 2 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/single.json" >"$tmp/out" 2>&1 ||
	no "single-process study"
strip "$tmp/single.json" >"$tmp/single.txt"

for s in 0 1 2; do
	"$winit" run -j 1 --shard $s/3 "$src/tests/lua/dist_study.lua" "$tmp/data" "$tmp/shard$s.json" \
		>"$tmp/out" 2>&1 || no "shard $s/3 runs"
done
name="shard 0/3 holds runs 0 and 3"
check [ "$(indices "$tmp/shard0.json")" = "0 3 " ]
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
	for k in $s $((s + 3)); do
		name="shard $s/3: run $k as in the single-process file"
		run "$tmp/single.json" $k >"$tmp/a"
		run "$tmp/shard$s.json" $k >"$tmp/b"
		check sh -c "[ -s '$tmp/a' ] && cmp -s '$tmp/a' '$tmp/b'"
	done
done
name="--shard refuses I >= N"
"$winit" run --shard 3/3 "$src/tests/lua/dist_study.lua" >"$tmp/out" 2>&1
check [ $? -eq 2 ]
name="--shard refuses a malformed value"
"$winit" run --shard 1of3 "$src/tests/lua/dist_study.lua" >"$tmp/out" 2>&1
check grep -q 'expects I/N' "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
