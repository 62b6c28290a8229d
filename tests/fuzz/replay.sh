#!/bin/sh
# tests/fuzz/replay.sh -- every seed and every regression input of each fuzz harness, run
# through that harness's code without libFuzzer (tests/fuzz/replay.c).
set -u
pass=0 fail=0
for h in idx idx_gz results model; do
	for d in seeds regressions; do
		dir="$top_srcdir/tests/fuzz/$d/fuzz_$h"
		[ -d "$dir" ] || continue
		set -- "$dir"/*
		[ -e "$1" ] || continue
		if "$top_builddir/tests/fuzz/replay_$h" "$@"; then
			pass=$((pass + 1)); echo "ok - fuzz_$h $d ($# inputs)"
		else
			fail=$((fail + 1)); echo "not ok - fuzz_$h $d"
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 4 ]
