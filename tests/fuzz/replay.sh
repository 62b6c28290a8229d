#!/bin/sh
# tests/fuzz/replay.sh -- every seed and every regression input of each fuzz harness, run
# through that harness's code without libFuzzer (tests/fuzz/replay.c).
set -u
pass=0 fail=0
# Under `make check-valgrind` (WINIT_VALGRIND=1) each replay runs under valgrind, as the
# suites do (tests/testwrapper.sh).
vg=
if [ "${WINIT_VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
	vg="$top_builddir/libtool --mode=execute valgrind --quiet --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --suppressions=$top_srcdir/tests/valgrind.supp"
fi
for h in idx idx_gz npy results model lua; do
	for d in seeds regressions; do
		dir="$top_srcdir/tests/fuzz/$d/fuzz_$h"
		[ -d "$dir" ] || continue
		set -- "$dir"/*
		[ -e "$1" ] || continue
		if $vg "$top_builddir/tests/fuzz/replay_$h" "$@"; then
			pass=$((pass + 1)); echo "ok - fuzz_$h $d ($# inputs)"
		else
			fail=$((fail + 1)); echo "not ok - fuzz_$h $d"
		fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 5 ]
